package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
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
