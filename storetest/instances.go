package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testInstances(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, c := f.instance(), f.instance()
	got, err := f.s.GetInstance(f.ctx, a.ID)
	must(t, "GetInstance", err)
	same(t, "GetInstance", got, a)
	_, err = f.s.GetInstance(f.ctx, "nope")
	wantKind(t, "GetInstance of a missing id", err, fault.NotFound)

	dup := *c
	dup.ID = f.id("inst")
	wantKind(t, "CreateInstance with a taken alias", f.s.CreateInstance(f.ctx, &dup, nil), fault.Duplicate)
	dup.Alias = ""
	must(t, "CreateInstance without alias", f.s.CreateInstance(f.ctx, &dup, nil))
	noAlias := dup
	noAlias.ID = f.id("inst")
	must(t, "a second instance without alias", f.s.CreateInstance(f.ctx, &noAlias, nil))

	// Ids page in bytewise order: upper case sorts before lower case.
	upper := *a
	upper.ID, upper.Alias, upper.Tags = "Zulu-"+a.ID, "zulu"+a.ID, nil
	lower := *a
	lower.ID, lower.Alias = "alpha-"+a.ID, "alpha"+a.ID
	must(t, "CreateInstance", f.s.CreateInstance(f.ctx, &upper, nil))
	must(t, "CreateInstance", f.s.CreateInstance(f.ctx, &lower, nil))
	want := []string{upper.ID, lower.ID, a.ID, c.ID, dup.ID, noAlias.ID}
	var ids []string
	for after := ""; ; {
		page, err := f.s.ListInstances(f.ctx, after, 4)
		must(t, "ListInstances", err)
		if len(page) > 4 {
			t.Fatalf("ListInstances returned %d, limit 4", len(page))
		}
		for _, in := range page {
			ids = append(ids, in.ID)
		}
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	// The order of a.ID, c.ID, dup.ID, noAlias.ID is their creation order by construction.
	if strings.Join(ids, " ") != strings.Join(sortedBytewise(want), " ") {
		t.Fatalf("ListInstances order %v, want %v", ids, sortedBytewise(want))
	}
	if ids[0] != upper.ID {
		t.Fatalf("ListInstances starts with %s, want the upper-case id %s first", ids[0], upper.ID)
	}
	tail, err := f.s.ListInstances(f.ctx, lower.ID, 100)
	must(t, "ListInstances after", err)
	if len(tail) != 4 || tail[0].ID != a.ID {
		t.Fatalf("ListInstances after %s: %d instances starting %v", lower.ID, len(tail), tail)
	}

	// Deleting an instance removes everything in it and nothing else.
	ea := &connect.EmailAddress{ID: f.id("email"), InstanceID: a.ID, ARN: "arn:x", Address: "gone@example.com", CreatedAt: f.now, ModifiedAt: f.now}
	must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, ea))
	gone := f.queued(a.ID, f.now)
	kept := f.queued(c.ID, f.now)
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, a.ID))
	wantKind(t, "DeleteInstance again", f.s.DeleteInstance(f.ctx, a.ID), fault.NotFound)
	_, err = f.s.GetInstance(f.ctx, a.ID)
	wantKind(t, "GetInstance after delete", err, fault.NotFound)
	_, err = f.s.GetEmailAddress(f.ctx, a.ID, ea.ID)
	wantKind(t, "GetEmailAddress after instance delete", err, fault.NotFound)
	_, err = f.s.GetContact(f.ctx, "", gone.Contact.ID)
	wantKind(t, "GetContact after instance delete", err, fault.NotFound)
	_, err = f.s.GetMessage(f.ctx, gone.Contact.ID)
	wantKind(t, "GetMessage after instance delete", err, fault.NotFound)
	evs, err := f.s.ListEventsSince(f.ctx, 0, 1000)
	must(t, "ListEventsSince", err)
	for _, e := range evs {
		if e.InstanceID == a.ID {
			t.Fatalf("event %+v of a deleted instance is still listed", e)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("%d events left, want the 2 of the other instance's contact", len(evs))
	}
	if n, err := f.s.QueueDepth(f.ctx); err != nil || n != 1 {
		t.Fatalf("QueueDepth = %d, %v; want 1", n, err)
	}
	jobs, err := f.s.ClaimJobs(f.ctx, f.now.Add(time.Second), 10, time.Minute)
	must(t, "ClaimJobs", err)
	if len(jobs) != 1 || jobs[0].ContactID != kept.Contact.ID {
		t.Fatalf("ClaimJobs after instance delete = %v, want only %s", jobs, kept.Contact.ID)
	}
}

func sortedBytewise(v []string) []string {
	out := append([]string(nil), v...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
