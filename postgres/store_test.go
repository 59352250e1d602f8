package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/postgres"
	"github.com/connectmail/connectmail/postgres/pgtest"
	"github.com/connectmail/connectmail/storetest"
)

// Short cluster timings so that a dead node is noticed quickly in tests.
var testOpts = postgres.Options{Heartbeat: 300 * time.Millisecond, NodeTimeout: time.Second}

// openAt opens a store on dsn, closed when t ends.
func openAt(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the store conformance suite against PostgreSQL (when
// CONNECTMAIL_TEST_POSTGRES names a server), with peers: stores on one
// database used at once, as several nodes use it.
func TestConformance(t *testing.T) {
	pgtest.URL(t)
	var mu sync.Mutex
	dsns := map[connect.Store]string{}
	open := func(t *testing.T, dsn string) connect.Store {
		s := openAt(t, dsn)
		mu.Lock()
		dsns[s] = dsn
		mu.Unlock()
		return s
	}
	dsnOf := func(s connect.Store) string {
		mu.Lock()
		defer mu.Unlock()
		return dsns[s]
	}
	storetest.Run(t, storetest.Backend{
		Open: func(t *testing.T) connect.Store { return open(t, pgtest.NewDatabase(t)) },
		Restart: func(t *testing.T, s connect.Store) connect.Store {
			s.(*postgres.Store).Abandon()
			// Wait until the abandoned node's heartbeat is stale.
			time.Sleep(testOpts.NodeTimeout + 100*time.Millisecond)
			return open(t, dsnOf(s))
		},
		Peer: func(t *testing.T, s connect.Store) connect.Store { return open(t, dsnOf(s)) },
	})
}
