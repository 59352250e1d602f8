package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
)

// writer is the store's one writer: a goroutine (run) that takes the writes
// queued on reqs and commits them together (group commit), with the
// statements it binds to its transaction and its counters (see WriterStats).
type writer struct {
	db       *sql.DB
	reqs     chan *writeReq
	done     chan struct{}
	closed   sync.Once
	maxBatch int
	stmts    stmtCache
	// apply runs one write in the writer's transaction (Store.apply).
	apply func(r *writeReq, tx *sql.Tx) error
	// occ is the store's occupancy, whose writer copy it saves, restores
	// and publishes around each transaction.
	occ *occupancy
	// syncer acknowledges committed batches once durable, and keeps the
	// last storage failure.
	syncer *syncer
	// fallbacks counts batches that had to be re-run write by write.
	fallbacks atomic.Int64
	// The writer's current transaction and its bound statements (txStmt).
	curTx    *sql.Tx
	curStmts map[string]*sql.Stmt
	// batch is the writer's transaction as a sqlstore.Tx (see apply).
	batch batchTx
	// The writer's counters (see WriterStats).
	batches, writes, execNS, commitNS atomic.Int64
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
	w := &s.w
	return WriterStats{Batches: w.batches.Load(), Writes: w.writes.Load(),
		Exec: time.Duration(w.execNS.Load()), Commit: time.Duration(w.commitNS.Load()), Syncs: s.syncer.syncs.Load()}
}

// txStmt returns the cached statement q bound to the writer's transaction
// tx. The bound statements of the current transaction are kept, since a
// group commit runs the same few statements for many writes. Only the
// writer goroutine calls it.
func (w *writer) txStmt(tx *sql.Tx, q string) (*sql.Stmt, error) {
	if w.curTx != tx {
		w.curTx = tx
		clear(w.curStmts)
	}
	if st, ok := w.curStmts[q]; ok {
		return st, nil
	}
	st, err := w.stmts.get(q)
	if err != nil {
		return nil, err
	}
	bound := tx.Stmt(st)
	w.curStmts[q] = bound
	return bound, nil
}

// exec runs a cached statement inside the writer's transaction.
func (w *writer) exec(tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := w.txStmt(tx, q)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

// queryRow runs a cached single-row query inside the writer's transaction.
func (w *writer) queryRow(tx *sql.Tx, q string, args ...any) rowScanner {
	st, err := w.txStmt(tx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRow(args...)
}

// query runs a cached query inside the writer's transaction.
func (w *writer) query(tx *sql.Tx, q string, args ...any) (*sql.Rows, error) {
	st, err := w.txStmt(tx, q)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
}

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

// write runs fn in the writer's current batch transaction and waits for the commit.
func (w *writer) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return w.submit(ctx, &writeReq{fn: fn, err: make(chan error, 1)})
}

// errStoreClosed is the error of a write submitted after Close (an
// internal error on the wire).
var errStoreClosed = errors.New("sqlite: store is closed")

// submit queues a write for the writer and waits for its outcome.
func (w *writer) submit(ctx context.Context, req *writeReq) (err error) {
	defer func() {
		if recover() != nil { // the store is closed
			err = errStoreClosed
		}
	}()
	select {
	case w.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write is committed or failed regardless of ctx: wait for it.
	return <-req.err
}

// close stops the writer once the writes queued so far are done, and
// closes its statements.
func (w *writer) close() {
	w.closed.Do(func() { close(w.reqs) })
	<-w.done
	w.stmts.close()
}

// run is the writer goroutine.
func (w *writer) run() {
	defer close(w.done)
	y := w.syncer
	if y.acks != nil {
		defer func() { close(y.acks); <-y.acked }()
	}
	for first := range w.reqs {
		batch := w.group(first)
		if y.acks != nil {
			y.inflight.Add(1)
			y.acks <- batch
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
func (w *writer) group(first *writeReq) []*writeReq {
	batch := []*writeReq{first}
	occ := w.occ.w
	t0 := time.Now()
	tx, err := w.db.Begin()
	if err != nil {
		first.res = err
		return batch
	}
	run := func(r *writeReq) error {
		t := time.Now()
		defer func() { w.execNS.Add(int64(time.Since(t))) }()
		return w.apply(r, tx)
	}
	w.execNS.Add(int64(time.Since(t0)))
	failed := run(first)
	for len(batch) < w.maxBatch {
		var r *writeReq
		if w.syncer.inflight.Load() == 0 {
			select { // nothing to wait for: what is queued, then commit
			case r = <-w.reqs:
			default:
			}
		} else {
			select {
			case r = <-w.reqs:
			case <-w.syncer.synced:
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
		w.occ.w = occ
		if len(batch) == 1 {
			first.res = failed
			return batch
		}
		w.fallbacks.Add(1)
		for _, r := range batch {
			w.runTx(r)
		}
		return batch
	}
	w.finish(tx, batch, occ)
	return batch
}

// runTx runs one write in a transaction of its own.
func (w *writer) runTx(r *writeReq) {
	t0 := time.Now()
	occ := w.occ.w
	tx, err := w.db.Begin()
	if err != nil {
		r.res = err
		return
	}
	err = w.apply(r, tx)
	w.execNS.Add(int64(time.Since(t0)))
	if err != nil {
		_ = tx.Rollback()
		w.occ.w = occ
		r.res = err
		return
	}
	w.finish(tx, []*writeReq{r}, occ)
}

// finish commits a transaction whose writes all succeeded and records the
// outcome in each write.
func (w *writer) finish(tx *sql.Tx, batch []*writeReq, occ [numTables]bool) {
	t0 := time.Now()
	err := tx.Commit()
	w.syncer.note(err)
	w.commitNS.Add(int64(time.Since(t0)))
	if err != nil {
		w.occ.w = occ
	} else {
		w.occ.publish()
	}
	w.batches.Add(1)
	w.writes.Add(int64(len(batch)))
	for _, r := range batch {
		r.res = err
	}
}
