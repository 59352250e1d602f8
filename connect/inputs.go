package connect

import "time"

// The inputs and results of the Service's operations. They are plain Go
// values: the API layer (awsapi) decodes the AWS wire shapes and maps them
// to and from these, so that the wire's member names, epoch-second
// timestamps and unions stay out of the domain.

// ClientToken makes an operation idempotent: a retry with the same token
// and the same request is answered as the first call was; the same token
// with another request is refused (fault.Idempotency).
type ClientToken struct {
	// Token is the client's token; without one the call is not idempotent.
	Token string
	// Request identifies the request the token came with, without the token.
	// The API layer passes the request as it received it (its wire
	// encoding), so that requests compare as the client sent them; when nil,
	// the service uses the JSON encoding of its input.
	Request []byte
}

// Created names a resource an operation created or changed.
type Created struct {
	ID  string
	ARN string
}

// CreateInstanceInput is the input of CreateInstance.
type CreateInstanceInput struct {
	ClientToken            ClientToken
	IdentityManagementType string
	InstanceAlias          string
	DirectoryID            string
	InboundCallsEnabled    bool
	OutboundCallsEnabled   bool
	Tags                   map[string]string
}

// CreateEmailAddressInput is the input of CreateEmailAddress.
type CreateEmailAddressInput struct {
	InstanceID   string
	Description  string
	EmailAddress string
	DisplayName  string
	Tags         map[string]string
}

// AddressWithAliases is an email address with the ids of its aliases.
type AddressWithAliases struct {
	Address  *EmailAddress
	AliasIDs []string
}

// StringCondition is one string condition of an email address search.
type StringCondition struct {
	FieldName      string
	Value          string
	ComparisonType string
}

// EmailAddressSearchCriteria is a recursive email address search condition.
type EmailAddressSearchCriteria struct {
	OrConditions    []EmailAddressSearchCriteria
	AndConditions   []EmailAddressSearchCriteria
	StringCondition *StringCondition
}

// TagCondition is one tag key/value condition; an empty value matches any.
type TagCondition struct {
	TagKey   string
	TagValue string
}

// TagFilter selects resources by their tags.
type TagFilter struct {
	OrConditions  [][]TagCondition
	AndConditions []TagCondition
	TagCondition  *TagCondition
}

// SearchEmailAddressesInput is the input of SearchEmailAddresses.
type SearchEmailAddressesInput struct {
	InstanceID     string
	MaxResults     int
	NextToken      string
	SearchCriteria *EmailAddressSearchCriteria
	TagFilter      *TagFilter
}

// EmailAddressPage is a page of an email address search.
type EmailAddressPage struct {
	Addresses []AddressWithAliases
	NextToken string
	// Total counts the matches on all pages.
	Total int64
}

// UpdateEmailAddressMetadataInput is the input of
// UpdateEmailAddressMetadata; nil members are left unchanged.
type UpdateEmailAddressMetadataInput struct {
	InstanceID     string
	EmailAddressID string
	Description    *string
	DisplayName    *string
}

// Reference is a contact reference: a typed value (URL, NUMBER, STRING,
// DATE, EMAIL or ATTACHMENT).
type Reference struct {
	Value        string
	Type         string
	Status       string
	ARN          string
	StatusReason string
}

// SegmentAttributeValue is the value of a segment attribute: a string, an
// integer, an ARN, a list or a map of values (nil members are absent).
type SegmentAttributeValue struct {
	String  *string
	Integer *int
	ARN     *string
	List    []SegmentAttributeValue
	Map     map[string]SegmentAttributeValue
}

// clone copies v deeply.
func (v SegmentAttributeValue) clone() SegmentAttributeValue {
	if v.List != nil {
		list := make([]SegmentAttributeValue, len(v.List))
		for i, e := range v.List {
			list[i] = e.clone()
		}
		v.List = list
	}
	v.Map = cloneSegments(v.Map)
	return v
}

// cloneSegments copies segment attributes deeply.
func cloneSegments(m map[string]SegmentAttributeValue) map[string]SegmentAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]SegmentAttributeValue, len(m))
	for k, v := range m {
		out[k] = v.clone()
	}
	return out
}

// CreateContactInput is the input of CreateContact.
type CreateContactInput struct {
	InstanceID              string
	ClientToken             ClientToken
	RelatedContactID        string
	Attributes              map[string]string
	References              map[string]Reference
	Channel                 string
	InitiationMethod        string
	ExpiryDurationInMinutes *int
	// UserID is the agent of the contact ("" when none is given).
	UserID            string
	InitiateAs        string
	Name              string
	Description       string
	SegmentAttributes map[string]SegmentAttributeValue
	PreviousContactID string
}

// EmailAddressInfo is an address with a display name, as a request gives it.
type EmailAddressInfo struct {
	EmailAddress string
	DisplayName  string
}

// OutboundRawMessage is the message of a RAW send.
type OutboundRawMessage struct {
	Subject     string
	Body        string
	ContentType string
}

// TemplateAttributes are the values a TEMPLATE send renders its template with.
type TemplateAttributes struct {
	CustomAttributes map[string]string
	// CustomerProfileAttributes is a JSON object of customer profile values, if given.
	CustomerProfileAttributes *string
}

// TemplatedMessageConfig selects the Q in Connect message template of a TEMPLATE send.
type TemplatedMessageConfig struct {
	KnowledgeBaseID    string
	MessageTemplateID  string
	TemplateAttributes TemplateAttributes
}

// Message sources of outbound and inbound email content.
const (
	SourceRaw      = "RAW"
	SourceTemplate = "TEMPLATE"
)

// OutboundEmailContent is the message of a send: RAW or TEMPLATE.
type OutboundEmailContent struct {
	MessageSourceType      string
	TemplatedMessageConfig *TemplatedMessageConfig
	RawMessage             *OutboundRawMessage
}

// OutboundAdditionalRecipients are the CC addresses of a send.
type OutboundAdditionalRecipients struct {
	CcEmailAddresses []EmailAddressInfo
}

// StartOutboundEmailContactInput is the input of StartOutboundEmailContact.
type StartOutboundEmailContactInput struct {
	InstanceID              string
	ContactID               string
	FromEmailAddress        *EmailAddressInfo
	DestinationEmailAddress EmailAddressInfo
	AdditionalRecipients    *OutboundAdditionalRecipients
	EmailMessage            OutboundEmailContent
	ClientToken             ClientToken
}

// StopContactInput is the input of StopContact.
type StopContactInput struct {
	ContactID  string
	InstanceID string
	// DisconnectReason is the reason code given ("" for none).
	DisconnectReason string
}

// InboundRawMessage is the message of StartEmailContact.
type InboundRawMessage struct {
	Subject     string
	Body        string
	ContentType string
	// Headers by EmailHeaderType (MESSAGE_ID, IN_REPLY_TO, REFERENCES, ...).
	Headers map[string]string
}

// InboundEmailContent is the content of StartEmailContact.
type InboundEmailContent struct {
	MessageSourceType string
	RawMessage        *InboundRawMessage
}

// InboundAdditionalRecipients lists the other To and Cc recipients of an inbound email.
type InboundAdditionalRecipients struct {
	ToAddresses []EmailAddressInfo
	CcAddresses []EmailAddressInfo
}

// EmailAttachment is one attachment of an inbound email: a name and a URL to fetch it from.
type EmailAttachment struct {
	FileName string
	S3Url    string
}

// StartEmailContactInput is the input of StartEmailContact.
type StartEmailContactInput struct {
	InstanceID              string
	FromEmailAddress        EmailAddressInfo
	DestinationEmailAddress string
	Description             string
	References              map[string]Reference
	Name                    string
	EmailMessage            InboundEmailContent
	AdditionalRecipients    *InboundAdditionalRecipients
	Attachments             []EmailAttachment
	ContactFlowID           string
	RelatedContactID        string
	Attributes              map[string]string
	SegmentAttributes       map[string]SegmentAttributeValue
	ClientToken             ClientToken
}

// SourceCampaign names the outbound campaign a SendOutboundEmail belongs to.
type SourceCampaign struct {
	CampaignID        string
	OutboundRequestID string
}

// SendOutboundEmailInput is the input of SendOutboundEmail.
type SendOutboundEmailInput struct {
	InstanceID              string
	FromEmailAddress        EmailAddressInfo
	DestinationEmailAddress EmailAddressInfo
	AdditionalRecipients    *OutboundAdditionalRecipients
	EmailMessage            OutboundEmailContent
	TrafficType             string
	SourceCampaign          *SourceCampaign
	ClientToken             ClientToken
}

// EmailAddressAliasInput is the input of AssociateEmailAddressAlias and
// DisassociateEmailAddressAlias: EmailAddressID is the primary address,
// AliasID the alias.
type EmailAddressAliasInput struct {
	InstanceID     string
	EmailAddressID string
	AliasID        string
	ClientToken    ClientToken
}

// UpdateContactAttributesInput is the input of UpdateContactAttributes.
type UpdateContactAttributesInput struct {
	InitialContactID string
	InstanceID       string
	Attributes       map[string]string
}

// ListContactReferencesInput is the input of ListContactReferences.
type ListContactReferencesInput struct {
	InstanceID     string
	ContactID      string
	ReferenceTypes []string
	NextToken      string
}

// ReferenceSummary is one reference of a contact as ListContactReferences
// lists it; Type says which kind (URL, ATTACHMENT, EMAIL_MESSAGE, ...) and
// which of the other members apply.
type ReferenceSummary struct {
	Type   string
	Name   string
	Value  string
	Status string
	ARN    string
}

// ReferencePage is a page of ListContactReferences.
type ReferencePage struct {
	References []ReferenceSummary
	NextToken  string
}

// CreatedByInfo names who created an attached file: exactly one member is set.
type CreatedByInfo struct {
	ConnectUserArn string
	AWSIdentityArn string
}

// StartAttachedFileUploadInput is the input of StartAttachedFileUpload.
type StartAttachedFileUploadInput struct {
	InstanceID            string
	ClientToken           ClientToken
	FileName              string
	FileSizeInBytes       int64
	URLExpiryInSeconds    int
	FileUseCaseType       string
	AssociatedResourceArn string
	CreatedBy             *CreatedByInfo
	Tags                  map[string]string
}

// PresignedURL is a URL to upload or download a file, and when it expires.
type PresignedURL struct {
	URL       string
	URLExpiry time.Time
	// HeadersToInclude must be sent with the request.
	HeadersToInclude map[string]string
}

// FileUpload is the result of StartAttachedFileUpload. (Its member names
// match, ignoring case, the responses earlier versions stored for
// idempotent replay.)
type FileUpload struct {
	FileArn           string
	FileID            string
	CreationTime      time.Time
	FileStatus        string
	CreatedBy         *CreatedByInfo
	UploadURLMetadata *PresignedURL
}

// AttachedFileInput names an attached file: the input of
// CompleteAttachedFileUpload and GetAttachedFile.
type AttachedFileInput struct {
	InstanceID            string
	FileID                string
	AssociatedResourceArn string
	// URLExpiryInSeconds is how long GetAttachedFile's download URL is valid (0: the default).
	URLExpiryInSeconds int
}

// TagResourceInput is the input of TagResource.
type TagResourceInput struct {
	ResourceArn string
	Tags        map[string]string
}

// UntagResourceInput is the input of UntagResource.
type UntagResourceInput struct {
	ResourceArn string
	TagKeys     []string
}

// QueueEmailAddressesInput is the input of AssociateQueueEmailAddresses
// and DisassociateQueueEmailAddresses.
type QueueEmailAddressesInput struct {
	InstanceID       string
	QueueID          string
	EmailAddressesID []string
}

// ListQueueEmailAddressesInput is the input of ListQueueEmailAddresses.
type ListQueueEmailAddressesInput struct {
	InstanceID string
	QueueID    string
	NextToken  string
	MaxResults int
}

// QueueAddress is one email address of a queue.
type QueueAddress struct {
	ID        string
	ARN       string
	IsDefault bool
}

// QueueEmailAddressPage is a page of ListQueueEmailAddresses.
type QueueEmailAddressPage struct {
	Addresses []QueueAddress
	NextToken string
	// LastModified is when a link of the queue last changed and
	// LastModifiedRegion the caller's region; nil when the queue has none.
	LastModified       *time.Time
	LastModifiedRegion string
}

// UpdateQueueOutboundEmailConfigInput is the input of UpdateQueueOutboundEmailConfig.
type UpdateQueueOutboundEmailConfigInput struct {
	InstanceID string
	QueueID    string
	// OutboundEmailAddressID is the default outbound address ("" for none).
	OutboundEmailAddressID string
}
