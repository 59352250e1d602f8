package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

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
