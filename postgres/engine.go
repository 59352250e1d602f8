package postgres

import (
	"context"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// dialect is PostgreSQL's SQL: numbered placeholders, timestamptz times
// (NULL for the zero time where nullable), row locks, lower() comparisons
// (the indexes are on lower(column)), ILIKE.
func dialect() *sqlstore.Dialect {
	return &sqlstore.Dialect{
		Numbered:      true,
		Times:         sqlstore.Timestamps,
		LockRows:      " FOR UPDATE",
		FoldedEq:      "lower(%s) = ?",
		LowerArgs:     true,
		Like:          "ILIKE",
		LikeDrop:      `%_\`,
		LockRowsNoKey: " FOR NO KEY UPDATE",
		Greatest:      "GREATEST",
		Unique:        isUnique,
	}
}

// Reader implements sqlstore.Engine: the pool.
func (s *Store) Reader() sqlstore.Querier { return poolQ{s.pool} }

// Occupied implements sqlstore.Engine: other nodes add rows, so every
// table may have some.
func (s *Store) Occupied(sqlstore.Table) bool { return true }

// Write implements sqlstore.Engine. The transaction reserves w.Events
// event ids before it begins and claims w.Idem's row first (see queueIdem);
// statements whose results are not needed travel with the next one or the
// COMMIT, so that most writes are one or two round trips.
func (s *Store) Write(ctx context.Context, w sqlstore.Write, fn func(sqlstore.Tx) error) error {
	err := s.tx(ctx, func(t *txn) error {
		p := &pgTx{s: s, t: t, b: &pgx.Batch{}}
		p.tok, p.reserved = t.reserve(s.node, w.Events), w.Events
		if w.Idem != nil {
			queueIdem(p.b, w.Idem.Op, w.Idem.Token, w.Idem.Hash, w.Idem.Response)
		}
		if err := fn(p); err != nil {
			if w.Idem != nil && !t.begun {
				// The write failed before its first statement: the claim
				// tells whether it is a replay, which comes first.
				if ferr := p.flush(); ferr != nil {
					return ferr
				}
			}
			return err
		}
		if p.tok != "" {
			p.b.Queue(`DELETE FROM event_reservations WHERE token = $1`, p.tok)
		}
		return t.commit(p.b)
	})
	return s.idemResult(ctx, err, w.Idem)
}

// pgTx is a write transaction as a sqlstore.Tx: b holds the statements not
// sent yet.
type pgTx struct {
	s *Store
	t *txn
	b *pgx.Batch
	// tok is the event id reservation, reserved its size and used how many
	// of its ids are taken.
	tok            string
	reserved, used int
}

// flush sends the statements held so far.
func (p *pgTx) flush() error {
	if p.b.Len() == 0 && p.t.begun {
		return nil
	}
	b := p.b
	p.b = &pgx.Batch{}
	return p.t.send(b)
}

// Exec implements sqlstore.Querier.
func (p *pgTx) Exec(_ context.Context, q string, args ...any) (int64, error) {
	var n int64
	p.b.Queue(q, args...).Exec(func(tag pgconn.CommandTag) error {
		n = tag.RowsAffected()
		return nil
	})
	err := p.flush()
	return n, err
}

// Queue implements sqlstore.Querier: the statement travels with the next one.
func (p *pgTx) Queue(_ context.Context, q string, args ...any) error {
	p.b.Queue(q, args...)
	return nil
}

// Query implements sqlstore.Querier.
func (p *pgTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	if err := p.flush(); err != nil {
		return nil, err
	}
	return p.t.conn.Query(ctx, q, args...)
}

// QueryRow implements sqlstore.Querier.
func (p *pgTx) QueryRow(_ context.Context, q string, args ...any) sqlstore.Row {
	return pgRow{p: p, q: q, args: args}
}

type pgRow struct {
	p    *pgTx
	q    string
	args []any
}

func (r pgRow) Scan(dest ...any) error {
	r.p.b.Queue(r.q, r.args...).QueryRow(func(row pgx.Row) error { return row.Scan(dest...) })
	return r.p.flush()
}

// AddEvents implements sqlstore.Tx: the events take ids of the
// transaction's reservation (see queueEvents), reserved now on the side
// when the write adds more than it announced.
func (p *pgTx) AddEvents(ctx context.Context, evs []connect.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if p.used+len(evs) > p.reserved {
		more, err := p.s.reserveNow(ctx, len(evs))
		if err != nil {
			return err
		}
		if p.tok != "" {
			p.b.Queue(`DELETE FROM event_reservations WHERE token = $1`, p.tok)
		}
		p.tok, p.reserved, p.used = more, len(evs), 0
		p.t.reservation = more
	}
	p.s.queueEvents(p.t, p.b, p.tok, p.used, evs)
	p.used += len(evs)
	return nil
}

// AddJob implements sqlstore.Tx.
func (p *pgTx) AddJob(_ context.Context, o *connect.Outbound) error {
	p.s.queueJob(p.t, p.b, o)
	return nil
}

// Lock implements sqlstore.Tx with a transaction advisory lock.
func (p *pgTx) Lock(_ context.Context, key string) error {
	p.b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey(key))
	return nil
}

// Changed implements sqlstore.Tx: nothing to track.
func (p *pgTx) Changed(context.Context, sqlstore.Table, bool) error { return nil }

// poolQ is the pool as a sqlstore.Querier.
type poolQ struct {
	pool interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

// Exec implements sqlstore.Querier.
func (q poolQ) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.pool.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

// Queue implements sqlstore.Querier.
func (q poolQ) Queue(ctx context.Context, sql string, args ...any) error {
	_, err := q.pool.Exec(ctx, sql, args...)
	return err
}

// Query implements sqlstore.Querier.
func (q poolQ) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return q.pool.Query(ctx, sql, args...)
}

// QueryRow implements sqlstore.Querier.
func (q poolQ) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return q.pool.QueryRow(ctx, sql, args...)
}
