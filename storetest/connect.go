package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testInstances(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, c := f.instance(), f.instance()
	got, err := f.s.GetInstance(f.ctx, a.ID)
	must(t, "GetInstance", err)
	same(t, "GetInstance", got, a)
	_, err = f.s.GetInstance(f.ctx, "nope")
	wantKind(t, "GetInstance of a missing id", err, fault.NotFound)

	dup := *c
	dup.ID = f.id("inst")
	wantKind(t, "CreateInstance with a taken alias", f.s.CreateInstance(f.ctx, &dup, nil), fault.Duplicate)
	dup.Alias = ""
	must(t, "CreateInstance without alias", f.s.CreateInstance(f.ctx, &dup, nil))
	noAlias := dup
	noAlias.ID = f.id("inst")
	must(t, "a second instance without alias", f.s.CreateInstance(f.ctx, &noAlias, nil))

	// Ids page in bytewise order: upper case sorts before lower case.
	upper := *a
	upper.ID, upper.Alias, upper.Tags = "Zulu-"+a.ID, "zulu"+a.ID, nil
	lower := *a
	lower.ID, lower.Alias = "alpha-"+a.ID, "alpha"+a.ID
	must(t, "CreateInstance", f.s.CreateInstance(f.ctx, &upper, nil))
	must(t, "CreateInstance", f.s.CreateInstance(f.ctx, &lower, nil))
	want := []string{upper.ID, lower.ID, a.ID, c.ID, dup.ID, noAlias.ID}
	var ids []string
	for after := ""; ; {
		page, err := f.s.ListInstances(f.ctx, after, 4)
		must(t, "ListInstances", err)
		if len(page) > 4 {
			t.Fatalf("ListInstances returned %d, limit 4", len(page))
		}
		for _, in := range page {
			ids = append(ids, in.ID)
		}
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	// The order of a.ID, c.ID, dup.ID, noAlias.ID is their creation order by construction.
	if strings.Join(ids, " ") != strings.Join(sortedBytewise(want), " ") {
		t.Fatalf("ListInstances order %v, want %v", ids, sortedBytewise(want))
	}
	if ids[0] != upper.ID {
		t.Fatalf("ListInstances starts with %s, want the upper-case id %s first", ids[0], upper.ID)
	}
	tail, err := f.s.ListInstances(f.ctx, lower.ID, 100)
	must(t, "ListInstances after", err)
	if len(tail) != 4 || tail[0].ID != a.ID {
		t.Fatalf("ListInstances after %s: %d instances starting %v", lower.ID, len(tail), tail)
	}

	// Deleting an instance removes everything in it and nothing else.
	ea := &connect.EmailAddress{ID: f.id("email"), InstanceID: a.ID, ARN: "arn:x", Address: "gone@example.com", CreatedAt: f.now, ModifiedAt: f.now}
	must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, ea))
	gone := f.queued(a.ID, f.now)
	kept := f.queued(c.ID, f.now)
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, a.ID))
	wantKind(t, "DeleteInstance again", f.s.DeleteInstance(f.ctx, a.ID), fault.NotFound)
	_, err = f.s.GetInstance(f.ctx, a.ID)
	wantKind(t, "GetInstance after delete", err, fault.NotFound)
	_, err = f.s.GetEmailAddress(f.ctx, a.ID, ea.ID)
	wantKind(t, "GetEmailAddress after instance delete", err, fault.NotFound)
	_, err = f.s.GetContact(f.ctx, "", gone.Contact.ID)
	wantKind(t, "GetContact after instance delete", err, fault.NotFound)
	_, err = f.s.GetMessage(f.ctx, gone.Contact.ID)
	wantKind(t, "GetMessage after instance delete", err, fault.NotFound)
	evs, err := f.s.ListEventsSince(f.ctx, 0, 1000)
	must(t, "ListEventsSince", err)
	for _, e := range evs {
		if e.InstanceID == a.ID {
			t.Fatalf("event %+v of a deleted instance is still listed", e)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("%d events left, want the 2 of the other instance's contact", len(evs))
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
	jobs, err := f.s.ClaimJobs(f.ctx, f.now.Add(time.Second), 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 1 || jobs[0].ContactID != kept.Contact.ID {
		t.Fatalf("ClaimJobs after instance delete = %v, want only %s", jobs, kept.Contact.ID)
	}
}

func sortedBytewise(v []string) []string {
	out := append([]string(nil), v...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

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
	if evs, _ := f.s.ListEvents(f.ctx, c2.ID); len(evs) != 0 {
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
	evs, err := f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 2 {
		t.Fatalf("events of the raced contact: %v, want INITIATED and one QUEUED", evs)
	}
}

func testEmailAddresses(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, other := f.instance(), f.instance()
	mk := func(inst, addr string, at time.Time) *connect.EmailAddress {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:email:" + addr, InstanceID: inst, Address: addr,
			DisplayName: "Support", Description: "desk", CreatedAt: ms(at), ModifiedAt: ms(at), Tags: map[string]string{"a": "b"}}
		must(t, "CreateEmailAddress "+addr, f.s.CreateEmailAddress(f.ctx, e))
		return e
	}
	e3 := mk(a.ID, "third@example.com", f.now.Add(2*time.Second))
	e1 := mk(a.ID, "First@Example.com", f.now)
	e2 := mk(a.ID, "second@example.com", f.now.Add(time.Second))
	mk(other.ID, "elsewhere@example.com", f.now)

	got, err := f.s.GetEmailAddress(f.ctx, a.ID, e1.ID)
	must(t, "GetEmailAddress", err)
	same(t, "GetEmailAddress", got, e1)
	_, err = f.s.GetEmailAddress(f.ctx, other.ID, e1.ID)
	wantKind(t, "GetEmailAddress in another instance", err, fault.NotFound)
	got, err = f.s.FindEmailAddress(f.ctx, a.ID, "first@EXAMPLE.COM")
	must(t, "FindEmailAddress", err)
	same(t, "FindEmailAddress", got, e1)
	_, err = f.s.FindEmailAddress(f.ctx, other.ID, "first@example.com")
	wantKind(t, "FindEmailAddress in another instance", err, fault.NotFound)

	dup := *e2
	dup.ID, dup.Address = f.id("email"), "SECOND@example.COM"
	wantKind(t, "CreateEmailAddress of a case variant", f.s.CreateEmailAddress(f.ctx, &dup), fault.Duplicate)

	list, err := f.s.ListEmailAddresses(f.ctx, a.ID)
	must(t, "ListEmailAddresses", err)
	same(t, "ListEmailAddresses (creation order)", list, []*connect.EmailAddress{e1, e2, e3})

	e2.AliasOf, e2.DisplayName, e2.Description, e2.Tags, e2.ModifiedAt = e1.ID, "Alias", "", nil, ms(f.now.Add(time.Minute))
	must(t, "UpdateEmailAddress", f.s.UpdateEmailAddress(f.ctx, e2))
	got, err = f.s.GetEmailAddress(f.ctx, a.ID, e2.ID)
	must(t, "GetEmailAddress", err)
	same(t, "updated address", got, e2)
	missing := *e2
	missing.ID = "nope"
	wantKind(t, "UpdateEmailAddress of a missing address", f.s.UpdateEmailAddress(f.ctx, &missing), fault.NotFound)

	must(t, "DeleteEmailAddress", f.s.DeleteEmailAddress(f.ctx, a.ID, e1.ID))
	wantKind(t, "DeleteEmailAddress again", f.s.DeleteEmailAddress(f.ctx, a.ID, e1.ID), fault.NotFound)
	_, err = f.s.GetEmailAddress(f.ctx, a.ID, e1.ID)
	wantKind(t, "GetEmailAddress after delete", err, fault.NotFound)
	got, err = f.s.GetEmailAddress(f.ctx, a.ID, e2.ID)
	must(t, "GetEmailAddress", err)
	if got.AliasOf != "" {
		t.Fatalf("the alias of a deleted address still points at it: AliasOf = %q", got.AliasOf)
	}
	// The address is free again.
	again := *e1
	again.ID = f.id("email")
	must(t, "CreateEmailAddress of a deleted address", f.s.CreateEmailAddress(f.ctx, &again))
}

func testContacts(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.newContact(in.ID)
	c.RelatedContactID, c.PreviousContactID, c.InitialContactID = "rel", "prev", "init"
	c.SegmentAttributes = json.RawMessage(`{"connect:Subtype":{"ValueString":"connect:Email"}}`)
	c.ExpiryMinutes = 90
	c.NotInterpolated = []string{"Attributes.Custom.x"}
	c.ToList = []connect.Endpoint{{Address: "a@example.org", DisplayName: "A"}, {Address: "b@example.org"}}
	evs := []connect.Event{f.event(c, connect.EventInitiated), f.event(c, connect.EventContactDataUpdated)}
	must(t, "CreateContact", f.s.CreateContact(f.ctx, c, evs, nil))

	got, err := f.s.GetContact(f.ctx, "", c.ID)
	must(t, "GetContact", err)
	same(t, "GetContact (any instance)", got, c)
	got, err = f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	same(t, "GetContact", got, c)
	_, err = f.s.GetContact(f.ctx, "other", c.ID)
	wantKind(t, "GetContact in another instance", err, fault.NotFound)
	_, err = f.s.GetContact(f.ctx, "", "nope")
	wantKind(t, "GetContact of a missing contact", err, fault.NotFound)
	_, err = f.s.GetMessage(f.ctx, c.ID)
	wantKind(t, "GetMessage before a send", err, fault.NotFound)

	stored, err := f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(stored) != 2 || stored[0].Type != connect.EventInitiated || stored[1].Type != connect.EventContactDataUpdated ||
		stored[0].ID <= 0 || stored[1].ID <= stored[0].ID {
		t.Fatalf("ListEvents = %+v", stored)
	}
	for _, e := range stored {
		if !e.Time.Equal(f.now) || e.InstanceID != in.ID || string(compact(e.Detail)) != `{"n":1}` {
			t.Fatalf("stored event %+v does not match what was written", e)
		}
	}

	// A guarded update: the stored state must be the expected one.
	upd := *got
	upd.Attributes = map[string]string{"orderId": "43"}
	upd.Tags = nil
	upd.UpdatedAt = ms(f.now.Add(time.Second))
	wantKind(t, "UpdateContact expecting the wrong state", f.s.UpdateContact(f.ctx, &upd, connect.StateQueued, []connect.Event{f.event(c, "X")}), fault.Conflict)
	must(t, "UpdateContact", f.s.UpdateContact(f.ctx, &upd, connect.StateCreated, []connect.Event{f.event(c, connect.EventContactDataUpdated)}))
	got, err = f.s.GetContact(f.ctx, "", c.ID)
	must(t, "GetContact", err)
	same(t, "updated contact", got, &upd)
	stored, err = f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(stored) != 3 {
		t.Fatalf("after a refused and an accepted update: %d events, want 3", len(stored))
	}

	// Stopping a queued contact removes its delivery job.
	q := f.queued(in.ID, f.now)
	stop := *q.Contact
	stop.State, stop.DisconnectReason, stop.DisconnectedAt = connect.StateStopped, connect.ReasonStopped, ms(f.now.Add(time.Second))
	must(t, "UpdateContact to STOPPED", f.s.UpdateContact(f.ctx, &stop, connect.StateQueued, nil))
	got, err = f.s.GetContact(f.ctx, "", stop.ID)
	must(t, "GetContact", err)
	same(t, "stopped contact", got, &stop)
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 0 {
		t.Fatalf("QueueDepth after stopping = %d, %v; want 0", n, err)
	}
	if _, ok, err := f.s.NextJobAt(f.ctx); err != nil || ok {
		t.Fatalf("NextJobAt after stopping = %v, %v; want none", ok, err)
	}
}

func compact(b []byte) []byte {
	var m any
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	out, _ := json.Marshal(m)
	return out
}

func testStartOutbound(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	due := f.now.Add(-time.Second)
	o := f.outbound(c, due, nil)
	must(t, "StartOutbound", f.s.StartOutbound(f.ctx, o))
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	same(t, "started contact", got, o.Contact)
	m, err := f.s.GetMessage(f.ctx, c.ID)
	must(t, "GetMessage", err)
	same(t, "GetMessage", m, &o.Message)
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
	next, ok, err := f.s.NextJobAt(f.ctx)
	if err != nil || !ok || !next.Equal(ms(due)) {
		t.Fatalf("NextJobAt = %v, %v, %v; want %v", next, ok, err, ms(due))
	}
	evs, err := f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 2 || evs[1].Type != connect.EventQueued {
		t.Fatalf("events after the send: %+v", evs)
	}

	wantKind(t, "StartOutbound twice", f.s.StartOutbound(f.ctx, f.outbound(c, due, nil)), fault.Conflict)
	wantKind(t, "StartOutbound without a message", f.s.StartOutbound(f.ctx, &connect.Outbound{Contact: c}), fault.Conflict)
	ghost := f.newContact(in.ID)
	wantKind(t, "StartOutbound of a missing contact", f.s.StartOutbound(f.ctx, f.outbound(ghost, due, nil)), fault.Conflict)
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
	if evs2, _ := f.s.ListEvents(f.ctx, c.ID); len(evs2) != 2 {
		t.Fatalf("refused sends added events: %+v", evs2)
	}
}

func testListContacts(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, other := f.instance(), f.instance()
	var made []*connect.Contact
	for i := range 7 {
		if i%3 == 0 {
			made = append(made, f.queued(a.ID, f.now).Contact)
		} else {
			made = append(made, f.contact(a.ID))
		}
	}
	f.contact(other.ID)
	var ids []string
	before := ""
	for range 10 {
		page, err := f.s.ListContacts(f.ctx, connect.ContactFilter{InstanceID: a.ID, Before: before, Limit: 3})
		must(t, "ListContacts", err)
		for _, c := range page.Contacts {
			ids = append(ids, c.ID)
		}
		if page.Next == "" {
			break
		}
		if page.Next != page.Contacts[len(page.Contacts)-1].ID {
			t.Fatalf("Next = %s, want the last contact of the page", page.Next)
		}
		before = page.Next
	}
	var want []string
	for i := len(made) - 1; i >= 0; i-- {
		want = append(want, made[i].ID)
	}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("pages of contacts, newest first:\n got %v\nwant %v", ids, want)
	}

	count := func(flt connect.ContactFilter) []string {
		t.Helper()
		page, err := f.s.ListContacts(f.ctx, flt)
		must(t, "ListContacts", err)
		var out []string
		for _, c := range page.Contacts {
			out = append(out, c.ID)
		}
		return out
	}
	if all := count(connect.ContactFilter{}); len(all) != 8 {
		t.Fatalf("unfiltered ListContacts: %d contacts, want 8", len(all))
	}
	queued := count(connect.ContactFilter{State: connect.StateQueued})
	if strings.Join(queued, ",") != strings.Join([]string{made[6].ID, made[3].ID, made[0].ID}, ",") {
		t.Fatalf("QUEUED contacts %v", queued)
	}
	if got := count(connect.ContactFilter{Address: "customer@EXAMPLE.org"}); len(got) != 3 {
		t.Fatalf("contacts with address customer@example.org (any case): %v, want 3", got)
	}
	if got := count(connect.ContactFilter{Address: "support@example.com", State: connect.StateQueued, InstanceID: other.ID}); len(got) != 0 {
		t.Fatalf("combined filters matched %v", got)
	}
	if got := count(connect.ContactFilter{Query: "YOUR ORDER " + strings.ToUpper(made[3].ID[:8])}); len(got) != 3 {
		t.Fatalf("case-insensitive subject search matched %v, want the 3 sent contacts", got)
	}
	if got := count(connect.ContactFilter{Query: made[4].ID}); len(got) != 1 || got[0] != made[4].ID {
		t.Fatalf("search by contact id matched %v", got)
	}
	if got := count(connect.ContactFilter{Query: "100%_"}); len(got) != 0 {
		t.Fatalf("a search with wildcard characters matched %v", got)
	}
}

// testListContactsByCustomer: the customer of an inbound contact (INBOUND,
// API) is its From address, of the others its To address; replies are the
// contacts whose RelatedContactID names a contact.
func testListContactsByCustomer(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	support := connect.Endpoint{Address: "support@example.com"}
	add := func(method string, from, to connect.Endpoint, related string) string {
		t.Helper()
		c := f.newContact(in.ID)
		c.InitiationMethod, c.From, c.To, c.RelatedContactID = method, from, to, related
		if err := f.s.CreateContact(f.ctx, c, []connect.Event{f.event(c, connect.EventInitiated)}, nil); err != nil {
			t.Fatalf("CreateContact: %v", err)
		}
		return c.ID
	}
	ana, dora := connect.Endpoint{Address: "Ana@Example.org"}, connect.Endpoint{Address: "dora@example.org"}
	out := add("OUTBOUND", support, ana, "")
	reply := add("INBOUND", ana, support, out)
	api := add("API", ana, support, "")
	fromDora := add("INBOUND", dora, support, out)
	add("OUTBOUND", ana, dora, "") // ana is the sender here, not the customer
	ids := func(flt connect.ContactFilter) string {
		t.Helper()
		page, err := f.s.ListContacts(f.ctx, flt)
		must(t, "ListContacts", err)
		var got []string
		for _, c := range page.Contacts {
			got = append(got, c.ID)
		}
		return strings.Join(got, ",")
	}
	for _, c := range []struct {
		name string
		flt  connect.ContactFilter
		want []string
	}{
		{"customer ana, any case", connect.ContactFilter{InstanceID: in.ID, Customer: "ana@example.ORG"}, []string{api, reply, out}},
		{"customer support", connect.ContactFilter{Customer: "support@example.com"}, nil},
		{"replies", connect.ContactFilter{InstanceID: in.ID, RelatedContactID: out}, []string{fromDora, reply}},
		{"replies of ana", connect.ContactFilter{RelatedContactID: out, Customer: "ana@example.org"}, []string{reply}},
		{"replies of a contact without any", connect.ContactFilter{RelatedContactID: reply}, nil},
	} {
		if got := ids(c.flt); got != strings.Join(c.want, ",") {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func testConcurrentUpdates(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	const n = 10
	errs := make([]error, n)
	split(t, b, f, n, func(i int, g *fixture) {
		u := *c
		u.State, u.DisconnectReason = connect.StateStopped, fmt.Sprint("reason-", i)
		errs[i] = g.s.UpdateContact(g.ctx, &u, connect.StateCreated, []connect.Event{g.event(c, connect.EventDisconnected)})
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantKind(t, "a losing concurrent update", err, fault.Conflict)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent guarded updates succeeded, want 1", ok)
	}
	if evs, _ := f.s.ListEvents(f.ctx, c.ID); len(evs) != 2 {
		t.Fatalf("events after the race: %d, want INITIATED + one DISCONNECTED", len(evs))
	}

	d := f.contact(in.ID)
	split(t, b, f, n, func(i int, g *fixture) {
		errs[i] = g.s.StartOutbound(g.ctx, g.outbound(d, g.now, nil))
	})
	ok = 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantKind(t, "a losing concurrent send", err, fault.Conflict)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent sends of one contact succeeded, want 1", ok)
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
}
