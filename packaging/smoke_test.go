package packaging_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
)

// sdkFromEnvironment is an Amazon Connect client configured the way a
// user's program is: config.LoadDefaultConfig and the environment, here
// AWS_ENDPOINT_URL and the emulator's public test/test key, nothing in code.
func sdkFromEnvironment(t *testing.T, env map[string]string) *connect.Client {
	t.Helper()
	dir := t.TempDir()
	base := map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		// Nothing from the machine's own AWS configuration.
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE": "", "AWS_SESSION_TOKEN": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_CONNECT": "", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
	}
	for k, v := range env {
		base[k] = v
	}
	for k, v := range base {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return connect.NewFromConfig(cfg)
}

// smoke is the acceptance smoke test that the release binary and the
// container image both pass: through the real AWS SDK for Go v2, create an
// instance, an email address and a contact, send an email, and read the
// captured message back from the inspection API. It returns the instance id.
func smoke(t *testing.T, endpoint string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := sdkFromEnvironment(t, map[string]string{"AWS_ENDPOINT_URL": endpoint})
	inst, err := client.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
		InstanceAlias: aws.String(uniqueName("smoke")),
	})
	if err != nil {
		t.Fatalf("CreateInstance: %v", err)
	}
	if _, err := client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: inst.Id, EmailAddress: aws.String("support@example.com"), DisplayName: aws.String("Example Support"),
	}); err != nil {
		t.Fatalf("CreateEmailAddress: %v", err)
	}
	contact, err := client.CreateContact(ctx, &connect.CreateContactInput{
		InstanceId: inst.Id, Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodOutbound,
		UserInfo: &types.UserInfo{UserId: aws.String("agent-1")},
	})
	if err != nil {
		t.Fatalf("CreateContact: %v", err)
	}
	if _, err := client.StartOutboundEmailContact(ctx, &connect.StartOutboundEmailContactInput{
		InstanceId: inst.Id, ContactId: contact.ContactId,
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("support@example.com")},
		DestinationEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String("customer@example.org"), DisplayName: aws.String("Ana")},
		EmailMessage: &types.OutboundEmailContent{
			MessageSourceType: types.OutboundMessageSourceTypeRaw,
			RawMessage: &types.OutboundRawMessage{
				Subject: aws.String("Smoke test"), ContentType: aws.String("text/plain"), Body: aws.String("It shipped."),
			},
		},
	}); err != nil {
		t.Fatalf("StartOutboundEmailContact: %v", err)
	}
	raw := captured(ctx, t, endpoint, *contact.ContactId)
	for _, want := range []string{"Subject: Smoke test", "customer@example.org", "support@example.com", "It shipped."} {
		if !strings.Contains(raw, want) {
			t.Errorf("captured message lacks %q:\n%s", want, raw)
		}
	}
	return *inst.Id
}

// captured is the RFC 5322 message of a contact, from the inspection API,
// once the server has composed it.
func captured(ctx context.Context, t *testing.T, endpoint, contactID string) string {
	t.Helper()
	url := fmt.Sprintf("%s/api/v1/messages/%s/raw", endpoint, contactID)
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
			last = fmt.Sprintf("%s: %s", resp.Status, body)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s never answered 200; last: %s", url, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitHealthy polls /healthz until it answers 200 and returns how long that took.
func waitHealthy(t *testing.T, endpoint string, since time.Time, limit time.Duration) time.Duration {
	t.Helper()
	deadline := since.Add(limit)
	for {
		resp, err := http.Get(endpoint + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(since)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz did not answer 200 within %s (last error %v)", endpoint, limit, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
