package connect

import (
	"context"
	"slices"
	"testing"

	"github.com/connectmail/connectmail/fault"
)

func TestMessageIDs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"<a@b>", []string{"<a@b>"}},
		{"a@b", []string{"<a@b>"}},
		{"  <a@b>\t<c.d@e.f>  ", []string{"<a@b>", "<c.d@e.f>"}},
		{"<a@b> junk <@x> <y@> <p@q@r> <é@x> <a,b@c>", []string{"<a@b>"}},
		{"", nil},
	} {
		if got := messageIDs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("messageIDs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFilePath(t *testing.T) {
	for _, tc := range []struct{ inst, file string }{
		{"i-1", "f-1"},
		{"inst", "email-message-0a1b"},
		{"a b", "c/d?e"},
	} {
		p := FilePath(tc.inst, tc.file)
		inst, file, ok := ParseFilePath(p)
		if !ok || inst != tc.inst || file != tc.file {
			t.Errorf("ParseFilePath(FilePath(%q, %q) = %q) = %q %q %v", tc.inst, tc.file, p, inst, file, ok)
		}
	}
	for _, p := range []string{"/files/", "/files/i", "/files/i/", "/files//f", "/files/i/f/g", "/other/i/f", "/files/i/%zz"} {
		if _, _, ok := ParseFilePath(p); ok {
			t.Errorf("ParseFilePath(%q) accepted", p)
		}
	}
}

func TestFileContentType(t *testing.T) {
	for name, want := range map[string]string{"a.PDF": "application/pdf", "x.tar.txt": "text/plain", "photo.jpeg": "image/jpeg", "a.exe": "", "noext": "", ".pdf": "application/pdf"} {
		got, ok := FileContentType(name)
		if got != want || ok != (want != "") {
			t.Errorf("FileContentType(%q) = %q %v, want %q", name, got, ok, want)
		}
	}
}

func TestParseARN(t *testing.T) {
	s := NewService(Config{AccountID: "123456789012"})
	ctx := WithCaller(context.Background(), Caller{Region: "eu-west-2"})
	base := "arn:aws:connect:eu-west-2:123456789012:instance/i1"
	for _, tc := range []struct {
		arn  string
		want ResourceRef
		kind fault.Kind // when the ARN is refused
	}{
		{base, ResourceRef{Type: ResourceInstance, InstanceID: "i1", ID: "i1"}, 0},
		{base + "/email-address/e1", ResourceRef{Type: ResourceEmailAddress, InstanceID: "i1", ID: "e1"}, 0},
		{base + "/contact/c1", ResourceRef{Type: ResourceContact, InstanceID: "i1", ID: "c1"}, 0},
		{base + "/file/f1", ResourceRef{Type: ResourceFile, InstanceID: "i1", ID: "f1"}, 0},
		{base + "/queue/q1", ResourceRef{}, fault.InvalidParameter},
		{base + "/contact/", ResourceRef{}, fault.InvalidParameter},
		{"arn:aws:connect:us-east-1:123456789012:instance/i1", ResourceRef{}, fault.NotFound},
		{"arn:aws:connect:eu-west-2:000000000000:instance/i1", ResourceRef{}, fault.NotFound},
		{"arn:aws:wisdom:eu-west-2:123456789012:knowledge-base/k", ResourceRef{}, fault.InvalidParameter},
		{"not an arn", ResourceRef{}, fault.InvalidParameter},
		{"arn:aws:connect:eu-west-2:123456789012:instance/", ResourceRef{}, fault.InvalidParameter},
	} {
		got, err := s.parseARN(ctx, tc.arn)
		if tc.kind != 0 || err != nil {
			if !fault.Is(err, tc.kind) {
				t.Errorf("parseARN(%q): %v, want a %s error", tc.arn, err, tc.kind)
			}
			continue
		}
		if got != tc.want {
			t.Errorf("parseARN(%q) = %+v, want %+v", tc.arn, got, tc.want)
		}
	}
}
