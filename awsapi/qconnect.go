package awsapi

import (
	"context"
	"errors"
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
	m := apimodel.QConnect()
	h := map[string]Handler{
		"CreateKnowledgeBase": handle(m, "CreateKnowledgeBase", func(ctx context.Context, c *Call, in *template.CreateKnowledgeBaseInput) (any, error) {
			return svc.CreateKnowledgeBase(ctx, in)
		}),
		"GetKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return svc.GetKnowledgeBase(ctx, kb(c))
		},
		"ListKnowledgeBases": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListKnowledgeBases(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"DeleteKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteKnowledgeBase(ctx, kb(c))
		},
		"CreateMessageTemplate": handle(m, "CreateMessageTemplate", func(ctx context.Context, c *Call, in *template.CreateMessageTemplateInput) (any, error) {
			in.KnowledgeBaseID = kb(c)
			return svc.CreateMessageTemplate(ctx, in)
		}),
		"GetMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return svc.GetMessageTemplate(ctx, kb(c), mt(c))
		},
		"UpdateMessageTemplate": handle(m, "UpdateMessageTemplate", func(ctx context.Context, c *Call, in *template.UpdateMessageTemplateInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.UpdateMessageTemplate(ctx, in)
		}),
		"UpdateMessageTemplateMetadata": handle(m, "UpdateMessageTemplateMetadata", func(ctx context.Context, c *Call, in *template.UpdateMessageTemplateMetadataInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.UpdateMessageTemplateMetadata(ctx, in)
		}),
		"CreateMessageTemplateVersion": handle(m, "CreateMessageTemplateVersion", func(ctx context.Context, c *Call, in *template.CreateMessageTemplateVersionInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.CreateMessageTemplateVersion(ctx, in)
		}),
		"ActivateMessageTemplate": handle(m, "ActivateMessageTemplate", func(ctx context.Context, c *Call, in *template.VersionInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.ActivateMessageTemplate(ctx, in)
		}),
		"DeactivateMessageTemplate": handle(m, "DeactivateMessageTemplate", func(ctx context.Context, c *Call, in *template.VersionInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.DeactivateMessageTemplate(ctx, in)
		}),
		"ListMessageTemplates": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListMessageTemplates(ctx, kb(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"ListMessageTemplateVersions": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListMessageTemplateVersions(ctx, kb(c), mt(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"SearchMessageTemplates": handle(m, "SearchMessageTemplates", func(ctx context.Context, c *Call, in *template.SearchMessageTemplatesInput) (any, error) {
			in.KnowledgeBaseID = kb(c)
			in.NextToken, in.MaxResults = first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults"))
			return svc.SearchMessageTemplates(ctx, in)
		}),
		"DeleteMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteMessageTemplate(ctx, kb(c), mt(c))
		},
		"RenderMessageTemplate": handle(m, "RenderMessageTemplate", func(ctx context.Context, c *Call, in *template.RenderMessageTemplateInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.RenderMessageTemplate(ctx, in)
		}),
		"CreateMessageTemplateAttachment": handle(m, "CreateMessageTemplateAttachment", func(ctx context.Context, c *Call, in *template.CreateAttachmentInput) (any, error) {
			in.KnowledgeBaseID, in.MessageTemplateID = kb(c), mt(c)
			return svc.CreateMessageTemplateAttachment(ctx, in)
		}),
		"DeleteMessageTemplateAttachment": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteMessageTemplateAttachment(ctx, kb(c), mt(c), c.Labels["attachmentId"])
		},
		"TagResource": handle(m, "TagResource", func(ctx context.Context, c *Call, in *struct {
			Tags map[string]string `json:"tags"`
		}) (any, error) {
			return nil, svc.TagResource(ctx, c.Labels["resourceArn"], in.Tags)
		}),
		"UntagResource": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.UntagResource(ctx, c.Labels["resourceArn"], c.Query["tagKeys"])
		},
		"ListTagsForResource": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
		},
	}
	return &Service{Model: m, Handlers: h, LowerMessage: true}
}

// TemplateAttachmentHandler serves the files of message template
// attachments at template.AttachmentPath + <attachment-id>: the URL that
// qconnect responses give in MessageTemplateAttachment.url.
func TemplateAttachmentHandler(svc *template.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, template.AttachmentPath)
		name, ct, data, err := svc.AttachmentFile(r.Context(), id)
		if err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) && fe.Kind == fault.NotFound {
				http.Error(w, "attachment not found", http.StatusNotFound)
				return
			}
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
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
