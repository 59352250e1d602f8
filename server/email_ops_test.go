package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
)

// Tests of the email operations beyond the spine, through the Go SDK against
// a real server (harness in e2e_test.go).

func mustCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := apiCode(err); got != want {
		t.Fatalf("error %v: code %q, want %q", err, got, want)
	}
}

func (h *harness) addAddress(ctx context.Context, inst, addr string) (id, arn string) {
	h.t.Helper()
	out, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceId: aws.String(inst), EmailAddress: aws.String(addr)})
	if err != nil {
		h.t.Fatal(err)
	}
	return *out.EmailAddressId, *out.EmailAddressArn
}

func (h *harness) addressID(ctx context.Context, inst, addr string) string {
	h.t.Helper()
	out, err := h.client.SearchEmailAddresses(ctx, &connect.SearchEmailAddressesInput{InstanceId: aws.String(inst),
		SearchCriteria: &types.EmailAddressSearchCriteria{StringCondition: &types.StringCondition{
			FieldName: aws.String("EmailAddress"), Value: aws.String(addr), ComparisonType: types.StringComparisonTypeExact}}})
	if err != nil || len(out.EmailAddresses) != 1 {
		h.t.Fatalf("search %s: %v %v", addr, out, err)
	}
	return *out.EmailAddresses[0].EmailAddressId
}

// fetch does a plain HTTP request (no SDK) to a presigned URL.
func fetch(t *testing.T, method, url string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (h *harness) uploadFile(ctx context.Context, inst, contactARN, name string, data []byte) string {
	h.t.Helper()
	up, err := h.client.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{
		InstanceId: aws.String(inst), AssociatedResourceArn: aws.String(contactARN), FileName: aws.String(name),
		FileSizeInBytes: aws.Int64(int64(len(data))), FileUseCaseType: types.FileUseCaseTypeAttachment,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if up.FileStatus != types.FileStatusTypeProcessing || up.UploadUrlMetadata == nil {
		h.t.Fatalf("upload: %+v", up)
	}
	if st, b, _ := fetch(h.t, "PUT", *up.UploadUrlMetadata.Url, data); st != 200 {
		h.t.Fatalf("PUT upload URL: %d %s", st, b)
	}
	if _, err := h.client.CompleteAttachedFileUpload(ctx, &connect.CompleteAttachedFileUploadInput{
		InstanceId: aws.String(inst), FileId: up.FileId, AssociatedResourceArn: aws.String(contactARN)}); err != nil {
		h.t.Fatal(err)
	}
	return *up.FileId
}

func TestAttachedFilesAndOutboundAttachments(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	dc, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	if err != nil {
		t.Fatal(err)
	}
	carn := *dc.Contact.Arn
	pdf := bytes.Repeat([]byte("%PDF-1.4 connectmail "), 100)
	fid := h.uploadFile(ctx, inst, carn, "invoice 42.pdf", pdf)

	got, err := h.client.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: aws.String(fid),
		AssociatedResourceArn: aws.String(carn), UrlExpiryInSeconds: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	if got.FileStatus != types.FileStatusTypeApproved || *got.FileSizeInBytes != int64(len(pdf)) || *got.FileName != "invoice 42.pdf" || got.DownloadUrlMetadata == nil {
		t.Fatalf("GetAttachedFile: %+v", got)
	}
	st, body, hdr := fetch(t, "GET", *got.DownloadUrlMetadata.Url, nil)
	if st != 200 || !bytes.Equal(body, pdf) || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %q %v", st, body[:min(len(body), 80)], hdr)
	}
	// The download URL is for GET only; a PUT to it fails its signature.
	if st, _, hdr := fetch(t, "PUT", *got.DownloadUrlMetadata.Url, pdf); st != 403 || hdr.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("PUT to a download URL: %d %v", st, hdr)
	}

	// Refusals with the model's reasons.
	for _, tc := range []struct {
		name   string
		size   int64
		code   string
		reason string
	}{
		{"virus.exe", 10, "InvalidRequestException", "INVALID_FILE_TYPE"},
		{"big.pdf", 20<<20 + 1, "InvalidRequestException", "INVALID_FILE_SIZE"},
		{"x/y.pdf", 10, "InvalidRequestException", "INVALID_FILE_NAME"},
	} {
		_, err := h.client.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{
			InstanceId: aws.String(inst), AssociatedResourceArn: aws.String(carn), FileName: aws.String(tc.name),
			FileSizeInBytes: aws.Int64(tc.size), FileUseCaseType: types.FileUseCaseTypeAttachment,
		})
		var ire *types.InvalidRequestException
		if !errors.As(err, &ire) {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		r, ok := ire.Reason.(*types.InvalidRequestExceptionReasonMemberAttachedFileInvalidRequestExceptionReason)
		if !ok || string(r.Value) != tc.reason {
			t.Errorf("%s: reason %#v, want %s", tc.name, ire.Reason, tc.reason)
		}
	}
	// An upload of the wrong size is refused; the file stays PROCESSING.
	up, err := h.client.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{
		InstanceId: aws.String(inst), AssociatedResourceArn: aws.String(carn), FileName: aws.String("notes.txt"),
		FileSizeInBytes: aws.Int64(5), FileUseCaseType: types.FileUseCaseTypeAttachment, UrlExpiryInSeconds: aws.Int32(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, hdr := fetch(t, "PUT", *up.UploadUrlMetadata.Url, []byte("too long")); st != 400 || hdr.Get("X-Amzn-ErrorType") != "InvalidRequestException" {
		t.Errorf("wrong-size upload: %d %v", st, hdr)
	}
	_, err = h.client.CompleteAttachedFileUpload(ctx, &connect.CompleteAttachedFileUploadInput{InstanceId: aws.String(inst), FileId: up.FileId, AssociatedResourceArn: aws.String(carn)})
	mustCode(t, err, "InvalidRequestException")
	// A file of another resource is not found.
	_, err = h.client.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: aws.String(fid), AssociatedResourceArn: aws.String(carn + "x")})
	mustCode(t, err, "ResourceNotFoundException")
	// Sending while a file is still PROCESSING fails loudly.
	_, err = h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid))
	mustCode(t, err, "InvalidRequestException")
	if st, b, _ := fetch(t, "PUT", *up.UploadUrlMetadata.Url, []byte("hello")); st != 200 {
		t.Fatalf("upload: %d %s", st, b)
	}
	if _, err := h.client.CompleteAttachedFileUpload(ctx, &connect.CompleteAttachedFileUploadInput{InstanceId: aws.String(inst), FileId: up.FileId, AssociatedResourceArn: aws.String(carn)}); err != nil {
		t.Fatal(err)
	}
	// Now both files go out with the message.
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	raw := string(h.sink.Messages()[0].Data)
	for _, want := range []string{`filename="invoice 42.pdf"`, "application/pdf", `filename=notes.txt`, "aGVsbG8="} {
		if !strings.Contains(raw, want) {
			t.Errorf("sent message lacks %q:\n%s", want, raw[:min(len(raw), 3000)])
		}
	}
	// The contact's references list the message and both files.
	refs, err := h.client.ListContactReferences(ctx, &connect.ListContactReferencesInput{InstanceId: aws.String(inst), ContactId: aws.String(cid),
		ReferenceTypes: []types.ReferenceType{types.ReferenceTypeEmailMessage, types.ReferenceTypeAttachment}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range refs.ReferenceSummaryList {
		switch v := r.(type) {
		case *types.ReferenceSummaryMemberEmailMessage:
			kinds = append(kinds, "message")
			// The message reference is a file readable with GetAttachedFile.
			fileID := (*v.Value.Arn)[strings.LastIndex(*v.Value.Arn, "/")+1:]
			mf, err := h.client.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: aws.String(fileID), AssociatedResourceArn: aws.String(carn)})
			if err != nil {
				t.Fatal(err)
			}
			st, b, _ := fetch(t, "GET", *mf.DownloadUrlMetadata.Url, nil)
			if st != 200 || !strings.Contains(string(b), "Subject: Your order 42") {
				t.Errorf("message file: %d %.200s", st, b)
			}
		case *types.ReferenceSummaryMemberAttachment:
			kinds = append(kinds, "attachment:"+*v.Value.Name)
		}
	}
	if !slices.Equal(kinds, []string{"message", "attachment:invoice 42.pdf", "attachment:notes.txt"}) {
		t.Errorf("references: %v", kinds)
	}
}

func TestAttachedFileQuota(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	dc, _ := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	start := func(size int64) error {
		_, err := h.client.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{
			InstanceId: aws.String(inst), AssociatedResourceArn: dc.Contact.Arn, FileName: aws.String("a.png"),
			FileSizeInBytes: aws.Int64(size), FileUseCaseType: types.FileUseCaseTypeAttachment,
		})
		return err
	}
	reason := func(err error) string {
		var q *types.ServiceQuotaExceededException
		if !errors.As(err, &q) {
			return fmt.Sprint(err)
		}
		r, _ := q.Reason.(*types.ServiceQuotaExceededExceptionReasonMemberAttachedFileServiceQuotaExceededExceptionReason)
		if r == nil {
			return "no reason"
		}
		return string(r.Value)
	}
	if err := start(20 << 20); err != nil {
		t.Fatal(err)
	}
	if got := reason(start(5<<20 + 1)); got != "TOTAL_FILE_SIZE_EXCEEDED" {
		t.Errorf("size quota: %s", got)
	}
	for i := 1; i < 50; i++ {
		if err := start(1); err != nil {
			t.Fatalf("file %d: %v", i+1, err)
		}
	}
	if got := reason(start(1)); got != "TOTAL_FILE_COUNT_EXCEEDED" {
		t.Errorf("count quota: %s", got)
	}
}

func TestStartEmailContactInbound(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	// An earlier outbound contact that the customer replies to.
	prev := h.newContact(ctx, inst)
	if _, err := h.client.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: aws.String(inst),
		InitialContactId: aws.String(prev), Attributes: map[string]string{"order": "42", "tier": "gold"}}); err != nil {
		t.Fatal(err)
	}
	in := &connect.StartEmailContactInput{
		InstanceId:              aws.String(inst),
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("ana@example.org"), DisplayName: aws.String("Ana Cliente")},
		DestinationEmailAddress: aws.String("SUPPORT@example.com"),
		EmailMessage: &types.InboundEmailContent{MessageSourceType: types.InboundMessageSourceTypeRaw, RawMessage: &types.InboundRawMessage{
			Subject: aws.String("Re: Your order 42"), Body: aws.String("Where is it?"), ContentType: aws.String("text/plain"),
			Headers: map[string]string{"MESSAGE_ID": "<reply-1@example.org>", "IN_REPLY_TO": "<orig@example.com>", "X_SES_SPAM_VERDICT": "PASS"},
		}},
		AdditionalRecipients: &types.InboundAdditionalRecipients{CcAddresses: []types.EmailAddressInfo{{EmailAddress: aws.String("boss@example.org")}}},
		RelatedContactId:     aws.String(prev),
		Attributes:           map[string]string{"tier": "platinum"},
		References:           map[string]types.Reference{"crm": {Type: types.ReferenceTypeUrl, Value: aws.String("https://crm.example/42")}},
		Attachments:          []types.EmailAttachment{{FileName: aws.String("photo.png"), S3Url: aws.String("https://bucket.example/photo.png")}},
	}
	out, err := h.client.StartEmailContact(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: out.ContactId})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Contact
	if c.InitiationMethod != types.ContactInitiationMethodApi || c.Channel != types.ChannelEmail || *c.RelatedContactId != prev ||
		*c.CustomerEndpoint.Address != "ana@example.org" || *c.SystemEndpoint.Address != "support@example.com" ||
		len(c.AdditionalEmailRecipients.CcList) != 1 {
		t.Errorf("contact: %+v", c)
	}
	attrs, err := h.client.GetContactAttributes(ctx, &connect.GetContactAttributesInput{InstanceId: aws.String(inst), InitialContactId: out.ContactId})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["order"] != "42" || attrs.Attributes["tier"] != "platinum" {
		t.Errorf("attributes copied from the related contact then overridden: %v", attrs.Attributes)
	}
	refs, err := h.client.ListContactReferences(ctx, &connect.ListContactReferencesInput{InstanceId: aws.String(inst), ContactId: out.ContactId,
		ReferenceTypes: []types.ReferenceType{types.ReferenceTypeUrl, types.ReferenceTypeAttachment, types.ReferenceTypeEmailMessage}})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs.ReferenceSummaryList) != 3 {
		t.Errorf("references: %d", len(refs.ReferenceSummaryList))
	}
	// The stored message is the customer's, with its threading headers.
	resp, err := http.Get(h.url + "/api/v1/messages/" + *out.ContactId + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Message-Id": "<reply-1@example.org>", "In-Reply-To": "<orig@example.com>", "X-Ses-Spam-Verdict": "PASS", "Subject": "Re: Your order 42"} {
		if got := m.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	// An agent reply threads to the inbound message.
	reply, err := h.client.CreateContact(ctx, &connect.CreateContactInput{InstanceId: aws.String(inst), Channel: types.ChannelEmail,
		InitiationMethod: types.ContactInitiationMethodAgentReply, RelatedContactId: out.ContactId, UserInfo: &types.UserInfo{UserId: aws.String("agent-1")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, *reply.ContactId)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	if !strings.Contains(string(h.sink.Messages()[0].Data), "In-Reply-To: <reply-1@example.org>") {
		t.Errorf("reply not threaded:\n%s", h.sink.Messages()[0].Data)
	}
	// Replaying the same ClientToken gives the same contact.
	in.ClientToken = aws.String("inbound-token-1")
	a, err := h.client.StartEmailContact(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.client.StartEmailContact(ctx, in)
	if err != nil || *a.ContactId != *b.ContactId {
		t.Errorf("replay: %v %v %v", a.ContactId, b.ContactId, err)
	}
	// Errors.
	bad := *in
	bad.ClientToken = nil
	bad.DestinationEmailAddress = aws.String("nobody@example.com")
	_, err = h.client.StartEmailContact(ctx, &bad)
	mustCode(t, err, "ResourceNotFoundException")
	bad = *in
	bad.ClientToken = nil
	bad.References = map[string]types.Reference{"e": {Type: types.ReferenceTypeEmail, Value: aws.String("x@y.z")}}
	_, err = h.client.StartEmailContact(ctx, &bad)
	mustCode(t, err, "InvalidRequestException")
	bad = *in
	bad.ClientToken = aws.String("inbound-token-1")
	bad.Name = aws.String("different")
	_, err = h.client.StartEmailContact(ctx, &bad)
	mustCode(t, err, "IdempotencyException")
}

func TestSendOutboundEmail(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	in := &connect.SendOutboundEmailInput{
		InstanceId:              aws.String(inst),
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("support@example.com")},
		DestinationEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String("lead@example.org")},
		EmailMessage: &types.OutboundEmailContent{MessageSourceType: types.OutboundMessageSourceTypeRaw, RawMessage: &types.OutboundRawMessage{
			Subject: aws.String("Spring offer"), Body: aws.String("20% off"), ContentType: aws.String("text/plain")}},
		TrafficType:    types.TrafficTypeCampaign,
		SourceCampaign: &types.SourceCampaign{CampaignId: aws.String("camp-1"), OutboundRequestId: aws.String("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")},
		ClientToken:    aws.String("campaign-send-1"),
	}
	if _, err := h.client.SendOutboundEmail(ctx, in); err != nil {
		t.Fatal(err)
	}
	// The SDK's retry of the same send changes nothing.
	if _, err := h.client.SendOutboundEmail(ctx, in); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	time.Sleep(300 * time.Millisecond)
	if n := h.sink.Count(); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
	msg := h.sink.Messages()[0]
	if !slices.Equal(msg.Recipients, []string{"lead@example.org"}) || !bytes.Contains(msg.Data, []byte("Subject: Spring offer")) {
		t.Errorf("message: %v %s", msg.Recipients, msg.Data)
	}
	in.ClientToken = nil
	in.TrafficType = types.TrafficTypeGeneral
	_, err := h.client.SendOutboundEmail(ctx, in)
	mustCode(t, err, "InvalidRequestException")
	in.TrafficType = types.TrafficTypeCampaign
	in.FromEmailAddress = &types.EmailAddressInfo{EmailAddress: aws.String("stranger@example.com")}
	_, err = h.client.SendOutboundEmail(ctx, in)
	mustCode(t, err, "InvalidRequestException")
	in.InstanceId = aws.String("00000000-0000-0000-0000-000000000000")
	_, err = h.client.SendOutboundEmail(ctx, in)
	mustCode(t, err, "ResourceNotFoundException")
}

func TestEmailAddressAliases(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	primary := h.addressID(ctx, inst, "support@example.com")
	alias, _ := h.addAddress(ctx, inst, "help@example.com")
	other, _ := h.addAddress(ctx, inst, "sales@example.com")
	assoc := func(p, a string) error {
		_, err := h.client.AssociateEmailAddressAlias(ctx, &connect.AssociateEmailAddressAliasInput{InstanceId: aws.String(inst),
			EmailAddressId: aws.String(p), AliasConfiguration: &types.AliasConfiguration{EmailAddressId: aws.String(a)}})
		return err
	}
	disassoc := func(p, a string) error {
		_, err := h.client.DisassociateEmailAddressAlias(ctx, &connect.DisassociateEmailAddressAliasInput{InstanceId: aws.String(inst),
			EmailAddressId: aws.String(p), AliasConfiguration: &types.AliasConfiguration{EmailAddressId: aws.String(a)}})
		return err
	}
	if err := assoc(primary, alias); err != nil {
		t.Fatal(err)
	}
	if err := assoc(primary, alias); err != nil {
		t.Errorf("associating again: %v", err)
	}
	d, err := h.client.DescribeEmailAddress(ctx, &connect.DescribeEmailAddressInput{InstanceId: aws.String(inst), EmailAddressId: aws.String(primary)})
	if err != nil || len(d.AliasConfigurations) != 1 || *d.AliasConfigurations[0].EmailAddressId != alias {
		t.Fatalf("describe: %+v %v", d, err)
	}
	mustCode(t, assoc(primary, other), "ResourceConflictException") // one alias per address
	mustCode(t, assoc(alias, other), "ResourceConflictException")   // no alias of an alias
	mustCode(t, assoc(other, primary), "ResourceConflictException") // an address with an alias is no alias
	mustCode(t, assoc(primary, primary), "InvalidRequestException")
	mustCode(t, assoc(primary, "00000000-0000-0000-0000-000000000000"), "ResourceNotFoundException")

	// Mail to the alias is received by the primary address.
	out, err := h.client.StartEmailContact(ctx, &connect.StartEmailContactInput{InstanceId: aws.String(inst),
		FromEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String("ana@example.org")}, DestinationEmailAddress: aws.String("help@example.com"),
		EmailMessage: &types.InboundEmailContent{MessageSourceType: types.InboundMessageSourceTypeRaw, RawMessage: &types.InboundRawMessage{
			Subject: aws.String(""), Body: aws.String("hi"), ContentType: aws.String("text/plain")}}})
	if err != nil {
		t.Fatal(err)
	}
	dc, _ := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: out.ContactId})
	if *dc.Contact.SystemEndpoint.Address != "support@example.com" {
		t.Errorf("system endpoint %s", *dc.Contact.SystemEndpoint.Address)
	}

	if err := disassoc(primary, alias); err != nil {
		t.Fatal(err)
	}
	mustCode(t, disassoc(primary, alias), "InvalidRequestException")
	if err := assoc(primary, other); err != nil {
		t.Errorf("after disassociating, another alias is allowed: %v", err)
	}
}

func TestContactAttributes(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	upd := func(a map[string]string) error {
		_, err := h.client.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: aws.String(inst), InitialContactId: aws.String(cid), Attributes: a})
		return err
	}
	if err := upd(map[string]string{"a": "1", "b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := upd(map[string]string{"b": "3", "c": ""}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetContactAttributes(ctx, &connect.GetContactAttributesInput{InstanceId: aws.String(inst), InitialContactId: aws.String(cid)})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Attributes) != "map[a:1 b:3 c:]" {
		t.Errorf("attributes: %v", got.Attributes)
	}
	// The limit counts the merged attributes.
	mustCode(t, upd(map[string]string{"big": strings.Repeat("x", 32768-3-2)}), "InvalidRequestException")
	if err := upd(map[string]string{"big": strings.Repeat("x", 32768-3-2-5)}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	mustCode(t, upd(map[string]string{"bad key!": "x"}), "InvalidRequestException")
	_, err = h.client.GetContactAttributes(ctx, &connect.GetContactAttributesInput{InstanceId: aws.String(inst), InitialContactId: aws.String("nope")})
	mustCode(t, err, "ResourceNotFoundException")
	_, err = h.client.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceId: aws.String(inst), InitialContactId: aws.String("nope"), Attributes: map[string]string{"a": "b"}})
	mustCode(t, err, "ResourceNotFoundException")
	// Each update is a CONTACT_DATA_UPDATED event.
	resp, err := http.Get(h.url + "/api/v1/messages/" + cid)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(b), `"CONTACT_DATA_UPDATED"`); n != 3 {
		t.Errorf("%d CONTACT_DATA_UPDATED events: %s", n, b)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	di, _ := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(inst)})
	_, earn := h.addAddress(ctx, inst, "tags@example.com")
	cid := h.newContact(ctx, inst)
	dc, _ := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	for _, arn := range []string{*di.Instance.Arn, earn, *dc.Contact.Arn} {
		if _, err := h.client.TagResource(ctx, &connect.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "cx", "env": "dev"}}); err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		if _, err := h.client.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env", "absent"}}); err != nil {
			t.Fatal(err)
		}
		got, err := h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil || fmt.Sprint(got.Tags) != "map[team:cx]" {
			t.Errorf("%s: %v %v", arn, got, err)
		}
	}
	// The contact's tags show in DescribeContact.
	dc, _ = h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	if dc.Contact.Tags["team"] != "cx" {
		t.Errorf("contact tags %v", dc.Contact.Tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err := h.client.TagResource(ctx, &connect.TagResourceInput{ResourceArn: di.Instance.Arn, Tags: many})
	mustCode(t, err, "InvalidRequestException") // team + 50 > 50
	otherAccount := strings.Replace(*di.Instance.Arn, ":000000000000:", ":111111111111:", 1)
	_, err = h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(otherAccount)})
	mustCode(t, err, "ResourceNotFoundException")
	_, err = h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(*di.Instance.Arn + "/queue/q1")})
	mustCode(t, err, "InvalidParameterException")
	_, err = h.client.TagResource(ctx, &connect.TagResourceInput{ResourceArn: aws.String(*di.Instance.Arn + "/contact/nope"), Tags: map[string]string{"a": "b"}})
	mustCode(t, err, "ResourceNotFoundException")
}

func TestQueueEmailAddressesAndDefaultSender(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	var ids []string
	for i := range 5 {
		id, _ := h.addAddress(ctx, inst, fmt.Sprintf("q%d@example.com", i))
		ids = append(ids, id)
	}
	var cfg []types.EmailAddressConfig
	for _, id := range ids {
		cfg = append(cfg, types.EmailAddressConfig{EmailAddressId: aws.String(id)})
	}
	if _, err := h.client.AssociateQueueEmailAddresses(ctx, &connect.AssociateQueueEmailAddressesInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1"), EmailAddressesConfig: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.UpdateQueueOutboundEmailConfig(ctx, &connect.UpdateQueueOutboundEmailConfigInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1"),
		OutboundEmailConfig: &types.OutboundEmailConfig{OutboundEmailAddressId: aws.String(ids[3])}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DisassociateQueueEmailAddresses(ctx, &connect.DisassociateQueueEmailAddressesInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1"), EmailAddressesId: []string{ids[0]}}); err != nil {
		t.Fatal(err)
	}
	// Paging with NextToken walks every address (the model has no paginator for it).
	var got []string
	pages := 0
	var token *string
	for {
		page, err := h.client.ListQueueEmailAddresses(ctx, &connect.ListQueueEmailAddressesInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1"), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.EmailAddressMetadataList {
			mark := ""
			if e.IsDefaultOutboundEmail {
				mark = "*"
			}
			got = append(got, *e.Id+mark)
		}
		if page.LastModifiedTime == nil || time.Since(*page.LastModifiedTime) > time.Minute {
			t.Errorf("LastModifiedTime %v", page.LastModifiedTime)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	want := []string{ids[1], ids[2], ids[3] + "*", ids[4]}
	if pages != 2 || !slices.Equal(got, want) {
		t.Errorf("pages %d, addresses %v, want %v", pages, got, want)
	}
	// An omitted From uses the queue's default outbound address.
	cid := h.newContact(ctx, inst)
	in := sendInput(inst, cid)
	in.FromEmailAddress = nil
	if _, err := h.client.StartOutboundEmailContact(ctx, in); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	if from := h.sink.Messages()[0].From; from != "q3@example.com" {
		t.Errorf("envelope from %s, want the queue default q3@example.com", from)
	}
	_, err := h.client.AssociateQueueEmailAddresses(ctx, &connect.AssociateQueueEmailAddressesInput{InstanceId: aws.String(inst), QueueId: aws.String("q-1"),
		EmailAddressesConfig: []types.EmailAddressConfig{{EmailAddressId: aws.String("00000000-0000-0000-0000-000000000000")}}})
	mustCode(t, err, "ResourceNotFoundException")
}

func TestPaginators(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	want := []string{h.setup(ctx)}
	for i := range 2 {
		inst, err := h.client.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: types.DirectoryTypeConnectManaged,
			InboundCallsEnabled: aws.Bool(true), OutboundCallsEnabled: aws.Bool(true), InstanceAlias: aws.String(fmt.Sprintf("pager%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, *inst.Id)
	}
	first := want[0]
	slices.Sort(want)
	var got []string
	p := connect.NewListInstancesPaginator(h.client, &connect.ListInstancesInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.InstanceSummaryList) > 1 {
			t.Fatalf("page of %d", len(page.InstanceSummaryList))
		}
		for _, s := range page.InstanceSummaryList {
			got = append(got, *s.Id)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListInstances pages: %v, want %v", got, want)
	}
	// ListContactReferences pages by 50 without a page-size parameter.
	refs := map[string]types.Reference{}
	for i := range 120 {
		refs[fmt.Sprintf("r%03d", i)] = types.Reference{Type: types.ReferenceTypeString, Value: aws.String("v")}
	}
	c, err := h.client.CreateContact(ctx, &connect.CreateContactInput{InstanceId: aws.String(first), Channel: types.ChannelEmail,
		InitiationMethod: types.ContactInitiationMethodOutbound, UserInfo: &types.UserInfo{UserId: aws.String("a")}, References: refs})
	if err != nil {
		t.Fatal(err)
	}
	rp := connect.NewListContactReferencesPaginator(h.client, &connect.ListContactReferencesInput{InstanceId: aws.String(first), ContactId: c.ContactId,
		ReferenceTypes: []types.ReferenceType{types.ReferenceTypeString}})
	var names []string
	pages := 0
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.ReferenceSummaryList {
			names = append(names, *r.(*types.ReferenceSummaryMemberString).Value.Name)
		}
	}
	if pages != 3 || len(names) != 120 || names[0] != "r000" || names[119] != "r119" || !slices.IsSorted(names) {
		t.Errorf("%d pages, %d references", pages, len(names))
	}
	// A foreign token is refused.
	_, err = h.client.ListContactReferences(ctx, &connect.ListContactReferencesInput{InstanceId: aws.String(first), ContactId: c.ContactId,
		ReferenceTypes: []types.ReferenceType{types.ReferenceTypeString}, NextToken: aws.String("garbage")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidRequestException" {
		t.Errorf("bad token: %v", err)
	}
}

// TestStartEmailContactAttachesLocalFiles: an attachment whose URL is an
// attached-file URL of the instance on this server is put into the
// message; other URLs stay references only.
func TestStartEmailContactAttachesLocalFiles(t *testing.T) {
	h := startServer(t, nil)
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	dc, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	if err != nil {
		t.Fatal(err)
	}
	fid := h.uploadFile(ctx, inst, *dc.Contact.Arn, "note.txt", []byte("attached-text-0123456789"))
	got, err := h.client.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: aws.String(fid),
		AssociatedResourceArn: dc.Contact.Arn})
	if err != nil || got.DownloadUrlMetadata == nil {
		t.Fatalf("GetAttachedFile: %+v %v", got, err)
	}
	out, err := h.client.StartEmailContact(ctx, &connect.StartEmailContactInput{
		InstanceId:              aws.String(inst),
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("ana@example.org")},
		DestinationEmailAddress: aws.String("support@example.com"),
		EmailMessage: &types.InboundEmailContent{MessageSourceType: types.InboundMessageSourceTypeRaw, RawMessage: &types.InboundRawMessage{
			Subject: aws.String("files"), Body: aws.String("see attached"), ContentType: aws.String("text/plain")}},
		Attachments: []types.EmailAttachment{
			{FileName: aws.String("note.txt"), S3Url: got.DownloadUrlMetadata.Url},
			{FileName: aws.String("far.pdf"), S3Url: aws.String("https://bucket.example/files/" + inst + "/" + fid + "/far.pdf")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(h.url + "/api/v1/messages/" + *out.ContactId + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(raw, []byte(`filename=note.txt`)) || bytes.Contains(raw, []byte("far.pdf")) {
		t.Errorf("message does not attach exactly the local file:\n%s", raw)
	}
	refs, err := h.client.ListContactReferences(ctx, &connect.ListContactReferencesInput{InstanceId: aws.String(inst), ContactId: out.ContactId,
		ReferenceTypes: []types.ReferenceType{types.ReferenceTypeAttachment}})
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]string{}
	for _, r := range refs.ReferenceSummaryList {
		if a, ok := r.(*types.ReferenceSummaryMemberAttachment); ok {
			arns[*a.Value.Name] = aws.ToString(a.Value.Arn)
		}
	}
	if len(arns) != 2 || !strings.HasSuffix(arns["note.txt"], "/file/"+fid) || arns["far.pdf"] != "" {
		t.Errorf("attachment references: %v", arns)
	}
}
