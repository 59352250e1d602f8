// Package bench is `connectmail bench`, a load generator for a connectmail
// server. It sends real SigV4-signed CreateContact +
// StartOutboundEmailContact pairs, closed-loop at a concurrency or open-loop
// at a fixed rate, to a running server or to one it starts as a child process
// of the same binary, and reports accepted pairs per second, API latency
// percentiles per operation, end-to-end delivery into a counting SMTP sink,
// lost messages, the server's memory, start-up time and bytes on disk per
// contact. It can measure Mailpit's send API in the same run for comparison.
//
// The client is deliberately lean, because load generator and server usually
// share the machine: net/http keep-alive connections, request bodies built
// once (the contact id is spliced into a pre-built StartOutboundEmailContact
// body) and aws-sdk-go-v2's v4 signer.
//
// Open-loop latencies are measured from each pair's scheduled start time,
// not from when it was actually sent, so a stalled server shows up in the
// percentiles instead of silently lowering the offered load (coordinated
// omission). CreateContact is measured from the scheduled time;
// StartOutboundEmailContact from its own start, right after CreateContact
// returned; "pair" from the scheduled time to the end of the send.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/connectmail/connectmail/smtpsink"
)

// Options configure a run. The zero value of a field means its default.
type Options struct {
	// Target is the base URL of a running server (http://host:port). Empty
	// starts a server as a child process: ServerBin serve --db DB ...
	Target string
	// ServerBin is the connectmail binary for the child (default: this executable).
	ServerBin string
	// DB is the child's --db (default: a fresh SQLite file in a temporary
	// directory, removed afterwards). With Target, a sqlite:PATH here only
	// tells bench where to measure bytes on disk.
	DB string
	// ServeArgs are extra arguments for the child's serve command.
	ServeArgs []string
	// Concurrency is the number of load workers (default 16; 64 with Rate):
	// in-flight pairs closed-loop, the most in-flight pairs open-loop.
	Concurrency int
	// Rate is the offered load in pairs per second; 0 runs closed-loop.
	Rate float64
	// Duration and Count end the measured phase, whichever comes first
	// (default 10 s when neither is set).
	Duration time.Duration
	Count    int64
	// Template sends TEMPLATE messages rendered from a Q in Connect message
	// template that bench creates, instead of RAW ones.
	Template bool
	// Sink starts a counting SMTP sink and, for a child server, points its
	// --smtp-relay at it. With Target the server must already relay to it,
	// so SinkAddr is required.
	Sink     bool
	SinkAddr string
	// RelayCountURL, instead of Sink, is a URL whose body is the number of
	// messages the relay received: a plain integer, or a JSON object with a
	// numeric "total", "count" or "messages_count" member (Mailpit's
	// /api/v1/messages?limit=1 works).
	RelayCountURL string
	// DrainTimeout is how long delivery may make no progress after the load
	// before the remaining messages count as lost (default 60 s).
	DrainTimeout time.Duration
	// Preload stores that many contacts (sent pairs) before measuring, at
	// PreloadConcurrency (default 64), then waits for the delivery queue to drain.
	Preload            int64
	PreloadConcurrency int
	// Describe measures DescribeContact after the load on contacts drawn at
	// random from those this run stored (preload included), closed-loop at
	// DescribeConcurrency (default 4: a latency figure, not a saturation
	// one) for DescribeDuration (default 5 s). With DescribeRate the calls
	// are open-loop at that rate instead (DescribeConcurrency then bounds
	// the calls in flight, default 16), latency counted from each call's
	// scheduled time.
	Describe            bool
	DescribeConcurrency int
	DescribeDuration    time.Duration
	DescribeRate        float64
	// CompareMailpit is the path of a Mailpit binary: after the connectmail
	// phases, bench starts it and drives POST /api/v1/send with the same
	// concurrency, rate, duration and count.
	CompareMailpit string
	// AccessKey, SecretKey and Region sign the requests (default test, test, us-east-1).
	AccessKey, SecretKey, Region string
	// Progress receives a progress line redrawn in place (nil: none).
	Progress io.Writer
	// Log receives notices such as the sink's address (nil: discarded).
	Log io.Writer
}

// Report is everything a run measured. Durations are in milliseconds or
// seconds as their names say; sizes are in bytes.
type Report struct {
	Started     time.Time `json:"started"`
	Cores       int       `json:"cores"`
	LoadAverage string    `json:"load_average,omitempty"`
	Target      string    `json:"target"`
	Child       bool      `json:"child_server"`
	DB          string    `json:"db,omitempty"`
	// Mode is "closed" (Concurrency workers back to back) or "open" (Rate).
	Mode        string  `json:"mode"`
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate_pairs_per_sec,omitempty"`
	Message     string  `json:"message"`
	Preload     *Phase  `json:"preload,omitempty"`
	// Load is the measured phase; its Latency is keyed by operation
	// (CreateContact, StartOutboundEmailContact, pair).
	Load     Phase     `json:"load"`
	Delivery *Delivery `json:"delivery,omitempty"`
	Server   Server    `json:"server"`
	Disk     *Disk     `json:"disk,omitempty"`
	Describe *Phase    `json:"describe,omitempty"`
	Mailpit  *Mailpit  `json:"mailpit,omitempty"`
}

// Phase is one load phase's outcome.
type Phase struct {
	// Workers is the phase's concurrency (in-flight bound for open loop).
	Workers int `json:"workers"`
	// Rate is the open-loop rate of the describe phase (0: closed loop).
	Rate      float64 `json:"rate_per_sec,omitempty"`
	Seconds   float64 `json:"seconds"`
	Attempted int64   `json:"attempted"`
	Succeeded int64   `json:"succeeded"`
	Failed    int64   `json:"failed"`
	// PerSec is Succeeded per second of the phase (accepted pairs/s for the load).
	PerSec  float64            `json:"per_sec"`
	Latency map[string]Latency `json:"latency,omitempty"`
	// ScheduleLag (open-loop only) is how late iterations started after
	// their scheduled time: large values mean every worker was busy (the
	// server could not keep up with the rate, so requests queued in the
	// client; their latency counts from the scheduled time all the same) or
	// the generator itself was starved of CPU.
	ScheduleLag *Latency     `json:"schedule_lag,omitempty"`
	Errors      []ErrorCount `json:"errors,omitempty"`
	// ServerCores and BenchCores are the CPU the server (a child or
	// Mailpit; 0 for --target) and bench itself (load generator and sink)
	// used during the phase, in CPU seconds per second.
	ServerCores float64 `json:"server_cpu_cores,omitempty"`
	BenchCores  float64 `json:"bench_cpu_cores,omitempty"`
	// Writer is what the SQLite store's writer did during the phase (read
	// from the server's /metrics; absent for PostgreSQL).
	Writer *Writer `json:"store_writer,omitempty"`
}

// Writer is the work of the server's SQLite writer during a phase. Busy near
// 1 means the single writer bounds the rate.
type Writer struct {
	// Busy is the writer's time (exec + commit) per second of the phase;
	// Exec and Commit split it.
	Busy   float64 `json:"busy"`
	Exec   float64 `json:"exec"`
	Commit float64 `json:"commit"`
	// CommitsPerSec is transactions per second; WritesPerCommit how many
	// writes each one carried (group commit).
	CommitsPerSec   float64 `json:"commits_per_sec"`
	WritesPerCommit float64 `json:"writes_per_commit"`
	// SyncsPerSec is fsyncs of the write-ahead log per second.
	SyncsPerSec float64 `json:"syncs_per_sec"`
}

// writerBetween is the writer's work between two readings.
func writerBetween(a, b writerSample) *Writer {
	secs := b.at.Sub(a.at).Seconds()
	n := b.batches - a.batches
	if secs <= 0 || n <= 0 {
		return nil
	}
	w := &Writer{Exec: (b.execSecs - a.execSecs) / secs, Commit: (b.commitSecs - a.commitSecs) / secs,
		CommitsPerSec: n / secs, WritesPerCommit: (b.writes - a.writes) / n, SyncsPerSec: (b.syncs - a.syncs) / secs}
	w.Busy = w.Exec + w.Commit
	return w
}

// Delivery is what reached the relay.
type Delivery struct {
	Source string `json:"source"`
	// Delivered is how many messages arrived after the load began.
	Delivered int64 `json:"delivered"`
	// Lost is accepted pairs minus Delivered (never below 0); Extra is
	// Delivered beyond the accepted pairs (messages of earlier runs).
	Lost  int64 `json:"lost"`
	Extra int64 `json:"extra,omitempty"`
	// PerSec is Delivered divided by the time from the start of the load to
	// the last arrival (or to the end of the drain).
	PerSec float64 `json:"per_sec"`
	// DuringLoad is how many had arrived when the load ended.
	DuringLoad int64 `json:"during_load"`
	// DrainSeconds is how long after the load the last message arrived.
	DrainSeconds float64 `json:"drain_seconds"`
	// Complete says every accepted pair arrived before the drain timeout.
	Complete bool `json:"complete"`
}

// Server is the server's resource use.
type Server struct {
	// StartToReadyMs is from exec of the child to its first 200 from /healthz.
	StartToReadyMs float64 `json:"start_to_ready_ms,omitempty"`
	// RSS from /metrics (process_resident_memory_bytes): idle after start
	// (before setup and load), the highest sample during the load and drain
	// (scraped every second), and after the run.
	IdleRSS  int64 `json:"idle_rss_bytes"`
	PeakRSS  int64 `json:"peak_rss_bytes"`
	FinalRSS int64 `json:"final_rss_bytes"`
	// HWM is the child's VmHWM from /proc (0 for a --target server).
	HWM int64 `json:"vm_hwm_bytes,omitempty"`
}

// Mailpit is the same load against Mailpit's POST /api/v1/send.
type Mailpit struct {
	Binary string `json:"binary"`
	Phase
	PeakRSS int64 `json:"vm_hwm_bytes,omitempty"`
	// Ratio is connectmail's accepted pairs/s divided by Mailpit's sends/s.
	Ratio float64 `json:"connectmail_to_mailpit_ratio"`
	Error string  `json:"error,omitempty"`
}

// UsageError is an invalid combination of options.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func (o *Options) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = 16
		if o.Rate > 0 {
			o.Concurrency = 64
		}
	}
	if o.Duration <= 0 && o.Count <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 60 * time.Second
	}
	if o.PreloadConcurrency <= 0 {
		o.PreloadConcurrency = 64
	}
	if o.DescribeConcurrency <= 0 {
		o.DescribeConcurrency = 4
		if o.DescribeRate > 0 {
			o.DescribeConcurrency = 16
		}
	}
	if o.DescribeDuration <= 0 {
		o.DescribeDuration = 5 * time.Second
	}
	if o.AccessKey == "" {
		o.AccessKey, o.SecretKey = "test", "test"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

func (o *Options) validate() error {
	switch {
	case o.Rate < 0:
		return &UsageError{"--rate must not be negative"}
	case o.DescribeRate < 0:
		return &UsageError{"--describe-rate must not be negative"}
	case o.DescribeRate > 0 && !o.Describe:
		return &UsageError{"--describe-rate needs --describe"}
	case o.Sink && o.RelayCountURL != "":
		return &UsageError{"--sink and --relay-count-url are alternatives: use one"}
	case o.Sink && o.Target != "" && o.SinkAddr == "":
		return &UsageError{"--sink with --target needs --sink-addr HOST:PORT, and the server must have been started with --smtp-relay smtp://HOST:PORT"}
	case o.Target != "" && len(o.ServeArgs) > 0:
		return &UsageError{"--serve-arg only applies to a child server, not to --target"}
	case o.Target != "" && !strings.HasPrefix(o.Target, "http://") && !strings.HasPrefix(o.Target, "https://"):
		return &UsageError{"--target must be an http:// or https:// URL"}
	}
	return nil
}

// runner is one run in progress.
type runner struct {
	o       Options
	rep     *Report
	api     *apiClient
	fx      *fixture
	child   *process
	tmpDir  string
	sink    *smtpsink.Sink
	count   func(context.Context) (int64, error)
	metrics *scraper
	ids     *sampler
	created atomic.Int64
}

// Run performs a benchmark and returns its report. The report is returned
// with a nil error only when every phase ran; a canceled ctx ends the load
// early and still reports what was measured.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	rep := &Report{Started: time.Now().UTC(), Cores: runtime.NumCPU(), Concurrency: o.Concurrency, Rate: o.Rate, Mode: "closed", Message: "RAW"}
	if o.Rate > 0 {
		rep.Mode = "open"
	}
	if o.Template {
		rep.Message = "TEMPLATE"
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		rep.LoadAverage = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	r := &runner{o: o, rep: rep, ids: newSampler(100_000)}
	defer r.cleanup()
	if err := r.run(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

func (r *runner) cleanup() {
	if r.child != nil {
		r.child.stop(20 * time.Second)
	}
	if r.sink != nil {
		_ = r.sink.Close()
	}
	if r.tmpDir != "" {
		_ = os.RemoveAll(r.tmpDir)
	}
}

func (r *runner) run(ctx context.Context) error {
	o := &r.o
	if err := r.startCounter(); err != nil {
		return err
	}
	if err := r.startServer(ctx); err != nil {
		return err
	}
	r.api = newAPIClient(r.rep.Target, o.AccessKey, o.SecretKey, o.Region, max(o.Concurrency, o.PreloadConcurrency)+4)
	r.metrics = &scraper{url: r.rep.Target + "/metrics", hc: &http.Client{Timeout: 5 * time.Second}, user: o.AccessKey, pass: o.SecretKey}
	if r.child != nil {
		// Let the runtime settle after start-up, as an idle server would.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	rss, _, err := r.metrics.scrape(ctx)
	if err != nil {
		return fmt.Errorf("reading the server's /metrics: %w", err)
	}
	r.rep.Server.IdleRSS = rss
	var dbPath string
	var diskBefore Disk
	if p, ok := strings.CutPrefix(r.rep.DB, "sqlite:"); ok {
		dbPath = p
		diskBefore = diskOf(p)
	}
	if r.fx, err = setup(ctx, r.api, o.Template); err != nil {
		return err
	}
	if o.Preload > 0 {
		if err := r.preload(ctx); err != nil {
			return err
		}
	}
	if err := r.load(ctx); err != nil {
		return err
	}
	if o.Describe {
		if err := r.describe(ctx); err != nil {
			return err
		}
	}
	if rss, _, err := r.metrics.scrape(ctx); err == nil {
		r.rep.Server.FinalRSS = rss
	}
	r.rep.Server.PeakRSS = r.metrics.peakRSS()
	if dbPath != "" {
		d := diskOf(dbPath)
		d.Contacts = r.created.Load()
		if d.Contacts > 0 {
			d.BytesPerContact = float64(d.DBBytes+d.WALBytes-diskBefore.DBBytes-diskBefore.WALBytes) / float64(d.Contacts)
		}
		r.rep.Disk = &d
	}
	if r.child != nil {
		r.rep.Server.HWM = r.child.peakRSS()
		r.child.stop(20 * time.Second)
		r.child = nil
	}
	if o.CompareMailpit != "" && ctx.Err() == nil {
		r.rep.Mailpit = r.mailpit(ctx)
	}
	return ctx.Err()
}

// startCounter starts the sink or prepares the relay-count URL.
func (r *runner) startCounter() error {
	o := &r.o
	switch {
	case o.Sink:
		s, err := smtpsink.Start(smtpsink.Options{Addr: o.SinkAddr})
		if err != nil {
			return fmt.Errorf("starting the SMTP sink: %w", err)
		}
		r.sink = s
		r.count = func(context.Context) (int64, error) { return s.Count(), nil }
		r.rep.Delivery = &Delivery{Source: "sink " + s.URL()}
		if o.Target != "" {
			fmt.Fprintf(o.Log, "counting SMTP sink at %s: the server at %s must relay to it (connectmail serve --smtp-relay %s)\n", s.URL(), o.Target, s.URL())
		}
	case o.RelayCountURL != "":
		hc := &http.Client{Timeout: 5 * time.Second}
		u := o.RelayCountURL
		r.count = func(ctx context.Context) (int64, error) { return fetchCount(ctx, hc, u) }
		r.rep.Delivery = &Delivery{Source: u}
	}
	return nil
}

// startServer starts the child server or checks the target.
func (r *runner) startServer(ctx context.Context) error {
	o := &r.o
	if o.Target != "" {
		r.rep.Target = strings.TrimRight(o.Target, "/")
		r.rep.DB = o.DB
		resp, err := http.Get(r.rep.Target + "/healthz")
		if err != nil {
			return fmt.Errorf("--target %s: %w", o.Target, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("--target %s: /healthz answered HTTP %d", o.Target, resp.StatusCode)
		}
		return nil
	}
	bin := o.ServerBin
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("finding the connectmail binary: %w", err)
		}
		bin = exe
	}
	db := o.DB
	if db == "" {
		dir, err := os.MkdirTemp("", "connectmail-bench-")
		if err != nil {
			return err
		}
		r.tmpDir = dir
		db = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"serve", "--addr", addr, "--db", db, "--log-level", "warn"}
	if r.sink != nil {
		args = append(args, "--smtp-relay", r.sink.URL())
	}
	args = append(args, o.ServeArgs...)
	r.rep.Child, r.rep.DB, r.rep.Target = true, db, "http://"+addr
	start := time.Now()
	p, err := startProcess("connectmail serve", bin, args...)
	if err != nil {
		return err
	}
	r.child = p
	ready, err := p.waitReady(ctx, r.rep.Target+"/healthz", 30*time.Second)
	if err != nil {
		return err
	}
	r.rep.Server.StartToReadyMs = ms(ready.Sub(start))
	return nil
}

// childPid is the child server's process id, 0 for a --target server.
func (r *runner) childPid() int {
	if r.child == nil {
		return 0
	}
	return r.child.cmd.Process.Pid
}

// pair is one CreateContact + StartOutboundEmailContact.
func (r *runner) pair(record bool) iteration {
	return func(ctx context.Context, w *worker, sched time.Time) bool {
		res, err := r.api.call(ctx, &w.buf, http.MethodPut, "/contact/create-contact", "connect", r.fx.createBody, r.fx.createHash)
		t1 := time.Now()
		if err != nil || res.status != http.StatusOK {
			w.fail(opCreate, res, err)
			return false
		}
		r.created.Add(1)
		id, ok := contactID(w.buf.Bytes())
		if !ok {
			w.fail(opCreate, result{status: res.status, errType: "unparseable response"}, nil)
			return false
		}
		w.body = r.fx.sendBody(w.body, id)
		res, err = r.api.call(ctx, &w.buf, http.MethodPut, "/contact/outbound-email", "connect", w.body, "")
		t2 := time.Now()
		if err != nil || res.status != http.StatusOK {
			w.fail(opSend, res, err)
			return false
		}
		if record {
			w.record(opCreate, t1.Sub(sched))
			w.record(opSend, t2.Sub(t1))
			w.record(opPair, t2.Sub(sched))
		}
		r.ids.add(id)
		return true
	}
}

func phaseOf(res phaseResult, serverCores, benchCores float64, ops ...opID) Phase {
	p := Phase{
		Workers: res.workers, Seconds: res.elapsed.Seconds(), Attempted: res.ok + res.failed, Succeeded: res.ok, Failed: res.failed,
		Errors: res.errs, ServerCores: serverCores, BenchCores: benchCores,
	}
	if res.elapsed > 0 {
		p.PerSec = float64(res.ok) / res.elapsed.Seconds()
	}
	for _, op := range ops {
		if res.hist[op] != nil {
			if p.Latency == nil {
				p.Latency = map[string]Latency{}
			}
			p.Latency[op.String()] = res.hist[op].summary()
		}
	}
	if h := res.hist[opLag]; h != nil {
		s := h.summary()
		p.ScheduleLag = &s
	}
	return p
}

func (r *runner) preload(ctx context.Context) error {
	o := &r.o
	live := &counters{}
	start := time.Now()
	bar := startProgress(o.Progress, "preload", func() (float64, string) {
		n := live.ok.Load()
		return float64(n) / float64(o.Preload), fmt.Sprintf("%s/%s contacts  %s/s", group(n), group(o.Preload), group(int64(float64(n)/time.Since(start).Seconds())))
	})
	res, sc, bc := runMeasured(ctx, plan{name: "preload", workers: o.PreloadConcurrency, count: o.Preload, iter: r.pair(false)}, live, r.childPid())
	bar.end()
	p := phaseOf(res, sc, bc)
	r.rep.Preload = &p
	if res.aborted != nil {
		return res.aborted
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	// Let the delivery queue empty so that the measurement starts from a quiet server.
	return r.waitQueueEmpty(ctx)
}

// waitQueueEmpty waits until the server's delivery queue is empty, giving up
// when it has not shrunk for DrainTimeout.
func (r *runner) waitQueueEmpty(ctx context.Context) error {
	best, since := int64(-1), time.Now()
	var depth int64
	bar := startProgress(r.o.Progress, "queue", func() (float64, string) {
		return -1, fmt.Sprintf("%s messages still queued", group(atomic.LoadInt64(&depth)))
	})
	defer bar.end()
	for {
		_, d, err := r.metrics.scrape(ctx)
		if err != nil {
			return err
		}
		atomic.StoreInt64(&depth, d)
		if d <= 0 {
			return nil
		}
		if best < 0 || d < best {
			best, since = d, time.Now()
		}
		if time.Since(since) > r.o.DrainTimeout {
			return fmt.Errorf("the delivery queue stayed at %d messages for %v after the preload", d, r.o.DrainTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (r *runner) load(ctx context.Context) error {
	o := &r.o
	var baseline int64
	if r.count != nil {
		n, err := r.count(ctx)
		if err != nil {
			return fmt.Errorf("reading the relay count: %w", err)
		}
		baseline = n
	}
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go r.metrics.sampleEvery(sctx, time.Second)
	live := &counters{}
	start := time.Now()
	bar := startProgress(o.Progress, "load", func() (float64, string) {
		el := time.Since(start)
		ok, failed := live.ok.Load(), live.failed.Load()
		frac := -1.0
		if o.Duration > 0 {
			frac = el.Seconds() / o.Duration.Seconds()
		}
		if o.Count > 0 {
			frac = max(frac, float64(ok+failed)/float64(o.Count))
		}
		text := fmt.Sprintf("%5.1fs  %s accepted  %s/s  %s failed", el.Seconds(), group(ok), group(int64(float64(ok)/el.Seconds())), group(failed))
		if r.sink != nil {
			text += "  " + group(r.sink.Count()-baseline) + " delivered"
		}
		return frac, text
	})
	w0, wok := r.metrics.writer(ctx)
	res, sc, bc := runMeasured(ctx, plan{name: "load", workers: o.Concurrency, rate: o.Rate, duration: o.Duration, count: o.Count, iter: r.pair(true)}, live, r.childPid())
	bar.end()
	r.rep.Load = phaseOf(res, sc, bc, opCreate, opSend, opPair)
	if w1, ok := r.metrics.writer(ctx); ok && wok {
		r.rep.Load.Writer = writerBetween(w0, w1)
	}
	if res.aborted != nil {
		return res.aborted
	}
	if r.count == nil {
		return nil
	}
	return r.drain(ctx, res, baseline)
}

// drain waits for every accepted message to reach the relay, or for delivery
// to stall for DrainTimeout.
func (r *runner) drain(ctx context.Context, res phaseResult, baseline int64) error {
	d := r.rep.Delivery
	loadEnd := res.start.Add(res.elapsed)
	n, err := r.count(ctx)
	if err != nil {
		return fmt.Errorf("reading the relay count: %w", err)
	}
	d.DuringLoad = n - baseline
	want := baseline + res.ok
	last, lastChange := n, time.Now()
	bar := startProgress(r.o.Progress, "drain", func() (float64, string) {
		got := atomic.LoadInt64(&last) - baseline
		return float64(got) / float64(max(res.ok, 1)), fmt.Sprintf("%s/%s delivered", group(got), group(res.ok))
	})
	defer bar.end()
	poll := 5 * time.Millisecond
	if r.sink == nil {
		poll = 50 * time.Millisecond
	}
	for n < want && ctx.Err() == nil {
		if time.Since(lastChange) > r.o.DrainTimeout {
			break
		}
		time.Sleep(poll)
		m, err := r.count(ctx)
		if err != nil {
			continue
		}
		if m != n {
			n, lastChange = m, time.Now()
			atomic.StoreInt64(&last, m)
		}
	}
	end := lastChange
	if n < want {
		end = time.Now()
	}
	d.Delivered = n - baseline
	d.Complete = n >= want
	d.Lost = max(res.ok-d.Delivered, 0)
	d.Extra = max(d.Delivered-res.ok, 0)
	d.DrainSeconds = max(end.Sub(loadEnd).Seconds(), 0)
	if s := end.Sub(res.start).Seconds(); s > 0 {
		d.PerSec = float64(d.Delivered) / s
	}
	return nil
}

func (r *runner) describe(ctx context.Context) error {
	ids := r.ids.snapshot()
	if len(ids) == 0 {
		return errors.New("--describe: no contact was stored to describe")
	}
	o := &r.o
	prefix := "/contacts/" + r.fx.instanceID + "/"
	live := &counters{}
	start := time.Now()
	bar := startProgress(o.Progress, "describe", func() (float64, string) {
		el := time.Since(start)
		return el.Seconds() / o.DescribeDuration.Seconds(), fmt.Sprintf("%s calls  %s/s", group(live.ok.Load()), group(int64(float64(live.ok.Load())/el.Seconds())))
	})
	res, sc, bc := runMeasured(ctx, plan{name: "describe", workers: o.DescribeConcurrency, rate: o.DescribeRate, duration: o.DescribeDuration,
		iter: func(ctx context.Context, w *worker, sched time.Time) bool {
			id := ids[w.rng.IntN(len(ids))]
			res, err := r.api.call(ctx, &w.buf, http.MethodGet, prefix+id, "connect", nil, emptyHash)
			if err != nil || res.status != http.StatusOK {
				w.fail(opDescribe, res, err)
				return false
			}
			w.record(opDescribe, time.Since(sched))
			return true
		}}, live, r.childPid())
	bar.end()
	p := phaseOf(res, sc, bc, opDescribe)
	p.Rate = o.DescribeRate
	r.rep.Describe = &p
	return res.aborted
}
