package sqlite

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMigrationVersions: every migration has a version of its own (migrate
// skips a file whose version is already applied, so a second file with the
// same number would never run), and the PostgreSQL store has the same
// versions, as the README promises.
func TestMigrationVersions(t *testing.T) {
	versions := func(dir string) map[int]string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int]string{}
		for _, e := range entries {
			v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
			if err != nil {
				t.Fatalf("%s/%s: no version number", dir, e.Name())
			}
			if prev, dup := out[v]; dup {
				t.Errorf("%s: %s and %s have the same version %d", dir, prev, e.Name(), v)
			}
			out[v] = e.Name()
		}
		return out
	}
	lite, pg := versions("migrations"), versions("../postgres/migrations")
	for v, n := range lite {
		if _, ok := pg[v]; !ok {
			t.Errorf("SQLite migration %s has no PostgreSQL twin", n)
		}
	}
	for v, n := range pg {
		if _, ok := lite[v]; !ok {
			t.Errorf("PostgreSQL migration %s has no SQLite twin", n)
		}
	}
}
