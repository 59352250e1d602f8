package storetest

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/connectmail/connectmail/connect"
)

// testModifyAcrossNodes runs the read-modify-write methods concurrently on
// every store of the database (peers too): no update may be lost. It also
// covers ModifyContact adding many events and none.
func testModifyAcrossNodes(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	must(t, "ModifyContact with several events", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		var evs []connect.Event
		for range 5 {
			evs = append(evs, f.event(x, connect.EventContactDataUpdated))
		}
		return evs, nil
	}))
	must(t, "ModifyContact without events", f.s.ModifyContact(f.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
		return nil, nil
	}))
	evs, err := f.s.ListEvents(f.ctx, c.ID)
	must(t, "ListEvents", err)
	if len(evs) != 6 {
		t.Fatalf("%d events after ModifyContact added 5, want 6", len(evs))
	}
	all, err := f.s.ListEventsSince(f.ctx, 0, 100)
	must(t, "ListEventsSince", err)
	if len(all) != 6 {
		t.Fatalf("the log shows %d events, want 6", len(all))
	}

	const n = 12
	split(t, b, f, n, func(i int, g *fixture) {
		err := g.s.ModifyContact(g.ctx, in.ID, c.ID, func(x *connect.Contact) ([]connect.Event, error) {
			v, _ := strconv.Atoi(x.Attributes["count"])
			if x.Attributes == nil {
				x.Attributes = map[string]string{}
			}
			x.Attributes["count"] = strconv.Itoa(v + 1)
			return []connect.Event{g.event(x, connect.EventContactDataUpdated)}, nil
		})
		if err != nil {
			t.Errorf("concurrent ModifyContact: %v", err)
		}
		err = g.s.ModifyTags(g.ctx, connect.ResourceRef{Type: connect.ResourceInstance, ID: in.ID}, func(tags map[string]string) (map[string]string, error) {
			tags[fmt.Sprint("k", i)] = "v"
			return tags, nil
		})
		if err != nil {
			t.Errorf("concurrent ModifyTags: %v", err)
		}
	})
	got, err := f.s.GetContact(f.ctx, in.ID, c.ID)
	must(t, "GetContact", err)
	if got.Attributes["count"] != strconv.Itoa(n) {
		t.Fatalf("after %d concurrent increments the count is %s", n, got.Attributes["count"])
	}
	inst, err := f.s.GetInstance(f.ctx, in.ID)
	must(t, "GetInstance", err)
	if len(inst.Tags) != n+len(in.Tags) {
		t.Fatalf("after %d concurrent tag additions: %v", n, inst.Tags)
	}
	if evs, _ := f.s.ListEvents(f.ctx, c.ID); len(evs) != 6+n {
		t.Fatalf("%d events, want %d", len(evs), 6+n)
	}
}
