package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Cursors stores each webhook's position in the event log.
type Cursors interface {
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, id int64) error
}

// Webhooks delivers every event, in order and at least once, to each URL as
// a JSON POST of its envelope. The body is signed with HMAC-SHA256 under
// Secret: header X-Connectmail-Signature: sha256=<hex> (no header without a
// Secret). A URL that fails is retried with exponential backoff and jitter;
// it never holds up the API or the other URLs. Redirects are never followed:
// a 3xx answer is a failed delivery, retried like any other, so a webhook
// URL cannot send the events (or the requests) anywhere else.
type Webhooks struct {
	URLs     []string
	Secret   []byte
	Log      Log
	Cursors  Cursors
	Notifier *Notifier
	Renderer *Renderer
	// Client makes the requests (default: a 15 s timeout); its CheckRedirect
	// is replaced, since redirects are never followed.
	Client *http.Client
	Logger *slog.Logger
	// Poll re-reads the log without a notification (default 1s).
	Poll time.Duration
	// RetryBase and RetryMax bound the backoff (defaults 1s and 5m).
	RetryBase, RetryMax time.Duration
	// Delivered is called after each successful POST (metrics, tests).
	Delivered func(url string, eventID int64)
	// Exclusive, when set, makes one process at a time deliver to each URL
	// when several share the event log: it blocks until this process holds
	// the named role (or ctx ends) and returns a context that ends when the
	// role is lost or release is called. Nil: this process always delivers.
	Exclusive func(ctx context.Context, name string) (held context.Context, release func(), err error)
}

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header value in constant time.
func Verify(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

func cursorName(url string) string { return "webhook:" + url }

// Init positions every webhook that has no cursor yet at the current end of the
// log, so that a newly configured URL receives events from now on.
func (w *Webhooks) Init(ctx context.Context) error {
	last, err := w.Log.LastEventID(ctx)
	if err != nil {
		return err
	}
	for _, u := range w.URLs {
		pos, err := w.Cursors.Cursor(ctx, cursorName(u))
		if err != nil {
			return err
		}
		if pos == 0 && last > 0 {
			if err := w.Cursors.SetCursor(ctx, cursorName(u), last); err != nil {
				return err
			}
		}
	}
	return nil
}

// Backlog is the number of events not yet delivered to the slowest URL.
func (w *Webhooks) Backlog(ctx context.Context) (int64, error) {
	last, err := w.Log.LastEventID(ctx)
	if err != nil {
		return 0, err
	}
	var worst int64
	for _, u := range w.URLs {
		pos, err := w.Cursors.Cursor(ctx, cursorName(u))
		if err != nil {
			return 0, err
		}
		if last-pos > worst {
			worst = last - pos
		}
	}
	return worst, nil
}

// Run delivers until ctx ends.
func (w *Webhooks) Run(ctx context.Context) {
	if w.Client == nil {
		w.Client = &http.Client{Timeout: 15 * time.Second}
	}
	c := *w.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.Client = &c
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
	if w.Poll <= 0 {
		w.Poll = time.Second
	}
	if w.RetryBase <= 0 {
		w.RetryBase = time.Second
	}
	if w.RetryMax <= 0 {
		w.RetryMax = 5 * time.Minute
	}
	var wg sync.WaitGroup
	for _, u := range w.URLs {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			w.runURL(ctx, u)
		}(u)
	}
	wg.Wait()
}

func (w *Webhooks) runURL(ctx context.Context, url string) {
	if w.Exclusive == nil {
		w.serveURL(ctx, url)
		return
	}
	for ctx.Err() == nil {
		held, release, err := w.Exclusive(ctx, cursorName(url))
		if err != nil {
			if ctx.Err() == nil {
				w.Logger.Error("taking the webhook delivery role failed", "url", url, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(w.Poll):
				}
			}
			continue
		}
		w.serveURL(held, url)
		release()
	}
}

// serveURL delivers the events for one URL until ctx ends.
func (w *Webhooks) serveURL(ctx context.Context, url string) {
	name := cursorName(url)
	for ctx.Err() == nil {
		wait := w.Notifier.Wait()
		pos, err := w.Cursors.Cursor(ctx, name)
		if err == nil {
			var evs []eventRef
			evs, err = w.pending(ctx, pos)
			for _, e := range evs {
				if !w.deliver(ctx, url, e) {
					return
				}
				if err := w.Cursors.SetCursor(context.WithoutCancel(ctx), name, e.id); err != nil {
					w.Logger.Error("saving webhook position failed", "url", url, "err", err)
				}
			}
			if err == nil && len(evs) == 100 {
				continue
			}
		}
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("reading the event log failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wait:
		case <-time.After(w.Poll):
		}
	}
}

type eventRef struct {
	id   int64
	body []byte
}

func (w *Webhooks) pending(ctx context.Context, pos int64) ([]eventRef, error) {
	evs, err := w.Log.ListEventsSince(ctx, pos, 100)
	if err != nil {
		return nil, err
	}
	out := make([]eventRef, 0, len(evs))
	for _, e := range evs {
		b, err := json.Marshal(w.Renderer.Render(ctx, e))
		if err != nil {
			return nil, err
		}
		out = append(out, eventRef{id: e.ID, body: b})
	}
	return out, nil
}

// deliver posts one event until it is accepted; false means ctx ended first.
func (w *Webhooks) deliver(ctx context.Context, url string, e eventRef) bool {
	delay := w.RetryBase
	for attempt := 1; ; attempt++ {
		err := w.post(ctx, url, e)
		if err == nil {
			if w.Delivered != nil {
				w.Delivered(url, e.id)
			}
			return true
		}
		w.Logger.Warn("webhook delivery failed; will retry", "url", url, "event", e.id, "attempt", attempt, "err", err)
		sleep := delay/2 + time.Duration(rand.Int64N(int64(delay/2)+1))
		select {
		case <-ctx.Done():
			return false
		case <-time.After(sleep):
		}
		if delay *= 2; delay > w.RetryMax {
			delay = w.RetryMax
		}
	}
}

func (w *Webhooks) post(ctx context.Context, url string, e eventRef) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(e.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "connectmail-webhooks/1")
	req.Header.Set("X-Connectmail-Event-Id", strconv.FormatInt(e.id, 10))
	if len(w.Secret) > 0 {
		req.Header.Set("X-Connectmail-Signature", Sign(w.Secret, e.body))
	}
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return fmt.Errorf("status %d: a redirect (to %q), not followed", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
