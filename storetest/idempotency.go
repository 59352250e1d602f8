package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testIdempotency(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := &connect.Instance{ID: f.id("inst"), ARN: "arn:1", Alias: "idem1", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: f.now}
	idem := &connect.Idem{Op: "CreateInstance", Token: "tok-1", Hash: "h1", Response: []byte(`{"Id":"` + in.ID + `"}`)}
	must(t, "CreateInstance", f.s.CreateInstance(f.ctx, in, idem))

	again := *in
	again.ID, again.Alias = f.id("inst"), "idem2"
	replay := *idem
	replay.Response = []byte(`{"Id":"` + again.ID + `"}`)
	wantReplay(t, "same token and hash", f.s.CreateInstance(f.ctx, &again, &replay), idem.Response)
	_, err := f.s.GetInstance(f.ctx, again.ID)
	wantKind(t, "the replayed create's instance", err, fault.NotFound)

	other := replay
	other.Hash = "h2"
	wantKind(t, "same token, other hash", f.s.CreateInstance(f.ctx, &again, &other), fault.Idempotency)

	// Tokens are scoped by operation.
	otherOp := replay
	otherOp.Op = "OtherOp"
	must(t, "same token for another operation", f.s.CreateInstance(f.ctx, &again, &otherOp))

	// A failed operation records nothing: its token can be used again.
	clash := &connect.Instance{ID: f.id("inst"), ARN: "arn:3", Alias: "idem1", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: f.now}
	tok := &connect.Idem{Op: "CreateInstance", Token: "tok-3", Hash: "h3", Response: []byte(`{}`)}
	wantKind(t, "CreateInstance with a taken alias", f.s.CreateInstance(f.ctx, clash, tok), fault.Duplicate)
	clash.Alias = "idem3"
	must(t, "the same token after the failure", f.s.CreateInstance(f.ctx, clash, tok))

	// CreateContact.
	c := f.newContact(in.ID)
	cidem := &connect.Idem{Op: "CreateContact", Token: "tok-c", Hash: "hc", Response: []byte(`{"ContactId":"` + c.ID + `"}`)}
	must(t, "CreateContact", f.s.CreateContact(f.ctx, c, []connect.Event{f.event(c, connect.EventInitiated)}, cidem))
	c2 := f.newContact(in.ID)
	wantReplay(t, "CreateContact replay", f.s.CreateContact(f.ctx, c2, []connect.Event{f.event(c2, connect.EventInitiated)}, cidem), cidem.Response)
	_, err = f.s.GetContact(f.ctx, "", c2.ID)
	wantKind(t, "the replayed CreateContact's contact", err, fault.NotFound)
	if evs, _ := f.s.Inspect.ListEvents(f.ctx, c2.ID); len(evs) != 0 {
		t.Fatalf("the replayed CreateContact stored events %v", evs)
	}

	// StartOutbound, including the replay probe without a message.
	sidem := &connect.Idem{Op: "StartOutboundEmailContact", Token: "tok-s", Hash: "hs", Response: []byte(`{"ContactId":"` + c.ID + `"}`)}
	must(t, "StartOutbound", f.s.StartOutbound(f.ctx, f.outbound(c, f.now, sidem)))
	probe := &connect.Outbound{Contact: c, Idem: sidem}
	wantReplay(t, "StartOutbound replay probe", f.s.StartOutbound(f.ctx, probe), sidem.Response)
	wantReplay(t, "StartOutbound replay", f.s.StartOutbound(f.ctx, f.outbound(c, f.now, sidem)), sidem.Response)
	bad := *sidem
	bad.Hash = "other"
	wantKind(t, "StartOutbound probe with another hash", f.s.StartOutbound(f.ctx, &connect.Outbound{Contact: c, Idem: &bad}), fault.Idempotency)
	wantKind(t, "StartOutbound probe without a token", f.s.StartOutbound(f.ctx, &connect.Outbound{Contact: c}), fault.Conflict)
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
}

// split runs fn(i) for i in [0,n) concurrently, on s and, when b has peers, on a peer for odd i.
func split(t *testing.T, b Backend, f *fixture, n int, fn func(i int, f *fixture)) {
	t.Helper()
	fs := []*fixture{f}
	if b.Peer != nil {
		fs = append(fs, f.on(b.Peer(t, f.s)))
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i, fs[i%len(fs)])
		}()
	}
	close(start)
	wg.Wait()
}

func testIdempotencyConcurrent(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	const n = 16
	errs := make([]error, n)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.id("inst")
	}
	resp := func(i int) []byte { return []byte(`{"Id":"` + ids[i] + `"}`) }
	split(t, b, f, n, func(i int, g *fixture) {
		in := &connect.Instance{ID: ids[i], ARN: "arn", Alias: "race" + ids[i], IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: g.now}
		errs[i] = g.s.CreateInstance(g.ctx, in, &connect.Idem{Op: "CreateInstance", Token: "same", Hash: "same", Response: resp(i)})
	})
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("two concurrent creates with one token committed: %d and %d", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no concurrent create committed: %v", errs)
	}
	for i, err := range errs {
		if i != winner {
			wantReplay(t, fmt.Sprintf("concurrent create %d", i), err, resp(winner))
		}
	}
	list, err := f.s.ListInstances(f.ctx, "", 100)
	must(t, "ListInstances", err)
	if len(list) != 1 || list[0].ID != ids[winner] {
		t.Fatalf("instances after the race: %v, want only %s", list, ids[winner])
	}

	// The same token with different requests: one commits, the rest are refused.
	split(t, b, f, n, func(i int, g *fixture) {
		in := &connect.Instance{ID: g.id("inst"), ARN: "arn", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: g.now}
		errs[i] = g.s.CreateInstance(g.ctx, in, &connect.Idem{Op: "CreateInstance", Token: "mixed", Hash: fmt.Sprint(i), Response: []byte(`{}`)})
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantKind(t, "a concurrent create with another hash", err, fault.Idempotency)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent creates with one token and different hashes committed, want 1", ok)
	}

	// Concurrent identical StartOutbound calls: one send is queued.
	c := f.contact(ids[winner])
	sidem := &connect.Idem{Op: "StartOutboundEmailContact", Token: "send", Hash: "h", Response: []byte(`{"ContactId":"` + c.ID + `"}`)}
	split(t, b, f, n, func(i int, g *fixture) {
		errs[i] = g.s.StartOutbound(g.ctx, g.outbound(c, g.now, sidem))
	})
	ok = 0
	for i, err := range errs {
		if err == nil {
			ok++
		} else {
			wantReplay(t, fmt.Sprintf("concurrent send %d", i), err, sidem.Response)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent identical sends committed, want 1", ok)
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
	evs, err := f.s.Inspect.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 2 {
		t.Fatalf("events of the raced contact: %v, want INITIATED and one QUEUED", evs)
	}
}
