package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowPinger is a store whose Ping takes a while and fails while down is set.
type slowPinger struct {
	calls atomic.Int64
	down  atomic.Bool
}

func (p *slowPinger) Ping(ctx context.Context) error {
	p.calls.Add(1)
	select {
	case <-time.After(20 * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	if p.down.Load() {
		return errors.New("disk on fire")
	}
	return nil
}

// TestHealthzCachesTheStoreAnswer: however many /healthz requests arrive
// at once, the store is asked once per TTL; a failing store gives 503 with
// its reason.
func TestHealthzCachesTheStoreAnswer(t *testing.T) {
	t.Parallel()
	p := &slowPinger{}
	h := newHealth(p, slog.New(slog.DiscardHandler))
	h.ttl = time.Hour
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func() (int, string) {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, body := get(); st != 200 || body != "ok\n" {
				t.Errorf("healthy store: %d %q", st, body)
			}
		}()
	}
	wg.Wait()
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("50 concurrent /healthz asked the store %d times, want 1", n)
	}
	p.down.Store(true)
	h.ttl = 0 // the next request asks again
	if st, body := get(); st != 503 || body != "store unavailable: disk on fire\n" {
		t.Fatalf("failing store: %d %q", st, body)
	}
}
