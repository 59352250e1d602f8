package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/ui"
)

// TestBrowserInboundContact: a customer's mail received over SMTP shows its
// customer in the list (not our own address), says on its page that it was
// received rather than waiting for delivery, and quotes a display name with
// a comma as RFC 5322 does, so that it reads as one mailbox.
func TestBrowserInboundContact(t *testing.T) {
	h := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	b := newBrowser(t)
	ctx := context.Background()
	inst := h.setup(ctx)
	out := h.send(ctx, inst, "ana@example.org", "Your order 42", "<p>Shipped.</p>")
	h.sinkWait(1)
	in := h.receive("ana@example.org", "support@example.com", "From: \"Ana, Example Inc.\" <ana@example.org>\r\nTo: Acme Support <support@example.com>\r\n"+
		"Subject: Re: Your order 42\r\nMessage-ID: <inbound-1@example.org>\r\nIn-Reply-To: <"+out+"@example.com>\r\n\r\nThanks!\r\n")
	dora := h.receive("dora@example.net", "support@example.com", "From: Dora <dora@example.net>\r\nTo: support@example.com\r\n"+
		"Subject: A question\r\nMessage-ID: <inbound-2@example.net>\r\n\r\nHello?\r\n")

	b.do("open the contacts page", chromedp.Navigate(h.url+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#contacts tr[data-id="`+dora+`"]`)))
	for _, c := range []struct{ id, text, title string }{
		{out, "ana@example.org", "Ana Cliente <ana@example.org>"},
		{in, "ana@example.org", `"Ana, Example Inc." <ana@example.org>`},
		{dora, "dora@example.net", "Dora <dora@example.net>"},
	} {
		cell := `document.querySelector('#contacts tr[data-id="` + c.id + `"] td.customer')`
		if got := eval[string](b, cell+`.textContent`); got != c.text {
			t.Errorf("customer of %s = %q, want %q", c.id, got, c.text)
		}
		if got := eval[string](b, cell+`.title`); got != c.title {
			t.Errorf("customer title of %s = %q, want %q", c.id, got, c.title)
		}
	}

	b.do("open the inbound contact", chromedp.Navigate(h.url+"/ui/contacts/"+in), chromedp.WaitVisible(chromedp.CSS("#no-attempts")))
	if got := eval[string](b, `document.getElementById('no-attempts').textContent`); got != "Received by inbound SMTP; no delivery — this contact came in." {
		t.Errorf("attempts section = %q", got)
	}
	envelope := eval[string](b, `[...document.querySelectorAll('#envelope dt')].map((dt) => dt.textContent + ': ' + dt.nextElementSibling.textContent).join('\n')`)
	for _, want := range []string{`From: "Ana, Example Inc." <ana@example.org>`, `To: Acme Support <support@example.com>`, `Customer: "Ana, Example Inc." <ana@example.org>`} {
		if !strings.Contains(envelope, want) {
			t.Errorf("envelope lacks %q:\n%s", want, envelope)
		}
	}
	if got := eval[string](b, `(document.querySelector('table.related tr[data-id="`+out+`"] td.relation') || {}).textContent || ''`); got != "Related" {
		t.Errorf("the contact it replies to is listed as %q", got)
	}
	b.shot("contact-inbound")

	// The contact replied to lists its reply; the label follows the API's relation.
	b.do("open the outbound contact", chromedp.Navigate(h.url+"/ui/contacts/"+out), chromedp.WaitVisible(chromedp.CSS("#timeline")))
	rel := eval[string](b, `(document.querySelector('table.related tr[data-id="`+in+`"]') || {dataset: {}}).dataset.relation || ''`)
	label := eval[string](b, `(document.querySelector('table.related tr[data-id="`+in+`"] td.relation') || {}).textContent || ''`)
	if rel != "reply" || label != "Reply" {
		t.Errorf("the reply is listed as %q, labelled %q; want relation reply, label Reply", rel, label)
	}
	if eval[bool](b, `document.querySelector('table.related tr[data-id="`+dora+`"]') !== null`) {
		t.Error("another customer's contact is listed as related (issue 13 item 1)")
	}
}

// contractAPI is a stand-in for the inspection API that serves what
// CONTRACTS.md promises: the customer field, class "config" attempts, parts
// with a truncated member and reply relations. It checks that the UI renders
// them, whatever the server of the day sends.
func contractAPI(t *testing.T) string {
	t.Helper()
	summary := func(id, method, state, from, to, customer, subject string) string {
		s := fmt.Sprintf(`"contactId":%q,"instanceId":"11111111-2222-4333-8444-555555555555","initiationMethod":%q,"state":%q,`+
			`"from":{"Address":%q},"to":{"Address":%q},"subject":%q,"initiatedAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05Z"`,
			id, method, state, from, to, subject)
		if customer != "" {
			s += `,"customer":` + customer
		}
		return "{" + s
	}
	// c1's customer differs from its To only so that the test sees which of them the UI shows.
	c1 := summary("c1", "OUTBOUND", "QUEUED", "support@example.com", "list@example.org", `{"address":"ana@example.org","displayName":"Support, Example \"West\" Inc."}`, "Relay trouble")
	c2 := summary("c2", "INBOUND", "RECEIVED", "ana@example.org", "support@example.com", `{"address":"ana@example.org"}`, "Re: Relay trouble")
	c3 := summary("c3", "OUTBOUND", "SENT", "support@example.com", "ana@example.org", "", "Older")
	routes := map[string]string{
		"/api/v1/instances": `{"instances":[]}`,
		"/api/v1/messages":  `{"messages":[` + c1 + `},` + c2 + `},` + c3 + `}]}`,
		"/api/v1/messages/c1": c1 + `,"size":100,"events":[],"attempts":[` +
			`{"n":1,"startedAt":"2026-01-02T03:04:06Z","finishedAt":"2026-01-02T03:04:06Z","outcome":"deferred","detail":"tls: failed to verify certificate: x509: certificate signed by unknown authority","class":"config"},` +
			`{"n":2,"startedAt":"2026-01-02T03:05:06Z","finishedAt":"2026-01-02T03:05:06Z","outcome":"deferred","code":421,"detail":"try again later"}]}`,
		"/api/v1/messages/c2":         c2 + `,"size":100,"events":[],"attempts":[]}`,
		"/api/v1/messages/c1/parts":   `{"headers":[],"text":"hi","html":"","attachments":[],"structure":[],"remoteContent":0,"truncated":{"depth":true,"parts":true}}`,
		"/api/v1/messages/c2/parts":   `{"headers":[],"text":"hi","html":"","attachments":[],"structure":[],"remoteContent":0}`,
		"/api/v1/messages/c1/related": `{"related":[{"relation":"reply","contactId":"c2","contact":` + c2 + `}},{"relation":"sameCustomer","contactId":"c3","contact":` + c3 + `}}]}`,
		"/api/v1/messages/c2/related": `{"related":[{"relation":"related","contactId":"c1","contact":` + c1 + `}}]}`,
	}
	mux := http.NewServeMux()
	mux.Handle(ui.Prefix, ui.Handler())
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			fmt.Fprint(w, ": position 0\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case strings.HasSuffix(r.URL.Path, "/html"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<p>hi</p>")
		case routes[r.URL.Path] != "":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, routes[r.URL.Path])
		default:
			http.Error(w, `{"error":"not found"}`, 404)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowserContactContract renders the inspection API's contract fields.
func TestBrowserContactContract(t *testing.T) {
	chromium(t)
	base := contractAPI(t)
	b := newBrowser(t)
	b.do("open the list", chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#contacts tr[data-id="c3"]`)))
	for _, c := range []struct{ id, text, title string }{
		{"c1", "ana@example.org", `"Support, Example \"West\" Inc." <ana@example.org>`},
		{"c2", "ana@example.org", "ana@example.org"},
		{"c3", "ana@example.org", "ana@example.org"}, // no customer field: To of an outbound contact
	} {
		cell := `document.querySelector('#contacts tr[data-id="` + c.id + `"] td.customer')`
		if got, title := eval[string](b, cell+`.textContent`), eval[string](b, cell+`.title`); got != c.text || title != c.title {
			t.Errorf("customer of %s = %q (%q), want %q (%q)", c.id, got, title, c.text, c.title)
		}
	}
	if got := eval[string](b, `[...document.querySelectorAll('#contacts thead th')].map((th) => th.textContent).join(',')`); got != "Time,State,From,Customer,Subject,Instance" {
		t.Errorf("columns = %s", got)
	}

	b.do("open c1", chromedp.Navigate(base+"/ui/contacts/c1"), chromedp.WaitVisible(chromedp.CSS("table.attempts")))
	if got := eval[string](b, `[...document.querySelectorAll('table.attempts tbody tr')].map((tr) => tr.className).join(',')`); got != "attempt attempt-config,attempt" {
		t.Errorf("attempt rows = %s", got)
	}
	if got := eval[string](b, `document.querySelector('tr.attempt-config').textContent`); !strings.Contains(got, "configuration error") || !strings.Contains(got, "certificate signed by unknown authority") {
		t.Errorf("the configuration error reads %q", got)
	}
	hi := eval[string](b, `getComputedStyle(document.querySelector('tr.attempt-config td')).backgroundColor`)
	if plain := eval[string](b, `getComputedStyle(document.querySelector('tr.attempt:not(.attempt-config) td')).backgroundColor`); hi == plain {
		t.Errorf("the configuration error is not highlighted: background %s, like the other attempt", hi)
	}
	if got := eval[string](b, `(document.getElementById('parts-truncated') || {}).textContent || ''`); !strings.Contains(got, "nested deeper") || !strings.Contains(got, "on their number") {
		t.Errorf("truncated notice = %q", got)
	}
	if got := eval[string](b, `[...document.querySelectorAll('table.related tbody tr')].map((tr) => tr.querySelector('td.relation').textContent + ' ' + tr.dataset.id).join(', ')`); got != "Reply c2, Same customer c3" {
		t.Errorf("related = %s", got)
	}
	b.shot("contact-contract")

	b.do("open c2", chromedp.Navigate(base+"/ui/contacts/c2"), chromedp.WaitVisible(chromedp.CSS("#no-attempts")))
	if got := eval[string](b, `document.getElementById('no-attempts').textContent`); got != "Received by inbound SMTP; no delivery — this contact came in." {
		t.Errorf("inbound attempts = %q", got)
	}
	if eval[bool](b, `document.getElementById('parts-truncated') !== null`) {
		t.Error("a truncated notice without a truncated member")
	}
}
