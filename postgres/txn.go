package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
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
	// pre runs before BEGIN, in the first round trip: the event id reservation.
	pre []*pgx.QueuedQuery
	// reservation is the token of the event id reservation ("" if none).
	reservation string
	// notes are the notifications to send once the transaction committed.
	notes map[[2]string]bool
}

// notify sends a notification on channel once the transaction has committed.
//
// Not with NOTIFY inside the transaction: PostgreSQL serializes the commits
// of notifying transactions on one lock held through their WAL flush, which
// would make every commit wait for every other's disk write. The
// notifications go instead in a transaction of their own, pipelined after
// the COMMIT, that does not wait for the disk: it holds that lock only for
// an instant. A notification lost in a crash costs latency only: readers
// also poll, and the committing node wakes its own worker directly.
func (t *txn) notify(channel, payload string) {
	if t.notes == nil {
		t.notes = map[[2]string]bool{}
	}
	t.notes[[2]string{channel, payload}] = true
}

// reserve makes the transaction reserve n event ids before it begins (see
// the events table in migration 1) and returns the reservation's token, for
// queueEvents. It must be called before the first statement.
func (t *txn) reserve(node string, n int) string {
	if n == 0 || t.begun {
		return ""
	}
	t.reservation = uuid.NewString()
	b := &pgx.Batch{}
	b.Queue("begin")
	// The reservation need not survive a crash: a transaction that used it
	// commits synchronously, which makes the reservation durable first.
	b.Queue("set local synchronous_commit = off")
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockEvents)
	b.Queue(`INSERT INTO event_reservations(token, node, first_id, last_id)
 SELECT $1, $2, min(v), max(v) FROM (SELECT nextval('events_id_seq') AS v FROM generate_series(1, $3)) ids`, t.reservation, node, n)
	b.Queue("commit")
	t.pre = b.QueuedQueries
	return t.reservation
}

// send runs the statements of b in the transaction as one round trip.
func (t *txn) send(b *pgx.Batch) error {
	if !t.begun {
		nb := &pgx.Batch{QueuedQueries: t.pre}
		nb.Queue("begin")
		nb.QueuedQueries = append(nb.QueuedQueries, b.QueuedQueries...)
		b = nb
		t.begun = true
	}
	return t.conn.SendBatch(t.ctx, b).Close()
}

// commit runs the statements of b (may be nil), commits, and sends the
// notifications, in one round trip.
func (t *txn) commit(b *pgx.Batch) error {
	if b == nil {
		b = &pgx.Batch{}
	}
	t.done = true
	if !t.begun && b.Len() == 0 && len(t.pre) == 0 {
		return nil
	}
	committed := false
	b.Queue("commit").Exec(func(pgconn.CommandTag) error {
		committed = true
		return nil
	})
	if len(t.notes) > 0 {
		b.Queue("begin")
		b.Queue("set local synchronous_commit = off")
		for n := range t.notes {
			b.Queue(`SELECT pg_notify($1, $2)`, n[0], n[1])
		}
		b.Queue("commit")
	}
	err := t.send(b)
	if committed {
		return nil // what failed after the commit was only the notifications
	}
	return err
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
	bg := context.WithoutCancel(ctx)
	if c.Conn().PgConn().TxStatus() != 'I' {
		_, _ = c.Conn().Exec(bg, "rollback")
	}
	if err != nil && t.reservation != "" {
		// Give the reserved ids up so that readers can pass them. (If this
		// fails, the reservation expires; see ReleaseLeases.)
		_, _ = c.Conn().Exec(bg, `DELETE FROM event_reservations WHERE token = $1`, t.reservation)
	}
	return err
}
