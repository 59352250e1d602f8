package postgres_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/postgres"
	"github.com/connectmail/connectmail/postgres/pgtest"
)

// seed creates an instance and a started contact whose job is due now.
func seed(t *testing.T, s *postgres.Store, id string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	if _, err := s.GetInstance(ctx, "i"); err != nil {
		if err := s.CreateInstance(ctx, &connect.Instance{ID: "i", ARN: "arn:i", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: now}, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := &connect.Contact{ID: id, ARN: "arn:" + id, InstanceID: "i", Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now}
	ev := connect.Event{ContactID: id, InstanceID: "i", Type: connect.EventInitiated, Time: now, Detail: json.RawMessage(`{}`)}
	if err := s.CreateContact(ctx, c, []connect.Event{ev}, nil); err != nil {
		t.Fatal(err)
	}
	q := *c
	q.State = connect.StateQueued
	o := &connect.Outbound{Contact: &q, Message: connect.Message{ContactID: id, InstanceID: "i", EnvelopeFrom: "a@example.com", Recipients: []string{"b@example.org"}, Raw: []byte("x")}}
	if err := s.StartOutbound(ctx, o); err != nil {
		t.Fatal(err)
	}
}

// signal is a callback that reports each call on a channel.
func signal() (func(), chan struct{}) {
	ch := make(chan struct{}, 100)
	return func() { ch <- struct{}{} }, ch
}

func waitFor(t *testing.T, ch chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(within):
		t.Fatalf("no %s within %s", what, within)
	}
}

func drain(ch chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func quiet(t *testing.T, ch chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("unexpected %s", what)
	case <-time.After(d):
	}
}

// TestWatch checks that one node hears at once about the jobs and events another commits, and not about its own.
func TestWatch(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	jobs, jobsCh := signal()
	evs, evsCh := signal()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Watch(ctx, jobs, evs)
	// Watch calls both once when it has connected.
	waitFor(t, jobsCh, 10*time.Second, "initial jobs call")
	waitFor(t, evsCh, 10*time.Second, "initial events call")

	start := time.Now()
	seed(t, b, "c1")
	waitFor(t, jobsCh, time.Second, "jobs notification for a job committed by another node")
	waitFor(t, evsCh, time.Second, "events notification for events committed by another node")
	t.Logf("notified %s after the other node's commit started", time.Since(start))

	drain(jobsCh)
	drain(evsCh)
	seed(t, a, "c2")
	quiet(t, jobsCh, 300*time.Millisecond, "jobs notification for the node's own send")
	quiet(t, evsCh, 0, "events notification for the node's own events")

	// A deferral on another node tells this one about the new due time.
	jobsB, err := b.ClaimJobs(context.Background(), time.Now(), 10, time.Minute)
	if err != nil || len(jobsB) != 2 {
		t.Fatalf("ClaimJobs = %d jobs, %v", len(jobsB), err)
	}
	drain(jobsCh)
	out := delivery.Outcome{Job: jobsB[0], RetryAt: time.Now().Add(time.Minute),
		Attempt: delivery.Attempt{ContactID: jobsB[0].ContactID, N: 1, StartedAt: time.Now(), FinishedAt: time.Now(), Outcome: "deferred"}}
	if err := b.FinishAttempts(context.Background(), []delivery.Outcome{out}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, jobsCh, time.Second, "jobs notification for a deferral")
}

// TestDeadNodeLeasesReleased kills a node (no clean shutdown) holding leases:
// a survivor releases them within the node timeout and tells the others.
func TestDeadNodeLeasesReleased(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	dead := openAt(t, dsn)
	seed(t, dead, "c1")
	seed(t, dead, "c2")
	jobs, err := dead.ClaimJobs(context.Background(), time.Now(), 10, time.Hour)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("ClaimJobs = %d, %v", len(jobs), err)
	}
	survivor := openAt(t, dsn)
	wake, wakeCh := signal()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go survivor.Watch(ctx, wake, func() {})
	waitFor(t, wakeCh, 10*time.Second, "initial jobs call")
	// While the node lives its leases hold.
	time.Sleep(2 * testOpts.NodeTimeout)
	if got, _ := survivor.ClaimJobs(context.Background(), time.Now(), 10, time.Hour); len(got) != 0 {
		t.Fatalf("a live node's leased jobs were claimed: %d", len(got))
	}
	killed := time.Now()
	dead.Abandon()
	// The survivor's heartbeat notices and releases them; its own Watch hears it.
	waitFor(t, wakeCh, testOpts.NodeTimeout+3*testOpts.Heartbeat+time.Second, "release notification")
	got, err := survivor.ClaimJobs(context.Background(), time.Now(), 10, time.Hour)
	if err != nil || len(got) != 2 {
		t.Fatalf("after the node died: claimed %d jobs, %v; want 2", len(got), err)
	}
	t.Logf("leases of a killed node released %s after its death (node timeout %s, heartbeat %s)", time.Since(killed).Round(time.Millisecond), testOpts.NodeTimeout, testOpts.Heartbeat)
	var nodes int
	if err := survivor.Pool().QueryRow(context.Background(), `SELECT count(*) FROM nodes`).Scan(&nodes); err != nil || nodes != 1 {
		t.Fatalf("nodes registered: %d, %v; want only the survivor", nodes, err)
	}
}

// TestCloseReleasesOwnLeases: a clean shutdown hands its leased jobs back at once.
func TestCloseReleasesOwnLeases(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a := openAt(t, dsn)
	seed(t, a, "c1")
	if jobs, err := a.ClaimJobs(context.Background(), time.Now(), 10, time.Hour); err != nil || len(jobs) != 1 {
		t.Fatalf("ClaimJobs = %d, %v", len(jobs), err)
	}
	b := openAt(t, dsn)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	jobs, err := b.ClaimJobs(context.Background(), time.Now(), 10, time.Hour)
	if err != nil || len(jobs) != 1 || jobs[0].Attempts != 2 {
		t.Fatalf("after a clean shutdown: %v, %v; want the job back as attempt 2", jobs, err)
	}
}

// TestExclusive: one node at a time holds a role; it passes on when the holder releases it or dies.
func TestExclusive(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a, b := openAt(t, dsn), openAt(t, dsn)
	ctx := context.Background()
	heldA, releaseA, err := a.Exclusive(ctx, "webhook:x", 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Another role is independent.
	heldY, releaseY, err := b.Exclusive(ctx, "webhook:y", 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	releaseY()
	if heldY.Err() == nil {
		t.Fatal("a released role's context is still live")
	}
	got := make(chan func(), 1)
	go func() {
		held, release, err := b.Exclusive(ctx, "webhook:x", 50*time.Millisecond)
		if err != nil {
			t.Error(err)
			return
		}
		go func() { <-held.Done(); t.Log("b's hold ended") }()
		got <- release
	}()
	select {
	case <-got:
		t.Fatal("two nodes hold one role")
	case <-time.After(500 * time.Millisecond):
	}
	if heldA.Err() != nil {
		t.Fatal("the holder's role ended by itself")
	}
	releaseA()
	var releaseB func()
	select {
	case releaseB = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the role did not pass on after release")
	}
	// A node that dies loses its role: a third node gets it.
	c := openAt(t, dsn)
	third := make(chan func(), 1)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, release, err := c.Exclusive(tctx, "webhook:x", 50*time.Millisecond)
		if err == nil {
			third <- release
		}
	}()
	select {
	case <-third:
		t.Fatal("a third node took a held role")
	case <-time.After(300 * time.Millisecond):
	}
	// Kill b's connection from the server side, as a crash would drop it.
	if _, err := a.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	var releaseC func()
	select {
	case releaseC = <-third:
	case <-time.After(5 * time.Second):
		t.Fatal("the role of a dead connection was not taken over")
	}
	defer releaseC()
	releaseB()
	// Waiting can be given up.
	wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer wcancel()
	if _, _, err := a.Exclusive(wctx, "webhook:x", 50*time.Millisecond); err == nil {
		t.Fatal("Exclusive returned a held role")
	}
}

// TestDSNSettings: pool and cluster settings come from the DSN.
func TestDSNSettings(t *testing.T) {
	cfg, opts, err := postgres.ParseDSN("postgres://u@127.0.0.1:5/db?pool_max_conns=7&connectmail_heartbeat=250ms&connectmail_node_timeout=4s&sslmode=disable", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConns != 7 || opts.Heartbeat != 250*time.Millisecond || opts.NodeTimeout != 4*time.Second {
		t.Fatalf("max conns %d, heartbeat %s, node timeout %s", cfg.MaxConns, opts.Heartbeat, opts.NodeTimeout)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["connectmail_heartbeat"]; ok {
		t.Fatal("connectmail_heartbeat would be sent to the server as a setting")
	}
	cfg, opts, err = postgres.ParseDSN("postgres://u@127.0.0.1:5/db", postgres.Options{})
	if err != nil || cfg.MaxConns != 16 || opts.Heartbeat != 2*time.Second || opts.NodeTimeout != 10*time.Second {
		t.Fatalf("defaults: %v, %d, %+v", err, cfg.MaxConns, opts)
	}
	for _, bad := range []string{"connectmail_heartbeat=soon", "connectmail_node_timeout=1s&connectmail_heartbeat=2s", "connectmail_heartbeat=-1s"} {
		if _, _, err := postgres.ParseDSN("postgres://u@127.0.0.1:5/db?"+bad, postgres.Options{}); err == nil {
			t.Fatalf("ParseDSN accepted %s", bad)
		}
	}
}

// TestMigrationsConcurrentAndIdempotent: nodes starting together migrate once; reopening changes nothing.
func TestMigrationsConcurrentAndIdempotent(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := postgres.Open(context.Background(), dsn, testOpts)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
	s := openAt(t, dsn)
	var versions []int
	rows, err := s.Pool().Query(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if len(versions) < 3 || versions[0] != 1 || versions[1] != 2 || versions[2] != 3 {
		t.Fatalf("applied migrations %v", versions)
	}
}

// TestEventHorizon: readers stop below an outstanding event id reservation —
// here one left behind by a node that died mid-transaction — and go on once
// a survivor has dropped it.
func TestEventHorizon(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	dead := openAt(t, dsn)
	ctx := context.Background()
	seed(t, dead, "c1") // event 1 (INITIATED)
	// The node reserves ids for a transaction it will never finish.
	if _, err := dead.Pool().Exec(ctx, `INSERT INTO event_reservations(token, node, first_id, last_id)
 SELECT 'leaked', $1, v, v FROM nextval('events_id_seq') v`, dead.Node()); err != nil {
		t.Fatal(err)
	}
	dead.Abandon()
	survivor := openAt(t, dsn)
	seed(t, survivor, "c2") // event 3, committed above the leaked id 2
	evs, err := survivor.ListEventsSince(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last, err := survivor.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ContactID != "c1" || last != evs[0].ID {
		t.Fatalf("with id 2 reserved, readers see %d events (last id %d), want the one below it", len(evs), last)
	}
	deadline := time.Now().Add(testOpts.NodeTimeout + 5*time.Second)
	for {
		evs, err = survivor.ListEventsSince(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dead node's reservation still holds readers back: %d events", len(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if evs[1].ID <= evs[0].ID+1 {
		t.Fatalf("event ids %d, %d: the reserved id was reused", evs[0].ID, evs[1].ID)
	}
}
