// Package relay delivers composed messages to a smarthost over SMTP.
//
// A Client keeps a small pool of authenticated connections, bounded by
// Config.MaxConns, and reuses them across Send calls. When the server offers
// PIPELINING (RFC 2920), a transaction takes two round trips: MAIL, the
// RCPTs and DATA together, then the message. Every failure is
// reported as an *Error that says whether trying again later makes sense
// (Temporary) and at which protocol stage it happened.
package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultHelloName          = "localhost"
	DefaultMaxConns           = 4
	DefaultMaxIdle            = 30 * time.Second
	DefaultMaxMessagesPerConn = 100
	DefaultDialTimeout        = 10 * time.Second
	DefaultCommandTimeout     = 30 * time.Second
	DefaultDataTimeout        = 2 * time.Minute
)

// quitTimeout bounds the polite QUIT sent before closing a connection.
const quitTimeout = 5 * time.Second

// Config configures a Client. Zero values select the defaults above.
type Config struct {
	// URL is smtp://[user:pass@]host[:port] (port 25 by default; STARTTLS
	// is used when the server offers it) or smtps://[user:pass@]host[:port]
	// (port 465 by default; implicit TLS). With credentials, AUTH PLAIN or
	// LOGIN is used, and only over TLS unless the host is a loopback one.
	URL string
	// HelloName is the EHLO name (DefaultHelloName when empty); see
	// CheckHelloName for what it may be.
	HelloName string
	// MaxConns bounds the number of simultaneous connections; Send blocks
	// until a slot is free or its context ends.
	MaxConns int
	// MaxIdle is how long an unused pooled connection is kept open.
	MaxIdle time.Duration
	// MaxMessagesPerConn makes the client reconnect after that many
	// transactions on one connection.
	MaxMessagesPerConn int
	// DialTimeout bounds the TCP connect.
	DialTimeout time.Duration
	// CommandTimeout bounds each command's reply, the greeting and the TLS
	// handshake.
	CommandTimeout time.Duration
	// DataTimeout bounds the message transfer and the reply to the final
	// dot.
	DataTimeout time.Duration
	// TLSConfig is used for STARTTLS and smtps; ServerName defaults to the
	// URL host. Nil means system roots.
	TLSConfig *tls.Config
	// DisablePipelining makes the client wait for the reply to each
	// command even when the server offers PIPELINING (RFC 2920). By
	// default MAIL, every RCPT and DATA go out in one write, which saves
	// one round trip per command after the first.
	DisablePipelining bool
}

// Result reports a transaction in which at least one recipient was accepted.
type Result struct {
	// Accepted lists the recipients the server took, in request order.
	Accepted []string
	// Rejected maps each refused recipient to the server's reply.
	Rejected map[string]*Error
	// Response is the text of the reply to the final dot, without the
	// enhanced status code (it often carries a queue id).
	Response string
}

// Client sends messages through one smarthost. It is safe for concurrent
// use.
type Client struct {
	cfg         Config
	addr        string // host:port
	host        string
	implicitTLS bool
	user, pass  string
	hasAuth     bool
	tlsConfig   *tls.Config

	slots chan struct{}

	mu     sync.Mutex
	idle   []*conn // most recently used last
	closed bool
	bg     sync.WaitGroup // QUITs of expired idle connections
}

// conn is one SMTP session.
type conn struct {
	nc        net.Conn // the transport go-smtp sees (TLS or TCP), for deadlines
	raw       net.Conn // the TCP connection, closed to abort on cancellation
	stream    net.Conn // exactly what go-smtp reads and writes
	c         *smtp.Client
	pipe      *pipe // the pipelined transactions' reader and writer, made on first use
	tls       bool
	sent      int // transactions started on this connection
	idleSince time.Time
	timer     *time.Timer
}

// New validates cfg and returns a Client. It does not connect.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// Not the URL itself: it may hold the password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: URL: %v", ErrInvalidConfig, err)
	}
	c := &Client{}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "25"
	case "smtps":
		port = "465"
		c.implicitTLS = true
	default:
		return nil, fmt.Errorf("%w: URL scheme %q (want smtp or smtps)", ErrInvalidConfig, u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: URL must be scheme://[user:pass@]host[:port]", ErrInvalidConfig)
	}
	c.host = u.Hostname()
	if c.host == "" {
		return nil, fmt.Errorf("%w: URL has no host", ErrInvalidConfig)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: URL port %q", ErrInvalidConfig, p)
		}
		port = p
	}
	c.addr = net.JoinHostPort(c.host, port)
	if u.User != nil {
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
		c.hasAuth = true
		if c.user == "" {
			return nil, fmt.Errorf("%w: URL has credentials without a user name", ErrInvalidConfig)
		}
	}

	if cfg.HelloName == "" {
		cfg.HelloName = DefaultHelloName
	}
	if err := CheckHelloName(cfg.HelloName); err != nil {
		return nil, fmt.Errorf("%w: HelloName: %v", ErrInvalidConfig, err)
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"MaxIdle", &cfg.MaxIdle, DefaultMaxIdle},
		{"DialTimeout", &cfg.DialTimeout, DefaultDialTimeout},
		{"CommandTimeout", &cfg.CommandTimeout, DefaultCommandTimeout},
		{"DataTimeout", &cfg.DataTimeout, DefaultDataTimeout},
	} {
		if *f.v < 0 {
			return nil, fmt.Errorf("%w: negative %s", ErrInvalidConfig, f.name)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if cfg.MaxConns < 0 || cfg.MaxMessagesPerConn < 0 {
		return nil, fmt.Errorf("%w: negative MaxConns or MaxMessagesPerConn", ErrInvalidConfig)
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxMessagesPerConn == 0 {
		cfg.MaxMessagesPerConn = DefaultMaxMessagesPerConn
	}

	if cfg.TLSConfig != nil {
		c.tlsConfig = cfg.TLSConfig.Clone()
	} else {
		c.tlsConfig = &tls.Config{}
	}
	if c.tlsConfig.ServerName == "" {
		c.tlsConfig.ServerName = c.host
	}
	if c.tlsConfig.MinVersion == 0 {
		c.tlsConfig.MinVersion = tls.VersionTLS12
	}
	c.cfg = cfg
	c.slots = make(chan struct{}, cfg.MaxConns)
	return c, nil
}

// Send delivers msg (a complete RFC 5322 message with CRLF line endings)
// from the envelope sender from to rcpts.
//
// Recipients the server refuses are listed in Result.Rejected while the
// others still get the message; Send then returns a nil error. Send returns
// an *Error when no recipient was accepted (temporary if any refusal was
// 4xx; the Result with the refusals is returned too) or when the
// transaction failed as a whole (the Result is nil).
func (c *Client) Send(ctx context.Context, from string, rcpts []string, msg []byte) (*Result, error) {
	if err := checkEnvelope(from, rcpts); err != nil {
		return nil, err
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, contextError(StageDial, ctx)
	}
	defer func() { <-c.slots }()

	for attempt := 0; ; attempt++ {
		cn, reused, err := c.get(ctx)
		if err != nil {
			return nil, err
		}
		res, keep, serr := c.transact(ctx, cn, from, rcpts, msg)
		if keep {
			c.release(cn)
		} else {
			_ = cn.raw.Close()
		}
		if serr == nil {
			return res, nil
		}
		// A pooled connection that the server dropped while idle fails at
		// its first command. Nothing was handed over, so redial once.
		if reused && attempt == 0 && serr.Stage == StageMail &&
			(serr.Code == 0 || serr.Code == 421) && ctx.Err() == nil {
			continue
		}
		return res, serr
	}
}

// CheckHelloName reports whether name can be said in EHLO (RFC 5321
// section 4.1.1.1): a domain name of letters, digits and hyphens (labels of
// 1 to 63 characters that neither start nor end with a hyphen, 253 in all),
// or an address literal such as [192.0.2.1] or [IPv6:2001:db8::1]. Relays
// that check it want the sender's fully qualified host name.
func CheckHelloName(name string) error {
	if inner, ok := strings.CutPrefix(name, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		addr, isV6 := strings.CutPrefix(inner, "IPv6:")
		valid := net.ParseIP(addr) != nil && strings.Contains(addr, ":") == isV6
		switch {
		case !ok:
			return fmt.Errorf("%q: an address literal ends with ]", name)
		case !valid && isV6:
			return fmt.Errorf("%q: not an IPv6 address literal", name)
		case !valid:
			return fmt.Errorf("%q: not an IPv4 address literal (IPv6 ones are written [IPv6:…])", name)
		}
		return nil
	}
	if name == "" || len(name) > 253 {
		return fmt.Errorf("%q: a host name has 1 to 253 characters", name)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%q: not a host name (empty or over-long label, or a label that starts or ends with -)", name)
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q: not a host name (character %q; letters, digits, hyphens and dots only)", name, c)
			}
		}
	}
	return nil
}

// checkEnvelope refuses addresses that cannot be put in MAIL or RCPT.
func checkEnvelope(from string, rcpts []string) *Error {
	bad := func(s string) bool { return strings.ContainsAny(s, "\r\n\x00<> \t") }
	if bad(from) {
		return &Error{Stage: StageMail, Message: fmt.Sprintf("sender %q", from), Err: ErrInvalidAddress}
	}
	if len(rcpts) == 0 {
		return &Error{Stage: StageRcpt, Message: "no recipients", Err: ErrInvalidAddress}
	}
	for _, r := range rcpts {
		if r == "" || bad(r) {
			return &Error{Stage: StageRcpt, Message: fmt.Sprintf("recipient %q", r), Err: ErrInvalidAddress}
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
