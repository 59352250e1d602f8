package server_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/server"
)

// TestMetrics checks the Prometheus metrics that issue-level monitoring relies on.
func TestMetrics(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	for i := 0; i < 3; i++ {
		if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, h.newContact(ctx, inst))); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor(3)
	var body string
	for i := 0; i < 200; i++ { // the recorder may still be writing the last outcome
		time.Sleep(10 * time.Millisecond)
		resp, err := http.Get(h.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); strings.Contains(body, `connectmail_delivery_attempts_total{outcome="sent"} 3`) && strings.Contains(body, "connectmail_queue_depth 0") {
			break
		}
	}
	for _, want := range []string{
		`connectmail_sends_accepted_total{operation="StartOutboundEmailContact"} 3`,
		`connectmail_delivery_attempts_total{outcome="sent"} 3`,
		`connectmail_api_requests_total{operation="CreateContact",service="connect",status="200"} 3`,
		"connectmail_queue_depth 0",
		"connectmail_webhook_backlog 0",
		"connectmail_delivery_attempt_duration_seconds_bucket",
		"connectmail_api_request_duration_seconds_bucket",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, grepLines(body, "connectmail_"))
		}
	}
	// The SQLite writer: 3 CreateContact + 3 StartOutbound at least, in no
	// more transactions than writes, taking some time to run and commit.
	// A PostgreSQL store has no such writer and no such metrics.
	if os.Getenv("CONNECTMAIL_TEST_E2E_STORE") == "postgres" {
		if strings.Contains(body, "connectmail_store_writer") {
			t.Errorf("writer metrics on a PostgreSQL store:\n%s", grepLines(body, "connectmail_store"))
		}
		return
	}
	writes, batches := metricValue(body, "connectmail_store_writer_writes_total"), metricValue(body, "connectmail_store_writer_batches_total")
	exec, commit := metricValue(body, `connectmail_store_writer_seconds_total{phase="exec"}`), metricValue(body, `connectmail_store_writer_seconds_total{phase="commit"}`)
	if syncs := metricValue(body, "connectmail_store_wal_syncs_total"); syncs < 1 || syncs > batches+1 {
		t.Errorf("%v WAL fsyncs for %v commits", syncs, batches)
	}
	if writes < 6 || batches < 1 || batches > writes || exec <= 0 || commit <= 0 {
		t.Errorf("writer metrics: %v writes in %v batches, exec %vs, commit %vs:\n%s", writes, batches, exec, commit, grepLines(body, "connectmail_store"))
	}
}

// metricValue is the value of the sample named exactly name (with its
// labels), or -1 when there is none.
func metricValue(body, name string) float64 {
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") && !strings.Contains(l, "_bucket") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestProfiles: with --pprof the server serves Go runtime profiles that
// `go tool pprof` reads (gzip-compressed protocol buffers); without it, none.
func TestProfiles(t *testing.T) {
	t.Parallel()
	off := startServer(t, nil)
	if resp, err := http.Get(off.url + "/debug/pprof/heap"); err != nil || resp.StatusCode == http.StatusOK {
		t.Fatalf("profiles served without --pprof: %v %v", resp, err)
	}
	h := startServer(t, func(c *server.Config) { c.Profiling = true })
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/debug/pprof/profile?seconds=1", http.StatusOK},
		{"/debug/pprof/heap", http.StatusOK},
		{"/debug/pprof/goroutine", http.StatusOK},
		{"/debug/pprof/nonsense", http.StatusNotFound},
		{"/debug/pprof/profile?seconds=0", http.StatusBadRequest},
	} {
		resp, err := http.Get(h.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: HTTP %d, want %d", tc.path, resp.StatusCode, tc.status)
			continue
		}
		if tc.status == http.StatusOK && (len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b) {
			t.Errorf("%s: not a gzip-compressed profile (%d bytes)", tc.path, len(b))
		}
	}
}
