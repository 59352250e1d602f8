package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/smtp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/server"
)

// TestInboundReplyThreads sends a contact, then has the customer reply over
// SMTP to --smtp-addr: the reply becomes an INBOUND contact related to it.
func TestInboundReplyThreads(t *testing.T) {
	h := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	addr := h.smtpAddr
	reply := "From: Ana Cliente <customer@example.org>\r\nTo: Support <support@example.com>\r\n" +
		"Subject: Re: Your order 42\r\nMessage-ID: <reply-1@example.org>\r\n" +
		"In-Reply-To: <" + cid + "@example.com>\r\nReferences: <" + cid + "@example.com>\r\n\r\nThanks!\r\n"
	if err := smtp.SendMail(addr, nil, "customer@example.org", []string{"SUPPORT@example.com"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	// An address no instance has is refused at RCPT.
	err := smtp.SendMail(addr, nil, "customer@example.org", []string{"nobody@example.com"}, []byte(reply))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("unknown recipient: %v", err)
	}
	var list struct {
		Messages []struct {
			ContactID, InitiationMethod, State, Subject, RelatedContactID, MessageID string
		} `json:"messages"`
	}
	resp, err := http.Get(h.url + "/api/v1/messages?instanceId=" + inst)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Messages) != 2 {
		t.Fatalf("messages: %+v", list.Messages)
	}
	in := list.Messages[0] // newest first
	if in.InitiationMethod != "INBOUND" || in.State != "RECEIVED" || in.Subject != "Re: Your order 42" ||
		in.RelatedContactID != cid || in.MessageID != "<reply-1@example.org>" {
		t.Fatalf("inbound contact: %+v", in)
	}
	d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(in.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Contact
	if c.InitiationMethod != types.ContactInitiationMethodInbound || aws.ToString(c.RelatedContactId) != cid ||
		aws.ToString(c.CustomerEndpoint.Address) != "customer@example.org" || aws.ToString(c.SystemEndpoint.Address) != "support@example.com" {
		t.Fatalf("DescribeContact: %+v %+v %+v", c, c.CustomerEndpoint, c.SystemEndpoint)
	}
	// The stored message is the one received.
	resp, err = http.Get(h.url + "/api/v1/messages/" + in.ContactID + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), "Thanks!") || !strings.HasPrefix(string(raw), "From: Ana Cliente") {
		t.Fatalf("raw: %s", raw)
	}
}

// TestInboundRetryIsRecordedOnce: a sender that delivers the same message
// again (a retry after a temporary failure) does not make a second contact,
// for any of its recipients; a different message does.
func TestInboundRetryIsRecordedOnce(t *testing.T) {
	h := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	ctx := context.Background()
	inst := h.setup(ctx)
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: aws.String(inst), EmailAddress: aws.String("sales@example.com"),
	}); err != nil {
		t.Fatal(err)
	}
	msg := func(id string) []byte {
		return []byte("From: customer@example.org\r\nTo: support@example.com, sales@example.com\r\nSubject: Question\r\n" +
			"Message-ID: <" + id + "@example.org>\r\n\r\nHello\r\n")
	}
	rcpts := []string{"support@example.com", "sales@example.com"}
	for range 3 {
		if err := smtp.SendMail(h.smtpAddr, nil, "customer@example.org", rcpts, msg("q1")); err != nil {
			t.Fatal(err)
		}
	}
	if err := smtp.SendMail(h.smtpAddr, nil, "customer@example.org", rcpts[:1], msg("q2")); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []struct {
			To        struct{ Address string } `json:"to"`
			MessageID string
		} `json:"messages"`
	}
	resp, err := http.Get(h.url + "/api/v1/messages?instanceId=" + inst)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	got := map[string]int{}
	for _, m := range list.Messages {
		got[m.To.Address+" "+m.MessageID]++
	}
	want := map[string]int{
		"support@example.com <q1@example.org>": 1, "sales@example.com <q1@example.org>": 1,
		"support@example.com <q2@example.org>": 1,
	}
	if len(got) != len(want) {
		t.Fatalf("inbound contacts %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("inbound contacts %v, want %v", got, want)
		}
	}
}
