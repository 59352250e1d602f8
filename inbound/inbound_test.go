package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/inbound"
	"github.com/connectmail/connectmail/sqlite"
)

// listen runs an inbound server for the test.
func listen(t *testing.T, rcv inbound.Receiver, lim inbound.Limits) string {
	t.Helper()
	s, err := inbound.Listen(inbound.Config{Addr: "127.0.0.1:0", Receiver: rcv, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		_ = s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s.Addr()
}

// reply is the SMTP reply an error of net/smtp carries ("550 5.1.1"), or
// the error itself.
func reply(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		enh, _, _ := strings.Cut(te.Msg, " ")
		return fmt.Sprintf("%d %s", te.Code, enh)
	}
	return fmt.Sprint(err)
}

// countingStore counts the reads a recipient's resolution could make: of
// instances, email addresses and contacts.
type countingStore struct {
	*sqlite.Store
	reads atomic.Int64
}

func (c *countingStore) GetInstance(ctx context.Context, id string) (*connect.Instance, error) {
	c.reads.Add(1)
	return c.Store.GetInstance(ctx, id)
}

func (c *countingStore) ListInstances(ctx context.Context, after string, limit int) ([]*connect.Instance, error) {
	c.reads.Add(1)
	return c.Store.ListInstances(ctx, after, limit)
}

func (c *countingStore) GetEmailAddress(ctx context.Context, instanceID, id string) (*connect.EmailAddress, error) {
	c.reads.Add(1)
	return c.Store.GetEmailAddress(ctx, instanceID, id)
}

func (c *countingStore) FindEmailAddress(ctx context.Context, instanceID, address string) (*connect.EmailAddress, error) {
	c.reads.Add(1)
	return c.Store.FindEmailAddress(ctx, instanceID, address)
}

func (c *countingStore) LookupEmailAddress(ctx context.Context, address string) (*connect.EmailAddress, error) {
	c.reads.Add(1)
	return c.Store.LookupEmailAddress(ctx, address)
}

func (c *countingStore) ListEmailAddresses(ctx context.Context, instanceID string) ([]*connect.EmailAddress, error) {
	c.reads.Add(1)
	return c.Store.ListEmailAddresses(ctx, instanceID)
}

func (c *countingStore) GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error) {
	c.reads.Add(1)
	return c.Store.GetContact(ctx, instanceID, id)
}

// TestUnknownRecipientsCostOneReadEach: with 300 instances, 500 unknown
// recipients cost the store 500 reads — one indexed lookup each — where
// resolving them instance by instance cost 300 reads each (4 s in all).
func TestUnknownRecipientsCostOneReadEach(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "cm.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range 300 {
		id := fmt.Sprintf("inst-%03d", i)
		if err := st.CreateInstance(ctx, &connect.Instance{ID: id, ARN: "arn:" + id, IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: now}, nil); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("desk%03d@example.com", i)
		if err := st.CreateEmailAddress(ctx, &connect.EmailAddress{ID: "email-" + id, ARN: "arn:email:" + id, InstanceID: id, Address: addr, CreatedAt: now, ModifiedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &countingStore{Store: st}
	svc := connect.NewService(connect.Config{Stores: connect.StoresOf(cs), CacheFor: -1})
	addr := listen(t, svc, inbound.Limits{MaxRefusedRecipients: 1000})

	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("prober@example.org"); err != nil {
		t.Fatal(err)
	}
	before := cs.reads.Load()
	const unknown = 500
	for i := range unknown {
		if err := c.Rcpt(fmt.Sprintf("nobody%d@example.com", i)); reply(err) != "550 5.1.1" {
			t.Fatalf("unknown recipient %d: %v, want 550", i, err)
		}
	}
	if n := cs.reads.Load() - before; n > unknown {
		t.Fatalf("%d unknown recipients at 300 instances cost %d store reads, want at most %d", unknown, n, unknown)
	}
	// The last instance's address is found, with a read or two.
	before = cs.reads.Load()
	if err := c.Rcpt("DESK299@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := cs.reads.Load() - before; n > 2 {
		t.Fatalf("a known recipient cost %d store reads", n)
	}
}

// blockingReceiver takes every recipient and holds the first message in
// ReceiveEmail until release is closed.
type blockingReceiver struct {
	entered, release chan struct{}
	once             sync.Once
	mu               sync.Mutex
	got              []int
}

func (r *blockingReceiver) ResolveRecipient(_ context.Context, addr string) (*connect.EmailAddress, error) {
	if strings.HasPrefix(addr, "nobody") {
		return nil, fault.NotFoundf("EmailAddress", "no %s", addr)
	}
	return &connect.EmailAddress{ID: addr, InstanceID: "inst", Address: addr}, nil
}

func (r *blockingReceiver) ReceiveEmail(_ context.Context, _ *connect.EmailAddress, _ string, raw []byte) (string, error) {
	first := false
	r.once.Do(func() { first = true })
	if first {
		close(r.entered)
		<-r.release
	}
	r.mu.Lock()
	r.got = append(r.got, len(raw))
	r.mu.Unlock()
	return "contact", nil
}

// message is a message of about n bytes.
func message(n int) []byte {
	var b strings.Builder
	b.WriteString("From: customer@example.org\r\nTo: support@example.com\r\nSubject: big\r\n\r\n")
	for b.Len() < n {
		b.WriteString(strings.Repeat("x", 76) + "\r\n")
	}
	return []byte(b.String())
}

// TestMessagesShareAMemoryBudget: messages are read into memory to be
// recorded only within a budget that all sessions share. While one message
// of 600 KiB is being recorded, a second one does not fit in a 1 MiB budget
// and is deferred with 452 4.3.1 (the sender retries); a small one still
// fits; once the first is recorded, the second goes through.
func TestMessagesShareAMemoryBudget(t *testing.T) {
	rcv := &blockingReceiver{entered: make(chan struct{}), release: make(chan struct{})}
	addr := listen(t, rcv, inbound.Limits{MaxMessageBytes: 1 << 20, MemoryBytes: 1 << 20, MemoryWait: 200 * time.Millisecond, SpoolDir: t.TempDir()})
	send := func(msg []byte) error {
		return smtp.SendMail(addr, nil, "customer@example.org", []string{"support@example.com"}, msg)
	}
	first := make(chan error, 1)
	go func() { first <- send(message(600 << 10)) }()
	<-rcv.entered
	if err := send(message(600 << 10)); reply(err) != "452 4.3.1" {
		t.Fatalf("a message beyond the memory budget: %v, want 452 4.3.1", err)
	}
	if err := send(message(1 << 10)); err != nil {
		t.Fatalf("a small message within the budget: %v", err)
	}
	close(rcv.release)
	if err := <-first; err != nil {
		t.Fatalf("the first message: %v", err)
	}
	if err := send(message(600 << 10)); err != nil {
		t.Fatalf("the retried message: %v", err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.got) != 3 {
		t.Fatalf("recorded %v, want three messages", rcv.got)
	}
}

// TestMessageDataTimeouts: the command timeout applies to each read of
// message data, not to the whole transfer: a message trickled steadily for
// longer than the timeout is received, while a sender that stops in the
// middle of a message is answered 421 4.4.2 and closed (not 554, which
// would make its MTA bounce the message).
func TestMessageDataTimeouts(t *testing.T) {
	const idle = 2 * time.Second
	rcv := &blockingReceiver{entered: make(chan struct{}), release: make(chan struct{})}
	close(rcv.release)
	addr := listen(t, rcv, inbound.Limits{CommandTimeout: idle, SpoolDir: t.TempDir()})
	start := func(t *testing.T) (*textproto.Conn, net.Conn) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		c := textproto.NewConn(conn)
		if _, _, err := c.ReadResponse(220); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []struct {
			line string
			code int
		}{{"EHLO client.example.org", 250}, {"MAIL FROM:<customer@example.org>", 250}, {"RCPT TO:<support@example.com>", 250}, {"DATA", 354}} {
			if err := c.PrintfLine("%s", cmd.line); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.ReadResponse(cmd.code); err != nil {
				t.Fatalf("%s: %v", cmd.line, err)
			}
		}
		return c, conn
	}
	t.Run("steady", func(t *testing.T) {
		t.Parallel()
		c, conn := start(t)
		if _, err := io.WriteString(conn, "Subject: slow\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for end := time.Now().Add(2*idle + time.Second); time.Now().Before(end); <-tick.C {
			if _, err := io.WriteString(conn, "line\r\n"); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.PrintfLine("."); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := c.ReadResponse(250); err != nil {
			t.Fatalf("a message trickled for %s with a timeout of %s: %v %s", 2*idle+time.Second, idle, err, msg)
		}
	})
	t.Run("stalled", func(t *testing.T) {
		t.Parallel()
		c, conn := start(t)
		if _, err := io.WriteString(conn, "Subject: stalled\r\n\r\nhalf a mess"); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		code, msg, err := c.ReadResponse(421)
		if err != nil || !strings.HasPrefix(msg, "4.4.2") {
			t.Fatalf("a stalled message: %d %s %v, want 421 4.4.2", code, msg, err)
		}
		if line, err := c.ReadLine(); !errors.Is(err, io.EOF) {
			t.Fatalf("the connection is still open after the 421: %q %v", line, err)
		}
	})
}
