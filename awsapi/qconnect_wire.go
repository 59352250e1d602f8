package awsapi

import (
	"encoding/json"
	"strings"

	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/template"
)

// The Q in Connect (qconnect) request and response shapes, with the wire's
// camelCase member names and timestamp forms; see connect_wire.go.
// Members bound to the URI are tagged json:"-" and set from the call.

// sseConfig is the ServerSideEncryptionConfiguration shape.
type sseConfig struct {
	KMSKeyID string `json:"kmsKeyId,omitempty"`
}

// createKnowledgeBaseInput is the CreateKnowledgeBase request.
type createKnowledgeBaseInput struct {
	ClientToken                       string            `json:"clientToken,omitempty"`
	Name                              string            `json:"name"`
	KnowledgeBaseType                 string            `json:"knowledgeBaseType"`
	SourceConfiguration               json.RawMessage   `json:"sourceConfiguration,omitempty"`
	RenderingConfiguration            json.RawMessage   `json:"renderingConfiguration,omitempty"`
	VectorIngestionConfiguration      json.RawMessage   `json:"vectorIngestionConfiguration,omitempty"`
	ServerSideEncryptionConfiguration *sseConfig        `json:"serverSideEncryptionConfiguration,omitempty"`
	Description                       string            `json:"description,omitempty"`
	Tags                              map[string]string `json:"tags,omitempty"`
}

// knowledgeBaseData is the knowledgeBaseData and KnowledgeBaseSummary shape.
type knowledgeBaseData struct {
	KnowledgeBaseID   string `json:"knowledgeBaseId"`
	KnowledgeBaseARN  string `json:"knowledgeBaseArn"`
	Name              string `json:"name"`
	KnowledgeBaseType string `json:"knowledgeBaseType"`
	Status            string `json:"status"`
	// LastContentModificationTime is epoch seconds (only in knowledgeBaseData).
	LastContentModificationTime       float64           `json:"lastContentModificationTime,omitempty"`
	ServerSideEncryptionConfiguration *sseConfig        `json:"serverSideEncryptionConfiguration,omitempty"`
	Description                       string            `json:"description,omitempty"`
	Tags                              map[string]string `json:"tags,omitempty"`
}

// knowledgeBaseOutput is the CreateKnowledgeBase and GetKnowledgeBase response.
type knowledgeBaseOutput struct {
	KnowledgeBase *knowledgeBaseData `json:"knowledgeBase"`
}

// listKnowledgeBasesOutput is the ListKnowledgeBases response.
type listKnowledgeBasesOutput struct {
	KnowledgeBaseSummaries []knowledgeBaseData `json:"knowledgeBaseSummaries"`
	NextToken              string              `json:"nextToken,omitempty"`
}

// createMessageTemplateInput is the CreateMessageTemplate request.
type createMessageTemplateInput struct {
	KnowledgeBaseID       string             `json:"-"`
	Name                  string             `json:"name,omitempty"`
	Content               *contentData       `json:"content,omitempty"`
	Description           string             `json:"description,omitempty"`
	ChannelSubtype        string             `json:"channelSubtype"`
	Language              string             `json:"language,omitempty"`
	SourceConfiguration   json.RawMessage    `json:"sourceConfiguration,omitempty"`
	DefaultAttributes     *render.Attributes `json:"defaultAttributes,omitempty"`
	GroupingConfiguration *grouping          `json:"groupingConfiguration,omitempty"`
	ClientToken           string             `json:"clientToken,omitempty"`
	Tags                  map[string]string  `json:"tags,omitempty"`
}

// updateMessageTemplateInput is the UpdateMessageTemplate request; absent
// members are left unchanged.
type updateMessageTemplateInput struct {
	KnowledgeBaseID     string             `json:"-"`
	MessageTemplateID   string             `json:"-"`
	Content             *contentData       `json:"content,omitempty"`
	Language            *string            `json:"language,omitempty"`
	SourceConfiguration json.RawMessage    `json:"sourceConfiguration,omitempty"`
	DefaultAttributes   *render.Attributes `json:"defaultAttributes,omitempty"`
}

// updateMessageTemplateMetadataInput is the UpdateMessageTemplateMetadata
// request; absent members are left unchanged.
type updateMessageTemplateMetadataInput struct {
	KnowledgeBaseID       string    `json:"-"`
	MessageTemplateID     string    `json:"-"`
	Name                  *string   `json:"name,omitempty"`
	Description           *string   `json:"description,omitempty"`
	GroupingConfiguration *grouping `json:"groupingConfiguration,omitempty"`
}

// createMessageTemplateVersionInput is the CreateMessageTemplateVersion request.
type createMessageTemplateVersionInput struct {
	KnowledgeBaseID              string `json:"-"`
	MessageTemplateID            string `json:"-"`
	MessageTemplateContentSha256 string `json:"messageTemplateContentSha256,omitempty"`
}

// versionInput is the ActivateMessageTemplate and DeactivateMessageTemplate request.
type versionInput struct {
	KnowledgeBaseID   string `json:"-"`
	MessageTemplateID string `json:"-"`
	VersionNumber     int64  `json:"versionNumber"`
}

// versionOutput is the ActivateMessageTemplate and DeactivateMessageTemplate response.
type versionOutput struct {
	MessageTemplateARN string `json:"messageTemplateArn"`
	MessageTemplateID  string `json:"messageTemplateId"`
	VersionNumber      int64  `json:"versionNumber"`
}

// attachmentData is the MessageTemplateAttachment shape.
type attachmentData struct {
	ContentDisposition string `json:"contentDisposition"`
	Name               string `json:"name"`
	UploadedTime       string `json:"uploadedTime"`
	URL                string `json:"url"`
	URLExpiry          string `json:"urlExpiry"`
	AttachmentID       string `json:"attachmentId"`
}

// messageTemplateData is the messageTemplateData, ExtendedMessageTemplateData
// and MessageTemplateSearchResultData shape (the extended members are
// omitted where they do not apply).
type messageTemplateData struct {
	MessageTemplateARN           string             `json:"messageTemplateArn"`
	MessageTemplateID            string             `json:"messageTemplateId"`
	KnowledgeBaseARN             string             `json:"knowledgeBaseArn"`
	KnowledgeBaseID              string             `json:"knowledgeBaseId"`
	Name                         string             `json:"name"`
	Channel                      string             `json:"channel,omitempty"`
	ChannelSubtype               string             `json:"channelSubtype"`
	CreatedTime                  string             `json:"createdTime"`
	LastModifiedTime             string             `json:"lastModifiedTime"`
	LastModifiedBy               string             `json:"lastModifiedBy"`
	Content                      *contentData       `json:"content,omitempty"`
	Description                  string             `json:"description,omitempty"`
	Language                     string             `json:"language,omitempty"`
	GroupingConfiguration        *grouping          `json:"groupingConfiguration,omitempty"`
	DefaultAttributes            *render.Attributes `json:"defaultAttributes,omitempty"`
	AttributeTypes               []string           `json:"attributeTypes,omitempty"`
	Attachments                  []attachmentData   `json:"attachments,omitempty"`
	IsActive                     *bool              `json:"isActive,omitempty"`
	VersionNumber                int64              `json:"versionNumber,omitempty"`
	MessageTemplateContentSha256 string             `json:"messageTemplateContentSha256,omitempty"`
	Tags                         map[string]string  `json:"tags,omitempty"`
}

// messageTemplateOutput is the response of the operations returning one template.
type messageTemplateOutput struct {
	MessageTemplate *messageTemplateData `json:"messageTemplate"`
}

// messageTemplateSummary is the messageTemplateSummary shape.
type messageTemplateSummary struct {
	MessageTemplateARN  string            `json:"messageTemplateArn"`
	MessageTemplateID   string            `json:"messageTemplateId"`
	KnowledgeBaseARN    string            `json:"knowledgeBaseArn"`
	KnowledgeBaseID     string            `json:"knowledgeBaseId"`
	Name                string            `json:"name"`
	Channel             string            `json:"channel,omitempty"`
	ChannelSubtype      string            `json:"channelSubtype"`
	CreatedTime         string            `json:"createdTime"`
	LastModifiedTime    string            `json:"lastModifiedTime"`
	LastModifiedBy      string            `json:"lastModifiedBy"`
	ActiveVersionNumber int64             `json:"activeVersionNumber,omitempty"`
	Description         string            `json:"description,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
}

// listMessageTemplatesOutput is the ListMessageTemplates response.
type listMessageTemplatesOutput struct {
	MessageTemplateSummaries []messageTemplateSummary `json:"messageTemplateSummaries"`
	NextToken                string                   `json:"nextToken,omitempty"`
}

// messageTemplateVersionSummary is the messageTemplateVersionSummary shape.
type messageTemplateVersionSummary struct {
	MessageTemplateARN string `json:"messageTemplateArn"`
	MessageTemplateID  string `json:"messageTemplateId"`
	KnowledgeBaseARN   string `json:"knowledgeBaseArn"`
	KnowledgeBaseID    string `json:"knowledgeBaseId"`
	Name               string `json:"name"`
	Channel            string `json:"channel,omitempty"`
	ChannelSubtype     string `json:"channelSubtype"`
	IsActive           bool   `json:"isActive"`
	VersionNumber      int64  `json:"versionNumber"`
}

// listMessageTemplateVersionsOutput is the ListMessageTemplateVersions response.
type listMessageTemplateVersionsOutput struct {
	MessageTemplateVersionSummaries []messageTemplateVersionSummary `json:"messageTemplateVersionSummaries"`
	NextToken                       string                          `json:"nextToken,omitempty"`
}

// searchExpression is the MessageTemplateSearchExpression shape.
type searchExpression struct {
	Queries      []searchQuery  `json:"queries,omitempty"`
	Filters      []searchFilter `json:"filters,omitempty"`
	OrderOnField *searchOrder   `json:"orderOnField,omitempty"`
}

// searchQuery is the MessageTemplateQueryField shape.
type searchQuery struct {
	Name           string   `json:"name"`
	Values         []string `json:"values"`
	Operator       string   `json:"operator"`
	AllowFuzziness bool     `json:"allowFuzziness,omitempty"`
	Priority       string   `json:"priority,omitempty"`
}

// searchFilter is the MessageTemplateFilterField shape.
type searchFilter struct {
	Name               string   `json:"name"`
	Values             []string `json:"values,omitempty"`
	Operator           string   `json:"operator"`
	IncludeNoExistence bool     `json:"includeNoExistence,omitempty"`
}

// searchOrder is the MessageTemplateOrderField shape.
type searchOrder struct {
	Name  string `json:"name"`
	Order string `json:"order,omitempty"`
}

// searchMessageTemplatesInput is the SearchMessageTemplates request.
type searchMessageTemplatesInput struct {
	KnowledgeBaseID  string           `json:"-"`
	SearchExpression searchExpression `json:"searchExpression"`
	NextToken        string           `json:"-"`
	MaxResults       int              `json:"-"`
}

// searchMessageTemplatesOutput is the SearchMessageTemplates response.
type searchMessageTemplatesOutput struct {
	Results   []messageTemplateData `json:"results"`
	NextToken string                `json:"nextToken,omitempty"`
}

// renderMessageTemplateInput is the RenderMessageTemplate request.
type renderMessageTemplateInput struct {
	KnowledgeBaseID   string            `json:"-"`
	MessageTemplateID string            `json:"-"`
	Attributes        render.Attributes `json:"attributes"`
}

// renderMessageTemplateOutput is the RenderMessageTemplate response.
type renderMessageTemplateOutput struct {
	Content                   *contentData     `json:"content,omitempty"`
	AttributesNotInterpolated []string         `json:"attributesNotInterpolated,omitempty"`
	Attachments               []attachmentData `json:"attachments,omitempty"`
}

// createAttachmentInput is the CreateMessageTemplateAttachment request.
type createAttachmentInput struct {
	KnowledgeBaseID    string `json:"-"`
	MessageTemplateID  string `json:"-"`
	ContentDisposition string `json:"contentDisposition"`
	Name               string `json:"name"`
	// Body is the file, base64-encoded.
	Body        string `json:"body"`
	ClientToken string `json:"clientToken,omitempty"`
}

// createAttachmentOutput is the CreateMessageTemplateAttachment response.
type createAttachmentOutput struct {
	Attachment *attachmentData `json:"attachment"`
}

// tagsOutput is the ListTagsForResource response.
type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// contentData is the qconnect MessageTemplateContentProvider union. WhatsApp and
// Push are kept only to refuse them clearly.
type contentData struct {
	Email    *emailContent `json:"email,omitempty"`
	SMS      *smsContent   `json:"sms,omitempty"`
	WhatsApp any           `json:"whatsApp,omitempty"`
	Push     any           `json:"push,omitempty"`
}

// emailContent is the EmailMessageTemplateContent shape.
type emailContent struct {
	Subject string           `json:"subject,omitempty"`
	Body    *emailBody       `json:"body,omitempty"`
	Headers []templateHeader `json:"headers,omitempty"`
}

// emailBody is the EmailMessageTemplateContentBody shape.
type emailBody struct {
	PlainText *bodyContent `json:"plainText,omitempty"`
	HTML      *bodyContent `json:"html,omitempty"`
}

// bodyContent is the MessageTemplateBodyContentProvider union.
type bodyContent struct {
	Content string `json:"content"`
}

// templateHeader is an email header of a template.
type templateHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// smsContent is the SMSMessageTemplateContent shape.
type smsContent struct {
	Body *smsBody `json:"body,omitempty"`
}

// smsBody is the SMSMessageTemplateContentBody shape.
type smsBody struct {
	PlainText *bodyContent `json:"plainText,omitempty"`
}

// grouping is the GroupingConfiguration shape.
type grouping struct {
	Criteria string   `json:"criteria,omitempty"`
	Values   []string `json:"values,omitempty"`
}

// qconnectWire maps the template service's results to the wire.
type qconnectWire struct {
	baseURL func() string
}

// given tells whether a request gave an optional document member.
func given(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

func knowledgeBaseDataOf(kb *template.KnowledgeBaseData) *knowledgeBaseData {
	d := &knowledgeBaseData{
		KnowledgeBaseID: kb.KnowledgeBaseID, KnowledgeBaseARN: kb.KnowledgeBaseARN, Name: kb.Name,
		KnowledgeBaseType: kb.KnowledgeBaseType, Status: kb.Status, Description: kb.Description, Tags: kb.Tags,
	}
	if !kb.LastContentModificationTime.IsZero() {
		d.LastContentModificationTime = epochSeconds(kb.LastContentModificationTime)
	}
	if kb.KMSKeyID != "" {
		d.ServerSideEncryptionConfiguration = &sseConfig{KMSKeyID: kb.KMSKeyID}
	}
	return d
}

func knowledgeBaseOutputOf(out *template.KnowledgeBaseOutput, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &knowledgeBaseOutput{KnowledgeBase: knowledgeBaseDataOf(out.KnowledgeBase)}, nil
}

func versionOutputOf(out *template.VersionOutput, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &versionOutput{MessageTemplateARN: out.MessageTemplateARN, MessageTemplateID: out.MessageTemplateID, VersionNumber: out.VersionNumber}, nil
}

// attachment is the MessageTemplateAttachment of an attachment, with the URL it is served at.
func (w *qconnectWire) attachment(a template.AttachmentData) attachmentData {
	return attachmentData{
		ContentDisposition: a.ContentDisposition, Name: a.Name, UploadedTime: isoTime(a.UploadedTime),
		URL:       strings.TrimRight(w.baseURL(), "/") + TemplateAttachmentPath + a.AttachmentID + "?" + a.URLQuery.Encode(),
		URLExpiry: isoTime(a.URLExpiry), AttachmentID: a.AttachmentID,
	}
}

func (w *qconnectWire) templateData(t *template.MessageTemplateData) *messageTemplateData {
	d := &messageTemplateData{
		MessageTemplateARN: t.MessageTemplateARN, MessageTemplateID: t.MessageTemplateID,
		KnowledgeBaseARN: t.KnowledgeBaseARN, KnowledgeBaseID: t.KnowledgeBaseID, Name: t.Name,
		Channel: t.Channel, ChannelSubtype: t.ChannelSubtype,
		CreatedTime: isoTime(t.CreatedTime), LastModifiedTime: isoTime(t.LastModifiedTime), LastModifiedBy: t.LastModifiedBy,
		Content: contentOut(t.Content), Description: t.Description, Language: t.Language,
		GroupingConfiguration: groupingOut(t.GroupingConfiguration), DefaultAttributes: t.DefaultAttributes,
		AttributeTypes: t.AttributeTypes, IsActive: t.IsActive, VersionNumber: t.VersionNumber,
		MessageTemplateContentSha256: t.MessageTemplateContentSha256, Tags: t.Tags,
	}
	for _, a := range t.Attachments {
		d.Attachments = append(d.Attachments, w.attachment(a))
	}
	return d
}

func (w *qconnectWire) templateOutput(out *template.MessageTemplateOutput, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &messageTemplateOutput{MessageTemplate: w.templateData(out.MessageTemplate)}, nil
}

func bodyIn(b *bodyContent) *template.BodyContent {
	if b == nil {
		return nil
	}
	return &template.BodyContent{Content: b.Content}
}

func bodyOut(b *template.BodyContent) *bodyContent {
	if b == nil {
		return nil
	}
	return &bodyContent{Content: b.Content}
}

// contentIn maps the content of a request; whatsApp and push content is
// only noted, to be refused.
func contentIn(c *contentData) *template.Content {
	if c == nil {
		return nil
	}
	out := &template.Content{WhatsApp: c.WhatsApp != nil, Push: c.Push != nil}
	if e := c.Email; e != nil {
		out.Email = &template.EmailContent{Subject: e.Subject}
		if e.Body != nil {
			out.Email.Body = &template.EmailBody{PlainText: bodyIn(e.Body.PlainText), HTML: bodyIn(e.Body.HTML)}
		}
		if e.Headers != nil {
			out.Email.Headers = make([]template.Header, len(e.Headers))
			for i, h := range e.Headers {
				out.Email.Headers[i] = template.Header(h)
			}
		}
	}
	if sm := c.SMS; sm != nil {
		out.SMS = &template.SMSContent{}
		if sm.Body != nil {
			out.SMS.Body = &template.SMSBody{PlainText: bodyIn(sm.Body.PlainText)}
		}
	}
	return out
}

func contentOut(c *template.Content) *contentData {
	if c == nil {
		return nil
	}
	out := &contentData{}
	if e := c.Email; e != nil {
		out.Email = &emailContent{Subject: e.Subject}
		if e.Body != nil {
			out.Email.Body = &emailBody{PlainText: bodyOut(e.Body.PlainText), HTML: bodyOut(e.Body.HTML)}
		}
		for _, h := range e.Headers {
			out.Email.Headers = append(out.Email.Headers, templateHeader(h))
		}
	}
	if sm := c.SMS; sm != nil {
		out.SMS = &smsContent{}
		if sm.Body != nil {
			out.SMS.Body = &smsBody{PlainText: bodyOut(sm.Body.PlainText)}
		}
	}
	return out
}

func groupingIn(g *grouping) *template.Grouping {
	if g == nil {
		return nil
	}
	return &template.Grouping{Criteria: g.Criteria, Values: g.Values}
}

func groupingOut(g *template.Grouping) *grouping {
	if g == nil {
		return nil
	}
	return &grouping{Criteria: g.Criteria, Values: g.Values}
}
