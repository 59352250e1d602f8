package awsapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/compose"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/template"
)

// TemplateAttachmentPath is the path under which message template
// attachments are served by id (TemplateAttachmentHandler): the URLs that
// qconnect responses give in MessageTemplateAttachment.url.
const TemplateAttachmentPath = "/api/v1/template-attachments/"

// QConnectService returns the Amazon Q in Connect (signing name wisdom)
// message template API bound to svc. baseURL returns the http(s) URL of the
// server that attachment URLs start with ("http://127.0.0.1:4580" when nil).
func QConnectService(svc *template.Service, baseURL func() string) *Service {
	if baseURL == nil {
		baseURL = func() string { return "http://127.0.0.1:4580" }
	}
	w := &qconnectWire{baseURL: baseURL}
	kb := func(c *Call) string { return c.Labels["knowledgeBaseId"] }
	mt := func(c *Call) string { return c.Labels["messageTemplateId"] }
	m := apimodel.QConnect()
	h := map[string]Handler{
		"CreateKnowledgeBase": handle(m, "CreateKnowledgeBase", func(ctx context.Context, _ *Call, in *createKnowledgeBaseInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			ck := &template.CreateKnowledgeBaseInput{
				ClientToken: tok, Name: in.Name, KnowledgeBaseType: in.KnowledgeBaseType,
				HasSourceConfiguration: given(in.SourceConfiguration), HasRenderingConfiguration: given(in.RenderingConfiguration),
				HasVectorIngestionConfiguration: given(in.VectorIngestionConfiguration),
				Description:                     in.Description, Tags: in.Tags,
			}
			if in.ServerSideEncryptionConfiguration != nil {
				ck.KMSKeyID = in.ServerSideEncryptionConfiguration.KMSKeyID
			}
			return knowledgeBaseOutputOf(svc.CreateKnowledgeBase(ctx, ck))
		}),
		"GetKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return knowledgeBaseOutputOf(svc.GetKnowledgeBase(ctx, kb(c)))
		},
		"ListKnowledgeBases": func(ctx context.Context, c *Call) (any, error) {
			p, err := svc.ListKnowledgeBases(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
			if err != nil {
				return nil, err
			}
			out := &listKnowledgeBasesOutput{KnowledgeBaseSummaries: []knowledgeBaseData{}, NextToken: p.NextToken}
			for i := range p.KnowledgeBaseSummaries {
				out.KnowledgeBaseSummaries = append(out.KnowledgeBaseSummaries, *knowledgeBaseDataOf(&p.KnowledgeBaseSummaries[i]))
			}
			return out, nil
		},
		"DeleteKnowledgeBase": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.DeleteKnowledgeBase(ctx, kb(c)))
		},
		"CreateMessageTemplate": handle(m, "CreateMessageTemplate", func(ctx context.Context, c *Call, in *createMessageTemplateInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			return w.templateOutput(svc.CreateMessageTemplate(ctx, &template.CreateMessageTemplateInput{
				KnowledgeBaseID: kb(c), Name: in.Name, Content: contentIn(in.Content), Description: in.Description,
				ChannelSubtype: in.ChannelSubtype, Language: in.Language, HasSourceConfiguration: given(in.SourceConfiguration),
				DefaultAttributes: in.DefaultAttributes, GroupingConfiguration: groupingIn(in.GroupingConfiguration),
				ClientToken: tok, Tags: in.Tags,
			}))
		}),
		"GetMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return w.templateOutput(svc.GetMessageTemplate(ctx, kb(c), mt(c)))
		},
		"UpdateMessageTemplate": handle(m, "UpdateMessageTemplate", func(ctx context.Context, c *Call, in *updateMessageTemplateInput) (any, error) {
			return w.templateOutput(svc.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{
				KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), Content: contentIn(in.Content), Language: in.Language,
				HasSourceConfiguration: given(in.SourceConfiguration), DefaultAttributes: in.DefaultAttributes,
			}))
		}),
		"UpdateMessageTemplateMetadata": handle(m, "UpdateMessageTemplateMetadata", func(ctx context.Context, c *Call, in *updateMessageTemplateMetadataInput) (any, error) {
			return w.templateOutput(svc.UpdateMessageTemplateMetadata(ctx, &template.UpdateMessageTemplateMetadataInput{
				KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), Name: in.Name, Description: in.Description,
				GroupingConfiguration: groupingIn(in.GroupingConfiguration),
			}))
		}),
		"CreateMessageTemplateVersion": handle(m, "CreateMessageTemplateVersion", func(ctx context.Context, c *Call, in *createMessageTemplateVersionInput) (any, error) {
			return w.templateOutput(svc.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{
				KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), MessageTemplateContentSha256: in.MessageTemplateContentSha256,
			}))
		}),
		"ActivateMessageTemplate": handle(m, "ActivateMessageTemplate", func(ctx context.Context, c *Call, in *versionInput) (any, error) {
			return versionOutputOf(svc.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), VersionNumber: in.VersionNumber}))
		}),
		"DeactivateMessageTemplate": handle(m, "DeactivateMessageTemplate", func(ctx context.Context, c *Call, in *versionInput) (any, error) {
			return versionOutputOf(svc.DeactivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), VersionNumber: in.VersionNumber}))
		}),
		"ListMessageTemplates": func(ctx context.Context, c *Call) (any, error) {
			p, err := svc.ListMessageTemplates(ctx, kb(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
			if err != nil {
				return nil, err
			}
			out := &listMessageTemplatesOutput{MessageTemplateSummaries: []messageTemplateSummary{}, NextToken: p.NextToken}
			for _, t := range p.MessageTemplateSummaries {
				out.MessageTemplateSummaries = append(out.MessageTemplateSummaries, messageTemplateSummary{
					MessageTemplateARN: t.MessageTemplateARN, MessageTemplateID: t.MessageTemplateID,
					KnowledgeBaseARN: t.KnowledgeBaseARN, KnowledgeBaseID: t.KnowledgeBaseID, Name: t.Name,
					Channel: t.Channel, ChannelSubtype: t.ChannelSubtype,
					CreatedTime: isoTime(t.CreatedTime), LastModifiedTime: isoTime(t.LastModifiedTime), LastModifiedBy: t.LastModifiedBy,
					ActiveVersionNumber: t.ActiveVersionNumber, Description: t.Description, Tags: t.Tags,
				})
			}
			return out, nil
		},
		"ListMessageTemplateVersions": func(ctx context.Context, c *Call) (any, error) {
			p, err := svc.ListMessageTemplateVersions(ctx, kb(c), mt(c), first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
			if err != nil {
				return nil, err
			}
			out := &listMessageTemplateVersionsOutput{MessageTemplateVersionSummaries: []messageTemplateVersionSummary{}, NextToken: p.NextToken}
			for _, v := range p.MessageTemplateVersionSummaries {
				out.MessageTemplateVersionSummaries = append(out.MessageTemplateVersionSummaries, messageTemplateVersionSummary(v))
			}
			return out, nil
		},
		"SearchMessageTemplates": handle(m, "SearchMessageTemplates", func(ctx context.Context, c *Call, in *searchMessageTemplatesInput) (any, error) {
			ex := template.SearchExpression{}
			for _, q := range in.SearchExpression.Queries {
				ex.Queries = append(ex.Queries, template.SearchQuery(q))
			}
			for _, f := range in.SearchExpression.Filters {
				ex.Filters = append(ex.Filters, template.SearchFilter(f))
			}
			if o := in.SearchExpression.OrderOnField; o != nil {
				ex.OrderOnField = &template.SearchOrder{Name: o.Name, Order: o.Order}
			}
			p, err := svc.SearchMessageTemplates(ctx, &template.SearchMessageTemplatesInput{KnowledgeBaseID: kb(c), SearchExpression: ex,
				NextToken: first(c.Query, "nextToken"), MaxResults: atoi(first(c.Query, "maxResults"))})
			if err != nil {
				return nil, err
			}
			out := &searchMessageTemplatesOutput{Results: []messageTemplateData{}, NextToken: p.NextToken}
			for i := range p.Results {
				out.Results = append(out.Results, *w.templateData(&p.Results[i]))
			}
			return out, nil
		}),
		"DeleteMessageTemplate": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.DeleteMessageTemplate(ctx, kb(c), mt(c)))
		},
		"RenderMessageTemplate": handle(m, "RenderMessageTemplate", func(ctx context.Context, c *Call, in *renderMessageTemplateInput) (any, error) {
			r, err := svc.RenderMessageTemplate(ctx, &template.RenderMessageTemplateInput{KnowledgeBaseID: kb(c), MessageTemplateID: mt(c), Attributes: in.Attributes})
			if err != nil {
				return nil, err
			}
			out := &renderMessageTemplateOutput{Content: contentOut(r.Content), AttributesNotInterpolated: r.AttributesNotInterpolated}
			for _, a := range r.Attachments {
				out.Attachments = append(out.Attachments, w.attachment(a))
			}
			return out, nil
		}),
		"CreateMessageTemplateAttachment": handle(m, "CreateMessageTemplateAttachment", func(ctx context.Context, c *Call, in *createAttachmentInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			r, err := svc.CreateMessageTemplateAttachment(ctx, &template.CreateAttachmentInput{KnowledgeBaseID: kb(c), MessageTemplateID: mt(c),
				ContentDisposition: in.ContentDisposition, Name: in.Name, Body: in.Body, ClientToken: tok})
			if err != nil {
				return nil, err
			}
			a := w.attachment(*r.Attachment)
			return &createAttachmentOutput{Attachment: &a}, nil
		}),
		"DeleteMessageTemplateAttachment": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.DeleteMessageTemplateAttachment(ctx, kb(c), mt(c), c.Labels["attachmentId"]))
		},
		"TagResource": handle(m, "TagResource", func(ctx context.Context, c *Call, in *struct {
			Tags map[string]string `json:"tags"`
		}) (any, error) {
			return none(svc.TagResource(ctx, c.Labels["resourceArn"], in.Tags))
		}),
		"UntagResource": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.UntagResource(ctx, c.Labels["resourceArn"], c.Query["tagKeys"]))
		},
		"ListTagsForResource": func(ctx context.Context, c *Call) (any, error) {
			tags, err := svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
			if err != nil {
				return nil, err
			}
			return &tagsOutput{Tags: tags}, nil
		},
	}
	return &Service{Model: m, Handlers: h, LowerMessage: true}
}

// TemplateAttachmentHandler serves the files of message template
// attachments at TemplateAttachmentPath + <attachment-id>: the URL that
// qconnect responses give in MessageTemplateAttachment.url, refused (403)
// after its urlExpiry or when its signature does not match.
func TemplateAttachmentHandler(svc *template.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, TemplateAttachmentPath)
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
