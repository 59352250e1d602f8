// Package smtpsink is an SMTP server that accepts, counts and optionally keeps
// every message it receives. connectmail's tests use it as a real receiver and
// `connectmail bench` as its counting sink. Failures can be injected per
// recipient address to exercise a sender's error handling.
package smtpsink

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received message.
type Message struct {
	From       string
	Recipients []string
	Data       []byte
	Received   time.Time
	// Hello is the name the client gave in EHLO (or HELO).
	Hello string
	// TLS reports whether the session was encrypted (STARTTLS or implicit).
	TLS bool
}

// Sink is a running SMTP sink.
type Sink struct {
	srv      *smtp.Server
	ln       net.Listener
	implicit bool
	keep     bool
	delay    time.Duration
	count    atomic.Int64
	sessions atomic.Int64
	mu       sync.Mutex
	msgs     []Message
	arrived  chan struct{}
	// reject maps a recipient address to the SMTP error it gets at RCPT or DATA.
	rejectMu sync.Mutex
	reject   map[string]*smtp.SMTPError
}

// Options configure a Sink.
type Options struct {
	// Addr to listen on (default 127.0.0.1:0).
	Addr string
	// Keep stores every message for inspection (tests); otherwise only counts (benchmarks).
	Keep bool
	// Delay stalls each DATA reply this long (a slow relay).
	Delay time.Duration
	// TLS, when set, is offered with STARTTLS, or spoken from the first
	// byte with ImplicitTLS (smtps).
	TLS         *tls.Config
	ImplicitTLS bool
}

// Start listens and serves until Close.
func Start(opts Options) (*Sink, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{ln: ln, implicit: opts.ImplicitTLS && opts.TLS != nil, keep: opts.Keep, delay: opts.Delay, arrived: make(chan struct{}, 1), reject: map[string]*smtp.SMTPError{}}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "sink.local"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.MaxRecipients = 1000
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	s.srv = srv
	var served net.Listener = coalescingListener{ln}
	if opts.TLS != nil {
		// Under implicit TLS, go-smtp offers no STARTTLS.
		srv.TLSConfig = opts.TLS
		if s.implicit {
			served = tls.NewListener(served, opts.TLS)
		}
	}
	go func() { _ = srv.Serve(served) }()
	return s, nil
}

// coalescingListener hands out connections that send the server's replies
// together: writes are buffered until the server next waits for input (or
// closes the connection), so a group of pipelined commands is answered with
// one packet, as a pipelining SMTP server does, instead of one write per
// reply. Flushing before every read cannot hold back a reply the client
// waits for: the server only reads when it has nothing more to say.
type coalescingListener struct{ net.Listener }

// Accept implements net.Listener.
func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &coalescingConn{Conn: c, w: bufio.NewWriter(c)}, nil
}

type coalescingConn struct {
	net.Conn
	mu sync.Mutex
	w  *bufio.Writer
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}

func (c *coalescingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	err := c.w.Flush()
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *coalescingConn) Close() error {
	c.mu.Lock()
	_ = c.w.Flush()
	c.mu.Unlock()
	return c.Conn.Close()
}

// Addr is the listening address.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// URL is the smtp:// URL of the sink, or smtps:// with Options.ImplicitTLS.
func (s *Sink) URL() string {
	if s.implicit {
		return "smtps://" + s.Addr()
	}
	return "smtp://" + s.Addr()
}

// Count is the number of messages received.
func (s *Sink) Count() int64 { return s.count.Load() }

// Sessions is the number of SMTP sessions opened so far.
func (s *Sink) Sessions() int64 { return s.sessions.Load() }

// Messages returns a copy of the kept messages.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Arrived is signalled (without blocking) after each message.
func (s *Sink) Arrived() <-chan struct{} { return s.arrived }

// Reject makes RCPT TO for addr fail with code (4xx temporary, 5xx permanent).
func (s *Sink) Reject(addr string, code int, msg string) {
	s.rejectMu.Lock()
	defer s.rejectMu.Unlock()
	s.reject[strings.ToLower(addr)] = &smtp.SMTPError{Code: code, Message: msg}
}

// Accept removes an injected rejection.
func (s *Sink) Accept(addr string) {
	s.rejectMu.Lock()
	defer s.rejectMu.Unlock()
	delete(s.reject, strings.ToLower(addr))
}

// Close stops the sink. The listener is closed here too: the server may not
// have registered it yet when Close runs right after Start.
func (s *Sink) Close() error {
	lerr := s.ln.Close()
	if err := s.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	if errors.Is(lerr, net.ErrClosed) {
		return nil
	}
	return lerr
}

type backend struct{ s *Sink }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.sessions.Add(1)
	return &session{s: b.s, c: c}, nil
}

type session struct {
	s    *Sink
	c    *smtp.Conn
	from string
	rcpt []string
}

func (se *session) AuthMechanisms() []string { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	se.rcpt = se.rcpt[:0]
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.s.rejectMu.Lock()
	e := se.s.reject[strings.ToLower(to)]
	se.s.rejectMu.Unlock()
	if e != nil {
		return e
	}
	se.rcpt = append(se.rcpt, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	if len(se.rcpt) == 0 {
		return errors.New("no recipients")
	}
	if se.s.delay > 0 {
		time.Sleep(se.s.delay)
	}
	if !se.s.keep {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
	} else {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		se.s.mu.Lock()
		_, isTLS := se.c.TLSConnectionState()
		se.s.msgs = append(se.s.msgs, Message{From: se.from, Recipients: append([]string(nil), se.rcpt...), Data: b, Received: time.Now(),
			Hello: se.c.Hostname(), TLS: isTLS})
		se.s.mu.Unlock()
	}
	se.s.count.Add(1)
	select {
	case se.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (se *session) Reset() {
	se.from = ""
	se.rcpt = se.rcpt[:0]
}

func (se *session) Logout() error { return nil }
