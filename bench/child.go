package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tail keeps the last bytes written to it (a child's stderr).
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// process is a child process started by bench (the connectmail server or Mailpit).
type process struct {
	name   string
	cmd    *exec.Cmd
	stderr *tail
	exited chan struct{}
	err    error
}

// ChildError is a child process that failed to start or become ready.
type ChildError struct {
	Name   string
	Err    error
	Stderr string
}

func (e *ChildError) Error() string {
	s := fmt.Sprintf("%s: %v", e.Name, e.Err)
	if t := strings.TrimSpace(e.Stderr); t != "" {
		s += "\n" + t
	}
	return s
}

func (e *ChildError) Unwrap() error { return e.Err }

func startProcess(name, exe string, args ...string) (*process, error) {
	cmd := exec.Command(exe, args...)
	p := &process{name: name, cmd: cmd, stderr: &tail{max: 8 << 10}, exited: make(chan struct{})}
	cmd.Stdout = p.stderr
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, &ChildError{Name: name, Err: err}
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady polls url until it answers 200 and returns when it did.
func (p *process) waitReady(ctx context.Context, url string, timeout time.Duration) (time.Time, error) {
	hc := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case <-p.exited:
			return time.Time{}, &ChildError{Name: p.name, Err: fmt.Errorf("exited before it was ready: %v", p.err), Stderr: p.stderr.String()}
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return time.Time{}, &ChildError{Name: p.name, Err: fmt.Errorf("not ready after %v", timeout), Stderr: p.stderr.String()}
		}
	}
}

// stop asks the process to shut down gracefully and kills it after grace.
func (p *process) stop(grace time.Duration) {
	select {
	case <-p.exited:
		return
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// peakRSS is the process's high-water resident set (VmHWM) from /proc, 0 when unknown.
func (p *process) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// metricValue returns the value of a sample in Prometheus text format, named
// as printed: the metric name with its labels, if any.
func metricValue(body []byte, name string) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || rest[0] != ' ' {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		return v, true
	}
	return 0, false
}

// scraper reads the server's /metrics.
type scraper struct {
	url        string
	hc         *http.Client
	user, pass string
	mu         sync.Mutex
	peak       int64
}

// ErrNoMetric is a /metrics page without the metric asked for.
var ErrNoMetric = errors.New("metric not found")

// fetch returns the /metrics page.
func (s *scraper) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(s.user, s.pass)
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", s.url, resp.StatusCode)
	}
	return body, nil
}

// writerSample is a reading of the store writer's counters (SQLite only).
type writerSample struct {
	at                   time.Time
	batches, writes      float64
	execSecs, commitSecs float64
	syncs                float64
}

// writer reads the store writer's counters; ok=false when the server has
// none (PostgreSQL) or /metrics could not be read.
func (s *scraper) writer(ctx context.Context) (writerSample, bool) {
	body, err := s.fetch(ctx)
	if err != nil {
		return writerSample{}, false
	}
	w := writerSample{at: time.Now()}
	var ok [4]bool
	w.batches, ok[0] = metricValue(body, "connectmail_store_writer_batches_total")
	w.writes, ok[1] = metricValue(body, "connectmail_store_writer_writes_total")
	w.execSecs, ok[2] = metricValue(body, `connectmail_store_writer_seconds_total{phase="exec"}`)
	w.commitSecs, ok[3] = metricValue(body, `connectmail_store_writer_seconds_total{phase="commit"}`)
	w.syncs, _ = metricValue(body, "connectmail_store_wal_syncs_total")
	return w, ok == [4]bool{true, true, true, true}
}

func (s *scraper) scrape(ctx context.Context) (rss, depth int64, err error) {
	body, err := s.fetch(ctx)
	if err != nil {
		return 0, 0, err
	}
	r, ok := metricValue(body, "process_resident_memory_bytes")
	if !ok {
		return 0, 0, fmt.Errorf("process_resident_memory_bytes: %w", ErrNoMetric)
	}
	d, ok := metricValue(body, "connectmail_queue_depth")
	if !ok {
		d = -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(r) > s.peak {
		s.peak = int64(r)
	}
	return int64(r), int64(d), nil
}

// sampleEvery scrapes every interval until ctx ends, keeping the peak RSS.
func (s *scraper) sampleEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _, _ = s.scrape(ctx)
		}
	}
}

func (s *scraper) peakRSS() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Disk is the size of a SQLite database on disk.
type Disk struct {
	Path     string `json:"path"`
	DBBytes  int64  `json:"db_bytes"`
	WALBytes int64  `json:"wal_bytes"`
	SHMBytes int64  `json:"shm_bytes"`
	// Contacts is how many contacts this run stored (preload included).
	Contacts int64 `json:"contacts"`
	// BytesPerContact is the growth of the database and its WAL divided by Contacts.
	BytesPerContact float64 `json:"bytes_per_contact"`
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func diskOf(path string) Disk {
	return Disk{Path: path, DBBytes: fileSize(path), WALBytes: fileSize(path + "-wal"), SHMBytes: fileSize(path + "-shm")}
}

// cpuTime is the CPU time (user + system, all threads) process pid has used,
// from /proc/<pid>/stat; false where /proc is not available.
func cpuTime(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// USER_HZ is 100 on every Linux architecture Go supports.
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}
