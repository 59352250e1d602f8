package template

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/connectmail/connectmail/render"
)

// checksum computes a version's messageTemplateContentSha256: the SHA-256
// of the canonical JSON document of its content, language, default
// attributes and attachments below. The document's member names are
// frozen: stored checksums and the ones clients hold (to pass back to
// CreateMessageTemplateVersion) depend on them.
func checksum(v *Version) string {
	type att struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	doc := struct {
		Content           *contentDoc        `json:"content"`
		Language          string             `json:"language"`
		DefaultAttributes *render.Attributes `json:"defaultAttributes"`
		Attachments       []att              `json:"attachments"`
	}{Content: canonicalContent(v.Content), Language: v.Language, DefaultAttributes: v.DefaultAttributes, Attachments: []att{}}
	for _, a := range v.Attachments {
		doc.Attachments = append(doc.Attachments, att{a.ID, a.Name, a.SHA256})
	}
	b, _ := json.Marshal(doc)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// The canonical document of a Content.
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
)

func canonicalBody(b *BodyContent) *bodyDoc {
	if b == nil {
		return nil
	}
	return &bodyDoc{Content: b.Content}
}

func canonicalContent(c *Content) *contentDoc {
	if c == nil {
		return nil
	}
	d := &contentDoc{}
	if e := c.Email; e != nil {
		d.Email = &emailDoc{Subject: e.Subject}
		if e.Body != nil {
			d.Email.Body = &emailBodyDoc{PlainText: canonicalBody(e.Body.PlainText), HTML: canonicalBody(e.Body.HTML)}
		}
		for _, h := range e.Headers {
			d.Email.Headers = append(d.Email.Headers, headerDoc(h))
		}
	}
	if sm := c.SMS; sm != nil {
		d.SMS = &smsDoc{}
		if sm.Body != nil {
			d.SMS.Body = &smsBodyDoc{PlainText: canonicalBody(sm.Body.PlainText)}
		}
	}
	return d
}
