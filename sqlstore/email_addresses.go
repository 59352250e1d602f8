package sqlstore

import (
	"context"
	"strings"

	"github.com/connectmail/connectmail/connect"
)

const emailCols = `id, instance_id, arn, address, display_name, description, alias_of, created_at, modified_at, tags`

func scanEmail(row Row) (*connect.EmailAddress, error) {
	var e connect.EmailAddress
	if err := row.Scan(&e.ID, &e.InstanceID, &e.ARN, &e.Address, &e.DisplayName, &e.Description, &e.AliasOf,
		TimeCol{&e.CreatedAt}, TimeCol{&e.ModifiedAt}, JSONCol{&e.Tags}); err != nil {
		return nil, err
	}
	return &e, nil
}

// CreateEmailAddress implements connect.EmailAddressStore.
func (s *Store) CreateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	err := s.write(ctx, Write{}, func(tx Tx) error {
		return tx.Queue(ctx, s.q(`INSERT INTO email_addresses(`+emailCols+`, address_lc) VALUES (?,?,?,?,?,?,?,?,?,?,?)`),
			e.ID, e.InstanceID, e.ARN, e.Address, e.DisplayName, e.Description, e.AliasOf, s.d.Time(e.CreatedAt), s.d.Time(e.ModifiedAt), JSON(e.Tags), strings.ToLower(e.Address))
	})
	if s.d.IsUnique(err) {
		return connect.ErrEmailAddressExists
	}
	return err
}

func (s *Store) oneEmail(ctx context.Context, what, where string, args ...any) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.read().QueryRow(ctx, s.q(`SELECT `+emailCols+` FROM email_addresses WHERE `+where), args...))
	if noRows(err) {
		return nil, connect.ErrEmailAddressNotFound
	}
	return e, err
}

// GetEmailAddress implements connect.EmailAddressStore.
func (s *Store) GetEmailAddress(ctx context.Context, instanceID, id string) (*connect.EmailAddress, error) {
	return s.oneEmail(ctx, id, `instance_id = ? AND id = ?`, instanceID, id)
}

// FindEmailAddress implements connect.EmailAddressStore.
func (s *Store) FindEmailAddress(ctx context.Context, instanceID, address string) (*connect.EmailAddress, error) {
	return s.oneEmail(ctx, address, `instance_id = ? AND address_lc = ?`, instanceID, strings.ToLower(address))
}

// LookupEmailSQL finds an address in any instance, through the unique index
// on address_lc.
const LookupEmailSQL = `SELECT ` + emailCols + ` FROM email_addresses WHERE address_lc = ?`

// LookupEmailAddress implements connect.EmailAddressStore.
func (s *Store) LookupEmailAddress(ctx context.Context, address string) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.read().QueryRow(ctx, s.q(LookupEmailSQL), strings.ToLower(address)))
	if noRows(err) {
		return nil, connect.ErrEmailAddressNotFound
	}
	return e, err
}

const listEmailsSQL = `SELECT ` + emailCols + ` FROM email_addresses WHERE instance_id = ? ORDER BY created_at, id`

// ListEmailAddresses implements connect.EmailAddressStore.
func (s *Store) ListEmailAddresses(ctx context.Context, instanceID string) ([]*connect.EmailAddress, error) {
	rows, err := s.read().Query(ctx, s.q(listEmailsSQL), instanceID)
	return Collect(rows, err, scanEmail)
}

// UpdateEmailAddress implements connect.EmailAddressStore.
func (s *Store) UpdateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		n, err := tx.Exec(ctx, s.q(`UPDATE email_addresses SET display_name = ?, description = ?, alias_of = ?, modified_at = ?, tags = ? WHERE instance_id = ? AND id = ?`),
			e.DisplayName, e.Description, e.AliasOf, s.d.Time(e.ModifiedAt), JSON(e.Tags), e.InstanceID, e.ID)
		if err == nil && n == 0 {
			err = connect.ErrEmailAddressNotFound
		}
		return err
	})
}

// DeleteEmailAddress implements connect.EmailAddressStore; its aliases
// are aliases no more.
func (s *Store) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		n, err := tx.Exec(ctx, s.q(`DELETE FROM email_addresses WHERE instance_id = ? AND id = ?`), instanceID, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return connect.ErrEmailAddressNotFound
		}
		return tx.Queue(ctx, s.q(`UPDATE email_addresses SET alias_of = '' WHERE instance_id = ? AND alias_of = ?`), instanceID, id)
	})
}

// ModifyEmailAddresses implements connect.EmailAddressStore. The addresses
// are locked as they are read, so concurrent changes serialize.
func (s *Store) ModifyEmailAddresses(ctx context.Context, instanceID string, idem *connect.Idem, fn func(all []*connect.EmailAddress) ([]*connect.EmailAddress, error)) error {
	return s.write(ctx, Write{Idem: idem}, func(tx Tx) error {
		rows, err := tx.Query(ctx, s.q(listEmailsSQL+s.d.LockRows), instanceID)
		all, err := Collect(rows, err, scanEmail)
		if err != nil {
			return err
		}
		changed, err := fn(all)
		if err != nil {
			return err
		}
		for _, e := range changed {
			n, err := tx.Exec(ctx, s.q(`UPDATE email_addresses SET alias_of = ?, tags = ?, modified_at = ? WHERE instance_id = ? AND id = ?`),
				e.AliasOf, JSON(e.Tags), s.d.Time(e.ModifiedAt), instanceID, e.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				return connect.ErrEmailAddressNotFound
			}
		}
		return nil
	})
}
