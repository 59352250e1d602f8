package postgres

import (
	"context"

	"errors"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
	"github.com/jackc/pgx/v5"
)

// horizon is the lowest event id that an open transaction may still commit:
// readers stop below it (see the events table in migration 1).
const horizon = `COALESCE((SELECT min(first_id) FROM event_reservations), 9223372036854775807)`

// ListEventsSince implements events.Log. It returns only events below the
// lowest outstanding id reservation, so every event it returns is followed
// only by events with higher ids, and a reader may advance its position to
// the last id returned.
// errReservationExpired is the error of an event insert whose id
// reservation expired before its transaction ended (an internal error).
var errReservationExpired = errors.New("postgres: the event id reservation expired before the transaction ended")

func (s *Store) ListEventsSince(ctx context.Context, after int64, limit int) ([]connect.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, instance_id, type, time, detail FROM events
 WHERE id > $1 AND id < `+horizon+` ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	return sqlstore.Collect(sqlstore.Rows(rows), nil, sqlstore.ScanEvent)
}

// LastEventID implements events.Log: the highest id below the lowest
// outstanding reservation, so that a reader starting there misses nothing.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(id) FROM events WHERE id < `+horizon).Scan(&id); err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// queueEvents appends to b the statements that add evs to the event log
// with ids from the transaction's reservation (token, from txn.reserve),
// starting off ids into it, fill in their ids and notify the other nodes.
// The transaction deletes the reservation as it commits.
// Each insert locks the reservation row first, so a reservation deleted as
// expired can no longer be used, and one in use is not deleted.
func (s *Store) queueEvents(t *txn, b *pgx.Batch, token string, off int, evs []connect.Event) {
	if token == "" {
		return
	}
	for i := range evs {
		e := &evs[i]
		b.Queue(`INSERT INTO events(id, contact_id, instance_id, type, time, detail)
 SELECT r.first_id + $1, $2, $3, $4, $5, $6 FROM (SELECT first_id FROM event_reservations WHERE token = $7 AND first_id + $1 <= last_id FOR UPDATE) r
 RETURNING id`,
			off+i, e.ContactID, e.InstanceID, e.Type, tm(e.Time), sqlstore.JSON(e.Detail), token).QueryRow(func(r pgx.Row) error {
			err := r.Scan(&e.ID)
			if notFound(err) {
				return errReservationExpired
			}
			return err
		})
	}
	if len(evs) > 0 {
		t.notify(ChannelEvents, s.node)
	}
}

// reserveNow reserves n event ids in a transaction of its own on another
// connection, for a transaction that learns how many events it adds only
// after it has begun; see txn.reserve.
func (s *Store) reserveNow(ctx context.Context, n int) (string, error) {
	if n == 0 {
		return "", nil
	}
	var tok string
	err := s.tx(ctx, func(t *txn) error {
		tok = t.reserve(s.node, n)
		return t.commit(nil)
	})
	return tok, err
}
