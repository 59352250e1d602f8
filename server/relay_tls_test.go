package server_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/relay"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
	"github.com/connectmail/connectmail/testpki"
)

// attemptsOf is the delivery attempts of a contact, from the inspection API.
func (h *harness) attemptsOf(contactID string) []struct {
	Outcome, Detail, Class string
	Code                   int
} {
	h.t.Helper()
	var d struct {
		Attempts []struct {
			Outcome, Detail, Class string
			Code                   int
		}
	}
	h.getJSON("/api/v1/messages/"+contactID, &d)
	return d.Attempts
}

// metrics is the body of /metrics.
func (h *harness) metrics() string {
	h.t.Helper()
	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestRelayTLS relays to a real TLS relay — an in-process go-smtp server
// whose certificate comes from a CA made in the test — over STARTTLS and
// smtps. Without the CA the relay's certificate is refused: the attempt is
// deferred as a configuration error, which the inspection API, the log (with
// its reason, as an error) and the metrics show; the recipient is not
// bounced. With --smtp-relay-ca, or with verification turned off, the mail is
// delivered, and the relay hears the configured EHLO name.
func TestRelayTLS(t *testing.T) {
	t.Parallel()
	ca := testpki.NewCA(t, "Example Corp Private CA")
	caFile := ca.WriteFile(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{ca.Issue(t, testpki.Leaf{Hosts: []string{"127.0.0.1"}})}}
	hostname, _ := os.Hostname()
	if relay.CheckHelloName(hostname) != nil {
		hostname = relay.DefaultHelloName
	}
	tests := []struct {
		name     string
		mutate   func(*server.Config)
		delivers bool
		helo     string // what the relay must hear
	}{
		{"system roots", func(*server.Config) {}, false, ""},
		{"--smtp-relay-ca", func(c *server.Config) { c.SMTPRelayCA = caFile; c.SMTPHelo = "mta-1.example.net" }, true, "mta-1.example.net"},
		{"insecure", func(c *server.Config) { c.SMTPRelayInsecureSkipVerify = true; c.SMTPHelo = "[127.0.0.1]" }, true, "[127.0.0.1]"},
		{"default EHLO name", func(c *server.Config) { c.SMTPRelayCA = caFile }, true, hostname},
	}
	for _, mode := range []struct {
		name     string
		implicit bool
	}{{"STARTTLS", false}, {"smtps", true}} {
		for _, tc := range tests {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				sink := servertest.Sink(t, smtpsink.Options{Keep: true, TLS: serverTLS, ImplicitTLS: mode.implicit})
				var logs syncBuffer
				h := startServer(t, func(c *server.Config) {
					c.SMTPRelay = sink.URL()
					c.RetryBase = time.Hour // one attempt is what is looked at
					c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
					tc.mutate(c)
				})
				h.sink = sink
				ctx := context.Background()
				inst := h.setup(ctx)
				cid := h.newContact(ctx, inst)
				if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
					t.Fatal(err)
				}
				if tc.delivers {
					h.waitFor(1)
					m := sink.Messages()[0]
					if !m.TLS || m.Hello != tc.helo || tc.helo == "" {
						t.Fatalf("relay got a message over TLS %v after EHLO %q, want TLS after EHLO %q", m.TLS, m.Hello, tc.helo)
					}
					if tc.name == "insecure" && !strings.Contains(logs.String(), "RELAY TLS CERTIFICATES ARE NOT VERIFIED") {
						t.Errorf("no warning that verification is off:\n%s", logs.String())
					}
					return
				}
				// The attempt is logged right after it is recorded.
				deadline := time.Now().Add(20 * time.Second)
				for len(h.attemptsOf(cid)) == 0 || !strings.Contains(logs.String(), "contact="+cid) {
					if time.Now().After(deadline) {
						t.Fatalf("no delivery attempt recorded and logged; logs:\n%s", logs.String())
					}
					time.Sleep(20 * time.Millisecond)
				}
				a := h.attemptsOf(cid)[0]
				if a.Outcome != "deferred" || a.Class != "config" || a.Code != 0 ||
					!strings.Contains(a.Detail, "x509: certificate signed by unknown authority") ||
					!strings.Contains(a.Detail, `issued by "CN=Example Corp Private CA`) || !strings.Contains(a.Detail, "--smtp-relay-ca") {
					t.Errorf("attempt %+v, want a deferral of class config that names the certificate problem and the fix", a)
				}
				out := logs.String()
				var line string
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, "contact="+cid) && strings.Contains(l, "outcome=deferred") {
						line = l
					}
				}
				if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "class=config") || !strings.Contains(line, "certificate signed by unknown authority") {
					t.Errorf("the deferral's log line %q does not say it is a configuration error and why; logs:\n%s", line, out)
				}
				body := h.metrics()
				if v := metricValue(body, `connectmail_delivery_failures_total{class="config"}`); v != 1 {
					t.Errorf("config failures metric = %v:\n%s", v, grepLines(body, "connectmail_delivery"))
				}
				if v := metricValue(body, `connectmail_delivery_failures_total{class="permanent"}`); v != 0 {
					t.Errorf("permanent failures metric = %v", v)
				}
				if sink.Count() != 0 {
					t.Error("a message went to a relay whose certificate was refused")
				}
			})
		}
	}
}
