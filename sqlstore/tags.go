package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

// ModifyTags implements connect.TagStore.
func (s *Store) ModifyTags(ctx context.Context, ref connect.ResourceRef, fn func(map[string]string) (map[string]string, error)) error {
	var table, what string
	where, args := `id = ? AND instance_id = ?`, []any{ref.ID, ref.InstanceID}
	switch ref.Type {
	case connect.ResourceInstance:
		table, what = "instances", "Instance"
		where, args = `id = ?`, []any{ref.ID}
	case connect.ResourceEmailAddress:
		table, what = "email_addresses", "EmailAddress"
	case connect.ResourceFile:
		table, what = "attached_files", "File"
	default:
		return fault.New(fault.Invalid, "resources of type %s cannot be tagged through ModifyTags", ref.Type)
	}
	return s.write(ctx, Write{}, func(tx Tx) error {
		tags := map[string]string{}
		err := tx.QueryRow(ctx, s.q(`SELECT tags FROM `+table+` WHERE `+where+s.d.LockRows), args...).Scan(JSONCol{&tags})
		if noRows(err) {
			return fault.NotFoundf(what, "%s %s not found", what, ref.ID)
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
