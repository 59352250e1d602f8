package template

import (
	"encoding/json"

	"github.com/connectmail/connectmail/render"
)

// The input and output shapes of the qconnect operations, with the wire's
// camelCase member names. Members bound to the URI are tagged "-" and set by
// the API layer.

// SSEConfig is the ServerSideEncryptionConfiguration shape.
type SSEConfig struct {
	KMSKeyID string `json:"kmsKeyId,omitempty"`
}

// CreateKnowledgeBaseInput is the CreateKnowledgeBase request.
type CreateKnowledgeBaseInput struct {
	ClientToken                       string            `json:"clientToken,omitempty"`
	Name                              string            `json:"name"`
	KnowledgeBaseType                 string            `json:"knowledgeBaseType"`
	SourceConfiguration               json.RawMessage   `json:"sourceConfiguration,omitempty"`
	RenderingConfiguration            json.RawMessage   `json:"renderingConfiguration,omitempty"`
	VectorIngestionConfiguration      json.RawMessage   `json:"vectorIngestionConfiguration,omitempty"`
	ServerSideEncryptionConfiguration *SSEConfig        `json:"serverSideEncryptionConfiguration,omitempty"`
	Description                       string            `json:"description,omitempty"`
	Tags                              map[string]string `json:"tags,omitempty"`
}

// KnowledgeBaseData is the KnowledgeBaseData and KnowledgeBaseSummary shape.
type KnowledgeBaseData struct {
	KnowledgeBaseID   string `json:"knowledgeBaseId"`
	KnowledgeBaseARN  string `json:"knowledgeBaseArn"`
	Name              string `json:"name"`
	KnowledgeBaseType string `json:"knowledgeBaseType"`
	Status            string `json:"status"`
	// LastContentModificationTime is epoch seconds (only in KnowledgeBaseData).
	LastContentModificationTime       float64           `json:"lastContentModificationTime,omitempty"`
	ServerSideEncryptionConfiguration *SSEConfig        `json:"serverSideEncryptionConfiguration,omitempty"`
	Description                       string            `json:"description,omitempty"`
	Tags                              map[string]string `json:"tags,omitempty"`
}

// KnowledgeBaseOutput is the CreateKnowledgeBase and GetKnowledgeBase response.
type KnowledgeBaseOutput struct {
	KnowledgeBase *KnowledgeBaseData `json:"knowledgeBase"`
}

// ListKnowledgeBasesOutput is the ListKnowledgeBases response.
type ListKnowledgeBasesOutput struct {
	KnowledgeBaseSummaries []KnowledgeBaseData `json:"knowledgeBaseSummaries"`
	NextToken              string              `json:"nextToken,omitempty"`
}

// CreateMessageTemplateInput is the CreateMessageTemplate request.
type CreateMessageTemplateInput struct {
	KnowledgeBaseID       string             `json:"-"`
	Name                  string             `json:"name,omitempty"`
	Content               *Content           `json:"content,omitempty"`
	Description           string             `json:"description,omitempty"`
	ChannelSubtype        string             `json:"channelSubtype"`
	Language              string             `json:"language,omitempty"`
	SourceConfiguration   json.RawMessage    `json:"sourceConfiguration,omitempty"`
	DefaultAttributes     *render.Attributes `json:"defaultAttributes,omitempty"`
	GroupingConfiguration *Grouping          `json:"groupingConfiguration,omitempty"`
	ClientToken           string             `json:"clientToken,omitempty"`
	Tags                  map[string]string  `json:"tags,omitempty"`
}

// UpdateMessageTemplateInput is the UpdateMessageTemplate request; absent
// members are left unchanged.
type UpdateMessageTemplateInput struct {
	KnowledgeBaseID     string             `json:"-"`
	MessageTemplateID   string             `json:"-"`
	Content             *Content           `json:"content,omitempty"`
	Language            *string            `json:"language,omitempty"`
	SourceConfiguration json.RawMessage    `json:"sourceConfiguration,omitempty"`
	DefaultAttributes   *render.Attributes `json:"defaultAttributes,omitempty"`
}

// UpdateMessageTemplateMetadataInput is the UpdateMessageTemplateMetadata
// request; absent members are left unchanged.
type UpdateMessageTemplateMetadataInput struct {
	KnowledgeBaseID       string    `json:"-"`
	MessageTemplateID     string    `json:"-"`
	Name                  *string   `json:"name,omitempty"`
	Description           *string   `json:"description,omitempty"`
	GroupingConfiguration *Grouping `json:"groupingConfiguration,omitempty"`
}

// CreateMessageTemplateVersionInput is the CreateMessageTemplateVersion request.
type CreateMessageTemplateVersionInput struct {
	KnowledgeBaseID              string `json:"-"`
	MessageTemplateID            string `json:"-"`
	MessageTemplateContentSha256 string `json:"messageTemplateContentSha256,omitempty"`
}

// VersionInput is the ActivateMessageTemplate and DeactivateMessageTemplate request.
type VersionInput struct {
	KnowledgeBaseID   string `json:"-"`
	MessageTemplateID string `json:"-"`
	VersionNumber     int64  `json:"versionNumber"`
}

// VersionOutput is the ActivateMessageTemplate and DeactivateMessageTemplate response.
type VersionOutput struct {
	MessageTemplateARN string `json:"messageTemplateArn"`
	MessageTemplateID  string `json:"messageTemplateId"`
	VersionNumber      int64  `json:"versionNumber"`
}

// AttachmentData is the MessageTemplateAttachment shape.
type AttachmentData struct {
	ContentDisposition string `json:"contentDisposition"`
	Name               string `json:"name"`
	UploadedTime       string `json:"uploadedTime"`
	URL                string `json:"url"`
	URLExpiry          string `json:"urlExpiry"`
	AttachmentID       string `json:"attachmentId"`
}

// MessageTemplateData is the MessageTemplateData, ExtendedMessageTemplateData
// and MessageTemplateSearchResultData shape (the extended members are
// omitted where they do not apply).
type MessageTemplateData struct {
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
	Content                      *Content           `json:"content,omitempty"`
	Description                  string             `json:"description,omitempty"`
	Language                     string             `json:"language,omitempty"`
	GroupingConfiguration        *Grouping          `json:"groupingConfiguration,omitempty"`
	DefaultAttributes            *render.Attributes `json:"defaultAttributes,omitempty"`
	AttributeTypes               []string           `json:"attributeTypes,omitempty"`
	Attachments                  []AttachmentData   `json:"attachments,omitempty"`
	IsActive                     *bool              `json:"isActive,omitempty"`
	VersionNumber                int64              `json:"versionNumber,omitempty"`
	MessageTemplateContentSha256 string             `json:"messageTemplateContentSha256,omitempty"`
	Tags                         map[string]string  `json:"tags,omitempty"`
}

// MessageTemplateOutput is the response of the operations returning one template.
type MessageTemplateOutput struct {
	MessageTemplate *MessageTemplateData `json:"messageTemplate"`
}

// MessageTemplateSummary is the MessageTemplateSummary shape.
type MessageTemplateSummary struct {
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

// ListMessageTemplatesOutput is the ListMessageTemplates response.
type ListMessageTemplatesOutput struct {
	MessageTemplateSummaries []MessageTemplateSummary `json:"messageTemplateSummaries"`
	NextToken                string                   `json:"nextToken,omitempty"`
}

// MessageTemplateVersionSummary is the MessageTemplateVersionSummary shape.
type MessageTemplateVersionSummary struct {
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

// ListMessageTemplateVersionsOutput is the ListMessageTemplateVersions response.
type ListMessageTemplateVersionsOutput struct {
	MessageTemplateVersionSummaries []MessageTemplateVersionSummary `json:"messageTemplateVersionSummaries"`
	NextToken                       string                          `json:"nextToken,omitempty"`
}

// SearchExpression is the MessageTemplateSearchExpression shape.
type SearchExpression struct {
	Queries      []SearchQuery  `json:"queries,omitempty"`
	Filters      []SearchFilter `json:"filters,omitempty"`
	OrderOnField *SearchOrder   `json:"orderOnField,omitempty"`
}

// SearchQuery is the MessageTemplateQueryField shape.
type SearchQuery struct {
	Name           string   `json:"name"`
	Values         []string `json:"values"`
	Operator       string   `json:"operator"`
	AllowFuzziness bool     `json:"allowFuzziness,omitempty"`
	Priority       string   `json:"priority,omitempty"`
}

// SearchFilter is the MessageTemplateFilterField shape.
type SearchFilter struct {
	Name               string   `json:"name"`
	Values             []string `json:"values,omitempty"`
	Operator           string   `json:"operator"`
	IncludeNoExistence bool     `json:"includeNoExistence,omitempty"`
}

// SearchOrder is the MessageTemplateOrderField shape.
type SearchOrder struct {
	Name  string `json:"name"`
	Order string `json:"order,omitempty"`
}

// SearchMessageTemplatesInput is the SearchMessageTemplates request.
type SearchMessageTemplatesInput struct {
	KnowledgeBaseID  string           `json:"-"`
	SearchExpression SearchExpression `json:"searchExpression"`
	NextToken        string           `json:"-"`
	MaxResults       int              `json:"-"`
}

// SearchMessageTemplatesOutput is the SearchMessageTemplates response.
type SearchMessageTemplatesOutput struct {
	Results   []MessageTemplateData `json:"results"`
	NextToken string                `json:"nextToken,omitempty"`
}

// RenderMessageTemplateInput is the RenderMessageTemplate request.
type RenderMessageTemplateInput struct {
	KnowledgeBaseID   string            `json:"-"`
	MessageTemplateID string            `json:"-"`
	Attributes        render.Attributes `json:"attributes"`
}

// RenderMessageTemplateOutput is the RenderMessageTemplate response.
type RenderMessageTemplateOutput struct {
	Content                   *Content         `json:"content,omitempty"`
	AttributesNotInterpolated []string         `json:"attributesNotInterpolated,omitempty"`
	Attachments               []AttachmentData `json:"attachments,omitempty"`
}

// CreateAttachmentInput is the CreateMessageTemplateAttachment request.
type CreateAttachmentInput struct {
	KnowledgeBaseID    string `json:"-"`
	MessageTemplateID  string `json:"-"`
	ContentDisposition string `json:"contentDisposition"`
	Name               string `json:"name"`
	// Body is the file, base64-encoded.
	Body        string `json:"body"`
	ClientToken string `json:"clientToken,omitempty"`
}

// CreateAttachmentOutput is the CreateMessageTemplateAttachment response.
type CreateAttachmentOutput struct {
	Attachment *AttachmentData `json:"attachment"`
}

// TagsOutput is the ListTagsForResource response.
type TagsOutput struct {
	Tags map[string]string `json:"tags"`
}
