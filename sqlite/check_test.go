package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/sqlite/sqlitetest"
)

// fill writes n contacts into a new database at path and closes it.
func fill(t *testing.T, path string, n int) {
	t.Helper()
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.CreateInstance(ctx, &connect.Instance{ID: "i1", ARN: "arn:aws:connect:us-east-1:000000000000:instance/i1",
		IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("contact-%04d", i)
		c := &connect.Contact{ID: id, ARN: "arn:aws:connect:us-east-1:000000000000:instance/i1/contact/" + id, InstanceID: "i1",
			Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now,
			Description: strings.Repeat("a contact worth keeping ", 8)}
		if err := s.CreateContact(ctx, c, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRefusesDamagedFiles: an existing file that is empty, is not SQLite
// or has a damaged page is refused with a message that names the file and,
// where SQLite can copy out what is left, the recovery command; a missing
// file is a new database.
func TestOpenRefusesDamagedFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
		want    []string // in the error; none: Open succeeds
	}{
		{"missing file: a new database", func(*testing.T, string) {}, nil},
		{"sound database", func(t *testing.T, p string) { fill(t, p, 200) }, nil},
		{"empty file", func(t *testing.T, p string) {
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"is an empty file (0 bytes)", "remove the file"}},
		{"not SQLite", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte("name,address\nana,ana@example.org\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"is not an SQLite database"}},
		{"damaged contacts page", func(t *testing.T, p string) {
			fill(t, p, 200)
			sqlitetest.CorruptTable(t, p, "contacts")
		}, []string{"failed SQLite's integrity check (PRAGMA quick_check)", "*** in database main ***", ".recover | sqlite3 ", "-recovered.db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cm.db")
			tc.prepare(t, path)
			s, err := sqlite.Open(path, sqlite.Options{})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if err := s.Ping(context.Background()); err != nil {
					t.Errorf("Ping: %v", err)
				}
				s.Close()
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			var de *sqlite.DamagedError
			if !errors.As(err, &de) || de.Path != path {
				t.Fatalf("Open: %T %v, want a *sqlite.DamagedError for %s", err, err, path)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			// Nothing was written to the refused file.
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
				t.Errorf("Open wrote %d bytes of write-ahead log to a refused database", fi.Size())
			}
		})
	}
}

// TestCheckBudget: a check that runs out of its time budget lets the
// database open, and says so in the log.
func TestCheckBudget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cm.db")
	fill(t, path, 200)
	sqlitetest.CorruptTable(t, path, "contacts")
	var logs bytes.Buffer
	s, err := sqlite.Open(path, sqlite.Options{CheckBudget: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("Open with no time to check: %v", err)
	}
	s.Close()
	if !strings.Contains(logs.String(), "integrity check incomplete") || !strings.Contains(logs.String(), path) {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestPingNoticesAReplacedFile: a database file removed or replaced while
// the store runs makes Ping fail (writes would go to an unlinked file).
func TestPingNoticesAReplacedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cm.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Ping with the file gone: %v", err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Fatalf("Ping with another file in its place: %v", err)
	}
}
