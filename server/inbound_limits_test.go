package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
)

// rawSMTP is an SMTP client that sends exactly what a test says, for the
// senders net/smtp will not impersonate: slow, probing, over the limits.
type rawSMTP struct {
	t    testing.TB
	conn net.Conn
	text *textproto.Conn
}

// dialSMTP connects to addr and reads the greeting, which must have code
// greeting ("220", or "421 4.4.5" for a refusal).
func dialSMTP(t testing.TB, addr, greeting string) *rawSMTP {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r := &rawSMTP{t: t, conn: c, text: textproto.NewConn(c)}
	t.Cleanup(func() { c.Close() })
	if got := r.reply(); !strings.HasPrefix(got, greeting) {
		t.Fatalf("greeting %q, want %s", got, greeting)
	}
	return r
}

// reply reads one reply: its code and enhanced code ("250 2.0.0"), or the
// read error.
func (r *rawSMTP) reply() string {
	_ = r.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	code, msg, err := r.text.ReadResponse(0)
	if err != nil && code == 0 {
		return "error: " + err.Error()
	}
	enh, _, _ := strings.Cut(msg, " ")
	if len(enh) < 5 || enh[1] != '.' {
		enh = ""
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", code, enh))
}

// cmd sends one command and fails the test unless its reply starts with want.
func (r *rawSMTP) cmd(line, want string) {
	r.t.Helper()
	if err := r.text.PrintfLine("%s", line); err != nil {
		r.t.Fatalf("%s: %v", line, err)
	}
	if got := r.reply(); !strings.HasPrefix(got, want) {
		r.t.Fatalf("%s: reply %q, want %s", line, got, want)
	}
}

// closed fails the test unless the server has closed the connection.
func (r *rawSMTP) closed() {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if line, err := r.text.ReadLine(); !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		r.t.Fatalf("the connection is still open: read %q, %v", line, err)
	}
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// smtpServer starts a server with an inbound listener and the given limits
// and an instance with support@example.com.
func smtpServer(t *testing.T, limits func(c *server.Config)) (*harness, string) {
	h := startServer(t, func(c *server.Config) {
		c.SMTPAddr = "127.0.0.1:0"
		limits(c)
	})
	return h, h.setup(context.Background())
}

// TestInboundSessionCap: with --smtp-max-sessions 2, a third concurrent
// connection is answered 421 4.4.5 and closed before any session starts,
// while the two sessions carry on; once one ends, a new one is admitted.
func TestInboundSessionCap(t *testing.T) {
	t.Parallel()
	h, _ := smtpServer(t, func(c *server.Config) { c.SMTPLimits.MaxSessions = 2 })
	a := dialSMTP(t, h.smtpAddr, "220")
	b := dialSMTP(t, h.smtpAddr, "220")
	for range 3 {
		over := dialSMTP(t, h.smtpAddr, "421 4.4.5")
		over.closed()
	}
	b.cmd("EHLO client.example.org", "250")
	a.cmd("QUIT", "221")
	a.closed()
	// The slot is freed as the server closes a's connection; a
	// connection that arrives just before that is still refused.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", h.smtpAddr)
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.HasPrefix(line, "220") {
			break
		}
		if !strings.HasPrefix(line, "421 4.4.5") || time.Now().After(deadline) {
			t.Fatalf("a connection after a session ended: %q, %v", line, err)
		}
	}
	b.cmd("MAIL FROM:<customer@example.org>", "250")
}

// TestInboundSessionDeadline: a session is cut at --smtp-session-timeout
// (2 s here) with 421 4.4.2 however it keeps every per-command timeout (a
// minute here): by timely NOOPs, by a command line trickled byte by byte,
// or by message data trickled byte by byte.
func TestInboundSessionDeadline(t *testing.T) {
	t.Parallel()
	const session = 2 * time.Second
	h, _ := smtpServer(t, func(c *server.Config) {
		c.SMTPLimits.SessionTimeout, c.SMTPLimits.CommandTimeout = session, time.Minute
	})
	cases := []struct {
		name    string
		prelude [][2]string // commands and the replies they must get
		chunk   string      // what the sender trickles, again and again
	}{
		{"timely commands", [][2]string{{"EHLO client.example.org", "250"}}, "NOOP\r\n"},
		{"trickled command line", nil, "M"},
		{"trickled message data", [][2]string{
			{"EHLO client.example.org", "250"}, {"MAIL FROM:<customer@example.org>", "250"},
			{"RCPT TO:<support@example.com>", "250"}, {"DATA", "354"},
		}, "x"},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				r := dialSMTP(t, h.smtpAddr, "220")
				for _, c := range tc.prelude {
					r.cmd(c[0], c[1])
				}
				replies := make(chan string)
				go func() {
					defer close(replies)
					for {
						line, err := r.text.ReadLine()
						if err != nil {
							return
						}
						replies <- line
					}
				}()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				giveUp := time.After(20 * time.Second)
				var cut string
				for open := true; open; {
					select {
					case line, ok := <-replies:
						open = ok
						if cut != "" && ok {
							t.Fatalf("a reply after the 421 that cut the session: %q", line)
						}
						if strings.HasPrefix(line, "421") {
							cut = line
						}
					case <-tick.C:
						_, _ = io.WriteString(r.conn, tc.chunk)
					case <-giveUp:
						t.Fatalf("the session is still open after 20 s with a session timeout of %s", session)
					}
				}
				if !strings.HasPrefix(cut, "421 4.4.2") {
					t.Fatalf("the session ended without 421 4.4.2 (got %q)", cut)
				}
				if d := time.Since(start); d < session {
					t.Fatalf("the session was cut after %s, before its deadline of %s", d, session)
				}
			})
		}
	})
	// A new session is served as before.
	if err := smtp.SendMail(h.smtpAddr, nil, "customer@example.org", []string{"support@example.com"}, inboundMessage("<after-cut@example.org>", "after the cut", "")); err != nil {
		t.Fatal(err)
	}
}

// TestInboundUnknownRecipientLimit: a session may try three unknown
// recipients without delivering a message (550 each, across transactions);
// at the fourth it is answered 421 4.7.0 and closed. Known recipients do
// not count, and a delivered message starts the count afresh, as postfix's
// smtpd_hard_error_limit does.
func TestInboundUnknownRecipientLimit(t *testing.T) {
	t.Parallel()
	h, _ := smtpServer(t, func(c *server.Config) { c.SMTPLimits.MaxRefusedRecipients = 3 })
	r := dialSMTP(t, h.smtpAddr, "220")
	r.cmd("EHLO client.example.org", "250")
	r.cmd("MAIL FROM:<customer@example.org>", "250")
	r.cmd("RCPT TO:<support@example.com>", "250")
	r.cmd("RCPT TO:<nobody0@example.com>", "550 5.1.1")
	r.cmd("RCPT TO:<nobody00@example.com>", "550 5.1.1")
	r.cmd("DATA", "354")
	r.cmd(string(inboundMessage("<limit@example.org>", "limit", ""))+".", "250")
	r.cmd("MAIL FROM:<prober@example.org>", "250")
	r.cmd("RCPT TO:<nobody1@example.com>", "550 5.1.1")
	r.cmd("RCPT TO:<nobody2@example.com>", "550 5.1.1")
	r.cmd("RSET", "250")
	r.cmd("MAIL FROM:<prober@example.org>", "250")
	r.cmd("RCPT TO:<support@example.com>", "250")
	r.cmd("RCPT TO:<nobody3@example.com>", "550 5.1.1")
	r.cmd("RCPT TO:<nobody4@example.com>", "421 4.7.0")
	r.closed()
	// Another session starts afresh.
	r = dialSMTP(t, h.smtpAddr, "220")
	r.cmd("EHLO client.example.org", "250")
	r.cmd("MAIL FROM:<prober@example.org>", "250")
	r.cmd("RCPT TO:<nobody5@example.com>", "550 5.1.1")
}

// spoolFiles returns the sizes of the files in dir.
func spoolFiles(t *testing.T, dir string) []int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil {
			sizes = append(sizes, fi.Size())
		}
	}
	return sizes
}

// TestInboundLargeMessageIsSpooled: a message is written to a spool file
// as it arrives — half of a 2 MiB message sent and not finished is on disk,
// not in memory — and recorded whole; the file is gone once the message is
// answered. A message over --smtp-max-size is refused with 552 5.3.4 and
// leaves nothing behind.
func TestInboundLargeMessageIsSpooled(t *testing.T) {
	t.Parallel()
	spool := t.TempDir()
	h, inst := smtpServer(t, func(c *server.Config) {
		c.SMTPLimits.SpoolDir, c.SMTPLimits.MaxMessageBytes = spool, 3<<20
	})
	body := strings.Repeat(strings.Repeat("y", 998)+"\r\n", 1<<20/1000)
	head := "From: customer@example.org\r\nTo: support@example.com\r\nSubject: Large\r\nMessage-ID: <large@example.org>\r\n\r\n"
	r := dialSMTP(t, h.smtpAddr, "220")
	r.cmd("EHLO client.example.org", "250")
	r.cmd("MAIL FROM:<customer@example.org>", "250")
	r.cmd("RCPT TO:<support@example.com>", "250")
	r.cmd("DATA", "354")
	if _, err := io.WriteString(r.conn, head+body); err != nil {
		t.Fatal(err)
	}
	sent := int64(len(head + body))
	deadline := time.Now().Add(20 * time.Second)
	for {
		sizes := spoolFiles(t, spool)
		if len(sizes) == 1 && sizes[0] >= sent-64<<10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("spool files %v after %d bytes of an unfinished message, want one of about that size", sizes, sent)
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.cmd(body+".", "250")
	if sizes := spoolFiles(t, spool); len(sizes) != 0 {
		t.Fatalf("spool files %v remain after the message was answered", sizes)
	}
	var list struct {
		Messages []struct{ ContactID, Subject string } `json:"messages"`
	}
	h.getJSON("/api/v1/messages?instanceId="+inst, &list)
	if len(list.Messages) != 1 || list.Messages[0].Subject != "Large" {
		t.Fatalf("contacts %+v", list.Messages)
	}
	resp, err := http.Get(h.url + "/api/v1/messages/" + list.Messages[0].ContactID + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(raw) != head+body+body {
		t.Fatalf("the recorded message has %d bytes, want the %d sent", len(raw), len(head+body+body))
	}

	r.cmd("MAIL FROM:<customer@example.org>", "250")
	r.cmd("RCPT TO:<support@example.com>", "250")
	r.cmd("DATA", "354")
	if _, err := io.WriteString(r.conn, head+body+body+body+body); err != nil {
		t.Fatal(err)
	}
	r.cmd(".", "552 5.3.4")
	if sizes := spoolFiles(t, spool); len(sizes) != 0 {
		t.Fatalf("spool files %v remain after a refused message", sizes)
	}
}

// inboundMessage is a customer's message to support@example.com with the
// given Message-ID (none when empty) and subject, after extra header lines.
func inboundMessage(messageID, subject, extra string) []byte {
	m := extra + "From: Ana <ana@example.org>\r\nTo: support@example.com\r\nSubject: " + subject + "\r\n"
	if messageID != "" {
		m += "Message-ID: " + messageID + "\r\n"
	}
	return []byte(m + "\r\nHello\r\n")
}

// TestInboundDeduplication: a message that arrives again — with one more
// trailing line break, with one more Received: header (another path), from
// another envelope sender (a forwarder) — is recorded once when it has a
// Message-ID: the id, its From address and the recipient name it. Without
// one, only the same bytes are the same message. Copies sent at once over
// several connections are recorded once too.
func TestInboundDeduplication(t *testing.T) {
	t.Parallel()
	h, inst := smtpServer(t, func(*server.Config) {})
	received := "Received: from relay2.example.net by mx.example.com; Mon, 1 Jan 2024 10:00:00 +0000\r\n"
	cases := []struct {
		name          string
		first, again  []byte
		envelopeAgain string
		want          int
	}{
		{"trailing CRLF", inboundMessage("<m1@example.org>", "s1", ""), append(inboundMessage("<m1@example.org>", "s1", ""), "\r\n"...), "", 1},
		{"one more Received header", inboundMessage("<m2@example.org>", "s2", ""), inboundMessage("<m2@example.org>", "s2", received), "", 1},
		{"another envelope sender", inboundMessage("<m3@example.org>", "s3", ""), inboundMessage("<m3@example.org>", "s3", received), "bounces+ana=example.org@forwarder.example", 1},
		{"same Message-ID, other From", inboundMessage("<m4@example.org>", "s4", ""),
			[]byte(strings.Replace(string(inboundMessage("<m4@example.org>", "s4", "")), "ana@example.org", "dora@example.org", 1)), "", 2},
		{"another Message-ID", inboundMessage("<m5@example.org>", "s5", ""), inboundMessage("<m5b@example.org>", "s5", ""), "", 2},
		{"no Message-ID, same bytes", inboundMessage("", "s6", ""), inboundMessage("", "s6", ""), "", 1},
		{"no Message-ID, trailing CRLF", inboundMessage("", "s7", ""), append(inboundMessage("", "s7", ""), "\r\n"...), "", 1},
		{"no Message-ID, one more Received header", inboundMessage("", "s8", ""), inboundMessage("", "s8", received), "", 2},
	}
	send := func(from string, msg []byte) {
		t.Helper()
		if from == "" {
			from = "ana@example.org"
		}
		if err := smtp.SendMail(h.smtpAddr, nil, from, []string{"support@example.com"}, msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range cases {
		send("", tc.first)
		send(tc.envelopeAgain, tc.again)
	}
	// Eight copies at once.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- smtp.SendMail(h.smtpAddr, nil, "ana@example.org", []string{"support@example.com"}, inboundMessage("<race@example.org>", "race", ""))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var list struct {
		Messages []struct{ Subject string } `json:"messages"`
	}
	h.getJSON("/api/v1/messages?limit=100&instanceId="+inst, &list)
	got := map[string]int{}
	for _, m := range list.Messages {
		got[m.Subject]++
	}
	for i, tc := range cases {
		if n := got[fmt.Sprintf("s%d", i+1)]; n != tc.want {
			t.Errorf("%s: %d contacts, want %d", tc.name, n, tc.want)
		}
	}
	if got["race"] != 1 {
		t.Errorf("eight copies sent at once: %d contacts, want 1", got["race"])
	}
}

// BenchmarkInboundUnknownRecipient: one RCPT of an unknown address, over a
// real session, with 300 instances of one address each. Resolving
// recipients instance by instance cost 300 reads per RCPT.
//
//	go test ./server/ -run '^$' -bench InboundUnknownRecipient -benchtime 500x
func BenchmarkInboundUnknownRecipient(b *testing.B) {
	cfg := servertest.Config(b)
	cfg.SMTPAddr = "127.0.0.1:0"
	cfg.SMTPLimits.MaxRefusedRecipients = 1 << 30
	srv := servertest.Start(b, cfg)
	c := newRawClient(srv.URL)
	for i := range 300 {
		var inst struct{ Id string }
		if err := c.call("PUT", "/instance", []byte(`{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`), &inst); err != nil {
			b.Fatal(err)
		}
		if err := c.call("PUT", "/email-addresses/"+inst.Id, []byte(fmt.Sprintf(`{"EmailAddress":"desk%d@example.com"}`, i)), nil); err != nil {
			b.Fatal(err)
		}
	}
	r := dialSMTP(b, srv.SMTPAddr(), "220")
	r.cmd("EHLO client.example.org", "250")
	r.cmd("MAIL FROM:<prober@example.org>", "250")
	b.ResetTimer()
	for i := range b.N {
		r.cmd(fmt.Sprintf("RCPT TO:<nobody%d@example.com>", i), "550 5.1.1")
	}
}
