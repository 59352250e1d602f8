// Package inbound is connectmail's SMTP listener for customer mail and
// replies (`serve --smtp-addr`). Each recipient must be an email address of an
// instance (or an alias of one); the message becomes an INBOUND email contact
// of that instance, threaded to the contact it replies to. Unknown recipients
// are refused at RCPT with 550 5.1.1, so a sender learns at once. With a
// certificate the listener offers STARTTLS.
//
// Anyone who can reach the listener can talk to it, so what a sender can
// make it hold is bounded (Limits): concurrent sessions, each session's
// duration, its unknown recipients, the size of a message, and the memory
// messages take — a message is written to a spool file as it arrives and
// read into memory only to be recorded, within a budget shared by all
// sessions.
package inbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/emersion/go-smtp"
	"golang.org/x/sync/semaphore"
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
	// Limits bound what senders can make the listener hold.
	Limits Limits
	// TLS, when set, is offered to senders with STARTTLS.
	TLS *tls.Config
}

// Limits bound what senders can make the listener hold. A zero field takes
// its default.
type Limits struct {
	// MaxSessions bounds concurrent sessions (default 100). A connection
	// beyond it is answered 421 4.4.5 and closed before the greeting.
	MaxSessions int
	// SessionTimeout bounds a whole session, however timely its commands
	// (default 10 minutes). At the deadline the session is answered 421
	// 4.4.2 and closed, in the middle of a message too.
	SessionTimeout time.Duration
	// CommandTimeout bounds the wait for each command line, for each read
	// of message data, and for each reply to be written (default 2 minutes).
	CommandTimeout time.Duration
	// MaxMessageBytes bounds one message (default 40 MiB): it is announced
	// with SIZE, and a larger message is refused with 552 5.3.4.
	MaxMessageBytes int64
	// MaxRecipients bounds the accepted recipients of one message
	// (default 50); more get 452 4.5.3.
	MaxRecipients int
	// MaxRefusedRecipients is how many unknown recipients a session may
	// try without delivering a message (default 20, as postfix's
	// smtpd_hard_error_limit). The next one is answered 421 4.7.0 and the
	// connection closed, so that a session cannot probe for addresses at
	// length.
	MaxRefusedRecipients int
	// MemoryBytes bounds the bytes of messages held in memory at once, all
	// sessions together, while they are recorded (default twice
	// MaxMessageBytes; never less than MaxMessageBytes).
	MemoryBytes int64
	// MemoryWait is how long a message waits for room in MemoryBytes before
	// it is answered 452 4.3.1, for the sender to retry (default 30 s).
	MemoryWait time.Duration
	// SpoolDir holds a message larger than 64 KiB while it arrives and is
	// recorded (default os.TempDir(): $TMPDIR, else /tmp). Each file is
	// removed once the message is answered.
	SpoolDir string
}

// DefaultLimits are the limits a zero Limits field takes. MemoryBytes and
// SpoolDir are left zero: they follow MaxMessageBytes and the environment.
func DefaultLimits() Limits {
	return Limits{
		MaxSessions: 100, SessionTimeout: 10 * time.Minute, CommandTimeout: 2 * time.Minute,
		MaxMessageBytes: 40 << 20, MaxRecipients: 50, MaxRefusedRecipients: 20,
		MemoryWait: 30 * time.Second,
	}
}

func (l *Limits) defaults() {
	d := DefaultLimits()
	if l.MaxSessions <= 0 {
		l.MaxSessions = d.MaxSessions
	}
	if l.SessionTimeout <= 0 {
		l.SessionTimeout = d.SessionTimeout
	}
	if l.CommandTimeout <= 0 {
		l.CommandTimeout = d.CommandTimeout
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = d.MaxMessageBytes
	}
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = d.MaxRecipients
	}
	if l.MaxRefusedRecipients <= 0 {
		l.MaxRefusedRecipients = d.MaxRefusedRecipients
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = 2 * l.MaxMessageBytes
	}
	l.MemoryBytes = max(l.MemoryBytes, l.MaxMessageBytes)
	if l.MemoryWait <= 0 {
		l.MemoryWait = d.MemoryWait
	}
	if l.SpoolDir == "" {
		l.SpoolDir = os.TempDir()
	}
}

// Server is a running inbound SMTP listener.
type Server struct {
	srv *smtp.Server
	ln  *capListener
	cfg Config
	// memory is the budget of Limits.MemoryBytes.
	memory *semaphore.Weighted
}

// Listen binds the listener.
func Listen(cfg Config) (*Server, error) {
	cfg.Limits.defaults()
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
	lim := cfg.Limits
	s := &Server{cfg: cfg, memory: semaphore.NewWeighted(lim.MemoryBytes)}
	s.ln = &capListener{Listener: ln, slots: make(chan struct{}, lim.MaxSessions), session: lim.SessionTimeout, domain: cfg.Domain, log: cfg.Logger}
	srv := smtp.NewServer(backend{s})
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = lim.MaxMessageBytes
	srv.MaxRecipients = lim.MaxRecipients
	srv.ReadTimeout = lim.CommandTimeout
	srv.WriteTimeout = lim.CommandTimeout
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

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	sc := ownConn(c.Conn())
	if sc == nil {
		return nil, errors.New("inbound: a connection that did not come from the listener")
	}
	return &session{s: b.s, conn: sc}, nil
}

// The replies of the limits.
var (
	errTooManyRefused = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many unknown recipients, closing connection"}
	errSessionOver    = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Session time limit reached, closing connection"}
	errIdle           = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Timeout waiting for message data, closing connection"}
	errNoRoom         = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient system resources, try again later"}
	errTemporary      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
)

type session struct {
	s     *Server
	conn  *sessionConn
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
		if int(se.conn.refused.Add(1)) > se.s.cfg.Limits.MaxRefusedRecipients {
			se.s.cfg.Logger.Warn("inbound SMTP session tried too many unknown recipients: closing", "remote", se.conn.RemoteAddr().String())
			se.conn.closeAfterWrite.Store(true)
			return errTooManyRefused
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	if err != nil {
		se.s.cfg.Logger.Error("resolving an inbound recipient failed", "err", err)
		return errTemporary
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
	lim := se.s.cfg.Limits
	se.conn.idle.Store(int64(lim.CommandTimeout))
	m, err := spool(r, lim.SpoolDir)
	se.conn.idle.Store(0)
	if err != nil {
		var re readError
		switch {
		case !errors.As(err, &re):
			se.s.cfg.Logger.Error("spooling inbound mail failed", "err", err)
			return errNoRoom
		case se.conn.pastEnd():
			se.conn.closeAfterWrite.Store(true)
			return errSessionOver
		}
		var serr *smtp.SMTPError
		if errors.As(re.err, &serr) {
			return serr // the size limit
		}
		var ne net.Error
		if errors.As(re.err, &ne) && ne.Timeout() {
			se.conn.closeAfterWrite.Store(true)
			return errIdle
		}
		return re.err
	}
	defer m.close()
	ctx, cancel := context.WithTimeout(context.Background(), lim.MemoryWait)
	err = se.s.memory.Acquire(ctx, m.size)
	cancel()
	if err != nil {
		se.s.cfg.Logger.Warn("inbound mail waited too long for memory: deferred", "bytes", m.size, "budget", lim.MemoryBytes)
		return errNoRoom
	}
	defer se.s.memory.Release(m.size)
	raw, err := m.bytes()
	if err != nil {
		se.s.cfg.Logger.Error("reading spooled inbound mail failed", "err", err)
		return errTemporary
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, rc := range se.rcpts {
		id, err := se.s.cfg.Receiver.ReceiveEmail(ctx, rc, se.from, raw)
		if fault.KindOf(err) == fault.Invalid {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message not accepted: malformed header section"}
		}
		if err != nil {
			se.s.cfg.Logger.Error("recording inbound mail failed", "err", err)
			return errTemporary
		}
		se.s.cfg.Logger.Info("inbound email received", "contact", id, "instance", rc.InstanceID)
	}
	se.conn.refused.Store(0) // as postfix counts errors: those made without delivering mail
	return nil
}

func (se *session) Reset()        { se.from, se.rcpts = "", nil }
func (se *session) Logout() error { return nil }
