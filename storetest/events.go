package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testEvents(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	if id, err := f.s.LastEventID(f.ctx); err != nil || id != 0 {
		t.Fatalf("LastEventID of an empty log = %d, %v", id, err)
	}
	if evs, err := f.s.ListEventsSince(f.ctx, 0, 10); err != nil || len(evs) != 0 {
		t.Fatalf("ListEventsSince of an empty log = %v, %v", evs, err)
	}
	in := f.instance()
	var contacts []*connect.Contact
	for range 5 {
		contacts = append(contacts, f.queued(in.ID, f.now).Contact)
	}
	all, err := f.s.ListEventsSince(f.ctx, 0, 100)
	must(t, "ListEventsSince", err)
	if len(all) != 10 {
		t.Fatalf("%d events, want 10", len(all))
	}
	for i, e := range all {
		if i > 0 && e.ID <= all[i-1].ID {
			t.Fatalf("events out of order: %d after %d", e.ID, all[i-1].ID)
		}
		c := contacts[i/2]
		wantType := connect.EventInitiated
		if i%2 == 1 {
			wantType = connect.EventQueued
		}
		if e.ContactID != c.ID || e.InstanceID != in.ID || e.Type != wantType || !e.Time.Equal(f.now) || string(compact(e.Detail)) != `{"n":1}` {
			t.Fatalf("event %d = %+v", i, e)
		}
	}
	last, err := f.s.LastEventID(f.ctx)
	must(t, "LastEventID", err)
	if last != all[9].ID {
		t.Fatalf("LastEventID = %d, want %d", last, all[9].ID)
	}
	page, err := f.s.ListEventsSince(f.ctx, all[3].ID, 4)
	must(t, "ListEventsSince", err)
	same(t, "a page of events", page, all[4:8])
	page, err = f.s.ListEventsSince(f.ctx, last, 4)
	must(t, "ListEventsSince", err)
	if len(page) != 0 {
		t.Fatalf("events after the last one: %v", page)
	}
	// An event without detail.
	c := contacts[0]
	e := connect.Event{ContactID: c.ID, InstanceID: in.ID, Type: connect.EventContactDataUpdated, Time: f.now}
	u := *c
	u.State = connect.StateQueued
	must(t, "UpdateContact", f.s.UpdateContact(f.ctx, &u, connect.StateQueued, []connect.Event{e}))
	page, err = f.s.ListEventsSince(f.ctx, last, 4)
	must(t, "ListEventsSince", err)
	if len(page) != 1 || len(page[0].Detail) != 0 || page[0].Type != connect.EventContactDataUpdated {
		t.Fatalf("an event without detail reads back as %+v", page)
	}
}

// testEventOrderConcurrent checks that a reader following the log by position
// while many writers commit never skips an event: every id it misses would be
// an event committed below a position it had already passed.
func testEventOrderConcurrent(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	reader := f
	if b.Peer != nil {
		reader = f.on(b.Peer(t, f.s))
	}
	stop := make(chan struct{})
	var seen []int64
	readerDone := make(chan error, 1)
	go func() {
		var pos int64
		for {
			stopping := false
			select {
			case <-stop:
				stopping = true
			default:
			}
			evs, err := reader.s.ListEventsSince(reader.ctx, pos, 37)
			if err != nil {
				readerDone <- err
				return
			}
			for _, e := range evs {
				seen = append(seen, e.ID)
				pos = e.ID
			}
			if stopping && len(evs) < 37 {
				readerDone <- nil
				return
			}
			if len(evs) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	const writers, perWriter = 8, 12
	var wg sync.WaitGroup
	fs := []*fixture{f}
	if b.Peer != nil {
		fs = append(fs, reader)
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := fs[w%len(fs)]
			for range perWriter {
				c := g.newContact(in.ID)
				evs := []connect.Event{g.event(c, connect.EventInitiated), g.event(c, connect.EventContactDataUpdated)}
				if err := g.s.CreateContact(g.ctx, c, evs, nil); err != nil {
					t.Errorf("CreateContact: %v", err)
					return
				}
				if err := g.s.StartOutbound(g.ctx, g.outbound(c, g.now, nil)); err != nil {
					t.Errorf("StartOutbound: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// The reader's pass that starts after this sees everything committed.
	close(stop)
	if err := <-readerDone; err != nil {
		t.Fatalf("reader: %v", err)
	}
	all, err := f.s.ListEventsSince(f.ctx, 0, 100000)
	must(t, "ListEventsSince", err)
	if len(all) != writers*perWriter*3 {
		t.Fatalf("%d events stored, want %d", len(all), writers*perWriter*3)
	}
	last, err := f.s.LastEventID(f.ctx)
	must(t, "LastEventID", err)
	if all[len(all)-1].ID != last {
		t.Fatalf("LastEventID %d is not the last stored event %d", last, all[len(all)-1].ID)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("the reader saw event %d after %d", seen[i], seen[i-1])
		}
	}
	// A missing id was committed below a position the reader had passed.
	got := map[int64]bool{}
	for _, id := range seen {
		got[id] = true
	}
	var missed []int64
	for _, e := range all {
		if !got[e.ID] {
			missed = append(missed, e.ID)
		}
	}
	if len(missed) > 0 {
		t.Fatalf("a reader following the log skipped %d of %d events, e.g. %v", len(missed), len(all), missed[:min(5, len(missed))])
	}
}

func testCursors(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	get := func(name string) int64 {
		t.Helper()
		v, err := f.s.Cursor(f.ctx, name)
		must(t, "Cursor", err)
		return v
	}
	if v := get("webhook:a"); v != 0 {
		t.Fatalf("unset cursor = %d", v)
	}
	must(t, "SetCursor", f.s.SetCursor(f.ctx, "webhook:a", 5))
	must(t, "SetCursor backwards", f.s.SetCursor(f.ctx, "webhook:a", 3))
	if v := get("webhook:a"); v != 5 {
		t.Fatalf("cursor moved backwards to %d", v)
	}
	must(t, "SetCursor", f.s.SetCursor(f.ctx, "webhook:a", 9))
	must(t, "SetCursor", f.s.SetCursor(f.ctx, "webhook:b", 2))
	if a, b := get("webhook:a"), get("webhook:b"); a != 9 || b != 2 {
		t.Fatalf("cursors = %d, %d; want 9, 2", a, b)
	}
	// Concurrent writers: the cursor ends at the highest position.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.s.SetCursor(f.ctx, "webhook:c", int64(i+1)); err != nil {
				t.Errorf("SetCursor: %v", err)
			}
		}()
	}
	wg.Wait()
	if v := get("webhook:c"); v != 20 {
		t.Fatalf("cursor after concurrent moves = %d, want 20", v)
	}
}

func testSuppression(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	now := f.now
	entries := []connect.Suppression{
		{Address: "Bounce@Example.org", Reason: "hard bounce", ContactID: "c1", CreatedAt: now},
		{Address: "old@example.org", Reason: "hard bounce", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)},
		{Address: "soon@example.org", Reason: "manual", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		{Address: "Another@example.org", Reason: "manual", CreatedAt: now},
	}
	must(t, "Suppress", f.s.Suppress(f.ctx, entries))
	must(t, "Suppress nothing", f.s.Suppress(f.ctx, nil))
	got, err := f.s.Suppressed(f.ctx, []string{"bounce@example.ORG", "old@example.org", "SOON@example.org", "clean@example.org"}, now)
	must(t, "Suppressed", err)
	same(t, "Suppressed", got, map[string]connect.Suppression{"bounce@example.org": entries[0], "soon@example.org": entries[2]})
	got, err = f.s.Suppressed(f.ctx, []string{"soon@example.org"}, now.Add(2*time.Hour))
	must(t, "Suppressed", err)
	if len(got) != 0 {
		t.Fatalf("an expired entry is still active: %v", got)
	}
	if got, err := f.s.Suppressed(f.ctx, nil, now); err != nil || len(got) != 0 {
		t.Fatalf("Suppressed(nil) = %v, %v", got, err)
	}

	// Replacing an entry.
	repl := connect.Suppression{Address: "bounce@example.org", Reason: "complaint", ContactID: "c2", CreatedAt: now.Add(time.Second)}
	must(t, "Suppress again", f.s.Suppress(f.ctx, []connect.Suppression{repl}))
	got, err = f.s.Suppressed(f.ctx, []string{"BOUNCE@example.org"}, now)
	must(t, "Suppressed", err)
	same(t, "replaced entry", got["bounce@example.org"], repl)

	// Paging, ordered by lower-cased address, expired entries included.
	var addrs []string
	after := ""
	for range 5 {
		page, err := f.s.ListSuppressions(f.ctx, after, 3)
		must(t, "ListSuppressions", err)
		for _, e := range page {
			addrs = append(addrs, e.Address)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Address
	}
	if strings.Join(addrs, " ") != "Another@example.org bounce@example.org old@example.org soon@example.org" {
		t.Fatalf("ListSuppressions pages: %v", addrs)
	}
	page, err := f.s.ListSuppressions(f.ctx, "BOUNCE@example.org", 10)
	must(t, "ListSuppressions", err)
	if len(page) != 2 || page[0].Address != "old@example.org" {
		t.Fatalf("ListSuppressions after an upper-case address: %v", page)
	}

	must(t, "Unsuppress", f.s.Unsuppress(f.ctx, "ANOTHER@example.org"))
	wantKind(t, "Unsuppress again", f.s.Unsuppress(f.ctx, "another@example.org"), fault.NotFound)
	if got, _ := f.s.ListSuppressions(f.ctx, "", 10); len(got) != 3 {
		t.Fatalf("after Unsuppress: %v", got)
	}

	// Emptied and filled again: stores may skip reads of an empty list, so
	// the last removal and the next addition must both show at once, and
	// the list must be found again by a successor process.
	for _, a := range []string{"bounce@example.org", "old@example.org"} {
		must(t, "Unsuppress", f.s.Unsuppress(f.ctx, a))
	}
	if got, err := f.s.Suppressed(f.ctx, []string{"soon@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("with one entry left: %v, %v", got, err)
	}
	must(t, "Unsuppress the last entry", f.s.Unsuppress(f.ctx, "soon@example.org"))
	if got, err := f.s.Suppressed(f.ctx, []string{"soon@example.org", "bounce@example.org"}, now); err != nil || len(got) != 0 {
		t.Fatalf("with an empty list: %v, %v", got, err)
	}
	// A batch that fails as a whole (here: a removal of an address that is
	// not listed, next to an addition) must not lose the addition.
	again := connect.Suppression{Address: "again@example.org", Reason: "manual", CreatedAt: now}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_ = f.s.Suppress(f.ctx, []connect.Suppression{again})
			} else {
				_ = f.s.Unsuppress(f.ctx, "nobody@example.org")
			}
		}()
	}
	wg.Wait()
	if got, err := f.s.Suppressed(f.ctx, []string{"AGAIN@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("an entry added to an empty list: %v, %v", got, err)
	}
	g := f.on(b.Restart(t, f.s))
	if got, err := g.s.Suppressed(g.ctx, []string{"again@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("after a restart: %v, %v", got, err)
	}
}
