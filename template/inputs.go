package template

import (
	"net/url"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/render"
)

// The inputs and results of the qconnect operations, as plain Go values:
// the API layer (awsapi) decodes the wire shapes, with their camelCase
// member names and timestamp forms, and maps them to and from these.
// Results are shaped like the responses they become, so that the API layer
// only renames and formats.

// CreateKnowledgeBaseInput is the input of CreateKnowledgeBase.
type CreateKnowledgeBaseInput struct {
	ClientToken       connect.ClientToken
	Name              string
	KnowledgeBaseType string
	// HasSourceConfiguration, HasRenderingConfiguration and
	// HasVectorIngestionConfiguration tell that the request gave them; none
	// applies to a MESSAGE_TEMPLATES knowledge base.
	HasSourceConfiguration          bool
	HasRenderingConfiguration       bool
	HasVectorIngestionConfiguration bool
	// KMSKeyID is the key of the server-side encryption configuration, if any.
	KMSKeyID    string
	Description string
	Tags        map[string]string
}

// KnowledgeBaseData describes a knowledge base.
type KnowledgeBaseData struct {
	KnowledgeBaseID   string
	KnowledgeBaseARN  string
	Name              string
	KnowledgeBaseType string
	Status            string
	// LastContentModificationTime is zero in summaries.
	LastContentModificationTime time.Time
	KMSKeyID                    string
	Description                 string
	Tags                        map[string]string
}

// KnowledgeBaseOutput is the result of CreateKnowledgeBase and GetKnowledgeBase.
type KnowledgeBaseOutput struct {
	KnowledgeBase *KnowledgeBaseData
}

// ListKnowledgeBasesOutput is a page of ListKnowledgeBases.
type ListKnowledgeBasesOutput struct {
	KnowledgeBaseSummaries []KnowledgeBaseData
	NextToken              string
}

// CreateMessageTemplateInput is the input of CreateMessageTemplate.
type CreateMessageTemplateInput struct {
	KnowledgeBaseID string
	Name            string
	Content         *Content
	Description     string
	ChannelSubtype  string
	Language        string
	// HasSourceConfiguration tells that the request gave one (WHATSAPP only).
	HasSourceConfiguration bool
	DefaultAttributes      *render.Attributes
	GroupingConfiguration  *Grouping
	ClientToken            connect.ClientToken
	Tags                   map[string]string
}

// UpdateMessageTemplateInput is the input of UpdateMessageTemplate; nil
// members are left unchanged.
type UpdateMessageTemplateInput struct {
	KnowledgeBaseID        string
	MessageTemplateID      string
	Content                *Content
	Language               *string
	HasSourceConfiguration bool
	DefaultAttributes      *render.Attributes
}

// UpdateMessageTemplateMetadataInput is the input of
// UpdateMessageTemplateMetadata; nil members are left unchanged.
type UpdateMessageTemplateMetadataInput struct {
	KnowledgeBaseID       string
	MessageTemplateID     string
	Name                  *string
	Description           *string
	GroupingConfiguration *Grouping
}

// CreateMessageTemplateVersionInput is the input of CreateMessageTemplateVersion.
type CreateMessageTemplateVersionInput struct {
	KnowledgeBaseID              string
	MessageTemplateID            string
	MessageTemplateContentSha256 string
}

// VersionInput is the input of ActivateMessageTemplate and DeactivateMessageTemplate.
type VersionInput struct {
	KnowledgeBaseID   string
	MessageTemplateID string
	VersionNumber     int64
}

// VersionOutput is the result of ActivateMessageTemplate and DeactivateMessageTemplate.
type VersionOutput struct {
	MessageTemplateARN string
	MessageTemplateID  string
	VersionNumber      int64
}

// AttachmentData describes an attachment of a template version; the API
// layer adds the URL it is downloaded from, whose query is URLQuery.
type AttachmentData struct {
	ContentDisposition string
	Name               string
	UploadedTime       time.Time
	// URLExpiry is until when the attachment's URL is valid: AttachmentFile
	// refuses its query (URLQuery) after it.
	URLExpiry time.Time
	// URLQuery is the query of the attachment's URL: its expiry and
	// signature, which AttachmentFile checks.
	URLQuery     url.Values
	AttachmentID string
}

// MessageTemplateData describes a template version; the extended members
// (attachments, IsActive, VersionNumber) are empty where they do not apply.
type MessageTemplateData struct {
	MessageTemplateARN           string
	MessageTemplateID            string
	KnowledgeBaseARN             string
	KnowledgeBaseID              string
	Name                         string
	Channel                      string
	ChannelSubtype               string
	CreatedTime                  time.Time
	LastModifiedTime             time.Time
	LastModifiedBy               string
	Content                      *Content
	Description                  string
	Language                     string
	GroupingConfiguration        *Grouping
	DefaultAttributes            *render.Attributes
	AttributeTypes               []string
	Attachments                  []AttachmentData
	IsActive                     *bool
	VersionNumber                int64
	MessageTemplateContentSha256 string
	Tags                         map[string]string
}

// MessageTemplateOutput is the result of the operations returning one template.
type MessageTemplateOutput struct {
	MessageTemplate *MessageTemplateData
}

// MessageTemplateSummary summarises a template.
type MessageTemplateSummary struct {
	MessageTemplateARN  string
	MessageTemplateID   string
	KnowledgeBaseARN    string
	KnowledgeBaseID     string
	Name                string
	Channel             string
	ChannelSubtype      string
	CreatedTime         time.Time
	LastModifiedTime    time.Time
	LastModifiedBy      string
	ActiveVersionNumber int64
	Description         string
	Tags                map[string]string
}

// ListMessageTemplatesOutput is a page of ListMessageTemplates.
type ListMessageTemplatesOutput struct {
	MessageTemplateSummaries []MessageTemplateSummary
	NextToken                string
}

// MessageTemplateVersionSummary summarises a numbered version.
type MessageTemplateVersionSummary struct {
	MessageTemplateARN string
	MessageTemplateID  string
	KnowledgeBaseARN   string
	KnowledgeBaseID    string
	Name               string
	Channel            string
	ChannelSubtype     string
	IsActive           bool
	VersionNumber      int64
}

// ListMessageTemplateVersionsOutput is a page of ListMessageTemplateVersions.
type ListMessageTemplateVersionsOutput struct {
	MessageTemplateVersionSummaries []MessageTemplateVersionSummary
	NextToken                       string
}

// SearchExpression is what SearchMessageTemplates looks for.
type SearchExpression struct {
	Queries      []SearchQuery
	Filters      []SearchFilter
	OrderOnField *SearchOrder
}

// SearchQuery is a text query on a field.
type SearchQuery struct {
	Name           string
	Values         []string
	Operator       string
	AllowFuzziness bool
	Priority       string
}

// SearchFilter is an exact filter on a field.
type SearchFilter struct {
	Name               string
	Values             []string
	Operator           string
	IncludeNoExistence bool
}

// SearchOrder orders the results by a field.
type SearchOrder struct {
	Name  string
	Order string
}

// SearchMessageTemplatesInput is the input of SearchMessageTemplates.
type SearchMessageTemplatesInput struct {
	KnowledgeBaseID  string
	SearchExpression SearchExpression
	NextToken        string
	MaxResults       int
}

// SearchMessageTemplatesOutput is a page of SearchMessageTemplates.
type SearchMessageTemplatesOutput struct {
	Results   []MessageTemplateData
	NextToken string
}

// RenderMessageTemplateInput is the input of RenderMessageTemplate.
type RenderMessageTemplateInput struct {
	KnowledgeBaseID   string
	MessageTemplateID string
	Attributes        render.Attributes
}

// RenderMessageTemplateOutput is the result of RenderMessageTemplate.
type RenderMessageTemplateOutput struct {
	Content                   *Content
	AttributesNotInterpolated []string
	Attachments               []AttachmentData
}

// CreateAttachmentInput is the input of CreateMessageTemplateAttachment.
type CreateAttachmentInput struct {
	KnowledgeBaseID    string
	MessageTemplateID  string
	ContentDisposition string
	Name               string
	// Body is the file, base64-encoded.
	Body        string
	ClientToken connect.ClientToken
}

// CreateAttachmentOutput is the result of CreateMessageTemplateAttachment.
type CreateAttachmentOutput struct {
	Attachment *AttachmentData
}
