package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testEmailAddresses(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, other := f.instance(), f.instance()
	mk := func(inst, addr string, at time.Time) *connect.EmailAddress {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:email:" + addr, InstanceID: inst, Address: addr,
			DisplayName: "Support", Description: "desk", CreatedAt: ms(at), ModifiedAt: ms(at), Tags: map[string]string{"a": "b"}}
		must(t, "CreateEmailAddress "+addr, f.s.CreateEmailAddress(f.ctx, e))
		return e
	}
	e3 := mk(a.ID, "third@example.com", f.now.Add(2*time.Second))
	e1 := mk(a.ID, "First@Example.com", f.now)
	e2 := mk(a.ID, "second@example.com", f.now.Add(time.Second))
	mk(other.ID, "elsewhere@example.com", f.now)

	got, err := f.s.GetEmailAddress(f.ctx, a.ID, e1.ID)
	must(t, "GetEmailAddress", err)
	same(t, "GetEmailAddress", got, e1)
	_, err = f.s.GetEmailAddress(f.ctx, other.ID, e1.ID)
	wantKind(t, "GetEmailAddress in another instance", err, fault.NotFound)
	got, err = f.s.FindEmailAddress(f.ctx, a.ID, "first@EXAMPLE.COM")
	must(t, "FindEmailAddress", err)
	same(t, "FindEmailAddress", got, e1)
	_, err = f.s.FindEmailAddress(f.ctx, other.ID, "first@example.com")
	wantKind(t, "FindEmailAddress in another instance", err, fault.NotFound)

	dup := *e2
	dup.ID, dup.Address = f.id("email"), "SECOND@example.COM"
	wantKind(t, "CreateEmailAddress of a case variant", f.s.CreateEmailAddress(f.ctx, &dup), fault.Duplicate)

	list, err := f.s.ListEmailAddresses(f.ctx, a.ID)
	must(t, "ListEmailAddresses", err)
	same(t, "ListEmailAddresses (creation order)", list, []*connect.EmailAddress{e1, e2, e3})

	e2.AliasOf, e2.DisplayName, e2.Description, e2.Tags, e2.ModifiedAt = e1.ID, "Alias", "", nil, ms(f.now.Add(time.Minute))
	must(t, "UpdateEmailAddress", f.s.UpdateEmailAddress(f.ctx, e2))
	got, err = f.s.GetEmailAddress(f.ctx, a.ID, e2.ID)
	must(t, "GetEmailAddress", err)
	same(t, "updated address", got, e2)
	missing := *e2
	missing.ID = "nope"
	wantKind(t, "UpdateEmailAddress of a missing address", f.s.UpdateEmailAddress(f.ctx, &missing), fault.NotFound)

	must(t, "DeleteEmailAddress", f.s.DeleteEmailAddress(f.ctx, a.ID, e1.ID))
	wantKind(t, "DeleteEmailAddress again", f.s.DeleteEmailAddress(f.ctx, a.ID, e1.ID), fault.NotFound)
	_, err = f.s.GetEmailAddress(f.ctx, a.ID, e1.ID)
	wantKind(t, "GetEmailAddress after delete", err, fault.NotFound)
	got, err = f.s.GetEmailAddress(f.ctx, a.ID, e2.ID)
	must(t, "GetEmailAddress", err)
	if got.AliasOf != "" {
		t.Fatalf("the alias of a deleted address still points at it: AliasOf = %q", got.AliasOf)
	}
	// The address is free again.
	again := *e1
	again.ID = f.id("email")
	must(t, "CreateEmailAddress of a deleted address", f.s.CreateEmailAddress(f.ctx, &again))
}

// testLookupEmailAddress: an address is found case-insensitively in
// whichever instance has it, by another node too, and no longer once deleted.
func testLookupEmailAddress(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	a, other := f.instance(), f.instance()
	mk := func(inst, addr, aliasOf string) *connect.EmailAddress {
		e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:email:" + addr, InstanceID: inst, Address: addr,
			DisplayName: "Desk", AliasOf: aliasOf, CreatedAt: f.now, ModifiedAt: f.now}
		must(t, "CreateEmailAddress "+addr, f.s.CreateEmailAddress(f.ctx, e))
		return e
	}
	support := mk(a.ID, "Support@Example.com", "")
	alias := mk(a.ID, "help@example.com", support.ID)
	sales := mk(other.ID, "sales@example.org", "")
	stores := []Store{f.s}
	if b.Peer != nil {
		stores = append(stores, b.Peer(t, f.s))
	}
	for i, s := range stores {
		for _, c := range []struct {
			addr string
			want *connect.EmailAddress
		}{
			{"support@example.com", support}, {"SUPPORT@EXAMPLE.COM", support},
			{"help@example.com", alias}, // an alias is returned as itself
			{"Sales@Example.org", sales},
		} {
			got, err := s.LookupEmailAddress(f.ctx, c.addr)
			must(t, fmt.Sprintf("store %d: LookupEmailAddress %s", i, c.addr), err)
			same(t, fmt.Sprintf("store %d: LookupEmailAddress %s", i, c.addr), got, c.want)
		}
		_, err := s.LookupEmailAddress(f.ctx, "nobody@example.com")
		wantKind(t, "LookupEmailAddress of an unknown address", err, fault.NotFound)
		_, err = s.LookupEmailAddress(f.ctx, "")
		wantKind(t, "LookupEmailAddress of an empty address", err, fault.NotFound)
	}
	must(t, "DeleteEmailAddress", f.s.DeleteEmailAddress(f.ctx, other.ID, sales.ID))
	_, err := f.s.LookupEmailAddress(f.ctx, "sales@example.org")
	wantKind(t, "LookupEmailAddress after delete", err, fault.NotFound)
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, a.ID))
	_, err = f.s.LookupEmailAddress(f.ctx, "support@example.com")
	wantKind(t, "LookupEmailAddress after the instance's deletion", err, fault.NotFound)
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
