package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildServer builds ./cmd/connectmail once per test binary run: bench runs
// the real server as a child process, as `connectmail bench` does.
var buildServer = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "connectmail-bench-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "connectmail")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/connectmail").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func serverBin(t *testing.T) string {
	t.Helper()
	bin, err := buildServer()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// mailpitBin is a Mailpit binary for the comparison tests, or "" when none is installed.
func mailpitBin() string {
	if p := os.Getenv("MAILPIT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// checkLatency asserts that a latency summary is internally consistent.
func checkLatency(t *testing.T, name string, l Latency, wantCount int64) {
	t.Helper()
	if l.Count != wantCount {
		t.Errorf("%s: %d latencies recorded, want %d", name, l.Count, wantCount)
	}
	if !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("%s: percentiles out of order: p50 %.3f p90 %.3f p99 %.3f max %.3f", name, l.P50, l.P90, l.P99, l.Max)
	}
	if l.Mean <= 0 || l.Mean > l.Max {
		t.Errorf("%s: mean %.3f outside (0, max %.3f]", name, l.Mean, l.Max)
	}
}

// TestBenchChildSinkJSON runs the command as a user would (flags, --json)
// against a child server relaying to bench's own sink, and checks that the
// report adds up.
func TestBenchChildSinkJSON(t *testing.T) {
	bin := serverBin(t)
	var stdout, stderr bytes.Buffer
	code := Main([]string{"--server-bin", bin, "--sink", "--concurrency", "8", "--duration", "2s", "--json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "\x1b[2K") {
		t.Error("progress bar drawn although stderr is not a terminal and --progress was not given")
	}
	var rep Report
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the JSON report does not parse: %v", err)
	}
	if !rep.Child || rep.Mode != "closed" || rep.Concurrency != 8 || rep.Message != "RAW" || !strings.HasPrefix(rep.DB, "sqlite:") {
		t.Errorf("run description wrong: child %v mode %q concurrency %d message %q db %q", rep.Child, rep.Mode, rep.Concurrency, rep.Message, rep.DB)
	}
	l := rep.Load
	if l.Workers != 8 {
		t.Errorf("load ran with %d workers, want 8", l.Workers)
	}
	if l.Succeeded <= 0 || l.Failed != 0 || l.Attempted != l.Succeeded+l.Failed {
		t.Fatalf("load: attempted %d succeeded %d failed %d, errors %+v", l.Attempted, l.Succeeded, l.Failed, l.Errors)
	}
	if l.Seconds < 2 || l.Seconds > 3 {
		t.Errorf("a 2 s load took %.2f s", l.Seconds)
	}
	if want := float64(l.Succeeded) / l.Seconds; l.PerSec < want*0.999 || l.PerSec > want*1.001 {
		t.Errorf("accepted/s %.1f, want succeeded/seconds = %.1f", l.PerSec, want)
	}
	for _, op := range []string{"CreateContact", "StartOutboundEmailContact", "pair"} {
		checkLatency(t, op, l.Latency[op], l.Succeeded)
	}
	if l.Latency["pair"].P50 < l.Latency["CreateContact"].P50 || l.Latency["pair"].Max < l.Latency["StartOutboundEmailContact"].Max {
		t.Errorf("a pair is faster than one of its calls: %+v", l.Latency)
	}
	if l.ScheduleLag != nil {
		t.Error("closed loop reports a schedule lag")
	}
	d := rep.Delivery
	if d == nil {
		t.Fatal("no delivery figures with --sink")
	}
	if !d.Complete || d.Lost != 0 || d.Delivered != l.Succeeded || d.Extra != 0 {
		t.Errorf("delivery: %+v for %d accepted", *d, l.Succeeded)
	}
	if d.PerSec <= 0 || d.DuringLoad > d.Delivered || !strings.HasPrefix(d.Source, "sink smtp://127.0.0.1:") {
		t.Errorf("delivery: %+v", *d)
	}
	s := rep.Server
	if s.StartToReadyMs <= 0 || s.StartToReadyMs > 30000 {
		t.Errorf("start to ready %.1f ms", s.StartToReadyMs)
	}
	if s.IdleRSS < 1<<20 || s.PeakRSS < s.IdleRSS/2 || s.FinalRSS < 1<<20 || s.HWM < s.IdleRSS {
		t.Errorf("RSS figures implausible: %+v", s)
	}
	if rep.Disk == nil || rep.Disk.Contacts != l.Succeeded || rep.Disk.DBBytes <= 0 || rep.Disk.BytesPerContact <= 0 {
		t.Errorf("disk: %+v for %d contacts", rep.Disk, l.Succeeded)
	}
	if l.BenchCores <= 0 || l.ServerCores <= 0 {
		t.Errorf("CPU not measured: server %.2f bench %.2f cores", l.ServerCores, l.BenchCores)
	}
	if rep.Cores < 1 || rep.Describe != nil || rep.Mailpit != nil || rep.Preload != nil {
		t.Errorf("unexpected sections: cores %d describe %v mailpit %v preload %v", rep.Cores, rep.Describe, rep.Mailpit, rep.Preload)
	}
	// The temporary database is removed with the child.
	if _, err := os.Stat(strings.TrimPrefix(rep.DB, "sqlite:")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary database %s left behind (%v)", rep.DB, err)
	}
}

// TestBenchOpenLoopTemplatePreloadDescribe covers the open-loop schedule,
// TEMPLATE messages, the preload and the DescribeContact phase in one run.
func TestBenchOpenLoopTemplatePreloadDescribe(t *testing.T) {
	bin := serverBin(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "kept.db")
	rep, err := Run(context.Background(), Options{
		ServerBin: bin, DB: db, Sink: true, Template: true,
		Rate: 300, Count: 300, Concurrency: 16,
		Preload: 200, PreloadConcurrency: 16,
		Describe: true, DescribeDuration: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mode != "open" || rep.Message != "TEMPLATE" || rep.DB != db {
		t.Errorf("mode %q message %q db %q", rep.Mode, rep.Message, rep.DB)
	}
	if p := rep.Preload; p == nil || p.Succeeded != 200 || p.Failed != 0 || p.Latency != nil {
		t.Errorf("preload: %+v", p)
	}
	l := rep.Load
	if l.Succeeded != 300 || l.Failed != 0 {
		t.Fatalf("load: %d succeeded, %d failed, errors %+v", l.Succeeded, l.Failed, l.Errors)
	}
	// 300 pairs at 300/s: the last one is scheduled at 0.997 s.
	if l.Seconds < 0.99 || l.Seconds > 5 {
		t.Errorf("300 pairs at 300/s took %.2f s", l.Seconds)
	}
	if l.ScheduleLag == nil || l.ScheduleLag.Count != 300 {
		t.Errorf("schedule lag: %+v", l.ScheduleLag)
	}
	for _, op := range []string{"CreateContact", "StartOutboundEmailContact", "pair"} {
		checkLatency(t, op, l.Latency[op], 300)
	}
	if d := rep.Delivery; d == nil || !d.Complete || d.Lost != 0 || d.Delivered != 300 {
		t.Errorf("delivery after a preload: %+v (the preload's messages must not count)", d)
	}
	dc := rep.Describe
	if dc == nil || dc.Succeeded == 0 || dc.Failed != 0 || dc.Workers != 4 {
		t.Fatalf("describe (default concurrency 4): %+v", dc)
	}
	if l.Workers != 16 {
		t.Errorf("load ran with %d workers, want 16", l.Workers)
	}
	checkLatency(t, "DescribeContact", dc.Latency["DescribeContact"], dc.Succeeded)
	if rep.Disk == nil || rep.Disk.Contacts != 500 {
		t.Errorf("disk: %+v, want 500 contacts", rep.Disk)
	}
	// A database given with --db is kept.
	if _, err := os.Stat(strings.TrimPrefix(db, "sqlite:")); err != nil {
		t.Errorf("--db file: %v", err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	for _, want := range []string{"TEMPLATE messages", "open loop at 300 pairs/s", "schedule lag", "DescribeContact", "lost 0", "bytes/contact"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
}

// startServe starts `connectmail serve` as a --target for bench.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	p, err := startProcess("connectmail serve", serverBin(t), append([]string{"serve", "--addr", addr, "--log-level", "warn",
		"--db", "sqlite:" + filepath.Join(t.TempDir(), "target.db")}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(10 * time.Second) })
	if _, err := p.waitReady(context.Background(), "http://"+addr+"/healthz", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// TestBenchTargetWithSinkAddr drives a server bench did not start, relaying
// to a sink at a fixed address.
func TestBenchTargetWithSinkAddr(t *testing.T) {
	sinkAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	target := startServe(t, "--smtp-relay", "smtp://"+sinkAddr, "--retry-base", "200ms")
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Target: target, Sink: true, SinkAddr: sinkAddr, Count: 150, Concurrency: 4, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "--smtp-relay smtp://"+sinkAddr) {
		t.Errorf("the sink's address was not announced: %q", log.String())
	}
	if rep.Child || rep.Server.StartToReadyMs != 0 || rep.Server.HWM != 0 || rep.Disk != nil || rep.Target != target {
		t.Errorf("a --target run reports child figures: %+v", rep)
	}
	if rep.Load.Succeeded != 150 || rep.Delivery == nil || rep.Delivery.Delivered != 150 || rep.Delivery.Lost != 0 {
		t.Errorf("load %+v delivery %+v", rep.Load, rep.Delivery)
	}
	if rep.Server.IdleRSS <= 0 || rep.Server.FinalRSS <= 0 {
		t.Errorf("RSS of the target not read from /metrics: %+v", rep.Server)
	}
}

// TestBenchRefusals: wrong credentials fail the setup with the server's
// error; contradictory options are usage errors.
func TestBenchRefusals(t *testing.T) {
	target := startServe(t)
	_, err := Run(context.Background(), Options{Target: target, AccessKey: "AKIDBENCH", SecretKey: "nope", Count: 1})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Op != "CreateInstance" || ae.Status != http.StatusForbidden {
		t.Errorf("unknown key: got %v, want a 403 APIError from CreateInstance", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"sink and count url", []string{"--sink", "--relay-count-url", "http://x/"}, "alternatives"},
		{"target sink without addr", []string{"--target", target, "--sink"}, "--sink-addr"},
		{"serve-arg with target", []string{"--target", target, "--serve-arg", "--concurrency=4"}, "child server"},
		{"target not a URL", []string{"--target", "127.0.0.1:1"}, "http://"},
		{"negative rate", []string{"--rate", "-1"}, "negative"},
		{"negative describe rate", []string{"--describe", "--describe-rate", "-5"}, "negative"},
		{"describe rate without describe", []string{"--describe-rate", "100"}, "needs --describe"},
		{"stray argument", []string{"now"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main(tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
		})
	}
}

// TestBenchCompareMailpitAndRelayCountURL runs Mailpit twice: as the relay
// of a --target server, counted through --relay-count-url, and as the
// comparison of --compare-mailpit.
func TestBenchCompareMailpitAndRelayCountURL(t *testing.T) {
	mp := mailpitBin()
	if mp == "" {
		t.Skip("no Mailpit binary (set MAILPIT or install github.com/axllent/mailpit)")
	}
	httpAddr, _ := freeAddr()
	smtpAddr, _ := freeAddr()
	p, err := startProcess("mailpit", mp, "--listen", httpAddr, "--smtp", smtpAddr, "--database", filepath.Join(t.TempDir(), "mp.db"),
		"--disable-version-check", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop(10 * time.Second)
	if _, err := p.waitReady(context.Background(), "http://"+httpAddr+"/readyz", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	target := startServe(t, "--smtp-relay", "smtp://"+smtpAddr)
	rep, err := Run(context.Background(), Options{Target: target, RelayCountURL: "http://" + httpAddr + "/api/v1/messages?limit=1",
		Count: 60, Concurrency: 4, CompareMailpit: mp})
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Delivery; d == nil || d.Delivered != 60 || d.Lost != 0 || !d.Complete {
		t.Errorf("delivery counted through Mailpit's API: %+v", d)
	}
	m := rep.Mailpit
	if m == nil || m.Error != "" || m.Succeeded != 60 || m.Failed != 0 {
		t.Fatalf("mailpit comparison: %+v", m)
	}
	checkLatency(t, "mailpit", m.Latency["mailpit send"], 60)
	if want := rep.Load.PerSec / m.PerSec; m.Ratio < want*0.999 || m.Ratio > want*1.001 {
		t.Errorf("ratio %.3f, want %.3f", m.Ratio, want)
	}
	if m.PeakRSS <= 0 {
		t.Error("Mailpit's VmHWM not read")
	}
}

// TestTemplatesUnavailable: --template against a server without the wisdom
// API fails with ErrTemplatesUnavailable. Every connectmail build now serves
// that API, so an HTTP handler stands in for an older server here.
func TestTemplatesUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", "UnknownOperationException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"no such operation"}`)
	}))
	defer srv.Close()
	f := &fixture{}
	err := f.setupTemplate(context.Background(), newAPIClient(srv.URL, "test", "test", "us-east-1", 1))
	if !errors.Is(err, ErrTemplatesUnavailable) {
		t.Errorf("got %v, want ErrTemplatesUnavailable", err)
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"42\n", 42, false},
		{`{"total":7,"unread":7}`, 7, false},
		{`{"count":3}`, 3, false},
		{`{"messages_count":12,"total":99}`, 99, false},
		{`{"messages":[]}`, 0, true},
		{"forty-two", 0, true},
	} {
		got, err := parseCount([]byte(tc.in))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseCount(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
		var ce *CountError
		if tc.err && !errors.As(err, &ce) {
			t.Errorf("parseCount(%q): error %T, want *CountError", tc.in, err)
		}
	}
}

// TestBenchDescribeOpenLoop: --describe-rate calls DescribeContact at a fixed
// rate, each call's latency counted from its scheduled time.
func TestBenchDescribeOpenLoop(t *testing.T) {
	target := startServe(t)
	rep, err := Run(context.Background(), Options{Target: target, Count: 50, Concurrency: 8,
		Describe: true, DescribeRate: 200, DescribeDuration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	dc := rep.Describe
	if dc == nil || dc.Rate != 200 || dc.Workers != 16 || dc.Failed != 0 {
		t.Fatalf("describe: %+v", dc)
	}
	// 1 s at 200/s: calls scheduled at 0, 5 ms, ... 995 ms.
	if dc.Succeeded != 200 || dc.Seconds < 0.99 || dc.Seconds > 5 {
		t.Errorf("%d calls in %.2f s, want 200 in about 1 s", dc.Succeeded, dc.Seconds)
	}
	if dc.ScheduleLag == nil || dc.ScheduleLag.Count != 200 {
		t.Errorf("schedule lag: %+v", dc.ScheduleLag)
	}
	checkLatency(t, "DescribeContact", dc.Latency["DescribeContact"], 200)
	var text bytes.Buffer
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "open loop at 200/s") {
		t.Errorf("text report:\n%s", text.String())
	}
}
