package connect

import "encoding/json"

// Request and response types of the email operations beyond the spine
// (StartEmailContact, SendOutboundEmail, aliases, contact attributes and
// references, attached files, tags and queue email addresses). Like wire.go
// they carry the restJson1 member names; members bound to the URI or the
// query string carry their model names too, so the API layer can decode the
// bound input document into them.

// InboundRawMessage is the RawMessage of StartEmailContact.
type InboundRawMessage struct {
	Subject     string            `json:"Subject"`
	Body        string            `json:"Body"`
	ContentType string            `json:"ContentType"`
	Headers     map[string]string `json:"Headers"`
}

// InboundEmailContent is the EmailMessage of StartEmailContact.
type InboundEmailContent struct {
	MessageSourceType string             `json:"MessageSourceType"`
	RawMessage        *InboundRawMessage `json:"RawMessage"`
}

// InboundAdditionalRecipients lists the other To and Cc recipients of an inbound email.
type InboundAdditionalRecipients struct {
	ToAddresses []EmailAddressInfo `json:"ToAddresses"`
	CcAddresses []EmailAddressInfo `json:"CcAddresses"`
}

// EmailAttachment is one attachment of an inbound email: a name and a URL to fetch it from.
type EmailAttachment struct {
	FileName string `json:"FileName"`
	S3Url    string `json:"S3Url"`
}

// StartEmailContactInput is the StartEmailContact request.
type StartEmailContactInput struct {
	InstanceID              string                       `json:"InstanceId"`
	FromEmailAddress        EmailAddressInfo             `json:"FromEmailAddress"`
	DestinationEmailAddress string                       `json:"DestinationEmailAddress"`
	Description             string                       `json:"Description"`
	References              map[string]Reference         `json:"References"`
	Name                    string                       `json:"Name"`
	EmailMessage            InboundEmailContent          `json:"EmailMessage"`
	AdditionalRecipients    *InboundAdditionalRecipients `json:"AdditionalRecipients"`
	Attachments             []EmailAttachment            `json:"Attachments"`
	ContactFlowID           string                       `json:"ContactFlowId"`
	RelatedContactID        string                       `json:"RelatedContactId"`
	Attributes              map[string]string            `json:"Attributes"`
	SegmentAttributes       json.RawMessage              `json:"SegmentAttributes"`
	ClientToken             string                       `json:"ClientToken"`
}

// StartEmailContactOutput is the StartEmailContact response.
type StartEmailContactOutput struct {
	ContactID string `json:"ContactId"`
}

// SourceCampaign names the outbound campaign a SendOutboundEmail belongs to.
type SourceCampaign struct {
	CampaignID        string `json:"CampaignId,omitempty"`
	OutboundRequestID string `json:"OutboundRequestId,omitempty"`
}

// SendOutboundEmailInput is the SendOutboundEmail request.
type SendOutboundEmailInput struct {
	InstanceID              string           `json:"InstanceId"`
	FromEmailAddress        EmailAddressInfo `json:"FromEmailAddress"`
	DestinationEmailAddress EmailAddressInfo `json:"DestinationEmailAddress"`
	AdditionalRecipients    *struct {
		CcEmailAddresses []EmailAddressInfo `json:"CcEmailAddresses"`
	} `json:"AdditionalRecipients"`
	EmailMessage   OutboundEmailContent `json:"EmailMessage"`
	TrafficType    string               `json:"TrafficType"`
	SourceCampaign *SourceCampaign      `json:"SourceCampaign"`
	ClientToken    string               `json:"ClientToken"`
}

// EmailAddressAliasInput is the request of AssociateEmailAddressAlias and
// DisassociateEmailAddressAlias: EmailAddressID is the primary address.
type EmailAddressAliasInput struct {
	InstanceID         string             `json:"InstanceId"`
	EmailAddressID     string             `json:"EmailAddressId"`
	AliasConfiguration AliasConfiguration `json:"AliasConfiguration"`
	ClientToken        string             `json:"ClientToken"`
}

// GetContactAttributesOutput is the GetContactAttributes response.
type GetContactAttributesOutput struct {
	Attributes map[string]string `json:"Attributes"`
}

// UpdateContactAttributesInput is the UpdateContactAttributes request.
type UpdateContactAttributesInput struct {
	InitialContactID string            `json:"InitialContactId"`
	InstanceID       string            `json:"InstanceId"`
	Attributes       map[string]string `json:"Attributes"`
}

// ListContactReferencesInput is the ListContactReferences request.
type ListContactReferencesInput struct {
	InstanceID     string   `json:"InstanceId"`
	ContactID      string   `json:"ContactId"`
	ReferenceTypes []string `json:"ReferenceTypes"`
	NextToken      string   `json:"NextToken"`
}

// ReferenceSummaryItem is one member of the ReferenceSummary union. Which
// members are set depends on the union member it is carried in.
type ReferenceSummaryItem struct {
	Name   string `json:"Name,omitempty"`
	Value  string `json:"Value,omitempty"`
	Status string `json:"Status,omitempty"`
	Arn    string `json:"Arn,omitempty"`
}

// ReferenceSummary is the ReferenceSummary union: exactly one member is set.
type ReferenceSummary struct {
	URL                           *ReferenceSummaryItem `json:"Url,omitempty"`
	Attachment                    *ReferenceSummaryItem `json:"Attachment,omitempty"`
	EmailMessage                  *ReferenceSummaryItem `json:"EmailMessage,omitempty"`
	EmailMessageRedacted          *ReferenceSummaryItem `json:"EmailMessageRedacted,omitempty"`
	EmailMessagePlainText         *ReferenceSummaryItem `json:"EmailMessagePlainText,omitempty"`
	EmailMessagePlainTextRedacted *ReferenceSummaryItem `json:"EmailMessagePlainTextRedacted,omitempty"`
	String                        *ReferenceSummaryItem `json:"String,omitempty"`
	Number                        *ReferenceSummaryItem `json:"Number,omitempty"`
	Date                          *ReferenceSummaryItem `json:"Date,omitempty"`
	Email                         *ReferenceSummaryItem `json:"Email,omitempty"`
}

// ListContactReferencesOutput is the ListContactReferences response.
type ListContactReferencesOutput struct {
	ReferenceSummaryList []ReferenceSummary `json:"ReferenceSummaryList"`
	NextToken            string             `json:"NextToken,omitempty"`
}

// CreatedByInfo names who created an attached file (a union).
type CreatedByInfo struct {
	ConnectUserArn string `json:"ConnectUserArn,omitempty"`
	AWSIdentityArn string `json:"AWSIdentityArn,omitempty"`
}

// StartAttachedFileUploadInput is the StartAttachedFileUpload request.
type StartAttachedFileUploadInput struct {
	InstanceID            string            `json:"InstanceId"`
	ClientToken           string            `json:"ClientToken"`
	FileName              string            `json:"FileName"`
	FileSizeInBytes       int64             `json:"FileSizeInBytes"`
	URLExpiryInSeconds    int               `json:"UrlExpiryInSeconds"`
	FileUseCaseType       string            `json:"FileUseCaseType"`
	AssociatedResourceArn string            `json:"AssociatedResourceArn"`
	CreatedBy             *CreatedByInfo    `json:"CreatedBy"`
	Tags                  map[string]string `json:"Tags"`
}

// URLMetadata is a URL to upload or download a file and when it expires.
type URLMetadata struct {
	URL              string            `json:"Url"`
	URLExpiry        string            `json:"UrlExpiry"`
	HeadersToInclude map[string]string `json:"HeadersToInclude,omitempty"`
}

// StartAttachedFileUploadOutput is the StartAttachedFileUpload response.
type StartAttachedFileUploadOutput struct {
	FileArn           string         `json:"FileArn"`
	FileID            string         `json:"FileId"`
	CreationTime      string         `json:"CreationTime"`
	FileStatus        string         `json:"FileStatus"`
	CreatedBy         *CreatedByInfo `json:"CreatedBy,omitempty"`
	UploadURLMetadata *URLMetadata   `json:"UploadUrlMetadata,omitempty"`
}

// AttachedFileInput names an attached file: the request of
// CompleteAttachedFileUpload and GetAttachedFile.
type AttachedFileInput struct {
	InstanceID            string `json:"InstanceId"`
	FileID                string `json:"FileId"`
	AssociatedResourceArn string `json:"AssociatedResourceArn"`
	URLExpiryInSeconds    int    `json:"UrlExpiryInSeconds"`
}

// GetAttachedFileOutput is the GetAttachedFile response.
type GetAttachedFileOutput struct {
	FileArn               string            `json:"FileArn"`
	FileID                string            `json:"FileId"`
	CreationTime          string            `json:"CreationTime"`
	FileStatus            string            `json:"FileStatus"`
	FileName              string            `json:"FileName"`
	FileSizeInBytes       int64             `json:"FileSizeInBytes"`
	AssociatedResourceArn string            `json:"AssociatedResourceArn"`
	FileUseCaseType       string            `json:"FileUseCaseType"`
	CreatedBy             *CreatedByInfo    `json:"CreatedBy,omitempty"`
	DownloadURLMetadata   *URLMetadata      `json:"DownloadUrlMetadata,omitempty"`
	Tags                  map[string]string `json:"Tags,omitempty"`
}

// TagResourceInput is the TagResource request (lower-case member names).
type TagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// ListTagsForResourceOutput is the ListTagsForResource response.
type ListTagsForResourceOutput struct {
	Tags map[string]string `json:"tags,omitempty"`
}

// QueueEmailAddressesInput is the request of AssociateQueueEmailAddresses
// (EmailAddressesConfig) and DisassociateQueueEmailAddresses (EmailAddressesId).
type QueueEmailAddressesInput struct {
	InstanceID           string               `json:"InstanceId"`
	QueueID              string               `json:"QueueId"`
	EmailAddressesConfig []AliasConfiguration `json:"EmailAddressesConfig"`
	EmailAddressesID     []string             `json:"EmailAddressesId"`
	ClientToken          string               `json:"ClientToken"`
}

// ListQueueEmailAddressesInput is the ListQueueEmailAddresses request.
type ListQueueEmailAddressesInput struct {
	InstanceID string `json:"InstanceId"`
	QueueID    string `json:"QueueId"`
	NextToken  string `json:"NextToken"`
	MaxResults int    `json:"MaxResults"`
}

// EmailAddressSummary is one address of a queue.
type EmailAddressSummary struct {
	ID                     string `json:"Id"`
	ARN                    string `json:"Arn"`
	IsDefaultOutboundEmail bool   `json:"IsDefaultOutboundEmail"`
}

// ListQueueEmailAddressesOutput is the ListQueueEmailAddresses response.
type ListQueueEmailAddressesOutput struct {
	NextToken                string                `json:"NextToken,omitempty"`
	EmailAddressMetadataList []EmailAddressSummary `json:"EmailAddressMetadataList"`
	LastModifiedTime         *float64              `json:"LastModifiedTime,omitempty"`
	LastModifiedRegion       string                `json:"LastModifiedRegion,omitempty"`
}

// UpdateQueueOutboundEmailConfigInput is the UpdateQueueOutboundEmailConfig request.
type UpdateQueueOutboundEmailConfigInput struct {
	InstanceID          string `json:"InstanceId"`
	QueueID             string `json:"QueueId"`
	OutboundEmailConfig struct {
		OutboundEmailAddressID string `json:"OutboundEmailAddressId"`
	} `json:"OutboundEmailConfig"`
}
