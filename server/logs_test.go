package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/connectmail/connectmail/server"
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
