package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/sqlstore"
)

// TestLookupsUseIndexes keeps the lookups that would otherwise scan a whole
// table on an index: the recipient of inbound mail among every instance's
// addresses, and the related contacts of the inspection API (a contact's
// replies, its customer's other contacts), which each contact page asks for.
func TestLookupsUseIndexes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		name, query string
		args        []any
		index       string
	}{
		{"recipient", sqlstore.LookupEmailSQL, []any{"support@example.com"}, "email_addresses USING INDEX"},
		// The WHERE clauses ListContacts builds for ContactFilter.Customer and .RelatedContactID.
		{"customer", `SELECT id FROM contacts WHERE instance_id = ? AND CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END = ? COLLATE NOCASE ORDER BY seq DESC LIMIT 51`,
			[]any{"i", "a@b.example"}, "USING INDEX contacts_customer"},
		{"replies", `SELECT id FROM contacts WHERE instance_id = ? AND related_id = ? AND related_id <> '' ORDER BY seq DESC LIMIT 51`,
			[]any{"i", "c"}, "USING INDEX contacts_related"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+c.query, c.args...)
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
			if got := strings.Join(plan, "; "); !strings.Contains(got, c.index) || strings.Contains(got, "SCAN") {
				t.Errorf("plan %q: want %s and no scan", got, c.index)
			}
		})
	}
}
