package awsapi

// The Connect request and response shapes: the restJson1 member names and
// the wire forms of the values (epoch seconds, ISO 8601 strings, unions).
// Handlers decode requests into the request types (see handle), map them to
// the connect service's inputs, and map its results to the response types.
// Members bound to the URI or query string carry their model names, except
// where they are tagged json:"-" and set from the call.

// createInstanceInput is the CreateInstance request.
type createInstanceInput struct {
	ClientToken            string            `json:"ClientToken"`
	IdentityManagementType string            `json:"IdentityManagementType"`
	InstanceAlias          string            `json:"InstanceAlias"`
	DirectoryID            string            `json:"DirectoryId"`
	InboundCallsEnabled    bool              `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   bool              `json:"OutboundCallsEnabled"`
	Tags                   map[string]string `json:"Tags"`
}

// createInstanceOutput is the CreateInstance response.
type createInstanceOutput struct {
	ID  string `json:"Id"`
	ARN string `json:"Arn"`
}

// instanceView is the Instance shape.
type instanceView struct {
	ID                     string            `json:"Id"`
	ARN                    string            `json:"Arn"`
	IdentityManagementType string            `json:"IdentityManagementType"`
	InstanceAlias          string            `json:"InstanceAlias,omitempty"`
	CreatedTime            float64           `json:"CreatedTime"`
	ServiceRole            string            `json:"ServiceRole,omitempty"`
	InstanceStatus         string            `json:"InstanceStatus"`
	InboundCallsEnabled    bool              `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   bool              `json:"OutboundCallsEnabled"`
	InstanceAccessURL      string            `json:"InstanceAccessUrl,omitempty"`
	Tags                   map[string]string `json:"Tags,omitempty"`
}

// describeInstanceOutput is the DescribeInstance response.
type describeInstanceOutput struct {
	Instance instanceView `json:"Instance"`
}

// listInstancesOutput is the ListInstances response.
type listInstancesOutput struct {
	InstanceSummaryList []instanceView `json:"InstanceSummaryList"`
	NextToken           string         `json:"NextToken,omitempty"`
}

// createEmailAddressInput is the CreateEmailAddress request.
type createEmailAddressInput struct {
	InstanceID   string            `json:"-"`
	Description  string            `json:"Description"`
	EmailAddress string            `json:"EmailAddress"`
	DisplayName  string            `json:"DisplayName"`
	Tags         map[string]string `json:"Tags"`
	ClientToken  string            `json:"ClientToken"`
}

// emailAddressRef is the {EmailAddressId, EmailAddressArn} response of create and update.
type emailAddressRef struct {
	EmailAddressID  string `json:"EmailAddressId"`
	EmailAddressARN string `json:"EmailAddressArn"`
}

// aliasConfiguration names an alias email address.
type aliasConfiguration struct {
	EmailAddressID string `json:"EmailAddressId"`
}

// describeEmailAddressOutput is the DescribeEmailAddress response.
type describeEmailAddressOutput struct {
	EmailAddressID      string               `json:"EmailAddressId"`
	EmailAddressARN     string               `json:"EmailAddressArn"`
	EmailAddress        string               `json:"EmailAddress"`
	DisplayName         string               `json:"DisplayName,omitempty"`
	Description         string               `json:"Description,omitempty"`
	CreateTimestamp     string               `json:"CreateTimestamp"`
	ModifiedTimestamp   string               `json:"ModifiedTimestamp"`
	AliasConfigurations []aliasConfiguration `json:"AliasConfigurations"`
	Tags                map[string]string    `json:"Tags,omitempty"`
}

// stringCondition is one string condition of a search.
type stringCondition struct {
	FieldName      string `json:"FieldName"`
	Value          string `json:"Value"`
	ComparisonType string `json:"ComparisonType"`
}

// emailAddressSearchCriteria is the recursive search criteria.
type emailAddressSearchCriteria struct {
	OrConditions    []emailAddressSearchCriteria `json:"OrConditions"`
	AndConditions   []emailAddressSearchCriteria `json:"AndConditions"`
	StringCondition *stringCondition             `json:"StringCondition"`
}

// tagCondition is one tag key/value condition.
type tagCondition struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// tagFilter filters by tags.
type tagFilter struct {
	OrConditions  [][]tagCondition `json:"OrConditions"`
	AndConditions []tagCondition   `json:"AndConditions"`
	TagCondition  *tagCondition    `json:"TagCondition"`
}

// searchEmailAddressesInput is the SearchEmailAddresses request.
type searchEmailAddressesInput struct {
	InstanceID     string                      `json:"InstanceId"`
	MaxResults     int                         `json:"MaxResults"`
	NextToken      string                      `json:"NextToken"`
	SearchCriteria *emailAddressSearchCriteria `json:"SearchCriteria"`
	SearchFilter   *struct {
		TagFilter *tagFilter `json:"TagFilter"`
	} `json:"SearchFilter"`
}

// emailAddressMetadata is one search result.
type emailAddressMetadata struct {
	EmailAddressID      string               `json:"EmailAddressId"`
	EmailAddressARN     string               `json:"EmailAddressArn"`
	EmailAddress        string               `json:"EmailAddress"`
	Description         string               `json:"Description,omitempty"`
	DisplayName         string               `json:"DisplayName,omitempty"`
	AliasConfigurations []aliasConfiguration `json:"AliasConfigurations"`
}

// searchEmailAddressesOutput is the SearchEmailAddresses response.
type searchEmailAddressesOutput struct {
	NextToken             string                 `json:"NextToken,omitempty"`
	EmailAddresses        []emailAddressMetadata `json:"EmailAddresses"`
	ApproximateTotalCount int64                  `json:"ApproximateTotalCount"`
}

// updateEmailAddressMetadataInput is the UpdateEmailAddressMetadata request.
type updateEmailAddressMetadataInput struct {
	InstanceID     string  `json:"-"`
	EmailAddressID string  `json:"-"`
	Description    *string `json:"Description"`
	DisplayName    *string `json:"DisplayName"`
	ClientToken    string  `json:"ClientToken"`
}

// reference is a contact reference.
type reference struct {
	Value        string `json:"Value,omitempty"`
	Type         string `json:"Type"`
	Status       string `json:"Status,omitempty"`
	Arn          string `json:"Arn,omitempty"`
	StatusReason string `json:"StatusReason,omitempty"`
}

// segmentAttributeValue is the SegmentAttributeValue shape. Absent members
// are nil; an empty map or list is kept, as it was given.
type segmentAttributeValue struct {
	ValueString  *string                          `json:"ValueString,omitempty"`
	ValueMap     map[string]segmentAttributeValue `json:"ValueMap,omitzero"`
	ValueInteger *int                             `json:"ValueInteger,omitempty"`
	ValueList    []segmentAttributeValue          `json:"ValueList,omitzero"`
	ValueArn     *string                          `json:"ValueArn,omitempty"`
}

// createContactInput is the CreateContact request.
type createContactInput struct {
	InstanceID              string               `json:"InstanceId"`
	ClientToken             string               `json:"ClientToken"`
	RelatedContactID        string               `json:"RelatedContactId"`
	Attributes              map[string]string    `json:"Attributes"`
	References              map[string]reference `json:"References"`
	Channel                 string               `json:"Channel"`
	InitiationMethod        string               `json:"InitiationMethod"`
	ExpiryDurationInMinutes *int                 `json:"ExpiryDurationInMinutes"`
	UserInfo                *struct {
		UserID string `json:"UserId"`
	} `json:"UserInfo"`
	InitiateAs        string                           `json:"InitiateAs"`
	Name              string                           `json:"Name"`
	Description       string                           `json:"Description"`
	SegmentAttributes map[string]segmentAttributeValue `json:"SegmentAttributes"`
	PreviousContactID string                           `json:"PreviousContactId"`
}

// createContactOutput is the CreateContact response.
type createContactOutput struct {
	ContactID  string `json:"ContactId"`
	ContactARN string `json:"ContactArn"`
}

// emailAddressInfo is an address with a display name, as in StartOutboundEmailContact.
type emailAddressInfo struct {
	EmailAddress string `json:"EmailAddress"`
	DisplayName  string `json:"DisplayName,omitempty"`
}

// outboundRawMessage is a RAW message.
type outboundRawMessage struct {
	Subject     string `json:"Subject"`
	Body        string `json:"Body"`
	ContentType string `json:"ContentType"`
}

// templateAttributes are the attributes of a TEMPLATE message.
type templateAttributes struct {
	CustomAttributes          map[string]string `json:"CustomAttributes"`
	CustomerProfileAttributes *string           `json:"CustomerProfileAttributes"`
}

// templatedMessageConfig selects a Q in Connect message template.
type templatedMessageConfig struct {
	KnowledgeBaseID    string             `json:"KnowledgeBaseId"`
	MessageTemplateID  string             `json:"MessageTemplateId"`
	TemplateAttributes templateAttributes `json:"TemplateAttributes"`
}

// outboundEmailContent is the EmailMessage member.
type outboundEmailContent struct {
	MessageSourceType      string                  `json:"MessageSourceType"`
	TemplatedMessageConfig *templatedMessageConfig `json:"TemplatedMessageConfig"`
	RawMessage             *outboundRawMessage     `json:"RawMessage"`
}

// startOutboundEmailContactInput is the StartOutboundEmailContact request.
type startOutboundEmailContactInput struct {
	InstanceID              string            `json:"InstanceId"`
	ContactID               string            `json:"ContactId"`
	FromEmailAddress        *emailAddressInfo `json:"FromEmailAddress"`
	DestinationEmailAddress emailAddressInfo  `json:"DestinationEmailAddress"`
	AdditionalRecipients    *struct {
		CcEmailAddresses []emailAddressInfo `json:"CcEmailAddresses"`
	} `json:"AdditionalRecipients"`
	EmailMessage outboundEmailContent `json:"EmailMessage"`
	ClientToken  string               `json:"ClientToken"`
}

// startOutboundEmailContactOutput is the StartOutboundEmailContact response.
type startOutboundEmailContactOutput struct {
	ContactID string `json:"ContactId"`
}

// stopContactInput is the StopContact request.
type stopContactInput struct {
	ContactID        string `json:"ContactId"`
	InstanceID       string `json:"InstanceId"`
	DisconnectReason *struct {
		Code string `json:"Code"`
	} `json:"DisconnectReason"`
}

// endpointInfo is the endpointInfo shape.
type endpointInfo struct {
	Type        string `json:"Type"`
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// emailRecipient is one additional recipient.
type emailRecipient struct {
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// additionalEmailRecipients lists To and Cc recipients beyond the customer endpoint.
type additionalEmailRecipients struct {
	ToList []emailRecipient `json:"ToList,omitempty"`
	CcList []emailRecipient `json:"CcList,omitempty"`
}

// contactView is the Contact shape of DescribeContact.
type contactView struct {
	ARN                  string `json:"Arn"`
	ID                   string `json:"Id"`
	InitialContactID     string `json:"InitialContactId,omitempty"`
	PreviousContactID    string `json:"PreviousContactId,omitempty"`
	ContactAssociationID string `json:"ContactAssociationId,omitempty"`
	InitiationMethod     string `json:"InitiationMethod"`
	Name                 string `json:"Name,omitempty"`
	Description          string `json:"Description,omitempty"`
	Channel              string `json:"Channel"`
	AgentInfo            *struct {
		ID string `json:"Id"`
	} `json:"AgentInfo,omitempty"`
	InitiationTimestamp       float64                          `json:"InitiationTimestamp"`
	DisconnectTimestamp       *float64                         `json:"DisconnectTimestamp,omitempty"`
	LastUpdateTimestamp       float64                          `json:"LastUpdateTimestamp"`
	RelatedContactID          string                           `json:"RelatedContactId,omitempty"`
	CustomerEndpoint          *endpointInfo                    `json:"CustomerEndpoint,omitempty"`
	SystemEndpoint            *endpointInfo                    `json:"SystemEndpoint,omitempty"`
	AdditionalEmailRecipients *additionalEmailRecipients       `json:"AdditionalEmailRecipients,omitempty"`
	SegmentAttributes         map[string]segmentAttributeValue `json:"SegmentAttributes,omitempty"`
	DisconnectReason          string                           `json:"DisconnectReason,omitempty"`
	Attributes                map[string]string                `json:"Attributes,omitempty"`
	Tags                      map[string]string                `json:"Tags,omitempty"`
}

// describeContactOutput is the DescribeContact response.
type describeContactOutput struct {
	Contact contactView `json:"Contact"`
}

// inboundRawMessage is the RawMessage of StartEmailContact.
type inboundRawMessage struct {
	Subject     string            `json:"Subject"`
	Body        string            `json:"Body"`
	ContentType string            `json:"ContentType"`
	Headers     map[string]string `json:"Headers"`
}

// inboundEmailContent is the EmailMessage of StartEmailContact.
type inboundEmailContent struct {
	MessageSourceType string             `json:"MessageSourceType"`
	RawMessage        *inboundRawMessage `json:"RawMessage"`
}

// inboundAdditionalRecipients lists the other To and Cc recipients of an inbound email.
type inboundAdditionalRecipients struct {
	ToAddresses []emailAddressInfo `json:"ToAddresses"`
	CcAddresses []emailAddressInfo `json:"CcAddresses"`
}

// emailAttachment is one attachment of an inbound email: a name and a URL to fetch it from.
type emailAttachment struct {
	FileName string `json:"FileName"`
	S3Url    string `json:"S3Url"`
}

// startEmailContactInput is the StartEmailContact request.
type startEmailContactInput struct {
	InstanceID              string                           `json:"InstanceId"`
	FromEmailAddress        emailAddressInfo                 `json:"FromEmailAddress"`
	DestinationEmailAddress string                           `json:"DestinationEmailAddress"`
	Description             string                           `json:"Description"`
	References              map[string]reference             `json:"References"`
	Name                    string                           `json:"Name"`
	EmailMessage            inboundEmailContent              `json:"EmailMessage"`
	AdditionalRecipients    *inboundAdditionalRecipients     `json:"AdditionalRecipients"`
	Attachments             []emailAttachment                `json:"Attachments"`
	ContactFlowID           string                           `json:"ContactFlowId"`
	RelatedContactID        string                           `json:"RelatedContactId"`
	Attributes              map[string]string                `json:"Attributes"`
	SegmentAttributes       map[string]segmentAttributeValue `json:"SegmentAttributes"`
	ClientToken             string                           `json:"ClientToken"`
}

// startEmailContactOutput is the StartEmailContact response.
type startEmailContactOutput struct {
	ContactID string `json:"ContactId"`
}

// sourceCampaign names the outbound campaign a SendOutboundEmail belongs to.
type sourceCampaign struct {
	CampaignID        string `json:"CampaignId,omitempty"`
	OutboundRequestID string `json:"OutboundRequestId,omitempty"`
}

// sendOutboundEmailInput is the SendOutboundEmail request.
type sendOutboundEmailInput struct {
	InstanceID              string           `json:"InstanceId"`
	FromEmailAddress        emailAddressInfo `json:"FromEmailAddress"`
	DestinationEmailAddress emailAddressInfo `json:"DestinationEmailAddress"`
	AdditionalRecipients    *struct {
		CcEmailAddresses []emailAddressInfo `json:"CcEmailAddresses"`
	} `json:"AdditionalRecipients"`
	EmailMessage   outboundEmailContent `json:"EmailMessage"`
	TrafficType    string               `json:"TrafficType"`
	SourceCampaign *sourceCampaign      `json:"SourceCampaign"`
	ClientToken    string               `json:"ClientToken"`
}

// emailAddressAliasInput is the request of AssociateEmailAddressAlias and
// DisassociateEmailAddressAlias: EmailAddressID is the primary address.
type emailAddressAliasInput struct {
	InstanceID         string             `json:"InstanceId"`
	EmailAddressID     string             `json:"EmailAddressId"`
	AliasConfiguration aliasConfiguration `json:"AliasConfiguration"`
	ClientToken        string             `json:"ClientToken"`
}

// getContactAttributesOutput is the GetContactAttributes response.
type getContactAttributesOutput struct {
	Attributes map[string]string `json:"Attributes"`
}

// updateContactAttributesInput is the UpdateContactAttributes request.
type updateContactAttributesInput struct {
	InitialContactID string            `json:"InitialContactId"`
	InstanceID       string            `json:"InstanceId"`
	Attributes       map[string]string `json:"Attributes"`
}

// listContactReferencesInput is the ListContactReferences request.
type listContactReferencesInput struct {
	InstanceID     string   `json:"InstanceId"`
	ContactID      string   `json:"ContactId"`
	ReferenceTypes []string `json:"ReferenceTypes"`
	NextToken      string   `json:"NextToken"`
}

// referenceSummaryItem is one member of the referenceSummary union. Which
// members are set depends on the union member it is carried in.
type referenceSummaryItem struct {
	Name   string `json:"Name,omitempty"`
	Value  string `json:"Value,omitempty"`
	Status string `json:"Status,omitempty"`
	Arn    string `json:"Arn,omitempty"`
}

// referenceSummary is the referenceSummary union: exactly one member is set.
type referenceSummary struct {
	URL                           *referenceSummaryItem `json:"Url,omitempty"`
	Attachment                    *referenceSummaryItem `json:"Attachment,omitempty"`
	EmailMessage                  *referenceSummaryItem `json:"EmailMessage,omitempty"`
	EmailMessageRedacted          *referenceSummaryItem `json:"EmailMessageRedacted,omitempty"`
	EmailMessagePlainText         *referenceSummaryItem `json:"EmailMessagePlainText,omitempty"`
	EmailMessagePlainTextRedacted *referenceSummaryItem `json:"EmailMessagePlainTextRedacted,omitempty"`
	String                        *referenceSummaryItem `json:"String,omitempty"`
	Number                        *referenceSummaryItem `json:"Number,omitempty"`
	Date                          *referenceSummaryItem `json:"Date,omitempty"`
	Email                         *referenceSummaryItem `json:"Email,omitempty"`
}

// listContactReferencesOutput is the ListContactReferences response.
type listContactReferencesOutput struct {
	ReferenceSummaryList []referenceSummary `json:"ReferenceSummaryList"`
	NextToken            string             `json:"NextToken,omitempty"`
}

// createdByInfo names who created an attached file (a union).
type createdByInfo struct {
	ConnectUserArn string `json:"ConnectUserArn,omitempty"`
	AWSIdentityArn string `json:"AWSIdentityArn,omitempty"`
}

// startAttachedFileUploadInput is the StartAttachedFileUpload request.
type startAttachedFileUploadInput struct {
	InstanceID            string            `json:"InstanceId"`
	ClientToken           string            `json:"ClientToken"`
	FileName              string            `json:"FileName"`
	FileSizeInBytes       int64             `json:"FileSizeInBytes"`
	URLExpiryInSeconds    int               `json:"UrlExpiryInSeconds"`
	FileUseCaseType       string            `json:"FileUseCaseType"`
	AssociatedResourceArn string            `json:"AssociatedResourceArn"`
	CreatedBy             *createdByInfo    `json:"CreatedBy"`
	Tags                  map[string]string `json:"Tags"`
}

// urlMetadata is a URL to upload or download a file and when it expires.
type urlMetadata struct {
	URL              string            `json:"Url"`
	URLExpiry        string            `json:"UrlExpiry"`
	HeadersToInclude map[string]string `json:"HeadersToInclude,omitempty"`
}

// startAttachedFileUploadOutput is the StartAttachedFileUpload response.
type startAttachedFileUploadOutput struct {
	FileArn           string         `json:"FileArn"`
	FileID            string         `json:"FileId"`
	CreationTime      string         `json:"CreationTime"`
	FileStatus        string         `json:"FileStatus"`
	CreatedBy         *createdByInfo `json:"CreatedBy,omitempty"`
	UploadURLMetadata *urlMetadata   `json:"UploadUrlMetadata,omitempty"`
}

// completeAttachedFileUploadInput is the CompleteAttachedFileUpload request.
type completeAttachedFileUploadInput struct {
	InstanceID            string `json:"InstanceId"`
	FileID                string `json:"FileId"`
	AssociatedResourceArn string `json:"AssociatedResourceArn"`
}

// getAttachedFileInput is the GetAttachedFile request.
type getAttachedFileInput struct {
	InstanceID            string `json:"InstanceId"`
	FileID                string `json:"FileId"`
	AssociatedResourceArn string `json:"AssociatedResourceArn"`
	URLExpiryInSeconds    int    `json:"UrlExpiryInSeconds"`
}

// getAttachedFileOutput is the GetAttachedFile response.
type getAttachedFileOutput struct {
	FileArn               string            `json:"FileArn"`
	FileID                string            `json:"FileId"`
	CreationTime          string            `json:"CreationTime"`
	FileStatus            string            `json:"FileStatus"`
	FileName              string            `json:"FileName"`
	FileSizeInBytes       int64             `json:"FileSizeInBytes"`
	AssociatedResourceArn string            `json:"AssociatedResourceArn"`
	FileUseCaseType       string            `json:"FileUseCaseType"`
	CreatedBy             *createdByInfo    `json:"CreatedBy,omitempty"`
	DownloadURLMetadata   *urlMetadata      `json:"DownloadUrlMetadata,omitempty"`
	Tags                  map[string]string `json:"Tags,omitempty"`
}

// tagResourceInput is the TagResource request (lower-case member names).
type tagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

// untagResourceInput is the UntagResource request.
type untagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// listTagsForResourceOutput is the ListTagsForResource response.
type listTagsForResourceOutput struct {
	Tags map[string]string `json:"tags,omitempty"`
}

// associateQueueEmailAddressesInput is the AssociateQueueEmailAddresses request.
type associateQueueEmailAddressesInput struct {
	InstanceID           string               `json:"InstanceId"`
	QueueID              string               `json:"QueueId"`
	EmailAddressesConfig []aliasConfiguration `json:"EmailAddressesConfig"`
	ClientToken          string               `json:"ClientToken"`
}

// disassociateQueueEmailAddressesInput is the DisassociateQueueEmailAddresses request.
type disassociateQueueEmailAddressesInput struct {
	InstanceID       string   `json:"InstanceId"`
	QueueID          string   `json:"QueueId"`
	EmailAddressesID []string `json:"EmailAddressesId"`
	ClientToken      string   `json:"ClientToken"`
}

// listQueueEmailAddressesInput is the ListQueueEmailAddresses request.
type listQueueEmailAddressesInput struct {
	InstanceID string `json:"InstanceId"`
	QueueID    string `json:"QueueId"`
	NextToken  string `json:"NextToken"`
	MaxResults int    `json:"MaxResults"`
}

// emailAddressSummary is one address of a queue.
type emailAddressSummary struct {
	ID                     string `json:"Id"`
	ARN                    string `json:"Arn"`
	IsDefaultOutboundEmail bool   `json:"IsDefaultOutboundEmail"`
}

// listQueueEmailAddressesOutput is the ListQueueEmailAddresses response.
type listQueueEmailAddressesOutput struct {
	NextToken                string                `json:"NextToken,omitempty"`
	EmailAddressMetadataList []emailAddressSummary `json:"EmailAddressMetadataList"`
	LastModifiedTime         *float64              `json:"LastModifiedTime,omitempty"`
	LastModifiedRegion       string                `json:"LastModifiedRegion,omitempty"`
}

// updateQueueOutboundEmailConfigInput is the UpdateQueueOutboundEmailConfig request.
type updateQueueOutboundEmailConfigInput struct {
	InstanceID          string `json:"InstanceId"`
	QueueID             string `json:"QueueId"`
	OutboundEmailConfig struct {
		OutboundEmailAddressID string `json:"OutboundEmailAddressId"`
	} `json:"OutboundEmailConfig"`
}
