package template

import (
	"testing"

	"github.com/connectmail/connectmail/render"
)

// TestChecksumIsStable: the checksums of versions are those earlier
// versions of connectmail computed (and stored, and handed to clients).
func TestChecksumIsStable(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    *Version
		want string
	}{
		{"email", &Version{
			Content: &Content{Email: &EmailContent{Subject: "Hi {{Attributes.Customer.FirstName}}",
				Body:    &EmailBody{PlainText: &BodyContent{Content: "t"}, HTML: &BodyContent{Content: "<p>h</p>"}},
				Headers: []Header{{Name: "X-A", Value: "1"}}}},
			Language:          "en_US",
			DefaultAttributes: &render.Attributes{Custom: map[string]string{"a": "b"}, System: render.SystemAttributes{Name: "n"}},
			Attachments:       []Attachment{{ID: "a1", Name: "x.pdf", SHA256: "00"}},
		}, "ecf78e79d618a8d08751077e208ec3bac10adad695f7a60b70df3cabd67b764e"},
		{"sms", &Version{Content: &Content{SMS: &SMSContent{Body: &SMSBody{PlainText: &BodyContent{Content: "s"}}}}},
			"adbbdb1731424e985095c640302d6fcd7bb1861529ad53a187b448b6f0c0d0d3"},
		{"empty", &Version{}, "61770d3b77bc59892a14ab427d832a56cc2f60c30c11f8d2bc1eba6d1b26d8e7"},
		{"empty body", &Version{Content: &Content{Email: &EmailContent{Body: &EmailBody{}}}},
			"fc3fdef86d1d6839e7809bb3a26523acfcb7013c30ea57f5891de7aa1477f2eb"},
	} {
		if got := checksum(tc.v); got != tc.want {
			t.Errorf("%s: checksum %s, want %s", tc.name, got, tc.want)
		}
	}
}
