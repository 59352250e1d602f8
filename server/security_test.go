package server_test

import (
	"net/http"
	"testing"
	"time"
)

// TestAnonymousNeedsLoopbackHost: in loopback emulator mode the inspection API
// and UI answer only requests whose Host is a loopback name, so a web page on
// another site cannot read them through a rebound DNS name.
func TestAnonymousNeedsLoopbackHost(t *testing.T) {
	h := startServer(t, nil)
	for _, c := range []struct {
		host string
		want int
	}{
		{"", http.StatusOK}, // the listener's own 127.0.0.1:port
		{"localhost:4580", http.StatusOK},
		{"[::1]:4580", http.StatusOK},
		{"attacker.example:4580", http.StatusForbidden},
		{"attacker.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("GET", h.url+"/api/v1/messages", nil)
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("Host %q: %d, want %d", c.host, resp.StatusCode, c.want)
		}
	}
}

// TestShutdownWithOpenStream: an open event stream does not hold up shutdown.
func TestShutdownWithOpenStream(t *testing.T) {
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
