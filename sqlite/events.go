package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

// ListEventsSince implements connect.Store.
func (s *Store) ListEventsSince(ctx context.Context, after int64, limit int) ([]connect.Event, error) {
	rows, err := s.read(ctx, `SELECT id, contact_id, instance_id, type, time, detail FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// LastEventID implements connect.Store.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := s.readRow(ctx, `SELECT MAX(id) FROM events`).Scan(&id)
	return id.Int64, err
}

// Cursor implements connect.Store.
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := s.readRow(ctx, `SELECT position FROM cursors WHERE name = ?`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return pos, err
}

// SetCursor implements connect.Store.
func (s *Store) SetCursor(ctx context.Context, name string, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(tx, `INSERT INTO cursors(name, position) VALUES (?, ?)
 ON CONFLICT(name) DO UPDATE SET position = excluded.position WHERE excluded.position > cursors.position`, name, id)
		return err
	})
}

// Suppressed implements connect.Store.
func (s *Store) Suppressed(ctx context.Context, addresses []string, now time.Time) (map[string]connect.Suppression, error) {
	out := map[string]connect.Suppression{}
	if len(addresses) == 0 || !s.occ.has(tableSuppressions) {
		return out, nil
	}
	args := make([]any, 0, len(addresses)+1)
	args = append(args, ms(now))
	for _, a := range addresses {
		args = append(args, strings.ToLower(a))
	}
	rows, err := s.read(ctx, `SELECT address, reason, contact_id, created_at, expires_at FROM suppressions
 WHERE (expires_at = 0 OR expires_at > ?) AND address_lc IN (?`+strings.Repeat(",?", len(addresses)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e connect.Suppression
		var c, x int64
		if err := rows.Scan(&e.Address, &e.Reason, &e.ContactID, &c, &x); err != nil {
			return nil, err
		}
		e.CreatedAt, e.ExpiresAt = fromMS(c), fromMS(x)
		out[strings.ToLower(e.Address)] = e
	}
	return out, rows.Err()
}

// Suppress implements connect.Store.
func (s *Store) Suppress(ctx context.Context, entries []connect.Suppression) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			if _, err := s.exec(tx, `INSERT OR REPLACE INTO suppressions(address_lc, address, reason, contact_id, created_at, expires_at) VALUES (?,?,?,?,?,?)`,
				strings.ToLower(e.Address), e.Address, e.Reason, e.ContactID, ms(e.CreatedAt), ms(e.ExpiresAt)); err != nil {
				return err
			}
			s.occ.mark(tableSuppressions, true)
		}
		return nil
	})
}

// ListSuppressions implements connect.Store.
func (s *Store) ListSuppressions(ctx context.Context, after string, limit int) ([]connect.Suppression, error) {
	rows, err := s.read(ctx, `SELECT address, reason, contact_id, created_at, expires_at FROM suppressions WHERE address_lc > ? ORDER BY address_lc LIMIT ?`, strings.ToLower(after), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []connect.Suppression
	for rows.Next() {
		var e connect.Suppression
		var c, x int64
		if err := rows.Scan(&e.Address, &e.Reason, &e.ContactID, &c, &x); err != nil {
			return nil, err
		}
		e.CreatedAt, e.ExpiresAt = fromMS(c), fromMS(x)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Unsuppress implements connect.Store.
func (s *Store) Unsuppress(ctx context.Context, address string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `DELETE FROM suppressions WHERE address_lc = ?`, strings.ToLower(address))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf("Suppression", "%s is not suppressed", address)
		}
		var left bool
		if err := s.queryRow(tx, occupied[tableSuppressions]).Scan(&left); err != nil {
			return err
		}
		s.occ.mark(tableSuppressions, left)
		return nil
	})
}
