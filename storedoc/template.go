package storedoc

import (
	"encoding/json"

	"github.com/connectmail/connectmail/template"
)

// The stored forms of a message template's content and grouping: the
// qconnect member names the stores have always written.
type (
	contentDoc struct {
		Email *emailDoc `json:"email,omitempty"`
		SMS   *smsDoc   `json:"sms,omitempty"`
	}
	emailDoc struct {
		Subject string        `json:"subject,omitempty"`
		Body    *emailBodyDoc `json:"body,omitempty"`
		Headers []headerDoc   `json:"headers,omitempty"`
	}
	emailBodyDoc struct {
		PlainText *bodyDoc `json:"plainText,omitempty"`
		HTML      *bodyDoc `json:"html,omitempty"`
	}
	bodyDoc struct {
		Content string `json:"content"`
	}
	headerDoc struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	smsDoc struct {
		Body *smsBodyDoc `json:"body,omitempty"`
	}
	smsBodyDoc struct {
		PlainText *bodyDoc `json:"plainText,omitempty"`
	}
	groupingDoc struct {
		Criteria string   `json:"criteria,omitempty"`
		Values   []string `json:"values,omitempty"`
	}
)

func bodyIn(b *template.BodyContent) *bodyDoc {
	if b == nil {
		return nil
	}
	return &bodyDoc{Content: b.Content}
}

func bodyOut(b *bodyDoc) *template.BodyContent {
	if b == nil {
		return nil
	}
	return &template.BodyContent{Content: b.Content}
}

// TemplateContent encodes a template version's content (nil for none).
func TemplateContent(c *template.Content) json.RawMessage {
	if c == nil {
		return nil
	}
	d := contentDoc{}
	if e := c.Email; e != nil {
		d.Email = &emailDoc{Subject: e.Subject}
		if e.Body != nil {
			d.Email.Body = &emailBodyDoc{PlainText: bodyIn(e.Body.PlainText), HTML: bodyIn(e.Body.HTML)}
		}
		for _, h := range e.Headers {
			d.Email.Headers = append(d.Email.Headers, headerDoc(h))
		}
	}
	if sm := c.SMS; sm != nil {
		d.SMS = &smsDoc{}
		if sm.Body != nil {
			d.SMS.Body = &smsBodyDoc{PlainText: bodyIn(sm.Body.PlainText)}
		}
	}
	return marshal(d)
}

// ParseTemplateContent decodes what TemplateContent wrote (nil for nothing).
func ParseTemplateContent(b []byte) (*template.Content, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var d contentDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	c := &template.Content{}
	if e := d.Email; e != nil {
		c.Email = &template.EmailContent{Subject: e.Subject}
		if e.Body != nil {
			c.Email.Body = &template.EmailBody{PlainText: bodyOut(e.Body.PlainText), HTML: bodyOut(e.Body.HTML)}
		}
		for _, h := range e.Headers {
			c.Email.Headers = append(c.Email.Headers, template.Header(h))
		}
	}
	if sm := d.SMS; sm != nil {
		c.SMS = &template.SMSContent{}
		if sm.Body != nil {
			c.SMS.Body = &template.SMSBody{PlainText: bodyOut(sm.Body.PlainText)}
		}
	}
	return c, nil
}

// Grouping encodes a template's grouping configuration (nil for none).
func Grouping(g *template.Grouping) json.RawMessage {
	if g == nil {
		return nil
	}
	return marshal(groupingDoc(*g))
}

// ParseGrouping decodes what Grouping wrote (nil for nothing).
func ParseGrouping(b []byte) (*template.Grouping, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var d groupingDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	g := template.Grouping(d)
	return &g, nil
}
