package credentials

import "testing"

func TestAllowed(t *testing.T) {
	s, err := Parse([]byte(`{"keys":[
	 {"accessKeyId":"all","secretAccessKey":"s1"},
	 {"accessKeyId":"sender","secretAccessKey":"s2","allow":["connect:StartOutboundEmailContact","connect:CreateContact","wisdom:Get*"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key, action string
		want        bool
	}{
		{"all", "connect:DeleteInstance", true},
		{"sender", "connect:StartOutboundEmailContact", true},
		{"sender", "connect:DeleteInstance", false},
		{"sender", "wisdom:GetMessageTemplate", true},
		{"sender", "wisdom:DeleteMessageTemplate", false},
		{"nobody", "connect:CreateContact", false},
	}
	for _, c := range cases {
		if got := s.Allowed(c.key, c.action); got != c.want {
			t.Errorf("Allowed(%s, %s) = %v, want %v", c.key, c.action, got, c.want)
		}
	}
	if sec, ok := s.Secret("sender"); !ok || sec != "s2" {
		t.Errorf("Secret(sender) = %q, %v", sec, ok)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{`{`, `{"keys":[]}`, `{"keys":[{"accessKeyId":"a"}]}`,
		`{"keys":[{"accessKeyId":"a","secretAccessKey":"b"},{"accessKeyId":"a","secretAccessKey":"c"}]}`,
		`{"keys":[{"accessKeyId":"a","secretAccessKey":"b","allow":["["]}]}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%s) succeeded", in)
		}
	}
}

// TestDerivedKey: the key is a function of every key and secret and of the
// purpose, and nothing else.
func TestDerivedKey(t *testing.T) {
	parse := func(js string) *Set {
		t.Helper()
		s, err := Parse([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	two := `{"keys":[{"accessKeyId":"a","secretAccessKey":"s1"},{"accessKeyId":"b","secretAccessKey":"s2"}]}`
	base := parse(two).DerivedKey("files")
	if len(base) != 32 {
		t.Fatalf("len = %d", len(base))
	}
	for _, c := range []struct {
		name, js, purpose string
		same              bool
	}{
		{"same keys, loaded again", two, "files", true},
		{"keys listed in another order", `{"keys":[{"accessKeyId":"b","secretAccessKey":"s2"},{"accessKeyId":"a","secretAccessKey":"s1"}]}`, "files", true},
		{"another purpose", two, "other", false},
		{"one secret changed", `{"keys":[{"accessKeyId":"a","secretAccessKey":"s1"},{"accessKeyId":"b","secretAccessKey":"s3"}]}`, "files", false},
		{"one key fewer", `{"keys":[{"accessKeyId":"a","secretAccessKey":"s1"}]}`, "files", false},
		{"boundaries moved", `{"keys":[{"accessKeyId":"a","secretAccessKey":"s1b"},{"accessKeyId":"x","secretAccessKey":"s2"}]}`, "files", false},
	} {
		if got := parse(c.js).DerivedKey(c.purpose); string(got) == string(base) != c.same {
			t.Errorf("%s: same = %v, want %v", c.name, !c.same, c.same)
		}
	}
}
