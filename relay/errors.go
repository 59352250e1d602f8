package relay

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"strconv"
	"strings"

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
	// clear text or the server offers no usable AUTH mechanism (both
	// configuration errors, see ClassConfig), or the envelope needs SMTPUTF8
	// and the server lacks it (permanent).
	ErrPolicy = errors.New("relay: refused by local policy")
	// ErrCertificate is wrapped (with the TLS error) by the configuration
	// errors of a relay certificate that is not accepted.
	ErrCertificate = errors.New("relay: TLS certificate not accepted")
	// ErrInvalidConfig is wrapped by the errors New returns.
	ErrInvalidConfig = errors.New("relay: invalid configuration")
)

// ClassConfig is the Error.Class of a failure caused by how the client is
// configured rather than by the message or the relay's momentary state: the
// relay's TLS certificate is not accepted (unknown authority, a name that does
// not match the relay host, expired or not yet valid), the relay does not
// speak TLS where the URL says it does (smtps:// to a cleartext port), or the
// credentials cannot be used (refused with a 5xx reply, no usable mechanism,
// or they would travel in clear text). Such errors are Temporary: every
// message fails the same way until the operator fixes the configuration, and
// then goes out on its next attempt. It is the string the delivery worker
// records as delivery.ClassConfig.
const ClassConfig = "config"

// Error describes a failed delivery step. Its methods answer what a caller
// decides on: Temporary (whether trying again later may succeed), SMTPCode
// and Class.
type Error struct {
	// temporary is true when trying again later may succeed (4xx replies,
	// network failures, timeouts, context expiry, configuration errors)
	// and false for 5xx replies to the message and local policy refusals
	// of it.
	temporary bool
	// class is ClassConfig for a configuration error, "" otherwise.
	class string
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

// Temporary reports whether trying again later may succeed: true for 4xx
// replies, network failures, timeouts, context expiry and configuration
// errors; false for 5xx replies to the message and local policy refusals
// of it.
func (e *Error) Temporary() bool { return e.temporary }

// SMTPCode returns the SMTP reply code, 0 when there was no reply.
func (e *Error) SMTPCode() int { return e.Code }

// Class returns ClassConfig for a configuration error, "" otherwise.
func (e *Error) Class() string { return e.class }

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
	switch {
	case e.class == ClassConfig:
		b.WriteString(" (configuration error)")
	case e.temporary:
		b.WriteString(" (temporary)")
	default:
		b.WriteString(" (permanent)")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying later. It is the
// delivery worker's rule too: an *Error answers for itself, a go-smtp reply
// is temporary unless 5xx, and every other error — a network failure, a
// timeout, an expired context, anything unknown — is temporary, because a
// message that was not handed over must not be bounced for a failure nobody
// classified.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.temporary
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code < 500 || se.Code >= 600
	}
	return true
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
// Configuration errors (see ClassConfig) are temporary and classed as such.
func classify(stage string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	e = &Error{Stage: stage, Err: err, temporary: true}
	var se *smtp.SMTPError
	if errors.As(replyError(err), &se) {
		e.Code = se.Code
		if se.EnhancedCode != smtp.NoEnhancedCode {
			e.EnhancedCode = [3]int(se.EnhancedCode)
		}
		e.Message = se.Message
		e.temporary = se.Code < 500 || se.Code >= 600
		if !e.temporary && (stage == StageAuth || stage == StageMail && (se.Code == 530 || e.EnhancedCode == [3]int{5, 7, 0})) {
			// The relay refused our credentials or how we offered them,
			// or wants credentials we did not give (530 or 5.7.0 at
			// MAIL, RFC 4954): no message can pass until that is fixed,
			// and the recipients are not to blame.
			e.temporary, e.class = true, ClassConfig
		}
		return e
	}
	e.Message = err.Error()
	if stage == StageTLS {
		if msg, cert, ok := tlsConfigProblem(err); ok {
			e.Message, e.class = msg, ClassConfig
			if cert {
				e.Err = fmt.Errorf("%w: %w", ErrCertificate, err)
			}
		}
	}
	return e
}

// tlsConfigProblem describes a TLS handshake failure that configuration
// must fix: a relay certificate that is not accepted, or a relay that does
// not speak TLS at all. Network failures during the handshake are not. cert
// reports a certificate problem.
func tlsConfigProblem(err error) (msg string, cert, ok bool) {
	var (
		verr *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		he   x509.HostnameError
		ci   x509.CertificateInvalidError
		rh   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &verr):
		msg := "the relay's TLS certificate is not accepted: " + verr.Err.Error()
		if len(verr.UnverifiedCertificates) > 0 {
			leaf := verr.UnverifiedCertificates[0]
			msg += fmt.Sprintf(" (certificate %q issued by %q, valid until %s)",
				leaf.Subject.String(), leaf.Issuer.String(), leaf.NotAfter.UTC().Format("2006-01-02T15:04:05Z"))
		}
		return msg, true, true
	case errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci):
		return "the relay's TLS certificate is not accepted: " + err.Error(), true, true
	case errors.As(err, &rh):
		return "the relay did not answer with TLS (an smtps:// URL needs an implicit-TLS port such as 465; use smtp:// for STARTTLS): " + err.Error(), false, true
	}
	return "", false, false
}

// policyError builds a permanent local refusal.
func policyError(stage, format string, args ...any) *Error {
	return &Error{Stage: stage, Message: fmt.Sprintf(format, args...), Err: ErrPolicy}
}

// configPolicyError builds a local refusal that configuration must fix; it
// is temporary like every configuration error.
func configPolicyError(stage, format string, args ...any) *Error {
	e := policyError(stage, format, args...)
	e.temporary, e.class = true, ClassConfig
	return e
}

// contextError reports that ctx ended during stage.
func contextError(stage string, ctx context.Context) *Error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		err = fmt.Errorf("%w: %w", err, cause)
	}
	return &Error{Stage: stage, temporary: true, Message: err.Error(), Err: err}
}

// smtpCode returns the reply code carried by err, or 0.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}
