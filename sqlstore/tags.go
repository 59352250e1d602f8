package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

// ModifyTags implements connect.TagStore.
func (s *Store) ModifyTags(ctx context.Context, ref connect.ResourceRef, fn func(map[string]string) (map[string]string, error)) error {
	var table string
	var notFound error
	where, args := `id = ? AND instance_id = ?`, []any{ref.ID, ref.InstanceID}
	switch ref.Type {
	case connect.ResourceInstance:
		table, notFound = "instances", connect.ErrInstanceNotFound
		where, args = `id = ?`, []any{ref.ID}
	case connect.ResourceEmailAddress:
		table, notFound = "email_addresses", connect.ErrEmailAddressNotFound
	case connect.ResourceFile:
		table, notFound = "attached_files", connect.ErrFileNotFound
	default:
		return connect.ErrNotTaggable
	}
	return s.write(ctx, Write{}, func(tx Tx) error {
		tags := map[string]string{}
		err := tx.QueryRow(ctx, s.q(`SELECT tags FROM `+table+` WHERE `+where+s.d.LockRows), args...).Scan(JSONCol{&tags})
		if noRows(err) {
			return notFound
		}
		if err != nil {
			return err
		}
		out, err := fn(tags)
		if err != nil {
			return err
		}
		return tx.Queue(ctx, s.q(`UPDATE `+table+` SET tags = ? WHERE `+where), append([]any{JSON(out)}, args...)...)
	})
}
