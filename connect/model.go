// Package connect is the domain of connectmail's Amazon Connect email channel:
// instances, email addresses, email contacts, their messages, delivery jobs and
// events. It validates requests beyond the model's constraints, enforces the
// contact lifecycle and idempotency, and persists through a Store.
//
// Contact lifecycle (email):
//
//	CREATED --StartOutboundEmailContact--> QUEUED --relay accepts--> SENT
//	                                          |----capture mode----> CAPTURED
//	                                          |----5xx / max age---> FAILED
//	CREATED|QUEUED --StopContact--> STOPPED
//
// INBOUND/API contacts (StartEmailContact) are created RECEIVED.
package connect

import (
	"encoding/json"
	"time"
)

// State is where an email contact is in its lifecycle.
type State string

// Contact states.
const (
	StateCreated  State = "CREATED"
	StateQueued   State = "QUEUED"
	StateSent     State = "SENT"
	StateCaptured State = "CAPTURED"
	StateFailed   State = "FAILED"
	StateStopped  State = "STOPPED"
	StateReceived State = "RECEIVED"
)

// Terminal reports whether no further transition can happen.
func (s State) Terminal() bool {
	switch s {
	case StateSent, StateCaptured, StateFailed, StateStopped:
		return true
	}
	return false
}

// Disconnect reasons recorded on contacts (DescribeContact DisconnectReason).
const (
	ReasonDelivered       = "EMAIL_DELIVERED"
	ReasonCaptured        = "EMAIL_CAPTURED"
	ReasonBounced         = "EMAIL_BOUNCED"
	ReasonExpired         = "EMAIL_DELIVERY_EXPIRED"
	ReasonSuppressed      = "EMAIL_SUPPRESSED"
	ReasonStopped         = "CONTACT_STOPPED"
	ReasonStoppedByReason = "CONTACT_STOPPED_WITH_REASON"
)

// Instance is an Amazon Connect instance.
type Instance struct {
	ID                     string
	ARN                    string
	Alias                  string
	IdentityManagementType string
	DirectoryID            string
	InboundCallsEnabled    bool
	OutboundCallsEnabled   bool
	Status                 string
	CreatedAt              time.Time
	Tags                   map[string]string
}

// EmailAddress is an email address resource of an instance.
type EmailAddress struct {
	ID          string
	ARN         string
	InstanceID  string
	Address     string
	DisplayName string
	Description string
	// AliasOf is the id of the primary address this one is an alias of ("" if none).
	AliasOf    string
	CreatedAt  time.Time
	ModifiedAt time.Time
	Tags       map[string]string
}

// Endpoint is an email address with an optional display name.
type Endpoint struct {
	Address     string
	DisplayName string
}

// Contact is one email contact.
type Contact struct {
	ID                string
	ARN               string
	InstanceID        string
	Channel           string
	InitiationMethod  string
	RelatedContactID  string
	PreviousContactID string
	InitialContactID  string
	Name              string
	Description       string
	AgentID           string
	Attributes        map[string]string
	// References are the contact's references by name.
	References        map[string]Reference
	SegmentAttributes map[string]SegmentAttributeValue
	ExpiryMinutes     int
	State             State
	InitiatedAt       time.Time
	UpdatedAt         time.Time
	DisconnectedAt    time.Time
	DisconnectReason  string
	// Email fields, set when the message is started or received.
	From      Endpoint
	To        Endpoint
	ToList    []Endpoint
	Cc        []Endpoint
	Subject   string
	MessageID string
	// Source says what produced the body: RAW, TEMPLATE or INBOUND.
	Source string
	// TemplateRef names the template sent ("kb/template:qualifier") and NotInterpolated lists unresolved placeholders.
	TemplateRef     string
	NotInterpolated []string
	Tags            map[string]string
}

// Inbound reports whether the customer wrote the contact's message: it
// was received by inbound SMTP (INBOUND) or StartEmailContact (API).
func (c *Contact) Inbound() bool {
	return c.InitiationMethod == "INBOUND" || c.InitiationMethod == "API"
}

// Customer is the contact's customer: the sender (From) of an inbound
// contact, the destination (To) of every other one.
func (c *Contact) Customer() Endpoint {
	if c.Inbound() {
		return c.From
	}
	return c.To
}

// Message is the composed RFC 5322 message of a contact.
type Message struct {
	ContactID  string
	InstanceID string
	// EnvelopeFrom and Recipients are the SMTP envelope.
	EnvelopeFrom string
	Recipients   []string
	Raw          []byte
}

// Event is one contact or delivery event, stored and published.
type Event struct {
	ID         int64
	ContactID  string
	InstanceID string
	Type       string
	Time       time.Time
	Detail     json.RawMessage
}

// Contact event types (Amazon Connect contact events) and delivery event types.
const (
	EventInitiated          = "INITIATED"
	EventQueued             = "QUEUED"
	EventDisconnected       = "DISCONNECTED"
	EventCompleted          = "COMPLETED"
	EventContactDataUpdated = "CONTACT_DATA_UPDATED"
	EventSent               = "EMAIL_SENT"
	EventCaptured           = "EMAIL_CAPTURED"
	EventDeferred           = "EMAIL_DEFERRED"
	EventBounced            = "EMAIL_BOUNCED"
	EventSuppressed         = "EMAIL_SUPPRESSED"
	EventExpired            = "EMAIL_EXPIRED"
)

// Idem is an idempotency record written in the same transaction as the operation.
type Idem struct {
	Op       string
	Token    string
	Hash     string
	Response []byte
}

// Replayed is returned by a Store when an idempotency record with the same
// token and hash already exists; Response is the stored response.
type Replayed struct{ Response []byte }

// Error implements error.
func (r *Replayed) Error() string { return "idempotent replay" }

// Outbound is everything StartOutboundEmailContact commits at once.
type Outbound struct {
	Contact *Contact
	Message Message
	Events  []Event
	Idem    *Idem
	// LeaseUntil, when set, commits the delivery job already claimed by this
	// process until then, as attempt 1, because the job is handed to the
	// local worker in memory (see Handoff) instead of being claimed from
	// the store. Other processes are not told about it; once the lease
	// ends without an outcome the job is due again for any of them.
	LeaseUntil time.Time
}

// ContactFilter selects contacts for the inspection API.
type ContactFilter struct {
	InstanceID string
	State      State
	// Address matches the From or the To address (any case).
	Address string
	// Customer matches the customer address (any case) as Contact.Customer
	// defines it: From of inbound contacts, To of the others.
	Customer string
	// RelatedContactID matches the contacts whose RelatedContactID is this id.
	RelatedContactID string
	Query            string
	// Before is a cursor: return contacts older than this contact id's position.
	Before string
	Limit  int
}

// ContactPage is a page of contacts, newest first.
type ContactPage struct {
	Contacts []*Contact
	Next     string
}

// Suppression is an address that mail is not sent to.
type Suppression struct {
	Address   string
	Reason    string
	ContactID string
	CreatedAt time.Time
	// ExpiresAt is when the entry lapses (zero: never).
	ExpiresAt time.Time
}
