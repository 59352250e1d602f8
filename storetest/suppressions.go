package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testSuppression(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	now := f.now
	entries := []connect.Suppression{
		{Address: "Bounce@Example.org", Reason: "hard bounce", ContactID: "c1", CreatedAt: now},
		{Address: "old@example.org", Reason: "hard bounce", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)},
		{Address: "soon@example.org", Reason: "manual", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		{Address: "Another@example.org", Reason: "manual", CreatedAt: now},
	}
	must(t, "Suppress", f.s.Suppress(f.ctx, entries))
	must(t, "Suppress nothing", f.s.Suppress(f.ctx, nil))
	got, err := f.s.Suppressed(f.ctx, []string{"bounce@example.ORG", "old@example.org", "SOON@example.org", "clean@example.org"}, now)
	must(t, "Suppressed", err)
	same(t, "Suppressed", got, map[string]connect.Suppression{"bounce@example.org": entries[0], "soon@example.org": entries[2]})
	got, err = f.s.Suppressed(f.ctx, []string{"soon@example.org"}, now.Add(2*time.Hour))
	must(t, "Suppressed", err)
	if len(got) != 0 {
		t.Fatalf("an expired entry is still active: %v", got)
	}
	if got, err := f.s.Suppressed(f.ctx, nil, now); err != nil || len(got) != 0 {
		t.Fatalf("Suppressed(nil) = %v, %v", got, err)
	}

	// Replacing an entry.
	repl := connect.Suppression{Address: "bounce@example.org", Reason: "complaint", ContactID: "c2", CreatedAt: now.Add(time.Second)}
	must(t, "Suppress again", f.s.Suppress(f.ctx, []connect.Suppression{repl}))
	got, err = f.s.Suppressed(f.ctx, []string{"BOUNCE@example.org"}, now)
	must(t, "Suppressed", err)
	same(t, "replaced entry", got["bounce@example.org"], repl)

	// Paging, ordered by lower-cased address, expired entries included.
	var addrs []string
	after := ""
	for range 5 {
		page, err := f.s.Suppressions.ListSuppressions(f.ctx, after, 3)
		must(t, "ListSuppressions", err)
		for _, e := range page {
			addrs = append(addrs, e.Address)
		}
		if len(page) < 3 {
			break
		}
		after = page[len(page)-1].Address
	}
	if strings.Join(addrs, " ") != "Another@example.org bounce@example.org old@example.org soon@example.org" {
		t.Fatalf("ListSuppressions pages: %v", addrs)
	}
	page, err := f.s.Suppressions.ListSuppressions(f.ctx, "BOUNCE@example.org", 10)
	must(t, "ListSuppressions", err)
	if len(page) != 2 || page[0].Address != "old@example.org" {
		t.Fatalf("ListSuppressions after an upper-case address: %v", page)
	}

	must(t, "Unsuppress", f.s.Suppressions.Unsuppress(f.ctx, "ANOTHER@example.org"))
	wantKind(t, "Unsuppress again", f.s.Suppressions.Unsuppress(f.ctx, "another@example.org"), fault.NotFound)
	if got, _ := f.s.Suppressions.ListSuppressions(f.ctx, "", 10); len(got) != 3 {
		t.Fatalf("after Unsuppress: %v", got)
	}

	// Emptied and filled again: stores may skip reads of an empty list, so
	// the last removal and the next addition must both show at once, and
	// the list must be found again by a successor process.
	for _, a := range []string{"bounce@example.org", "old@example.org"} {
		must(t, "Unsuppress", f.s.Suppressions.Unsuppress(f.ctx, a))
	}
	if got, err := f.s.Suppressed(f.ctx, []string{"soon@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("with one entry left: %v, %v", got, err)
	}
	must(t, "Unsuppress the last entry", f.s.Suppressions.Unsuppress(f.ctx, "soon@example.org"))
	if got, err := f.s.Suppressed(f.ctx, []string{"soon@example.org", "bounce@example.org"}, now); err != nil || len(got) != 0 {
		t.Fatalf("with an empty list: %v, %v", got, err)
	}
	// A batch that fails as a whole (here: a removal of an address that is
	// not listed, next to an addition) must not lose the addition.
	again := connect.Suppression{Address: "again@example.org", Reason: "manual", CreatedAt: now}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				_ = f.s.Suppress(f.ctx, []connect.Suppression{again})
			} else {
				_ = f.s.Suppressions.Unsuppress(f.ctx, "nobody@example.org")
			}
		}()
	}
	wg.Wait()
	if got, err := f.s.Suppressed(f.ctx, []string{"AGAIN@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("an entry added to an empty list: %v, %v", got, err)
	}
	g := f.on(b.Restart(t, f.s))
	if got, err := g.s.Suppressed(g.ctx, []string{"again@example.org"}, now); err != nil || len(got) != 1 {
		t.Fatalf("after a restart: %v, %v", got, err)
	}
}
