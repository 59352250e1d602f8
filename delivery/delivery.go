// Package delivery is the durable queue worker: it claims committed delivery
// jobs, DKIM-signs and relays each message, and records the outcome — sent,
// captured, deferred for a retry with exponential backoff and jitter, bounced
// on a permanent failure, or expired after the maximum age.
package delivery

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectmail/connectmail/connect"
)

// Queue is the stored delivery queue: jobs, their leases and the outcomes
// of their attempts. Both engines implement it, each its own way (a SQLite
// database has one process; PostgreSQL nodes lease jobs to themselves).
type Queue interface {
	// ClaimJobs leases up to limit due jobs to the caller until now+lease.
	ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Job, error)
	// NextJobAt reports when the earliest queued job becomes due (ok=false if none).
	NextJobAt(ctx context.Context) (t time.Time, ok bool, err error)
	// FinishAttempts records outcomes: attempt rows, job state, contact state,
	// events, and the message bytes of outcomes that carry Raw. An outcome
	// whose job was stopped or leased again since is dropped, its Events cleared.
	FinishAttempts(ctx context.Context, outs []Outcome) error
	// ReleaseLeases makes the jobs leased by processes that are gone due now
	// (for a single-process store: every leased job), returning how many.
	ReleaseLeases(ctx context.Context, now time.Time) (int, error)
	// QueueDepth counts jobs not yet finished.
	QueueDepth(ctx context.Context) (int, error)
}

// SuppressionList is the stored list of addresses mail is not sent to.
type SuppressionList interface {
	// Suppressed returns the active suppression entries among addresses (case-insensitive).
	Suppressed(ctx context.Context, addresses []string, now time.Time) (map[string]connect.Suppression, error)
	// Suppress adds or replaces entries.
	Suppress(ctx context.Context, entries []connect.Suppression) error
}

// Store is what the worker needs from storage.
type Store interface {
	Queue
	SuppressionList
}

// Receipt is what a relay answered to an accepted message.
type Receipt struct {
	// Response is the relay's final reply (often its queue id).
	Response string
	// Rejected maps recipients the relay refused to its reply.
	Rejected map[string]Rejection
}

// Rejection is a relay's refusal of one recipient.
type Rejection struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Failure is implemented by send errors that know whether they are temporary
// (*relay.Error does, as it is). A send error that implements no Failure is
// temporary — the same rule as relay.IsTemporary: a message is never bounced
// for a failure nobody classified.
type Failure interface {
	error
	Temporary() bool
	SMTPCode() int
}

// Classed is implemented by send errors that can be configuration errors.
// Class returns ClassConfig for those (the relay's TLS certificate
// is not trusted, its credentials are refused), "" otherwise. A
// configuration error should be temporary: the message is retried — it goes
// out once the operator fixes the configuration — until Config.MaxAge, and
// its recipients are never suppressed for it.
type Classed interface {
	Class() string
}

// Sender relays a message. A nil Sender means capture mode.
type Sender interface {
	Send(ctx context.Context, from string, rcpts []string, msg []byte) (Receipt, error)
}

// Config configures a Worker.
type Config struct {
	Store  Store
	Sender Sender
	// Sign adds a DKIM signature for the sender's domain (nil: no signing).
	Sign func(msg []byte, from string) ([]byte, error)
	// Concurrency bounds simultaneous deliveries (default 16).
	Concurrency int
	// Lease is how long a claimed job is reserved (default 5m).
	Lease time.Duration
	// Handoff is how many jobs handed over in memory may wait for a free
	// sender (default 4 × Concurrency; negative: no hand-off, every job is
	// claimed from the store). Beyond it, jobs wait in the store, so that
	// one that waits long is claimed only if it still exists then.
	Handoff int
	// RetryBase is the first retry delay (default 30s); each later one doubles, up to RetryMax (default 20m).
	RetryBase, RetryMax time.Duration
	// MaxAge is how long a message is retried before it fails (default 24h).
	MaxAge time.Duration
	// DomainRates limits sends per destination domain in messages per second;
	// the key "*" applies to every other domain. Empty: no limits.
	DomainRates map[string]float64
	// SuppressFor is how long a hard-bounced address stays suppressed (0: until removed).
	SuppressFor time.Duration
	// SendTimeout bounds one attempt (default 5m).
	SendTimeout time.Duration
	// Drain is how long in-flight sends may finish after shutdown starts (default 30s).
	Drain time.Duration
	// Publish receives events after they are committed.
	Publish func([]connect.Event)
	// Observe receives each attempt's outcome, its class (see Classed) and
	// its duration (metrics).
	Observe func(outcome, class string, d time.Duration)
	Now     func() time.Time
	Logger  *slog.Logger
}

// Worker delivers queued messages.
type Worker struct {
	cfg    Config
	wake   chan struct{}
	limits *domainLimits
	// ready holds handed-over jobs; reserved counts them plus the
	// reservations whose commit is under way, so Hand never blocks.
	ready    chan *Job
	reserved atomic.Int64
	running  atomic.Bool
	// waiting has the jobs in ready by contact, and whether they were
	// revoked (their contact stopped, their instance deleted) meanwhile.
	mu      sync.Mutex
	waiting map[string]*waitingJob
}

// New returns a Worker.
func New(cfg Config) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 30 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 20 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 5 * time.Minute
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Publish == nil {
		cfg.Publish = func([]connect.Event) {}
	}
	if cfg.Observe == nil {
		cfg.Observe = func(string, string, time.Duration) {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Handoff == 0 {
		cfg.Handoff = 4 * cfg.Concurrency
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1), limits: newDomainLimits(cfg.DomainRates),
		ready: make(chan *Job, max(cfg.Handoff, 0)), waiting: map[string]*waitingJob{}}
}

// Wake tells the worker that a job may be due. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Backoff returns the delay before retry number n (1-based): exponential with
// full jitter over the upper half, capped at RetryMax.
func (w *Worker) Backoff(n int) time.Duration {
	d := w.cfg.RetryBase
	for i := 1; i < n && d < w.cfg.RetryMax; i++ {
		d *= 2
	}
	if d > w.cfg.RetryMax {
		d = w.cfg.RetryMax
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// Run delivers until ctx is cancelled, then lets in-flight sends finish
// (bounded by Drain) and returns.
//
// Jobs come from two places: handed over in memory right after their commit
// (see Reserve), which costs the store nothing, and claimed from the store —
// retries, sends that found the hand-off full, and jobs left by a process
// that stopped. The store is only asked when there is reason to: a Wake, a
// claim that filled every free slot, or the time the next queued job is due.
func (w *Worker) Run(ctx context.Context) error {
	// A store that fails now (PostgreSQL restarting, a dropped connection)
	// must not leave the server without a worker: retry until it answers.
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		_, err := w.cfg.Store.ReleaseLeases(ctx, w.cfg.Now())
		if err == nil {
			break
		}
		w.cfg.Logger.Error("releasing the leases of stopped processes failed; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil // stopped before it started
		case <-time.After(wait):
		}
	}
	w.running.Store(true)
	defer w.running.Store(false)
	// Outcomes are recorded in batches by one recorder; it stops last, after
	// every in-flight send has handed over its outcome.
	outcomes := make(chan Outcome, 2*w.cfg.Concurrency)
	recorded := make(chan struct{})
	go w.record(outcomes, recorded)
	defer func() { close(outcomes); <-recorded }()
	// Sends run on their own context so that shutdown lets them finish.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	slots := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	defer func() {
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(w.cfg.Drain):
			cancelSends()
			<-done
		}
	}()
	launch := func(j *Job) {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if out, ok := w.deliver(sendCtx, j); ok {
				outcomes <- out
			}
		}()
	}
	poll := true
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var pollAt time.Time
	// pollSoon makes the next poll happen no later than after d.
	pollSoon := func(d time.Duration, replace bool) {
		at := time.Now().Add(d)
		if replace || at.Before(pollAt) {
			pollAt = at
			timer.Reset(d)
		}
	}
	for {
		// Wait for at least one free slot.
		select {
		case slots <- struct{}{}:
			<-slots
		case <-ctx.Done():
			return nil
		}
		if poll {
			poll = false
			free := cap(slots) - len(slots)
			jobs, err := w.cfg.Store.ClaimJobs(ctx, w.cfg.Now(), free, w.cfg.Lease)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				w.cfg.Logger.Error("claiming delivery jobs failed", "err", err)
				jobs = nil
			}
			for _, j := range jobs {
				launch(j)
			}
			if len(jobs) == free {
				poll = true // there may be more due work
				continue
			}
			pollSoon(w.nextPoll(ctx, err != nil || len(jobs) > 0), true)
		}
		select {
		case <-ctx.Done():
			return nil
		case j := <-w.ready:
			w.reserved.Add(-1)
			w.mu.Lock()
			wj := w.waiting[j.ContactID]
			delete(w.waiting, j.ContactID)
			w.mu.Unlock()
			if wj != nil && wj.revoked {
				continue // its contact was stopped or its instance deleted, which removed the job
			}
			if left := j.LeaseUntil.Sub(w.cfg.Now()); left < w.cfg.Lease/10 {
				// Waited so long that the lease is nearly over: leave it to
				// the store, which offers it again once the lease ends.
				w.cfg.Logger.Warn("handed-over delivery job waited too long; it is retried after its lease", "contact", j.ContactID)
				pollSoon(max(0, left)+10*time.Millisecond, false)
				continue
			}
			launch(j)
		case <-w.wake:
			poll = true
		case <-timer.C:
			poll = true
		}
	}
}

// nextPoll is how long to wait before asking the store for due jobs again:
// until the earliest queued job is due, at most a minute (a lease that ends
// or a job another process queued is noticed without a Wake).
func (w *Worker) nextPoll(ctx context.Context, busy bool) time.Duration {
	wait := time.Minute
	if next, ok, err := w.cfg.Store.NextJobAt(ctx); err != nil {
		wait = time.Second
	} else if ok {
		wait = min(wait, max(0, time.Until(next)))
		if wait == 0 && !busy {
			// Due jobs exist but none was claimable: try again shortly.
			wait = 50 * time.Millisecond
		}
	}
	return wait
}

// Reserve implements connect.Handoff: it takes room for one handed-over job
// if the worker is running and fewer than Config.Handoff jobs wait.
func (w *Worker) Reserve() (time.Time, bool) {
	if !w.running.Load() || cap(w.ready) == 0 {
		return time.Time{}, false
	}
	if w.reserved.Add(1) > int64(cap(w.ready)) {
		w.reserved.Add(-1)
		return time.Time{}, false
	}
	return w.cfg.Now().Add(w.cfg.Lease), true
}

// Hand implements connect.Handoff. It never blocks: Reserve kept room.
func (w *Worker) Hand(o *connect.Outbound) {
	j := JobOf(o)
	w.mu.Lock()
	w.waiting[j.ContactID] = &waitingJob{instanceID: j.InstanceID}
	w.mu.Unlock()
	w.ready <- j
}

// waitingJob is a handed-over job not yet taken by a sender.
type waitingJob struct {
	instanceID string
	revoked    bool
}

// Revoke implements connect.Handoff: a handed-over job of the contact that
// has not been started yet is dropped.
func (w *Worker) Revoke(contactID string) {
	w.mu.Lock()
	if wj := w.waiting[contactID]; wj != nil {
		wj.revoked = true
	}
	w.mu.Unlock()
}

// RevokeInstance implements connect.Handoff: the handed-over jobs of the
// instance that have not been started yet are dropped.
func (w *Worker) RevokeInstance(instanceID string) {
	w.mu.Lock()
	for _, wj := range w.waiting {
		if wj.instanceID == instanceID {
			wj.revoked = true
		}
	}
	w.mu.Unlock()
}

// Cancel implements connect.Handoff.
func (w *Worker) Cancel() { w.reserved.Add(-1) }

// record writes outcomes to the store, as many at a time as are waiting,
// then publishes their events.
func (w *Worker) record(in <-chan Outcome, done chan<- struct{}) {
	defer close(done)
	batch := make([]Outcome, 0, 256)
	for first := range in {
		batch = append(batch[:0], first)
	more:
		for len(batch) < cap(batch) {
			select {
			case o, ok := <-in:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		// Recording must survive shutdown, so it does not use the worker's context.
		if err := w.cfg.Store.FinishAttempts(context.Background(), batch); err != nil {
			w.cfg.Logger.Error("recording delivery attempts failed; the jobs will be retried after their lease", "count", len(batch), "err", err)
			continue
		}
		var evs []connect.Event
		for _, o := range batch {
			w.logAttempt(o)
			evs = append(evs, o.Events...)
		}
		w.cfg.Publish(evs)
		for _, o := range batch {
			if !o.Final {
				// A retry was scheduled: let the claim loop see its time.
				w.Wake()
				break
			}
		}
	}
}

// logAttempt logs an attempt's outcome; a failure with its reason, and a
// configuration error as an error: every message fails alike until the
// operator acts.
func (w *Worker) logAttempt(o Outcome) {
	a := o.Attempt
	attrs := []any{"contact", o.Job.ContactID, "attempt", o.Job.Attempts, "outcome", a.Outcome, "code", a.Code}
	switch a.Outcome {
	case "sent", "captured":
		w.cfg.Logger.Info("delivery attempt", attrs...)
		return
	}
	attrs = append(attrs, "reason", a.Detail)
	if !o.Final {
		attrs = append(attrs, "retry_at", o.RetryAt.UTC().Format(time.RFC3339))
	}
	if a.Class == ClassConfig {
		attrs = append(attrs, "class", a.Class)
		w.cfg.Logger.Error("delivery attempt failed on a relay configuration error; messages are retried until it is fixed or they expire", attrs...)
		return
	}
	w.cfg.Logger.Info("delivery attempt", attrs...)
}

// deliver makes one attempt and returns its outcome (ok=false: nothing to record).
func (w *Worker) deliver(ctx context.Context, j *Job) (Outcome, bool) {
	start := w.cfg.Now()
	out := Outcome{Job: j, Attempt: Attempt{ContactID: j.ContactID, N: j.Attempts, StartedAt: start}}
	ev := func(typ string, detail map[string]any) {
		b := mustJSON(detail)
		out.Events = append(out.Events, connect.Event{ContactID: j.ContactID, InstanceID: j.InstanceID, Type: typ, Time: w.cfg.Now().UTC(), Detail: b})
	}
	msg := j.Message.Raw
	var signErr error
	if w.cfg.Sign != nil {
		if signed, err := w.cfg.Sign(msg, j.Message.EnvelopeFrom); err == nil {
			msg = signed
		} else {
			signErr = err
		}
	}
	finish := func(state connect.State, reason, outcome string) {
		out.Final, out.State, out.Reason = true, state, reason
		out.Attempt.Outcome = outcome
		ev(connect.EventDisconnected, map[string]any{"reason": reason})
		ev(connect.EventCompleted, nil)
	}
	if signErr != nil {
		w.cfg.Logger.Warn("DKIM signing failed; sending unsigned", "contact", j.ContactID, "err", signErr)
	}
	rcpts, suppressed, err := w.filterSuppressed(ctx, j)
	if err != nil {
		w.cfg.Logger.Error("reading the suppression list failed; retrying after the lease", "contact", j.ContactID, "err", err)
		return Outcome{}, false
	}
	if len(suppressed) > 0 {
		ev(connect.EventSuppressed, map[string]any{"attempt": j.Attempts, "recipients": suppressed})
	}
	sim, simulated := Simulate(rcpts, j.Attempts)
	switch {
	case len(rcpts) == 0 || rcpts[0] != j.Message.Recipients[0]:
		// The customer's own address is suppressed: nothing is sent.
		out.Attempt.FinishedAt = w.cfg.Now()
		out.Attempt.Detail = "destination is on the suppression list"
		finish(connect.StateFailed, connect.ReasonSuppressed, "suppressed")
	case w.throttle(ctx, rcpts[0], &out):
		// Over the destination domain's rate: requeued without an attempt at the relay.
	case w.cfg.Sender == nil && !simulated:
		out.Attempt.FinishedAt = w.cfg.Now()
		out.Attempt.Detail = "captured"
		if w.cfg.Sign != nil && signErr == nil {
			out.Raw = msg // what would have been sent, signed
		}
		ev(connect.EventCaptured, map[string]any{"attempt": j.Attempts, "recipients": rcpts})
		finish(connect.StateCaptured, connect.ReasonCaptured, "captured")
	default:
		var rec Receipt
		if simulated {
			rec, err = sim.apply(ctx)
		} else {
			sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
			rec, err = w.cfg.Sender.Send(sctx, j.Message.EnvelopeFrom, rcpts, msg)
			cancel()
		}
		out.Attempt.FinishedAt = w.cfg.Now()
		switch {
		case err == nil:
			out.Attempt.Detail = rec.Response
			d := map[string]any{"attempt": j.Attempts, "response": rec.Response, "recipients": rcpts}
			if len(rec.Rejected) > 0 {
				d["rejected"] = rec.Rejected
				var hard []string
				for a, r := range rec.Rejected {
					if r.Code >= 500 {
						hard = append(hard, a)
					}
				}
				w.suppress(ctx, j, hard, "hard bounce")
			}
			ev(connect.EventSent, d)
			finish(connect.StateSent, connect.ReasonDelivered, "sent")
		case temporary(err):
			out.Attempt.Code = codeOf(err)
			out.Attempt.Detail = err.Error()
			out.Attempt.Class = classOf(err)
			if out.Attempt.FinishedAt.Sub(j.CreatedAt) >= w.cfg.MaxAge {
				ev(connect.EventExpired, map[string]any{"attempt": j.Attempts, "code": out.Attempt.Code, "error": err.Error()})
				finish(connect.StateFailed, connect.ReasonExpired, "expired")
			} else {
				out.Attempt.Outcome = "deferred"
				out.RetryAt = out.Attempt.FinishedAt.Add(w.Backoff(j.Attempts))
				ev(connect.EventDeferred, map[string]any{"attempt": j.Attempts, "code": out.Attempt.Code, "error": err.Error(), "retryAt": out.RetryAt.UTC().Format(time.RFC3339Nano)})
			}
		default:
			out.Attempt.Code = codeOf(err)
			out.Attempt.Detail = err.Error()
			out.Attempt.Class = classOf(err)
			ev(connect.EventBounced, map[string]any{"attempt": j.Attempts, "code": out.Attempt.Code, "error": err.Error()})
			w.suppress(ctx, j, rcpts, "hard bounce: "+err.Error())
			finish(connect.StateFailed, connect.ReasonBounced, "bounced")
		}
	}
	w.cfg.Observe(out.Attempt.Outcome, out.Attempt.Class, out.Attempt.FinishedAt.Sub(start))
	return out, true
}

// throttle waits for the destination domain's rate limit. A short wait happens
// in place; a long one requeues the job for when a token is free (true).
func (w *Worker) throttle(ctx context.Context, dest string, out *Outcome) bool {
	d := w.limits.reserve(dest, w.cfg.Now())
	if d <= 0 {
		return false
	}
	if d <= 2*time.Second {
		select {
		case <-time.After(d):
			return false
		case <-ctx.Done():
		}
	}
	out.Attempt.FinishedAt = w.cfg.Now()
	out.Attempt.Outcome = "throttled"
	out.Attempt.Detail = "destination domain rate limit"
	out.RetryAt = out.Attempt.FinishedAt.Add(d)
	return true
}

// filterSuppressed drops suppressed recipients, returning those left and those dropped.
func (w *Worker) filterSuppressed(ctx context.Context, j *Job) (keep, dropped []string, err error) {
	sup, err := w.cfg.Store.Suppressed(ctx, j.Message.Recipients, w.cfg.Now())
	if err != nil {
		return nil, nil, err
	}
	for _, r := range j.Message.Recipients {
		if _, ok := sup[strings.ToLower(r)]; ok || IsSimulatorSuppressed(r) {
			dropped = append(dropped, r)
		} else {
			keep = append(keep, r)
		}
	}
	return keep, dropped, nil
}

// suppress adds hard-bounced addresses to the suppression list.
func (w *Worker) suppress(ctx context.Context, j *Job, addrs []string, reason string) {
	if len(addrs) == 0 {
		return
	}
	now := w.cfg.Now().UTC()
	var exp time.Time
	if w.cfg.SuppressFor > 0 {
		exp = now.Add(w.cfg.SuppressFor)
	}
	entries := make([]connect.Suppression, 0, len(addrs))
	for _, a := range addrs {
		if isSimulator(a) {
			continue
		}
		entries = append(entries, connect.Suppression{Address: a, Reason: reason, ContactID: j.ContactID, CreatedAt: now, ExpiresAt: exp})
	}
	if len(entries) == 0 {
		return
	}
	if err := w.cfg.Store.Suppress(context.WithoutCancel(ctx), entries); err != nil {
		w.cfg.Logger.Error("adding to the suppression list failed", "contact", j.ContactID, "err", err)
	}
}

func temporary(err error) bool {
	var f Failure
	if errors.As(err, &f) {
		return f.Temporary()
	}
	// Unknown failures are temporary (see Failure): retrying is safer
	// than losing mail.
	return true
}

func classOf(err error) string {
	var c Classed
	if errors.As(err, &c) {
		return c.Class()
	}
	return ""
}

func codeOf(err error) int {
	var f Failure
	if errors.As(err, &f) {
		return f.SMTPCode()
	}
	return 0
}
