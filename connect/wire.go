package connect

import "encoding/json"

// The request and response types below carry the restJson1 member names of the
// Connect API, so the API layer decodes into and encodes from them directly.
// Members bound to the URI or query string are tagged json:"-" and set by the API layer.

// CreateInstanceInput is the CreateInstance request.
type CreateInstanceInput struct {
	ClientToken            string            `json:"ClientToken"`
	IdentityManagementType string            `json:"IdentityManagementType"`
	InstanceAlias          string            `json:"InstanceAlias"`
	DirectoryID            string            `json:"DirectoryId"`
	InboundCallsEnabled    bool              `json:"InboundCallsEnabled"`
	OutboundCallsEnabled   bool              `json:"OutboundCallsEnabled"`
	Tags                   map[string]string `json:"Tags"`
}

// CreateInstanceOutput is the CreateInstance response.
type CreateInstanceOutput struct {
	ID  string `json:"Id"`
	ARN string `json:"Arn"`
}

// InstanceView is the Instance shape.
type InstanceView struct {
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

// DescribeInstanceOutput is the DescribeInstance response.
type DescribeInstanceOutput struct {
	Instance InstanceView `json:"Instance"`
}

// ListInstancesOutput is the ListInstances response.
type ListInstancesOutput struct {
	InstanceSummaryList []InstanceView `json:"InstanceSummaryList"`
	NextToken           string         `json:"NextToken,omitempty"`
}

// CreateEmailAddressInput is the CreateEmailAddress request.
type CreateEmailAddressInput struct {
	InstanceID   string            `json:"-"`
	Description  string            `json:"Description"`
	EmailAddress string            `json:"EmailAddress"`
	DisplayName  string            `json:"DisplayName"`
	Tags         map[string]string `json:"Tags"`
	ClientToken  string            `json:"ClientToken"`
}

// EmailAddressRef is the {EmailAddressId, EmailAddressArn} response of create and update.
type EmailAddressRef struct {
	EmailAddressID  string `json:"EmailAddressId"`
	EmailAddressARN string `json:"EmailAddressArn"`
}

// AliasConfiguration names an alias email address.
type AliasConfiguration struct {
	EmailAddressID string `json:"EmailAddressId"`
}

// DescribeEmailAddressOutput is the DescribeEmailAddress response.
type DescribeEmailAddressOutput struct {
	EmailAddressID      string               `json:"EmailAddressId"`
	EmailAddressARN     string               `json:"EmailAddressArn"`
	EmailAddress        string               `json:"EmailAddress"`
	DisplayName         string               `json:"DisplayName,omitempty"`
	Description         string               `json:"Description,omitempty"`
	CreateTimestamp     string               `json:"CreateTimestamp"`
	ModifiedTimestamp   string               `json:"ModifiedTimestamp"`
	AliasConfigurations []AliasConfiguration `json:"AliasConfigurations"`
	Tags                map[string]string    `json:"Tags,omitempty"`
}

// StringCondition is one string condition of a search.
type StringCondition struct {
	FieldName      string `json:"FieldName"`
	Value          string `json:"Value"`
	ComparisonType string `json:"ComparisonType"`
}

// EmailAddressSearchCriteria is the recursive search criteria.
type EmailAddressSearchCriteria struct {
	OrConditions    []EmailAddressSearchCriteria `json:"OrConditions"`
	AndConditions   []EmailAddressSearchCriteria `json:"AndConditions"`
	StringCondition *StringCondition             `json:"StringCondition"`
}

// TagCondition is one tag key/value condition.
type TagCondition struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

// TagFilter filters by tags.
type TagFilter struct {
	OrConditions  [][]TagCondition `json:"OrConditions"`
	AndConditions []TagCondition   `json:"AndConditions"`
	TagCondition  *TagCondition    `json:"TagCondition"`
}

// SearchEmailAddressesInput is the SearchEmailAddresses request.
type SearchEmailAddressesInput struct {
	InstanceID     string                      `json:"InstanceId"`
	MaxResults     int                         `json:"MaxResults"`
	NextToken      string                      `json:"NextToken"`
	SearchCriteria *EmailAddressSearchCriteria `json:"SearchCriteria"`
	SearchFilter   *struct {
		TagFilter *TagFilter `json:"TagFilter"`
	} `json:"SearchFilter"`
}

// EmailAddressMetadata is one search result.
type EmailAddressMetadata struct {
	EmailAddressID      string               `json:"EmailAddressId"`
	EmailAddressARN     string               `json:"EmailAddressArn"`
	EmailAddress        string               `json:"EmailAddress"`
	Description         string               `json:"Description,omitempty"`
	DisplayName         string               `json:"DisplayName,omitempty"`
	AliasConfigurations []AliasConfiguration `json:"AliasConfigurations"`
}

// SearchEmailAddressesOutput is the SearchEmailAddresses response.
type SearchEmailAddressesOutput struct {
	NextToken             string                 `json:"NextToken,omitempty"`
	EmailAddresses        []EmailAddressMetadata `json:"EmailAddresses"`
	ApproximateTotalCount int64                  `json:"ApproximateTotalCount"`
}

// UpdateEmailAddressMetadataInput is the UpdateEmailAddressMetadata request.
type UpdateEmailAddressMetadataInput struct {
	InstanceID     string  `json:"-"`
	EmailAddressID string  `json:"-"`
	Description    *string `json:"Description"`
	DisplayName    *string `json:"DisplayName"`
	ClientToken    string  `json:"ClientToken"`
}

// Reference is a contact reference.
type Reference struct {
	Value        string `json:"Value,omitempty"`
	Type         string `json:"Type"`
	Status       string `json:"Status,omitempty"`
	Arn          string `json:"Arn,omitempty"`
	StatusReason string `json:"StatusReason,omitempty"`
}

// CreateContactInput is the CreateContact request.
type CreateContactInput struct {
	InstanceID              string               `json:"InstanceId"`
	ClientToken             string               `json:"ClientToken"`
	RelatedContactID        string               `json:"RelatedContactId"`
	Attributes              map[string]string    `json:"Attributes"`
	References              map[string]Reference `json:"References"`
	Channel                 string               `json:"Channel"`
	InitiationMethod        string               `json:"InitiationMethod"`
	ExpiryDurationInMinutes *int                 `json:"ExpiryDurationInMinutes"`
	UserInfo                *struct {
		UserID string `json:"UserId"`
	} `json:"UserInfo"`
	InitiateAs        string          `json:"InitiateAs"`
	Name              string          `json:"Name"`
	Description       string          `json:"Description"`
	SegmentAttributes json.RawMessage `json:"SegmentAttributes"`
	PreviousContactID string          `json:"PreviousContactId"`
}

// CreateContactOutput is the CreateContact response.
type CreateContactOutput struct {
	ContactID  string `json:"ContactId"`
	ContactARN string `json:"ContactArn"`
}

// EmailAddressInfo is an address with a display name, as in StartOutboundEmailContact.
type EmailAddressInfo struct {
	EmailAddress string `json:"EmailAddress"`
	DisplayName  string `json:"DisplayName,omitempty"`
}

// OutboundRawMessage is a RAW message.
type OutboundRawMessage struct {
	Subject     string `json:"Subject"`
	Body        string `json:"Body"`
	ContentType string `json:"ContentType"`
}

// TemplateAttributes are the attributes of a TEMPLATE message.
type TemplateAttributes struct {
	CustomAttributes          map[string]string `json:"CustomAttributes"`
	CustomerProfileAttributes *string           `json:"CustomerProfileAttributes"`
}

// TemplatedMessageConfig selects a Q in Connect message template.
type TemplatedMessageConfig struct {
	KnowledgeBaseID    string             `json:"KnowledgeBaseId"`
	MessageTemplateID  string             `json:"MessageTemplateId"`
	TemplateAttributes TemplateAttributes `json:"TemplateAttributes"`
}

// OutboundEmailContent is the EmailMessage member.
type OutboundEmailContent struct {
	MessageSourceType      string                  `json:"MessageSourceType"`
	TemplatedMessageConfig *TemplatedMessageConfig `json:"TemplatedMessageConfig"`
	RawMessage             *OutboundRawMessage     `json:"RawMessage"`
}

// StartOutboundEmailContactInput is the StartOutboundEmailContact request.
type StartOutboundEmailContactInput struct {
	InstanceID              string            `json:"InstanceId"`
	ContactID               string            `json:"ContactId"`
	FromEmailAddress        *EmailAddressInfo `json:"FromEmailAddress"`
	DestinationEmailAddress EmailAddressInfo  `json:"DestinationEmailAddress"`
	AdditionalRecipients    *struct {
		CcEmailAddresses []EmailAddressInfo `json:"CcEmailAddresses"`
	} `json:"AdditionalRecipients"`
	EmailMessage OutboundEmailContent `json:"EmailMessage"`
	ClientToken  string               `json:"ClientToken"`
}

// StartOutboundEmailContactOutput is the StartOutboundEmailContact response.
type StartOutboundEmailContactOutput struct {
	ContactID string `json:"ContactId"`
}

// StopContactInput is the StopContact request.
type StopContactInput struct {
	ContactID        string `json:"ContactId"`
	InstanceID       string `json:"InstanceId"`
	DisconnectReason *struct {
		Code string `json:"Code"`
	} `json:"DisconnectReason"`
}

// EndpointInfo is the EndpointInfo shape.
type EndpointInfo struct {
	Type        string `json:"Type"`
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// EmailRecipient is one additional recipient.
type EmailRecipient struct {
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// AdditionalEmailRecipients lists To and Cc recipients beyond the customer endpoint.
type AdditionalEmailRecipients struct {
	ToList []EmailRecipient `json:"ToList,omitempty"`
	CcList []EmailRecipient `json:"CcList,omitempty"`
}

// ContactView is the Contact shape of DescribeContact.
type ContactView struct {
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
	InitiationTimestamp       float64                    `json:"InitiationTimestamp"`
	DisconnectTimestamp       *float64                   `json:"DisconnectTimestamp,omitempty"`
	LastUpdateTimestamp       float64                    `json:"LastUpdateTimestamp"`
	RelatedContactID          string                     `json:"RelatedContactId,omitempty"`
	CustomerEndpoint          *EndpointInfo              `json:"CustomerEndpoint,omitempty"`
	SystemEndpoint            *EndpointInfo              `json:"SystemEndpoint,omitempty"`
	AdditionalEmailRecipients *AdditionalEmailRecipients `json:"AdditionalEmailRecipients,omitempty"`
	SegmentAttributes         map[string]json.RawMessage `json:"SegmentAttributes,omitempty"`
	DisconnectReason          string                     `json:"DisconnectReason,omitempty"`
	Attributes                map[string]string          `json:"Attributes,omitempty"`
	Tags                      map[string]string          `json:"Tags,omitempty"`
}

// DescribeContactOutput is the DescribeContact response.
type DescribeContactOutput struct {
	Contact ContactView `json:"Contact"`
}
