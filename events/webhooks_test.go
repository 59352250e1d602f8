package events_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/events"
)

// TestWebhookRedirectsNotFollowed: a webhook URL that answers with a
// redirect does not get the event sent on to the redirect's target: the
// delivery fails and is retried at the same URL, and the event stays
// undelivered.
func TestWebhookRedirectsNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var elsewhere atomic.Int64
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
			defer target.Close()
			var asked atomic.Int64
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked.Add(1)
				http.Redirect(w, r, target.URL+"/stolen", status)
			}))
			defer hook.Close()
			st := newStore(t)
			n := events.NewNotifier()
			var delivered atomic.Int64
			wh := &events.Webhooks{URLs: []string{hook.URL}, Secret: []byte("s"), Log: st, Cursors: st, Notifier: n, Renderer: renderer(st),
				RetryBase: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond, Poll: 20 * time.Millisecond,
				Delivered: func(string, int64) { delivered.Add(1) }}
			if err := wh.Init(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { wh.Run(ctx); close(done) }()
			addEvents(t, st, "c1", connect.EventInitiated)
			n.Notify()
			// Three attempts at the webhook URL: had the first redirect been
			// followed, the target would have been asked before the second.
			waitFor(t, func() bool { return asked.Load() >= 3 || elsewhere.Load() > 0 })
			cancel()
			<-done
			if elsewhere.Load() != 0 || delivered.Load() != 0 {
				t.Fatalf("the redirect's target got %d requests, %d deliveries counted", elsewhere.Load(), delivered.Load())
			}
			if b, err := wh.Backlog(context.Background()); err != nil || b != 1 {
				t.Fatalf("backlog %d, %v: the redirected event must stay undelivered", b, err)
			}
		})
	}
}

// TestWebhookUnsigned: without a secret no signature header is sent (an
// HMAC under an empty key would look like a signature and prove nothing).
func TestWebhookUnsigned(t *testing.T) {
	sigs := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs <- r.Header.Get("X-Connectmail-Signature")
	}))
	defer hook.Close()
	st := newStore(t)
	n := events.NewNotifier()
	wh := &events.Webhooks{URLs: []string{hook.URL}, Log: st, Cursors: st, Notifier: n, Renderer: renderer(st), Poll: 20 * time.Millisecond}
	if err := wh.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go wh.Run(ctx)
	addEvents(t, st, "c1", connect.EventInitiated)
	n.Notify()
	select {
	case sig := <-sigs:
		if sig != "" {
			t.Fatalf("unsigned webhook sent X-Connectmail-Signature: %s", sig)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
}
