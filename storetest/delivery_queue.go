package storetest

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
)

func jobIDs(jobs []*delivery.Job) []string {
	out := make([]string, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, j.ContactID)
	}
	sort.Strings(out)
	return out
}

func sameSet(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	w := append([]string(nil), want...)
	sort.Strings(w)
	sort.Strings(got)
	same(t, what, got, w)
}

func testJobs(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	now := f.now
	o1 := f.queued(in.ID, now.Add(-3*time.Second))
	o2 := f.queued(in.ID, now.Add(-2*time.Second))
	o3 := f.queued(in.ID, now.Add(-time.Second))
	later := f.queued(in.ID, now.Add(time.Hour))
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 4 {
		t.Fatalf("QueueDepth = %d, %v; want 4", n, err)
	}

	// The earliest due jobs are claimed first, each with its message.
	jobs, err := f.s.ClaimJobs(f.ctx, now, 2, time.Minute)
	must(t, "ClaimJobs", err)
	sameSet(t, "first claim", jobIDs(jobs), o1.Contact.ID, o2.Contact.ID)
	for _, j := range jobs {
		o := o1
		if j.ContactID == o2.Contact.ID {
			o = o2
		}
		if j.Attempts != 1 || j.InstanceID != in.ID || !j.CreatedAt.Equal(o.Contact.UpdatedAt) {
			t.Fatalf("claimed job %+v: want attempt 1 of instance %s created %v", j, in.ID, o.Contact.UpdatedAt)
		}
		same(t, "claimed job's message", j.Message, o.Message)
	}
	jobs, err = f.s.ClaimJobs(f.ctx, now, 10, time.Minute)
	must(t, "ClaimJobs", err)
	sameSet(t, "second claim", jobIDs(jobs), o3.Contact.ID)
	jobs, err = f.s.ClaimJobs(f.ctx, now, 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 0 {
		t.Fatalf("leased jobs were claimed again: %v", jobIDs(jobs))
	}
	if jobs, err := f.s.ClaimJobs(f.ctx, now, 0, time.Minute); err != nil || len(jobs) != 0 {
		t.Fatalf("ClaimJobs with limit 0 = %v, %v", jobIDs(jobs), err)
	}
	next, ok, err := f.s.NextJobAt(f.ctx)
	if err != nil || !ok || !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("NextJobAt = %v, %v, %v; want the first lease expiry %v", next, ok, err, now.Add(time.Minute))
	}

	// An expired lease makes the job due again, as a new attempt.
	after := now.Add(time.Minute + time.Millisecond)
	stale := &delivery.Job{ContactID: o1.Contact.ID, InstanceID: in.ID, Attempts: 1}
	jobs, err = f.s.ClaimJobs(f.ctx, after, 10, time.Minute)
	must(t, "ClaimJobs after the leases expired", err)
	sameSet(t, "claim after lease expiry", jobIDs(jobs), o1.Contact.ID, o2.Contact.ID, o3.Contact.ID)
	cur := map[string]*delivery.Job{}
	for _, j := range jobs {
		if j.Attempts != 2 {
			t.Fatalf("re-claimed job %s has attempt %d, want 2", j.ContactID, j.Attempts)
		}
		cur[j.ContactID] = j
	}

	// The outcome of the stale lease is dropped.
	staleOut := []delivery.Outcome{{Job: stale, Final: true, State: connect.StateSent, Reason: connect.ReasonDelivered,
		Attempt: delivery.Attempt{ContactID: stale.ContactID, N: 1, StartedAt: now, FinishedAt: now, Outcome: "sent"},
		Events:  []connect.Event{f.event(o1.Contact, connect.EventSent)}}}
	must(t, "FinishAttempts of a stale lease", f.s.FinishAttempts(f.ctx, staleOut))
	if staleOut[0].Events != nil {
		t.Fatalf("the dropped outcome's events were kept: %+v", staleOut[0].Events)
	}
	if as, _ := f.s.Inspect.ListAttempts(f.ctx, stale.ContactID); len(as) != 0 {
		t.Fatalf("a stale outcome was recorded: %+v", as)
	}
	if c, _ := f.s.GetContact(f.ctx, "", stale.ContactID); c.State != connect.StateQueued {
		t.Fatalf("a stale outcome changed the contact to %s", c.State)
	}

	// A final outcome: attempt recorded, contact finished, job gone, events added.
	fin := ms(after.Add(time.Second))
	sent := []delivery.Outcome{{Job: cur[o1.Contact.ID], Final: true, State: connect.StateSent, Reason: connect.ReasonDelivered,
		Attempt: delivery.Attempt{ContactID: o1.Contact.ID, N: 2, StartedAt: after, FinishedAt: fin, Outcome: "sent", Code: 250, Detail: "queued as X"},
		Events:  []connect.Event{f.event(o1.Contact, connect.EventSent), f.event(o1.Contact, connect.EventDisconnected), f.event(o1.Contact, connect.EventCompleted)}}}
	must(t, "FinishAttempts", f.s.FinishAttempts(f.ctx, sent))
	as, err := f.s.Inspect.ListAttempts(f.ctx, o1.Contact.ID)
	must(t, "ListAttempts", err)
	same(t, "ListAttempts", as, []delivery.Attempt{sent[0].Attempt})
	c, err := f.s.GetContact(f.ctx, "", o1.Contact.ID)
	must(t, "GetContact", err)
	if c.State != connect.StateSent || c.DisconnectReason != connect.ReasonDelivered || !c.DisconnectedAt.Equal(fin) || !c.UpdatedAt.Equal(fin) {
		t.Fatalf("finished contact: state %s reason %s disconnected %v updated %v", c.State, c.DisconnectReason, c.DisconnectedAt, c.UpdatedAt)
	}
	evs, err := f.s.Inspect.ListEvents(f.ctx, o1.Contact.ID)
	must(t, "ListEvents", err)
	if len(evs) != 5 || evs[2].Type != connect.EventSent || evs[4].Type != connect.EventCompleted {
		t.Fatalf("events of the sent contact: %+v", evs)
	}
	for i, e := range sent[0].Events {
		if e.ID != evs[2+i].ID {
			t.Fatalf("FinishAttempts gave event %d id %d, stored as %d", i, e.ID, evs[2+i].ID)
		}
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 3 {
		t.Fatalf("QueueDepth = %d, %v; want 3", n, err)
	}
	// Finishing it again (a duplicate report) changes nothing.
	must(t, "FinishAttempts again", f.s.FinishAttempts(f.ctx, sent))
	if as, _ := f.s.Inspect.ListAttempts(f.ctx, o1.Contact.ID); len(as) != 1 {
		t.Fatalf("a repeated outcome was recorded: %+v", as)
	}

	// A deferral: the job waits until RetryAt, then comes back as the next attempt.
	retryAt := ms(after.Add(10 * time.Minute))
	def := []delivery.Outcome{{Job: cur[o2.Contact.ID], RetryAt: retryAt,
		Attempt: delivery.Attempt{ContactID: o2.Contact.ID, N: 2, StartedAt: after, FinishedAt: after, Outcome: "deferred", Detail: "certificate not trusted", Class: delivery.ClassConfig},
		Events:  []connect.Event{f.event(o2.Contact, connect.EventDeferred)}}}
	// Several outcomes in one call: the deferral and a bounce.
	bounce := delivery.Outcome{Job: cur[o3.Contact.ID], Final: true, State: connect.StateFailed, Reason: connect.ReasonBounced,
		Attempt: delivery.Attempt{ContactID: o3.Contact.ID, N: 2, StartedAt: after, FinishedAt: after, Outcome: "bounced", Code: 550, Detail: "no such user"},
		Events:  []connect.Event{f.event(o3.Contact, connect.EventBounced)}}
	def = append(def, bounce)
	must(t, "FinishAttempts (deferred + bounced)", f.s.FinishAttempts(f.ctx, def))
	if def[0].Events[0].ID == 0 || def[1].Events[0].ID <= def[0].Events[0].ID {
		t.Fatalf("event ids of a two-outcome report: %d, %d", def[0].Events[0].ID, def[1].Events[0].ID)
	}
	// The attempt keeps its class (a configuration error here).
	as, err = f.s.Inspect.ListAttempts(f.ctx, o2.Contact.ID)
	must(t, "ListAttempts of the deferral", err)
	same(t, "ListAttempts of the deferral", as, []delivery.Attempt{def[0].Attempt})
	if c, _ := f.s.GetContact(f.ctx, "", o2.Contact.ID); c.State != connect.StateQueued {
		t.Fatalf("a deferred contact is %s, want QUEUED", c.State)
	}
	if c, _ := f.s.GetContact(f.ctx, "", o3.Contact.ID); c.State != connect.StateFailed || c.DisconnectReason != connect.ReasonBounced {
		t.Fatalf("a bounced contact is %s/%s", c.State, c.DisconnectReason)
	}
	jobs, err = f.s.ClaimJobs(f.ctx, retryAt.Add(-time.Millisecond), 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 0 {
		t.Fatalf("a deferred job was claimed before its retry time: %v", jobIDs(jobs))
	}
	next, ok, err = f.s.NextJobAt(f.ctx)
	if err != nil || !ok || !next.Equal(retryAt) {
		t.Fatalf("NextJobAt = %v, %v, %v; want the retry time %v", next, ok, err, retryAt)
	}
	jobs, err = f.s.ClaimJobs(f.ctx, retryAt, 10, time.Minute)
	must(t, "ClaimJobs at the retry time", err)
	if len(jobs) != 1 || jobs[0].ContactID != o2.Contact.ID || jobs[0].Attempts != 3 {
		t.Fatalf("claim at the retry time: %+v", jobs)
	}

	// An outcome for a job whose contact was stopped meanwhile is dropped.
	stop := *o2.Contact
	stop.State, stop.DisconnectReason = connect.StateStopped, connect.ReasonStopped
	must(t, "UpdateContact to STOPPED", f.s.UpdateContact(f.ctx, &stop, connect.StateQueued, nil))
	late := []delivery.Outcome{{Job: jobs[0], Final: true, State: connect.StateSent, Reason: connect.ReasonDelivered,
		Attempt: delivery.Attempt{ContactID: o2.Contact.ID, N: 3, StartedAt: retryAt, FinishedAt: retryAt, Outcome: "sent"},
		Events:  []connect.Event{f.event(o2.Contact, connect.EventSent)}}}
	must(t, "FinishAttempts after a stop", f.s.FinishAttempts(f.ctx, late))
	if c, _ := f.s.GetContact(f.ctx, "", o2.Contact.ID); c.State != connect.StateStopped {
		t.Fatalf("an outcome after the stop changed the contact to %s", c.State)
	}
	if late[0].Events != nil {
		t.Fatal("the dropped outcome's events were kept")
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want only the job due later", n, err)
	}
	next, ok, err = f.s.NextJobAt(f.ctx)
	if err != nil || !ok || !next.Equal(later.Contact.UpdatedAt) {
		t.Fatalf("NextJobAt = %v, %v, %v; want %v", next, ok, err, later.Contact.UpdatedAt)
	}
}

func testClaimConcurrent(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	const jobsN, workers = 60, 6
	want := map[string]bool{}
	for range jobsN {
		want[f.queued(in.ID, f.now).Contact.ID] = true
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	split(t, b, f, workers, func(i int, g *fixture) {
		for empty := 0; empty < 3; {
			jobs, err := g.s.ClaimJobs(g.ctx, g.now.Add(time.Second), 4, time.Hour)
			if err != nil {
				t.Errorf("ClaimJobs: %v", err)
				return
			}
			if len(jobs) == 0 {
				empty++
				continue
			}
			mu.Lock()
			for _, j := range jobs {
				claimed[j.ContactID]++
			}
			mu.Unlock()
		}
	})
	if len(claimed) != jobsN {
		t.Fatalf("%d distinct jobs claimed, want %d", len(claimed), jobsN)
	}
	for id, n := range claimed {
		if n != 1 || !want[id] {
			t.Fatalf("job %s claimed %d times (known: %v)", id, n, want[id])
		}
	}
}

func testReleaseLeases(t *testing.T, b Backend) {
	s := b.Open(t)
	f := newFixture(t, s)
	in := f.instance()
	a, c, d := f.queued(in.ID, f.now), f.queued(in.ID, f.now), f.queued(in.ID, f.now.Add(time.Hour))
	jobs, err := f.s.ClaimJobs(f.ctx, f.now, 10, time.Hour)
	must(t, "ClaimJobs", err)
	sameSet(t, "claim", jobIDs(jobs), a.Contact.ID, c.Contact.ID)

	if b.Peer != nil {
		// A live node's leases are not another node's to release.
		p := f.on(b.Peer(t, s))
		n, err := p.s.ReleaseLeases(p.ctx, f.now)
		must(t, "ReleaseLeases on a peer", err)
		if n != 0 {
			t.Fatalf("a peer released %d leases of a live node", n)
		}
		if jobs, _ := p.s.ClaimJobs(p.ctx, f.now, 10, time.Hour); len(jobs) != 0 {
			t.Fatalf("a peer claimed leased jobs %v", jobIDs(jobs))
		}
	}

	// The process holding the leases dies; its successor releases them.
	g := f.on(b.Restart(t, s))
	n, err := g.s.ReleaseLeases(g.ctx, f.now)
	must(t, "ReleaseLeases", err)
	if n != 2 {
		t.Fatalf("ReleaseLeases released %d jobs, want the 2 leased ones", n)
	}
	next, ok, err := g.s.NextJobAt(g.ctx)
	if err != nil || !ok || !next.Equal(f.now) {
		t.Fatalf("NextJobAt after the release = %v, %v, %v; want %v", next, ok, err, f.now)
	}
	jobs, err = g.s.ClaimJobs(g.ctx, f.now, 10, time.Hour)
	must(t, "ClaimJobs after the release", err)
	sameSet(t, "claim after the release", jobIDs(jobs), a.Contact.ID, c.Contact.ID)
	for _, j := range jobs {
		if j.Attempts != 2 {
			t.Fatalf("released job %s comes back as attempt %d, want 2", j.ContactID, j.Attempts)
		}
	}
	if n, err := g.s.QueueDepth(g.ctx); err != nil || n != 3 {
		t.Fatalf("QueueDepth = %d, %v; want 3 (%s is not due yet)", n, err, d.Contact.ID)
	}
}

// testLeasedAtCommit: a job committed with LeaseUntil (handed to the local
// worker in memory) is nobody else's to claim until the lease ends, counts
// as attempt 1, and comes back to whoever outlives the process holding it.
func testLeasedAtCommit(t *testing.T, b Backend) {
	s := b.Open(t)
	f := newFixture(t, s)
	in := f.instance()
	c := f.contact(in.ID)
	o := f.outbound(c, f.now, nil)
	o.LeaseUntil = f.now.Add(time.Minute)
	must(t, "StartOutbound with a lease", f.s.StartOutbound(f.ctx, o))
	j := delivery.JobOf(o)
	if j.Attempts != 1 || j.ContactID != c.ID || !j.LeaseUntil.Equal(o.LeaseUntil) || string(j.Message.Raw) != string(o.Message.Raw) {
		t.Fatalf("handed-over job %+v", j)
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want the leased job counted", n, err)
	}
	if jobs, err := f.s.ClaimJobs(f.ctx, f.now, 10, time.Minute); err != nil || len(jobs) != 0 {
		t.Fatalf("claimed a job leased at commit: %v, %v", jobIDs(jobs), err)
	}
	if b.Peer != nil {
		p := f.on(b.Peer(t, s))
		if jobs, err := p.s.ClaimJobs(p.ctx, f.now.Add(30*time.Second), 10, time.Minute); err != nil || len(jobs) != 0 {
			t.Fatalf("a peer claimed a job leased at commit: %v, %v", jobIDs(jobs), err)
		}
	}
	// The holder finishes attempt 1: the job is done.
	out := delivery.Outcome{Job: j, Final: true, State: connect.StateSent, Reason: connect.ReasonDelivered,
		Attempt: delivery.Attempt{ContactID: c.ID, N: 1, StartedAt: f.now, FinishedAt: f.now, Outcome: "sent"}}
	must(t, "FinishAttempts", f.s.FinishAttempts(f.ctx, []delivery.Outcome{out}))
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 0 {
		t.Fatalf("QueueDepth after the outcome = %d, %v; want 0", n, err)
	}

	// Another leased job, whose holder dies: its successor gets it as attempt 2.
	c2 := f.contact(in.ID)
	o2 := f.outbound(c2, f.now, nil)
	o2.LeaseUntil = f.now.Add(time.Hour)
	must(t, "StartOutbound with a lease", f.s.StartOutbound(f.ctx, o2))
	g := f.on(b.Restart(t, s))
	must(t, "ReleaseLeases", func() error { _, err := g.s.ReleaseLeases(g.ctx, f.now); return err }())
	jobs, err := g.s.ClaimJobs(g.ctx, f.now, 10, time.Minute)
	must(t, "ClaimJobs after the holder died", err)
	if len(jobs) != 1 || jobs[0].ContactID != c2.ID || jobs[0].Attempts != 2 {
		t.Fatalf("after the holder died: %+v; want %s as attempt 2", jobs, c2.ID)
	}
	same(t, "the reclaimed job's message", jobs[0].Message.Raw, o2.Message.Raw)
}
