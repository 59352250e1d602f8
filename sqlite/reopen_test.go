package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestConnectionsNeverCreateTheFile: a connection opened while the database
// file is missing (removed, or moved away and back) fails instead of making a
// new empty database at its path that the store would then go on reading.
func TestConnectionsNeverCreateTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cm.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	want, err := s.DatabaseID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.r.SetMaxIdleConns(0) // every read opens a new connection
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DatabaseID(ctx); err == nil {
		t.Fatal("a read with the file moved away succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read with the file moved away left a file at its path: %v", err)
	}
	if err := os.Rename(path+".moved", path); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DatabaseID(ctx); err != nil || got != want {
		t.Fatalf("with the file back: %q, %v; want %q", got, err, want)
	}
}
