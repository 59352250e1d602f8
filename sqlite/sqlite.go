// Package sqlite is connectmail's embedded store: SQLite through the pure-Go
// modernc.org/sqlite driver, in WAL mode with synchronous=FULL, so a returned
// write is on disk. Writes go through one writer goroutine that commits
// concurrent requests together (group commit); a failing write never affects
// another (see writer.group). The syncer fsyncs the WAL behind the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/connectmail/connectmail/sqlstore"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune the store.
type Options struct {
	// MaxBatch is the most writes committed in one transaction (default 256).
	MaxBatch int
	// Synchronous is FULL (the default): a write returns once it is on
	// disk. Any other value is used as SQLite's synchronous pragma as is
	// (NORMAL or OFF, for tests), and writes return before any fsync.
	Synchronous string
	// CheckBudget bounds the integrity check of an existing database at
	// Open (PRAGMA quick_check; DefaultCheckBudget when 0, none when
	// negative). A check that runs out of time is logged and passes.
	CheckBudget time.Duration
	// Logger receives what Open's check found (default: discarded).
	Logger *slog.Logger
}

// Store is the SQLite store: the shared queries (sqlstore) over this
// package's writer, and SQLite's own delivery queue claims. It implements
// the Connect stores (connect.Stores), delivery.Queue and the template stores.
type Store struct {
	*sqlstore.Store
	d *sqlstore.Dialect
	// r is the reader pool, rstmts its prepared statements.
	r      *sql.DB
	rstmts stmtCache
	// w is the one writer (writer.go), syncer what makes its commits
	// durable and remembers a storage failure (syncer.go).
	w      writer
	syncer syncer
	// occ is which usually-empty tables have rows (occupancy.go).
	occ  occupancy
	opts Options
	// path is the database file, file what it was once open, id the
	// database's id (see Ping).
	path string
	file os.FileInfo
	id   string
}

// stmtCache keeps prepared statements per query text, so that hot queries are
// parsed once instead of on every call.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.db.Prepare(q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// readRow runs a cached single-row query on the reader pool.
func (s *Store) readRow(ctx context.Context, q string, args ...any) rowScanner {
	st, err := s.rstmts.get(q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// read runs a cached query on the reader pool.
func (s *Store) read(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.rstmts.get(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

type rowScanner = sqlstore.Row

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Open opens (creating if needed) the database at path, checks it and
// migrates it. An existing file that is empty, not SQLite or fails the
// integrity check is refused with a *DamagedError.
func Open(path string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CheckBudget == 0 {
		opts.CheckBudget = DefaultCheckBudget
	}
	exists, err := precheck(path)
	if err != nil {
		return nil, err
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	// Durable writes do not make SQLite fsync inside each commit (FULL):
	// the writer commits with NORMAL and goes on to the next batch while the
	// syncer fsyncs the WAL behind it; callers hear of their write only
	// after that fsync (see syncer.run). Checkpoints fsync as under FULL.
	durable := strings.EqualFold(opts.Synchronous, "FULL")
	pragma := opts.Synchronous
	if durable {
		pragma = "NORMAL"
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(" + pragma + ")", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// Only the writer goroutine begins transactions, so writes are serial. A
	// second connection lets a statement be prepared (cached by database/sql,
	// then re-prepared once on the transaction's connection) while the first
	// one is inside a transaction; it never writes.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	if exists && opts.CheckBudget > 0 {
		if err := integrityCheck(w, path, opts.CheckBudget, opts.Logger); err != nil {
			w.Close()
			return nil, err
		}
	}
	if err := migrate(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite database %s: %w", path, err)
	}
	// From here on no connection may create the file: one opened while the
	// file is missing (removed, or moved away and back) would otherwise make
	// a new empty database at its path and keep answering from it.
	w.Close()
	dsn += "&mode=rw"
	if w, err = sql.Open("sqlite", dsn+"&_txlock=immediate"); err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{r: r, opts: opts, d: dialect()}
	s.Store = sqlstore.New(s, s.d)
	s.rstmts.db = r
	s.syncer.fsync = (*os.File).Sync
	s.w = writer{db: w, reqs: make(chan *writeReq, 1024), done: make(chan struct{}), maxBatch: opts.MaxBatch,
		stmts: stmtCache{db: w}, apply: s.apply, occ: &s.occ, syncer: &s.syncer, curStmts: map[string]*sql.Stmt{}}
	fail := func(err error) (*Store, error) {
		r.Close()
		w.Close()
		return nil, err
	}
	if err := s.occ.load(w); err != nil {
		return fail(err)
	}
	s.path = path
	if s.file, err = os.Stat(path); err != nil {
		return fail(err)
	}
	if s.id, err = s.DatabaseID(context.Background()); err != nil {
		return fail(fmt.Errorf("reading the database id: %w", err))
	}
	if durable {
		if err := s.syncer.start(path); err != nil {
			return fail(err)
		}
	}
	go s.w.run()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	s.w.close()
	s.rstmts.close()
	return errors.Join(s.r.Close(), s.w.db.Close())
}

func migrate(db *sql.DB) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	migrations, err := sqlstore.Migrations(migrationFS)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		var one int
		err = db.QueryRow(`SELECT 1 FROM schema_migrations WHERE version = ?`, m.Version).Scan(&one)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(m.Body); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations(version, applied_at) VALUES (?, strftime('%s','now'))`, m.Version); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// SingleProcess implements connect.SingleProcessStore: one process at a time uses a
// SQLite database, and all its writes go through this Store.
func (s *Store) SingleProcess() bool { return true }
