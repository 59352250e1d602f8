package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

const instanceCols = `id, arn, alias, identity_type, directory_id, inbound, outbound, status, created_at, tags`

func scanInstance(row Row) (*connect.Instance, error) {
	var in connect.Instance
	if err := row.Scan(&in.ID, &in.ARN, &in.Alias, &in.IdentityManagementType, &in.DirectoryID, &in.InboundCallsEnabled, &in.OutboundCallsEnabled, &in.Status,
		TimeCol{&in.CreatedAt}, JSONCol{&in.Tags}); err != nil {
		return nil, err
	}
	return &in, nil
}

// CreateInstance implements connect.InstanceStore.
func (s *Store) CreateInstance(ctx context.Context, in *connect.Instance, idem *connect.Idem) error {
	err := s.write(ctx, Write{Idem: idem}, func(tx Tx) error {
		return tx.Queue(ctx, s.q(`INSERT INTO instances(`+instanceCols+`) VALUES (?,?,?,?,?,?,?,?,?,?)`),
			in.ID, in.ARN, in.Alias, in.IdentityManagementType, in.DirectoryID, in.InboundCallsEnabled, in.OutboundCallsEnabled, in.Status, s.d.Time(in.CreatedAt), JSON(in.Tags))
	})
	if s.d.IsUnique(err) {
		return connect.ErrAliasInUse
	}
	return err
}

// GetInstance implements connect.InstanceStore.
func (s *Store) GetInstance(ctx context.Context, id string) (*connect.Instance, error) {
	in, err := scanInstance(s.read().QueryRow(ctx, s.q(`SELECT `+instanceCols+` FROM instances WHERE id = ?`), id))
	if noRows(err) {
		return nil, connect.ErrInstanceNotFound
	}
	return in, err
}

// ListInstances implements connect.InstanceStore.
func (s *Store) ListInstances(ctx context.Context, after string, limit int) ([]*connect.Instance, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+instanceCols+` FROM instances WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	return Collect(rows, err, scanInstance)
}

// DeleteInstance implements connect.InstanceStore: the instance goes with
// its contacts, their messages, attempts, jobs and events. The instance row
// is locked first, so that no contact is added to it meanwhile.
func (s *Store) DeleteInstance(ctx context.Context, id string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		var one int
		err := tx.QueryRow(ctx, s.q(`SELECT 1 FROM instances WHERE id = ?`+s.d.LockRows), id).Scan(&one)
		if noRows(err) {
			return connect.ErrInstanceNotFound
		}
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM jobs WHERE instance_id = ?`,
			`DELETE FROM messages WHERE contact_id IN (SELECT id FROM contacts WHERE instance_id = ?)`,
			`DELETE FROM attempts WHERE contact_id IN (SELECT id FROM contacts WHERE instance_id = ?)`,
			`DELETE FROM events WHERE instance_id = ?`,
			`DELETE FROM instances WHERE id = ?`,
		} {
			if err := tx.Queue(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		return nil
	})
}
