package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/pyemail"
)

// wisdom makes a signed Amazon Q in Connect call and decodes its answer.
func (h *harness) wisdom(path string, body any, out any) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	resp := signedFor(h.t, h, "wisdom", "POST", path, string(b), nil)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		h.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
}

// TestTemplateAttachmentCharset sends a TEMPLATE email whose template has a
// UTF-8 text attachment with a non-ASCII name through the real server to a
// real SMTP receiver, and has Python's email package (policy.default) read
// what arrived: the attachment declares charset utf-8, its name and its text
// decode to the originals, and nothing is a defect.
func TestTemplateAttachmentCharset(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	const name, text = "conditions-générales.txt", "Conditions générales de vente\nArticle 1 — Objet : les présentes conditions…\n"
	var kb struct {
		KnowledgeBase struct{ KnowledgeBaseID string } `json:"knowledgeBase"`
	}
	h.wisdom("/knowledgeBases", map[string]any{"name": "Modèles", "knowledgeBaseType": "MESSAGE_TEMPLATES"}, &kb)
	kbID := kb.KnowledgeBase.KnowledgeBaseID
	var tpl struct {
		MessageTemplate struct{ MessageTemplateID string } `json:"messageTemplate"`
	}
	h.wisdom("/knowledgeBases/"+kbID+"/messageTemplates", map[string]any{
		"name": "Confirmation", "channelSubtype": "EMAIL", "language": "fr_FR",
		"content": map[string]any{"email": map[string]any{
			"subject": "Votre commande",
			"body":    map[string]any{"plainText": map[string]any{"content": "Bonjour, voici nos conditions."}},
		}},
	}, &tpl)
	tplID := tpl.MessageTemplate.MessageTemplateID
	var att struct{}
	h.wisdom("/knowledgeBases/"+kbID+"/messageTemplates/"+tplID+"/attachments", map[string]any{
		"contentDisposition": "ATTACHMENT", "name": name, "body": base64.StdEncoding.EncodeToString([]byte(text)),
	}, &att)

	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	in := sendInput(inst, cid)
	in.AdditionalRecipients = nil
	in.EmailMessage = &types.OutboundEmailContent{
		MessageSourceType: types.OutboundMessageSourceTypeTemplate,
		TemplatedMessageConfig: &types.TemplatedMessageConfig{
			KnowledgeBaseId: aws.String(kbID), MessageTemplateId: aws.String(tplID), TemplateAttributes: &types.TemplateAttributes{},
		},
	}
	if _, err := h.client.StartOutboundEmailContact(ctx, in); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	py := pyemail.Parse(t, h.sink.Messages()[0].Data)
	if len(py.Defects) != 0 {
		t.Errorf("Python found defects: %v", py.Defects)
	}
	p := py.Attachment(name)
	if p == nil {
		t.Fatalf("no attachment named %q among %+v", name, py.Parts)
	}
	if p.ContentType != "text/plain" || p.Charset != "utf-8" || p.Text != text || p.Disposition != "attachment" {
		t.Errorf("attachment: %s charset %q (%s), text %q (%s); want text/plain charset utf-8, text %q",
			p.ContentType, p.Charset, p.Disposition, p.Text, p.TextError, text)
	}
	if got := py.Header("Subject"); got != "Votre commande" {
		t.Errorf("Subject %q", got)
	}
}
