package delivery_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/relay"
	"github.com/connectmail/connectmail/smtpsink"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/testpki"
)

// relaySender adapts the real relay client, as the server does: its errors
// pass through unwrapped, since *relay.Error answers Failure and Classed.
type relaySender struct{ c *relay.Client }

func (s relaySender) Send(ctx context.Context, from string, rcpts []string, msg []byte) (delivery.Receipt, error) {
	res, err := s.c.Send(ctx, from, rcpts, msg)
	if err != nil {
		return delivery.Receipt{}, err
	}
	rec := delivery.Receipt{Response: res.Response}
	for a, e := range res.Rejected {
		if rec.Rejected == nil {
			rec.Rejected = map[string]delivery.Rejection{}
		}
		rec.Rejected[a] = delivery.Rejection{Code: e.Code, Message: e.Message}
	}
	return rec, nil
}

// The relay's error is the worker's Failure and Classed as it is.
var (
	_ delivery.Failure = (*relay.Error)(nil)
	_ delivery.Classed = (*relay.Error)(nil)
)

type env struct {
	t      *testing.T
	store  *sqlite.Store
	n      int
	worker *delivery.Worker
}

func newEnv(t *testing.T) *env {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if err := st.CreateInstance(ctx, &connect.Instance{ID: "i1", ARN: "arn:aws:connect:us-east-1:000000000000:instance/i1", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: st}
}

// outbound creates a contact of instance i1 and returns its start, a
// message to rcpts, not yet committed.
func (e *env) outbound(rcpts ...string) *connect.Outbound { return e.outboundIn("i1", rcpts...) }

// outboundIn is outbound for a contact of another instance.
func (e *env) outboundIn(instanceID string, rcpts ...string) *connect.Outbound {
	e.t.Helper()
	e.n++
	id := fmt.Sprintf("c%d", e.n)
	now := time.Now().UTC()
	c := &connect.Contact{ID: id, ARN: "arn/" + id, InstanceID: instanceID, Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now}
	if err := e.store.CreateContact(context.Background(), c, nil, nil); err != nil {
		e.t.Fatal(err)
	}
	c.State = connect.StateQueued
	raw := []byte("From: a@example.com\r\nTo: " + rcpts[0] + "\r\nSubject: t\r\nMessage-ID: <" + id + "@example.com>\r\n\r\nhello\r\n")
	return &connect.Outbound{Contact: c, Message: connect.Message{ContactID: id, InstanceID: instanceID, EnvelopeFrom: "a@example.com", Recipients: rcpts, Raw: raw}}
}

// queue commits a started contact whose message goes to rcpts.
func (e *env) queue(rcpts ...string) string {
	e.t.Helper()
	o := e.outbound(rcpts...)
	id := o.Contact.ID
	if err := e.store.StartOutbound(context.Background(), o); err != nil {
		e.t.Fatal(err)
	}
	if e.worker != nil {
		e.worker.Wake()
	}
	return id
}

func (e *env) run(cfg delivery.Config) (*delivery.Worker, func()) {
	cfg.Store = e.store
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 20 * time.Millisecond
	}
	w := delivery.New(cfg)
	e.worker = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	return w, func() { cancel(); <-done }
}

func (e *env) waitState(id string, want connect.State) *connect.Contact {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := e.store.GetContact(context.Background(), "i1", id)
		if err != nil {
			e.t.Fatal(err)
		}
		if c.State == want {
			return c
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("contact %s is %s (%s), want %s", id, c.State, c.DisconnectReason, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) eventTypes(id string) []string {
	evs, err := e.store.ListEvents(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestSimulatorOutcomes(t *testing.T) {
	cases := []struct {
		dest     string
		state    connect.State
		reason   string
		deferred int
	}{
		{"success@simulator.connectmail.dev", connect.StateSent, connect.ReasonDelivered, 0},
		{"bounce@simulator.connectmail.dev", connect.StateFailed, connect.ReasonBounced, 0},
		{"defer+x@simulator.connectmail.dev", connect.StateSent, connect.ReasonDelivered, 2},
		{"suppressed@simulator.connectmail.dev", connect.StateFailed, connect.ReasonSuppressed, 0},
	}
	e := newEnv(t)
	// Capture mode (no relay): the simulator still decides.
	_, stop := e.run(delivery.Config{})
	defer stop()
	for _, c := range cases {
		id := e.queue(c.dest)
		got := e.waitState(id, c.state)
		if got.DisconnectReason != c.reason {
			t.Errorf("%s: reason %s, want %s", c.dest, got.DisconnectReason, c.reason)
		}
		if n := count(e.eventTypes(id), connect.EventDeferred); n != c.deferred {
			t.Errorf("%s: %d deferrals, want %d", c.dest, n, c.deferred)
		}
		atts, _ := e.store.ListAttempts(context.Background(), id)
		if c.reason != connect.ReasonSuppressed && len(atts) != c.deferred+1 {
			t.Errorf("%s: %d attempts recorded", c.dest, len(atts))
		}
	}
}

func TestHardBounceSuppressesLaterSends(t *testing.T) {
	sink, err := smtpsink.Start(smtpsink.Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.Reject("gone@example.org", 550, "no such user")
	rc, _ := relay.New(relay.Config{URL: sink.URL()})
	defer rc.Close()
	e := newEnv(t)
	_, stop := e.run(delivery.Config{Sender: relaySender{rc}})
	defer stop()
	first := e.queue("gone@example.org")
	if c := e.waitState(first, connect.StateFailed); c.DisconnectReason != connect.ReasonBounced {
		t.Fatalf("reason %s", c.DisconnectReason)
	}
	sup, err := e.store.Suppressed(context.Background(), []string{"GONE@example.org"}, time.Now())
	if err != nil || len(sup) != 1 {
		t.Fatalf("suppression list: %v %v", sup, err)
	}
	// The mailbox comes back, but the address stays suppressed: nothing is attempted.
	sink.Accept("gone@example.org")
	second := e.queue("gone@example.org", "cc@example.org")
	if c := e.waitState(second, connect.StateFailed); c.DisconnectReason != connect.ReasonSuppressed {
		t.Fatalf("reason %s", c.DisconnectReason)
	}
	if sink.Count() != 0 {
		t.Fatalf("a suppressed destination was relayed")
	}
	// A suppressed CC is dropped while the destination still gets the message.
	third := e.queue("ok@example.org", "gone@example.org")
	e.waitState(third, connect.StateSent)
	if m := sink.Messages(); len(m) != 1 || len(m[0].Recipients) != 1 || m[0].Recipients[0] != "ok@example.org" {
		t.Fatalf("relayed %+v", m)
	}
	if n := count(e.eventTypes(third), connect.EventSuppressed); n != 1 {
		t.Fatalf("EMAIL_SUPPRESSED events: %d", n)
	}
}

func TestExpiresAfterMaxAge(t *testing.T) {
	rc, _ := relay.New(relay.Config{URL: "smtp://127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
	defer rc.Close()
	e := newEnv(t)
	_, stop := e.run(delivery.Config{Sender: relaySender{rc}, MaxAge: 300 * time.Millisecond})
	defer stop()
	id := e.queue("x@example.org")
	c := e.waitState(id, connect.StateFailed)
	if c.DisconnectReason != connect.ReasonExpired {
		t.Fatalf("reason %s", c.DisconnectReason)
	}
	evs := e.eventTypes(id)
	if count(evs, connect.EventDeferred) == 0 || count(evs, connect.EventExpired) != 1 {
		t.Fatalf("events %v", evs)
	}
}

func TestDomainRateLimit(t *testing.T) {
	var sent atomic.Int64
	e := newEnv(t)
	_, stop := e.run(delivery.Config{DomainRates: map[string]float64{"slow.example": 5}, Observe: func(o, _ string, _ time.Duration) {
		if o == "captured" {
			sent.Add(1)
		}
	}})
	defer stop()
	start := time.Now()
	var ids []string
	for i := 0; i < 15; i++ {
		ids = append(ids, e.queue(fmt.Sprintf("u%d@slow.example", i)))
	}
	fast := e.queue("u@fast.example")
	e.waitState(fast, connect.StateCaptured)
	for _, id := range ids {
		e.waitState(id, connect.StateCaptured)
	}
	// 15 messages at 5/s with a burst of 5 take at least 2 s; the other domain is not held up.
	if d := time.Since(start); d < 1800*time.Millisecond {
		t.Fatalf("15 messages to a 5/s domain took only %v", d)
	}
}

func TestBackoff(t *testing.T) {
	w := delivery.New(delivery.Config{RetryBase: time.Second, RetryMax: 8 * time.Second})
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 10: 8 * time.Second} {
		for i := 0; i < 50; i++ {
			if d := w.Backoff(n); d < want/2 || d > want {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

// swappableSender relays through whichever client it holds now, as a server
// does across a restart with a corrected configuration.
type swappableSender struct{ c atomic.Pointer[relay.Client] }

func (s *swappableSender) Send(ctx context.Context, from string, rcpts []string, msg []byte) (delivery.Receipt, error) {
	return relaySender{s.c.Load()}.Send(ctx, from, rcpts, msg)
}

// lockedBuffer is a log destination safe for the worker's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestConfigErrorIsRetriedNotBounced: a relay whose certificate the client
// does not trust fails every attempt with a configuration error. Each one is
// recorded and observed with class config and logged as an error with its
// reason; the message stays queued, its recipient is not suppressed, and it
// is delivered once the client trusts the relay's CA.
func TestConfigErrorIsRetriedNotBounced(t *testing.T) {
	ca := testpki.NewCA(t, "private relay CA")
	sink, err := smtpsink.Start(smtpsink.Options{Keep: true,
		TLS: &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, testpki.Leaf{Hosts: []string{"127.0.0.1"}})}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	untrusting, _ := relay.New(relay.Config{URL: sink.URL()})
	defer untrusting.Close()
	trusting, _ := relay.New(relay.Config{URL: sink.URL(), TLSConfig: &tls.Config{RootCAs: ca.Pool()}})
	defer trusting.Close()
	snd := &swappableSender{}
	snd.c.Store(untrusting)

	var mu sync.Mutex
	observed := map[string]int{}
	var logs lockedBuffer
	e := newEnv(t)
	_, stop := e.run(delivery.Config{Sender: snd, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Observe: func(outcome, class string, _ time.Duration) {
			mu.Lock()
			observed[outcome+"/"+class]++
			mu.Unlock()
		}})
	defer stop()
	id := e.queue("ana@example.org")
	deadline := time.Now().Add(15 * time.Second)
	for count(e.eventTypes(id), connect.EventDeferred) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("events %v, want two deferrals", e.eventTypes(id))
		}
		time.Sleep(10 * time.Millisecond)
	}
	atts, err := e.store.ListAttempts(context.Background(), id)
	if err != nil || len(atts) < 2 {
		t.Fatalf("attempts %+v, %v", atts, err)
	}
	for _, a := range atts[:2] {
		if a.Outcome != "deferred" || a.Class != delivery.ClassConfig || !strings.Contains(a.Detail, "certificate signed by unknown authority") {
			t.Errorf("attempt %+v, want a deferral of class config naming the certificate problem", a)
		}
	}
	if sup, _ := e.store.Suppressed(context.Background(), []string{"ana@example.org"}, time.Now()); len(sup) != 0 {
		t.Errorf("a configuration error suppressed the recipient: %v", sup)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "class=config") || !strings.Contains(out, "x509: certificate signed by unknown authority") {
		t.Errorf("logs do not report the configuration error and its reason:\n%s", out)
	}

	snd.c.Store(trusting)
	e.waitState(id, connect.StateSent)
	if m := sink.Messages(); len(m) != 1 || !m[0].TLS {
		t.Fatalf("relayed %+v", m)
	}
	mu.Lock()
	defer mu.Unlock()
	if observed["deferred/config"] < 2 || observed["sent/"] != 1 {
		t.Errorf("observed %v", observed)
	}
}

// errSender fails every send with its error.
type errSender struct{ err error }

func (s errSender) Send(context.Context, string, []string, []byte) (delivery.Receipt, error) {
	return delivery.Receipt{}, s.err
}

// TestUnknownSendErrorIsTemporary: the worker classifies send errors by the
// same rule as relay.IsTemporary (relay's TestIsTemporary): an error that
// does not say whether it is temporary is retried, never bounced, and its
// recipient is not suppressed; a relay error that says it is permanent
// bounces.
func TestUnknownSendErrorIsTemporary(t *testing.T) {
	unknown := errors.New("something nobody classified")
	if !relay.IsTemporary(unknown) {
		t.Fatalf("relay.IsTemporary(%v) = false; the worker's rule is temporary", unknown)
	}
	for _, tc := range []struct {
		name  string
		err   error
		event string
	}{
		{"unknown", unknown, connect.EventDeferred},
		{"wrapped unknown", fmt.Errorf("send: %w", unknown), connect.EventDeferred},
		{"relay temporary", relayFailure(t, 451), connect.EventDeferred},
		{"relay permanent", relayFailure(t, 550), connect.EventBounced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, stop := e.run(delivery.Config{Sender: errSender{tc.err}})
			defer stop()
			id := e.queue("ana@example.org")
			deadline := time.Now().Add(15 * time.Second)
			for count(e.eventTypes(id), tc.event) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("events %v, want %s", e.eventTypes(id), tc.event)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if got := relay.IsTemporary(tc.err); got != (tc.event == connect.EventDeferred) {
				t.Errorf("relay.IsTemporary = %v, the worker %s", got, tc.event)
			}
			if tc.event == connect.EventDeferred {
				if c, _ := e.store.GetContact(context.Background(), "i1", id); c.State != connect.StateQueued {
					t.Errorf("contact %s after a temporary failure, want still queued", c.State)
				}
				if sup, _ := e.store.Suppressed(context.Background(), []string{"ana@example.org"}, time.Now()); len(sup) != 0 {
					t.Errorf("a temporary failure suppressed the recipient: %v", sup)
				}
			}
		})
	}
}

// relayFailure is the *relay.Error of a relay that refuses the only
// recipient with code.
func relayFailure(t *testing.T, code int) error {
	t.Helper()
	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.Reject("b@example.org", code, "refused")
	rc, _ := relay.New(relay.Config{URL: sink.URL()})
	defer rc.Close()
	_, err = rc.Send(context.Background(), "a@example.com", []string{"b@example.org"}, []byte("Subject: t\r\n\r\nhi\r\n"))
	var re *relay.Error
	if !errors.As(err, &re) || re.SMTPCode() != code {
		t.Fatalf("relay answered %v, want a %d", err, code)
	}
	return err
}

// flakyLeases is a store whose ReleaseLeases fails its first calls, as a
// PostgreSQL store does while the database restarts.
type flakyLeases struct {
	delivery.Store
	fails atomic.Int32
}

func (s *flakyLeases) ReleaseLeases(ctx context.Context, now time.Time) (int, error) {
	if s.fails.Add(-1) >= 0 {
		return 0, errors.New("FATAL: terminating connection due to administrator command (SQLSTATE 57P01)")
	}
	return s.Store.ReleaseLeases(ctx, now)
}

// TestWorkerStartsThroughAFailingStore: a store that fails when the worker
// starts does not leave the server without a worker; it retries, and mail
// queued meanwhile is delivered once the store answers.
func TestWorkerStartsThroughAFailingStore(t *testing.T) {
	e := newEnv(t)
	store := &flakyLeases{Store: e.store}
	store.fails.Store(3)
	w := delivery.New(delivery.Config{Store: store, RetryBase: 20 * time.Millisecond})
	e.worker = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	id := e.queue("success@simulator.connectmail.dev")
	e.waitState(id, connect.StateSent)
	if n := store.fails.Load(); n >= 0 {
		t.Fatalf("ReleaseLeases still had %d failures to give", n+1)
	}
}
