package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsHoldNoSecretsOrBodies sends mail at debug level, with a deferral
// and a failing webhook, and checks that no log line carries the message
// body, its subject or the webhook secret.
func TestLogsHoldNoSecretsOrBodies(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	h := startServer(t, func(c *server.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.WebhookSecret = "webhook-secret-value"
		c.Webhooks = []string{"http://127.0.0.1:1/hook"}
	})
	ctx := context.Background()
	inst := h.setup(ctx)
	h.sink.Reject("customer@example.org", 451, "try later")
	cid := h.newContact(ctx, inst)
	in := sendInput(inst, cid)
	in.EmailMessage.RawMessage.Subject = aws.String("TOP-SECRET-SUBJECT")
	in.EmailMessage.RawMessage.Body = aws.String("<p>TOP-SECRET-BODY</p>")
	if _, err := h.client.StartOutboundEmailContact(ctx, in); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1) // the CC is accepted; the destination is deferred
	h.stop()
	out := logs.String()
	if !strings.Contains(out, "delivery attempt") {
		t.Fatalf("expected delivery logs, got:\n%s", out)
	}
	for _, secret := range []string{"TOP-SECRET-SUBJECT", "TOP-SECRET-BODY", "webhook-secret-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
}

// records parses JSON log output into its records.
func records(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// TestStartAndStopLogLines: the start-up line names every listener (HTTP,
// inbound SMTP and whether it offers STARTTLS), the store, the relay with
// its password masked (or capture mode) and the DKIM domains; webhooks
// without a secret are warned about; the last line is "stopped".
func TestStartAndStopLogLines(t *testing.T) {
	t.Parallel()
	cert, key, _ := pemPair(t)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	dkimKey := keyFile(t, edKey)
	for _, tc := range []struct {
		name     string
		mutate   func(*server.Config)
		want     map[string]any // attributes of the ready line ("SMTP" stands for the inbound listener's address)
		unsigned bool           // the unsigned-webhooks warning is expected
	}{
		{"capture mode, HTTP only", func(*server.Config) {},
			map[string]any{"smtp": "off", "relay": "none (capture mode)", "dkim": "none", "webhooks": 0.0}, false},
		{"everything", func(c *server.Config) {
			c.SMTPAddr, c.SMTPTLSCert, c.SMTPTLSKey = "127.0.0.1:0", cert, key
			c.SMTPRelay = "smtp://mailer:relay-pass-123@127.0.0.1:2525"
			c.DKIM = []server.DKIMConfig{{Domain: "Example.NET", Selector: "ed", KeyFile: dkimKey}, {Domain: "example.com", Selector: "s1", KeyFile: dkimKey}}
			c.Webhooks, c.WebhookSecret = []string{"http://127.0.0.1:1/hook"}, "hook-secret-456"
		}, map[string]any{"smtp": "SMTP", "smtp_starttls": true, "relay": "smtp://mailer:xxxxx@127.0.0.1:2525", "relay_tls_verify": "system roots",
			"dkim": "example.com (s1), example.net (ed)", "webhooks": 1.0}, false},
		{"inbound without TLS, unsigned webhook", func(c *server.Config) {
			c.SMTPAddr = "127.0.0.1:0"
			c.Webhooks = []string{"http://127.0.0.1:1/hook"}
		}, map[string]any{"smtp": "SMTP", "smtp_starttls": false, "webhooks": 1.0}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncBuffer
			cfg := servertest.Config(t)
			cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
			tc.mutate(&cfg)
			srv := servertest.Start(t, cfg)
			srv.Stop()
			out := logs.String()
			for _, secret := range []string{"relay-pass-123", "hook-secret-456"} {
				if strings.Contains(out, secret) {
					t.Errorf("logs contain %q:\n%s", secret, out)
				}
			}
			recs := records(t, out)
			var ready map[string]any
			unsigned := false
			for _, r := range recs {
				switch {
				case r["msg"] == "connectmail ready":
					ready = r
				case r["level"] == "WARN" && strings.Contains(r["msg"].(string), "--webhook-secret"):
					unsigned = true
				}
			}
			if ready == nil {
				t.Fatalf("no start-up line in:\n%s", out)
			}
			want := map[string]any{"http": srv.URL, "db": cfg.DB, "account": cfg.AccountID}
			for k, v := range tc.want {
				if v == "SMTP" {
					v = srv.SMTPAddr()
				}
				want[k] = v
			}
			for k, v := range want {
				if ready[k] != v {
					t.Errorf("start-up line: %s = %v, want %v (line %v)", k, ready[k], v, ready)
				}
			}
			if unsigned != tc.unsigned {
				t.Errorf("unsigned-webhook warning logged: %v, want %v:\n%s", unsigned, tc.unsigned, out)
			}
			if last := recs[len(recs)-1]; last["msg"] != "stopped" || last["level"] != "INFO" {
				t.Errorf("last line %v, want an INFO \"stopped\"", last)
			}
		})
	}
}
