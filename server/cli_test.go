package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAWSCLIWalkthrough drives the README walk-through with the real aws CLI.
func TestAWSCLIWalkthrough(t *testing.T) {
	t.Parallel()
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws CLI is not installed; skipping the CLI walk-through")
	}
	h := startServer(t, nil)
	cli := func(args ...string) (map[string]any, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsBin, append([]string{"--endpoint-url", h.url, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var m map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if jerr := json.Unmarshal(out, &m); jerr != nil {
				t.Fatalf("aws %v: %v: %s", args, jerr, out)
			}
		}
		return m, stderr.String(), err
	}
	must := func(args ...string) map[string]any {
		m, stderr, err := cli(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, stderr)
		}
		return m
	}
	inst := must("connect", "create-instance", "--identity-management-type", "CONNECT_MANAGED", "--instance-alias", "cli-demo",
		"--inbound-calls-enabled", "--outbound-calls-enabled")["Id"].(string)
	must("connect", "create-email-address", "--instance-id", inst, "--email-address", "support@example.com", "--display-name", "Example Support")
	if _, stderr, err := cli("connect", "create-email-address", "--instance-id", inst, "--email-address", "SUPPORT@example.com"); err == nil || !strings.Contains(stderr, "DuplicateResourceException") {
		t.Fatalf("duplicate address: %v %s", err, stderr)
	}
	cid := must("connect", "create-contact", "--instance-id", inst, "--channel", "EMAIL", "--initiation-method", "OUTBOUND",
		"--user-info", "UserId=agent-1")["ContactId"].(string)
	msg := `{"MessageSourceType":"RAW","RawMessage":{"Subject":"Your order","Body":"It shipped.","ContentType":"text/plain"}}`
	out := must("connect", "start-outbound-email-contact", "--instance-id", inst, "--contact-id", cid,
		"--from-email-address", "EmailAddress=support@example.com",
		"--destination-email-address", "EmailAddress=customer@example.org,DisplayName=Ana", "--email-message", msg)
	if out["ContactId"] != cid {
		t.Fatalf("ContactId = %v", out["ContactId"])
	}
	h.waitFor(1)
	if got := string(h.sink.Messages()[0].Data); !strings.Contains(got, "It shipped.") || !strings.Contains(got, "To: Ana <customer@example.org>") {
		t.Fatalf("delivered message:\n%s", got)
	}
	d := must("connect", "describe-contact", "--instance-id", inst, "--contact-id", cid)["Contact"].(map[string]any)
	if d["Channel"] != "EMAIL" || d["CustomerEndpoint"].(map[string]any)["Address"] != "customer@example.org" {
		t.Fatalf("describe-contact: %v", d)
	}
	// Errors as the CLI reports them.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"connect", "start-outbound-email-contact", "--instance-id", inst, "--contact-id", cid,
			"--destination-email-address", "EmailAddress=bad", "--email-message", msg}, "InvalidRequestException"},
		{[]string{"connect", "describe-contact", "--instance-id", inst, "--contact-id", "missing"}, "ResourceNotFoundException"},
		{[]string{"connect", "stop-contact", "--instance-id", inst, "--contact-id", cid}, "ContactNotFoundException"},
	} {
		if _, stderr, err := cli(c.args...); err == nil || !strings.Contains(stderr, c.want) {
			t.Errorf("aws %v: err %v, stderr %s; want %s", c.args[:2], err, stderr, c.want)
		}
	}
	list := must("connect", "list-instances")["InstanceSummaryList"].([]any)
	if len(list) != 1 {
		t.Fatalf("list-instances: %v", list)
	}
}
