package sqlite

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestContactLookupsUseIndexes keeps the related-contacts lookups of the
// inspection API (a contact's replies, its customer's other contacts) on an
// index: without one, every contact page scans the instance's contacts.
func TestContactLookupsUseIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The WHERE clauses ListContacts builds for ContactFilter.Customer and .RelatedContactID.
	for _, c := range []struct{ where, index string }{
		{"instance_id = 'i' AND CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END = 'a@b.example' COLLATE NOCASE", "contacts_customer"},
		{"instance_id = 'i' AND related_id = 'c' AND related_id <> ''", "contacts_related"},
	} {
		rows, err := db.Query("EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE " + c.where + " ORDER BY seq DESC LIMIT 51")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX "+c.index) {
			t.Errorf("WHERE %s: plan %q does not use %s", c.where, got, c.index)
		}
	}
}
