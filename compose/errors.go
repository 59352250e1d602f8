package compose

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by *FieldError. Test for them with errors.Is.
var (
	// ErrHeaderInjection reports a CR, LF or NUL in a value that would end up
	// in a header field. Such values are always refused, never encoded.
	ErrHeaderInjection = errors.New("header injection attempt")
	// ErrInvalidAddress reports an email address that is not a valid
	// RFC 5322 addr-spec (RFC 6532 UTF-8 is allowed).
	ErrInvalidAddress = errors.New("invalid email address")
	// ErrInvalidHeaderName reports an extra header name that is not a valid
	// RFC 5322 field name.
	ErrInvalidHeaderName = errors.New("invalid header field name")
	// ErrReservedHeader reports an extra header that would override a header
	// the composer owns (From, To, Subject, Content-*, DKIM-Signature, ...).
	ErrReservedHeader = errors.New("reserved header field")
	// ErrInvalidMessageID reports a message id that is not of the form
	// left@right made of printable ASCII without angle brackets or spaces.
	ErrInvalidMessageID = errors.New("invalid message id")
	// ErrInvalidContentType reports an attachment content type that does not
	// parse or cannot be sent base64-encoded (multipart/*, message/*).
	ErrInvalidContentType = errors.New("invalid content type")
	// ErrMissingField reports a required field left empty (From, a
	// recipient, MessageID, Date).
	ErrMissingField = errors.New("missing required field")
	// ErrLineTooLong reports a header value that cannot be folded into lines
	// of at most 998 octets.
	ErrLineTooLong = errors.New("header line too long")
	// ErrInvalidKey reports a DKIM key, domain or selector that cannot be
	// used for signing.
	ErrInvalidKey = errors.New("invalid DKIM key")
	// ErrSign reports a failure inside the DKIM signer (for example a
	// hardware-backed crypto.Signer that refused to sign).
	ErrSign = errors.New("DKIM signing failed")
	// ErrInvalidMessage reports input to Sign that is not a CRLF message with
	// a header section.
	ErrInvalidMessage = errors.New("invalid message")
)

// FieldError is the error returned by Build and the DKIM helpers. Field names
// the offending input (for example "Subject", "To[2].Name",
// "Headers[0].Value"); Err is one of the sentinel errors of this package.
type FieldError struct {
	Field  string
	Reason string
	Err    error
}

// Error implements error.
func (e *FieldError) Error() string {
	msg := "compose: " + e.Field + ": " + e.Err.Error()
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, err error, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: err, Reason: fmt.Sprintf(format, args...)}
}
