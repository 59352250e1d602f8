package template_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/template"
)

const account = "123456789012"

func newService(t *testing.T, mutate func(*template.Config)) *template.Service {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := template.Config{AccountID: account, Stores: st.TemplateStores()}
	if mutate != nil {
		mutate(&cfg)
	}
	return template.NewService(cfg)
}

func ctxIn(region string) context.Context {
	return connect.WithCaller(context.Background(), connect.Caller{Region: region, AccessKeyID: "AKIDTEST"})
}

func mustKind(t *testing.T, err error, k fault.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", k)
	}
	if got := fault.KindOf(err); got != k {
		t.Fatalf("got %v (%v), want %v", got, err, k)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func newKB(t *testing.T, s *template.Service, ctx context.Context, name string) *template.KnowledgeBaseData {
	t.Helper()
	out, err := s.CreateKnowledgeBase(ctx, &template.CreateKnowledgeBaseInput{Name: name, KnowledgeBaseType: "MESSAGE_TEMPLATES"})
	if err != nil {
		t.Fatal(err)
	}
	return out.KnowledgeBase
}

func emailContent(subject, text, html string) *template.Content {
	c := &template.Content{Email: &template.EmailContent{Subject: subject, Body: &template.EmailBody{}}}
	if text != "" {
		c.Email.Body.PlainText = &template.BodyContent{Content: text}
	}
	if html != "" {
		c.Email.Body.HTML = &template.BodyContent{Content: html}
	}
	return c
}

func newTemplate(t *testing.T, s *template.Service, ctx context.Context, kbID, name string) *template.MessageTemplateData {
	t.Helper()
	out, err := s.CreateMessageTemplate(ctx, &template.CreateMessageTemplateInput{
		KnowledgeBaseID: kbID, Name: name, ChannelSubtype: "EMAIL", Language: "en_US",
		Content: emailContent("Hi {{Attributes.Customer.FirstName}}", "Order {{Attributes.Custom.orderId}}", "<p>Order {{Attributes.Custom.orderId}}</p>"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.MessageTemplate
}

func TestKnowledgeBases(t *testing.T) {
	s := newService(t, func(c *template.Config) { c.MaxKnowledgeBases = 3 })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "first")
	if want := "arn:aws:wisdom:us-east-1:" + account + ":knowledge-base/" + kb.KnowledgeBaseID; kb.KnowledgeBaseARN != want {
		t.Errorf("ARN = %s, want %s", kb.KnowledgeBaseARN, want)
	}
	if kb.Status != "ACTIVE" || kb.KnowledgeBaseType != "MESSAGE_TEMPLATES" || kb.LastContentModificationTime.IsZero() {
		t.Errorf("knowledge base = %+v", kb)
	}
	for _, ref := range []string{kb.KnowledgeBaseID, kb.KnowledgeBaseARN} {
		got := must[*template.KnowledgeBaseOutput](t)(s.GetKnowledgeBase(ctx, ref))
		if got.KnowledgeBase.Name != "first" {
			t.Errorf("Get(%s) = %+v", ref, got.KnowledgeBase)
		}
	}
	// Regional: invisible from another region, and an ARN of another region or account is not found.
	_, err := s.GetKnowledgeBase(ctxIn("eu-west-1"), kb.KnowledgeBaseID)
	mustKind(t, err, fault.NotFound)
	_, err = s.GetKnowledgeBase(ctx, strings.Replace(kb.KnowledgeBaseARN, account, "999999999999", 1))
	mustKind(t, err, fault.NotFound)

	cases := []struct {
		name string
		in   template.CreateKnowledgeBaseInput
		kind fault.Kind
	}{
		{"other type", template.CreateKnowledgeBaseInput{Name: "x", KnowledgeBaseType: "CUSTOM"}, fault.Invalid},
		{"quick responses", template.CreateKnowledgeBaseInput{Name: "x", KnowledgeBaseType: "QUICK_RESPONSES"}, fault.Invalid},
		{"source configuration", template.CreateKnowledgeBaseInput{Name: "x", KnowledgeBaseType: "MESSAGE_TEMPLATES", HasSourceConfiguration: true}, fault.Invalid},
		{"duplicate name", template.CreateKnowledgeBaseInput{Name: "first", KnowledgeBaseType: "MESSAGE_TEMPLATES"}, fault.Duplicate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateKnowledgeBase(ctx, &tc.in)
			mustKind(t, err, tc.kind)
		})
	}
	// The same name is fine in another region.
	newKB(t, s, ctxIn("eu-west-1"), "first")

	// Idempotency: same token and request gives the same knowledge base; another request conflicts.
	in := template.CreateKnowledgeBaseInput{Name: "second", KnowledgeBaseType: "MESSAGE_TEMPLATES", ClientToken: connect.ClientToken{Token: "tok-1"}}
	a := must[*template.KnowledgeBaseOutput](t)(s.CreateKnowledgeBase(ctx, &in))
	b := must[*template.KnowledgeBaseOutput](t)(s.CreateKnowledgeBase(ctx, &in))
	if a.KnowledgeBase.KnowledgeBaseID != b.KnowledgeBase.KnowledgeBaseID {
		t.Errorf("replay created %s and %s", a.KnowledgeBase.KnowledgeBaseID, b.KnowledgeBase.KnowledgeBaseID)
	}
	in.Description = "changed"
	_, err = s.CreateKnowledgeBase(ctx, &in)
	mustKind(t, err, fault.Idempotency)

	newKB(t, s, ctx, "third")
	_, err = s.CreateKnowledgeBase(ctx, &template.CreateKnowledgeBaseInput{Name: "fourth", KnowledgeBaseType: "MESSAGE_TEMPLATES"})
	mustKind(t, err, fault.Quota)

	// Paging: two pages hold the three knowledge bases exactly once, in a stable order.
	p1 := must[*template.ListKnowledgeBasesOutput](t)(s.ListKnowledgeBases(ctx, "", 2))
	if len(p1.KnowledgeBaseSummaries) != 2 || p1.NextToken == "" {
		t.Fatalf("page 1 = %+v", p1)
	}
	p2 := must[*template.ListKnowledgeBasesOutput](t)(s.ListKnowledgeBases(ctx, p1.NextToken, 2))
	if len(p2.KnowledgeBaseSummaries) != 1 || p2.NextToken != "" {
		t.Fatalf("page 2 = %+v", p2)
	}
	names := map[string]int{}
	for _, kb := range append(p1.KnowledgeBaseSummaries, p2.KnowledgeBaseSummaries...) {
		names[kb.Name]++
	}
	if names["first"] != 1 || names["second"] != 1 || names["third"] != 1 {
		t.Fatalf("pages hold %v", names)
	}
	again := must[*template.ListKnowledgeBasesOutput](t)(s.ListKnowledgeBases(ctx, "", 2))
	if again.KnowledgeBaseSummaries[0].KnowledgeBaseID != p1.KnowledgeBaseSummaries[0].KnowledgeBaseID {
		t.Fatal("listing order is not stable")
	}
	_, err = s.ListKnowledgeBases(ctx, "garbage", 2)
	mustKind(t, err, fault.Invalid)

	if err := s.DeleteKnowledgeBase(ctx, kb.KnowledgeBaseARN); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.DeleteKnowledgeBase(ctx, kb.KnowledgeBaseID), fault.NotFound)
}

func TestTemplateCreateRules(t *testing.T) {
	s := newService(t, func(c *template.Config) { c.MaxTemplates = 2 })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb")
	tm := newTemplate(t, s, ctx, kb.KnowledgeBaseID, "welcome")
	wantARN := "arn:aws:wisdom:us-east-1:" + account + ":message-template/" + kb.KnowledgeBaseID + "/" + tm.MessageTemplateID
	if tm.MessageTemplateARN != wantARN || len(tm.MessageTemplateContentSha256) != 64 {
		t.Errorf("template = %s sha %q", tm.MessageTemplateARN, tm.MessageTemplateContentSha256)
	}
	if !slices.Equal(tm.AttributeTypes, []string{"CUSTOM", "CUSTOMER_PROFILE"}) {
		t.Errorf("attributeTypes = %v", tm.AttributeTypes)
	}
	if !strings.HasPrefix(tm.LastModifiedBy, "arn:aws:iam::"+account+":user/AKIDTEST") {
		t.Errorf("lastModifiedBy = %s", tm.LastModifiedBy)
	}
	base := template.CreateMessageTemplateInput{KnowledgeBaseID: kb.KnowledgeBaseID, Name: "other", ChannelSubtype: "EMAIL"}
	with := func(f func(*template.CreateMessageTemplateInput)) *template.CreateMessageTemplateInput {
		in := base
		f(&in)
		return &in
	}
	cases := []struct {
		name string
		in   *template.CreateMessageTemplateInput
		kind fault.Kind
	}{
		{"duplicate name", with(func(in *template.CreateMessageTemplateInput) { in.Name = "welcome" }), fault.Duplicate},
		{"no name", with(func(in *template.CreateMessageTemplateInput) { in.Name = "" }), fault.Invalid},
		{"whatsapp", with(func(in *template.CreateMessageTemplateInput) { in.ChannelSubtype = "WHATSAPP" }), fault.Invalid},
		{"sms content for email", with(func(in *template.CreateMessageTemplateInput) {
			in.Content = &template.Content{SMS: &template.SMSContent{}}
		}), fault.Invalid},
		{"reserved header", with(func(in *template.CreateMessageTemplateInput) {
			in.Content = emailContent("s", "t", "")
			in.Content.Email.Headers = []template.Header{{Name: "Bcc", Value: "x@example.com"}}
		}), fault.Invalid},
		{"content header", with(func(in *template.CreateMessageTemplateInput) {
			in.Content = emailContent("s", "t", "")
			in.Content.Email.Headers = []template.Header{{Name: "Content-Type", Value: "text/plain"}}
		}), fault.Invalid},
		{"header line break", with(func(in *template.CreateMessageTemplateInput) {
			in.Content = emailContent("s", "t", "")
			in.Content.Email.Headers = []template.Header{{Name: "X-Campaign", Value: "a\r\nBcc: x@example.com"}}
		}), fault.Invalid},
		{"language", with(func(in *template.CreateMessageTemplateInput) { in.Language = "xx_XX" }), fault.Invalid},
		{"source configuration", with(func(in *template.CreateMessageTemplateInput) {
			in.HasSourceConfiguration = true
		}), fault.Invalid},
		{"unknown knowledge base", with(func(in *template.CreateMessageTemplateInput) {
			in.KnowledgeBaseID = "00000000-0000-4000-8000-000000000000"
		}), fault.NotFound},
		{"sms too long", with(func(in *template.CreateMessageTemplateInput) {
			in.ChannelSubtype = "SMS"
			in.Content = &template.Content{SMS: &template.SMSContent{Body: &template.SMSBody{PlainText: &template.BodyContent{Content: strings.Repeat("x", 801)}}}}
		}), fault.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateMessageTemplate(ctx, tc.in)
			mustKind(t, err, tc.kind)
		})
	}
	// Same name in another knowledge base is fine; the quota is per knowledge base.
	kb2 := newKB(t, s, ctx, "kb2")
	newTemplate(t, s, ctx, kb2.KnowledgeBaseID, "welcome")
	newTemplate(t, s, ctx, kb.KnowledgeBaseID, "second")
	_, err := s.CreateMessageTemplate(ctx, with(func(in *template.CreateMessageTemplateInput) { in.Name = "third" }))
	mustKind(t, err, fault.Quota)

	// Idempotent create.
	in := &template.CreateMessageTemplateInput{KnowledgeBaseID: kb2.KnowledgeBaseID, Name: "idem", ChannelSubtype: "SMS", ClientToken: connect.ClientToken{Token: "t1"}}
	a := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplate(ctx, in))
	b := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplate(ctx, in))
	if a.MessageTemplate.MessageTemplateID != b.MessageTemplate.MessageTemplateID {
		t.Error("replayed create made a second template")
	}
}

func TestVersionsAndQualifiers(t *testing.T) {
	s := newService(t, func(c *template.Config) { c.MaxVersions = 3 })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb").KnowledgeBaseID
	tm := newTemplate(t, s, ctx, kb, "welcome")
	id := tm.MessageTemplateID

	v1 := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{
		KnowledgeBaseID: kb, MessageTemplateID: id, MessageTemplateContentSha256: tm.MessageTemplateContentSha256,
	})).MessageTemplate
	if v1.VersionNumber != 1 || v1.IsActive == nil || *v1.IsActive || !strings.HasSuffix(v1.MessageTemplateARN, id+":1") {
		t.Fatalf("v1 = %+v", v1)
	}
	// Unchanged content: the same version again.
	again := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id})).MessageTemplate
	if again.VersionNumber != 1 {
		t.Fatalf("repeated CreateMessageTemplateVersion made version %d", again.VersionNumber)
	}
	// A stale checksum is refused.
	_, err := s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, MessageTemplateContentSha256: strings.Repeat("a", 64)})
	mustKind(t, err, fault.Conflict)

	// Update $LATEST: the checksum changes, version 1 keeps its content.
	up := must[*template.MessageTemplateOutput](t)(s.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{
		KnowledgeBaseID: kb, MessageTemplateID: id, Content: emailContent("Second {{Attributes.Agent.FirstName}}", "body two", ""),
	})).MessageTemplate
	if up.MessageTemplateContentSha256 == tm.MessageTemplateContentSha256 || up.Language != "en_US" {
		t.Fatalf("update: sha %s, language %q", up.MessageTemplateContentSha256, up.Language)
	}
	if !slices.Equal(up.AttributeTypes, []string{"AGENT"}) {
		t.Errorf("attributeTypes after update = %v", up.AttributeTypes)
	}
	got1 := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb, id+":1")).MessageTemplate
	if got1.Content.Email.Subject != "Hi {{Attributes.Customer.FirstName}}" {
		t.Errorf("version 1 changed: %q", got1.Content.Email.Subject)
	}
	_, err = s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, MessageTemplateContentSha256: tm.MessageTemplateContentSha256})
	mustKind(t, err, fault.Conflict)
	v2 := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, MessageTemplateContentSha256: up.MessageTemplateContentSha256})).MessageTemplate
	if v2.VersionNumber != 2 {
		t.Fatalf("v2 = %d", v2.VersionNumber)
	}

	// $ACTIVE_VERSION follows Activate/Deactivate.
	_, err = s.GetMessageTemplate(ctx, kb, id+":$ACTIVE_VERSION")
	mustKind(t, err, fault.NotFound)
	act := must[*template.VersionOutput](t)(s.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, VersionNumber: 1}))
	if act.VersionNumber != 1 || !strings.HasSuffix(act.MessageTemplateARN, ":1") {
		t.Errorf("activate = %+v", act)
	}
	active := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb, id+":$ACTIVE_VERSION")).MessageTemplate
	if active.VersionNumber != 1 || !*active.IsActive {
		t.Errorf("$ACTIVE_VERSION = %d", active.VersionNumber)
	}
	must[*template.VersionOutput](t)(s.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, VersionNumber: 2}))
	if v := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb, id+":$ACTIVE_VERSION")).MessageTemplate; v.VersionNumber != 2 {
		t.Errorf("$ACTIVE_VERSION after activating 2 = %d", v.VersionNumber)
	}
	if v := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb, id+":1")).MessageTemplate; *v.IsActive {
		t.Error("version 1 still active after activating 2")
	}
	_, err = s.DeactivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, VersionNumber: 1})
	mustKind(t, err, fault.Conflict)
	_, err = s.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, VersionNumber: 9})
	mustKind(t, err, fault.NotFound)
	// The active version cannot be deleted.
	mustKind(t, s.DeleteMessageTemplate(ctx, kb, id+":2"), fault.Conflict)
	must[*template.VersionOutput](t)(s.DeactivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: id, VersionNumber: 2}))
	_, err = s.GetMessageTemplate(ctx, kb, id+":$ACTIVE_VERSION")
	mustKind(t, err, fault.NotFound)

	list := must[*template.ListMessageTemplatesOutput](t)(s.ListMessageTemplates(ctx, kb, "", 0))
	if len(list.MessageTemplateSummaries) != 1 || list.MessageTemplateSummaries[0].ActiveVersionNumber != 0 {
		t.Errorf("list = %+v", list)
	}

	// Quota: 3 versions at most.
	must[*template.MessageTemplateOutput](t)(s.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{KnowledgeBaseID: kb, MessageTemplateID: id, Content: emailContent("three", "3", "")}))
	must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id}))
	must[*template.MessageTemplateOutput](t)(s.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{KnowledgeBaseID: kb, MessageTemplateID: id, Content: emailContent("four", "4", "")}))
	_, err = s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id})
	mustKind(t, err, fault.Quota)
	// Deleting a version frees a slot; numbers are never reused.
	if err := s.DeleteMessageTemplate(ctx, kb, id+":1"); err != nil {
		t.Fatal(err)
	}
	v4 := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: id})).MessageTemplate
	if v4.VersionNumber != 4 {
		t.Errorf("after deleting 1, new version = %d, want 4", v4.VersionNumber)
	}
	vs := must[*template.ListMessageTemplateVersionsOutput](t)(s.ListMessageTemplateVersions(ctx, kb, id, "", 2))
	if len(vs.MessageTemplateVersionSummaries) != 2 || vs.MessageTemplateVersionSummaries[0].VersionNumber != 2 || vs.NextToken == "" {
		t.Fatalf("versions page 1 = %+v", vs)
	}
	vs2 := must[*template.ListMessageTemplateVersionsOutput](t)(s.ListMessageTemplateVersions(ctx, kb, id, vs.NextToken, 2))
	if len(vs2.MessageTemplateVersionSummaries) != 1 || vs2.MessageTemplateVersionSummaries[0].VersionNumber != 4 {
		t.Fatalf("versions page 2 = %+v", vs2)
	}
	_, err = s.GetMessageTemplate(ctx, kb, id+":1")
	mustKind(t, err, fault.NotFound)

	// Qualifier forms.
	arn := tm.MessageTemplateARN
	for _, ref := range []string{id, id + ":$LATEST", arn, arn + ":$LATEST", arn + ":2"} {
		if _, err := s.GetMessageTemplate(ctx, kb, ref); err != nil {
			t.Errorf("Get(%s): %v", ref, err)
		}
	}
	refused := []struct {
		name string
		call func(ref string) error
	}{
		{"activate", func(ref string) error {
			_, err := s.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: ref, VersionNumber: 2})
			return err
		}},
		{"deactivate", func(ref string) error {
			_, err := s.DeactivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: ref, VersionNumber: 2})
			return err
		}},
		{"create version", func(ref string) error {
			_, err := s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: ref})
			return err
		}},
		{"update", func(ref string) error {
			_, err := s.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{KnowledgeBaseID: kb, MessageTemplateID: ref})
			return err
		}},
		{"update metadata", func(ref string) error {
			_, err := s.UpdateMessageTemplateMetadata(ctx, &template.UpdateMessageTemplateMetadataInput{KnowledgeBaseID: kb, MessageTemplateID: ref})
			return err
		}},
		{"list versions", func(ref string) error {
			_, err := s.ListMessageTemplateVersions(ctx, kb, ref, "", 0)
			return err
		}},
		{"create attachment", func(ref string) error {
			_, err := s.CreateMessageTemplateAttachment(ctx, &template.CreateAttachmentInput{KnowledgeBaseID: kb, MessageTemplateID: ref, Name: "a.txt", Body: "YQ=="})
			return err
		}},
		{"delete attachment", func(ref string) error {
			return s.DeleteMessageTemplateAttachment(ctx, kb, ref, "00000000-0000-4000-8000-000000000000")
		}},
	}
	for _, tc := range refused {
		for _, ref := range []string{id + ":$LATEST", id + ":2", arn + ":$ACTIVE_VERSION"} {
			t.Run(tc.name+" "+ref[len(ref)-3:], func(t *testing.T) { mustKind(t, tc.call(ref), fault.Invalid) })
		}
	}
	for _, ref := range []string{id + ":$LATEST", id + ":$ACTIVE_VERSION"} {
		mustKind(t, s.DeleteMessageTemplate(ctx, kb, ref), fault.Invalid)
	}
	for _, ref := range []string{id + ":0", id + ":FOO", id + ":01"} {
		_, err := s.GetMessageTemplate(ctx, kb, ref)
		mustKind(t, err, fault.Invalid)
	}
	// An ARN of another knowledge base is refused.
	kb2 := newKB(t, s, ctx, "kb2").KnowledgeBaseID
	_, err = s.GetMessageTemplate(ctx, kb2, arn)
	mustKind(t, err, fault.Invalid)
	_, err = s.GetMessageTemplate(ctx, kb2, id)
	mustKind(t, err, fault.NotFound)

	// Metadata applies to every version; names stay unique.
	newTemplate(t, s, ctx, kb, "other")
	_, err = s.UpdateMessageTemplateMetadata(ctx, &template.UpdateMessageTemplateMetadataInput{KnowledgeBaseID: kb, MessageTemplateID: id, Name: ptr("other")})
	mustKind(t, err, fault.Duplicate)
	must[*template.MessageTemplateOutput](t)(s.UpdateMessageTemplateMetadata(ctx, &template.UpdateMessageTemplateMetadataInput{
		KnowledgeBaseID: kb, MessageTemplateID: id, Name: ptr("renamed"), Description: ptr("desc"),
		GroupingConfiguration: &template.Grouping{Criteria: "RoutingProfileArn", Values: []string{"rp1"}},
	}))
	if v := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb, id+":2")).MessageTemplate; v.Name != "renamed" || v.Description != "desc" || v.GroupingConfiguration == nil {
		t.Errorf("version 2 metadata = %q %q %+v", v.Name, v.Description, v.GroupingConfiguration)
	}

	// Whole-template delete.
	if err := s.DeleteMessageTemplate(ctx, kb, arn); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetMessageTemplate(ctx, kb, id)
	mustKind(t, err, fault.NotFound)
	mustKind(t, s.DeleteMessageTemplate(ctx, kb, id), fault.NotFound)
}

func ptr[T any](v T) *T { return &v }

func TestConcurrentUpdatesAllApply(t *testing.T) {
	s := newService(t, nil)
	ctx := ctxIn("us-east-1")
	kbData := newKB(t, s, ctx, "kb")
	kb := kbData.KnowledgeBaseID
	id := newTemplate(t, s, ctx, kb, "t").MessageTemplateID
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := 0; i < 4; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			errs <- s.TagResource(ctx, kbData.KnowledgeBaseARN, map[string]string{fmt.Sprint("k", i): "v"})
		}()
		go func() {
			defer wg.Done()
			_, err := s.UpdateMessageTemplate(ctx, &template.UpdateMessageTemplateInput{KnowledgeBaseID: kb, MessageTemplateID: id, Content: emailContent(fmt.Sprint("s", i), "b", "")})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			errs <- s.TagResource(ctx, "arn:aws:wisdom:us-east-1:"+account+":message-template/"+kb+"/"+id, map[string]string{fmt.Sprint("k", i): "v"})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	tags := must[map[string]string](t)(s.ListTagsForResource(ctx, "arn:aws:wisdom:us-east-1:"+account+":message-template/"+kb+"/"+id))
	if len(tags) != 4 {
		t.Errorf("tags = %v, want 4 (no lost update)", tags)
	}
	if kbTags := must[map[string]string](t)(s.ListTagsForResource(ctx, kbData.KnowledgeBaseARN)); len(kbTags) != 4 {
		t.Errorf("knowledge base tags = %v, want 4 (no lost update)", kbTags)
	}
}

func TestRender(t *testing.T) {
	s := newService(t, nil)
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb").KnowledgeBaseID
	c := emailContent("Hello {{Attributes.Customer.FirstName}} <{{ Attributes.Custom.code }}>",
		"Dear {{Attributes.Customer.FirstName}} {{Attributes.Customer.LastName}}, agent {{Attributes.Agent.FirstName}}",
		"<p>{{Attributes.Custom.code}} {{Attributes.Customer.Attributes.tier}} {{Attributes.System.SystemEmailAddress}}</p>")
	c.Email.Headers = []template.Header{{Name: "X-Order", Value: "{{Attributes.Custom.code}}"}}
	tm := must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplate(ctx, &template.CreateMessageTemplateInput{
		KnowledgeBaseID: kb, Name: "r", ChannelSubtype: "EMAIL", Content: c,
		DefaultAttributes: &render.Attributes{Custom: map[string]string{"code": "DEFAULT"}, Agent: render.AgentAttributes{FirstName: "Default Agent"}},
	})).MessageTemplate
	out := must[*template.RenderMessageTemplateOutput](t)(s.RenderMessageTemplate(ctx, &template.RenderMessageTemplateInput{
		KnowledgeBaseID: kb, MessageTemplateID: tm.MessageTemplateID,
		Attributes: render.Attributes{
			Custom:   map[string]string{"code": "A&B<1>"},
			Customer: render.CustomerProfileAttributes{Fields: map[string]string{"firstName": "Ana"}},
		},
	}))
	e := out.Content.Email
	if e.Subject != "Hello Ana <A&B<1>>" {
		t.Errorf("subject = %q", e.Subject)
	}
	if e.Body.PlainText.Content != "Dear Ana {{Attributes.Customer.LastName}}, agent Default Agent" {
		t.Errorf("text = %q", e.Body.PlainText.Content)
	}
	if e.Body.HTML.Content != "<p>A&amp;B&lt;1&gt; {{Attributes.Customer.Attributes.tier}} {{Attributes.System.SystemEmailAddress}}</p>" {
		t.Errorf("html = %q", e.Body.HTML.Content)
	}
	if e.Headers[0].Value != "A&B<1>" {
		t.Errorf("header = %q", e.Headers[0].Value)
	}
	want := []string{"Attributes.Customer.LastName", "Attributes.Customer.Attributes.tier", "Attributes.System.SystemEmailAddress"}
	if !slices.Equal(out.AttributesNotInterpolated, want) {
		t.Errorf("attributesNotInterpolated = %v, want %v", out.AttributesNotInterpolated, want)
	}
	// Without request attributes, the defaults apply.
	out = must[*template.RenderMessageTemplateOutput](t)(s.RenderMessageTemplate(ctx, &template.RenderMessageTemplateInput{KnowledgeBaseID: kb, MessageTemplateID: tm.MessageTemplateID}))
	if !strings.HasPrefix(out.Content.Email.Body.HTML.Content, "<p>DEFAULT ") {
		t.Errorf("html with defaults = %q", out.Content.Email.Body.HTML.Content)
	}
}

func TestAttachmentsAndSend(t *testing.T) {
	s := newService(t, func(c *template.Config) { c.MaxAttachments = 2; c.MaxAttachmentBytes = 100 })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb")
	tm := newTemplate(t, s, ctx, kb.KnowledgeBaseID, "t")
	id := tm.MessageTemplateID
	add := func(name, data, token string) (*template.CreateAttachmentOutput, error) {
		return s.CreateMessageTemplateAttachment(ctx, &template.CreateAttachmentInput{
			KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id, ContentDisposition: "ATTACHMENT",
			Name: name, Body: base64.StdEncoding.EncodeToString([]byte(data)), ClientToken: connect.ClientToken{Token: token},
		})
	}
	a1 := must[*template.CreateAttachmentOutput](t)(add("terms.pdf", "%PDF-1.4 terms", "tok")).Attachment
	if a1.AttachmentID == "" || a1.ContentDisposition != "ATTACHMENT" || a1.URLQuery.Get("signature") == "" {
		t.Errorf("attachment = %+v", a1)
	}
	if again := must[*template.CreateAttachmentOutput](t)(add("terms.pdf", "%PDF-1.4 terms", "tok")).Attachment; again.AttachmentID != a1.AttachmentID {
		t.Error("replayed attachment upload stored a second file")
	}
	_, err := add("terms.pdf", "other", "")
	mustKind(t, err, fault.Duplicate)
	_, err = add("big.txt", strings.Repeat("x", 101), "")
	mustKind(t, err, fault.Quota)
	_, err = s.CreateMessageTemplateAttachment(ctx, &template.CreateAttachmentInput{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id, Name: "x.txt", Body: "!!not base64"})
	mustKind(t, err, fault.Invalid)
	must[*template.CreateAttachmentOutput](t)(add("notes.txt", "hello", ""))
	_, err = add("third.txt", "x", "")
	mustKind(t, err, fault.Quota)

	got := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb.KnowledgeBaseID, id)).MessageTemplate
	if len(got.Attachments) != 2 || got.MessageTemplateContentSha256 == tm.MessageTemplateContentSha256 {
		t.Fatalf("after uploads: %d attachments, sha changed %v", len(got.Attachments), got.MessageTemplateContentSha256 != tm.MessageTemplateContentSha256)
	}
	must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id}))
	if err := s.DeleteMessageTemplateAttachment(ctx, kb.KnowledgeBaseID, id, a1.AttachmentID); err != nil {
		t.Fatal(err)
	}
	mustKind(t, s.DeleteMessageTemplateAttachment(ctx, kb.KnowledgeBaseID, id, a1.AttachmentID), fault.NotFound)
	if v := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb.KnowledgeBaseID, id)).MessageTemplate; len(v.Attachments) != 1 {
		t.Errorf("$LATEST has %d attachments after delete", len(v.Attachments))
	}
	// Version 1 keeps both, and the file is still there.
	if v := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb.KnowledgeBaseID, id+":1")).MessageTemplate; len(v.Attachments) != 2 {
		t.Errorf("version 1 has %d attachments", len(v.Attachments))
	}
	name, ct, data, err := s.AttachmentFile(ctx, a1.AttachmentID, a1.URLQuery)
	if err != nil || name != "terms.pdf" || ct != "application/pdf" || string(data) != "%PDF-1.4 terms" {
		t.Errorf("AttachmentFile = %q %q %q %v", name, ct, data, err)
	}

	// RenderForSend.
	cust := `{"FirstName":"Ana"}`
	rt, err := s.RenderForSend(ctx, &connect.TemplateRequest{
		KnowledgeBaseID: kb.KnowledgeBaseARN, MessageTemplateID: tm.MessageTemplateARN + ":1",
		Custom: map[string]string{"orderId": "<42>"}, CustomerJSON: &cust,
		SystemName: "Ana C", CustomerAddress: "ana@example.org", SystemAddress: "support@example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if rt.Subject != "Hi Ana" || rt.Text != "Order <42>" || rt.HTML != "<p>Order &lt;42&gt;</p>" || len(rt.NotInterpolated) != 0 {
		t.Errorf("rendered = %+v", rt)
	}
	if rt.Ref != kb.KnowledgeBaseID+"/"+id+":1" || len(rt.Attachments) != 2 || rt.Attachments[0].Filename != "terms.pdf" || string(rt.Attachments[1].Data) != "hello" {
		t.Errorf("ref %s, attachments %+v", rt.Ref, rt.Attachments)
	}
	// Unresolved placeholders stay verbatim and are reported.
	rt, err = s.RenderForSend(ctx, &connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id})
	if err != nil {
		t.Fatal(err)
	}
	if rt.Subject != "Hi {{Attributes.Customer.FirstName}}" || !slices.Equal(rt.NotInterpolated, []string{"Attributes.Customer.FirstName", "Attributes.Custom.orderId"}) || rt.Ref != kb.KnowledgeBaseID+"/"+id+":$LATEST" {
		t.Errorf("unresolved: %q %v %s", rt.Subject, rt.NotInterpolated, rt.Ref)
	}
	errCases := []struct {
		name string
		req  connect.TemplateRequest
		kind fault.Kind
	}{
		{"bad customer JSON", connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id, CustomerJSON: ptr("{not json")}, fault.Invalid},
		{"unknown customer member", connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id, CustomerJSON: ptr(`{"nickname":"x"}`)}, fault.Invalid},
		{"unknown knowledge base", connect.TemplateRequest{KnowledgeBaseID: "00000000-0000-4000-8000-000000000000", MessageTemplateID: id}, fault.NotFound},
		{"unknown template", connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: "00000000-0000-4000-8000-000000000000"}, fault.NotFound},
		{"unknown version", connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id + ":7"}, fault.NotFound},
		{"no active version", connect.TemplateRequest{KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: id + ":$ACTIVE_VERSION"}, fault.NotFound},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.RenderForSend(ctx, &tc.req)
			mustKind(t, err, tc.kind)
		})
	}
	// Deleting the template drops the files no version uses.
	if err := s.DeleteKnowledgeBase(ctx, kb.KnowledgeBaseID); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = s.AttachmentFile(ctx, a1.AttachmentID, a1.URLQuery)
	mustKind(t, err, fault.NotFound)
}

// TestAttachmentURLsExpire: an attachment URL works until the urlExpiry its
// response announced, one hour by default, and not a second later; one
// whose expiry, signature or attachment was changed never works.
func TestAttachmentURLsExpire(t *testing.T) {
	clock := time.Date(2026, 3, 1, 10, 0, 0, 250e6, time.UTC)
	s := newService(t, func(c *template.Config) { c.Now = func() time.Time { return clock } })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb")
	tm := newTemplate(t, s, ctx, kb.KnowledgeBaseID, "t")
	add := func(name string) *template.AttachmentData {
		out, err := s.CreateMessageTemplateAttachment(ctx, &template.CreateAttachmentInput{
			KnowledgeBaseID: kb.KnowledgeBaseID, MessageTemplateID: tm.MessageTemplateID, ContentDisposition: "ATTACHMENT",
			Name: name, Body: base64.StdEncoding.EncodeToString([]byte("data of " + name)),
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attachment
	}
	a, b := add("a.txt"), add("b.txt")
	if want := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC); !a.URLExpiry.Equal(want) {
		t.Fatalf("urlExpiry %s, want %s (one hour, to the second)", a.URLExpiry, want)
	}
	// q copies an attachment's URL query, for a case to alter.
	q := func(d *template.AttachmentData) url.Values {
		c := url.Values{}
		for k, v := range d.URLQuery {
			c[k] = slices.Clone(v)
		}
		return c
	}
	expiry := a.URLExpiry
	if got := a.URLQuery.Get("expires"); got != strconv.FormatInt(expiry.Unix(), 10) {
		t.Fatalf("the URL expires at %s, its response says %s", got, a.URLExpiry)
	}
	longer := q(a)
	longer.Set("expires", strconv.FormatInt(expiry.Add(time.Hour).Unix(), 10))
	unsigned := q(a)
	unsigned.Del("signature")
	for _, tc := range []struct {
		name  string
		at    time.Time
		id    string
		query url.Values
		ok    bool
	}{
		{"at once", clock, a.AttachmentID, q(a), true},
		{"at its expiry", expiry, a.AttachmentID, q(a), true},
		{"a second after its expiry", expiry.Add(time.Second), a.AttachmentID, q(a), false},
		{"a longer expiry", clock, a.AttachmentID, longer, false},
		{"without its signature", clock, a.AttachmentID, unsigned, false},
		{"no query", clock, a.AttachmentID, nil, false},
		{"another attachment's signature", clock, a.AttachmentID, q(b), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock = tc.at
			_, _, data, err := s.AttachmentFile(ctx, tc.id, tc.query)
			if tc.ok {
				if err != nil || string(data) != "data of a.txt" {
					t.Fatalf("AttachmentFile: %q %v", data, err)
				}
				return
			}
			mustKind(t, err, fault.AccessDenied)
		})
	}
}

func TestSearch(t *testing.T) {
	s := newService(t, nil)
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb").KnowledgeBaseID
	mk := func(name, desc, subtype, lang string) string {
		in := &template.CreateMessageTemplateInput{KnowledgeBaseID: kb, Name: name, Description: desc, ChannelSubtype: subtype, Language: lang}
		return must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplate(ctx, in)).MessageTemplate.MessageTemplateID
	}
	welcome := mk("Welcome email", "first contact", "EMAIL", "en_US")
	mk("Order shipped", "shipping welcome", "EMAIL", "de_DE")
	mk("SMS reminder", "", "SMS", "en_US")
	names := func(in template.SearchExpression, max int, token string) ([]string, string) {
		out := must[*template.SearchMessageTemplatesOutput](t)(s.SearchMessageTemplates(ctx, &template.SearchMessageTemplatesInput{KnowledgeBaseID: kb, SearchExpression: in, MaxResults: max, NextToken: token}))
		var n []string
		for _, r := range out.Results {
			n = append(n, r.Name)
		}
		return n, out.NextToken
	}
	cases := []struct {
		name string
		ex   template.SearchExpression
		want []string
	}{
		{"all", template.SearchExpression{}, []string{"Order shipped", "SMS reminder", "Welcome email"}},
		{"name contains", template.SearchExpression{Queries: []template.SearchQuery{{Name: "name", Values: []string{"welc"}, Operator: "CONTAINS"}}}, []string{"Welcome email"}},
		{"name or description, ranked", template.SearchExpression{Queries: []template.SearchQuery{
			{Name: "name", Values: []string{"welcome"}, Operator: "CONTAINS", Priority: "HIGH"},
			{Name: "description", Values: []string{"welcome"}, Operator: "CONTAINS", Priority: "LOW"},
		}}, []string{"Welcome email", "Order shipped"}},
		{"filter subtype", template.SearchExpression{Filters: []template.SearchFilter{{Name: "channelSubtype", Values: []string{"SMS"}, Operator: "EQUALS"}}}, []string{"SMS reminder"}},
		{"filter language prefix", template.SearchExpression{Filters: []template.SearchFilter{{Name: "language", Values: []string{"en"}, Operator: "PREFIX"}}}, []string{"SMS reminder", "Welcome email"}},
		{"description absent", template.SearchExpression{Filters: []template.SearchFilter{{Name: "description", Values: []string{"zzz"}, Operator: "EQUALS", IncludeNoExistence: true}}}, []string{"SMS reminder"}},
		{"order by name desc", template.SearchExpression{OrderOnField: &template.SearchOrder{Name: "name", Order: "DESC"}}, []string{"Welcome email", "SMS reminder", "Order shipped"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := names(tc.ex, 0, ""); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	p1, tok := names(template.SearchExpression{}, 2, "")
	p2, tok2 := names(template.SearchExpression{}, 2, tok)
	if len(p1) != 2 || len(p2) != 1 || tok == "" || tok2 != "" {
		t.Errorf("pages %v %v", p1, p2)
	}
	// Active versions are found through the qualifier filter.
	must[*template.MessageTemplateOutput](t)(s.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kb, MessageTemplateID: welcome}))
	must[*template.VersionOutput](t)(s.ActivateMessageTemplate(ctx, &template.VersionInput{KnowledgeBaseID: kb, MessageTemplateID: welcome, VersionNumber: 1}))
	out := must[*template.SearchMessageTemplatesOutput](t)(s.SearchMessageTemplates(ctx, &template.SearchMessageTemplatesInput{KnowledgeBaseID: kb,
		SearchExpression: template.SearchExpression{Filters: []template.SearchFilter{{Name: "qualifier", Values: []string{"$ACTIVE_VERSION"}, Operator: "EQUALS"}}}}))
	if len(out.Results) != 1 || out.Results[0].VersionNumber != 1 || out.Results[0].IsActive == nil || !*out.Results[0].IsActive {
		t.Errorf("active search = %+v", out.Results)
	}
	_, err := s.SearchMessageTemplates(ctx, &template.SearchMessageTemplatesInput{KnowledgeBaseID: kb,
		SearchExpression: template.SearchExpression{Queries: []template.SearchQuery{{Name: "content", Values: []string{"x"}, Operator: "CONTAINS"}}}})
	mustKind(t, err, fault.Invalid)
}

func TestTags(t *testing.T) {
	s := newService(t, nil)
	ctx := ctxIn("us-east-1")
	kb := must[*template.KnowledgeBaseOutput](t)(s.CreateKnowledgeBase(ctx, &template.CreateKnowledgeBaseInput{
		Name: "kb", KnowledgeBaseType: "MESSAGE_TEMPLATES", Tags: map[string]string{"team": "a"},
	})).KnowledgeBase
	if err := s.TagResource(ctx, kb.KnowledgeBaseARN, map[string]string{"env": "dev", "team": "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UntagResource(ctx, kb.KnowledgeBaseARN, []string{"env"}); err != nil {
		t.Fatal(err)
	}
	tags := must[map[string]string](t)(s.ListTagsForResource(ctx, kb.KnowledgeBaseARN))
	if len(tags) != 1 || tags["team"] != "b" {
		t.Errorf("tags = %v", tags)
	}
	tm := newTemplate(t, s, ctx, kb.KnowledgeBaseID, "t")
	if err := s.TagResource(ctx, tm.MessageTemplateARN, map[string]string{"x": "1"}); err != nil {
		t.Fatal(err)
	}
	if got := must[*template.MessageTemplateOutput](t)(s.GetMessageTemplate(ctx, kb.KnowledgeBaseID, tm.MessageTemplateID)).MessageTemplate.Tags; got["x"] != "1" {
		t.Errorf("template tags = %v", got)
	}
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many[fmt.Sprint("k", i)] = "v"
	}
	mustKind(t, s.TagResource(ctx, kb.KnowledgeBaseARN, many), fault.Quota) // TooManyTagsException on the wire
	missing := "arn:aws:wisdom:us-east-1:" + account + ":knowledge-base/00000000-0000-4000-8000-000000000000"
	_, err := s.ListTagsForResource(ctx, missing)
	mustKind(t, err, fault.NotFound)
	_, err = s.ListTagsForResource(ctxIn("eu-west-1"), kb.KnowledgeBaseARN)
	mustKind(t, err, fault.NotFound)
	mustKind(t, s.TagResource(ctx, "arn:aws:wisdom:us-east-1:"+account+":assistant/00000000-0000-4000-8000-000000000000", map[string]string{"a": "b"}), fault.Invalid)
}

// TestTimes: the times of knowledge bases and templates are the service
// clock's, to the millisecond (awsapi's TestQConnectTimes checks their wire
// forms).
func TestTimes(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 891654321, time.UTC)
	s := newService(t, func(c *template.Config) { c.Now = func() time.Time { return now } })
	ctx := ctxIn("us-east-1")
	kb := newKB(t, s, ctx, "kb")
	ms := now.Truncate(time.Millisecond)
	if !kb.LastContentModificationTime.Equal(ms) {
		t.Errorf("lastContentModificationTime = %v", kb.LastContentModificationTime)
	}
	tm := newTemplate(t, s, ctx, kb.KnowledgeBaseID, "t")
	if !tm.CreatedTime.Equal(ms) || !tm.LastModifiedTime.Equal(tm.CreatedTime) {
		t.Errorf("times = %s %s", tm.CreatedTime, tm.LastModifiedTime)
	}
}
