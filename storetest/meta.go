package storetest

import (
	"context"
	"encoding/hex"
	"testing"
)

// identified is what a store tells about the database itself.
type identified interface {
	DatabaseID(ctx context.Context) (string, error)
	URLKey(ctx context.Context) ([]byte, error)
	Ping(ctx context.Context) error
}

// testMeta checks the database's identity: a random id and URL key made
// once per database — different for two databases, the same after a
// restart and for every node — and a Ping that passes on a healthy store.
func testMeta(t *testing.T, b Backend) {
	ctx := context.Background()
	read := func(what string, s Store) (string, string) {
		t.Helper()
		st, ok := s.Engine.(identified)
		if !ok {
			t.Fatalf("%s: the store has no DatabaseID/URLKey/Ping", what)
		}
		id, err := st.DatabaseID(ctx)
		must(t, what+": DatabaseID", err)
		key, err := st.URLKey(ctx)
		must(t, what+": URLKey", err)
		must(t, what+": Ping", st.Ping(ctx))
		if _, err := hex.DecodeString(id); err != nil || len(id) != 32 {
			t.Fatalf("%s: database id %q is not 32 hex digits", what, id)
		}
		if len(key) < 16 {
			t.Fatalf("%s: URL key of %d bytes", what, len(key))
		}
		return id, string(key)
	}
	s := b.Open(t)
	id, key := read("a new database", s)
	id2, key2 := read("another database", b.Open(t))
	if id == id2 || key == key2 {
		t.Fatalf("two databases share their id %s or URL key", id)
	}
	if b.Peer != nil {
		if pid, pkey := read("a peer", b.Peer(t, s)); pid != id || pkey != key {
			t.Fatalf("a peer reads id %s, want %s (or another URL key)", pid, id)
		}
	}
	if rid, rkey := read("after a restart", b.Restart(t, s)); rid != id || rkey != key {
		t.Fatalf("after a restart the id is %s, want %s (or another URL key)", rid, id)
	}
}
