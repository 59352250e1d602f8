package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// streamProxy stands between the browser and the server and counts the
// event-stream requests open through it: what the server sees of the
// browser's live connections.
type streamProxy struct {
	url       string
	open, max atomic.Int32
}

func newStreamProxy(t *testing.T, target string) *streamProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u) // flushes text/event-stream at once
	p := &streamProxy{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/stream" {
			n := p.open.Add(1)
			defer p.open.Add(-1)
			for m := p.max.Load(); n > m && !p.max.CompareAndSwap(m, n); m = p.max.Load() {
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// TestBrowserOneStreamForAllTabs: eight tabs of the UI in one browser share
// one event stream, and every tab still shows new contacts live. With a
// stream per tab, the browser's six HTTP/1.1 connections per host are all
// held by six streams, and the seventh tab never loads.
func TestBrowserOneStreamForAllTabs(t *testing.T) {
	h := startServer(t, nil)
	proxy := newStreamProxy(t, h.url)
	b := newBrowser(t)
	ctx := context.Background()
	inst := h.setup(ctx)
	h.send(ctx, inst, "first@example.org", "Before the tabs", "<p>hi</p>")

	// Eight tabs besides the browser's first (which stays blank: closing it
	// would end the browser), so that the tab that started the stream can close.
	const n = 8
	var tabs []*browser
	var closers []func()
	for range n {
		tab, closeTab := b.newTab()
		tabs = append(tabs, tab)
		closers = append(closers, closeTab)
	}
	for i, tab := range tabs {
		tab.do(fmt.Sprintf("open tab %d", i+1), chromedp.Navigate(proxy.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#list-status")))
	}
	for i, tab := range tabs {
		tab.waitJS(fmt.Sprintf("tab %d live", i+1), `document.documentElement.dataset.live === 'up'`)
		if mode := eval[string](tab, `document.documentElement.dataset.liveMode`); mode != "shared" {
			t.Errorf("tab %d reads the stream as %q, want shared", i+1, mode)
		}
	}
	if open, peak := proxy.open.Load(), proxy.max.Load(); open != 1 || peak != 1 {
		t.Fatalf("%d tabs hold %d event streams (at most %d at once), want 1", n, open, peak)
	}

	// A new contact appears in every tab.
	appears := func(tabs []*browser, id string) {
		t.Helper()
		for i, tab := range tabs {
			tab.waitJS(fmt.Sprintf("the new row in tab %d", i+1), `document.querySelector('#contacts tr[data-id="`+id+`"]') !== null`)
		}
	}
	appears(tabs, h.send(ctx, inst, "ana@example.org", "Seen by every tab", "<p>hi</p>"))

	// Closing tabs, the one that started the stream among them, leaves the
	// others live on the same stream.
	for i := range n / 2 {
		closers[i]()
	}
	rest := tabs[n/2:]
	appears(rest, h.send(ctx, inst, "li@example.org", "Seen by the rest", "<p>hi</p>"))
	if open := proxy.open.Load(); open != 1 {
		t.Errorf("%d event streams after closing tabs, want 1", open)
	}

	// A browser without shared workers reads a stream in each tab.
	own, closeOwn := b.newTab()
	defer closeOwn()
	if _, err := chromedp.Call(own.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `delete window.SharedWorker;`}); err != nil {
		t.Fatal(err)
	}
	own.do("open a tab without shared workers", chromedp.Navigate(proxy.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS("#list-status")))
	own.waitJS("its own stream", `document.documentElement.dataset.live === 'up' && document.documentElement.dataset.liveMode === 'tab'`)
	if open := proxy.open.Load(); open != 2 {
		t.Errorf("%d event streams with one tab on its own, want 2", open)
	}
	appears(append(rest, own), h.send(ctx, inst, "jo@example.org", "Seen without a shared worker", "<p>hi</p>"))
}
