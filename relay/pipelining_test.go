package relay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// proxy relays TCP connections between the client and a server. It records
// what the client sends and counts the client's flights: runs of
// client-to-server data not interrupted by a server reply, i.e. round trips.
// It can hide PIPELINING from the server's EHLO replies (turning a go-smtp
// server into one without the extension) and delay each client flight (a
// slower network).
type proxy struct {
	addr   string
	target string
	strip  bool
	delay  time.Duration

	mu      sync.Mutex
	flights int
	sent    bytes.Buffer // everything the clients sent
}

// startProxy relays to target until the test ends.
func startProxy(t testing.TB, target string, strip bool, delay time.Duration) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target, strip: strip, delay: delay}
	var wg sync.WaitGroup
	var connsMu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		connsMu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		connsMu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			connsMu.Lock()
			conns = append(conns, client, server)
			connsMu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.relay(client, server)
			}()
		}
	}()
	return p
}

// relay copies both ways until either side closes, then closes both.
func (p *proxy) relay(client, server net.Conn) {
	defer client.Close()
	defer server.Close()
	var mu sync.Mutex
	clientTurn := false // the last data seen came from the client
	done := make(chan struct{}, 2)
	go func() { // client -> server
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				mu.Lock()
				first := !clientTurn
				clientTurn = true
				mu.Unlock()
				p.mu.Lock()
				if first {
					p.flights++
				}
				p.sent.Write(buf[:n])
				p.mu.Unlock()
				if first && p.delay > 0 {
					time.Sleep(p.delay)
				}
				if _, werr := server.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { // server -> client, a whole reply at a time
		defer func() { done <- struct{}{} }()
		r := bufio.NewReader(server)
		for {
			reply, err := readReplyLines(r)
			if len(reply) > 0 {
				if p.strip {
					reply = stripPipelining(reply)
				}
				mu.Lock()
				clientTurn = false
				mu.Unlock()
				if _, werr := io.WriteString(client, strings.Join(reply, "")); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	<-done
}

// readReplyLines reads one SMTP reply, its lines with their CRLF.
func readReplyLines(r *bufio.Reader) ([]string, error) {
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			lines = append(lines, line)
		}
		if err != nil {
			return lines, err
		}
		if len(line) < 4 || line[3] != '-' {
			return lines, nil
		}
	}
}

// stripPipelining removes the PIPELINING line from a multi-line reply.
func stripPipelining(reply []string) []string {
	var kept []string
	for _, l := range reply {
		if len(l) >= 4 && strings.EqualFold(strings.TrimSpace(l[4:]), "PIPELINING") {
			continue
		}
		kept = append(kept, l)
	}
	for i, l := range kept {
		sep := byte('-')
		if i == len(kept)-1 {
			sep = ' '
		}
		if len(l) >= 4 {
			kept[i] = l[:3] + string(sep) + l[4:]
		}
	}
	return kept
}

// counts returns the client flights so far and what the clients sent.
func (p *proxy) counts() (flights int, sent string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flights, p.sent.String()
}

// pipeModes are the two ways a transaction runs: the go-smtp server offers
// PIPELINING, and the proxy in front of it hides it or not.
var pipeModes = []struct {
	name  string
	strip bool
}{
	{"pipelined", false},
	{"lockstep", true},
}

func TestProxyStripsPipelining(t *testing.T) {
	for _, m := range pipeModes {
		t.Run(m.name, func(t *testing.T) {
			s := startServer(t, &backend{}, plainMode, "127.0.0.1:0")
			p := startProxy(t, s.addr, m.strip, 0)
			c := newClient(t, "smtp://"+p.addr, nil)
			send(t, c)
			cn := c.idle[0]
			got, _ := cn.c.Extension("PIPELINING")
			if got == m.strip {
				t.Errorf("PIPELINING offered = %v with strip %v", got, m.strip)
			}
			// The rest of the EHLO reply survives.
			if ok, _ := cn.c.Extension("8BITMIME"); !ok {
				t.Error("8BITMIME lost")
			}
			if ok, _ := cn.c.Extension("SIZE"); !ok {
				t.Error("SIZE lost")
			}
		})
	}
}

func TestPipeliningRoundTrips(t *testing.T) {
	rcpts3 := []string{"a@example.org", "b@example.org", "c@example.org"}
	// Commands too long for one write (2,000 x 38 bytes > 32 KiB) are sent
	// in lockstep.
	var rcptsMany []string
	for i := range 2000 {
		rcptsMany = append(rcptsMany, fmt.Sprintf("recipient-%04d@example.org", i))
	}
	tests := []struct {
		name    string
		strip   bool
		disable bool
		rcpts   []string
		want    int // client flights per message
	}{
		{"pipelined, one recipient", false, false, nil, 2},
		{"pipelined, three recipients", false, false, rcpts3, 2},
		{"server without PIPELINING, one recipient", true, false, nil, 4},
		{"server without PIPELINING, three recipients", true, false, rcpts3, 6},
		{"DisablePipelining, one recipient", false, true, nil, 4},
		{"DisablePipelining, three recipients", false, true, rcpts3, 6},
		{"pipelined, too many recipients for one write", false, false, rcptsMany, 2003},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sends := 20
			if len(tc.rcpts) > 100 {
				sends = 2
			}
			b := &backend{}
			s := startServer(t, b, plainMode, "127.0.0.1:0")
			p := startProxy(t, s.addr, tc.strip, 0)
			c := newClient(t, "smtp://"+p.addr, func(c *Config) { c.DisablePipelining = tc.disable })
			send(t, c, tc.rcpts...) // connects: greeting, EHLO
			before, _ := p.counts()
			for range sends {
				send(t, c, tc.rcpts...)
			}
			after, _ := p.counts()
			if got := float64(after-before) / float64(sends); got != float64(tc.want) {
				t.Errorf("%.2f client flights per message, want %d", got, tc.want)
			}
			msgs := b.messages()
			if len(msgs) != sends+1 {
				t.Fatalf("%d messages received", len(msgs))
			}
			for _, m := range msgs {
				if !bytes.Equal(m.data, testMsg) {
					t.Fatalf("data = %q", m.data)
				}
			}
		})
	}
}

// TestPipeliningSameCommands checks that both paths put the same bytes on
// the wire for a successful transaction (the same MAIL parameters, the same
// dot-stuffed message); only their grouping into writes differs.
func TestPipeliningSameCommands(t *testing.T) {
	bigMsg := []byte(strings.Repeat("From: a@example.com\r\n", 2) + "\r\n" +
		strings.Repeat(".a line that needs dot-stuffing, long enough to cross the buffers\r\n", 2000) + ".\r\n..\r\nbare\nlf\r\n")
	tests := []struct {
		name     string
		from     string
		rcpts    []string
		msg      []byte
		wantMail string
	}{
		{"one recipient", "s@example.com", []string{"a@example.org"}, testMsg,
			fmt.Sprintf("MAIL FROM:<s@example.com> BODY=8BITMIME SIZE=%d\r\n", len(testMsg))},
		{"several recipients", "s@example.com", []string{"a@example.org", "b@example.org", "c@example.org"}, testMsg,
			fmt.Sprintf("MAIL FROM:<s@example.com> BODY=8BITMIME SIZE=%d\r\n", len(testMsg))},
		{"null sender", "", []string{"a@example.org"}, testMsg,
			fmt.Sprintf("MAIL FROM:<> BODY=8BITMIME SIZE=%d\r\n", len(testMsg))},
		{"SMTPUTF8 envelope", "s@example.com", []string{"用户@例子.广告"}, testMsg,
			fmt.Sprintf("MAIL FROM:<s@example.com> BODY=8BITMIME SIZE=%d SMTPUTF8\r\n", len(testMsg))},
		{"empty message", "s@example.com", []string{"a@example.org"}, nil,
			"MAIL FROM:<s@example.com> BODY=8BITMIME\r\n"},
		{"large message", "s@example.com", []string{"a@example.org"}, bigMsg,
			fmt.Sprintf("MAIL FROM:<s@example.com> BODY=8BITMIME SIZE=%d\r\n", len(bigMsg))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wire := map[string]string{}
			var delivered [][]byte
			for _, m := range pipeModes {
				b := &backend{}
				s := startServer(t, b, plainMode, "127.0.0.1:0")
				p := startProxy(t, s.addr, m.strip, 0)
				c := newClient(t, "smtp://"+p.addr, nil)
				if _, err := c.Send(context.Background(), tc.from, tc.rcpts, tc.msg); err != nil {
					t.Fatalf("%s: Send: %v", m.name, err)
				}
				_, sent := p.counts()
				i := strings.Index(sent, "MAIL FROM:")
				if i < 0 {
					t.Fatalf("%s: no MAIL in %q", m.name, sent)
				}
				wire[m.name] = sent[i:]
				if !strings.HasPrefix(sent[i:], tc.wantMail) {
					mail, _, _ := strings.Cut(sent[i:], "\n")
					t.Errorf("%s: %q, want %q", m.name, mail, tc.wantMail)
				}
				msgs := b.messages()
				if len(msgs) != 1 {
					t.Fatalf("%s: %d messages", m.name, len(msgs))
				}
				delivered = append(delivered, msgs[0].data)
			}
			if wire["pipelined"] != wire["lockstep"] {
				t.Errorf("the paths sent different bytes:\npipelined %.300q\nlockstep  %.300q", wire["pipelined"], wire["lockstep"])
			}
			if !bytes.Equal(delivered[0], delivered[1]) {
				t.Errorf("the server received different messages (%d and %d bytes)", len(delivered[0]), len(delivered[1]))
			}
		})
	}
}

// TestPipeliningManyMessagesOneConnection interleaves pipelined successes
// with refusals handled by go-smtp (RSET, and the EHLO go-smtp repeats after
// it) on one connection: neither reader may keep bytes meant for the other.
func TestPipeliningManyMessagesOneConnection(t *testing.T) {
	for _, m := range pipeModes {
		t.Run(m.name, func(t *testing.T) {
			b := &backend{
				senderErr: map[string]*smtp.SMTPError{
					"refused@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender denied"},
				},
				dataErrFrom: map[string]*smtp.SMTPError{
					"spam@example.com": {Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"},
				},
				rcptErr: map[string]*smtp.SMTPError{
					"nobody@example.org": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				},
			}
			s := startServer(t, b, plainMode, "127.0.0.1:0")
			p := startProxy(t, s.addr, m.strip, 0)
			c := newClient(t, "smtp://"+p.addr, func(c *Config) { c.MaxConns = 1; c.MaxMessagesPerConn = 1000 })
			ctx := context.Background()
			const rounds = 200
			delivered := 0
			for i := range rounds {
				var err error
				var res *Result
				switch i % 5 {
				case 0, 1: // plain success
					res, err = c.Send(ctx, "s@example.com", []string{fmt.Sprintf("r%d@example.org", i)}, testMsg)
					if err != nil || len(res.Accepted) != 1 {
						t.Fatalf("send %d: %v %+v", i, err, res)
					}
					delivered++
				case 2: // MAIL refused
					_, err = c.Send(ctx, "refused@example.com", []string{"a@example.org"}, testMsg)
					if e := asError(t, err); e.Stage != StageMail || e.Code != 550 {
						t.Fatalf("send %d: %v", i, err)
					}
				case 3: // one recipient refused, one accepted
					res, err = c.Send(ctx, "s@example.com", []string{"nobody@example.org", "a@example.org"}, testMsg)
					if err != nil || len(res.Accepted) != 1 || res.Rejected["nobody@example.org"] == nil {
						t.Fatalf("send %d: %v %+v", i, err, res)
					}
					delivered++
				case 4: // final reply refused, then all recipients refused
					_, err = c.Send(ctx, "spam@example.com", []string{"a@example.org"}, testMsg)
					if e := asError(t, err); e.Stage != StageData || e.Code != 554 {
						t.Fatalf("send %d: %v", i, err)
					}
					_, err = c.Send(ctx, "s@example.com", []string{"nobody@example.org"}, testMsg)
					if !errors.Is(err, ErrNoRecipientAccepted) {
						t.Fatalf("send %d: %v", i, err)
					}
				}
			}
			if n := len(b.messages()); n != delivered {
				t.Errorf("%d messages delivered, want %d", n, delivered)
			}
			if total, _, _ := s.ln.counts(); total != 1 {
				t.Errorf("%d connections, want 1", total)
			}
			// go-smtp still speaks on the connection: NOOP, then QUIT on Close.
			cn := c.idle[0]
			if cn.pipe != nil && !cn.pipe.clean() {
				t.Error("bytes left in the pipelining reader")
			}
			if err := cn.c.Noop(); err != nil {
				t.Fatalf("NOOP on the reused connection: %v", err)
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			_, sent := p.counts()
			if !strings.HasSuffix(sent, "NOOP\r\nQUIT\r\n") {
				t.Errorf("session ends with %q", sent[max(0, len(sent)-40):])
			}
			waitFor(t, func() bool { _, open, _ := s.ln.counts(); return open == 0 })
		})
	}
}

// script is a small scripted SMTP server for replies a go-smtp server never
// gives: DATA refused after accepted recipients, 354 after every RCPT was
// refused, RFC 2034 multi-line replies, silence, unsolicited bytes. It
// answers commands in order as it reads them, so it takes pipelined input.
type script struct {
	pipelining bool

	mu      sync.Mutex
	mail    string            // reply to MAIL ("" = 250)
	rcpt    map[string]string // reply per recipient ("" = 250)
	data    string            // reply to DATA ("" = 354)
	final   string            // reply to the final dot ("" = 250)
	extra   string            // sent with the final reply, in the same write
	hangOn  string            // command verb that gets no reply, ever
	closeOn string            // command verb at which the connection is closed
	conns   int
	msgs    [][]byte // messages received (dot-unstuffed), empty ones included
}

// healthy makes the script answer every command positively.
func (s *script) healthy() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mail, s.rcpt, s.data, s.final, s.extra, s.hangOn, s.closeOn = "", nil, "", "", "", "", ""
}

func (s *script) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.msgs...)
}

func (s *script) serve(c net.Conn) {
	s.mu.Lock()
	s.conns++
	s.mu.Unlock()
	r := bufio.NewReader(c)
	reply := func(text string) bool {
		_, err := io.WriteString(c, text)
		return err == nil
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s + "\r\n"
	}
	if !reply("220 scripted ESMTP\r\n") {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		verb, _, _ = strings.Cut(strings.ToUpper(verb), ":")
		s.mu.Lock()
		mail, data, final, extra, hangOn, closeOn := s.mail, s.data, s.final, s.extra, s.hangOn, s.closeOn
		var rcpt string
		if verb == "RCPT" {
			addr := arg[strings.Index(arg, "<")+1 : strings.Index(arg, ">")]
			rcpt = s.rcpt[addr]
		}
		s.mu.Unlock()
		switch {
		case verb == closeOn:
			return
		case verb == hangOn:
			_, _ = io.Copy(io.Discard, r)
			return
		}
		ok := true
		switch verb {
		case "EHLO":
			caps := "250-scripted\r\n"
			if s.pipelining {
				caps += "250-PIPELINING\r\n"
			}
			ok = reply(caps + "250-8BITMIME\r\n250 SIZE\r\n")
		case "MAIL":
			ok = reply(or(mail, "250 2.1.0 ok\r\n"))
		case "RCPT":
			ok = reply(or(rcpt, "250 2.1.5 ok\r\n"))
		case "DATA":
			resp := or(data, "354 go ahead\r\n")
			if ok = reply(resp); !ok || !strings.HasPrefix(resp, "354") {
				break
			}
			var msg []byte
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg = append(msg, strings.TrimPrefix(l, ".")...)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			s.mu.Unlock()
			ok = reply(or(final, "250 2.0.0 queued as X1\r\n") + extra)
		case "RSET", "NOOP":
			ok = reply("250 2.0.0 ok\r\n")
		case "QUIT":
			_ = reply("221 2.0.0 bye\r\n")
			return
		default:
			ok = reply("500 5.5.2 unknown command\r\n")
		}
		if !ok {
			return
		}
	}
}

// TestUnusualServerReplies covers, on both paths, replies that only a
// scripted server gives, then checks the client recovers for the next send.
func TestUnusualServerReplies(t *testing.T) {
	longLine := "550 5.7.1 " + strings.Repeat("x", 3000)
	tests := []struct {
		name          string
		lockstepToo   bool // the case exists without pipelining too
		setup         func(s *script)
		rcpts         []string
		ctx           time.Duration
		temporary     bool
		stage         string
		code          int
		enhanced      [3]int
		message       string // "" = not checked
		sentinel      error
		timeout       bool   // a net.Error timeout
		accepted      int    // recipients accepted in a nil-error Result
		rejectedMsg   string // Result.Rejected["b@example.org"].Message, if set
		wantConns     int    // including the successful send after the failure
		wantEmptyMsgs int    // empty messages the server got (pipelined only)
		wantErr       bool   // the first send fails
	}{
		{name: "DATA 451 after an accepted recipient", lockstepToo: true,
			setup:     func(s *script) { s.data = "451 4.3.0 queue full" },
			temporary: true, stage: StageData, code: 451, enhanced: [3]int{4, 3, 0}, message: "queue full", wantConns: 1, wantErr: true},
		{name: "DATA 554 after an accepted recipient", lockstepToo: true,
			setup: func(s *script) { s.data = "554 5.7.1 policy" },
			stage: StageData, code: 554, enhanced: [3]int{5, 7, 1}, message: "policy", wantConns: 1, wantErr: true},
		{name: "DATA 421", lockstepToo: true,
			setup:     func(s *script) { s.data = "421 4.3.2 closing" },
			temporary: true, stage: StageData, code: 421, enhanced: [3]int{4, 3, 2}, wantConns: 2, wantErr: true},
		{name: "354 after every RCPT was refused",
			setup: func(s *script) { s.rcpt = map[string]string{"a@example.org": "550 5.1.1 unknown"} },
			stage: StageRcpt, code: 550, enhanced: [3]int{5, 1, 1}, sentinel: ErrNoRecipientAccepted,
			wantConns: 1, wantEmptyMsgs: 1, wantErr: true},
		{name: "MAIL refused, RCPT and DATA accepted anyway",
			setup: func(s *script) { s.mail = "550 5.7.1 sender denied" },
			stage: StageMail, code: 550, enhanced: [3]int{5, 7, 1}, message: "sender denied",
			wantConns: 1, wantEmptyMsgs: 1, wantErr: true},
		{name: "MAIL refused, no reply to DATA",
			setup:     func(s *script) { s.mail = "451 4.3.0 later"; s.hangOn = "DATA" },
			temporary: true, stage: StageMail, code: 451, enhanced: [3]int{4, 3, 0}, wantConns: 2, wantErr: true},
		{name: "RFC 2034 multi-line refusal", lockstepToo: true,
			setup: func(s *script) {
				s.rcpt = map[string]string{"b@example.org": "550-5.1.1 no such user\r\n550 5.1.1 try another"}
			},
			rcpts: []string{"a@example.org", "b@example.org"}, accepted: 1, rejectedMsg: "no such user\ntry another", wantConns: 1},
		{name: "no reply to MAIL", lockstepToo: true,
			setup:     func(s *script) { s.hangOn = "MAIL" },
			temporary: true, stage: StageMail, timeout: true, wantConns: 2, wantErr: true},
		{name: "no reply to RCPT, context deadline", lockstepToo: true,
			setup: func(s *script) { s.hangOn = "RCPT" }, ctx: 150 * time.Millisecond,
			temporary: true, stage: StageRcpt, sentinel: context.DeadlineExceeded, wantConns: 2, wantErr: true},
		{name: "connection closed at RCPT", lockstepToo: true,
			setup:     func(s *script) { s.closeOn = "RCPT" },
			temporary: true, stage: StageRcpt, wantConns: 2, wantErr: true},
		{name: "reply line too long", lockstepToo: true,
			setup:     func(s *script) { s.mail = longLine },
			temporary: true, stage: StageMail, sentinel: smtp.ErrTooLongLine, wantConns: 2, wantErr: true},
		{name: "unsolicited bytes after the final reply",
			setup:    func(s *script) { s.extra = "250 2.0.0 stray\r\n" },
			accepted: 1, wantConns: 2},
	}
	for _, tc := range tests {
		for _, pipelining := range []bool{true, false} {
			if !pipelining && !tc.lockstepToo {
				continue
			}
			name := tc.name + "/pipelined"
			if !pipelining {
				name = tc.name + "/lockstep"
			}
			t.Run(name, func(t *testing.T) {
				s := &script{pipelining: pipelining}
				tc.setup(s)
				addr := rawServer(t, s.serve)
				c := newClient(t, "smtp://"+addr, func(c *Config) {
					c.CommandTimeout = 300 * time.Millisecond
					if tc.ctx > 0 {
						c.CommandTimeout = time.Minute
					}
				})
				rcpts := tc.rcpts
				if rcpts == nil {
					rcpts = []string{"a@example.org"}
				}
				ctx := context.Background()
				if tc.ctx > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.ctx)
					defer cancel()
				}
				res, err := c.Send(ctx, "s@example.com", rcpts, testMsg)
				if !tc.wantErr {
					if err != nil || len(res.Accepted) != tc.accepted {
						t.Fatalf("Send = %+v, %v", res, err)
					}
					if tc.rejectedMsg != "" {
						e := res.Rejected["b@example.org"]
						if e == nil || e.Code != 550 || e.EnhancedCode != [3]int{5, 1, 1} || e.Message != tc.rejectedMsg || e.Temporary() {
							t.Errorf("Rejected = %+v", e)
						}
					}
				} else {
					e := asError(t, err)
					if e.Temporary() != tc.temporary || e.Stage != tc.stage || e.Code != tc.code || e.EnhancedCode != tc.enhanced {
						t.Errorf("err = %v: temporary %v stage %q code %d %v; want %v %q %d %v",
							err, e.Temporary(), e.Stage, e.Code, e.EnhancedCode, tc.temporary, tc.stage, tc.code, tc.enhanced)
					}
					if tc.message != "" && e.Message != tc.message {
						t.Errorf("message %q, want %q", e.Message, tc.message)
					}
					if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
						t.Errorf("err %v does not wrap %v", err, tc.sentinel)
					}
					var ne net.Error
					if tc.timeout && (!errors.As(err, &ne) || !ne.Timeout()) {
						t.Errorf("err %v is not a timeout", err)
					}
				}
				wantEmpty := 0
				if pipelining {
					wantEmpty = tc.wantEmptyMsgs
				}
				msgs := s.messages()
				empty := 0
				for _, m := range msgs {
					if len(m) == 0 {
						empty++
					}
				}
				if empty != wantEmpty {
					t.Errorf("server got %d empty messages, want %d", empty, wantEmpty)
				}
				if tc.wantErr && len(msgs) != empty {
					t.Errorf("a message was delivered despite the failure")
				}

				s.healthy()
				send(t, c)
				if last := s.messages(); !bytes.Equal(last[len(last)-1], testMsg) {
					t.Errorf("last message %q", last[len(last)-1])
				}
				s.mu.Lock()
				conns := s.conns
				s.mu.Unlock()
				if conns != tc.wantConns {
					t.Errorf("%d connections, want %d", conns, tc.wantConns)
				}
			})
		}
	}
}

func TestReplyError(t *testing.T) {
	tests := []struct {
		name     string
		msg      string
		enhanced smtp.EnhancedCode
		want     string
	}{
		{"no enhanced code", "mailbox unavailable", smtp.EnhancedCode{}, "mailbox unavailable"},
		{"enhanced code", "5.1.1 no such user", smtp.EnhancedCode{5, 1, 1}, "no such user"},
		{"repeated on each line", "5.1.1 no such user\n5.1.1 try another", smtp.EnhancedCode{5, 1, 1}, "no such user\ntry another"},
		{"only on the first line", "5.1.1 no such user\ntry another", smtp.EnhancedCode{5, 1, 1}, "no such user\ntry another"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := replyError(fmt.Errorf("read: %w", &textproto.Error{Code: 550, Msg: tc.msg}))
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != tc.enhanced || se.Message != tc.want {
				t.Errorf("replyError = %#v", err)
			}
		})
	}
}
