package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Names of the resources bench creates. The knowledge base and the template
// are looked up by name first, so repeated runs against one server reuse
// them (a region holds at most 10 knowledge bases).
const (
	kbName       = "connectmail-bench"
	templateName = "connectmail-bench-order-shipped"
	customerTo   = "customer@example.org"
	benchSubject = "Your order 4711 has shipped"
)

// benchHTML is the RAW body (and the Mailpit body): a small, ordinary
// transactional email.
const benchHTML = `<html><body><p>Hello Ana,</p><p>good news: your order <b>4711</b> left our warehouse today ` +
	`and should arrive within two to three working days.</p><table><tr><td>1 × Espresso grinder</td><td>€ 149.00</td></tr>` +
	`<tr><td>Shipping</td><td>€ 0.00</td></tr></table><p>Track it at <a href="https://shop.example.com/track/4711">` +
	`shop.example.com/track/4711</a>.</p><p>Thank you for shopping with us.</p><p>— The Example Shop team</p></body></html>`

// ErrTemplatesUnavailable is returned for --template when the server does not
// serve the Q in Connect (wisdom) API.
var ErrTemplatesUnavailable = errors.New("the server does not serve Q in Connect message templates (the wisdom API), so --template cannot run")

// fixture is what setup created: the instance, its sender address and the
// pre-built request bodies.
type fixture struct {
	instanceID string
	from       string
	kbID       string
	templateID string
	createBody []byte
	createHash string
	// sendPrefix + contact id + sendSuffix is a StartOutboundEmailContact body.
	sendPrefix, sendSuffix []byte
}

func setup(ctx context.Context, c *apiClient, withTemplate bool) (*fixture, error) {
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	inst, err := c.mustCall(ctx, "CreateInstance", http.MethodPut, "/instance", "connect", mustJSON(map[string]any{
		"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "bench-" + suffix,
		"InboundCallsEnabled": true, "OutboundCallsEnabled": true,
	}))
	if err != nil {
		return nil, err
	}
	var io struct{ Id string }
	if err := json.Unmarshal(inst, &io); err != nil || io.Id == "" {
		return nil, fmt.Errorf("CreateInstance: unexpected response %q", inst)
	}
	f := &fixture{instanceID: io.Id, from: "bench-" + suffix + "@example.com"}
	if _, err := c.mustCall(ctx, "CreateEmailAddress", http.MethodPut, "/email-addresses/"+io.Id, "connect", mustJSON(map[string]any{
		"EmailAddress": f.from, "DisplayName": "connectmail bench",
	})); err != nil {
		return nil, err
	}
	if withTemplate {
		if err := f.setupTemplate(ctx, c); err != nil {
			return nil, err
		}
	}
	f.createBody = mustJSON(map[string]any{
		"InstanceId": io.Id, "Channel": "EMAIL", "InitiationMethod": "OUTBOUND",
		"UserInfo": map[string]string{"UserId": "bench-agent"},
	})
	f.createHash = hashOf(f.createBody)
	var msg any
	if withTemplate {
		msg = map[string]any{"MessageSourceType": "TEMPLATE", "TemplatedMessageConfig": map[string]any{
			"KnowledgeBaseId": f.kbID, "MessageTemplateId": f.templateID + ":$ACTIVE_VERSION",
			"TemplateAttributes": map[string]any{
				"CustomAttributes":          map[string]string{"orderId": "4711", "trackingUrl": "https://shop.example.com/track/4711"},
				"CustomerProfileAttributes": `{"firstName":"Ana","lastName":"Cliente"}`,
			},
		}}
	} else {
		msg = map[string]any{"MessageSourceType": "RAW", "RawMessage": map[string]string{
			"Subject": benchSubject, "Body": benchHTML, "ContentType": "text/html",
		}}
	}
	const placeholder = "BENCHCONTACTIDPLACEHOLDER"
	body := mustJSON(map[string]any{
		"InstanceId": io.Id, "ContactId": placeholder,
		"FromEmailAddress":        map[string]string{"EmailAddress": f.from, "DisplayName": "Example Shop"},
		"DestinationEmailAddress": map[string]string{"EmailAddress": customerTo, "DisplayName": "Ana Cliente"},
		"EmailMessage":            msg,
	})
	pre, post, ok := bytes.Cut(body, []byte(placeholder))
	if !ok {
		return nil, errors.New("building the send body: placeholder lost")
	}
	f.sendPrefix, f.sendSuffix = pre, post
	return f, nil
}

// setupTemplate finds or creates the bench knowledge base and an EMAIL
// template with an active version.
func (f *fixture) setupTemplate(ctx context.Context, c *apiClient) error {
	list, err := c.mustCall(ctx, "ListKnowledgeBases", http.MethodGet, "/knowledgeBases?maxResults=100", "wisdom", nil)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusBadRequest && strings.Contains(ae.Type, "Unknown")) {
			return fmt.Errorf("%w (%v)", ErrTemplatesUnavailable, err)
		}
		return err
	}
	var kbs struct {
		KnowledgeBaseSummaries []struct{ KnowledgeBaseID, Name, KnowledgeBaseType string } `json:"knowledgeBaseSummaries"`
	}
	if err := json.Unmarshal(list, &kbs); err != nil {
		return fmt.Errorf("ListKnowledgeBases: %w", err)
	}
	for _, kb := range kbs.KnowledgeBaseSummaries {
		if kb.Name == kbName && kb.KnowledgeBaseType == "MESSAGE_TEMPLATES" {
			f.kbID = kb.KnowledgeBaseID
		}
	}
	if f.kbID == "" {
		out, err := c.mustCall(ctx, "CreateKnowledgeBase", http.MethodPost, "/knowledgeBases", "wisdom", mustJSON(map[string]any{
			"name": kbName, "knowledgeBaseType": "MESSAGE_TEMPLATES", "description": "created by connectmail bench",
		}))
		if err != nil {
			return err
		}
		var kb struct {
			KnowledgeBase struct{ KnowledgeBaseID string } `json:"knowledgeBase"`
		}
		if err := json.Unmarshal(out, &kb); err != nil || kb.KnowledgeBase.KnowledgeBaseID == "" {
			return fmt.Errorf("CreateKnowledgeBase: unexpected response %q", out)
		}
		f.kbID = kb.KnowledgeBase.KnowledgeBaseID
	}
	base := "/knowledgeBases/" + f.kbID + "/messageTemplates"
	list, err = c.mustCall(ctx, "ListMessageTemplates", http.MethodGet, base+"?maxResults=100", "wisdom", nil)
	if err != nil {
		return err
	}
	var ts struct {
		MessageTemplateSummaries []struct {
			MessageTemplateID   string
			Name                string
			ActiveVersionNumber int64
		} `json:"messageTemplateSummaries"`
	}
	if err := json.Unmarshal(list, &ts); err != nil {
		return fmt.Errorf("ListMessageTemplates: %w", err)
	}
	for _, t := range ts.MessageTemplateSummaries {
		if t.Name == templateName {
			f.templateID = t.MessageTemplateID
			if t.ActiveVersionNumber > 0 {
				return nil
			}
		}
	}
	if f.templateID == "" {
		out, err := c.mustCall(ctx, "CreateMessageTemplate", http.MethodPost, base, "wisdom", mustJSON(map[string]any{
			"name": templateName, "channelSubtype": "EMAIL", "language": "en_US",
			"content": map[string]any{"email": map[string]any{
				"subject": "Your order {{Attributes.Custom.orderId}} has shipped",
				"body": map[string]any{
					"html": map[string]string{"content": "<p>Hello {{Attributes.Customer.FirstName}},</p><p>your order <b>{{Attributes.Custom.orderId}}</b> " +
						"left our warehouse today. Track it at <a href=\"{{Attributes.Custom.trackingUrl}}\">{{Attributes.Custom.trackingUrl}}</a>.</p>" +
						"<p>— The Example Shop team</p>"},
					"plainText": map[string]string{"content": "Hello {{Attributes.Customer.FirstName}},\n\nyour order {{Attributes.Custom.orderId}} " +
						"left our warehouse today. Track it at {{Attributes.Custom.trackingUrl}}.\n\n— The Example Shop team\n"},
				},
			}},
		}))
		if err != nil {
			return err
		}
		var mt struct {
			MessageTemplate struct{ MessageTemplateID string } `json:"messageTemplate"`
		}
		if err := json.Unmarshal(out, &mt); err != nil || mt.MessageTemplate.MessageTemplateID == "" {
			return fmt.Errorf("CreateMessageTemplate: unexpected response %q", out)
		}
		f.templateID = mt.MessageTemplate.MessageTemplateID
	}
	out, err := c.mustCall(ctx, "CreateMessageTemplateVersion", http.MethodPost, base+"/"+f.templateID+"/versions", "wisdom", []byte(`{}`))
	if err != nil {
		return err
	}
	var v struct {
		MessageTemplate struct{ VersionNumber int64 } `json:"messageTemplate"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.MessageTemplate.VersionNumber < 1 {
		return fmt.Errorf("CreateMessageTemplateVersion: unexpected response %q", out)
	}
	_, err = c.mustCall(ctx, "ActivateMessageTemplate", http.MethodPost, base+"/"+f.templateID+"/activate", "wisdom",
		mustJSON(map[string]int64{"versionNumber": v.MessageTemplate.VersionNumber}))
	return err
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with maps of strings, numbers and booleans
	}
	return b
}

// sendBody appends the StartOutboundEmailContact body for contact id to dst.
func (f *fixture) sendBody(dst []byte, id string) []byte {
	dst = append(dst[:0], f.sendPrefix...)
	dst = append(dst, id...)
	return append(dst, f.sendSuffix...)
}

// contactID extracts ContactId from a CreateContact response.
func contactID(b []byte) (string, bool) {
	const key = `"ContactId":"`
	if i := bytes.Index(b, []byte(key)); i >= 0 {
		rest := b[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j > 0 && safeID(rest[:j]) {
			return string(rest[:j]), true
		}
	}
	var out struct{ ContactId string }
	if err := json.Unmarshal(b, &out); err != nil || out.ContactId == "" {
		return "", false
	}
	if !safeID([]byte(out.ContactId)) {
		return "", false
	}
	return out.ContactId, true
}

// safeID reports whether an id can be pasted into JSON and a URL path as is.
func safeID(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return len(b) > 0
}
