package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

// The cases of the Store methods of the email surface beyond the spine
// (connect/store.go): contacts created with their message, contact, email
// address and tag modifications, attached files and queue email addresses.
func wireCases() []testCase {
	return []testCase{
		{"wire/create-contact-message", testCreateContactMessage},
		{"wire/modify-contact", testModifyContact},
		{"wire/modify-email-addresses", testModifyEmailAddresses},
		{"wire/modify-tags", testModifyTags},
		{"wire/files", testFiles},
		{"wire/files-quota-concurrent", testFilesQuotaConcurrent},
		{"wire/queue-email-addresses", testQueueEmailAddresses},
	}
}

func testCreateContactMessage(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	// Inbound: the contact and its message, no delivery job.
	c := f.newContact(in.ID)
	o := f.outbound(c, f.now, &connect.Idem{Op: "StartEmailContact", Token: "t1", Hash: "h1", Response: []byte(`{"ContactId":"` + c.ID + `"}`)})
	o.Contact.State = connect.StateReceived
	must(t, "CreateContactMessage", f.s.CreateContactMessage(f.ctx, o, false))
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	same(t, "stored contact", got, o.Contact)
	m, err := f.s.GetMessage(f.ctx, c.ID)
	must(t, "GetMessage", err)
	same(t, "stored message", m, &o.Message)
	evs, err := f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 1 || evs[0].Type != connect.EventQueued || evs[0].ID == 0 {
		t.Fatalf("events: %+v", evs)
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 0 {
		t.Fatalf("QueueDepth after an unqueued message: %d %v", n, err)
	}
	// The same token and hash replay; another hash is refused; nothing is inserted.
	again := f.outbound(f.newContact(in.ID), f.now, &connect.Idem{Op: "StartEmailContact", Token: "t1", Hash: "h1"})
	wantReplay(t, "replay", f.s.CreateContactMessage(f.ctx, again, false), o.Idem.Response)
	_, err = f.s.GetContact(f.ctx, in.ID, again.Contact.ID)
	wantKind(t, "contact of a replayed request", err, fault.NotFound)
	again.Idem.Hash = "h2"
	wantKind(t, "token reuse", f.s.CreateContactMessage(f.ctx, again, false), fault.Idempotency)

	// Outbound campaign mail: queued for delivery like StartOutbound's.
	q := f.outbound(f.newContact(in.ID), f.now.Add(-time.Second), nil)
	must(t, "CreateContactMessage queued", f.s.CreateContactMessage(f.ctx, q, true))
	jobs, err := f.s.ClaimJobs(f.ctx, f.now, 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 1 || jobs[0].ContactID != q.Contact.ID || string(jobs[0].Message.Raw) != string(q.Message.Raw) {
		t.Fatalf("claimed %+v", jobs)
	}
	// An existing contact id is a duplicate, and the message is not replaced.
	dup := f.outbound(c, f.now, nil)
	dup.Message.Raw = []byte("other")
	if err := f.s.CreateContactMessage(f.ctx, dup, false); err == nil {
		t.Fatal("CreateContactMessage of an existing contact succeeded")
	}
	m, _ = f.s.GetMessage(f.ctx, c.ID)
	if string(m.Raw) == "other" {
		t.Fatal("a failed CreateContactMessage replaced the message")
	}
}

func testModifyContact(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in, other := f.instance(), f.instance()
	c := f.contact(in.ID)
	later := ms(f.now.Add(time.Minute))
	must(t, "ModifyContact", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		same(t, "contact given to fn", x, c)
		x.Attributes = map[string]string{"a": "1"}
		x.Tags = map[string]string{"t": "2"}
		x.UpdatedAt = later
		x.Subject = "not stored" // only attributes, tags and UpdatedAt are stored
		return []connect.Event{f.event(x, connect.EventContactDataUpdated)}, nil
	}))
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	if got.Attributes["a"] != "1" || len(got.Attributes) != 1 || got.Tags["t"] != "2" || !got.UpdatedAt.Equal(later) || got.Subject != c.Subject {
		t.Fatalf("modified contact: %+v", got)
	}
	evs, _ := f.s.ListEvents(f.ctx, c.ID)
	if len(evs) != 2 || evs[1].Type != connect.EventContactDataUpdated {
		t.Fatalf("events: %+v", evs)
	}
	// An error from fn aborts: nothing changes.
	boom := errors.New("boom")
	err = f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		x.Attributes = nil
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("fn's error: got %v", err)
	}
	got, _ = f.s.GetContact(f.ctx, in.ID, c.ID)
	if got.Attributes["a"] != "1" {
		t.Fatal("an aborted ModifyContact changed the contact")
	}
	err = f.s.ModifyContact(f.ctx, other.ID, c.ID, func(*connect.Contact) ([]connect.Event, error) { return nil, nil })
	wantKind(t, "ModifyContact in another instance", err, fault.NotFound)
	// Concurrent merges do not lose updates.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := string(rune('a' + i))
			if err := f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
				x.Attributes[k] = "x"
				return nil, nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ = f.s.GetContact(f.ctx, in.ID, c.ID)
	if len(got.Attributes) != 8 {
		t.Fatalf("concurrent merges lost updates: %v", got.Attributes)
	}
}

func testModifyEmailAddresses(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	var ids []string
	for i, a := range []string{"one@example.com", "two@example.com", "three@example.com"} {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:" + a, InstanceID: in.ID, Address: a,
			CreatedAt: ms(f.now.Add(time.Duration(i) * time.Second)), ModifiedAt: f.now}
		must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, e))
		ids = append(ids, e.ID)
	}
	idem := &connect.Idem{Op: "AssociateEmailAddressAlias", Token: "tok", Hash: "h", Response: []byte("{}")}
	later := ms(f.now.Add(time.Hour))
	must(t, "ModifyEmailAddresses", f.s.ModifyEmailAddresses(f.ctx, in.ID, idem, func(all []*connect.EmailAddress) ([]*connect.EmailAddress, error) {
		var got []string
		for _, e := range all {
			got = append(got, e.ID)
		}
		same(t, "addresses in creation order", got, ids)
		all[1].AliasOf = all[0].ID
		all[1].Tags = map[string]string{"x": "y"}
		all[1].ModifiedAt = later
		all[1].DisplayName = "not stored"
		return []*connect.EmailAddress{all[1]}, nil
	}))
	e, err := f.s.GetEmailAddress(f.ctx, in.ID, ids[1])
	must(t, "GetEmailAddress", err)
	if e.AliasOf != ids[0] || e.Tags["x"] != "y" || !e.ModifiedAt.Equal(later) || e.DisplayName != "" {
		t.Fatalf("modified address: %+v", e)
	}
	called := false
	err = f.s.ModifyEmailAddresses(f.ctx, in.ID, &connect.Idem{Op: "AssociateEmailAddressAlias", Token: "tok", Hash: "h"}, func([]*connect.EmailAddress) ([]*connect.EmailAddress, error) {
		called = true
		return nil, nil
	})
	wantReplay(t, "replay", err, []byte("{}"))
	if called {
		t.Fatal("fn ran for a replayed request")
	}
	err = f.s.ModifyEmailAddresses(f.ctx, in.ID, &connect.Idem{Op: "AssociateEmailAddressAlias", Token: "tok", Hash: "other"}, func([]*connect.EmailAddress) ([]*connect.EmailAddress, error) { return nil, nil })
	wantKind(t, "token reuse", err, fault.Idempotency)
	// fn's error aborts, and the token stays unused.
	err = f.s.ModifyEmailAddresses(f.ctx, in.ID, &connect.Idem{Op: "X", Token: "t2", Hash: "h"}, func(all []*connect.EmailAddress) ([]*connect.EmailAddress, error) {
		return nil, fault.New(fault.ResourceConflict, "no")
	})
	wantKind(t, "fn's error", err, fault.ResourceConflict)
	must(t, "token of an aborted call", f.s.ModifyEmailAddresses(f.ctx, in.ID, &connect.Idem{Op: "X", Token: "t2", Hash: "h2", Response: []byte("{}")}, func([]*connect.EmailAddress) ([]*connect.EmailAddress, error) { return nil, nil }))
}

func testModifyTags(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:e", InstanceID: in.ID, Address: "tags@example.com", CreatedAt: f.now, ModifiedAt: f.now}
	must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, e))
	c := f.contact(in.ID)
	file := &connect.File{ID: f.id("file"), ARN: "arn:f", InstanceID: in.ID, AssociatedResourceARN: c.ARN, Name: "a.pdf", Size: 3,
		UseCase: "ATTACHMENT", ContentType: "application/pdf", Status: connect.FileProcessing, CreatedAt: f.now}
	must(t, "CreateFile", f.s.CreateFile(f.ctx, file, connect.FileLimits{}, nil))
	for _, ref := range []connect.ResourceRef{
		{Type: connect.ResourceInstance, InstanceID: in.ID, ID: in.ID},
		{Type: connect.ResourceEmailAddress, InstanceID: in.ID, ID: e.ID},
		{Type: connect.ResourceFile, InstanceID: in.ID, ID: file.ID},
	} {
		must(t, "ModifyTags "+ref.Type, f.s.ModifyTags(f.ctx, ref, func(tags map[string]string) (map[string]string, error) {
			if tags == nil {
				tags = map[string]string{}
			}
			tags["added"] = ref.Type
			return tags, nil
		}))
		var got map[string]string
		switch ref.Type {
		case connect.ResourceInstance:
			x, err := f.s.GetInstance(f.ctx, in.ID)
			must(t, "GetInstance", err)
			got = x.Tags
			if got["team"] != "mail" {
				t.Fatalf("existing instance tags lost: %v", got)
			}
		case connect.ResourceEmailAddress:
			x, err := f.s.GetEmailAddress(f.ctx, in.ID, e.ID)
			must(t, "GetEmailAddress", err)
			got = x.Tags
		case connect.ResourceFile:
			x, err := f.s.GetFile(f.ctx, in.ID, file.ID)
			must(t, "GetFile", err)
			got = x.Tags
		}
		if got["added"] != ref.Type {
			t.Fatalf("%s tags: %v", ref.Type, got)
		}
		// Removing every tag leaves none.
		must(t, "ModifyTags to none", f.s.ModifyTags(f.ctx, ref, func(map[string]string) (map[string]string, error) { return nil, nil }))
		missing := ref
		missing.ID = "nope"
		wantKind(t, "ModifyTags of a missing "+ref.Type, f.s.ModifyTags(f.ctx, missing, func(m map[string]string) (map[string]string, error) { return m, nil }), fault.NotFound)
	}
	x, _ := f.s.GetInstance(f.ctx, in.ID)
	if len(x.Tags) != 0 {
		t.Fatalf("instance tags after removing all: %v", x.Tags)
	}
}

func testFiles(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in, other := f.instance(), f.instance()
	c := f.contact(in.ID)
	mk := func(name string, size int64, at time.Time) *connect.File {
		return &connect.File{ID: f.id("file"), ARN: "arn:file:" + name, InstanceID: in.ID, AssociatedResourceARN: c.ARN,
			Name: name, Size: size, UseCase: "ATTACHMENT", ContentType: "text/plain", Status: connect.FileProcessing,
			CreatedAt: ms(at), CreatedBy: connect.CreatedByInfo{ConnectUserArn: "arn:user"}, Tags: map[string]string{"k": "v"}}
	}
	limits := connect.FileLimits{MaxCount: 3, MaxTotalBytes: 100}
	b1 := mk("b.txt", 10, f.now.Add(time.Second))
	a1 := mk("a.txt", 5, f.now)
	idem := &connect.Idem{Op: "StartAttachedFileUpload", Token: "tok", Hash: "h", Response: []byte(`{"FileId":"x"}`)}
	must(t, "CreateFile", f.s.CreateFile(f.ctx, b1, limits, idem))
	must(t, "CreateFile", f.s.CreateFile(f.ctx, a1, limits, nil))
	wantReplay(t, "CreateFile replay", f.s.CreateFile(f.ctx, mk("c.txt", 1, f.now), limits, &connect.Idem{Op: "StartAttachedFileUpload", Token: "tok", Hash: "h"}), idem.Response)

	got, err := f.s.GetFile(f.ctx, in.ID, b1.ID)
	must(t, "GetFile", err)
	same(t, "GetFile", got, b1)
	_, err = f.s.GetFile(f.ctx, other.ID, b1.ID)
	wantKind(t, "GetFile in another instance", err, fault.NotFound)
	list, err := f.s.ListFiles(f.ctx, in.ID, c.ARN)
	must(t, "ListFiles", err)
	same(t, "ListFiles (oldest first)", list, []*connect.File{a1, b1})
	if l, _ := f.s.ListFiles(f.ctx, in.ID, c.ARN+"x"); len(l) != 0 {
		t.Fatalf("ListFiles of another resource: %v", l)
	}

	// Limits: the total size, then the count.
	err = f.s.CreateFile(f.ctx, mk("big.txt", 86, f.now), limits, nil)
	wantKind(t, "CreateFile over the total size", err, fault.Quota)
	if !errors.Is(err, connect.ErrFilesTooLarge) {
		t.Fatalf("CreateFile over the total size: %v, want connect.ErrFilesTooLarge", err)
	}
	must(t, "CreateFile at the total size", f.s.CreateFile(f.ctx, mk("fits.txt", 85, f.now), limits, nil))
	err = f.s.CreateFile(f.ctx, mk("one-more.txt", 0, f.now), limits, nil)
	wantKind(t, "CreateFile over the count", err, fault.Quota)
	if !errors.Is(err, connect.ErrTooManyFiles) {
		t.Fatalf("CreateFile over the count: %v, want connect.ErrTooManyFiles", err)
	}

	// Data: absent until uploaded, replaceable while PROCESSING.
	_, err = f.s.FileData(f.ctx, in.ID, a1.ID)
	wantKind(t, "FileData before upload", err, fault.NotFound)
	must(t, "PutFileData", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("first")))
	must(t, "PutFileData again", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("hello")))
	data, err := f.s.FileData(f.ctx, in.ID, a1.ID)
	must(t, "FileData", err)
	if string(data) != "hello" {
		t.Fatalf("FileData %q", data)
	}
	got, _ = f.s.GetFile(f.ctx, in.ID, a1.ID)
	if !got.Uploaded {
		t.Fatal("Uploaded not set after PutFileData")
	}
	must(t, "empty upload", f.s.PutFileData(f.ctx, in.ID, b1.ID, nil))
	if data, err := f.s.FileData(f.ctx, in.ID, b1.ID); err != nil || len(data) != 0 {
		t.Fatalf("empty data: %q %v", data, err)
	}
	// Status moves are compare-and-set.
	must(t, "SetFileStatus", f.s.SetFileStatus(f.ctx, in.ID, a1.ID, connect.FileProcessing, connect.FileApproved))
	wantKind(t, "SetFileStatus from a stale status", f.s.SetFileStatus(f.ctx, in.ID, a1.ID, connect.FileProcessing, connect.FileApproved), fault.Conflict)
	wantKind(t, "SetFileStatus of a missing file", f.s.SetFileStatus(f.ctx, in.ID, "nope", connect.FileProcessing, connect.FileApproved), fault.NotFound)
	wantKind(t, "PutFileData after approval", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("x")), fault.Conflict)
	wantKind(t, "PutFileData of a missing file", f.s.PutFileData(f.ctx, in.ID, "nope", []byte("x")), fault.NotFound)
	got, _ = f.s.GetFile(f.ctx, in.ID, a1.ID)
	if got.Status != connect.FileApproved {
		t.Fatalf("status %s", got.Status)
	}
	// Files go with their instance.
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, in.ID))
	if l, _ := f.s.ListFiles(f.ctx, in.ID, c.ARN); len(l) != 0 {
		t.Fatalf("files outlive their instance: %v", l)
	}
}

func testFilesQuotaConcurrent(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	limits := connect.FileLimits{MaxCount: 5}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, quota int
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			file := &connect.File{ID: f.id("file"), ARN: "arn:f", InstanceID: in.ID, AssociatedResourceARN: c.ARN, Name: "a.txt", Size: 1,
				UseCase: "ATTACHMENT", Status: connect.FileProcessing, CreatedAt: f.now}
			err := f.s.CreateFile(f.ctx, file, limits, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case fault.Is(err, fault.Quota):
				quota++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 5 || quota != 7 {
		t.Fatalf("%d created and %d refused, want 5 and 7", ok, quota)
	}
}

func testQueueEmailAddresses(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in, other := f.instance(), f.instance()
	var ids []string
	for _, a := range []string{"q1@example.com", "q2@example.com", "q3@example.com"} {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:" + a, InstanceID: in.ID, Address: a, CreatedAt: f.now, ModifiedAt: f.now}
		must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, e))
		ids = append(ids, e.ID)
	}
	link := func(queue, id string, def bool) connect.QueueEmailAddress {
		return connect.QueueEmailAddress{InstanceID: in.ID, QueueID: queue, EmailAddressID: id, Default: def, ModifiedAt: f.now}
	}
	set := func(queue string, links ...connect.QueueEmailAddress) {
		t.Helper()
		must(t, "ModifyQueueEmailAddresses", f.s.ModifyQueueEmailAddresses(f.ctx, in.ID, queue, func([]connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error) {
			return links, nil
		}))
	}
	set("qb", link("qb", ids[2], false), link("qb", ids[0], true))
	set("qa", link("qa", ids[1], false))
	got, err := f.s.ListQueueEmailAddresses(f.ctx, in.ID, "qb")
	must(t, "ListQueueEmailAddresses", err)
	same(t, "queue qb in link order", got, []connect.QueueEmailAddress{link("qb", ids[2], false), link("qb", ids[0], true)})
	all, err := f.s.ListQueueEmailAddresses(f.ctx, in.ID, "")
	must(t, "ListQueueEmailAddresses of every queue", err)
	same(t, "every queue", all, []connect.QueueEmailAddress{link("qa", ids[1], false), link("qb", ids[2], false), link("qb", ids[0], true)})
	if l, _ := f.s.ListQueueEmailAddresses(f.ctx, other.ID, ""); len(l) != 0 {
		t.Fatalf("another instance's queues: %v", l)
	}
	// fn sees the current links; its error aborts.
	err = f.s.ModifyQueueEmailAddresses(f.ctx, in.ID, "qb", func(cur []connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error) {
		same(t, "links given to fn", cur, got)
		return nil, fault.New(fault.Quota, "too many")
	})
	wantKind(t, "fn's error", err, fault.Quota)
	// Deleted addresses disappear from their queues.
	must(t, "DeleteEmailAddress", f.s.DeleteEmailAddress(f.ctx, in.ID, ids[2]))
	got, _ = f.s.ListQueueEmailAddresses(f.ctx, in.ID, "qb")
	if !slices.Equal([]string{got[0].EmailAddressID}, []string{ids[0]}) || len(got) != 1 {
		t.Fatalf("after deleting an address: %+v", got)
	}
	set("qb")
	if got, _ := f.s.ListQueueEmailAddresses(f.ctx, in.ID, "qb"); len(got) != 0 {
		t.Fatalf("emptied queue: %+v", got)
	}
}
