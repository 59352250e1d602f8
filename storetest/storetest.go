// Package storetest is the conformance suite every connectmail store must
// pass: the embedded SQLite store and the PostgreSQL store run the same
// tests, so they behave the same. It exercises every method of
// Store — instances, email addresses, contacts, messages, events and
// cursors, idempotency records, delivery jobs and leases, the suppression
// list, pagination — under concurrency too, and every method of
// the template stores when the store implements them.
//
// A store package's test calls Run with a Backend that opens fresh stores.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/inspect"
	"github.com/connectmail/connectmail/template"
)

// Store is a store under test: the engine's value (Engine) as the
// interface each consumer declares for each stored aggregate. Use Of to
// make one.
type Store struct {
	// Engine is the store itself (a *sqlite.Store, a *postgres.Store).
	Engine any
	connect.InstanceStore
	connect.EmailAddressStore
	connect.ContactStore
	connect.FileStore
	connect.QueueAddressStore
	connect.TagStore
	delivery.Queue
	delivery.SuppressionList
	events.Log
	events.Cursors
	// Inspect and Suppressions are the inspection API's reads and its
	// suppression list (their methods share names with the above).
	Inspect      inspect.Store
	Suppressions inspect.SuppressionStore
}

// Of returns engine as a Store under test, failing t if it lacks one of
// the stores.
func Of(t testing.TB, engine any) Store {
	t.Helper()
	cs := connect.StoresOf(engine)
	st := Store{Engine: engine, InstanceStore: cs.Instances, EmailAddressStore: cs.EmailAddresses, ContactStore: cs.Contacts,
		FileStore: cs.Files, QueueAddressStore: cs.QueueAddresses, TagStore: cs.Tags}
	var ok [6]bool
	st.Queue, ok[0] = engine.(delivery.Queue)
	st.SuppressionList, ok[1] = engine.(delivery.SuppressionList)
	st.Log, ok[2] = engine.(events.Log)
	st.Cursors, ok[3] = engine.(events.Cursors)
	st.Inspect, ok[4] = engine.(inspect.Store)
	st.Suppressions, ok[5] = engine.(inspect.SuppressionStore)
	if !cs.Complete() || ok != [6]bool{true, true, true, true, true, true} {
		t.Fatalf("storetest: %T does not implement every store", engine)
	}
	return st
}

// Backend opens the stores under test. Stores it returns are closed by the
// backend (with t.Cleanup), not by the suite.
type Backend struct {
	// Open returns a store on a new, empty database.
	Open func(t *testing.T) Store
	// Restart simulates the death of the process using s — s is abandoned
	// without a clean shutdown — and returns a store on the same database
	// opened by a successor, late enough that s's process counts as gone.
	Restart func(t *testing.T, s Store) Store
	// Peer, when not nil, returns a second store on s's database that is
	// used at the same time, as another process (node) would use it.
	Peer func(t *testing.T, s Store) Store
}

// Run runs the whole suite as subtests of t, one section per stored
// aggregate (instances/..., contacts/..., delivery-queue/...), each
// section's cases in the file named after it.
func Run(t *testing.T, b Backend) {
	if b.Open == nil || b.Restart == nil {
		t.Fatal("storetest: Backend.Open and Backend.Restart are required")
	}
	for _, sec := range sections() {
		for _, c := range sec.cases {
			t.Run(sec.name+"/"+c.name, func(t *testing.T) { c.fn(t, b) })
		}
	}
	probe := b.Open(t)
	if _, ok := template.StoresOf(probe.Engine); !ok {
		t.Log("the store does not implement the template stores: template cases not run")
		return
	}
	for _, c := range templateCases() {
		t.Run("templates/"+c.name, func(t *testing.T) {
			ts, _ := template.StoresOf(b.Open(t).Engine)
			c.fn(t, &tfix{t: t, s: templateStores{ts.KnowledgeBases, ts.Templates, ts.Attachments}, ctx: context.Background()})
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, b Backend)
}

// section is the cases of one stored aggregate.
type section struct {
	name  string
	cases []testCase
}

// sections are the suite's sections but the templates'.
func sections() []section {
	return []section{
		{"instances", []testCase{{"create-get-list-delete", testInstances}}},
		{"idempotency", []testCase{{"records", testIdempotency}, {"concurrent", testIdempotencyConcurrent}}},
		{"email-addresses", []testCase{
			{"create-get-update-delete", testEmailAddresses},
			{"lookup", testLookupEmailAddress},
			{"modify", testModifyEmailAddresses},
		}},
		{"contacts", []testCase{
			{"create-get-update", testContacts},
			{"start-outbound", testStartOutbound},
			{"list", testListContacts},
			{"list-by-customer", testListContactsByCustomer},
			{"concurrent-updates", testConcurrentUpdates},
			{"create-with-message", testCreateContactMessage},
			{"modify", testModifyContact},
			{"modify-across-nodes", testModifyAcrossNodes},
			{"inbound-dedup", testInboundDedup},
		}},
		{"files", []testCase{{"create-upload-status", testFiles}, {"quota-concurrent", testFilesQuotaConcurrent}}},
		{"queue-addresses", []testCase{{"modify-list", testQueueEmailAddresses}}},
		{"tags", []testCase{{"modify", testModifyTags}}},
		{"delivery-queue", []testCase{
			{"claim-finish", testJobs},
			{"concurrent-claims", testClaimConcurrent},
			{"release-leases", testReleaseLeases},
			{"leased-at-commit", testLeasedAtCommit},
		}},
		{"events", []testCase{{"log", testEvents}, {"concurrent-readers", testEventOrderConcurrent}, {"cursors", testCursors}}},
		{"suppressions", []testCase{{"list", testSuppression}}},
		{"meta", []testCase{{"identity", testMeta}}},
	}
}

// fixture builds domain objects in a store for one test.
type fixture struct {
	t   *testing.T
	s   Store
	ctx context.Context
	now time.Time
	seq *atomic.Int64
}

func newFixture(t *testing.T, s Store) *fixture {
	return &fixture{t: t, s: s, ctx: context.Background(), now: ms(time.Now()), seq: &atomic.Int64{}}
}

// on returns a fixture for another store on the same database, sharing the id sequence.
func (f *fixture) on(s Store) *fixture {
	g := *f
	g.s = s
	return &g
}

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func (f *fixture) id(prefix string) string {
	return fmt.Sprintf("%s-%06d-%d", prefix, f.seq.Add(1), f.now.UnixNano()%1000003)
}

func (f *fixture) instance() *connect.Instance {
	f.t.Helper()
	id := f.id("inst")
	in := &connect.Instance{
		ID: id, ARN: "arn:aws:connect:us-east-1:000000000000:instance/" + id, Alias: "alias-" + id,
		IdentityManagementType: "CONNECT_MANAGED", InboundCallsEnabled: true, OutboundCallsEnabled: true,
		Status: "ACTIVE", CreatedAt: f.now, Tags: map[string]string{"team": "mail"},
	}
	if err := f.s.CreateInstance(f.ctx, in, nil); err != nil {
		f.t.Fatalf("CreateInstance: %v", err)
	}
	return in
}

func (f *fixture) newContact(instanceID string) *connect.Contact {
	id := f.id("contact")
	return &connect.Contact{
		ID: id, ARN: "arn:aws:connect:us-east-1:000000000000:instance/" + instanceID + "/contact/" + id,
		InstanceID: instanceID, Channel: "EMAIL", InitiationMethod: "OUTBOUND",
		Name: "Order", Description: "about the order", AgentID: "agent-1",
		Attributes:  map[string]string{"orderId": "42", "ünï": "cødé"},
		References:  map[string]connect.Reference{"site": {Type: "URL", Value: "https://example.com"}},
		State:       connect.StateCreated,
		InitiatedAt: f.now, UpdatedAt: f.now,
		Tags: map[string]string{"k": "v"},
	}
}

func (f *fixture) event(c *connect.Contact, typ string) connect.Event {
	return connect.Event{ContactID: c.ID, InstanceID: c.InstanceID, Type: typ, Time: f.now, Detail: json.RawMessage(`{"n": 1}`)}
}

// contact creates a CREATED outbound contact with an INITIATED event.
func (f *fixture) contact(instanceID string) *connect.Contact {
	f.t.Helper()
	c := f.newContact(instanceID)
	if err := f.s.CreateContact(f.ctx, c, []connect.Event{f.event(c, connect.EventInitiated)}, nil); err != nil {
		f.t.Fatalf("CreateContact: %v", err)
	}
	return c
}

// outbound is the StartOutbound of contact c, due at `at`.
func (f *fixture) outbound(c *connect.Contact, at time.Time, idem *connect.Idem) *connect.Outbound {
	q := *c
	q.State = connect.StateQueued
	q.UpdatedAt = ms(at)
	q.From = connect.Endpoint{Address: "support@example.com", DisplayName: "Support"}
	q.To = connect.Endpoint{Address: "Customer@Example.org", DisplayName: "Ana"}
	q.Cc = []connect.Endpoint{{Address: "cc@example.org"}}
	q.Subject = "Your order " + c.ID
	q.MessageID = "<" + c.ID + "@example.com>"
	q.Source = "RAW"
	return &connect.Outbound{
		Contact: &q,
		Message: connect.Message{
			ContactID: c.ID, InstanceID: c.InstanceID, EnvelopeFrom: "support@example.com",
			Recipients: []string{"Customer@Example.org", "cc@example.org"},
			Raw:        []byte("Subject: Your order\r\n\r\nbody of " + c.ID + "\r\n"),
		},
		Events: []connect.Event{f.event(&q, connect.EventQueued)},
		Idem:   idem,
	}
}

// queued creates a contact and starts it, so that its delivery job is due at `at`.
func (f *fixture) queued(instanceID string, at time.Time) *connect.Outbound {
	f.t.Helper()
	c := f.contact(instanceID)
	o := f.outbound(c, at, nil)
	if err := f.s.StartOutbound(f.ctx, o); err != nil {
		f.t.Fatalf("StartOutbound: %v", err)
	}
	return o
}

// wantKind fails unless err is a *fault.Error of kind k.
func wantKind(t *testing.T, what string, err error, k fault.Kind) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != k {
		t.Fatalf("%s: got error %v, want a fault of kind %s", what, err, k)
	}
}

// wantReplay fails unless err is *connect.Replayed carrying resp.
func wantReplay(t *testing.T, what string, err error, resp []byte) {
	t.Helper()
	var r *connect.Replayed
	if !errors.As(err, &r) {
		t.Fatalf("%s: got %v, want *connect.Replayed", what, err)
	}
	if string(r.Response) != string(resp) {
		t.Fatalf("%s: replayed response %q, want %q", what, r.Response, resp)
	}
}

// same fails unless got and want encode to the same JSON (times compare as instants).
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
