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
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
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

// transact runs one MAIL/RCPT/DATA transaction, pipelined when the server
// offers PIPELINING. keep reports whether the connection is healthy and idle
// again (a failed transaction is RSET).
func (c *Client) transact(ctx context.Context, cn *conn, from string, rcpts []string, msg []byte) (res *Result, keep bool, serr *Error) {
	stop := context.AfterFunc(ctx, func() { _ = cn.raw.Close() })
	defer func() {
		if !stop() {
			// The context closed the connection.
			keep = false
			if serr != nil && ctx.Err() != nil && serr.Code == 0 {
				serr = contextError(serr.Stage, ctx)
			}
		}
	}()
	tx := &txn{c: c, ctx: ctx, cn: cn}

	opts := &smtp.MailOptions{Size: int64(len(msg))}
	if !isASCII(from) || !allASCII(rcpts) {
		if ok, _ := cn.c.Extension("SMTPUTF8"); !ok {
			return nil, true, policyError(StageMail, "non-ASCII envelope address and the server does not offer SMTPUTF8")
		}
		opts.UTF8 = true
	}
	cn.sent++
	if !c.cfg.DisablePipelining && commandsSize(from, rcpts) <= pipeWriteBuffer {
		if ok, _ := cn.c.Extension("PIPELINING"); ok {
			return tx.pipelined(from, rcpts, msg, opts)
		}
	}
	return tx.lockstep(from, rcpts, msg, opts)
}

// txn is one transaction on a connection.
type txn struct {
	c   *Client
	ctx context.Context
	cn  *conn
}

// fail classifies err at stage, reporting the context's end instead of the
// network error it caused.
func (t *txn) fail(stage string, err error) *Error {
	if t.ctx.Err() != nil && smtpCode(err) == 0 {
		return contextError(stage, t.ctx)
	}
	return classify(stage, err)
}

// reset restores a healthy connection after a refused transaction.
func (t *txn) reset() bool { return t.ctx.Err() == nil && t.cn.c.Reset() == nil }

// refused reports whether err is a reply after which the session goes on:
// an SMTP reply other than 421 (service closing).
func refused(err error) bool {
	code := smtpCode(err)
	return code != 0 && code != 421
}

// lockstep sends each command and waits for its reply before the next.
func (t *txn) lockstep(from string, rcpts []string, msg []byte, opts *smtp.MailOptions) (*Result, bool, *Error) {
	cn := t.cn
	if err := cn.c.Mail(from, opts); err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageMail, err)
	}
	res, err := recipients(rcpts, func(r string) error { return cn.c.Rcpt(r, nil) })
	if err != nil {
		return nil, false, t.fail(StageRcpt, err)
	}
	if len(res.Accepted) == 0 {
		return res, t.reset(), noRecipientError(rcpts, res.Rejected)
	}
	w, err := cn.c.Data()
	if err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageData, err)
	}
	if err := cn.nc.SetDeadline(time.Now().Add(t.c.cfg.DataTimeout)); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return nil, refused(err) && t.reset(), t.fail(StageData, err)
	}
	res.Response = replyText(resp.StatusText)
	return res, true, nil
}

// pipelined sends MAIL, every RCPT and DATA in one write (RFC 2920), reads
// their replies in order, then sends the message. Outcomes and their
// classification are those of lockstep; only the number of round trips
// differs (two instead of three plus one per recipient).
func (t *txn) pipelined(from string, rcpts []string, msg []byte, opts *smtp.MailOptions) (*Result, bool, *Error) {
	cn := t.cn
	p := cn.pipeline()
	w := p.w.W
	if err := t.deadline(t.c.cfg.CommandTimeout); err != nil {
		return nil, false, t.fail(StageMail, err)
	}
	// The parameters are those go-smtp's Client.Mail sends for opts.
	_, _ = w.WriteString("MAIL FROM:<")
	_, _ = w.WriteString(from)
	_ = w.WriteByte('>')
	if ok, _ := cn.c.Extension("8BITMIME"); ok {
		_, _ = w.WriteString(" BODY=8BITMIME")
	}
	if ok, _ := cn.c.Extension("SIZE"); ok && opts.Size != 0 {
		_, _ = w.WriteString(" SIZE=")
		_, _ = w.WriteString(strconv.FormatInt(opts.Size, 10))
	}
	if opts.UTF8 {
		_, _ = w.WriteString(" SMTPUTF8")
	}
	_, _ = w.WriteString("\r\n")
	for _, r := range rcpts {
		_, _ = w.WriteString("RCPT TO:<")
		_, _ = w.WriteString(r)
		_, _ = w.WriteString(">\r\n")
	}
	_, _ = w.WriteString("DATA\r\n")
	if err := w.Flush(); err != nil {
		return nil, false, t.fail(StageMail, err)
	}

	if _, err := t.reply(p, 250); err != nil {
		if !refused(err) {
			return nil, false, t.fail(StageMail, err)
		}
		// The RCPT and DATA replies follow all the same.
		ok := true
		for range rcpts {
			if _, err := t.reply(p, 25); err != nil && !refused(err) {
				ok = false
				break
			}
		}
		return nil, ok && t.endData(p) && t.resetClean(p), t.fail(StageMail, err)
	}
	res, err := recipients(rcpts, func(string) error { _, err := t.reply(p, 25); return err })
	if err != nil {
		return nil, false, t.fail(StageRcpt, err)
	}
	if len(res.Accepted) == 0 {
		return res, t.endData(p) && t.resetClean(p), noRecipientError(rcpts, res.Rejected)
	}
	if _, err := t.reply(p, 354); err != nil {
		return nil, refused(err) && t.resetClean(p), t.fail(StageData, err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	dw := p.w.DotWriter()
	if _, err := dw.Write(msg); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if err := dw.Close(); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return nil, false, t.fail(StageData, err)
	}
	_, text, err := p.r.ReadResponse(250)
	if err != nil {
		err = replyError(err)
		return nil, refused(err) && t.resetClean(p), t.fail(StageData, err)
	}
	// The message is accepted: whatever happens now is no failure.
	_ = t.deadline(0)
	res.Response = replyText(text)
	return res, p.clean(), nil
}

// deadline bounds the connection's next reads and writes by d from now
// (0 clears the bound).
func (t *txn) deadline(d time.Duration) error {
	if d == 0 {
		return t.cn.nc.SetDeadline(time.Time{})
	}
	return t.cn.nc.SetDeadline(time.Now().Add(d))
}

// reply reads the next pipelined reply within the command timeout.
func (t *txn) reply(p *pipe, expect int) (string, error) {
	if err := t.deadline(t.c.cfg.CommandTimeout); err != nil {
		return "", err
	}
	_, text, err := p.r.ReadResponse(expect)
	return text, replyError(err)
}

// endData reads the reply to a pipelined DATA sent in a transaction that
// has no accepted recipient. A server that accepts it anyway gets an empty
// message, as RFC 2920 asks. It reports whether the session can go on.
func (t *txn) endData(p *pipe) bool {
	if _, err := t.reply(p, 354); err != nil {
		return refused(err)
	}
	if err := t.deadline(t.c.cfg.DataTimeout); err != nil {
		return false
	}
	// Just the terminator: a DotWriter closed unwritten would send an
	// empty line before it.
	if _, err := p.w.W.WriteString(".\r\n"); err != nil {
		return false
	}
	if err := p.w.W.Flush(); err != nil {
		return false
	}
	_, _, err := p.r.ReadResponse(250)
	return err == nil || refused(replyError(err))
}

// resetClean sends RSET through go-smtp, after checking that the server
// sent nothing beyond the replies read.
func (t *txn) resetClean(p *pipe) bool {
	if !p.clean() {
		return false
	}
	_ = t.deadline(0)
	return t.reset()
}

// pipe reads and writes a connection's pipelined transactions. It shares
// the connection with the go-smtp client, which works in lockstep: either
// one reads only the replies to the commands it sent, so nothing is left
// buffered in the other's reader.
type pipe struct {
	r *textproto.Reader
	w *textproto.Writer
}

// pipeWriteBuffer holds a typical message and its terminator in one write.
// A transaction whose commands do not fit in it is not pipelined, so the
// commands always leave in one write and the server's replies to them
// (a few dozen bytes each) cannot fill the socket buffers while the client
// is still writing.
const pipeWriteBuffer = 32 << 10

// commandsSize bounds the bytes of a pipelined MAIL, RCPTs and DATA.
func commandsSize(from string, rcpts []string) int {
	n := len(from) + 80 // MAIL FROM:<> and its parameters, DATA
	for _, r := range rcpts {
		n += len(r) + 12 // RCPT TO:<>CRLF
	}
	return n
}

// maxReplyLine bounds a reply line as go-smtp's client does (twice RFC
// 5321's limit), so a runaway server cannot make a reply grow unbounded.
const maxReplyLine = 2000

// pipeline returns cn's pipe, making it on first use.
func (cn *conn) pipeline() *pipe {
	if cn.pipe == nil {
		cn.pipe = &pipe{
			r: textproto.NewReader(bufio.NewReader(&lineLimitReader{r: cn.stream})),
			w: textproto.NewWriter(bufio.NewWriterSize(cn.stream, pipeWriteBuffer)),
		}
	}
	return cn.pipe
}

// clean reports whether nothing the server sent is left unread: bytes
// beyond the replies to our commands mean the session is out of step.
func (p *pipe) clean() bool { return p.r.R.Buffered() == 0 }

// lineLimitReader fails with smtp.ErrTooLongLine once a line exceeds
// maxReplyLine bytes.
type lineLimitReader struct {
	r    io.Reader
	line int // bytes since the last LF
}

// Read implements io.Reader.
func (l *lineLimitReader) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for _, ch := range b[:n] {
		if ch == '\n' {
			l.line = 0
			continue
		}
		l.line++
		if l.line > maxReplyLine {
			return 0, smtp.ErrTooLongLine
		}
	}
	return n, err
}

// replyText drops a leading RFC 3463 enhanced status code from a reply.
func replyText(s string) string {
	_, rest, _ := splitEnhanced(s)
	return rest
}

// noRecipientError summarizes a transaction whose recipients were all
// refused: temporary if any refusal was, carrying the first such reply.
func noRecipientError(rcpts []string, rejected map[string]*Error) *Error {
	var first *Error
	for _, r := range rcpts {
		e := rejected[r]
		if e == nil {
			continue
		}
		if first == nil || (e.Temporary && !first.Temporary) {
			first = e
		}
	}
	return &Error{
		Temporary:    first.Temporary,
		Code:         first.Code,
		EnhancedCode: first.EnhancedCode,
		Message:      fmt.Sprintf("%s (all %d recipients refused)", first.Message, len(rcpts)),
		Stage:        StageRcpt,
		Err:          ErrNoRecipientAccepted,
	}
}

// get returns a pooled connection (reused = true) or dials a new one.
func (c *Client) get(ctx context.Context) (cn *conn, reused bool, err *Error) {
	var expired []*conn
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, false, &Error{Stage: StageDial, Temporary: true, Message: ErrClosed.Error(), Err: ErrClosed}
	}
	for len(c.idle) > 0 {
		last := c.idle[len(c.idle)-1]
		c.idle = c.idle[:len(c.idle)-1]
		last.timer.Stop()
		if time.Since(last.idleSince) >= c.cfg.MaxIdle {
			expired = append(expired, last)
			continue
		}
		cn = last
		break
	}
	c.mu.Unlock()
	for _, e := range expired {
		e.quit()
	}
	if cn != nil {
		return cn, true, nil
	}
	cn, err = c.dial(ctx)
	return cn, false, err
}

// release returns a healthy connection to the pool, or retires it once it
// has carried MaxMessagesPerConn transactions.
func (c *Client) release(cn *conn) {
	c.mu.Lock()
	if c.closed || cn.sent >= c.cfg.MaxMessagesPerConn {
		c.mu.Unlock()
		cn.quit()
		return
	}
	cn.idleSince = time.Now()
	cn.timer = time.AfterFunc(c.cfg.MaxIdle, func() { c.expire(cn) })
	c.idle = append(c.idle, cn)
	c.mu.Unlock()
}

// expire closes cn if it is still idle in the pool.
func (c *Client) expire(cn *conn) {
	c.mu.Lock()
	found := false
	for i, x := range c.idle {
		if x == cn {
			c.idle = append(c.idle[:i], c.idle[i+1:]...)
			found = true
			break
		}
	}
	if found {
		c.bg.Add(1)
	}
	c.mu.Unlock()
	if found {
		defer c.bg.Done()
		cn.quit()
	}
}

// Close closes the pooled connections (politely, with QUIT) and makes
// further Send calls fail with ErrClosed. Connections in use by running
// Send calls are closed when those calls finish.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	idle := c.idle
	c.idle = nil
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, cn := range idle {
		cn.timer.Stop()
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn.quit()
		}()
	}
	wg.Wait()
	c.bg.Wait()
	return nil
}

// quit says goodbye and closes the connection.
func (cn *conn) quit() {
	cn.c.CommandTimeout = min(cn.c.CommandTimeout, quitTimeout)
	_ = cn.c.Quit()
	_ = cn.raw.Close()
}

// dial connects, negotiates TLS, says EHLO and authenticates.
func (c *Client) dial(ctx context.Context) (*conn, *Error) {
	d := net.Dialer{Timeout: c.cfg.DialTimeout}
	raw, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, contextError(StageDial, ctx)
		}
		return nil, classify(StageDial, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	cn, serr := c.setup(raw)
	if !stop() {
		_ = raw.Close()
		stage := StageDial
		if serr != nil {
			stage = serr.Stage
		}
		return nil, contextError(stage, ctx)
	}
	if serr != nil {
		_ = raw.Close()
		return nil, serr
	}
	return cn, nil
}

// setup runs the session preamble on a fresh TCP connection.
func (c *Client) setup(raw net.Conn) (*conn, *Error) {
	cn := &conn{raw: raw, nc: raw}
	if c.implicitTLS {
		tc := tls.Client(raw, c.tlsConfig)
		_ = raw.SetDeadline(time.Now().Add(c.cfg.CommandTimeout))
		if err := tc.Handshake(); err != nil {
			return nil, classify(StageTLS, err)
		}
		_ = raw.SetDeadline(time.Time{})
		cn.nc, cn.tls = tc, true
		cn.stream = tc
	} else {
		// go-smtp can neither use STARTTLS only when offered nor say EHLO
		// with our name before it, so that part is spoken here; go-smtp
		// then takes over the (possibly upgraded) connection. It expects
		// to read a greeting first, which was consumed already (and is not
		// repeated after TLS), so a synthetic one is replayed to it.
		tc, buffered, serr := c.startTLS(raw)
		if serr != nil {
			return nil, serr
		}
		var rd io.Reader = io.MultiReader(bytes.NewReader(buffered), raw)
		if tc != nil {
			cn.nc, rd, cn.tls = tc, tc, true
		}
		cn.stream = &prefixConn{
			Conn: cn.nc,
			r:    io.MultiReader(strings.NewReader("220 resumed\r\n"), rd),
		}
	}
	cn.c = smtp.NewClient(cn.stream)
	cn.c.CommandTimeout = c.cfg.CommandTimeout
	cn.c.SubmissionTimeout = c.cfg.DataTimeout
	if err := cn.c.Hello(c.cfg.HelloName); err != nil {
		return nil, classify(StageDial, err)
	}
	if c.hasAuth {
		if serr := c.auth(cn); serr != nil {
			return nil, serr
		}
	}
	return cn, nil
}

// startTLS reads the greeting, says EHLO and upgrades to TLS when the server
// offers STARTTLS. It returns the TLS connection (nil if not offered) and
// any bytes read past the EHLO reply.
func (c *Client) startTLS(raw net.Conn) (*tls.Conn, []byte, *Error) {
	tp := textproto.NewConn(raw)
	deadline := func() { _ = raw.SetDeadline(time.Now().Add(c.cfg.CommandTimeout)) }
	deadline()
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, nil, classify(StageDial, replyError(err))
	}
	deadline()
	_, ext, err := cmd(tp, 250, "EHLO %s", c.cfg.HelloName)
	offered := false
	if err != nil {
		if code := smtpCode(err); code != 500 && code != 502 {
			return nil, nil, classify(StageDial, err)
		}
		// No ESMTP: go-smtp will fall back to HELO; no STARTTLS possible.
	} else {
		for _, line := range strings.Split(ext, "\n")[1:] {
			if f := strings.Fields(line); len(f) > 0 && strings.EqualFold(f[0], "STARTTLS") {
				offered = true
			}
		}
	}
	if !offered {
		_ = raw.SetDeadline(time.Time{})
		n := tp.R.Buffered()
		buffered, _ := tp.R.Peek(n)
		return nil, buffered, nil
	}
	deadline()
	if _, _, err := cmd(tp, 220, "STARTTLS"); err != nil {
		return nil, nil, classify(StageTLS, err)
	}
	tc := tls.Client(raw, c.tlsConfig)
	deadline()
	if err := tc.Handshake(); err != nil {
		return nil, nil, classify(StageTLS, err)
	}
	_ = raw.SetDeadline(time.Time{})
	return tc, nil, nil
}

// cmd sends one command and reads its reply, converting reply errors.
func cmd(tp *textproto.Conn, expect int, format string, args ...any) (int, string, error) {
	id, err := tp.Cmd(format, args...)
	if err != nil {
		return 0, "", err
	}
	tp.StartResponse(id)
	defer tp.EndResponse(id)
	code, msg, err := tp.ReadResponse(expect)
	return code, msg, replyError(err)
}

// auth authenticates with PLAIN or LOGIN, refusing to expose the
// credentials over clear text unless the server is on a loopback address.
func (c *Client) auth(cn *conn) *Error {
	if !authAllowed(cn.tls, c.host) {
		return configPolicyError(StageAuth, "refusing to send credentials without TLS to %s", c.host)
	}
	var mech sasl.Client
	switch {
	case cn.c.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", c.user, c.pass)
	case cn.c.SupportsAuth(sasl.Login):
		mech = &loginClient{user: c.user, pass: c.pass}
	default:
		_, mechs := cn.c.Extension("AUTH")
		return configPolicyError(StageAuth, "server offers no PLAIN or LOGIN authentication (AUTH %q)", mechs)
	}
	if err := cn.c.Auth(mech); err != nil {
		return classify(StageAuth, err)
	}
	return nil
}

// authAllowed reports whether credentials may be sent: over TLS, or in clear
// text to a loopback host.
func authAllowed(tlsActive bool, host string) bool {
	if tlsActive || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// prefixConn replays bytes before reading from the connection.
type prefixConn struct {
	net.Conn
	r io.Reader
}

// Read implements io.Reader.
func (p *prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// loginClient implements the LOGIN SASL mechanism (draft-murchison-sasl-login)
// without an initial response, answering the server's prompts in order.
type loginClient struct {
	user, pass string
	step       int
}

// Start implements sasl.Client.
func (l *loginClient) Start() (string, []byte, error) { return sasl.Login, nil, nil }

// Next implements sasl.Client.
func (l *loginClient) Next(challenge []byte) ([]byte, error) {
	l.step++
	prompt := strings.ToLower(strings.TrimSpace(string(challenge)))
	switch {
	case strings.HasPrefix(prompt, "user"):
		return []byte(l.user), nil
	case strings.HasPrefix(prompt, "pass"):
		return []byte(l.pass), nil
	case l.step == 1:
		return []byte(l.user), nil
	case l.step == 2:
		return []byte(l.pass), nil
	}
	return nil, errors.New("relay: unexpected LOGIN challenge")
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

// recipients runs the RCPT step of each recipient with rcpt and sorts them:
// refused recipients into Rejected, the others into Accepted. Any other
// failure ends the transaction and is returned.
func recipients(rcpts []string, rcpt func(string) error) (*Result, error) {
	res := &Result{Rejected: map[string]*Error{}}
	for _, r := range rcpts {
		if err := rcpt(r); err != nil {
			if refused(err) {
				res.Rejected[r] = classify(StageRcpt, err)
				continue
			}
			return nil, err
		}
		res.Accepted = append(res.Accepted, r)
	}
	return res, nil
}
