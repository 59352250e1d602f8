package events_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/sqlite"
)

func newStore(t *testing.T) *sqlite.Store {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "e.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateInstance(context.Background(), &connect.Instance{ID: "i1", ARN: "arn:aws:connect:eu-west-2:123456789012:instance/i1",
		IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

// addEvents commits a contact with the given event types.
func addEvents(t *testing.T, st *sqlite.Store, id string, types ...string) {
	now := time.Now().UTC()
	var evs []connect.Event
	for _, ty := range types {
		evs = append(evs, connect.Event{ContactID: id, InstanceID: "i1", Type: ty, Time: now, Detail: json.RawMessage(`{"attempt":1}`)})
	}
	c := &connect.Contact{ID: id, ARN: "a", InstanceID: "i1", Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now}
	if err := st.CreateContact(context.Background(), c, evs, nil); err != nil {
		t.Fatal(err)
	}
}

func renderer(st *sqlite.Store) *events.Renderer {
	db, err := st.DatabaseID(context.Background())
	if err != nil {
		panic(err)
	}
	return &events.Renderer{Account: "123456789012", Database: db, InstanceARN: func(ctx context.Context, id string) string {
		in, err := st.GetInstance(ctx, id)
		if err != nil {
			return ""
		}
		return in.ARN
	}}
}

func TestEnvelope(t *testing.T) {
	st := newStore(t)
	r := renderer(st)
	cases := []struct {
		typ, detailType, source string
	}{
		{connect.EventQueued, events.ContactDetailType, events.ContactSource},
		{connect.EventDisconnected, events.ContactDetailType, events.ContactSource},
		{connect.EventBounced, events.DeliveryDetailType, events.DeliverySource},
	}
	for _, c := range cases {
		env := r.Render(context.Background(), connect.Event{ID: 42, ContactID: "c1", InstanceID: "i1", Type: c.typ, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Detail: json.RawMessage(`{"attempt":2}`)})
		if env.DetailType != c.detailType || env.Source != c.source || env.Region != "eu-west-2" || env.Account != "123456789012" ||
			env.Time != "2026-01-02T03:04:05Z" || env.Detail["eventType"] != c.typ || env.Detail["contactId"] != "c1" ||
			env.Detail["channel"] != "EMAIL" || env.Detail["attempt"] != float64(2) || env.Version != "0" ||
			env.Resources[0] != "arn:aws:connect:eu-west-2:123456789012:instance/i1/contact/c1" {
			t.Errorf("%s: %+v", c.typ, env)
		}
	}
}

// TestEventIDsUniqueAcrossDatabases: the envelope ids of two databases'
// events never collide, although both logs number their events 1, 2, 3…;
// an event keeps its id when rendered again (a redelivery).
func TestEventIDsUniqueAcrossDatabases(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]string{}
	for _, db := range []string{"one", "two"} {
		st := newStore(t)
		addEvents(t, st, "c-"+db, connect.EventInitiated, connect.EventQueued, connect.EventSent)
		evs, err := st.ListEventsSince(context.Background(), 0, 10)
		if err != nil || len(evs) != 3 || evs[0].ID != 1 {
			t.Fatalf("events of database %s: %+v %v", db, evs, err)
		}
		r := renderer(st)
		for _, e := range evs {
			id := r.Render(context.Background(), e).ID
			if !uuid.MatchString(id) {
				t.Errorf("event id %q is not UUID-shaped", id)
			}
			if again := renderer(st).Render(context.Background(), e).ID; again != id {
				t.Errorf("event %d of database %s rendered again: id %s, then %s", e.ID, db, id, again)
			}
			if prev, dup := seen[id]; dup {
				t.Errorf("event id %s given to %s and to event %d of database %s", id, prev, e.ID, db)
			}
			seen[id] = fmt.Sprintf("event %d of database %s", e.ID, db)
			if !strings.HasSuffix(id, fmt.Sprintf("%03x", e.ID)) {
				t.Errorf("event id %s does not end in its position %d", id, e.ID)
			}
		}
	}
}

func TestWebhooksSignedOrderedRetried(t *testing.T) {
	st := newStore(t)
	addEvents(t, st, "before", connect.EventInitiated) // before the webhook existed: not delivered
	secret := []byte("s3cret")
	var mu sync.Mutex
	var got []string
	fail := 2 // the receiver fails the first two deliveries
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !events.Verify(secret, body, r.Header.Get("X-Connectmail-Signature")) {
			t.Errorf("bad signature on %s", body)
		}
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var env events.Envelope
		_ = json.Unmarshal(body, &env)
		got = append(got, env.Detail["contactId"].(string)+":"+env.Detail["eventType"].(string))
	}))
	defer srv.Close()
	n := events.NewNotifier()
	wh := &events.Webhooks{URLs: []string{srv.URL}, Secret: secret, Log: st, Cursors: st, Notifier: n, Renderer: renderer(st),
		RetryBase: 10 * time.Millisecond, Poll: 50 * time.Millisecond}
	if err := wh.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { wh.Run(ctx); close(done) }()
	addEvents(t, st, "c1", connect.EventInitiated, connect.EventQueued)
	n.Notify()
	addEvents(t, st, "c2", connect.EventInitiated)
	n.Notify()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 3 })
	cancel()
	<-done
	mu.Lock()
	if strings.Join(got, ",") != "c1:INITIATED,c1:QUEUED,c2:INITIATED" {
		t.Fatalf("delivered %v", got)
	}
	mu.Unlock()
	if b, _ := wh.Backlog(context.Background()); b != 0 {
		t.Fatalf("backlog %d", b)
	}
	// A restart resumes from the stored position: only new events are sent.
	addEvents(t, st, "c3", connect.EventInitiated)
	ctx, cancel = context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() { wh.Run(ctx); close(done) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 4 })
	cancel()
	<-done
	if strings.Join(got, ",") != "c1:INITIATED,c1:QUEUED,c2:INITIATED,c3:INITIATED" {
		t.Fatalf("after restart %v", got)
	}
}

func TestStreamReplaysAndFollows(t *testing.T) {
	st := newStore(t)
	addEvents(t, st, "c1", connect.EventInitiated, connect.EventQueued)
	n := events.NewNotifier()
	done := make(chan struct{})
	srv := httptest.NewServer(&events.Stream{Log: st, Notifier: n, Renderer: renderer(st), Done: done})
	defer srv.Close()
	defer close(done)
	req, _ := http.NewRequest("GET", srv.URL+"?after=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %s", ct)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() (id int, typ string) {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("stream ended")
				}
				if v, ok := strings.CutPrefix(l, "id: "); ok {
					id, _ = strconv.Atoi(v)
				}
				if v, ok := strings.CutPrefix(l, "event: "); ok {
					typ = v
				}
				if strings.HasPrefix(l, "data: ") {
					return id, typ
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no event")
			}
		}
	}
	if id, typ := next(); id != 2 || typ != connect.EventQueued {
		t.Fatalf("replayed %d %s", id, typ)
	}
	addEvents(t, st, "c2", connect.EventInitiated)
	n.Notify()
	if id, typ := next(); id != 3 || typ != connect.EventInitiated {
		t.Fatalf("live %d %s", id, typ)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
