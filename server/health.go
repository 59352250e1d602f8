package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// pinger is implemented by stores that can tell whether they are usable
// (both of connectmail's stores do).
type pinger interface {
	Ping(ctx context.Context) error
}

// Health timings: how long a store's answer is reused, and how long it may take.
const (
	healthTTL     = 2 * time.Second
	healthTimeout = 2 * time.Second
)

// health answers /healthz: 200 "ok" while the store answers, 503 with the
// reason when it does not. The store is asked at most once per healthTTL
// however often /healthz is called, so the endpoint cannot load the
// database; callers that arrive while a check runs wait for its answer.
type health struct {
	store pinger // nil: nothing to check
	log   *slog.Logger
	ttl   time.Duration
	mu    sync.Mutex
	at    time.Time
	err   error
	// checks counts the store pings made (tests).
	checks int
}

// check returns the store's state, asking it when the last answer is stale.
func (h *health) check(ctx context.Context) error {
	if h.store == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && time.Since(h.at) < h.ttl {
		return h.err
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthTimeout)
	defer cancel()
	err := h.store.Ping(pctx)
	h.checks++
	switch {
	case err != nil && h.err == nil:
		h.log.Error("store unhealthy: /healthz answers 503", "err", err)
	case err == nil && h.err != nil:
		h.log.Info("store healthy again", "was", h.err)
	}
	h.at, h.err = time.Now(), err
	return err
}

// ServeHTTP implements http.Handler.
func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := h.check(r.Context()); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("store unavailable: " + err.Error() + "\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// newHealth returns the /healthz handler of store.
func newHealth(store any, log *slog.Logger) *health {
	h := &health{log: log.With("component", "health"), ttl: healthTTL}
	if p, ok := store.(pinger); ok {
		h.store = p
	}
	return h
}
