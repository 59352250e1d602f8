// Package fault is the project's one vocabulary of failures. Domain packages
// return *Error values carrying a Kind; the API layer maps each Kind to the
// exception shape of the service being called, in one table.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies a failure independently of the wire protocol.
type Kind int

// The kinds of failure a domain operation can report.
const (
	// Internal is an unexpected failure inside connectmail.
	Internal Kind = iota
	// Invalid means the request is malformed or breaks a rule.
	Invalid
	// InvalidParameter means one parameter is not acceptable (Connect distinguishes it).
	InvalidParameter
	// NotFound means a named resource does not exist.
	NotFound
	// Duplicate means a resource with the same identity already exists.
	Duplicate
	// Idempotency means a client token was reused with different parameters.
	Idempotency
	// Conflict means the resource's state does not allow the operation.
	Conflict
	// ResourceConflict means another resource depends on or collides with this one.
	ResourceConflict
	// Quota means a service quota would be exceeded.
	Quota
	// AccessDenied means the caller may not perform the operation.
	AccessDenied
	// Throttled means the caller is sending too fast.
	Throttled
	// Gone means the contact is no longer there (Connect's ContactNotFoundException).
	Gone
)

var kindNames = [...]string{"Internal", "Invalid", "InvalidParameter", "NotFound", "Duplicate",
	"Idempotency", "Conflict", "ResourceConflict", "Quota", "AccessDenied", "Throttled", "Gone"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a classified failure with a message that is safe to show to the caller.
type Error struct {
	Kind    Kind
	Message string
	// Resource names the resource type for NotFound errors ("Contact", "MessageTemplate", ...).
	Resource string
	// Reason is an optional structured reason serialized with the error (e.g. attached-file reasons).
	Reason map[string]any
	// Err is the underlying cause, logged but never sent to the caller.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Kind.String() + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Kind.String() + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a formatted message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Word returns err worded for the caller when it is, or wraps, bare: an
// error of bare's Kind and Resource whose message format gives. Any other
// err (nil too) is returned as is. Stores return bare errors (a sentinel
// *Error with no message, one per condition, declared where consumed) and
// the services that call them word them with Word.
func Word(err, bare error, format string, args ...any) error {
	var fe *Error
	if err == nil || !errors.Is(err, bare) || !errors.As(bare, &fe) {
		return err
	}
	return &Error{Kind: fe.Kind, Resource: fe.Resource, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error about a resource type.
func NotFoundf(resource, format string, args ...any) *Error {
	return &Error{Kind: NotFound, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Internal error around err.
func Wrap(err error, msg string) *Error {
	return &Error{Kind: Internal, Message: msg, Err: err}
}

// KindOf reports the kind of err: the Kind of the first *Error in its chain, Internal otherwise.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return Internal
}

// Is reports whether err is an *Error of kind k.
func Is(err error, k Kind) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind == k
}
