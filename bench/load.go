package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// opID names a measured operation.
type opID int

const (
	opCreate opID = iota
	opSend
	opPair
	opDescribe
	opMailpit
	opLag
	numOps
)

func (o opID) String() string {
	switch o {
	case opCreate:
		return "CreateContact"
	case opSend:
		return "StartOutboundEmailContact"
	case opPair:
		return "pair"
	case opDescribe:
		return "DescribeContact"
	case opMailpit:
		return "mailpit send"
	case opLag:
		return "schedule lag"
	}
	return fmt.Sprintf("op%d", int(o))
}

// errCount counts one kind of failure and keeps a sample of it.
type errCount struct {
	n      int64
	sample string
}

// worker is the state of one load goroutine: its own histograms, buffers and
// error counts, merged when the phase ends.
type worker struct {
	hist [numOps]*histogram
	buf  bytes.Buffer
	body []byte
	rng  *rand.Rand
	errs map[string]*errCount
}

func newWorker(seed uint64) *worker {
	return &worker{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), errs: map[string]*errCount{}}
}

func (w *worker) record(op opID, d time.Duration) {
	h := w.hist[op]
	if h == nil {
		h = new(histogram)
		w.hist[op] = h
	}
	h.record(d)
}

// fail counts a failed call of op: a transport error or a non-2xx status.
func (w *worker) fail(op opID, r result, err error) {
	var kind, sample string
	if err != nil {
		kind = op.String() + ": " + errKind(err)
		sample = err.Error()
	} else {
		kind = fmt.Sprintf("%s: HTTP %d %s", op, r.status, r.errType)
		sample = strings.TrimSpace(w.buf.String())
	}
	if len(sample) > 300 {
		sample = sample[:300]
	}
	e := w.errs[kind]
	if e == nil {
		e = &errCount{sample: sample}
		w.errs[kind] = e
	}
	e.n++
}

// errKind reduces a transport error to a stable kind (no addresses or ports).
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	s := err.Error()
	for _, k := range []string{"connection refused", "connection reset", "broken pipe", "EOF", "too many open files"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	return "transport error"
}

// iteration is one unit of load (a CreateContact + StartOutboundEmailContact
// pair, a DescribeContact, a Mailpit send). sched is when it was meant to
// start; it reports whether it succeeded.
type iteration func(ctx context.Context, w *worker, sched time.Time) bool

// plan describes one load phase. With rate > 0 it is open-loop: iteration i
// is scheduled at start + i/rate and its latency is measured from then, so a
// slow server cannot slow down the schedule (no coordinated omission);
// workers bounds how many iterations are in flight. With rate 0 it is
// closed-loop: workers goroutines each run iterations back to back. It ends
// after duration or count iterations, whichever comes first.
type plan struct {
	name     string
	workers  int
	rate     float64
	duration time.Duration
	count    int64
	iter     iteration
	// abortAfter stops the phase when that many iterations failed and none
	// succeeded (a misconfiguration, not load); 0 means 50.
	abortAfter int64
}

// phaseResult is what a phase measured.
type phaseResult struct {
	workers int
	start   time.Time
	elapsed time.Duration
	ok      int64
	failed  int64
	hist    [numOps]*histogram
	errs    []ErrorCount
	aborted error
}

// ErrorCount is one kind of failure seen during a phase.
type ErrorCount struct {
	Kind   string `json:"kind"`
	Count  int64  `json:"count"`
	Sample string `json:"sample,omitempty"`
}

// counters are the live totals of a running phase, read by the progress bar.
type counters struct {
	ok, failed atomic.Int64
}

// AbortError says a phase stopped because every iteration failed.
type AbortError struct {
	Phase  string
	Failed int64
	First  ErrorCount
}

func (e *AbortError) Error() string {
	return fmt.Sprintf("%s: the first %d iterations all failed (%s, e.g. %q)", e.Phase, e.Failed, e.First.Kind, e.First.Sample)
}

// runMeasured is runPhase plus the CPU used meanwhile by process serverPid
// (0: unknown) and by bench itself, in cores (CPU seconds per second).
func runMeasured(ctx context.Context, p plan, live *counters, serverPid int) (res phaseResult, serverCores, benchCores float64) {
	s0, sok := cpuTime(serverPid)
	b0, bok := cpuTime(os.Getpid())
	res = runPhase(ctx, p, live)
	wall := res.elapsed.Seconds()
	if s1, ok := cpuTime(serverPid); ok && sok && serverPid > 0 && wall > 0 {
		serverCores = (s1 - s0).Seconds() / wall
	}
	if b1, ok := cpuTime(os.Getpid()); ok && bok && wall > 0 {
		benchCores = (b1 - b0).Seconds() / wall
	}
	return res, serverCores, benchCores
}

func runPhase(ctx context.Context, p plan, live *counters) phaseResult {
	if p.workers < 1 {
		p.workers = 1
	}
	if p.abortAfter == 0 {
		p.abortAfter = 50
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := make([]*worker, p.workers)
	for i := range workers {
		workers[i] = newWorker(uint64(i + 1))
	}
	var (
		seq     atomic.Int64
		abortMu sync.Mutex
		aborted bool
		wg      sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(p.duration)
	var interval float64
	if p.rate > 0 {
		interval = float64(time.Second) / p.rate
	}
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := seq.Add(1) - 1
				if p.count > 0 && i >= p.count {
					return
				}
				var sched time.Time
				if p.rate > 0 {
					off := time.Duration(float64(i) * interval)
					if p.duration > 0 && off >= p.duration {
						return
					}
					sched = start.Add(off)
					if d := time.Until(sched); d > 0 {
						t := time.NewTimer(d)
						select {
						case <-ctx.Done():
							t.Stop()
							return
						case <-t.C:
						}
					}
					w.record(opLag, time.Since(sched))
				} else {
					sched = time.Now()
					if p.duration > 0 && !sched.Before(deadline) {
						return
					}
				}
				if p.iter(ctx, w, sched) {
					live.ok.Add(1)
					continue
				}
				if ctx.Err() != nil {
					return // canceled mid-call: not a server failure
				}
				if f := live.failed.Add(1); f >= p.abortAfter && live.ok.Load() == 0 {
					abortMu.Lock()
					aborted = true
					abortMu.Unlock()
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	res := phaseResult{workers: p.workers, start: start, elapsed: time.Since(start), ok: live.ok.Load(), failed: live.failed.Load()}
	errs := map[string]*errCount{}
	for _, w := range workers {
		for op, h := range w.hist {
			if h == nil {
				continue
			}
			if res.hist[op] == nil {
				res.hist[op] = new(histogram)
			}
			res.hist[op].merge(h)
		}
		for k, e := range w.errs {
			if t := errs[k]; t != nil {
				t.n += e.n
			} else {
				errs[k] = &errCount{n: e.n, sample: e.sample}
			}
		}
	}
	for k, e := range errs {
		res.errs = append(res.errs, ErrorCount{Kind: k, Count: e.n, Sample: e.sample})
	}
	sort.Slice(res.errs, func(i, j int) bool { return res.errs[i].Count > res.errs[j].Count })
	if aborted {
		ae := &AbortError{Phase: p.name, Failed: res.failed}
		if len(res.errs) > 0 {
			ae.First = res.errs[0]
		}
		res.aborted = ae
	}
	return res
}

// sampler keeps a uniform random sample of contact ids (reservoir sampling)
// for the DescribeContact phase.
type sampler struct {
	mu   sync.Mutex
	seen int64
	ids  []string
	max  int
	rng  *rand.Rand
}

func newSampler(max int) *sampler {
	return &sampler{max: max, rng: rand.New(rand.NewPCG(42, 7))}
}

func (s *sampler) add(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen++
	if len(s.ids) < s.max {
		s.ids = append(s.ids, id)
		return
	}
	if j := s.rng.Int64N(s.seen); j < int64(s.max) {
		s.ids[j] = id
	}
}

func (s *sampler) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}
