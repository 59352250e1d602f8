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
