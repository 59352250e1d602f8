package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMetrics checks the Prometheus metrics that issue-level monitoring relies on.
func TestMetrics(t *testing.T) {
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
