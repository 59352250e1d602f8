package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
)

// dialect is SQLite's SQL: ? placeholders, times as integer milliseconds,
// no row locks (one writer makes every write), NOCASE comparisons.
func dialect() *sqlstore.Dialect {
	return &sqlstore.Dialect{
		Times:    sqlstore.UnixMillis,
		FoldedEq: "%s = ? COLLATE NOCASE",
		Like:     "LIKE",
		LikeDrop: "%_",
		Greatest: "MAX",
		Unique:   isUnique,
	}
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Reader implements sqlstore.Engine: the reader pool, with statements
// prepared once.
func (s *Store) Reader() sqlstore.Querier { return reader{s} }

// Occupied implements sqlstore.Engine.
func (s *Store) Occupied(t sqlstore.Table) bool { return s.occ.has(table(t)) }

// Write implements sqlstore.Engine: fn runs in the writer's current batch
// (see group), between the check and the record of w.Idem.
func (s *Store) Write(ctx context.Context, w sqlstore.Write, fn func(sqlstore.Tx) error) error {
	return s.w.submit(ctx, &writeReq{shared: fn, idem: w.Idem, err: make(chan error, 1)})
}

// apply runs the write r in the writer's transaction tx.
func (s *Store) apply(r *writeReq, tx *sql.Tx) error {
	if r.fn != nil {
		return r.fn(tx)
	}
	b := &s.w.batch // only the writer goroutine runs writes
	b.s, b.tx = s, tx
	if err := s.d.CheckIdem(context.Background(), b, r.idem); err != nil {
		return err
	}
	if err := r.shared(b); err != nil {
		return err
	}
	return s.putIdem(tx, r.idem)
}

func (s *Store) putIdem(tx *sql.Tx, idem *connect.Idem) error {
	if idem == nil {
		return nil
	}
	_, err := s.w.exec(tx, `INSERT INTO idempotency(op, token, hash, response, created_at) VALUES (?,?,?,?,?)`,
		idem.Op, idem.Token, idem.Hash, idem.Response, time.Now().UnixMilli())
	return err
}

// batchTx is one write of the writer's batch transaction, with the
// transaction's cached statements.
type batchTx struct {
	s  *Store
	tx *sql.Tx
}

// Exec implements sqlstore.Querier.
func (b *batchTx) Exec(_ context.Context, q string, args ...any) (int64, error) {
	res, err := b.s.w.exec(b.tx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Queue implements sqlstore.Querier: the statement runs at once.
func (b *batchTx) Queue(_ context.Context, q string, args ...any) error {
	_, err := b.s.w.exec(b.tx, q, args...)
	return err
}

// Query implements sqlstore.Querier.
func (b *batchTx) Query(_ context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := b.s.w.query(b.tx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// QueryRow implements sqlstore.Querier.
func (b *batchTx) QueryRow(_ context.Context, q string, args ...any) sqlstore.Row {
	return b.s.w.queryRow(b.tx, q, args...)
}

// AddEvents implements sqlstore.Tx.
func (b *batchTx) AddEvents(_ context.Context, evs []connect.Event) error {
	return b.s.insertEvents(b.tx, evs)
}

// AddJob implements sqlstore.Tx.
func (b *batchTx) AddJob(_ context.Context, o *connect.Outbound) error { return b.s.insertJob(b.tx, o) }

// Lock implements sqlstore.Tx: writes are serial already.
func (b *batchTx) Lock(context.Context, string) error { return nil }

// Changed implements sqlstore.Tx: it keeps the occupancy of the tables
// whose reads are skipped while they are empty.
func (b *batchTx) Changed(_ context.Context, t sqlstore.Table, added bool) error {
	if added {
		b.s.occ.mark(table(t), true)
		return nil
	}
	var left bool
	if err := b.s.w.queryRow(b.tx, occupied[table(t)]).Scan(&left); err != nil {
		return err
	}
	b.s.occ.mark(table(t), left)
	return nil
}

// reader is the reader pool as a sqlstore.Querier.
type reader struct{ s *Store }

// Exec implements sqlstore.Querier (reads only: a statement that writes fails).
func (r reader) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := r.s.r.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Queue implements sqlstore.Querier.
func (r reader) Queue(ctx context.Context, q string, args ...any) error {
	_, err := r.Exec(ctx, q, args...)
	return err
}

// Query implements sqlstore.Querier.
func (r reader) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := r.s.read(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// QueryRow implements sqlstore.Querier.
func (r reader) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return r.s.readRow(ctx, q, args...)
}

// sqlRows are database/sql rows as sqlstore.Rows.
type sqlRows struct{ *sql.Rows }

// Close implements sqlstore.Rows.
func (r sqlRows) Close() { _ = r.Rows.Close() }
