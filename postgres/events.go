package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/jackc/pgx/v5"
)

// horizon is the lowest event id that an open transaction may still commit:
// readers stop below it (see the events table in migration 1).
const horizon = `COALESCE((SELECT min(first_id) FROM event_reservations), 9223372036854775807)`

// ListEventsSince implements connect.Store. It returns only events below the
// lowest outstanding id reservation, so every event it returns is followed
// only by events with higher ids, and a reader may advance its position to
// the last id returned.
func (s *Store) ListEventsSince(ctx context.Context, after int64, limit int) ([]connect.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, instance_id, type, time, detail FROM events
 WHERE id > $1 AND id < `+horizon+` ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// LastEventID implements connect.Store: the highest id below the lowest
// outstanding reservation, so that a reader starting there misses nothing.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(id) FROM events WHERE id < `+horizon).Scan(&id); err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// Cursor implements connect.Store.
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM cursors WHERE name = $1`, name).Scan(&pos)
	if notFound(err) {
		return 0, nil
	}
	return pos, err
}

// SetCursor implements connect.Store.
func (s *Store) SetCursor(ctx context.Context, name string, id int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO cursors(name, position) VALUES ($1, $2)
 ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position WHERE EXCLUDED.position > cursors.position`, name, id)
	return err
}

func scanSuppression(row pgx.Row) (connect.Suppression, error) {
	var e connect.Suppression
	var exp *time.Time
	if err := row.Scan(&e.Address, &e.Reason, &e.ContactID, &e.CreatedAt, &exp); err != nil {
		return e, err
	}
	e.CreatedAt, e.ExpiresAt = fromTS(&e.CreatedAt), fromTS(exp)
	return e, nil
}

// Suppressed implements connect.Store.
func (s *Store) Suppressed(ctx context.Context, addresses []string, now time.Time) (map[string]connect.Suppression, error) {
	out := map[string]connect.Suppression{}
	if len(addresses) == 0 {
		return out, nil
	}
	lc := make([]string, len(addresses))
	for i, a := range addresses {
		lc[i] = strings.ToLower(a)
	}
	rows, err := s.pool.Query(ctx, `SELECT address, reason, contact_id, created_at, expires_at FROM suppressions
 WHERE (expires_at IS NULL OR expires_at > $1) AND address_lc = ANY($2)`, tm(now), lc)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scanSuppression)
	for _, e := range list {
		out[strings.ToLower(e.Address)] = e
	}
	return out, err
}

// Suppress implements connect.Store.
func (s *Store) Suppress(ctx context.Context, entries []connect.Suppression) error {
	if len(entries) == 0 {
		return nil
	}
	return s.tx(ctx, func(t *txn) error {
		b := &pgx.Batch{}
		for _, e := range entries {
			b.Queue(`INSERT INTO suppressions(address_lc, address, reason, contact_id, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6)
 ON CONFLICT (address_lc) DO UPDATE SET address = EXCLUDED.address, reason = EXCLUDED.reason, contact_id = EXCLUDED.contact_id,
   created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
				strings.ToLower(e.Address), e.Address, e.Reason, e.ContactID, tm(e.CreatedAt), tmNull(e.ExpiresAt))
		}
		return t.commit(b)
	})
}

// ListSuppressions implements connect.Store.
func (s *Store) ListSuppressions(ctx context.Context, after string, limit int) ([]connect.Suppression, error) {
	rows, err := s.pool.Query(ctx, `SELECT address, reason, contact_id, created_at, expires_at FROM suppressions WHERE address_lc > $1 ORDER BY address_lc LIMIT $2`,
		strings.ToLower(after), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSuppression)
}

// Unsuppress implements connect.Store.
func (s *Store) Unsuppress(ctx context.Context, address string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM suppressions WHERE address_lc = $1`, strings.ToLower(address))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fault.NotFoundf("Suppression", "%s is not suppressed", address)
	}
	return nil
}
