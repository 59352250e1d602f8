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
