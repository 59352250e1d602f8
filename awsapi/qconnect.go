package awsapi

import (
	"context"
	"errors"
	"github.com/connectmail/connectmail/compose"
	"net/http"
	"strconv"
	"strings"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/template"
)

// QConnectService returns the Amazon Q in Connect (signing name wisdom)
// message template API bound to svc.
func QConnectService(svc *template.Service) *Service {
	kb := func(c *Call) string { return c.Labels["knowledgeBaseId"] }
	mt := func(c *Call) string { return c.Labels["messageTemplateId"] }
	h := map[string]Handler{
		"CreateKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			var in template.CreateKnowledgeBaseInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return svc.CreateKnowledgeBase(ctx, &in)
		},
		"GetKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return svc.GetKnowledgeBase(ctx, kb(c))
		},
		"ListKnowledgeBases": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListKnowledgeBases(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"DeleteKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteKnowledgeBase(ctx, kb(c))
		},
		"CreateMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			var in template.CreateMessageTemplateInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID = kb(c)
			return svc.CreateMessageTemplate(ctx, &in)
		},
		"GetMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return svc.GetMessageTemplate(ctx, kb(c), mt(c))
		},
		"UpdateMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			var in template.UpdateMessageTemplateInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.UpdateMessageTemplate(ctx, &in)
		},
		"UpdateMessageTemplateMetadata": func(ctx context.Context, c *Call) (any, error) {
			var in template.UpdateMessageTemplateMetadataInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.UpdateMessageTemplateMetadata(ctx, &in)
		},
		"CreateMessageTemplateVersion": func(ctx context.Context, c *Call) (any, error) {
			var in template.CreateMessageTemplateVersionInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.CreateMessageTemplateVersion(ctx, &in)
		},
		"ActivateMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			var in template.VersionInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.ActivateMessageTemplate(ctx, &in)
		},
		"DeactivateMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			var in template.VersionInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.DeactivateMessageTemplate(ctx, &in)
		},
		"ListMessageTemplates": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListMessageTemplates(ctx, kb(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"ListMessageTemplateVersions": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListMessageTemplateVersions(ctx, kb(c), mt(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"SearchMessageTemplates": func(ctx context.Context, c *Call) (any, error) {
			var in template.SearchMessageTemplatesInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID = kb(c)
			in.NextToken, in.MaxResults = first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults"))
			return svc.SearchMessageTemplates(ctx, &in)
		},
		"DeleteMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteMessageTemplate(ctx, kb(c), mt(c))
		},
		"RenderMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			var in template.RenderMessageTemplateInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.RenderMessageTemplate(ctx, &in)
		},
		"CreateMessageTemplateAttachment": func(ctx context.Context, c *Call) (any, error) {
			var in template.CreateAttachmentInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.CreateMessageTemplateAttachment(ctx, &in)
		},
		"DeleteMessageTemplateAttachment": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteMessageTemplateAttachment(ctx, kb(c), mt(c), c.Labels["attachmentId"])
		},
		"TagResource": func(ctx context.Context, c *Call) (any, error) {
			var in struct {
				Tags map[string]string `json:"tags"`
			}
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return nil, svc.TagResource(ctx, c.Labels["resourceArn"], in.Tags)
		},
		"UntagResource": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.UntagResource(ctx, c.Labels["resourceArn"], c.Query["tagKeys"])
		},
		"ListTagsForResource": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
		},
	}
	return &Service{Model: apimodel.QConnect(), Handlers: h, LowerMessage: true}
}

// TemplateAttachmentHandler serves the files of message template
// attachments at template.AttachmentPath + <attachment-id>: the URL that
// qconnect responses give in MessageTemplateAttachment.url, refused (403)
// after its urlExpiry or when its signature does not match.
func TemplateAttachmentHandler(svc *template.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, template.AttachmentPath)
		name, ct, data, err := svc.AttachmentFile(r.Context(), id, r.URL.Query())
		if err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) && fe.Kind == fault.NotFound {
				http.Error(w, "attachment not found", http.StatusNotFound)
				return
			}
			if errors.As(err, &fe) && fe.Kind == fault.AccessDenied {
				http.Error(w, fe.Message, http.StatusForbidden)
				return
			}
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		// Text downloads carry their charset, as the sent attachment does.
		if full, err := compose.AttachmentContentType(ct, data); err == nil {
			ct = full
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Header().Set("Content-Disposition", `attachment; filename*=UTF-8''`+pathEscapeAll(name))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(data)
	})
}

// pathEscapeAll percent-encodes everything but RFC 5987 attr-chars.
func pathEscapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.Write([]byte{'%', hex[c>>4], hex[c&15]})
	}
	return b.String()
}
