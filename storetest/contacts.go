package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testContacts(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.newContact(in.ID)
	c.RelatedContactID, c.PreviousContactID, c.InitialContactID = "rel", "prev", "init"
	subtype, n := "connect:Email", 7
	c.SegmentAttributes = map[string]connect.SegmentAttributeValue{"connect:Subtype": {String: &subtype},
		"custom": {Map: map[string]connect.SegmentAttributeValue{"n": {Integer: &n}, "empty": {List: []connect.SegmentAttributeValue{}}}}}
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

	stored, err := f.s.Inspect.ListEvents(f.ctx, c.ID)
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
	stored, err = f.s.Inspect.ListEvents(f.ctx, c.ID)
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
	evs, err := f.s.Inspect.ListEvents(f.ctx, c.ID)
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
	if evs2, _ := f.s.Inspect.ListEvents(f.ctx, c.ID); len(evs2) != 2 {
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
		page, err := f.s.Inspect.ListContacts(f.ctx, connect.ContactFilter{InstanceID: a.ID, Before: before, Limit: 3})
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
		page, err := f.s.Inspect.ListContacts(f.ctx, flt)
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
		page, err := f.s.Inspect.ListContacts(f.ctx, flt)
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
	if evs, _ := f.s.Inspect.ListEvents(f.ctx, c.ID); len(evs) != 2 {
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

func testCreateContactMessage(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	// Inbound: the contact and its message, no delivery job.
	c := f.newContact(in.ID)
	o := f.outbound(c, f.now, &connect.Idem{Op: "StartEmailContact", Token: "t1", Hash: "h1", Response: []byte(`{"ContactId":"` + c.ID + `"}`)})
	o.Contact.State = connect.StateReceived
	must(t, "CreateContactMessage", f.s.CreateContactMessage(f.ctx, o, false))
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	same(t, "stored contact", got, o.Contact)
	m, err := f.s.GetMessage(f.ctx, c.ID)
	must(t, "GetMessage", err)
	same(t, "stored message", m, &o.Message)
	evs, err := f.s.Inspect.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 1 || evs[0].Type != connect.EventQueued || evs[0].ID == 0 {
		t.Fatalf("events: %+v", evs)
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 0 {
		t.Fatalf("QueueDepth after an unqueued message: %d %v", n, err)
	}
	// The same token and hash replay; another hash is refused; nothing is inserted.
	again := f.outbound(f.newContact(in.ID), f.now, &connect.Idem{Op: "StartEmailContact", Token: "t1", Hash: "h1"})
	wantReplay(t, "replay", f.s.CreateContactMessage(f.ctx, again, false), o.Idem.Response)
	_, err = f.s.GetContact(f.ctx, in.ID, again.Contact.ID)
	wantKind(t, "contact of a replayed request", err, fault.NotFound)
	again.Idem.Hash = "h2"
	wantKind(t, "token reuse", f.s.CreateContactMessage(f.ctx, again, false), fault.Idempotency)

	// Outbound campaign mail: queued for delivery like StartOutbound's.
	q := f.outbound(f.newContact(in.ID), f.now.Add(-time.Second), nil)
	must(t, "CreateContactMessage queued", f.s.CreateContactMessage(f.ctx, q, true))
	jobs, err := f.s.ClaimJobs(f.ctx, f.now, 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 1 || jobs[0].ContactID != q.Contact.ID || string(jobs[0].Message.Raw) != string(q.Message.Raw) {
		t.Fatalf("claimed %+v", jobs)
	}
	// An existing contact id is a duplicate, and the message is not replaced.
	dup := f.outbound(c, f.now, nil)
	dup.Message.Raw = []byte("other")
	if err := f.s.CreateContactMessage(f.ctx, dup, false); err == nil {
		t.Fatal("CreateContactMessage of an existing contact succeeded")
	}
	m, _ = f.s.GetMessage(f.ctx, c.ID)
	if string(m.Raw) == "other" {
		t.Fatal("a failed CreateContactMessage replaced the message")
	}
}

func testModifyContact(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in, other := f.instance(), f.instance()
	c := f.contact(in.ID)
	later := ms(f.now.Add(time.Minute))
	must(t, "ModifyContact", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		same(t, "contact given to fn", x, c)
		x.Attributes = map[string]string{"a": "1"}
		x.Tags = map[string]string{"t": "2"}
		x.UpdatedAt = later
		x.Subject = "not stored" // only attributes, tags and UpdatedAt are stored
		return []connect.Event{f.event(x, connect.EventContactDataUpdated)}, nil
	}))
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	if got.Attributes["a"] != "1" || len(got.Attributes) != 1 || got.Tags["t"] != "2" || !got.UpdatedAt.Equal(later) || got.Subject != c.Subject {
		t.Fatalf("modified contact: %+v", got)
	}
	evs, _ := f.s.Inspect.ListEvents(f.ctx, c.ID)
	if len(evs) != 2 || evs[1].Type != connect.EventContactDataUpdated {
		t.Fatalf("events: %+v", evs)
	}
	// An error from fn aborts: nothing changes.
	boom := errors.New("boom")
	err = f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		x.Attributes = nil
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("fn's error: got %v", err)
	}
	got, _ = f.s.GetContact(f.ctx, in.ID, c.ID)
	if got.Attributes["a"] != "1" {
		t.Fatal("an aborted ModifyContact changed the contact")
	}
	err = f.s.ModifyContact(f.ctx, other.ID, c.ID, func(*connect.Contact) ([]connect.Event, error) { return nil, nil })
	wantKind(t, "ModifyContact in another instance", err, fault.NotFound)
	// Concurrent merges do not lose updates.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := string(rune('a' + i))
			if err := f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
				x.Attributes[k] = "x"
				return nil, nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ = f.s.GetContact(f.ctx, in.ID, c.ID)
	if len(got.Attributes) != 8 {
		t.Fatalf("concurrent merges lost updates: %v", got.Attributes)
	}
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
	page, err := f.s.Inspect.ListContacts(f.ctx, connect.ContactFilter{InstanceID: in.ID, Limit: 100})
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

// testModifyAcrossNodes runs the read-modify-write methods concurrently on
// every store of the database (peers too): no update may be lost. It also
// covers ModifyContact adding many events and none.
func testModifyAcrossNodes(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	must(t, "ModifyContact with several events", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		var evs []connect.Event
		for range 5 {
			evs = append(evs, f.event(x, connect.EventContactDataUpdated))
		}
		return evs, nil
	}))
	must(t, "ModifyContact without events", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		return nil, nil
	}))
	evs, err := f.s.Inspect.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 6 {
		t.Fatalf("%d events after ModifyContact added 5, want 6", len(evs))
	}
	all, err := f.s.ListEventsSince(f.ctx, 0, 100)
	must(t, "ListEventsSince", err)
	if len(all) != 6 {
		t.Fatalf("the log shows %d events, want 6", len(all))
	}

	const n = 12
	split(t, b, f, n, func(i int, g *fixture) {
		err := g.s.ModifyContact(g.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
			v, _ := strconv.Atoi(x.Attributes["count"])
			if x.Attributes == nil {
				x.Attributes = map[string]string{}
			}
			x.Attributes["count"] = strconv.Itoa(v + 1)
			return []connect.Event{g.event(x, connect.EventContactDataUpdated)}, nil
		})
		if err != nil {
			t.Errorf("concurrent ModifyContact: %v", err)
		}
		err = g.s.ModifyTags(g.ctx, connect.ResourceRef{Type: connect.ResourceInstance, ID: in.ID}, func(tags map[string]string) (map[string]string, error) {
			tags[fmt.Sprint("k", i)] = "v"
			return tags, nil
		})
		if err != nil {
			t.Errorf("concurrent ModifyTags: %v", err)
		}
	})
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	if got.Attributes["count"] != strconv.Itoa(n) {
		t.Fatalf("after %d concurrent increments the count is %s", n, got.Attributes["count"])
	}
	inst, err := f.s.GetInstance(f.ctx, in.ID)
	must(t, "GetInstance", err)
	if len(inst.Tags) != n+len(in.Tags) {
		t.Fatalf("after %d concurrent tag additions: %v", n, inst.Tags)
	}
	if evs, _ := f.s.Inspect.ListEvents(f.ctx, c.ID); len(evs) != 6+n {
		t.Fatalf("%d events, want %d", len(evs), 6+n)
	}
}
