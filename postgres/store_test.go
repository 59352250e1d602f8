package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/connectmail/connectmail/postgres"
	"github.com/connectmail/connectmail/postgres/pgtest"
	"github.com/connectmail/connectmail/storetest"
)

// Short cluster timings so that a dead node is noticed quickly in tests.
var testOpts = postgres.Options{Heartbeat: 300 * time.Millisecond, NodeTimeout: time.Second}

// conformanceOpts keep the cluster machinery out of the conformance suite's
// way: no heartbeat runs during a case (its ReleaseLeases would race the
// case's own calls), and no live node is taken for dead however slow the
// machine is. Restart makes the abandoned node's heartbeat stale instead of
// waiting for it.
var conformanceOpts = postgres.Options{Heartbeat: time.Hour, NodeTimeout: 2 * time.Hour}

// openAt opens a store on dsn with testOpts, closed when t ends.
func openAt(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	return openWith(t, dsn, testOpts)
}

// openWith opens a store on dsn with opts, closed when t ends.
func openWith(t *testing.T, dsn string, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, opts)
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
	dsns := map[*postgres.Store]string{}
	open := func(t *testing.T, dsn string) storetest.Store {
		s := openWith(t, dsn, conformanceOpts)
		mu.Lock()
		dsns[s] = dsn
		mu.Unlock()
		return storetest.Of(t, s)
	}
	dsnOf := func(s storetest.Store) string {
		mu.Lock()
		defer mu.Unlock()
		return dsns[s.Engine.(*postgres.Store)]
	}
	storetest.Run(t, storetest.Backend{
		Open: func(t *testing.T) storetest.Store { return open(t, pgtest.NewDatabase(t)) },
		Restart: func(t *testing.T, s storetest.Store) storetest.Store {
			dead := s.Engine.(*postgres.Store)
			dead.Abandon()
			// The abandoned node's heartbeat is as stale as if NodeTimeout had passed.
			conn, err := pgx.Connect(context.Background(), dsnOf(s))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), `UPDATE nodes SET heartbeat_at = now() - interval '1 day' WHERE id = $1`, dead.Node()); err != nil {
				t.Fatal(err)
			}
			return open(t, dsnOf(s))
		},
		Peer: func(t *testing.T, s storetest.Store) storetest.Store { return open(t, dsnOf(s)) },
	})
}
