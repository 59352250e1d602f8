package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

// queueLinksSQL selects links; the join hides links to deleted email addresses.
const queueLinksSQL = `SELECT q.instance_id, q.queue_id, q.email_address_id, q.is_default, q.modified_at FROM queue_email_addresses q
 JOIN email_addresses e ON e.id = q.email_address_id AND e.instance_id = q.instance_id WHERE q.instance_id = ?`

func scanQueueLink(row Row) (connect.QueueEmailAddress, error) {
	var l connect.QueueEmailAddress
	err := row.Scan(&l.InstanceID, &l.QueueID, &l.EmailAddressID, &l.Default, TimeCol{&l.ModifiedAt})
	return l, err
}

func (s *Store) queueLinks(ctx context.Context, q Querier, instanceID, queueID string) ([]connect.QueueEmailAddress, error) {
	query, args := queueLinksSQL, []any{instanceID}
	if queueID != "" {
		query += ` AND q.queue_id = ?`
		args = append(args, queueID)
	}
	rows, err := q.Query(ctx, s.q(query+` ORDER BY q.queue_id, q.pos`), args...)
	return Collect(rows, err, scanQueueLink)
}

// ModifyQueueEmailAddresses implements connect.QueueAddressStore. Changes
// to one queue are serialized (Tx.Lock).
func (s *Store) ModifyQueueEmailAddresses(ctx context.Context, instanceID, queueID string, fn func([]connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error)) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		if err := tx.Lock(ctx, "queue:"+instanceID+"\x00"+queueID); err != nil {
			return err
		}
		cur, err := s.queueLinks(ctx, tx, instanceID, queueID)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if err := tx.Queue(ctx, s.q(`DELETE FROM queue_email_addresses WHERE instance_id = ? AND queue_id = ?`), instanceID, queueID); err != nil {
			return err
		}
		for i, l := range next {
			if err := tx.Queue(ctx, s.q(`INSERT INTO queue_email_addresses(instance_id, queue_id, email_address_id, pos, is_default, modified_at) VALUES (?,?,?,?,?,?)`),
				instanceID, queueID, l.EmailAddressID, i, l.Default, s.d.Time(l.ModifiedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListQueueEmailAddresses implements connect.QueueAddressStore.
func (s *Store) ListQueueEmailAddresses(ctx context.Context, instanceID, queueID string) ([]connect.QueueEmailAddress, error) {
	return s.queueLinks(ctx, s.read(), instanceID, queueID)
}
