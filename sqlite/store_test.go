package sqlite_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/storetest"
)

// TestConformance runs the store conformance suite against SQLite. SQLite
// serves one process per database, so the suite's multi-process (Peer) cases
// do not apply; a restart is closing the database and opening it again.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	paths := map[*sqlite.Store]string{}
	open := func(t *testing.T, path string) storetest.Store {
		s, err := sqlite.Open(path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var once sync.Once
		t.Cleanup(func() { once.Do(func() { s.Close() }) })
		mu.Lock()
		paths[s] = path
		mu.Unlock()
		return storetest.Of(t, closeOnce{s, &once})
	}
	storetest.Run(t, storetest.Backend{
		Open: func(t *testing.T) storetest.Store {
			return open(t, filepath.Join(t.TempDir(), "cm.db"))
		},
		Restart: func(t *testing.T, s storetest.Store) storetest.Store {
			c := s.Engine.(closeOnce)
			mu.Lock()
			path := paths[c.Store]
			mu.Unlock()
			// Closing does not release leases: to the next process the old
			// one is simply gone, as after a crash.
			c.once.Do(func() { c.Store.Close() })
			return open(t, path)
		},
	})
}

// closeOnce lets a test close a store early without a double close at cleanup.
type closeOnce struct {
	*sqlite.Store
	once *sync.Once
}
