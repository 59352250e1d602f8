package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
	"github.com/connectmail/connectmail/postgres/pgtest"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
)

// harness is a real connectmail server on a loopback port with a real SMTP receiver.
type harness struct {
	t   *testing.T
	url string
	// smtpAddr is the inbound SMTP listener, when configured.
	smtpAddr string
	client   *connect.Client
	sink     *smtpsink.Sink
	srv      *servertest.Server
	cfg      server.Config
}

func startServer(t *testing.T, mutate func(*server.Config)) *harness {
	t.Helper()
	cfg, sink := servertest.Relaying(t)
	cfg.DB = testDB(t)
	if mutate != nil {
		mutate(&cfg)
	}
	h := &harness{t: t, sink: sink, cfg: cfg}
	h.start()
	return h
}

// testDB is the database of an in-process test server: a fresh SQLite file,
// or, when CONNECTMAIL_TEST_E2E_STORE=postgres, a fresh PostgreSQL database
// (scripts/test.sh runs this package's tests both ways).
func testDB(t *testing.T) string {
	if os.Getenv("CONNECTMAIL_TEST_E2E_STORE") == "postgres" {
		return pgtest.NewDatabase(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "cm.db")
}

func (h *harness) start() {
	h.t.Helper()
	h.srv = servertest.Start(h.t, h.cfg)
	h.cfg.Addr = h.srv.Addr // a restart listens where clients already point
	h.url = h.srv.URL
	h.smtpAddr = h.srv.SMTPAddr()
	h.client = servertest.Client(h.url)
}

func (h *harness) stop() { h.srv.Stop() }

// setup creates an instance with one email address.
func (h *harness) setup(ctx context.Context) (instanceID string) {
	h.t.Helper()
	inst, err := h.client.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
		InstanceAlias: aws.String(fmt.Sprintf("test%d", time.Now().UnixNano())),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: inst.Id, EmailAddress: aws.String("support@example.com"), DisplayName: aws.String("Support Désk"),
	}); err != nil {
		h.t.Fatal(err)
	}
	return *inst.Id
}

func (h *harness) newContact(ctx context.Context, instanceID string) string {
	h.t.Helper()
	c, err := h.client.CreateContact(ctx, &connect.CreateContactInput{
		InstanceId: aws.String(instanceID), Channel: types.ChannelEmail,
		InitiationMethod: types.ContactInitiationMethodOutbound,
		UserInfo:         &types.UserInfo{UserId: aws.String("agent-1")},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return *c.ContactId
}

func sendInput(instanceID, contactID string) *connect.StartOutboundEmailContactInput {
	return &connect.StartOutboundEmailContactInput{
		InstanceId: aws.String(instanceID), ContactId: aws.String(contactID),
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("support@example.com")},
		DestinationEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String("customer@example.org"), DisplayName: aws.String("Ana Cliente")},
		AdditionalRecipients: &types.OutboundAdditionalRecipients{CcEmailAddresses: []types.EmailAddressInfo{
			{EmailAddress: aws.String("cc@example.org")}}},
		EmailMessage: &types.OutboundEmailContent{
			MessageSourceType: types.OutboundMessageSourceTypeRaw,
			RawMessage: &types.OutboundRawMessage{
				Subject: aws.String("Your order 42"), ContentType: aws.String("text/html"),
				Body: aws.String("<p>Hello <b>Ana</b>, your order shipped.</p>"),
			},
		},
	}
}

func (h *harness) waitFor(n int64) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for h.sink.Count() < n {
		select {
		case <-h.sink.Arrived():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("SMTP receiver got %d messages, want %d", h.sink.Count(), n)
		}
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSendEndToEnd(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	out, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid))
	if err != nil {
		t.Fatal(err)
	}
	if *out.ContactId != cid {
		t.Fatalf("ContactId = %s, want %s", *out.ContactId, cid)
	}
	h.waitFor(1)
	m := h.sink.Messages()[0]
	if m.From != "support@example.com" || strings.Join(m.Recipients, ",") != "customer@example.org,cc@example.org" {
		t.Fatalf("envelope = %s -> %v", m.From, m.Recipients)
	}
	raw := string(m.Data)
	for _, want := range []string{"Message-ID: <" + cid + "@example.com>", "Subject: Your order 42", "multipart/alternative", "=?utf-8?", "Cc: cc@example.org"} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(strings.ToLower(raw), "\nbcc:") {
		t.Error("message has a Bcc header")
	}
	// DescribeContact shows the email fields and, once delivered, the disconnect.
	var d *connect.DescribeContactOutput
	for i := 0; i < 100; i++ {
		d, err = h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Contact.DisconnectTimestamp != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c := d.Contact
	if c.Channel != types.ChannelEmail || c.InitiationMethod != types.ContactInitiationMethodOutbound {
		t.Errorf("channel/method = %s/%s", c.Channel, c.InitiationMethod)
	}
	if c.CustomerEndpoint == nil || *c.CustomerEndpoint.Address != "customer@example.org" || c.CustomerEndpoint.Type != types.EndpointTypeEmailAddress {
		t.Errorf("CustomerEndpoint = %+v", c.CustomerEndpoint)
	}
	if c.SystemEndpoint == nil || *c.SystemEndpoint.Address != "support@example.com" {
		t.Errorf("SystemEndpoint = %+v", c.SystemEndpoint)
	}
	if c.AdditionalEmailRecipients == nil || len(c.AdditionalEmailRecipients.CcList) != 1 {
		t.Errorf("AdditionalEmailRecipients = %+v", c.AdditionalEmailRecipients)
	}
	if v := c.SegmentAttributes["connect:EmailSubject"]; v.ValueString == nil || *v.ValueString != "Your order 42" {
		t.Errorf("connect:EmailSubject = %+v", v)
	}
	if c.InitiationTimestamp == nil || time.Since(*c.InitiationTimestamp) > time.Minute {
		t.Errorf("InitiationTimestamp = %v", c.InitiationTimestamp)
	}
	if c.DisconnectTimestamp == nil || aws.ToString(c.DisconnectReason) != "EMAIL_DELIVERED" {
		t.Errorf("Disconnect = %v %v", c.DisconnectTimestamp, aws.ToString(c.DisconnectReason))
	}
	// The inspection API has the raw source.
	resp, err := http.Get(h.url + "/api/v1/messages/" + cid + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Message-ID: <"+cid+"@example.com>") {
		t.Errorf("raw = %d %s", resp.StatusCode, body)
	}
}

func TestStartOutboundEmailContactErrors(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	flow, err := h.client.CreateContact(ctx, &connect.CreateContactInput{
		InstanceId: aws.String(inst), Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodFlow,
	})
	if err != nil {
		t.Fatal(err)
	}
	started := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, started)); err != nil {
		t.Fatal(err)
	}
	many := make([]types.EmailAddressInfo, 50)
	for i := range many {
		many[i] = types.EmailAddressInfo{EmailAddress: aws.String(fmt.Sprintf("cc%d@example.org", i))}
	}
	cases := []struct {
		name   string
		mutate func(in *connect.StartOutboundEmailContactInput)
		code   string
	}{
		{"unknown instance", func(in *connect.StartOutboundEmailContactInput) {
			in.InstanceId = aws.String("00000000-0000-0000-0000-000000000000")
		}, "ResourceNotFoundException"},
		{"unknown contact", func(in *connect.StartOutboundEmailContactInput) { in.ContactId = aws.String("nope") }, "ResourceNotFoundException"},
		{"flow contact", func(in *connect.StartOutboundEmailContactInput) { in.ContactId = flow.ContactId }, "InvalidRequestException"},
		{"already started", func(in *connect.StartOutboundEmailContactInput) { in.ContactId = aws.String(started) }, "InvalidRequestException"},
		{"from not of instance", func(in *connect.StartOutboundEmailContactInput) {
			in.FromEmailAddress = &types.EmailAddressInfo{EmailAddress: aws.String("other@example.com")}
		}, "InvalidRequestException"},
		{"bad destination pattern", func(in *connect.StartOutboundEmailContactInput) {
			in.DestinationEmailAddress = &types.EmailAddressInfo{EmailAddress: aws.String("not an address")}
		}, "InvalidRequestException"},
		{"50 cc", func(in *connect.StartOutboundEmailContactInput) {
			in.AdditionalRecipients = &types.OutboundAdditionalRecipients{CcEmailAddresses: many}
		}, "InvalidRequestException"},
		{"bad content type", func(in *connect.StartOutboundEmailContactInput) {
			in.EmailMessage.RawMessage.ContentType = aws.String("image/png")
		}, "InvalidRequestException"},
		{"subject too long", func(in *connect.StartOutboundEmailContactInput) {
			in.EmailMessage.RawMessage.Subject = aws.String(strings.Repeat("x", 999))
		}, "InvalidRequestException"},
		{"header injection", func(in *connect.StartOutboundEmailContactInput) {
			in.EmailMessage.RawMessage.Subject = aws.String("hi\r\nBcc: victim@example.net")
		}, "InvalidRequestException"},
		{"raw missing", func(in *connect.StartOutboundEmailContactInput) { in.EmailMessage.RawMessage = nil }, "InvalidRequestException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cid := h.newContact(ctx, inst)
			in := sendInput(inst, cid)
			c.mutate(in)
			_, err := h.client.StartOutboundEmailContact(ctx, in)
			if got := apiCode(err); got != c.code {
				t.Fatalf("error = %v (code %q), want %s", err, got, c.code)
			}
		})
	}
	// Only the one valid send went out.
	time.Sleep(300 * time.Millisecond)
	if n := h.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d messages, want 1", n)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	in := sendInput(inst, cid)
	in.ClientToken = aws.String("token-1")
	// Concurrent identical requests: exactly one send, all answered alike.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := h.client.StartOutboundEmailContact(ctx, in)
			if err == nil && *out.ContactId != cid {
				err = fmt.Errorf("ContactId %s", *out.ContactId)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent identical request: %v", err)
		}
	}
	// Same token, different request → IdempotencyException.
	in2 := sendInput(inst, cid)
	in2.ClientToken = aws.String("token-1")
	in2.EmailMessage.RawMessage.Subject = aws.String("different")
	if _, err := h.client.StartOutboundEmailContact(ctx, in2); apiCode(err) != "IdempotencyException" {
		t.Fatalf("reused token: %v", err)
	}
	h.waitFor(1)
	time.Sleep(300 * time.Millisecond)
	if n := h.sink.Count(); n != 1 {
		t.Fatalf("receiver got %d messages, want 1", n)
	}
}

func TestRestartWithQueuedMailAndRelayDown(t *testing.T) {
	t.Parallel()
	// Start with a relay address where nothing listens: sends are accepted and deferred.
	sink, err := smtpsink.Start(smtpsink.Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	addr := sink.Addr()
	sink.Close()
	h := startServer(t, func(c *server.Config) { c.SMTPRelay = "smtp://" + addr })
	ctx := context.Background()
	inst := h.setup(ctx)
	var ids []string
	for i := 0; i < 5; i++ {
		cid := h.newContact(ctx, inst)
		if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cid)
	}
	time.Sleep(500 * time.Millisecond)
	h.stop()
	// The relay comes up on the same address; the restarted server delivers everything.
	var up *smtpsink.Sink
	for i := 0; ; i++ {
		if up, err = smtpsink.Start(smtpsink.Options{Keep: true, Addr: addr}); err == nil {
			break
		}
		if i == 50 {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer up.Close()
	h.sink = up
	h.start()
	h.waitFor(5)
	seen := map[string]bool{}
	for _, m := range up.Messages() {
		for _, id := range ids {
			if strings.Contains(string(m.Data), "Message-ID: <"+id+"@") {
				seen[id] = true
			}
		}
	}
	if len(seen) != 5 {
		t.Fatalf("delivered %d distinct contacts, want 5", len(seen))
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	h.sink.Reject("customer@example.org", 550, "no such user")
	h.sink.Reject("cc@example.org", 550, "no such user")
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.Contact.DisconnectReason) == "EMAIL_BOUNCED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("contact never bounced: %+v", d.Contact.DisconnectReason)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if h.sink.Count() != 0 {
		t.Fatal("a rejected message was counted as received")
	}
}
