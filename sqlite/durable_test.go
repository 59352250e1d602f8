package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// syncGate replaces the store's fsync: each call reports itself on started
// and waits for a value on release, which it returns.
type syncGate struct {
	started chan struct{}
	release chan error
}

func gate(s *Store) *syncGate {
	g := &syncGate{started: make(chan struct{}, 16), release: make(chan error)}
	s.syncer.fsync = func(f *os.File) error {
		g.started <- struct{}{}
		if err := <-g.release; err != nil {
			return err
		}
		return f.Sync()
	}
	return g
}

func openGated(t *testing.T) (*Store, *syncGate) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "d.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := gate(s)
	t.Cleanup(func() {
		go func() { // let a Close in progress finish its last syncs
			for {
				select {
				case g.release <- nil:
				case <-time.After(5 * time.Second):
					return
				}
			}
		}()
		s.Close()
	})
	return s, g
}

// insert writes one cursor row (any small write will do) and reports its outcome.
func insert(s *Store, name string) <-chan error {
	out := make(chan error, 1)
	go func() {
		out <- s.w.write(context.Background(), func(tx *sql.Tx) error {
			_, err := s.w.exec(tx, `INSERT INTO cursors(name, position) VALUES (?, 1)`, name)
			return err
		})
	}()
	return out
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func notYet(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s returned (%v) before its fsync", what, err)
	case <-time.After(100 * time.Millisecond):
	}
}

func result(t *testing.T, ch <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s never returned", what)
		return nil
	}
}

// TestWriteReturnsAfterItsFsync: a write returns only after an fsync that
// began after its commit; a write that arrives during that fsync joins the
// open transaction and waits for the next fsync.
func TestWriteReturnsAfterItsFsync(t *testing.T) {
	s, g := openGated(t)
	a := insert(s, "a")
	waitFor(t, g.started, "the fsync after a's commit")
	notYet(t, a, "write a")
	b := insert(s, "b") // arrives while a's fsync runs
	notYet(t, b, "write b")
	// b is not committed yet: readers do not see it.
	var n int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM cursors WHERE name = 'b'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("b visible before a's fsync ended: %d, %v", n, err)
	}
	g.release <- nil
	if err := result(t, a, "write a"); err != nil {
		t.Fatalf("write a: %v", err)
	}
	waitFor(t, g.started, "the fsync after b's commit")
	notYet(t, b, "write b")
	g.release <- nil
	if err := result(t, b, "write b"); err != nil {
		t.Fatalf("write b: %v", err)
	}
	if st := s.WriterStats(); st.Batches != 2 || st.Syncs < 2 {
		t.Fatalf("writer stats %+v: want a and b in two commits with their own fsyncs", st)
	}
}

// TestFailedFsyncFailsTheWrites: when the fsync after a commit fails, the
// writes it should have made durable get an error, not a success.
func TestFailedFsyncFailsTheWrites(t *testing.T) {
	s, g := openGated(t)
	a := insert(s, "a")
	waitFor(t, g.started, "the fsync after a's commit")
	g.release <- errors.New("EIO")
	err := result(t, a, "write a")
	if err == nil || !strings.Contains(err.Error(), "not made durable") || !strings.Contains(err.Error(), "EIO") {
		t.Fatalf("write a after a failed fsync: %v", err)
	}
	// The store reports itself unhealthy (/healthz) until a sync succeeds.
	if err := s.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "EIO") {
		t.Fatalf("Ping after a failed fsync: %v", err)
	}
	// The next write is not affected.
	b := insert(s, "b")
	waitFor(t, g.started, "the fsync after b's commit")
	g.release <- nil
	if err := result(t, b, "write b"); err != nil {
		t.Fatalf("write b: %v", err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after a successful fsync: %v", err)
	}
}
