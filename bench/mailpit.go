package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// mailpit starts Mailpit and drives its send API with the load phase's
// settings. Failures are reported in the result, not returned: the
// connectmail figures stand on their own.
func (r *runner) mailpit(ctx context.Context) *Mailpit {
	o := &r.o
	m := &Mailpit{Binary: o.CompareMailpit}
	dir, err := os.MkdirTemp("", "connectmail-bench-mailpit-")
	if err != nil {
		m.Error = err.Error()
		return m
	}
	defer os.RemoveAll(dir)
	httpAddr, err := freeAddr()
	if err != nil {
		m.Error = err.Error()
		return m
	}
	smtpAddr, err := freeAddr()
	if err != nil {
		m.Error = err.Error()
		return m
	}
	p, err := startProcess("mailpit", o.CompareMailpit, "--listen", httpAddr, "--smtp", smtpAddr,
		"--database", filepath.Join(dir, "mailpit.db"), "--disable-version-check", "--quiet")
	if err != nil {
		m.Error = err.Error()
		return m
	}
	defer p.stop(10 * time.Second)
	base := "http://" + httpAddr
	if _, err := p.waitReady(ctx, base+"/readyz", 30*time.Second); err != nil {
		m.Error = err.Error()
		return m
	}
	body := mustJSON(map[string]any{
		"From":    map[string]string{"Email": r.fx.from, "Name": "Example Shop"},
		"To":      []map[string]string{{"Email": customerTo, "Name": "Ana Cliente"}},
		"Subject": benchSubject,
		"HTML":    benchHTML,
	})
	hc := &http.Client{Transport: newTransport(o.Concurrency + 4), Timeout: requestTimeout}
	url := base + "/api/v1/send"
	live := &counters{}
	start := time.Now()
	bar := startProgress(o.Progress, "mailpit", func() (float64, string) {
		el := time.Since(start)
		ok := live.ok.Load()
		frac := -1.0
		if o.Duration > 0 {
			frac = el.Seconds() / o.Duration.Seconds()
		}
		if o.Count > 0 {
			frac = max(frac, float64(ok+live.failed.Load())/float64(o.Count))
		}
		return frac, fmt.Sprintf("%5.1fs  %s sent  %s/s", el.Seconds(), group(ok), group(int64(float64(ok)/el.Seconds())))
	})
	res, sc, bc := runMeasured(ctx, plan{name: "mailpit", workers: o.Concurrency, rate: o.Rate, duration: o.Duration, count: o.Count,
		iter: func(ctx context.Context, w *worker, sched time.Time) bool {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
			if err != nil {
				w.fail(opMailpit, result{}, err)
				return false
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := do(hc, req, &w.buf)
			if err != nil || res.status != http.StatusOK {
				w.fail(opMailpit, res, err)
				return false
			}
			w.record(opMailpit, time.Since(sched))
			return true
		}}, live, p.cmd.Process.Pid)
	bar.end()
	m.Phase = phaseOf(res, sc, bc, opMailpit)
	m.PeakRSS = p.peakRSS()
	if res.aborted != nil {
		m.Error = res.aborted.Error()
	}
	if m.PerSec > 0 {
		m.Ratio = r.rep.Load.PerSec / m.PerSec
	}
	return m
}

// fetchCount reads a relay's message count from url: a plain integer, or a
// JSON object with a numeric total, count or messages_count.
func fetchCount(ctx context.Context, hc *http.Client, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	return parseCount(b)
}

// CountError is a relay-count response bench cannot read.
type CountError struct{ Body string }

func (e *CountError) Error() string {
	return fmt.Sprintf("relay count: want an integer or a JSON object with total, count or messages_count, got %q", e.Body)
}

func parseCount(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return n, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err == nil {
		for _, k := range []string{"total", "count", "messages_count"} {
			var n float64
			if v, ok := obj[k]; ok && json.Unmarshal(v, &n) == nil {
				return int64(n), nil
			}
		}
	}
	s := string(b)
	if len(s) > 200 {
		s = s[:200]
	}
	return 0, &CountError{Body: s}
}
