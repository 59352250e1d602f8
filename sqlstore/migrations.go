package sqlstore

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one schema migration of an engine: the file
// migrations/NNNN_name.sql of its embedded files, keyed by NNNN.
type Migration struct {
	Version int
	Name    string
	Body    string
}

// Migrations returns the migrations in fsys's migrations directory in
// version order. Each engine runs them its own way (in a transaction,
// recording the version in schema_migrations); the files differ per engine
// (column types), their numbers do not.
func Migrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad name", n)
		}
		body, err := fs.ReadFile(fsys, "migrations/"+n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: n, Body: string(body)})
	}
	return out, nil
}
