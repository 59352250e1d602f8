// Package postgres is connectmail's store for several processes (nodes)
// sharing one PostgreSQL database, through jackc/pgx. It implements
// the Connect, delivery and template stores with the same behaviour as the embedded
// SQLite store, and adds what a cluster of nodes needs:
//
//   - Delivery jobs are claimed with FOR UPDATE SKIP LOCKED, so each due job
//     goes to exactly one node. A claimed job records the node that leased it.
//   - Every node keeps a row in the nodes table fresh (a heartbeat). A node
//     that stops beating for longer than the node timeout — killed, frozen,
//     cut off — is gone: the first survivor to notice deletes its row and
//     makes its leased jobs due at once, instead of after the lease.
//   - ClientToken idempotency is a row taken first in each transaction, with
//     INSERT … ON CONFLICT DO NOTHING inside connectmail_claim_idem: of
//     concurrent identical requests on any nodes, one commits; the others
//     wait for it in that INSERT, fail, and answer with its stored response
//     (*connect.Replayed), or with fault.Idempotency for another request.
//   - The event log never lets a reader skip an event, although sequence
//     values are not committed in order: a transaction that adds events first
//     reserves their ids in a tiny transaction of its own (serialized by an
//     advisory lock, committed without waiting for the disk), inserts the
//     events with those ids and deletes the reservation as it commits.
//     Readers (ListEventsSince, LastEventID) stop below the lowest
//     outstanding reservation, so once they have seen id N, every event
//     below N is committed or will never exist. Reservations of dead nodes
//     and stale ones (see ReleaseLeases) are dropped so readers never wait
//     for long.
//   - Transactions that make a job due or add events notify the other nodes
//     (LISTEN/NOTIFY) right after committing; Watch relays that, so the other
//     nodes' workers, event streams and webhooks react at once. Exclusive
//     gives one node at a time a named role (one webhook URL) with a session
//     advisory lock.
//   - Transactions spend few round trips: BEGIN travels with their first
//     statements and COMMIT with their last ones (see txn).
//
// Pool settings come from the DSN (pool_max_conns, pool_min_conns,
// pool_max_conn_lifetime, pool_max_conn_idle_time,
// pool_health_check_period; pool_max_conns defaults to 16 here), and so do
// the cluster timings: connectmail_heartbeat (default 2s) and
// connectmail_node_timeout (default 10s).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/connectmail/connectmail/sqlstore"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Notification channels.
const (
	// ChannelJobs is notified when a delivery job becomes due or changes its due time.
	ChannelJobs = "connectmail_jobs"
	// ChannelEvents is notified when events are committed.
	ChannelEvents = "connectmail_events"
)

// Advisory lock keys (the key space of pg_advisory_lock is shared by
// everything using the database; these spell "cm" plus a purpose).
const (
	lockMigrate int64 = 0x636d_0000_0001
	lockEvents  int64 = 0x636d_0000_0002
)

// Options tune the store; the zero value gives the defaults, and the DSN's
// connectmail_heartbeat and connectmail_node_timeout parameters override them.
type Options struct {
	// Heartbeat is how often the node refreshes its row and looks for nodes
	// that are gone (default 2s).
	Heartbeat time.Duration
	// NodeTimeout is how old a node's heartbeat may get before the node is
	// considered gone and its leased jobs are released (default 10s). It
	// must exceed Heartbeat.
	NodeTimeout time.Duration
	// Logger receives background failures (default: discarded).
	Logger *slog.Logger
}

// Store is the PostgreSQL store: the shared queries (sqlstore) over this
// package's transactions, and the cluster's own delivery queue claims and
// event log. It implements the Connect stores (connect.Stores), delivery.Queue and the template stores.
type Store struct {
	*sqlstore.Store
	d        *sqlstore.Dialect
	pool     *pgxpool.Pool
	connCfg  *pgx.ConnConfig
	node     string
	opts     Options
	life     context.Context
	stop     context.CancelFunc
	done     chan struct{}
	closeMu  sync.Once
	closeErr error
	// id is the database's id, read at Open (see Ping).
	id string
}

// ParseDSN splits a postgres:// URL (or key=value DSN) into the pool
// configuration and the store options it carries.
func ParseDSN(dsn string, opts Options) (*pgxpool.Config, Options, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, opts, err
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	rp := cfg.ConnConfig.RuntimeParams
	for name, dst := range map[string]*time.Duration{"connectmail_heartbeat": &opts.Heartbeat, "connectmail_node_timeout": &opts.NodeTimeout} {
		v, ok := rp[name]
		if !ok {
			continue
		}
		delete(rp, name)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, opts, fmt.Errorf("%s: want a positive duration such as 5s, got %q", name, v)
		}
		*dst = d
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 2 * time.Second
	}
	if opts.NodeTimeout <= 0 {
		opts.NodeTimeout = 10 * time.Second
	}
	if opts.NodeTimeout <= opts.Heartbeat {
		return nil, opts, fmt.Errorf("the node timeout (%s) must exceed the heartbeat (%s)", opts.NodeTimeout, opts.Heartbeat)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, opts, nil
}

// Open connects to the database, migrates it, registers this process as a
// node and starts its heartbeat.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, opts, err := ParseDSN(dsn, opts)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, connCfg: cfg.ConnConfig.Copy(), node: uuid.NewString(), opts: opts, done: make(chan struct{}), d: dialect()}
	s.Store = sqlstore.New(s, s.d)
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating: %w", err)
	}
	if s.id, err = s.DatabaseID(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reading the database id: %w", err)
	}
	host, _ := os.Hostname()
	if _, err := pool.Exec(ctx, `INSERT INTO nodes(id, host, pid) VALUES ($1, $2, $3)`, s.node, host, os.Getpid()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("registering the node: %w", err)
	}
	s.life, s.stop = context.WithCancel(context.Background())
	go s.heartbeat(s.life)
	return s, nil
}

// Node returns this process's node id (the nodes table's key).
func (s *Store) Node() string { return s.node }

// Done is closed when the store is closed or abandoned.
func (s *Store) Done() <-chan struct{} { return s.life.Done() }

// Pool returns the connection pool (for diagnostics and tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close stops the heartbeat, makes the jobs this node still leases due again,
// drops its event id reservations, removes the node's row and closes the pool.
func (s *Store) Close() error {
	s.closeMu.Do(func() {
		s.stop()
		<-s.done
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.closeErr = s.tx(ctx, func(t *txn) error {
			b := &pgx.Batch{}
			b.Queue(`WITH rel AS (UPDATE jobs SET next_at = $2, leased_by = NULL WHERE leased_by = $1 RETURNING 1)
 SELECT count(*) FROM rel, LATERAL pg_notify($3, '') n`, s.node, tm(time.Now()), ChannelJobs)
			b.Queue(`DELETE FROM event_reservations WHERE node = $1`, s.node)
			b.Queue(`DELETE FROM nodes WHERE id = $1`, s.node)
			return t.commit(b)
		})
		s.pool.Close()
	})
	return s.closeErr
}

// Abandon stops the heartbeat and closes the pool without releasing
// anything, as if the process had been killed (for tests of recovery).
func (s *Store) Abandon() {
	s.closeMu.Do(func() {
		s.stop()
		<-s.done
		s.pool.Close()
	})
}

func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	// Nodes starting together migrate one at a time.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockMigrate); err != nil {
		return err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockMigrate) }()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	migrations, err := sqlstore.Migrations(migrationFS)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		var applied bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&applied); err != nil {
			return err
		}
		if applied {
			continue
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// The simple protocol runs a file of several statements at once.
			if _, err := tx.Exec(ctx, m.Body, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version) VALUES ($1)`, m.Version)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// heartbeat refreshes the node's row and releases the leases of nodes that
// are gone, every Heartbeat, until ctx ends.
func (s *Store) heartbeat(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.beat(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("node heartbeat failed", "node", s.node, "err", err)
		}
	}
}

func (s *Store) beat(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.NodeTimeout)
	defer cancel()
	// Re-inserting covers a node that was declared gone while it was merely slow.
	if _, err := s.pool.Exec(ctx, `INSERT INTO nodes(id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, s.node); err != nil {
		return err
	}
	n, err := s.ReleaseLeases(ctx, time.Now())
	if n > 0 {
		s.opts.Logger.Info("released the delivery jobs of nodes that are gone", "jobs", n)
	}
	return err
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func retryable(err error) bool {
	switch sqlState(err) {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return true
	}
	return false
}

func isUnique(err error) bool { return sqlState(err) == "23505" }

// lockKey maps a name to an advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("connectmail:" + name))
	return int64(h.Sum64())
}
