package delivery_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
)

// claimCounter is the real store, counting the worker's claims.
type claimCounter struct {
	delivery.Store
	claims atomic.Int64
}

func (c *claimCounter) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*delivery.Job, error) {
	c.claims.Add(1)
	return c.Store.ClaimJobs(ctx, now, limit, lease)
}

// hand commits a started contact the way the API does with a hand-off:
// the job is stored leased until the reservation's lease and then handed
// over. leaseUntil, when set, replaces the reservation's lease.
func (e *env) hand(w *delivery.Worker, rcpt string, leaseUntil time.Time) (string, bool) {
	e.t.Helper()
	lease, ok := w.Reserve()
	if !ok {
		return "", false
	}
	if !leaseUntil.IsZero() {
		lease = leaseUntil
	}
	o := e.outbound(rcpt)
	o.LeaseUntil = lease
	if err := e.store.StartOutbound(context.Background(), o); err != nil {
		w.Cancel()
		e.t.Fatal(err)
	}
	w.Hand(o)
	return o.Contact.ID, true
}

// waitRunning waits until the worker takes hand-offs.
func waitRunning(t *testing.T, w *delivery.Worker) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if _, ok := w.Reserve(); ok {
			w.Cancel()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker never started taking hand-offs")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHandoffDeliversWithoutClaiming(t *testing.T) {
	e := newEnv(t)
	cc := &claimCounter{Store: e.store}
	w := delivery.New(delivery.Config{Store: cc})
	if _, ok := w.Reserve(); ok {
		t.Fatal("Reserve succeeded before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitRunning(t, w)
	before := cc.claims.Load()
	var ids []string
	for i := 0; i < 20; i++ {
		id, ok := e.hand(w, fmt.Sprintf("u%d@example.org", i), time.Time{})
		if !ok {
			t.Fatal("no room for a hand-off")
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		e.waitState(id, connect.StateCaptured)
		if atts, err := e.store.ListAttempts(context.Background(), id); err != nil || len(atts) != 1 || atts[0].N != 1 {
			t.Fatalf("attempts of %s: %+v, %v; want attempt 1 only", id, atts, err)
		}
	}
	if n := cc.claims.Load() - before; n != 0 {
		t.Fatalf("the worker claimed from the store %d times for handed-over jobs", n)
	}
	if n, _ := e.store.QueueDepth(context.Background()); n != 0 {
		t.Fatalf("queue depth %d after delivery", n)
	}
}

func TestHandoffRoomIsBounded(t *testing.T) {
	e := newEnv(t)
	w, stop := e.run(delivery.Config{Handoff: 2})
	defer stop()
	waitRunning(t, w)
	_, ok1 := w.Reserve()
	_, ok2 := w.Reserve()
	_, ok3 := w.Reserve()
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("reservations with room for 2: %v %v %v", ok1, ok2, ok3)
	}
	w.Cancel()
	if _, ok := w.Reserve(); !ok {
		t.Fatal("a cancelled reservation did not give its room back")
	}
	w.Cancel()
	w.Cancel()
	off := delivery.New(delivery.Config{Store: e.store, Handoff: -1})
	if _, ok := off.Reserve(); ok {
		t.Fatal("Reserve succeeded with the hand-off disabled")
	}
}

// A handed-over job whose lease is nearly over when the worker gets to it is
// left to the store, which offers it again (as attempt 2) once the lease ends:
// it is delivered once, never by two claims at the same time.
func TestHandoffStaleLeaseIsClaimedAfterIt(t *testing.T) {
	e := newEnv(t)
	w, stop := e.run(delivery.Config{Lease: 2 * time.Second})
	defer stop()
	waitRunning(t, w)
	id, _ := e.hand(w, "late@example.org", time.Now().Add(100*time.Millisecond))
	c := e.waitState(id, connect.StateCaptured)
	atts, err := e.store.ListAttempts(context.Background(), id)
	if err != nil || len(atts) != 1 || atts[0].N != 2 {
		t.Fatalf("attempts: %+v, %v; want one, numbered 2", atts, err)
	}
	if c.UpdatedAt.Sub(c.InitiatedAt) < 100*time.Millisecond {
		t.Fatalf("delivered %v after the commit, before the lease ended", c.UpdatedAt.Sub(c.InitiatedAt))
	}
}

// oneSender runs a worker with a single sender and room for four handed-over
// jobs, and counts the messages it captures.
func (e *env) oneSender() (*delivery.Worker, *atomic.Int64) {
	e.t.Helper()
	captured := new(atomic.Int64)
	w, stop := e.run(delivery.Config{Concurrency: 1, Handoff: 4, Observe: func(outcome, _ string, _ time.Duration) {
		if outcome == "captured" {
			captured.Add(1)
		}
	}})
	e.t.Cleanup(stop)
	waitRunning(e.t, w)
	return w, captured
}

// A contact stopped while its handed-over job waits for a sender is not sent.
func TestHandoffRevokedJobIsNotSent(t *testing.T) {
	e := newEnv(t)
	w, captured := e.oneSender()
	slow, _ := e.hand(w, "slow@simulator.connectmail.dev", time.Time{}) // holds the only sender for 3 s
	time.Sleep(100 * time.Millisecond)
	stopped, _ := e.hand(w, "stopped@example.org", time.Time{})
	kept, _ := e.hand(w, "kept@example.org", time.Time{})

	// What StopContact does: the contact and its job end in the store, then the hand-off is revoked.
	ctx := context.Background()
	c, err := e.store.GetContact(ctx, "i1", stopped)
	if err != nil {
		t.Fatal(err)
	}
	c.State, c.DisconnectReason = connect.StateStopped, connect.ReasonStopped
	if err := e.store.UpdateContact(ctx, c, connect.StateQueued, nil); err != nil {
		t.Fatal(err)
	}
	w.Revoke(stopped)

	e.waitState(slow, connect.StateSent)
	e.waitState(kept, connect.StateCaptured)
	time.Sleep(100 * time.Millisecond) // a send of the stopped job would come right after kept's
	if n := captured.Load(); n != 1 {
		t.Fatalf("%d messages captured, want 1 (the stopped contact's was sent)", n)
	}
	if atts, err := e.store.ListAttempts(ctx, stopped); err != nil || len(atts) != 0 {
		t.Fatalf("the stopped contact's job was attempted: %+v, %v", atts, err)
	}
	if c, _ := e.store.GetContact(ctx, "i1", stopped); c.State != connect.StateStopped {
		t.Fatalf("stopped contact is %s", c.State)
	}
}

// The jobs of a deleted instance that wait for a sender are not sent.
func TestHandoffDeletedInstanceJobsAreNotSent(t *testing.T) {
	e := newEnv(t)
	w, captured := e.oneSender()
	ctx := context.Background()
	if err := e.store.CreateInstance(ctx, &connect.Instance{ID: "i2", ARN: "arn:aws:connect:us-east-1:000000000000:instance/i2", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	slow, _ := e.hand(w, "slow@simulator.connectmail.dev", time.Time{}) // holds the only sender for 3 s
	time.Sleep(100 * time.Millisecond)
	// Two jobs of instance i2 wait behind it.
	for i := range 2 {
		o := e.outboundIn("i2", fmt.Sprintf("gone%d@example.org", i))
		lease, ok := w.Reserve()
		if !ok {
			t.Fatal("no room")
		}
		o.LeaseUntil = lease
		if err := e.store.StartOutbound(ctx, o); err != nil {
			t.Fatal(err)
		}
		w.Hand(o)
	}
	kept, _ := e.hand(w, "kept@example.org", time.Time{})
	// What DeleteInstance does: the instance goes with everything in it, then its hand-offs are revoked.
	if err := e.store.DeleteInstance(ctx, "i2"); err != nil {
		t.Fatal(err)
	}
	w.RevokeInstance("i2")
	e.waitState(slow, connect.StateSent)
	e.waitState(kept, connect.StateCaptured)
	time.Sleep(100 * time.Millisecond)
	if n := captured.Load(); n != 1 {
		t.Fatalf("%d messages captured, want 1 (a deleted instance's job was sent)", n)
	}
}
