package relay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"

	"github.com/emersion/go-smtp"
)

// Stages of an SMTP delivery, reported in Error.Stage.
const (
	StageDial = "dial" // connecting, greeting, EHLO, waiting for a connection slot
	StageTLS  = "tls"  // STARTTLS or the implicit TLS handshake
	StageAuth = "auth" // SASL authentication
	StageMail = "mail" // MAIL FROM
	StageRcpt = "rcpt" // RCPT TO
	StageData = "data" // DATA, message transfer and the final reply
)

// Sentinel errors carried in Error.Err.
var (
	// ErrClosed is returned by Send after Close. It is temporary: the
	// message was not handed over and can be retried by a new client.
	ErrClosed = errors.New("relay: client closed")
	// ErrNoRecipientAccepted reports a transaction in which every RCPT was
	// refused; Result.Rejected holds the individual replies.
	ErrNoRecipientAccepted = errors.New("relay: no recipient accepted")
	// ErrInvalidAddress reports an envelope address that cannot be put in
	// an SMTP command (CR, LF, NUL, angle brackets, blanks, empty recipient).
	ErrInvalidAddress = errors.New("relay: invalid envelope address")
	// ErrPolicy reports a local policy refusal: credentials would travel in
	// clear text, the server offers no usable AUTH mechanism, or the
	// envelope needs SMTPUTF8 and the server lacks it.
	ErrPolicy = errors.New("relay: refused by local policy")
	// ErrInvalidConfig is wrapped by the errors New returns.
	ErrInvalidConfig = errors.New("relay: invalid configuration")
)

// Error describes a failed delivery step. Temporary is true when trying
// again later may succeed (4xx replies, network failures, timeouts, context
// expiry) and false for 5xx replies and local policy refusals.
type Error struct {
	Temporary bool
	// Code is the SMTP reply code (0 when there was no reply, e.g. a
	// network error).
	Code int
	// EnhancedCode is the RFC 3463 status code, zero when absent.
	EnhancedCode [3]int
	// Message is the server's reply text or a description of the failure.
	Message string
	// Stage is one of the Stage* constants.
	Stage string
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("relay: ")
	b.WriteString(e.Stage)
	b.WriteString(": ")
	if e.Code != 0 {
		b.WriteString(strconv.Itoa(e.Code))
		b.WriteByte(' ')
		if e.EnhancedCode != [3]int{} {
			fmt.Fprintf(&b, "%d.%d.%d ", e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2])
		}
	}
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	if e.Temporary {
		b.WriteString(" (temporary)")
	} else {
		b.WriteString(" (permanent)")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying later: an *Error marked
// Temporary, a 4xx SMTP reply, a network error or timeout, an unexpected
// connection close, or an expired or cancelled context (the message was not
// handed over). 5xx replies and anything else are permanent.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code < 500 || se.Code >= 600
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// replyError converts a reply read with net/textproto (before go-smtp takes
// over the connection, and in pipelined transactions) into the form go-smtp
// gives it: the enhanced code parsed off the first line and dropped from the
// following ones (RFC 2034 repeats it on each line).
func replyError(err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return err
	}
	se := &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	if code, rest, ok := splitEnhanced(te.Msg); ok {
		first, _, _ := strings.Cut(te.Msg, " ")
		se.EnhancedCode = code
		se.Message = strings.ReplaceAll(rest, "\n"+first+" ", "\n")
	}
	return se
}

// splitEnhanced splits a leading RFC 3463 status code ("x.y.z ") off a reply
// text.
func splitEnhanced(s string) (smtp.EnhancedCode, string, bool) {
	var code smtp.EnhancedCode
	first, rest, ok := strings.Cut(s, " ")
	if !ok {
		return code, s, false
	}
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return code, s, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return code, s, false
		}
		code[i] = n
	}
	return code, rest, true
}

// classify turns err into an *Error for stage. SMTP replies are temporary
// unless 5xx; every other failure (network, timeout, protocol confusion) is
// temporary, because the message was not accepted and may be next time.
func classify(stage string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	e = &Error{Stage: stage, Err: err, Temporary: true}
	var se *smtp.SMTPError
	if errors.As(replyError(err), &se) {
		e.Code = se.Code
		if se.EnhancedCode != smtp.NoEnhancedCode {
			e.EnhancedCode = [3]int(se.EnhancedCode)
		}
		e.Message = se.Message
		e.Temporary = se.Code < 500 || se.Code >= 600
		return e
	}
	e.Message = err.Error()
	return e
}

// policyError builds a permanent local refusal.
func policyError(stage, format string, args ...any) *Error {
	return &Error{Stage: stage, Message: fmt.Sprintf(format, args...), Err: ErrPolicy}
}

// contextError reports that ctx ended during stage.
func contextError(stage string, ctx context.Context) *Error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		err = fmt.Errorf("%w: %w", err, cause)
	}
	return &Error{Stage: stage, Temporary: true, Message: err.Error(), Err: err}
}

// smtpCode returns the reply code carried by err, or 0.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}
