package connect

import (
	"context"

	"github.com/connectmail/connectmail/fault"
)

// The stores of the aggregates the Service persists. Every method is
// atomic. Methods return the bare errors below (ErrInstanceNotFound...)
// for those conditions, which the Service words for the caller
// (fault.Word), and *Replayed when an Idem with the same token and hash
// was already committed (a different hash gives ErrTokenReused). Both engines implement every one (the sqlstore
// package holds their shared SQL); the storetest suite has one section
// per store.
//
// The other stored aggregates are declared by the packages that use them:
// the delivery queue and suppressions by delivery (Queue,
// SuppressionList), the event log and cursors by events (Log, Cursors),
// the inspection API's reads by inspect, templates by template.

// The bare errors the stores return, one per condition, with the kind (and
// the resource type a NotFound names) the wire needs and no message: the
// Service words each where it calls the store.
var (
	ErrInstanceNotFound     error = &fault.Error{Kind: fault.NotFound, Resource: "Instance"}
	ErrAliasInUse           error = &fault.Error{Kind: fault.Duplicate}
	ErrEmailAddressNotFound error = &fault.Error{Kind: fault.NotFound, Resource: "EmailAddress"}
	ErrEmailAddressExists   error = &fault.Error{Kind: fault.Duplicate}
	ErrContactNotFound      error = &fault.Error{Kind: fault.NotFound, Resource: "Contact"}
	ErrContactExists        error = &fault.Error{Kind: fault.Duplicate}
	// ErrContactState: the stored contact is not in the expected state.
	ErrContactState error = &fault.Error{Kind: fault.Conflict}
	// ErrContactStarted: StartOutbound found the contact already started.
	ErrContactStarted  error = &fault.Error{Kind: fault.Conflict}
	ErrMessageNotFound error = &fault.Error{Kind: fault.NotFound, Resource: "Message"}
	ErrFileNotFound    error = &fault.Error{Kind: fault.NotFound, Resource: "File"}
	// ErrFileNoData: the file exists but nothing was uploaded.
	ErrFileNoData error = &fault.Error{Kind: fault.NotFound, Resource: "File"}
	// ErrFileStatus: the file's status is not the one the write expects.
	ErrFileStatus error = &fault.Error{Kind: fault.Conflict}
	// ErrTokenReused: an Idem's token was committed with another hash.
	ErrTokenReused error = &fault.Error{Kind: fault.Idempotency}
	// ErrNotTaggable: a ResourceRef's type is not tagged through ModifyTags.
	ErrNotTaggable error = &fault.Error{Kind: fault.Invalid}
)

// Stores are the stores the Service uses, one per aggregate (a store
// engine's value usually implements them all).
type Stores struct {
	Instances      InstanceStore
	EmailAddresses EmailAddressStore
	Contacts       ContactStore
	Files          FileStore
	QueueAddresses QueueAddressStore
	Tags           TagStore
}

// StoresOf returns v as each of the stores it implements (the others are
// nil; see Complete). A store engine's value implements them all.
func StoresOf(v any) Stores {
	var st Stores
	st.Instances, _ = v.(InstanceStore)
	st.EmailAddresses, _ = v.(EmailAddressStore)
	st.Contacts, _ = v.(ContactStore)
	st.Files, _ = v.(FileStore)
	st.QueueAddresses, _ = v.(QueueAddressStore)
	st.Tags, _ = v.(TagStore)
	return st
}

// Complete reports whether every store is set.
func (st Stores) Complete() bool {
	return st.Instances != nil && st.EmailAddresses != nil && st.Contacts != nil && st.Files != nil && st.QueueAddresses != nil && st.Tags != nil
}

// InstanceStore persists instances.
type InstanceStore interface {
	CreateInstance(ctx context.Context, in *Instance, idem *Idem) error
	GetInstance(ctx context.Context, id string) (*Instance, error)

	// ListInstances returns up to limit instances ordered by id, after the given id.
	ListInstances(ctx context.Context, after string, limit int) ([]*Instance, error)

	// DeleteInstance removes an instance and everything in it.
	DeleteInstance(ctx context.Context, id string) error
}

// EmailAddressStore persists the email addresses of instances.
type EmailAddressStore interface {
	// CreateEmailAddress fails with Duplicate when the address (case-insensitive) exists.
	CreateEmailAddress(ctx context.Context, e *EmailAddress) error
	GetEmailAddress(ctx context.Context, instanceID, id string) (*EmailAddress, error)

	// FindEmailAddress looks an address up case-insensitively within an instance.
	FindEmailAddress(ctx context.Context, instanceID, address string) (*EmailAddress, error)

	// LookupEmailAddress finds an address case-insensitively in whichever
	// instance has it (an address belongs to one instance at most), with
	// one indexed read. NotFound when no instance has it.
	LookupEmailAddress(ctx context.Context, address string) (*EmailAddress, error)

	// ListEmailAddresses returns an instance's addresses ordered by creation.
	ListEmailAddresses(ctx context.Context, instanceID string) ([]*EmailAddress, error)
	UpdateEmailAddress(ctx context.Context, e *EmailAddress) error
	DeleteEmailAddress(ctx context.Context, instanceID, id string) error

	// ModifyEmailAddresses loads every email address of the instance (in
	// creation order) inside a transaction, calls fn with them, and stores
	// the AliasOf, Tags and ModifiedAt of the addresses fn returns. idem is
	// checked and recorded in the same transaction (*Replayed, or
	// fault.Idempotency, as for CreateInstance). An error from fn aborts.
	ModifyEmailAddresses(ctx context.Context, instanceID string, idem *Idem, fn func(all []*EmailAddress) (changed []*EmailAddress, err error)) error
}

// ContactStore persists contacts, their messages and events, and queues their delivery jobs.
type ContactStore interface {
	// CreateContact inserts a contact with its events.
	CreateContact(ctx context.Context, c *Contact, events []Event, idem *Idem) error

	// CreateContactMessage inserts o.Contact, a new contact, together with
	// o.Message, o.Events and o.Idem in one transaction. When queue is set a
	// delivery job for the message is queued too, due at o.Contact.UpdatedAt,
	// exactly as StartOutbound queues one. Idempotency as for CreateContact:
	// *Replayed when o.Idem's token and hash were committed before.
	CreateContactMessage(ctx context.Context, o *Outbound, queue bool) error

	// GetContact loads a contact; an empty instanceID matches any instance.
	GetContact(ctx context.Context, instanceID, id string) (*Contact, error)

	// UpdateContact overwrites mutable fields (attributes, state...) guarded by the expected state
	// (Conflict if the stored state differs), and appends events.
	UpdateContact(ctx context.Context, c *Contact, expect State, events []Event) error

	// ModifyContact loads a contact of the instance inside a transaction,
	// calls fn with it, and stores the contact's Attributes, Tags and
	// UpdatedAt as fn left them, together with the events fn returns. An
	// error from fn aborts the transaction and is returned as is. NotFound
	// when the contact does not exist.
	ModifyContact(ctx context.Context, instanceID, id string, fn func(c *Contact) ([]Event, error)) error

	// StartOutbound moves a CREATED contact to QUEUED and commits its message,
	// delivery job, events and idempotency record together.
	StartOutbound(ctx context.Context, o *Outbound) error

	// ListContacts pages contacts newest first.
	ListContacts(ctx context.Context, f ContactFilter) (*ContactPage, error)
	GetMessage(ctx context.Context, contactID string) (*Message, error)
}

// FileStore persists attached files.
type FileStore interface {
	// CreateFile inserts an attached file (without data). Inside the same
	// transaction it counts the files with the same InstanceID and
	// AssociatedResourceARN: if one more file, or the sum of their sizes plus
	// f.Size, would exceed limits (limits.Check) it fails with
	// ErrTooManyFiles or ErrFilesTooLarge. Idempotency
	// as for CreateInstance.
	CreateFile(ctx context.Context, f *File, limits FileLimits, idem *Idem) error

	// GetFile loads an attached file's metadata (NotFound if absent).
	GetFile(ctx context.Context, instanceID, id string) (*File, error)

	// ListFiles returns the files of an instance associated with a resource
	// ARN, oldest first, metadata only.
	ListFiles(ctx context.Context, instanceID, associatedARN string) ([]*File, error)

	// PutFileData stores a file's content, replacing an earlier upload, as
	// long as the file is PROCESSING (Conflict otherwise; NotFound if absent).
	PutFileData(ctx context.Context, instanceID, id string, data []byte) error

	// FileData returns a file's content (NotFound if the file does not exist
	// or nothing was uploaded).
	FileData(ctx context.Context, instanceID, id string) ([]byte, error)

	// SetFileStatus moves a file from one status to another (Conflict when
	// its status is not from; NotFound if absent).
	SetFileStatus(ctx context.Context, instanceID, id, from, to string) error
}

// QueueAddressStore persists the email addresses linked to queues.
type QueueAddressStore interface {
	// ModifyQueueEmailAddresses loads the email addresses linked to a queue
	// (in link order) inside a transaction, calls fn, and replaces them with
	// what fn returns, which must list each address once (the Service's
	// rules never list one twice; the stored key refuses it). An error from
	// fn aborts the transaction.
	ModifyQueueEmailAddresses(ctx context.Context, instanceID, queueID string, fn func(cur []QueueEmailAddress) ([]QueueEmailAddress, error)) error

	// ListQueueEmailAddresses returns the addresses linked to a queue, in
	// link order; with queueID "" those of every queue of the instance,
	// ordered by queue id then link order. Links to deleted email addresses
	// are not returned.
	ListQueueEmailAddresses(ctx context.Context, instanceID, queueID string) ([]QueueEmailAddress, error)
}

// TagStore persists the tags of instances, email addresses and files.
type TagStore interface {
	// ModifyTags loads the tags of an instance, email address or file inside
	// a transaction, calls fn with a copy, and stores what fn returns (nil or
	// empty: no tags). NotFound when the resource does not exist. Contacts
	// are tagged through ModifyContact.
	ModifyTags(ctx context.Context, ref ResourceRef, fn func(tags map[string]string) (map[string]string, error)) error
}

// The wording of the stores' bare errors, for the calls that pass them on.

// instanceErr words a store's bare errors about instance id.
func instanceErr(err error, id string) error {
	return fault.Word(err, ErrInstanceNotFound, "instance %s not found", id)
}

// emailErr words a store's bare errors about the email address what (an
// id or an address).
func emailErr(err error, what string) error {
	err = fault.Word(err, ErrEmailAddressNotFound, "email address %s not found", what)
	return fault.Word(err, ErrEmailAddressExists, "email address %s exists", what)
}

// contactErr words a store's bare errors about contact id.
func contactErr(err error, id string) error {
	err = fault.Word(err, ErrContactNotFound, "contact %s not found", id)
	err = fault.Word(err, ErrContactExists, "contact %s exists", id)
	err = fault.Word(err, ErrContactStarted, "contact %s was already started", id)
	return fault.Word(err, ErrMessageNotFound, "no message for contact %s", id)
}

// fileErr words a store's bare errors about file id.
func fileErr(err error, id string) error {
	err = fault.Word(err, ErrFileNotFound, "file %s not found", id)
	return fault.Word(err, ErrFileNoData, "no data for file %s", id)
}

// tokenErr words ErrTokenReused for the client token token.
func tokenErr(err error, token string) error {
	return fault.Word(err, ErrTokenReused, "The ClientToken %s was already used with different request parameters", token)
}
