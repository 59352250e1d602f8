package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txn is a transaction on one pooled connection that spends as few round
// trips as it can: BEGIN travels with its first statements and commit
// sends COMMIT with its last ones, so a write that needs no decision on the
// way is one round trip. Statements are queued in pgx batches, which the
// server runs as a pipeline; an error skips the rest of the pipeline,
// COMMIT included, and the transaction is rolled back.
type txn struct {
	ctx   context.Context
	conn  *pgx.Conn
	begun bool
	done  bool
}

// send runs the statements of b in the transaction as one round trip.
func (t *txn) send(b *pgx.Batch) error {
	if !t.begun {
		nb := &pgx.Batch{}
		nb.Queue("begin")
		nb.QueuedQueries = append(nb.QueuedQueries, b.QueuedQueries...)
		b = nb
		t.begun = true
	}
	return t.conn.SendBatch(t.ctx, b).Close()
}

// commit runs the statements of b (may be nil) and commits, in one round trip.
func (t *txn) commit(b *pgx.Batch) error {
	if b == nil {
		b = &pgx.Batch{}
	}
	if !t.begun && b.Len() == 0 {
		t.done = true
		return nil
	}
	b.Queue("commit")
	t.done = true
	return t.send(b)
}

// Exec runs one statement in the transaction.
func (t *txn) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error {
		tag = ct
		return nil
	})
	err := t.send(b)
	return tag, err
}

// QueryRow runs one query in the transaction when its row is scanned.
func (t *txn) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	return lazyRow{t: t, sql: sql, args: args}
}

type lazyRow struct {
	t    *txn
	sql  string
	args []any
}

func (r lazyRow) Scan(dest ...any) error {
	b := &pgx.Batch{}
	b.Queue(r.sql, r.args...).QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
	return r.t.send(b)
}

// tx runs fn in a transaction and commits it unless fn did or failed. It
// retries fn when PostgreSQL reports a deadlock or a serialization failure.
func (s *Store) tx(ctx context.Context, fn func(t *txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tx1(ctx, fn)
		if attempt < 5 && retryable(err) {
			time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
			continue
		}
		return err
	}
}

func (s *Store) tx1(ctx context.Context, fn func(t *txn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release() // a connection left inside a transaction is closed, not reused
	t := &txn{ctx: ctx, conn: c.Conn()}
	err = fn(t)
	if err == nil && !t.done {
		err = t.commit(nil)
	}
	if c.Conn().PgConn().TxStatus() != 'I' {
		_, _ = c.Conn().Exec(context.WithoutCancel(ctx), "rollback")
	}
	return err
}
