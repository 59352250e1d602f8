package storetest

import (
	"slices"
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

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
