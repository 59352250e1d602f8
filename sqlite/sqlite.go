// Package sqlite is connectmail's embedded store: SQLite through the pure-Go
// modernc.org/sqlite driver, in WAL mode with synchronous=FULL, so a returned
// write is on disk. Writes go through one writer goroutine that commits
// concurrent requests together (group commit); a failing write never affects
// another (see commit).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectmail/connectmail/connect"
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
	d      *sqlstore.Dialect
	r      *sql.DB
	w      *sql.DB
	reqs   chan *writeReq
	done   chan struct{}
	closed sync.Once
	opts   Options
	wstmts stmtCache
	rstmts stmtCache
	// fallbacks counts batches that had to be re-run write by write.
	fallbacks atomic.Int64
	// The writer's current transaction and its bound statements (txStmt).
	curTx    *sql.Tx
	curStmts map[string]*sql.Stmt
	// batch is the writer's transaction as a sqlstore.Tx (see apply).
	batch batchTx
	// The writer's counters (see WriterStats).
	batches, writes, execNS, commitNS atomic.Int64
	occ                               occupancy
	// With durable writes, committed batches wait in acks for the fsync of
	// the WAL that follows their commit (see syncer).
	acks  chan []*writeReq
	acked chan struct{}
	// inflight counts batches handed to the syncer and not yet acknowledged;
	// synced is poked after each fsync.
	inflight atomic.Int64
	synced   chan struct{}
	walPath  string
	wal      *os.File
	// fsync makes a file durable: (*os.File).Sync, replaced in tests.
	fsync func(*os.File) error
	syncs atomic.Int64
	// path is the database file, file what it was once open, id the
	// database's id (see Ping).
	path string
	file os.FileInfo
	id   string
	// storageErr is the last failed commit or WAL sync, nil once one succeeds.
	storageErr atomic.Pointer[error]
}

// WriterStats are the cumulative counters of the store's one writer, which
// bounds how many writes per second the store takes: Busy/elapsed is its
// utilisation, and Writes/Batches how many writes share each commit.
type WriterStats struct {
	// Batches is the number of transactions committed, Writes the writes in them.
	Batches, Writes int64
	// Exec is the time spent running writes, Commit the time spent
	// committing them (the WAL append; with durable writes the fsync
	// follows in parallel, Syncs counting them).
	Exec, Commit time.Duration
	Syncs        int64
}

// WriterStats returns the writer's counters so far.
func (s *Store) WriterStats() WriterStats {
	return WriterStats{Batches: s.batches.Load(), Writes: s.writes.Load(),
		Exec: time.Duration(s.execNS.Load()), Commit: time.Duration(s.commitNS.Load()), Syncs: s.syncs.Load()}
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

// txStmt returns the cached statement q bound to the writer's transaction
// tx. The bound statements of the current transaction are kept, since a
// group commit runs the same few statements for many writes. Only the
// writer goroutine calls it.
func (s *Store) txStmt(tx *sql.Tx, q string) (*sql.Stmt, error) {
	if s.curTx != tx {
		s.curTx = tx
		clear(s.curStmts)
	}
	if st, ok := s.curStmts[q]; ok {
		return st, nil
	}
	st, err := s.wstmts.get(q)
	if err != nil {
		return nil, err
	}
	bound := tx.Stmt(st)
	s.curStmts[q] = bound
	return bound, nil
}

// exec runs a cached statement inside the writer's transaction.
func (s *Store) exec(tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := s.txStmt(tx, q)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

// queryRow runs a cached single-row query inside the writer's transaction.
func (s *Store) queryRow(tx *sql.Tx, q string, args ...any) rowScanner {
	st, err := s.txStmt(tx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRow(args...)
}

// query runs a cached query inside the writer's transaction.
func (s *Store) query(tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := s.txStmt(tx, q)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
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

type writeReq struct {
	fn func(tx *sql.Tx) error
	// shared, when fn is nil, is a write of the shared queries, run
	// between the check and the record of idem (see apply).
	shared func(sqlstore.Tx) error
	idem   *connect.Idem
	err    chan error
	// res is the write's outcome, reported once the commit is durable.
	res error
}

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
	// after that fsync (see syncer). Checkpoints fsync as under FULL.
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
	s := &Store{r: r, w: w, reqs: make(chan *writeReq, 1024), done: make(chan struct{}), opts: opts, curStmts: map[string]*sql.Stmt{},
		fsync: (*os.File).Sync, d: dialect()}
	s.Store = sqlstore.New(s, s.d)
	s.wstmts.db, s.rstmts.db = w, r
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
		// The migrations are committed but perhaps not on disk, nor the
		// WAL file's directory entry: make both durable before any write.
		s.walPath = path + "-wal"
		if err := s.syncWAL(); err != nil {
			return fail(fmt.Errorf("syncing the write-ahead log: %w", err))
		}
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fail(fmt.Errorf("syncing the database directory: %w", err))
		}
		s.acks = make(chan []*writeReq, 64)
		s.synced = make(chan struct{}, 1)
		s.acked = make(chan struct{})
		go s.syncer()
	}
	go s.writer()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	s.closed.Do(func() { close(s.reqs) })
	<-s.done
	s.wstmts.close()
	s.rstmts.close()
	return errors.Join(s.r.Close(), s.w.Close())
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

// write runs fn in the writer's current batch transaction and waits for the commit.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.submit(ctx, &writeReq{fn: fn, err: make(chan error, 1)})
}

// errStoreClosed is the error of a write submitted after Close (an
// internal error on the wire).
var errStoreClosed = errors.New("sqlite: store is closed")

// submit queues a write for the writer and waits for its outcome.
func (s *Store) submit(ctx context.Context, req *writeReq) (err error) {
	defer func() {
		if recover() != nil { // the store is closed
			err = errStoreClosed
		}
	}()
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write is committed or failed regardless of ctx: wait for it.
	return <-req.err
}

func (s *Store) writer() {
	defer close(s.done)
	if s.acks != nil {
		defer func() { close(s.acks); <-s.acked }()
	}
	for first := range s.reqs {
		batch := s.group(first)
		if s.acks != nil {
			s.inflight.Add(1)
			s.acks <- batch
		} else {
			for _, r := range batch {
				r.err <- r.res
			}
		}
	}
}

// group runs first and the writes queued behind it in one transaction and
// commits it (group commit). While an fsync of earlier commits is under way
// the transaction stays open and takes every write that arrives, since
// those could not be acknowledged before the next fsync anyway: the writer
// runs statements while the disk syncs, and under load each commit carries
// many writes, which writes each dirty page to the WAL once for all of them.
func (s *Store) group(first *writeReq) []*writeReq {
	batch := []*writeReq{first}
	occ := s.occ.w
	t0 := time.Now()
	tx, err := s.w.Begin()
	if err != nil {
		first.res = err
		return batch
	}
	run := func(r *writeReq) error {
		t := time.Now()
		defer func() { s.execNS.Add(int64(time.Since(t))) }()
		return s.apply(r, tx)
	}
	s.execNS.Add(int64(time.Since(t0)))
	failed := run(first)
	for len(batch) < s.opts.MaxBatch {
		var r *writeReq
		if s.inflight.Load() == 0 {
			select { // nothing to wait for: what is queued, then commit
			case r = <-s.reqs:
			default:
			}
		} else {
			select {
			case r = <-s.reqs:
			case <-s.synced:
				continue
			}
		}
		if r == nil {
			break // nothing queued, or the store is closing
		}
		batch = append(batch, r)
		if failed == nil {
			failed = run(r)
		}
	}
	if failed != nil {
		// A write that fails may have changed rows before failing, so the
		// whole transaction is rolled back and each write runs again in a
		// transaction of its own, which gives every caller its exact outcome.
		// Writes are functions of their inputs, so running one again is safe;
		// failures are rare (idempotent replays, conflicts), so the common
		// path has no per-write overhead.
		_ = tx.Rollback()
		s.occ.w = occ
		if len(batch) == 1 {
			first.res = failed
			return batch
		}
		s.fallbacks.Add(1)
		for _, r := range batch {
			s.runTx(r)
		}
		return batch
	}
	s.finish(tx, batch, occ)
	return batch
}

// runTx runs one write in a transaction of its own.
func (s *Store) runTx(r *writeReq) {
	t0 := time.Now()
	occ := s.occ.w
	tx, err := s.w.Begin()
	if err != nil {
		r.res = err
		return
	}
	err = s.apply(r, tx)
	s.execNS.Add(int64(time.Since(t0)))
	if err != nil {
		_ = tx.Rollback()
		s.occ.w = occ
		r.res = err
		return
	}
	s.finish(tx, []*writeReq{r}, occ)
}

// finish commits a transaction whose writes all succeeded and records the
// outcome in each write.
func (s *Store) finish(tx *sql.Tx, batch []*writeReq, occ [numTables]bool) {
	t0 := time.Now()
	err := tx.Commit()
	s.noteStorage(err)
	s.commitNS.Add(int64(time.Since(t0)))
	if err != nil {
		s.occ.w = occ
	} else {
		s.occ.publish()
	}
	s.batches.Add(1)
	s.writes.Add(int64(len(batch)))
	for _, r := range batch {
		r.res = err
	}
}

// syncer reports committed writes to their callers once they are durable:
// it fsyncs the WAL after their commit, taking every batch committed so far
// into the same fsync, while the writer already runs the next batches.
func (s *Store) syncer() {
	defer close(s.acked)
	var group []*writeReq
	for b := range s.acks {
		group = append(group[:0], b...)
		batches := 1
	more:
		for {
			select {
			case b, ok := <-s.acks:
				if !ok {
					break more
				}
				group = append(group, b...)
				batches++
			default:
				break more
			}
		}
		err := s.syncWAL()
		s.noteStorage(err)
		for _, r := range group {
			if r.res == nil && err != nil {
				r.res = fmt.Errorf("committed but not made durable: %w", err)
			}
			r.err <- r.res
		}
		s.inflight.Add(-int64(batches))
		select {
		case s.synced <- struct{}{}:
		default:
		}
	}
	if s.wal != nil {
		s.wal.Close()
	}
}

// syncWAL fsyncs the write-ahead log, reopening it if SQLite replaced the
// file. A missing log has nothing to sync: SQLite removes it only after
// checkpointing (and fsyncing) everything in it into the database.
func (s *Store) syncWAL() error {
	s.syncs.Add(1)
	fi, err := os.Stat(s.walPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.wal != nil {
		if cur, err := s.wal.Stat(); err != nil || !os.SameFile(cur, fi) {
			s.wal.Close()
			s.wal = nil
		}
	}
	if s.wal == nil {
		if s.wal, err = os.Open(s.walPath); err != nil {
			return err
		}
	}
	return s.fsync(s.wal)
}

// syncDir fsyncs a directory, making the files created in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// SingleProcess implements connect.SingleProcessStore: one process at a time uses a
// SQLite database, and all its writes go through this Store.
func (s *Store) SingleProcess() bool { return true }
