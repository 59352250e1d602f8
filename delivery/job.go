package delivery

import (
	"time"

	"github.com/connectmail/connectmail/connect"
)

// The delivery queue's values: what the worker claims (Job), what it
// records of each try (Attempt) and reports when one ends (Outcome). The
// Queue stores them; connect only commits the first job of a message,
// through Tx.AddJob in the stores and Handoff in memory (see JobOf).

// Job is a delivery job claimed by a worker.
type Job struct {
	ContactID  string
	InstanceID string
	Attempts   int
	CreatedAt  time.Time
	Message    connect.Message
	// LeaseUntil is when the claim on a handed-over job ends (zero for a
	// job claimed from the store).
	LeaseUntil time.Time
}

// Attempt is the record of one delivery attempt.
type Attempt struct {
	ContactID  string
	N          int
	StartedAt  time.Time
	FinishedAt time.Time
	// Outcome is one of sent, captured, deferred, bounced, expired, suppressed.
	Outcome string
	Code    int
	Detail  string
	// Class is ClassConfig when the attempt failed because of how the relay
	// is configured (its TLS certificate is not trusted, the credentials are
	// refused), "" otherwise.
	Class string
}

// ClassConfig is the Attempt.Class of a configuration error.
const ClassConfig = "config"

// Outcome is what a worker reports after an attempt.
type Outcome struct {
	Job     *Job
	Attempt Attempt
	// Final says the job is finished; otherwise it is retried at RetryAt.
	Final   bool
	RetryAt time.Time
	// State and Reason are the contact's new state and disconnect reason when Final.
	State  connect.State
	Reason string
	// Raw, when set, replaces the stored message: in capture mode the message
	// is kept exactly as it would have been sent, DKIM signature included.
	Raw    []byte
	Events []connect.Event
}

// JobOf returns the delivery job that committing o queues, as the worker
// would have claimed it: attempt 1, with the message.
func JobOf(o *connect.Outbound) *Job {
	m := o.Message
	m.ContactID, m.InstanceID = o.Contact.ID, o.Contact.InstanceID
	return &Job{ContactID: o.Contact.ID, InstanceID: o.Contact.InstanceID, Attempts: 1, CreatedAt: o.Contact.UpdatedAt, Message: m, LeaseUntil: o.LeaseUntil}
}
