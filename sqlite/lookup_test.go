package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/sqlstore"
)

// TestLookupEmailAddressUsesAnIndex: finding a recipient among every
// instance's addresses is one index search, not a scan of the table.
func TestLookupEmailAddressUsesAnIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "d.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+sqlstore.LookupEmailSQL, "support@example.com")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(plan) != 1 || !strings.HasPrefix(plan[0], "SEARCH email_addresses USING INDEX") {
		t.Fatalf("query plan of the recipient lookup: %q, want one index search", plan)
	}
}
