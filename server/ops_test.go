package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
)

func TestInstancesAndEmailAddresses(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 13; i++ {
		out, err := h.client.CreateInstance(ctx, &connect.CreateInstanceInput{
			IdentityManagementType: types.DirectoryTypeConnectManaged, InstanceAlias: aws.String(fmt.Sprintf("inst%d", i)),
			InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(false),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *out.Id)
	}
	// ListInstances pages with the SDK paginator (maxResults ≤ 10).
	seen := 0
	p := connect.NewListInstancesPaginator(h.client, &connect.ListInstancesInput{MaxResults: aws.Int32(5)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		seen += len(page.InstanceSummaryList)
	}
	if seen != 13 || pages != 3 {
		t.Fatalf("paginated %d instances in %d pages", seen, pages)
	}
	if _, err := h.client.ListInstances(ctx, &connect.ListInstancesInput{MaxResults: aws.Int32(11)}); apiCode(err) != "InvalidRequestException" {
		t.Fatalf("maxResults 11: %v", err)
	}
	if _, err := h.client.ListInstances(ctx, &connect.ListInstancesInput{NextToken: aws.String("garbage")}); apiCode(err) != "InvalidRequestException" {
		t.Fatalf("bad token: %v", err)
	}
	di, err := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(ids[0])})
	if err != nil || *di.Instance.InstanceAlias != "inst0" || di.Instance.InstanceStatus != types.InstanceStatusActive || di.Instance.CreatedTime == nil {
		t.Fatalf("DescribeInstance: %+v %v", di, err)
	}
	// Email addresses.
	inst := aws.String(ids[0])
	ea, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceId: inst, EmailAddress: aws.String("sales@example.com"), DisplayName: aws.String("Sales"), Tags: map[string]string{"team": "sales"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceId: inst, EmailAddress: aws.String("Sales@Example.com")}); apiCode(err) != "DuplicateResourceException" {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceId: inst, EmailAddress: aws.String("support@example.com")}); err != nil {
		t.Fatal(err)
	}
	d, err := h.client.DescribeEmailAddress(ctx, &connect.DescribeEmailAddressInput{InstanceId: inst, EmailAddressId: ea.EmailAddressId})
	if err != nil || *d.EmailAddress != "sales@example.com" || *d.DisplayName != "Sales" || d.Tags["team"] != "sales" || d.CreateTimestamp == nil {
		t.Fatalf("DescribeEmailAddress: %+v %v", d, err)
	}
	if _, err := h.client.UpdateEmailAddressMetadata(ctx, &connect.UpdateEmailAddressMetadataInput{InstanceId: inst, EmailAddressId: ea.EmailAddressId, DisplayName: aws.String("Sales Team")}); err != nil {
		t.Fatal(err)
	}
	s, err := h.client.SearchEmailAddresses(ctx, &connect.SearchEmailAddressesInput{InstanceId: inst, SearchCriteria: &types.EmailAddressSearchCriteria{
		StringCondition: &types.StringCondition{FieldName: aws.String("EmailAddress"), Value: aws.String("sales"), ComparisonType: types.StringComparisonTypeStartsWith},
	}})
	if err != nil || len(s.EmailAddresses) != 1 || *s.EmailAddresses[0].DisplayName != "Sales Team" || *s.ApproximateTotalCount != 1 {
		t.Fatalf("SearchEmailAddresses: %+v %v", s, err)
	}
	if _, err := h.client.DeleteEmailAddress(ctx, &connect.DeleteEmailAddressInput{InstanceId: inst, EmailAddressId: ea.EmailAddressId}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DescribeEmailAddress(ctx, &connect.DescribeEmailAddressInput{InstanceId: inst, EmailAddressId: ea.EmailAddressId}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("deleted address: %v", err)
	}
	if _, err := h.client.DeleteInstance(ctx, &connect.DeleteInstanceInput{InstanceId: inst}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: inst}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("deleted instance: %v", err)
	}
}

func TestCreateContactRules(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cases := []struct {
		name string
		in   connect.CreateContactInput
		code string
	}{
		{"voice refused", connect.CreateContactInput{Channel: types.ChannelVoice, InitiationMethod: types.ContactInitiationMethodTransfer}, "InvalidRequestException"},
		{"outbound without user", connect.CreateContactInput{Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodOutbound}, "InvalidRequestException"},
		{"inbound method refused", connect.CreateContactInput{Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodInbound}, "InvalidRequestException"},
		{"bad attribute key", connect.CreateContactInput{Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodFlow, Attributes: map[string]string{"a b": "x"}}, "InvalidRequestException"},
		{"unknown related", connect.CreateContactInput{Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodFlow, RelatedContactId: aws.String("nope")}, "ResourceNotFoundException"},
		{"flow ok", connect.CreateContactInput{Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodFlow, Attributes: map[string]string{"order-id": "42"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.InstanceId = aws.String(inst)
			_, err := h.client.CreateContact(ctx, &in)
			if got := apiCode(err); got != c.code {
				t.Fatalf("error %v, want %q", err, c.code)
			}
		})
	}
	// Same ClientToken → same contact.
	in := connect.CreateContactInput{InstanceId: aws.String(inst), Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodFlow, ClientToken: aws.String("tok")}
	a, err := h.client.CreateContact(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.client.CreateContact(ctx, &in)
	if err != nil || *a.ContactId != *b.ContactId {
		t.Fatalf("replay gave %v %v", b, err)
	}
	in.Name = aws.String("changed")
	if _, err := h.client.CreateContact(ctx, &in); apiCode(err) != "IdempotencyException" {
		t.Fatalf("changed request with same token: %v", err)
	}
}

func TestStopContactCancelsQueuedDelivery(t *testing.T) {
	t.Parallel()
	// A relay that is down keeps the message queued.
	h := startServer(t, func(c *server.Config) { c.SMTPRelay = "smtp://127.0.0.1:1"; c.RetryBase = time.Hour })
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)}); err != nil {
		t.Fatal(err)
	}
	d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	if err != nil || aws.ToString(d.Contact.DisconnectReason) != "CONTACT_STOPPED" || d.Contact.DisconnectTimestamp == nil {
		t.Fatalf("after stop: %+v %v", d, err)
	}
	if _, err := h.client.StopContact(ctx, &connect.StopContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)}); apiCode(err) != "ContactNotFoundException" {
		t.Fatalf("second stop: %v", err)
	}
	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("connectmail_queue_depth 0")) {
		t.Fatalf("queue not empty after stop:\n%s", body)
	}
}

// signed sends a raw Connect request signed by the Go SDK's signer.
func signed(t *testing.T, h *harness, method, path, body string, hdr map[string]string) *http.Response {
	t.Helper()
	return signedFor(t, h, "connect", method, path, body, hdr)
}

// signedFor sends a raw request for service (its signing name) signed by
// the Go SDK's signer.
func signedFor(t *testing.T, h *harness, service, method, path, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, h.url+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestWireErrors(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	cases := []struct {
		name, method, path, body string
		status                   int
		errType                  string
	}{
		{"malformed json", "PUT", "/contact/outbound-email", `{"InstanceId":`, 400, "InvalidRequestException"},
		{"wrong type", "PUT", "/contact/outbound-email", `{"InstanceId":5,"ContactId":"x","DestinationEmailAddress":{"EmailAddress":"a@b.c"},"EmailMessage":{"MessageSourceType":"RAW"}}`, 400, "InvalidRequestException"},
		{"array body", "PUT", "/contact/create-contact", `[]`, 400, "InvalidRequestException"},
		{"missing required", "PUT", "/contact/create-contact", `{}`, 400, "InvalidRequestException"},
		{"unknown route", "GET", "/no/such/route", ``, 404, "UnknownOperationException"},
		{"unimplemented operation", "GET", "/users-summary/00000000-0000-0000-0000-000000000000", ``, 501, "NotImplementedException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := signed(t, h, c.method, c.path, c.body, nil)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || resp.Header.Get("X-Amzn-ErrorType") != c.errType || resp.Header.Get("x-amzn-RequestId") == "" {
				t.Fatalf("%d %s %s (request id %q)", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b, resp.Header.Get("x-amzn-RequestId"))
			}
			if !bytes.Contains(b, []byte(`"Message":`)) {
				t.Fatalf("body %s lacks Message", b)
			}
		})
	}
	// Authentication failures as AWS names them.
	bad := servertest.ClientAs(h.url, "test", "wrong")
	if _, err := bad.ListInstances(context.Background(), &connect.ListInstancesInput{}); apiCode(err) != "InvalidSignatureException" {
		t.Fatalf("wrong secret: %v", err)
	}
	unknown := servertest.ClientAs(h.url, "AKIDUNKNOWN", "x")
	if _, err := unknown.ListInstances(context.Background(), &connect.ListInstancesInput{}); apiCode(err) != "UnrecognizedClientException" {
		t.Fatalf("unknown key: %v", err)
	}
	resp, err := http.Get(h.url + "/instance")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}
