package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/template"
)

// templateCases are the cases of the template stores.
func templateCases() []struct {
	name string
	fn   func(t *testing.T, f *tfix)
} {
	return []struct {
		name string
		fn   func(t *testing.T, f *tfix)
	}{
		{"knowledge-bases", testKnowledgeBases},
		{"templates", testTemplates},
		{"versions", testVersions},
		{"attachments", testAttachments},
		{"concurrency", testTemplateConcurrency},
	}
}

// tfix builds knowledge bases and templates for one test.
type tfix struct {
	t   *testing.T
	s   templateStores
	ctx context.Context
	n   atomic.Int64
}

// templateStores are a store's template stores, each under its interface.
type templateStores struct {
	template.KnowledgeBaseStore
	template.TemplateStore
	template.AttachmentStore
}

// tag sets and removes tags of a knowledge base as the Service does, refusing
// (with template.ErrLimit) to leave more than max.
func (f *tfix) tag(region, id string, set map[string]string, remove []string, max int) error {
	return f.s.ModifyKnowledgeBaseTags(f.ctx, region, id, func(tags map[string]string) (map[string]string, error) {
		for k, v := range set {
			tags[k] = v
		}
		for _, k := range remove {
			delete(tags, k)
		}
		if len(tags) > max {
			return nil, template.ErrLimit
		}
		return tags, nil
	})
}

var tnow = ms(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))

func (f *tfix) id(prefix string) string { return fmt.Sprintf("%s-%04d", prefix, f.n.Add(1)) }

func (f *tfix) newKB(region, name string) *template.KnowledgeBase {
	id := f.id("kb")
	return &template.KnowledgeBase{ID: id, ARN: "arn:aws:wisdom:" + region + ":000000000000:knowledge-base/" + id, Region: region,
		Name: name, Description: "templates", Type: template.KnowledgeBaseTypeMessageTemplates, Status: "ACTIVE",
		CreatedAt: tnow, ContentModifiedAt: tnow, Tags: map[string]string{"env": "test"}}
}

func (f *tfix) kb(region, name string) *template.KnowledgeBase {
	f.t.Helper()
	kb := f.newKB(region, name)
	must(f.t, "CreateKnowledgeBase", f.s.CreateKnowledgeBase(f.ctx, kb, 100, nil))
	return kb
}

func latest(subject string, at time.Time) *template.Version {
	return &template.Version{
		Content: &template.Content{Email: &template.EmailContent{Subject: subject,
			Body:    &template.EmailBody{HTML: &template.BodyContent{Content: "<p>Hi {{Attributes.Customer.FirstName}}</p>"}},
			Headers: []template.Header{{Name: "X-Campaign", Value: "spring"}}}},
		Language:          "en_US",
		DefaultAttributes: &render.Attributes{Custom: map[string]string{"greeting": "Hello"}},
		SHA256:            fmt.Sprintf("%064x", at.UnixNano()), ModifiedAt: ms(at), ModifiedBy: "arn:aws:iam::000000000000:user/test",
	}
}

func (f *tfix) newTemplate(kbID, name string) *template.Template {
	return &template.Template{ID: f.id("tpl"), KnowledgeBaseID: kbID, Name: name, Description: "d", ChannelSubtype: template.SubtypeEmail,
		Grouping: &template.Grouping{Criteria: "RoutingProfileArn", Values: []string{"arn:1"}}, Tags: map[string]string{"a": "b"},
		CreatedAt: tnow, Latest: latest("Order {{Attributes.Custom.id}}", tnow)}
}

func (f *tfix) template(kbID, name string) *template.Template {
	f.t.Helper()
	tp := f.newTemplate(kbID, name)
	must(f.t, "CreateTemplate", f.s.CreateTemplate(f.ctx, tp, 100, nil))
	return tp
}

func wantStale(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, template.ErrStale) {
		t.Fatalf("%s: got %v, want template.ErrStale", what, err)
	}
}

func wantTemplateReplay(t *testing.T, what string, err error, resp []byte) {
	t.Helper()
	var r *template.Replayed
	if !errors.As(err, &r) || string(r.Response) != string(resp) {
		t.Fatalf("%s: got %v, want *template.Replayed with %q", what, err, resp)
	}
}

func testKnowledgeBases(t *testing.T, f *tfix) {
	a := f.kb("us-east-1", "alpha")
	b := f.kb("us-east-1", "beta")
	c := f.kb("eu-west-2", "alpha")
	got, err := f.s.GetKnowledgeBase(f.ctx, "us-east-1", a.ID)
	must(t, "GetKnowledgeBase", err)
	same(t, "GetKnowledgeBase", got, a)
	_, err = f.s.GetKnowledgeBase(f.ctx, "eu-west-2", a.ID)
	wantKind(t, "GetKnowledgeBase in another region", err, fault.NotFound)
	list, err := f.s.ListKnowledgeBases(f.ctx, "us-east-1")
	must(t, "ListKnowledgeBases", err)
	same(t, "ListKnowledgeBases (oldest first)", list, []*template.KnowledgeBase{a, b})
	list, err = f.s.ListKnowledgeBases(f.ctx, "eu-west-2")
	must(t, "ListKnowledgeBases", err)
	same(t, "ListKnowledgeBases of the other region", list, []*template.KnowledgeBase{c})

	wantKind(t, "a taken name", f.s.CreateKnowledgeBase(f.ctx, f.newKB("us-east-1", "alpha"), 100, nil), fault.Duplicate)
	wantKind(t, "over the quota", f.s.CreateKnowledgeBase(f.ctx, f.newKB("us-east-1", "gamma"), 2, nil), fault.Quota)

	idem := &template.Idem{Op: "CreateKnowledgeBase", Token: "t1", Hash: "h", Response: []byte(`{"id":1}`)}
	must(t, "CreateKnowledgeBase with a token", f.s.CreateKnowledgeBase(f.ctx, f.newKB("us-east-1", "delta"), 100, idem))
	replay := *idem
	replay.Response = []byte(`{"id":2}`)
	wantTemplateReplay(t, "the same token", f.s.CreateKnowledgeBase(f.ctx, f.newKB("us-east-1", "epsilon"), 100, &replay), idem.Response)
	replay.Hash = "other"
	wantKind(t, "the same token, another request", f.s.CreateKnowledgeBase(f.ctx, f.newKB("us-east-1", "epsilon"), 100, &replay), fault.Idempotency)
	if list, _ := f.s.ListKnowledgeBases(f.ctx, "us-east-1"); len(list) != 3 {
		t.Fatalf("%d knowledge bases, want 3", len(list))
	}

	must(t, "ModifyKnowledgeBaseTags", f.tag("us-east-1", a.ID, map[string]string{"x": "1", "y": "2"}, []string{"env"}, 2))
	got, _ = f.s.GetKnowledgeBase(f.ctx, "us-east-1", a.ID)
	same(t, "tags", got.Tags, map[string]string{"x": "1", "y": "2"})
	wantKind(t, "too many tags", f.tag("us-east-1", a.ID, map[string]string{"z": "3"}, nil, 2), fault.Quota)
	got, _ = f.s.GetKnowledgeBase(f.ctx, "us-east-1", a.ID)
	same(t, "tags after a refused change", got.Tags, map[string]string{"x": "1", "y": "2"})
	must(t, "ModifyKnowledgeBaseTags removing all", f.tag("us-east-1", a.ID, nil, []string{"x", "y"}, 2))
	got, _ = f.s.GetKnowledgeBase(f.ctx, "us-east-1", a.ID)
	if len(got.Tags) != 0 {
		t.Fatalf("tags after removing all: %v", got.Tags)
	}
	wantKind(t, "ModifyKnowledgeBaseTags in another region", f.tag("eu-west-2", a.ID, nil, nil, 2), fault.NotFound)

	// Deleting a knowledge base deletes its templates and their files.
	tp := f.template(a.ID, "welcome")
	att := &template.Attachment{ID: f.id("att"), Name: "a.pdf", ContentType: "application/pdf", Size: 3, SHA256: "abc", UploadedAt: tnow}
	must(t, "AddAttachment", f.s.AddAttachment(f.ctx, tp, tp.Latest, att, []byte("pdf"), 10, nil))
	must(t, "DeleteKnowledgeBase", f.s.DeleteKnowledgeBase(f.ctx, "us-east-1", a.ID))
	wantKind(t, "DeleteKnowledgeBase again", f.s.DeleteKnowledgeBase(f.ctx, "us-east-1", a.ID), fault.NotFound)
	_, err = f.s.GetKnowledgeBase(f.ctx, "us-east-1", a.ID)
	wantKind(t, "GetKnowledgeBase after delete", err, fault.NotFound)
	_, err = f.s.GetTemplate(f.ctx, a.ID, tp.ID)
	wantKind(t, "GetTemplate after its knowledge base was deleted", err, fault.NotFound)
	_, _, err = f.s.AttachmentData(f.ctx, att.ID)
	wantKind(t, "AttachmentData after its knowledge base was deleted", err, fault.NotFound)
}

func testTemplates(t *testing.T, f *tfix) {
	kb := f.kb("us-east-1", "kb")
	t1 := f.template(kb.ID, "one")
	if t1.Revision != 1 {
		t.Fatalf("a new template's revision is %d, want 1", t1.Revision)
	}
	t2 := f.template(kb.ID, "two")
	got, err := f.s.GetTemplate(f.ctx, kb.ID, t1.ID)
	must(t, "GetTemplate", err)
	same(t, "GetTemplate", got, t1)
	_, err = f.s.GetTemplate(f.ctx, "other-kb", t1.ID)
	wantKind(t, "GetTemplate in another knowledge base", err, fault.NotFound)
	list, err := f.s.ListTemplates(f.ctx, kb.ID)
	must(t, "ListTemplates", err)
	same(t, "ListTemplates (oldest first)", list, []*template.Template{t1, t2})
	v0, err := f.s.GetVersion(f.ctx, t1.ID, 0)
	must(t, "GetVersion $LATEST", err)
	same(t, "GetVersion $LATEST", v0, t1.Latest)

	wantKind(t, "a taken name", f.s.CreateTemplate(f.ctx, f.newTemplate(kb.ID, "one"), 100, nil), fault.Duplicate)
	wantKind(t, "over the quota", f.s.CreateTemplate(f.ctx, f.newTemplate(kb.ID, "three"), 2, nil), fault.Quota)
	wantKind(t, "in a missing knowledge base", f.s.CreateTemplate(f.ctx, f.newTemplate("nope", "x"), 100, nil), fault.NotFound)
	idem := &template.Idem{Op: "CreateMessageTemplate", Token: "tok", Hash: "h", Response: []byte(`{"t":3}`)}
	must(t, "CreateTemplate with a token", f.s.CreateTemplate(f.ctx, f.newTemplate(kb.ID, "three"), 100, idem))
	wantTemplateReplay(t, "CreateTemplate replay", f.s.CreateTemplate(f.ctx, f.newTemplate(kb.ID, "four"), 100, idem), idem.Response)

	// Saving needs the current revision.
	stale := *t1
	t1.Name, t1.Description, t1.Grouping, t1.Tags, t1.ActiveVersion = "one-renamed", "", nil, nil, 0
	later := tnow.Add(time.Hour)
	nl := latest("New subject", later)
	must(t, "SaveTemplate", f.s.SaveTemplate(f.ctx, t1, nl))
	if t1.Revision != 2 {
		t.Fatalf("revision after a save = %d, want 2", t1.Revision)
	}
	got, err = f.s.GetTemplate(f.ctx, kb.ID, t1.ID)
	must(t, "GetTemplate", err)
	t1.Latest = nl
	same(t, "saved template", got, t1)
	wantStale(t, "SaveTemplate from an old revision", f.s.SaveTemplate(f.ctx, &stale, nil))
	if stale.Revision != 1 {
		t.Fatalf("a refused save changed the caller's revision to %d", stale.Revision)
	}
	k, err := f.s.GetKnowledgeBase(f.ctx, "us-east-1", kb.ID)
	must(t, "GetKnowledgeBase", err)
	if !k.ContentModifiedAt.Equal(ms(later)) {
		t.Fatalf("knowledge base content modified at %v, want %v", k.ContentModifiedAt, ms(later))
	}
	// Metadata only: $LATEST is untouched and the knowledge base's time never goes back.
	t1.Description = "meta"
	must(t, "SaveTemplate metadata", f.s.SaveTemplate(f.ctx, t1, nil))
	got, _ = f.s.GetTemplate(f.ctx, kb.ID, t1.ID)
	same(t, "metadata-only save", got, t1)
	t2.Name = "one-renamed"
	wantKind(t, "renaming onto a taken name", f.s.SaveTemplate(f.ctx, t2, nil), fault.Duplicate)
	t2.Name = "two"
	older := latest("Older", tnow.Add(-time.Hour))
	must(t, "SaveTemplate", f.s.SaveTemplate(f.ctx, t2, older))
	k, _ = f.s.GetKnowledgeBase(f.ctx, "us-east-1", kb.ID)
	if !k.ContentModifiedAt.Equal(ms(later)) {
		t.Fatalf("knowledge base content modified time went back to %v", k.ContentModifiedAt)
	}

	must(t, "DeleteTemplate", f.s.DeleteTemplate(f.ctx, kb.ID, t2.ID))
	wantKind(t, "DeleteTemplate again", f.s.DeleteTemplate(f.ctx, kb.ID, t2.ID), fault.NotFound)
	_, err = f.s.GetTemplate(f.ctx, kb.ID, t2.ID)
	wantKind(t, "GetTemplate after delete", err, fault.NotFound)
	ghost := *t2
	wantKind(t, "SaveTemplate of a deleted template", f.s.SaveTemplate(f.ctx, &ghost, nil), fault.NotFound)
	if list, _ := f.s.ListTemplates(f.ctx, kb.ID); len(list) != 2 {
		t.Fatalf("%d templates left, want 2", len(list))
	}
}

func testVersions(t *testing.T, f *tfix) {
	kb := f.kb("us-east-1", "kb")
	tp := f.template(kb.ID, "one")
	v1 := *tp.Latest
	v1.Number = 1
	must(t, "CreateVersion 1", f.s.CreateVersion(f.ctx, tp, &v1, 3))
	if tp.LastVersion != 1 || tp.Revision != 2 {
		t.Fatalf("after CreateVersion: last version %d, revision %d", tp.LastVersion, tp.Revision)
	}
	tp.Latest = latest("Second", tnow.Add(time.Minute))
	must(t, "SaveTemplate", f.s.SaveTemplate(f.ctx, tp, tp.Latest))
	v2 := *tp.Latest
	v2.Number = 2
	must(t, "CreateVersion 2", f.s.CreateVersion(f.ctx, tp, &v2, 3))
	got, err := f.s.GetVersion(f.ctx, tp.ID, 1)
	must(t, "GetVersion", err)
	same(t, "version 1", got, &v1)
	vs, err := f.s.ListVersions(f.ctx, tp.ID)
	must(t, "ListVersions", err)
	same(t, "ListVersions", vs, []*template.Version{&v1, &v2})
	g, _ := f.s.GetTemplate(f.ctx, kb.ID, tp.ID)
	if g.LastVersion != 2 || g.Revision != tp.Revision {
		t.Fatalf("stored template: last version %d revision %d; want 2, %d", g.LastVersion, g.Revision, tp.Revision)
	}

	v3 := v2
	v3.Number = 3
	wantKind(t, "CreateVersion over the quota", f.s.CreateVersion(f.ctx, tp, &v3, 2), fault.Quota)
	old := *tp
	old.Revision--
	wantStale(t, "CreateVersion from an old revision", f.s.CreateVersion(f.ctx, &old, &v3, 10))

	must(t, "DeleteVersion", f.s.DeleteVersion(f.ctx, tp, 1))
	_, err = f.s.GetVersion(f.ctx, tp.ID, 1)
	wantKind(t, "GetVersion after delete", err, fault.NotFound)
	wantKind(t, "DeleteVersion again", f.s.DeleteVersion(f.ctx, tp, 1), fault.NotFound)
	wantKind(t, "DeleteVersion of $LATEST", f.s.DeleteVersion(f.ctx, tp, 0), fault.NotFound)
	old = *tp
	old.Revision--
	wantStale(t, "DeleteVersion from an old revision", f.s.DeleteVersion(f.ctx, &old, 2))
	vs, _ = f.s.ListVersions(f.ctx, tp.ID)
	if len(vs) != 1 || vs[0].Number != 2 {
		t.Fatalf("versions left: %v", vs)
	}
	// Numbers are never reused: the next is above the last ever assigned.
	g, _ = f.s.GetTemplate(f.ctx, kb.ID, tp.ID)
	if g.LastVersion != 2 {
		t.Fatalf("LastVersion after deleting version 1 = %d, want 2", g.LastVersion)
	}
}

func testAttachments(t *testing.T, f *tfix) {
	kb := f.kb("us-east-1", "kb")
	tp := f.template(kb.ID, "one")
	att := func(name string) *template.Attachment {
		return &template.Attachment{ID: f.id("att"), Name: name, ContentType: "text/plain", Size: 5, SHA256: "sha-" + name, UploadedAt: tnow}
	}
	a1, a2 := att("a.txt"), att("b.txt")
	l := latest("With files", tnow.Add(time.Minute))
	idem := &template.Idem{Op: "StartMessageTemplateAttachmentUpload", Token: "up", Hash: "h", Response: []byte(`{"a":1}`)}
	must(t, "AddAttachment", f.s.AddAttachment(f.ctx, tp, l, a1, []byte("hello"), 2, idem))
	wantTemplateReplay(t, "AddAttachment replay", f.s.AddAttachment(f.ctx, tp, l, att("c.txt"), []byte("x"), 2, idem), idem.Response)
	must(t, "AddAttachment", f.s.AddAttachment(f.ctx, tp, l, a2, []byte("world"), 2, nil))
	wantKind(t, "AddAttachment over the quota", f.s.AddAttachment(f.ctx, tp, l, att("d.txt"), []byte("x"), 2, nil), fault.Quota)
	wantKind(t, "AddAttachment of a taken name", f.s.AddAttachment(f.ctx, tp, l, att("a.txt"), []byte("x"), 10, nil), fault.Duplicate)
	old := *tp
	old.Revision--
	wantStale(t, "AddAttachment from an old revision", f.s.AddAttachment(f.ctx, &old, l, att("e.txt"), []byte("x"), 10, nil))

	g, err := f.s.GetTemplate(f.ctx, kb.ID, tp.ID)
	must(t, "GetTemplate", err)
	l.Attachments = []template.Attachment{*a1, *a2}
	same(t, "$LATEST with attachments", g.Latest, l)
	meta, data, err := f.s.AttachmentData(f.ctx, a1.ID)
	must(t, "AttachmentData", err)
	same(t, "attachment", meta, a1)
	if string(data) != "hello" {
		t.Fatalf("attachment data %q", data)
	}

	// A version shares the files of $LATEST.
	v1 := *l
	v1.Number = 1
	must(t, "CreateVersion", f.s.CreateVersion(f.ctx, tp, &v1, 10))
	got, err := f.s.GetVersion(f.ctx, tp.ID, 1)
	must(t, "GetVersion", err)
	same(t, "version attachments", got.Attachments, []template.Attachment{*a1, *a2})
	l2 := latest("One file", tnow.Add(2*time.Minute))
	must(t, "RemoveAttachment", f.s.RemoveAttachment(f.ctx, tp, l2, a1.ID))
	wantKind(t, "RemoveAttachment again", f.s.RemoveAttachment(f.ctx, tp, l2, a1.ID), fault.NotFound)
	g, _ = f.s.GetTemplate(f.ctx, kb.ID, tp.ID)
	l2.Attachments = []template.Attachment{*a2}
	same(t, "$LATEST after removing a file", g.Latest, l2)
	if _, data, err := f.s.AttachmentData(f.ctx, a1.ID); err != nil || string(data) != "hello" {
		t.Fatalf("a file still used by version 1 is gone: %q, %v", data, err)
	}
	// The file goes when nothing refers to it any more.
	must(t, "DeleteVersion", f.s.DeleteVersion(f.ctx, tp, 1))
	_, _, err = f.s.AttachmentData(f.ctx, a1.ID)
	wantKind(t, "AttachmentData of an unreferenced file", err, fault.NotFound)
	if _, data, err := f.s.AttachmentData(f.ctx, a2.ID); err != nil || string(data) != "world" {
		t.Fatalf("a file of $LATEST: %q, %v", data, err)
	}
	must(t, "DeleteTemplate", f.s.DeleteTemplate(f.ctx, kb.ID, tp.ID))
	_, _, err = f.s.AttachmentData(f.ctx, a2.ID)
	wantKind(t, "AttachmentData after the template was deleted", err, fault.NotFound)
}

func testTemplateConcurrency(t *testing.T, f *tfix) {
	kb := f.kb("us-east-1", "kb")
	tp := f.template(kb.ID, "one")
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *tp
			c.Description = fmt.Sprint("writer ", i)
			errs[i] = f.s.SaveTemplate(f.ctx, &c, nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantStale(t, "a losing concurrent save", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent saves from one revision succeeded, want 1", ok)
	}

	// Quotas hold under concurrent creation.
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.s.CreateTemplate(f.ctx, f.newTemplate(kb.ID, fmt.Sprint("t", i)), 4, nil)
		}()
	}
	wg.Wait()
	ok = 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantKind(t, "a concurrent create over the quota", err, fault.Quota)
		}
	}
	if ok != 3 {
		t.Fatalf("%d concurrent creates succeeded under a quota of 4 with 1 template, want 3", ok)
	}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.s.CreateKnowledgeBase(f.ctx, f.newKB("ap-south-1", fmt.Sprint("kb", i)), 2, nil)
		}()
	}
	wg.Wait()
	ok = 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantKind(t, "a concurrent knowledge base over the quota", err, fault.Quota)
		}
	}
	if ok != 2 {
		t.Fatalf("%d concurrent knowledge bases succeeded under a quota of 2, want 2", ok)
	}
}
