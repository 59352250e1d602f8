// Package inbound is connectmail's SMTP listener for customer mail and
// replies (`serve --smtp-addr`). Each recipient must be an email address of an
// instance (or an alias of one); the message becomes an INBOUND email contact
// of that instance, threaded to the contact it replies to. Unknown recipients
// are refused at RCPT with 550 5.1.1, so a sender learns at once. With a
// certificate the listener offers STARTTLS.
package inbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/emersion/go-smtp"
)

// Receiver records received mail.
type Receiver interface {
	ResolveRecipient(ctx context.Context, addr string) (*connect.EmailAddress, error)
	ReceiveEmail(ctx context.Context, rcpt *connect.EmailAddress, envelopeFrom string, raw []byte) (string, error)
}

// Config configures a Server.
type Config struct {
	Addr     string
	Domain   string
	Receiver Receiver
	Logger   *slog.Logger
	// MaxBytes bounds one message (default 40 MiB).
	MaxBytes int64
	// TLS, when set, is offered to senders with STARTTLS.
	TLS *tls.Config
}

// Server is a running inbound SMTP listener.
type Server struct {
	srv *smtp.Server
	ln  net.Listener
	cfg Config
}

// Listen binds the listener.
func Listen(cfg Config) (*Server, error) {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 40 << 20
	}
	if cfg.Domain == "" {
		cfg.Domain = "connectmail.local"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, cfg: cfg}
	srv := smtp.NewServer(backend{s})
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = 2 * time.Minute
	srv.ErrorLog = slogLogger{cfg.Logger}
	srv.TLSConfig = cfg.TLS
	s.srv = srv
	return s, nil
}

// Addr is the listening address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve accepts connections until Close.
func (s *Server) Serve() error {
	err := s.srv.Serve(s.ln)
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Close stops accepting and closes open sessions.
func (s *Server) Close() error {
	_ = s.ln.Close()
	return s.srv.Close()
}

type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Debug("smtp", "detail", fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.l.Debug("smtp", "detail", fmt.Sprint(v...)) }

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s     *Server
	from  string
	rcpts []*connect.EmailAddress
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from, se.rcpts = from, nil
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := se.s.cfg.Receiver.ResolveRecipient(ctx, to)
	if fault.Is(err, fault.NotFound) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	if err != nil {
		se.s.cfg.Logger.Error("resolving an inbound recipient failed", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	for _, r := range se.rcpts {
		if r.ID == e.ID {
			return nil // two aliases of one address: one contact
		}
	}
	se.rcpts = append(se.rcpts, e)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, rc := range se.rcpts {
		id, err := se.s.cfg.Receiver.ReceiveEmail(ctx, rc, se.from, raw)
		if fault.KindOf(err) == fault.Invalid {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message not accepted: malformed header section"}
		}
		if err != nil {
			se.s.cfg.Logger.Error("recording inbound mail failed", "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
		}
		se.s.cfg.Logger.Info("inbound email received", "contact", id, "instance", rc.InstanceID)
	}
	return nil
}

func (se *session) Reset()        { se.from, se.rcpts = "", nil }
func (se *session) Logout() error { return nil }
