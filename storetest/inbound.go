package storetest

import (
	"fmt"
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

// testLookupEmailAddress: an address is found case-insensitively in
// whichever instance has it, by another node too, and no longer once deleted.
func testLookupEmailAddress(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, other := f.instance(), f.instance()
	mk := func(inst, addr, aliasOf string) *connect.EmailAddress {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:email:" + addr, InstanceID: inst, Address: addr,
			DisplayName: "Desk", AliasOf: aliasOf, CreatedAt: f.now, ModifiedAt: f.now}
		must(t, "CreateEmailAddress "+addr, f.s.CreateEmailAddress(f.ctx, e))
		return e
	}
	support := mk(a.ID, "Support@Example.com", "")
	alias := mk(a.ID, "help@example.com", support.ID)
	sales := mk(other.ID, "sales@example.org", "")
	stores := []Store{f.s}
	if b.Peer != nil {
		stores = append(stores, b.Peer(t, f.s))
	}
	for i, s := range stores {
		for _, c := range []struct {
			addr string
			want *connect.EmailAddress
		}{
			{"support@example.com", support}, {"SUPPORT@EXAMPLE.COM", support},
			{"help@example.com", alias}, // an alias is returned as itself
			{"Sales@Example.org", sales},
		} {
			got, err := s.LookupEmailAddress(f.ctx, c.addr)
			must(t, fmt.Sprintf("store %d: LookupEmailAddress %s", i, c.addr), err)
			same(t, fmt.Sprintf("store %d: LookupEmailAddress %s", i, c.addr), got, c.want)
		}
		_, err := s.LookupEmailAddress(f.ctx, "nobody@example.com")
		wantKind(t, "LookupEmailAddress of an unknown address", err, fault.NotFound)
		_, err = s.LookupEmailAddress(f.ctx, "")
		wantKind(t, "LookupEmailAddress of an empty address", err, fault.NotFound)
	}
	must(t, "DeleteEmailAddress", f.s.DeleteEmailAddress(f.ctx, other.ID, sales.ID))
	_, err := f.s.LookupEmailAddress(f.ctx, "sales@example.org")
	wantKind(t, "LookupEmailAddress after delete", err, fault.NotFound)
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, a.ID))
	_, err = f.s.LookupEmailAddress(f.ctx, "support@example.com")
	wantKind(t, "LookupEmailAddress after the instance's deletion", err, fault.NotFound)
}

// testInboundDedup: received mail is deduplicated with an idempotency record
// of operation ReceiveEmail whose token names the message. Copies of one
// message recorded at once, on several nodes too, make one contact; the
// others replay its response, and so does a copy after a restart.
func testInboundDedup(t *testing.T, b Backend) {
	s := b.Open(t)
	f := newFixture(t, s)
	in := f.instance()
	const n = 12
	received := func(g *fixture, token string) *connect.Outbound {
		c := g.newContact(in.ID)
		c.InitiationMethod, c.Source = "INBOUND", "INBOUND"
		o := g.outbound(c, g.now, &connect.Idem{Op: "ReceiveEmail", Token: token, Hash: "rcpt",
			Response: []byte(`{"ContactID":"` + c.ID + `"}`)})
		o.Contact.State = connect.StateReceived
		return o
	}
	errs := make([]error, n)
	outs := make([]*connect.Outbound, n)
	split(t, b, f, n, func(i int, g *fixture) {
		outs[i] = received(g, "message-1")
		errs[i] = g.s.CreateContactMessage(g.ctx, outs[i], false)
	})
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("two copies of one message were recorded: %d and %d", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no copy was recorded: %v", errs)
	}
	for i, err := range errs {
		if i != winner {
			wantReplay(t, fmt.Sprintf("copy %d", i), err, outs[winner].Idem.Response)
			_, gerr := f.s.GetContact(f.ctx, in.ID, outs[i].Contact.ID)
			wantKind(t, fmt.Sprintf("contact of copy %d", i), gerr, fault.NotFound)
		}
	}
	page, err := f.s.ListContacts(f.ctx, connect.ContactFilter{InstanceID: in.ID, Limit: 100})
	must(t, "ListContacts", err)
	if len(page.Contacts) != 1 {
		t.Fatalf("%d contacts after %d copies of one message, want 1", len(page.Contacts), n)
	}
	// Another message is recorded.
	must(t, "another message", f.s.CreateContactMessage(f.ctx, received(f, "message-2"), false))
	// The record outlives the process.
	r := f.on(b.Restart(t, s))
	wantReplay(t, "a copy after a restart", r.s.CreateContactMessage(r.ctx, received(r, "message-1"), false), outs[winner].Idem.Response)
}
