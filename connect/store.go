package connect

import (
	"context"
	"time"
)

// Store persists the domain. Every method is atomic. Methods return *fault.Error
// values of kind NotFound, Duplicate or Conflict for those conditions, and
// *Replayed when an Idem with the same token and hash was already committed
// (a different hash gives fault.Idempotency).
type Store interface {
	CreateInstance(ctx context.Context, in *Instance, idem *Idem) error
	GetInstance(ctx context.Context, id string) (*Instance, error)
	// ListInstances returns up to limit instances ordered by id, after the given id.
	ListInstances(ctx context.Context, after string, limit int) ([]*Instance, error)
	// DeleteInstance removes an instance and everything in it.
	DeleteInstance(ctx context.Context, id string) error

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

	// CreateContact inserts a contact with its events.
	CreateContact(ctx context.Context, c *Contact, events []Event, idem *Idem) error
	// GetContact loads a contact; an empty instanceID matches any instance.
	GetContact(ctx context.Context, instanceID, id string) (*Contact, error)
	// UpdateContact overwrites mutable fields (attributes, state...) guarded by the expected state
	// (Conflict if the stored state differs), and appends events.
	UpdateContact(ctx context.Context, c *Contact, expect State, events []Event) error
	// StartOutbound moves a CREATED contact to QUEUED and commits its message,
	// delivery job, events and idempotency record together.
	StartOutbound(ctx context.Context, o *Outbound) error
	// ListContacts pages contacts newest first.
	ListContacts(ctx context.Context, f ContactFilter) (*ContactPage, error)
	GetMessage(ctx context.Context, contactID string) (*Message, error)
	ListEvents(ctx context.Context, contactID string) ([]Event, error)
	ListAttempts(ctx context.Context, contactID string) ([]Attempt, error)

	// ClaimJobs leases up to limit due jobs to the caller until now+lease.
	ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Job, error)
	// NextJobAt reports when the earliest queued job becomes due (ok=false if none).
	NextJobAt(ctx context.Context) (t time.Time, ok bool, err error)
	// FinishAttempts records outcomes: attempt rows, job state, contact state,
	// events, and the message bytes of outcomes that carry Raw.
	FinishAttempts(ctx context.Context, outs []Outcome) error
	// ReleaseLeases makes the jobs leased by processes that are gone due now
	// (for a single-process store: every leased job), returning how many.
	ReleaseLeases(ctx context.Context, now time.Time) (int, error)
	// QueueDepth counts jobs not yet finished.
	QueueDepth(ctx context.Context) (int, error)

	// ListEventsSince returns up to limit events with id > after, in id order.
	ListEventsSince(ctx context.Context, after int64, limit int) ([]Event, error)
	// LastEventID is the highest stored event id (0 if none).
	LastEventID(ctx context.Context) (int64, error)
	// Cursor reads a named position in the event log (0 if unset); SetCursor moves it forward only.
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, id int64) error

	// Suppressed returns the active suppression entries among addresses (case-insensitive).
	Suppressed(ctx context.Context, addresses []string, now time.Time) (map[string]Suppression, error)
	// Suppress adds or replaces entries.
	Suppress(ctx context.Context, entries []Suppression) error
	// ListSuppressions pages the list ordered by address, after the given address.
	ListSuppressions(ctx context.Context, after string, limit int) ([]Suppression, error)
	// Unsuppress removes an address (NotFound if absent).
	Unsuppress(ctx context.Context, address string) error

	// ---- The email surface beyond the spine (wire_email.go) ----

	// CreateContactMessage inserts o.Contact, a new contact, together with
	// o.Message, o.Events and o.Idem in one transaction. When queue is set a
	// delivery job for the message is queued too, due at o.Contact.UpdatedAt,
	// exactly as StartOutbound queues one. Idempotency as for CreateContact:
	// *Replayed when o.Idem's token and hash were committed before.
	CreateContactMessage(ctx context.Context, o *Outbound, queue bool) error
	// ModifyContact loads a contact of the instance inside a transaction,
	// calls fn with it, and stores the contact's Attributes, Tags and
	// UpdatedAt as fn left them, together with the events fn returns. An
	// error from fn aborts the transaction and is returned as is. NotFound
	// when the contact does not exist.
	ModifyContact(ctx context.Context, instanceID, id string, fn func(c *Contact) ([]Event, error)) error
	// ModifyEmailAddresses loads every email address of the instance (in
	// creation order) inside a transaction, calls fn with them, and stores
	// the AliasOf, Tags and ModifiedAt of the addresses fn returns. idem is
	// checked and recorded in the same transaction (*Replayed, or
	// fault.Idempotency, as for CreateInstance). An error from fn aborts.
	ModifyEmailAddresses(ctx context.Context, instanceID string, idem *Idem, fn func(all []*EmailAddress) (changed []*EmailAddress, err error)) error
	// ModifyTags loads the tags of an instance, email address or file inside
	// a transaction, calls fn with a copy, and stores what fn returns (nil or
	// empty: no tags). NotFound when the resource does not exist. Contacts
	// are tagged through ModifyContact.
	ModifyTags(ctx context.Context, ref ResourceRef, fn func(tags map[string]string) (map[string]string, error)) error

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

	// ModifyQueueEmailAddresses loads the email addresses linked to a queue
	// (in link order) inside a transaction, calls fn, and replaces them with
	// what fn returns. An error from fn aborts the transaction.
	ModifyQueueEmailAddresses(ctx context.Context, instanceID, queueID string, fn func(cur []QueueEmailAddress) ([]QueueEmailAddress, error)) error
	// ListQueueEmailAddresses returns the addresses linked to a queue, in
	// link order; with queueID "" those of every queue of the instance,
	// ordered by queue id then link order. Links to deleted email addresses
	// are not returned.
	ListQueueEmailAddresses(ctx context.Context, instanceID, queueID string) ([]QueueEmailAddress, error)

	Close() error
}
