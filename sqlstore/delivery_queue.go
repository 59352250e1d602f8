package sqlstore

import (
	"context"
	"time"

	"github.com/connectmail/connectmail/delivery"
)

// ListAttempts implements connect.ContactStore.
func (s *Store) ListAttempts(ctx context.Context, contactID string) ([]delivery.Attempt, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT contact_id, n, started_at, finished_at, outcome, code, detail, class FROM attempts WHERE contact_id = ? ORDER BY n`), contactID)
	return Collect(rows, err, func(row Row) (delivery.Attempt, error) {
		var a delivery.Attempt
		err := row.Scan(&a.ContactID, &a.N, TimeCol{&a.StartedAt}, TimeCol{&a.FinishedAt}, &a.Outcome, &a.Code, &a.Detail, &a.Class)
		return a, err
	})
}

// NextJobAt implements delivery.Queue.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	var t time.Time
	if err := s.read().QueryRow(ctx, `SELECT MIN(next_at) FROM jobs`).Scan(TimeCol{&t}); err != nil {
		return time.Time{}, false, err
	}
	return t, !t.IsZero(), nil
}

// QueueDepth implements delivery.Queue: the jobs not yet finished.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := s.read().QueryRow(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&n)
	return n, err
}
