package relay

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/testpki"
	"github.com/emersion/go-smtp"
)

var testMsg = []byte("From: sender@example.com\r\nTo: a@example.org\r\nSubject: test\r\n\r\n" +
	"Hello.\r\n.leading dot must survive dot-stuffing\r\n.\r\nend\r\n")

// newClient builds a client for srv with short test timeouts.
func newClient(t testing.TB, rawURL string, tweak func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		URL:            rawURL,
		HelloName:      "relay.test",
		DialTimeout:    2 * time.Second,
		CommandTimeout: 3 * time.Second,
		DataTimeout:    3 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func trust(s *testServer) func(*Config) {
	return func(c *Config) { c.TLSConfig = &tls.Config{RootCAs: s.roots} }
}

func send(t testing.TB, c *Client, rcpts ...string) *Result {
	t.Helper()
	if len(rcpts) == 0 {
		rcpts = []string{"a@example.org"}
	}
	res, err := c.Send(context.Background(), "sender@example.com", rcpts, testMsg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return res
}

// asError asserts err is an *Error and returns it.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *relay.Error", err, err)
	}
	return e
}

func TestSend(t *testing.T) {
	b := &backend{queueID: "Ok: queued as 4FQ2X1"}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, nil)
	res := send(t, c, "a@example.org", "b@example.org")
	if strings.Join(res.Accepted, ",") != "a@example.org,b@example.org" || len(res.Rejected) != 0 {
		t.Errorf("result = %+v", res)
	}
	if res.Response != "Ok: queued as 4FQ2X1" {
		t.Errorf("Response = %q", res.Response)
	}
	msgs := b.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages received", len(msgs))
	}
	m := msgs[0]
	if m.from != "sender@example.com" || strings.Join(m.rcpts, ",") != "a@example.org,b@example.org" {
		t.Errorf("envelope = %q -> %q", m.from, m.rcpts)
	}
	if !bytes.Equal(m.data, testMsg) {
		t.Errorf("data = %q, want %q", m.data, testMsg)
	}
	if m.helo != "relay.test" || m.tls {
		t.Errorf("helo %q tls %v", m.helo, m.tls)
	}
}

func TestConnectionReuse(t *testing.T) {
	tests := []struct {
		name      string
		perConn   int
		sends     int
		wantConns int
	}{
		{"default limit", 0, 50, 1},
		{"reconnect every 10", 10, 50, 5},
		{"reconnect every 7", 7, 50, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{}
			s := startServer(t, b, plainMode, "127.0.0.1:0")
			c := newClient(t, "smtp://"+s.addr, func(c *Config) { c.MaxMessagesPerConn = tc.perConn })
			for range tc.sends {
				send(t, c)
			}
			if n := len(b.messages()); n != tc.sends {
				t.Fatalf("%d messages received, want %d", n, tc.sends)
			}
			if total, _, _ := s.ln.counts(); total != tc.wantConns {
				t.Errorf("%d connections for %d sends, want %d", total, tc.sends, tc.wantConns)
			}
		})
	}
}

func TestConcurrencyBound(t *testing.T) {
	const maxConns, senders = 3, 24
	b := &backend{dataDelay: 30 * time.Millisecond}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, func(c *Config) { c.MaxConns = maxConns })
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Send(context.Background(), "s@example.com", []string{fmt.Sprintf("r%d@example.org", i)}, testMsg)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if n := len(b.messages()); n != senders {
		t.Fatalf("%d messages received", n)
	}
	total, _, maxOpen := s.ln.counts()
	b.mu.Lock()
	maxBusy := b.maxBusy
	b.mu.Unlock()
	if maxOpen > maxConns || total > maxConns {
		t.Errorf("server saw %d simultaneous / %d total connections, limit %d", maxOpen, total, maxConns)
	}
	if maxBusy != maxConns {
		t.Errorf("at most %d transactions ran in parallel, want %d", maxBusy, maxConns)
	}
}

func TestWaitingForSlotHonoursContext(t *testing.T) {
	stall := make(chan struct{})
	b := &backend{stall: stall}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, func(c *Config) { c.MaxConns = 1 })
	first := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
		first <- err
	}()
	waitFor(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.busy == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Send(ctx, "s@example.com", []string{"b@example.org"}, testMsg)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("blocked Send returned after %v", elapsed)
	}
	e := asError(t, err)
	if !e.Temporary() || e.Stage != StageDial || !errors.Is(err, context.DeadlineExceeded) || !IsTemporary(err) {
		t.Errorf("err = %#v", e)
	}
	close(stall)
	if err := <-first; err != nil {
		t.Fatalf("first Send: %v", err)
	}
}

func TestContextCancelsTransaction(t *testing.T) {
	for _, m := range pipeModes {
		t.Run(m.name, func(t *testing.T) {
			stall := make(chan struct{})
			defer close(stall)
			b := &backend{stall: stall}
			s := startServer(t, b, plainMode, "127.0.0.1:0")
			p := startProxy(t, s.addr, m.strip, 0)
			c := newClient(t, "smtp://"+p.addr, func(c *Config) { c.DataTimeout = time.Minute })
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Send(ctx, "s@example.com", []string{"a@example.org"}, testMsg)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Send returned after %v", elapsed)
			}
			e := asError(t, err)
			if !e.Temporary() || e.Stage != StageData || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v (stage %s)", err, e.Stage)
			}
		})
	}
}

// TestFailureClassification runs each failure on both paths (the server's
// PIPELINING hidden by a proxy or not) and checks that they report it alike.
func TestFailureClassification(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(b *backend)
		rcpts     []string
		temporary bool
		stage     string
		code      int
		enhanced  [3]int
		sentinel  error
		wantConns int // connections used by the failing send plus one successful send after it
		class     string
	}{
		{"MAIL 421", func(b *backend) {
			b.mailErr = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "shutting down"}
		},
			nil, true, StageMail, 421, [3]int{4, 3, 2}, nil, 2, ""},
		{"MAIL 451", func(b *backend) {
			b.mailErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		},
			nil, true, StageMail, 451, [3]int{4, 3, 0}, nil, 1, ""},
		{"MAIL 550", func(b *backend) {
			b.mailErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender denied"}
		},
			nil, false, StageMail, 550, [3]int{5, 7, 1}, nil, 1, ""},
		{"all RCPT 550", func(b *backend) {
			b.rcptErr = map[string]*smtp.SMTPError{
				"a@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				"b@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
			}
		}, []string{"a@example.org", "b@example.org"}, false, StageRcpt, 550, [3]int{5, 1, 1}, ErrNoRecipientAccepted, 1, ""},
		{"RCPT 550 and 451", func(b *backend) {
			b.rcptErr = map[string]*smtp.SMTPError{
				"a@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				"b@example.org": {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"},
			}
		}, []string{"a@example.org", "b@example.org"}, true, StageRcpt, 451, [3]int{4, 2, 2}, ErrNoRecipientAccepted, 1, ""},
		{"DATA 451", func(b *backend) {
			b.dataErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "queue full"}
		},
			nil, true, StageData, 451, [3]int{4, 3, 0}, nil, 1, ""},
		{"DATA 554", func(b *backend) {
			b.dataErr = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}
		},
			nil, false, StageData, 554, [3]int{5, 6, 0}, nil, 1, ""},
		{"connection dropped mid-DATA", func(b *backend) { b.dropInData = true },
			nil, true, StageData, 0, [3]int{}, nil, 2, ""},
		// Missing credentials are a configuration error, not the recipients'
		// fault: retried until fixed.
		{"AUTH required but no credentials", func(b *backend) { b.requireAuth = true },
			nil, true, StageMail, 502, [3]int{5, 7, 0}, nil, 1, ClassConfig},
		{"MAIL 530 authentication required", func(b *backend) {
			b.mailErr = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Client was not authenticated"}
		},
			nil, true, StageMail, 530, [3]int{5, 7, 1}, nil, 1, ClassConfig},
		{"MAIL 550 multi-line", func(b *backend) {
			b.mailErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender denied\nsee the policy"}
		},
			nil, false, StageMail, 550, [3]int{}, nil, 1, ""},
		{"RCPT 421", func(b *backend) {
			b.rcptErr = map[string]*smtp.SMTPError{
				"b@example.org": {Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "shutting down"},
			}
		}, []string{"a@example.org", "b@example.org", "c@example.org"}, true, StageRcpt, 421, [3]int{4, 3, 2}, nil, 2, ""},
		{"final reply 421", func(b *backend) {
			b.dataErr = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "shutting down"}
		},
			nil, true, StageData, 421, [3]int{4, 3, 2}, nil, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := map[string]*Error{}
			for _, m := range pipeModes {
				t.Run(m.name, func(t *testing.T) {
					errs[m.name] = failOnce(t, m.strip, tc.setup, tc.rcpts, tc.sentinel, tc.wantConns)
				})
			}
			sameFailure(t, errs, tc.sentinel)
			for _, e := range errs {
				if e == nil {
					continue
				}
				if e.Temporary() != tc.temporary || IsTemporary(e) != tc.temporary {
					t.Errorf("temporary = %v / IsTemporary %v, want %v (%v)", e.Temporary(), IsTemporary(e), tc.temporary, e)
				}
				if e.Stage != tc.stage || e.Code != tc.code || e.EnhancedCode != tc.enhanced || e.Class() != tc.class {
					t.Errorf("stage %q code %d enhanced %v class %q, want %q %d %v %q (%v)", e.Stage, e.Code, e.EnhancedCode, e.Class(), tc.stage, tc.code, tc.enhanced, tc.class, e)
				}
			}
		})
	}
}

// failOnce sends one message to a go-smtp server set up to fail (behind a
// proxy that hides PIPELINING when strip is set), checks what every failure
// must satisfy, then sends again successfully and counts the connections
// used. It returns the failure.
func failOnce(t *testing.T, strip bool, setup func(*backend), rcpts []string, sentinel error, wantConns int) *Error {
	t.Helper()
	b := &backend{}
	setup(b)
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	p := startProxy(t, s.addr, strip, 0)
	c := newClient(t, "smtp://"+p.addr, func(c *Config) { c.DataTimeout = 300 * time.Millisecond })
	if rcpts == nil {
		rcpts = []string{"a@example.org"}
	}
	res, err := c.Send(context.Background(), "sender@example.com", rcpts, testMsg)
	e := asError(t, err)
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("err %v does not wrap %v", err, sentinel)
	}
	if sentinel == ErrNoRecipientAccepted {
		if res == nil || len(res.Rejected) != len(rcpts) || len(res.Accepted) != 0 {
			t.Errorf("result = %+v", res)
		}
	} else if res != nil {
		t.Errorf("result %+v returned with a transaction failure", res)
	}
	if n := len(b.messages()); n != 0 {
		t.Errorf("%d messages delivered despite the failure", n)
	}

	// The failure must not poison the client: a healthy connection is
	// reset and reused, a broken one replaced.
	b.set(func(b *backend) {
		b.mailErr, b.rcptErr, b.dataErr, b.dropInData, b.requireAuth, b.dataDelay = nil, nil, nil, false, false, 0
	})
	send(t, c)
	if total, _, _ := s.ln.counts(); total != wantConns {
		t.Errorf("%d connections used, want %d", total, wantConns)
	}
	return e
}

// sameFailure checks that the paths reported the failure alike: the same
// classification, stage and reply (network errors may word it differently).
func sameFailure(t *testing.T, errs map[string]*Error, sentinel error) {
	t.Helper()
	p, l := errs["pipelined"], errs["lockstep"]
	if p == nil || l == nil {
		return
	}
	if p.Temporary() != l.Temporary() || p.Code != l.Code || p.EnhancedCode != l.EnhancedCode || p.Stage != l.Stage ||
		(p.Code != 0 && p.Message != l.Message) || errors.Is(p, sentinel) != errors.Is(l, sentinel) {
		t.Errorf("the paths disagree:\npipelined %#v\nlockstep  %#v", p, l)
	}
}

func TestDataTimeout(t *testing.T) {
	errs := map[string]*Error{}
	for _, m := range pipeModes {
		t.Run(m.name, func(t *testing.T) {
			start := time.Now()
			// The server answers the final dot after 1 s; DataTimeout is 300 ms.
			e := failOnce(t, m.strip, func(b *backend) { b.dataDelay = time.Second }, nil, nil, 2)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %v", elapsed)
			}
			var ne net.Error
			if !e.Temporary() || e.Stage != StageData || e.Code != 0 || !errors.As(e, &ne) || !ne.Timeout() {
				t.Errorf("err = %#v", e)
			}
			errs[m.name] = e
		})
	}
	sameFailure(t, errs, nil)
}

func TestPartialRejection(t *testing.T) {
	for _, m := range pipeModes {
		t.Run(m.name, func(t *testing.T) {
			b := &backend{rcptErr: map[string]*smtp.SMTPError{
				"b@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				"c@example.org": {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "over quota"},
			}}
			s := startServer(t, b, plainMode, "127.0.0.1:0")
			p := startProxy(t, s.addr, m.strip, 0)
			c := newClient(t, "smtp://"+p.addr, nil)
			res := send(t, c, "a@example.org", "b@example.org", "c@example.org", "d@example.org")
			if strings.Join(res.Accepted, ",") != "a@example.org,d@example.org" {
				t.Errorf("Accepted = %v", res.Accepted)
			}
			if e := res.Rejected["b@example.org"]; e == nil || e.Temporary() || e.Code != 550 || e.Stage != StageRcpt ||
				e.EnhancedCode != [3]int{5, 1, 1} || e.Message != "no such user" {
				t.Errorf("Rejected[b] = %+v", e)
			}
			if e := res.Rejected["c@example.org"]; e == nil || !e.Temporary() || e.Code != 452 || e.Message != "over quota" {
				t.Errorf("Rejected[c] = %+v", e)
			}
			msgs := b.messages()
			if len(msgs) != 1 || strings.Join(msgs[0].rcpts, ",") != "a@example.org,d@example.org" {
				t.Errorf("server received %+v", msgs)
			}
			send(t, c)
			if total, _, _ := s.ln.counts(); total != 1 {
				t.Errorf("%d connections", total)
			}
		})
	}
}

// rawServer accepts connections and runs handle on each.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestDialFailures(t *testing.T) {
	// A port with nothing listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	_ = ln.Close()

	silent := func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }
	greet := func(line string) func(net.Conn) {
		return func(c net.Conn) {
			_, _ = io.WriteString(c, line)
			_, _ = io.Copy(io.Discard, c)
		}
	}
	tests := []struct {
		name      string
		addr      string
		ctx       time.Duration
		temporary bool
		stage     string
		code      int
		check     func(t *testing.T, err error)
	}{
		{"connection refused", closedAddr, 0, true, StageDial, 0, func(t *testing.T, err error) {
			var ne net.Error
			if !errors.As(err, &ne) {
				t.Errorf("%v does not wrap a net.Error", err)
			}
		}},
		{"no greeting (timeout)", rawServer(t, silent), 0, true, StageDial, 0, func(t *testing.T, err error) {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%v is not a timeout", err)
			}
		}},
		{"no greeting, context deadline", rawServer(t, silent), 150 * time.Millisecond, true, StageDial, 0, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%v is not a context deadline", err)
			}
		}},
		{"greeting 554", rawServer(t, greet("554 5.3.2 not accepting mail\r\n")), 0, false, StageDial, 554, nil},
		{"greeting 421", rawServer(t, greet("421 4.3.2 busy\r\n")), 0, true, StageDial, 421, nil},
		{"closed after connect", rawServer(t, func(net.Conn) {}), 0, true, StageDial, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, "smtp://"+tc.addr, func(c *Config) {
				c.CommandTimeout = 300 * time.Millisecond
				if tc.ctx > 0 {
					c.CommandTimeout = time.Minute
				}
			})
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			start := time.Now()
			_, err := c.Send(ctx, "s@example.com", []string{"a@example.org"}, testMsg)
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			e := asError(t, err)
			if e.Temporary() != tc.temporary || IsTemporary(err) != tc.temporary || e.Stage != tc.stage || e.Code != tc.code {
				t.Errorf("err = %v: temporary %v stage %q code %d; want %v %q %d", err, e.Temporary(), e.Stage, e.Code, tc.temporary, tc.stage, tc.code)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

func TestServerRestartBetweenSends(t *testing.T) {
	b1 := &backend{}
	s1 := startServer(t, b1, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s1.addr, nil)
	send(t, c)
	_ = s1.srv.Close() // kills the pooled connection
	waitFor(t, func() bool { _, open, _ := s1.ln.counts(); return open == 0 })

	b2 := &backend{}
	s2 := startServer(t, b2, plainMode, s1.addr)
	send(t, c)
	if len(b1.messages()) != 1 || len(b2.messages()) != 1 {
		t.Errorf("messages: first server %d, second %d", len(b1.messages()), len(b2.messages()))
	}
	if total, _, _ := s2.ln.counts(); total != 1 {
		t.Errorf("restarted server saw %d connections", total)
	}
}

func TestServerIdleTimeoutClosesPooledConn(t *testing.T) {
	b := &backend{}
	// The server hangs up idle sessions with a 421.
	s := startServer(t, b, plainMode, "127.0.0.1:0", func(srv *smtp.Server) { srv.ReadTimeout = 150 * time.Millisecond })
	c := newClient(t, "smtp://"+s.addr, nil)
	send(t, c)
	waitFor(t, func() bool { _, open, _ := s.ln.counts(); return open == 0 })
	send(t, c)
	if n := len(b.messages()); n != 2 {
		t.Errorf("%d messages", n)
	}
	if total, _, _ := s.ln.counts(); total != 2 {
		t.Errorf("%d connections, want 2", total)
	}
}

func TestIdleConnectionsExpire(t *testing.T) {
	b := &backend{}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, func(c *Config) { c.MaxIdle = 100 * time.Millisecond })
	send(t, c)
	waitFor(t, func() bool { _, open, _ := s.ln.counts(); return open == 0 })
	send(t, c)
	if total, _, _ := s.ln.counts(); total != 2 {
		t.Errorf("%d connections, want 2", total)
	}
}

func TestClose(t *testing.T) {
	b := &backend{}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, nil)
	send(t, c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, open, _ := s.ln.counts(); return open == 0 })
	_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
	if e := asError(t, err); !errors.Is(err, ErrClosed) || !e.Temporary() {
		t.Errorf("Send after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name      string
		mode      serverMode
		mechs     []string
		url       string // user info
		temporary bool
		stage     string
		code      int
		sentinel  error
		ok        bool
	}{
		{"PLAIN over loopback cleartext", plainMode, []string{"PLAIN"}, "alice:s3cr%2Ft", false, "", 0, nil, true},
		{"LOGIN over loopback cleartext", plainMode, []string{"LOGIN"}, "alice:s3cr%2Ft", false, "", 0, nil, true},
		{"PLAIN preferred", plainMode, []string{"LOGIN", "PLAIN"}, "alice:s3cr%2Ft", false, "", 0, nil, true},
		{"PLAIN after STARTTLS", startTLSMode, []string{"PLAIN"}, "alice:s3cr%2Ft", false, "", 0, nil, true},
		{"LOGIN over smtps", implicitMode, []string{"LOGIN"}, "alice:s3cr%2Ft", false, "", 0, nil, true},
		// Credentials that cannot be used are configuration errors: retried
		// (the operator fixes them), never a bounce of the recipients.
		{"wrong password", plainMode, []string{"PLAIN"}, "alice:wrong", true, StageAuth, 535, nil, false},
		{"no usable mechanism", plainMode, []string{"CRAM-MD5"}, "alice:s3cr%2Ft", true, StageAuth, 0, ErrPolicy, false},
		{"AUTH not offered", plainMode, nil, "alice:s3cr%2Ft", true, StageAuth, 0, ErrPolicy, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{authMechs: tc.mechs, requireAuth: true, user: "alice", pass: "s3cr/t"}
			s := startServer(t, b, tc.mode, "127.0.0.1:0")
			scheme := "smtp"
			if tc.mode == implicitMode {
				scheme = "smtps"
			}
			c := newClient(t, scheme+"://"+tc.url+"@"+s.addr, trust(s))
			_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
			if tc.ok {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				msgs := b.messages()
				if len(msgs) != 1 || msgs[0].user != "alice" || msgs[0].tls != (tc.mode != plainMode) {
					t.Errorf("received %+v", msgs)
				}
				return
			}
			e := asError(t, err)
			if e.Temporary() != tc.temporary || e.Stage != tc.stage || e.Code != tc.code || e.Class() != ClassConfig {
				t.Errorf("err = %v: temporary %v stage %q code %d class %q", err, e.Temporary(), e.Stage, e.Code, e.Class())
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("err %v does not wrap %v", err, tc.sentinel)
			}
		})
	}
}

func TestAuthAllowed(t *testing.T) {
	tests := []struct {
		tls  bool
		host string
		want bool
	}{
		{true, "smtp.example.com", true},
		{false, "smtp.example.com", false},
		{false, "192.0.2.10", false},
		{false, "127.0.0.1", true},
		{false, "127.3.4.5", true},
		{false, "::1", true},
		{false, "localhost", true},
		{false, "LOCALHOST", true},
		{false, "localhost.example.com", false},
	}
	for _, tc := range tests {
		if got := authAllowed(tc.tls, tc.host); got != tc.want {
			t.Errorf("authAllowed(%v, %q) = %v", tc.tls, tc.host, got)
		}
	}
}

// TestCleartextAuthRefused connects to a non-loopback address of this host,
// where credentials must not be sent without TLS.
func TestCleartextAuthRefused(t *testing.T) {
	var ip net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			ip = n.IP
			break
		}
	}
	if ip == nil {
		t.Skip("no non-loopback IPv4 address on this host")
	}
	b := &backend{authMechs: []string{"PLAIN"}, user: "alice", pass: "pw"}
	s := startServer(t, b, plainMode, net.JoinHostPort(ip.String(), "0"))
	c := newClient(t, "smtp://alice:pw@"+s.addr, nil)
	_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
	e := asError(t, err)
	if !errors.Is(err, ErrPolicy) || !e.Temporary() || e.Class() != ClassConfig || e.Stage != StageAuth {
		t.Errorf("err = %v", err)
	}
	if len(b.messages()) != 0 {
		t.Error("message delivered")
	}
}

func TestTLS(t *testing.T) {
	tests := []struct {
		name    string
		mode    serverMode
		scheme  string
		trusted bool
		wantTLS bool
		stage   string // "" = success
	}{
		{"STARTTLS when offered", startTLSMode, "smtp", true, true, ""},
		{"cleartext when STARTTLS not offered", plainMode, "smtp", true, false, ""},
		{"implicit TLS", implicitMode, "smtps", true, true, ""},
		{"STARTTLS with untrusted certificate", startTLSMode, "smtp", false, false, StageTLS},
		{"smtps with untrusted certificate", implicitMode, "smtps", false, false, StageTLS},
		{"smtps against a cleartext server", plainMode, "smtps", true, false, StageTLS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &backend{}
			s := startServer(t, b, tc.mode, "127.0.0.1:0")
			tweak := func(c *Config) { c.CommandTimeout = time.Second }
			if tc.trusted {
				tweak = func(c *Config) { c.CommandTimeout = time.Second; trust(s)(c) }
			}
			c := newClient(t, tc.scheme+"://"+s.addr, tweak)
			_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
			if tc.stage != "" {
				// Each is a configuration error: retried, until fixed.
				if e := asError(t, err); e.Stage != tc.stage || e.Class() != ClassConfig || !e.Temporary() {
					t.Errorf("err = %v (class %q), want a configuration error at stage %s", err, e.Class(), tc.stage)
				}
				if len(b.messages()) != 0 {
					t.Error("message delivered")
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := b.messages()
			if len(msgs) != 1 || msgs[0].tls != tc.wantTLS || msgs[0].helo != "relay.test" {
				t.Errorf("received %+v", msgs)
			}
			// The TLS session is pooled like any other.
			send(t, c)
			if total, _, _ := s.ln.counts(); total != 1 {
				t.Errorf("%d connections", total)
			}
		})
	}
}

// TestCertificateProblems: a relay certificate the client cannot accept is
// a configuration error — temporary, classed ClassConfig, with a message
// that names the problem and the certificate — over STARTTLS and smtps
// alike; trusting the issuing CA, or skipping verification, delivers.
func TestCertificateProblems(t *testing.T) {
	ca := testpki.NewCA(t, "connectmail test CA")
	other := testpki.NewCA(t, "someone else's CA")
	good := ca.Issue(t, testpki.Leaf{Hosts: []string{"127.0.0.1", "localhost"}})
	wrongName := ca.Issue(t, testpki.Leaf{Hosts: []string{"127.0.0.2", "mx.elsewhere.test"}})
	expired := ca.Issue(t, testpki.Leaf{Hosts: []string{"127.0.0.1"}, Expired: true})
	tests := []struct {
		name string
		cert tls.Certificate
		tls  *tls.Config // the client's; nil = system roots
		want string      // in the error message; "" = delivered
	}{
		{"private CA, system roots", good, nil, `certificate signed by unknown authority (certificate "CN=127.0.0.1" issued by "CN=connectmail test CA,O=connectmail tests"`},
		{"another CA trusted", good, &tls.Config{RootCAs: other.Pool()}, "unknown authority"},
		{"host name mismatch", wrongName, &tls.Config{RootCAs: ca.Pool()}, "certificate is valid for 127.0.0.2, not 127.0.0.1"},
		{"expired", expired, &tls.Config{RootCAs: ca.Pool()}, "certificate has expired"},
		{"CA trusted", good, &tls.Config{RootCAs: ca.Pool()}, ""},
		{"verification skipped", wrongName, &tls.Config{InsecureSkipVerify: true}, ""},
	}
	for _, mode := range []struct {
		name   string
		mode   serverMode
		scheme string
	}{{"STARTTLS", startTLSMode, "smtp"}, {"smtps", implicitMode, "smtps"}} {
		for _, tc := range tests {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				b := &backend{}
				s := startServer(t, b, mode.mode, "127.0.0.1:0", serveCert(tc.cert))
				c := newClient(t, mode.scheme+"://"+s.addr, func(c *Config) { c.TLSConfig = tc.tls })
				_, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg)
				if tc.want == "" {
					if err != nil {
						t.Fatalf("Send: %v", err)
					}
					if msgs := b.messages(); len(msgs) != 1 || !msgs[0].tls {
						t.Fatalf("received %+v", msgs)
					}
					return
				}
				e := asError(t, err)
				if e.Class() != ClassConfig || !e.Temporary() || e.Stage != StageTLS || !strings.Contains(e.Error(), tc.want) || !errors.Is(err, ErrCertificate) ||
					!strings.HasSuffix(e.Error(), "(configuration error)") {
					t.Errorf("err = %v (class %q temporary %v stage %q), want a temporary configuration error at tls mentioning %q",
						err, e.Class(), e.Temporary(), e.Stage, tc.want)
				}
				if len(b.messages()) != 0 {
					t.Error("message delivered")
				}
			})
		}
	}
}

// TestHelloName: the EHLO name is the configured one, and only names a
// relay can accept are.
func TestHelloName(t *testing.T) {
	b := &backend{}
	s := startServer(t, b, startTLSMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, func(c *Config) { trust(s)(c); c.HelloName = "mta-7.example.net" })
	send(t, c)
	if msgs := b.messages(); len(msgs) != 1 || msgs[0].helo != "mta-7.example.net" {
		t.Errorf("received %+v", msgs)
	}
	for _, name := range []string{"localhost", "mail.example.com", "a-b.c1", "[192.0.2.1]", "[IPv6:2001:db8::1]", strings.Repeat("a", 63) + ".x"} {
		if err := CheckHelloName(name); err != nil {
			t.Errorf("CheckHelloName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", "bad name", "x\r\nQUIT", "under_score.example", "-lead.example", "trail-.example", "a..b", "dot.",
		strings.Repeat("a", 64) + ".x", strings.Repeat("abc.", 64) + "x", "[192.0.2.1", "[2001:db8::1]", "[IPv6:192.0.2.1]", "[300.1.1.1]", "mx.exämple.org"} {
		if err := CheckHelloName(name); err == nil {
			t.Errorf("CheckHelloName(%q) accepted", name)
		}
	}
}

func TestSMTPUTF8(t *testing.T) {
	b := &backend{}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c := newClient(t, "smtp://"+s.addr, nil)
	send(t, c, "用户@例子.广告")
	if msgs := b.messages(); len(msgs) != 1 || !msgs[0].utf8 || msgs[0].rcpts[0] != "用户@例子.广告" {
		t.Errorf("received %+v", msgs)
	}

	s2 := startServer(t, b, plainMode, "127.0.0.1:0", func(srv *smtp.Server) { srv.EnableSMTPUTF8 = false })
	c2 := newClient(t, "smtp://"+s2.addr, nil)
	_, err := c2.Send(context.Background(), "s@example.com", []string{"用户@例子.广告"}, testMsg)
	if e := asError(t, err); !errors.Is(err, ErrPolicy) || e.Temporary() || e.Stage != StageMail {
		t.Errorf("err = %v", err)
	}
	// The connection stays usable for ASCII mail.
	send(t, c2)
}

func TestEnvelopeValidation(t *testing.T) {
	c := newClient(t, "smtp://127.0.0.1:1", nil) // never dialled
	tests := []struct {
		name  string
		from  string
		rcpts []string
		stage string
	}{
		{"CRLF in sender", "a@b\r\nRCPT TO:<x@y>", []string{"a@example.org"}, StageMail},
		{"angle in sender", "a>@b", []string{"a@example.org"}, StageMail},
		{"no recipients", "a@b", nil, StageRcpt},
		{"empty recipient", "a@b", []string{""}, StageRcpt},
		{"LF in recipient", "a@b", []string{"x@y\nDATA"}, StageRcpt},
		{"space in recipient", "a@b", []string{"x y@z"}, StageRcpt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Send(context.Background(), tc.from, tc.rcpts, testMsg)
			e := asError(t, err)
			if !errors.Is(err, ErrInvalidAddress) || e.Temporary() || e.Stage != tc.stage {
				t.Errorf("err = %v", err)
			}
		})
	}
	// The null reverse-path is allowed.
	b := &backend{}
	s := startServer(t, b, plainMode, "127.0.0.1:0")
	c2 := newClient(t, "smtp://"+s.addr, nil)
	if _, err := c2.Send(context.Background(), "", []string{"a@example.org"}, testMsg); err != nil {
		t.Fatalf("null sender: %v", err)
	}
}

func TestNew(t *testing.T) {
	valid := []struct {
		url, addr string
		tls, auth bool
	}{
		{"smtp://mail.example.com", "mail.example.com:25", false, false},
		{"smtp://mail.example.com:587", "mail.example.com:587", false, false},
		{"smtps://mail.example.com", "mail.example.com:465", true, false},
		{"smtp://user:p%40ss@mail.example.com:2525/", "mail.example.com:2525", false, true},
		{"SMTP://[::1]:25", "[::1]:25", false, false},
	}
	for _, tc := range valid {
		c, err := New(Config{URL: tc.url})
		if err != nil {
			t.Errorf("New(%q): %v", tc.url, err)
			continue
		}
		if c.addr != tc.addr || c.implicitTLS != tc.tls || c.hasAuth != tc.auth {
			t.Errorf("New(%q): addr %q tls %v auth %v", tc.url, c.addr, c.implicitTLS, c.hasAuth)
		}
		if c.cfg.MaxConns != DefaultMaxConns || c.cfg.HelloName != DefaultHelloName || c.cfg.DataTimeout != DefaultDataTimeout ||
			c.cfg.MaxMessagesPerConn != DefaultMaxMessagesPerConn || c.cfg.MaxIdle != DefaultMaxIdle {
			t.Errorf("defaults not applied: %+v", c.cfg)
		}
	}
	if c, _ := New(Config{URL: "smtp://user:p%40ss@h"}); c == nil || c.user != "user" || c.pass != "p@ss" {
		t.Errorf("credentials not decoded")
	}
	invalid := []Config{
		{URL: ""},
		{URL: "http://mail.example.com"},
		{URL: "smtp://"},
		{URL: "smtp://mail.example.com:0"},
		{URL: "smtp://mail.example.com:99999"},
		{URL: "smtp://mail.example.com/path"},
		{URL: "smtp://mail.example.com?x=1"},
		{URL: "smtp://:pw@mail.example.com"},
		{URL: "mail.example.com:25"},
		{URL: "smtp://h", HelloName: "bad name"},
		{URL: "smtp://h", HelloName: "x\r\nQUIT"},
		{URL: "smtp://h", MaxConns: -1},
		{URL: "smtp://h", CommandTimeout: -time.Second},
	}
	for _, cfg := range invalid {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	// The error of a URL that does not parse keeps its password out.
	if _, err := New(Config{URL: "smtp://user:s3cret@mail.example.com:25x"}); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("New with a bad port = %v", err)
	}
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"temporary Error", &Error{temporary: true}, true},
		{"permanent Error", &Error{Code: 550}, false},
		{"wrapped Error", fmt.Errorf("deliver: %w", &Error{temporary: true}), true},
		{"smtp 421", &smtp.SMTPError{Code: 421}, true},
		{"smtp 451", &smtp.SMTPError{Code: 451}, true},
		{"smtp 550", &smtp.SMTPError{Code: 550}, false},
		{"net.OpError", &net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", context.Canceled, true},
		{"EOF", io.EOF, true},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		// Unknown errors are temporary, as in the delivery worker
		// (delivery's TestUnknownSendErrorIsTemporary): never bounce on
		// a failure nobody classified.
		{"unknown", errors.New("boom"), true},
		{"wrapped unknown", fmt.Errorf("send: %w", errors.New("boom")), true},
		{"smtp 554", fmt.Errorf("data: %w", &smtp.SMTPError{Code: 554}), false},
		{"permanent Error wrapping a network error", &Error{Code: 550, Err: &net.OpError{Op: "read", Err: errors.New("reset")}}, false},
	}
	for _, tc := range tests {
		if got := IsTemporary(tc.err); got != tc.want {
			t.Errorf("%s: IsTemporary = %v", tc.name, got)
		}
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Stage: StageRcpt, Code: 550, EnhancedCode: [3]int{5, 1, 1}, Message: "no such user"}, "relay: rcpt: 550 5.1.1 no such user (permanent)"},
		{&Error{Stage: StageMail, Code: 451, Message: "later", temporary: true}, "relay: mail: 451 later (temporary)"},
		{&Error{Stage: StageDial, temporary: true, Err: io.EOF}, "relay: dial: EOF (temporary)"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	if e := (&Error{Err: io.EOF}); !errors.Is(e, io.EOF) {
		t.Error("Unwrap does not expose Err")
	}
}

func TestLoginClient(t *testing.T) {
	tests := []struct {
		name       string
		challenges []string
		want       []string
	}{
		{"standard prompts", []string{"Username:", "Password:"}, []string{"u", "p"}},
		{"lowercase prompts", []string{"username", "password"}, []string{"u", "p"}},
		{"unknown prompts by position", []string{"", ""}, []string{"u", "p"}},
	}
	for _, tc := range tests {
		l := &loginClient{user: "u", pass: "p"}
		mech, ir, err := l.Start()
		if mech != "LOGIN" || ir != nil || err != nil {
			t.Fatalf("Start = %q %q %v", mech, ir, err)
		}
		for i, ch := range tc.challenges {
			resp, err := l.Next([]byte(ch))
			if err != nil || string(resp) != tc.want[i] {
				t.Errorf("%s: Next(%q) = %q, %v", tc.name, ch, resp, err)
			}
		}
		if _, err := l.Next([]byte("")); err == nil {
			t.Errorf("%s: third unknown challenge accepted", tc.name)
		}
	}
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkSend sends one-recipient messages from GOMAXPROCS goroutines
// over a pool of up to four connections: pipelined (the default) and in
// lockstep (DisablePipelining), straight to the in-process server over
// loopback (client and server CPU both count), and through a proxy that
// delays each client flight by 1 ms (a 1 ms round trip).
func BenchmarkSend(b *testing.B) {
	for _, rtt := range []time.Duration{0, time.Millisecond} {
		for _, disable := range []bool{false, true} {
			name := "pipelined"
			if disable {
				name = "lockstep"
			}
			if rtt > 0 {
				name += "/rtt=" + rtt.String()
			}
			b.Run(name, func(b *testing.B) {
				be := &backend{}
				s := startServer(b, be, plainMode, "127.0.0.1:0")
				addr := s.addr
				if rtt > 0 {
					addr = startProxy(b, s.addr, false, rtt).addr
				}
				c := newClient(b, "smtp://"+addr, func(c *Config) { c.MaxConns = 4; c.DisablePipelining = disable })
				b.ReportAllocs()
				b.SetBytes(int64(len(testMsg)))
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := c.Send(context.Background(), "s@example.com", []string{"a@example.org"}, testMsg); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			})
		}
	}
}
