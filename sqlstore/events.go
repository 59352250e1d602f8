package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

const eventCols = `id, contact_id, instance_id, type, time, detail`

// ScanEvent reads an event row (EventCols).
func ScanEvent(row Row) (connect.Event, error) {
	var e connect.Event
	err := row.Scan(&e.ID, &e.ContactID, &e.InstanceID, &e.Type, TimeCol{&e.Time}, RawCol{&e.Detail})
	return e, err
}

// EventCols are the columns ScanEvent reads.
const EventCols = eventCols

// ListEvents implements connect.EventStore.
func (s *Store) ListEvents(ctx context.Context, contactID string) ([]connect.Event, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+eventCols+` FROM events WHERE contact_id = ? ORDER BY id`), contactID)
	return Collect(rows, err, ScanEvent)
}

// ListEventsSince implements connect.EventStore for an engine whose event
// ids are committed in order.
func (s *Store) ListEventsSince(ctx context.Context, after int64, limit int) ([]connect.Event, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+eventCols+` FROM events WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	return Collect(rows, err, ScanEvent)
}

// LastEventID implements connect.EventStore for an engine whose event ids
// are committed in order.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id *int64
	if err := s.read().QueryRow(ctx, `SELECT MAX(id) FROM events`).Scan(&id); err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// Cursor implements connect.EventStore.
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var pos int64
	err := s.read().QueryRow(ctx, s.q(`SELECT position FROM cursors WHERE name = ?`), name).Scan(&pos)
	if noRows(err) {
		return 0, nil
	}
	return pos, err
}

// SetCursor implements connect.EventStore.
func (s *Store) SetCursor(ctx context.Context, name string, id int64) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		return tx.Queue(ctx, s.q(`INSERT INTO cursors(name, position) VALUES (?, ?)
 ON CONFLICT (name) DO UPDATE SET position = excluded.position WHERE excluded.position > cursors.position`), name, id)
	})
}
