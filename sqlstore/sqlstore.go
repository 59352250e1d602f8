// Package sqlstore is the SQL that connectmail's two engines share: the
// queries of every stored aggregate (instances, email addresses, contacts,
// files, queue email addresses, suppressions, event cursors, the delivery
// queue's reads), written once with ? placeholders and run over a Querier.
//
// An engine package (sqlite, postgres) provides an Engine — its reader and
// its write transactions, in which it also adds events, queues delivery
// jobs, takes locks and records idempotency, each in its own way — and a
// Dialect, the small value that says how its SQL differs: placeholders,
// FOR UPDATE, time columns, case-insensitive comparison, unique
// violations. Its Store embeds a *Store and overrides only what the engine
// does differently (the delivery queue's claims and outcomes, PostgreSQL's
// event log horizon).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/connectmail/connectmail/connect"
)

// ErrNoRows is what Row.Scan returns when the query found no row. Both
// drivers' own no-rows errors match it with errors.Is.
var ErrNoRows = sql.ErrNoRows

// noRows reports a query that found no row.
func noRows(err error) bool { return errors.Is(err, ErrNoRows) }

// Row is one row of a query, read when it is scanned.
type Row interface {
	Scan(dest ...any) error
}

// Rows are the rows of a query; Close must be called.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements: a write transaction (a SQLite write batch, a
// PostgreSQL transaction) or an engine's reader. Queries use ? placeholders
// and are passed through the Dialect's Q first.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Queue runs a statement whose result is not needed. An engine that
	// pipelines may hold it until the next statement or the commit and
	// report its error then.
	Queue(ctx context.Context, query string, args ...any) error
	// Query runs a query.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a query of at most one row when the row is scanned.
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Table names a table whose occupancy an engine may track (see Tx.Changed).
type Table int

// The tables that are usually empty.
const (
	Suppressions Table = iota
	Files
)

// Tx is a write transaction with the engine's own ways of doing what every
// engine must do differently.
type Tx interface {
	Querier
	// AddEvents appends evs to the event log and sets their ids (perhaps
	// only by the time the transaction has committed).
	AddEvents(ctx context.Context, evs []connect.Event) error
	// AddJob queues the delivery job of o: due at o.Contact.UpdatedAt, or,
	// with o.LeaseUntil, already leased to this process as attempt 1.
	AddJob(ctx context.Context, o *connect.Outbound) error
	// Lock serializes the transactions that lock the same key until they
	// end (nothing to do for an engine whose writes are serial).
	Lock(ctx context.Context, key string) error
	// Changed tells the engine that rows were added to t (added) or removed
	// from it, for engines that skip reads of empty tables.
	Changed(ctx context.Context, t Table, added bool) error
}

// Write describes a write transaction for the engine.
type Write struct {
	// Idem, when set, is checked before the transaction's statements and
	// recorded with them: the write then fails with *connect.Replayed (same
	// token and hash) or a fault.Idempotency error (another hash).
	Idem *connect.Idem
	// Events is how many events the write adds, or an estimate when it
	// learns that only on the way (engines that reserve event ids reserve
	// these up front).
	Events int
}

// Engine is what an engine package gives the shared queries.
type Engine interface {
	// Reader runs reads outside any write.
	Reader() Querier
	// Write runs fn in one write transaction, atomically. fn may run more
	// than once (engines retry conflicts and re-run batched writes); it
	// must only compute and run statements.
	Write(ctx context.Context, w Write, fn func(tx Tx) error) error
	// Occupied reports whether t may have rows (an engine that does not
	// track it answers true).
	Occupied(t Table) bool
}

// Store implements the stored aggregates over an Engine. Engine packages
// embed it.
type Store struct {
	e Engine
	d *Dialect
}

// New returns the shared store of an engine.
func New(e Engine, d *Dialect) *Store { return &Store{e: e, d: d} }

// Dialect returns the store's dialect.
func (s *Store) Dialect() *Dialect { return s.d }

// read returns the engine's reader.
func (s *Store) read() Querier { return s.e.Reader() }

// write runs fn in a write transaction.
func (s *Store) write(ctx context.Context, w Write, fn func(tx Tx) error) error {
	return s.e.Write(ctx, w, fn)
}

// q rebinds a query for the dialect.
func (s *Store) q(query string) string { return s.d.Q(query) }

// Collect scans every row of a query with scan and closes the rows.
func Collect[T any](rows Rows, err error, scan func(Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
