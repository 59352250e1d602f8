package server_test

import (
	"net/http"
	"testing"
	"time"
)

// TestShutdownWithOpenStream: an open event stream does not hold up shutdown.
func TestShutdownWithOpenStream(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	resp, err := http.Get(h.url + "/api/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	h.stop()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %v with a stream open", d)
	}
}
