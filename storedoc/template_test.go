package storedoc

import (
	"reflect"
	"testing"

	"github.com/connectmail/connectmail/template"
)

// TestTemplateDocuments: template content and grouping are written as the
// stores wrote them when the template types carried the qconnect json tags,
// and read back.
func TestTemplateDocuments(t *testing.T) {
	email := &template.Content{Email: &template.EmailContent{Subject: "s",
		Body:    &template.EmailBody{PlainText: &template.BodyContent{Content: "t"}, HTML: &template.BodyContent{Content: "<p>h</p>"}},
		Headers: []template.Header{{Name: "X-A", Value: "1"}}}}
	sms := &template.Content{SMS: &template.SMSContent{Body: &template.SMSBody{PlainText: &template.BodyContent{Content: "s"}}}}
	for _, tc := range []struct {
		c       *template.Content
		written string
	}{
		{email, `{"email":{"subject":"s","body":{"plainText":{"content":"t"},"html":{"content":"\u003cp\u003eh\u003c/p\u003e"}},"headers":[{"name":"X-A","value":"1"}]}}`},
		{sms, `{"sms":{"body":{"plainText":{"content":"s"}}}}`},
		{&template.Content{}, `{}`},
		{&template.Content{Email: &template.EmailContent{Body: &template.EmailBody{}}}, `{"email":{"body":{}}}`},
	} {
		if got := string(TemplateContent(tc.c)); got != tc.written {
			t.Errorf("content written as %s, want %s", got, tc.written)
		}
		if got, err := ParseTemplateContent([]byte(tc.written)); err != nil || !reflect.DeepEqual(got, tc.c) {
			t.Errorf("%s reads as %+v (%v)", tc.written, got, err)
		}
	}
	g := &template.Grouping{Criteria: "RoutingProfileArn", Values: []string{"a"}}
	if got := string(Grouping(g)); got != `{"criteria":"RoutingProfileArn","values":["a"]}` {
		t.Errorf("grouping written as %s", got)
	}
	if got, err := ParseGrouping(Grouping(g)); err != nil || !reflect.DeepEqual(got, g) {
		t.Errorf("grouping reads as %+v (%v)", got, err)
	}
	if TemplateContent(nil) != nil || Grouping(nil) != nil {
		t.Error("nil is not stored as NULL")
	}
}
