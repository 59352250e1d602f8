package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/storedoc"
)

// This file implements the Store methods of the email surface beyond the
// spine: contacts created with their message, contact and email-address
// modifications, tags, attached files and queue email addresses.

// CreateContactMessage implements connect.Store.
func (s *Store) CreateContactMessage(ctx context.Context, o *connect.Outbound, queue bool) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, o.Idem); err != nil {
			return err
		}
		c := o.Contact
		_, err := s.exec(tx, `INSERT INTO contacts(id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.ID, c.InstanceID, c.ARN, c.Channel, c.InitiationMethod, c.RelatedContactID, c.PreviousContactID, c.InitialContactID, c.Name, c.Description, c.AgentID,
			jsonOrNil(c.Attributes), jsonOrNil(storedoc.References(c.References)), jsonOrNil(storedoc.SegmentAttributes(c.SegmentAttributes)), c.ExpiryMinutes, string(c.State), ms(c.InitiatedAt), ms(c.UpdatedAt), ms(c.DisconnectedAt), c.DisconnectReason,
			c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, jsonOrNil(storedoc.Endpoints(c.ToList)), jsonOrNil(storedoc.Endpoints(c.Cc)), c.Subject, c.MessageID, c.Source, c.TemplateRef, jsonOrNil(c.NotInterpolated), jsonOrNil(c.Tags))
		if isUnique(err) {
			return fault.New(fault.Duplicate, "contact %s exists", c.ID)
		}
		if err != nil {
			return err
		}
		rcpts, _ := json.Marshal(o.Message.Recipients)
		if _, err := s.exec(tx, `INSERT INTO messages(contact_id, envelope_from, recipients, raw) VALUES (?,?,?,?)`,
			c.ID, o.Message.EnvelopeFrom, string(rcpts), o.Message.Raw); err != nil {
			return err
		}
		if queue {
			if err := s.insertJob(tx, o); err != nil {
				return err
			}
		}
		if err := s.insertEvents(tx, o.Events); err != nil {
			return err
		}
		return s.putIdem(tx, o.Idem)
	})
}

// ModifyContact implements connect.Store.
func (s *Store) ModifyContact(ctx context.Context, instanceID, id string, fn func(c *connect.Contact) ([]connect.Event, error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		c, _, err := scanContact(s.queryRow(tx, `SELECT `+contactCols+` FROM contacts WHERE id = ? AND instance_id = ?`, id, instanceID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFoundf("Contact", "contact %s not found", id)
		}
		if err != nil {
			return err
		}
		evs, err := fn(c)
		if err != nil {
			return err
		}
		if _, err := s.exec(tx, `UPDATE contacts SET attributes = ?, tags = ?, updated_at = ? WHERE id = ?`,
			jsonOrNil(c.Attributes), jsonOrNil(c.Tags), ms(c.UpdatedAt), c.ID); err != nil {
			return err
		}
		return s.insertEvents(tx, evs)
	})
}

// ModifyEmailAddresses implements connect.Store.
func (s *Store) ModifyEmailAddresses(ctx context.Context, instanceID string, idem *connect.Idem, fn func(all []*connect.EmailAddress) ([]*connect.EmailAddress, error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, idem); err != nil {
			return err
		}
		rows, err := s.query(tx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = ? ORDER BY created_at, id`, instanceID)
		if err != nil {
			return err
		}
		var all []*connect.EmailAddress
		for rows.Next() {
			e, err := scanEmail(rows)
			if err != nil {
				rows.Close()
				return err
			}
			all = append(all, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		changed, err := fn(all)
		if err != nil {
			return err
		}
		for _, e := range changed {
			res, err := s.exec(tx, `UPDATE email_addresses SET alias_of = ?, tags = ?, modified_at = ? WHERE instance_id = ? AND id = ?`,
				e.AliasOf, jsonOrNil(e.Tags), ms(e.ModifiedAt), instanceID, e.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fault.NotFoundf("EmailAddress", "email address %s not found", e.ID)
			}
		}
		return s.putIdem(tx, idem)
	})
}

// ModifyTags implements connect.Store.
func (s *Store) ModifyTags(ctx context.Context, ref connect.ResourceRef, fn func(map[string]string) (map[string]string, error)) error {
	var sel, upd, what string
	var args []any
	switch ref.Type {
	case connect.ResourceInstance:
		sel, upd, what = `SELECT tags FROM instances WHERE id = ?`, `UPDATE instances SET tags = ? WHERE id = ?`, "Instance"
		args = []any{ref.ID}
	case connect.ResourceEmailAddress:
		sel, upd, what = `SELECT tags FROM email_addresses WHERE id = ? AND instance_id = ?`, `UPDATE email_addresses SET tags = ? WHERE id = ? AND instance_id = ?`, "EmailAddress"
		args = []any{ref.ID, ref.InstanceID}
	case connect.ResourceFile:
		sel, upd, what = `SELECT tags FROM attached_files WHERE id = ? AND instance_id = ?`, `UPDATE attached_files SET tags = ? WHERE id = ? AND instance_id = ?`, "File"
		args = []any{ref.ID, ref.InstanceID}
	default:
		return fault.New(fault.Invalid, "resources of type %s cannot be tagged through ModifyTags", ref.Type)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var raw sql.NullString
		err := s.queryRow(tx, sel, args...).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFoundf(what, "%s %s not found", what, ref.ID)
		}
		if err != nil {
			return err
		}
		tags := map[string]string{}
		if raw.Valid {
			_ = json.Unmarshal([]byte(raw.String), &tags)
		}
		out, err := fn(tags)
		if err != nil {
			return err
		}
		_, err = s.exec(tx, upd, append([]any{jsonOrNil(out)}, args...)...)
		return err
	})
}

// ---- attached files ----

const fileCols = `id, instance_id, arn, resource_arn, name, size, use_case, content_type, status, created_at, created_by_user, created_by_identity, tags, data IS NOT NULL`

func scanFile(row rowScanner) (*connect.File, error) {
	var f connect.File
	var created int64
	var tags sql.NullString
	if err := row.Scan(&f.ID, &f.InstanceID, &f.ARN, &f.AssociatedResourceARN, &f.Name, &f.Size, &f.UseCase, &f.ContentType, &f.Status,
		&created, &f.CreatedBy.ConnectUserArn, &f.CreatedBy.AWSIdentityArn, &tags, &f.Uploaded); err != nil {
		return nil, err
	}
	f.CreatedAt = fromMS(created)
	if tags.Valid {
		_ = json.Unmarshal([]byte(tags.String), &f.Tags)
	}
	return &f, nil
}

// CreateFile implements connect.Store.
func (s *Store) CreateFile(ctx context.Context, f *connect.File, limits connect.FileLimits, idem *connect.Idem) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, idem); err != nil {
			return err
		}
		var n int
		var total int64
		if err := s.queryRow(tx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM attached_files WHERE instance_id = ? AND resource_arn = ?`,
			f.InstanceID, f.AssociatedResourceARN).Scan(&n, &total); err != nil {
			return err
		}
		if limits.MaxCount > 0 && n+1 > limits.MaxCount {
			return connect.FileQuotaError(connect.ReasonTotalFileCountExceeded, "The resource already has the maximum number of attached files")
		}
		if limits.MaxTotalBytes > 0 && total+f.Size > limits.MaxTotalBytes {
			return connect.FileQuotaError(connect.ReasonTotalFileSizeExceeded, "The total size of the resource's attached files would exceed the quota")
		}
		if _, err := s.exec(tx, `INSERT INTO attached_files(id, instance_id, arn, resource_arn, name, size, use_case, content_type, status, created_at, created_by_user, created_by_identity, tags)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			f.ID, f.InstanceID, f.ARN, f.AssociatedResourceARN, f.Name, f.Size, f.UseCase, f.ContentType, f.Status, ms(f.CreatedAt),
			f.CreatedBy.ConnectUserArn, f.CreatedBy.AWSIdentityArn, jsonOrNil(f.Tags)); err != nil {
			return err
		}
		// Files are only removed with their instance, so once there is one
		// the table counts as occupied until the next start.
		s.occ.mark(tableFiles, true)
		return s.putIdem(tx, idem)
	})
}

// GetFile implements connect.Store.
func (s *Store) GetFile(ctx context.Context, instanceID, id string) (*connect.File, error) {
	f, err := scanFile(s.readRow(ctx, `SELECT `+fileCols+` FROM attached_files WHERE instance_id = ? AND id = ?`, instanceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("File", "file %s not found", id)
	}
	return f, err
}

// ListFiles implements connect.Store.
func (s *Store) ListFiles(ctx context.Context, instanceID, associatedARN string) ([]*connect.File, error) {
	if !s.occ.has(tableFiles) {
		return nil, nil
	}
	rows, err := s.read(ctx, `SELECT `+fileCols+` FROM attached_files WHERE instance_id = ? AND resource_arn = ? ORDER BY created_at, id`, instanceID, associatedARN)
	return collect(rows, err, scanFile)
}

// PutFileData implements connect.Store.
func (s *Store) PutFileData(ctx context.Context, instanceID, id string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := s.queryRow(tx, `SELECT status FROM attached_files WHERE instance_id = ? AND id = ?`, instanceID, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFoundf("File", "file %s not found", id)
		}
		if err != nil {
			return err
		}
		if status != connect.FileProcessing {
			return fault.New(fault.Conflict, "file %s is %s; its upload is complete", id, status)
		}
		_, err = s.exec(tx, `UPDATE attached_files SET data = ? WHERE instance_id = ? AND id = ?`, data, instanceID, id)
		return err
	})
}

// FileData implements connect.Store.
func (s *Store) FileData(ctx context.Context, instanceID, id string) ([]byte, error) {
	var data []byte
	err := s.readRow(ctx, `SELECT data FROM attached_files WHERE instance_id = ? AND id = ? AND data IS NOT NULL`, instanceID, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("File", "no data for file %s", id)
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// SetFileStatus implements connect.Store.
func (s *Store) SetFileStatus(ctx context.Context, instanceID, id, from, to string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `UPDATE attached_files SET status = ? WHERE instance_id = ? AND id = ? AND status = ?`, to, instanceID, id, from)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var status string
		err = s.queryRow(tx, `SELECT status FROM attached_files WHERE instance_id = ? AND id = ?`, instanceID, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFoundf("File", "file %s not found", id)
		}
		if err != nil {
			return err
		}
		return fault.New(fault.Conflict, "file %s is %s, not %s", id, status, from)
	})
}

// ---- queue email addresses ----

func queryQueueLinks(ctx context.Context, q querier, instanceID, queueID string) ([]connect.QueueEmailAddress, error) {
	// The join hides links to email addresses that were deleted.
	query := `SELECT q.instance_id, q.queue_id, q.email_address_id, q.is_default, q.modified_at FROM queue_email_addresses q
 JOIN email_addresses e ON e.id = q.email_address_id AND e.instance_id = q.instance_id WHERE q.instance_id = ?`
	args := []any{instanceID}
	if queueID != "" {
		query += ` AND q.queue_id = ?`
		args = append(args, queueID)
	}
	query += ` ORDER BY q.queue_id, q.pos`
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []connect.QueueEmailAddress
	for rows.Next() {
		var l connect.QueueEmailAddress
		var mod int64
		if err := rows.Scan(&l.InstanceID, &l.QueueID, &l.EmailAddressID, &l.Default, &mod); err != nil {
			return nil, err
		}
		l.ModifiedAt = fromMS(mod)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ModifyQueueEmailAddresses implements connect.Store.
func (s *Store) ModifyQueueEmailAddresses(ctx context.Context, instanceID, queueID string, fn func([]connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := queryQueueLinks(ctx, s.txReads(tx), instanceID, queueID)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if _, err := s.exec(tx, `DELETE FROM queue_email_addresses WHERE instance_id = ? AND queue_id = ?`, instanceID, queueID); err != nil {
			return err
		}
		for i, l := range next {
			if _, err := s.exec(tx, `INSERT INTO queue_email_addresses(instance_id, queue_id, email_address_id, pos, is_default, modified_at) VALUES (?,?,?,?,?,?)`,
				instanceID, queueID, l.EmailAddressID, i, l.Default, ms(l.ModifiedAt)); err != nil {
				if isUnique(err) {
					return fault.New(fault.Invalid, "email address %s is listed twice", l.EmailAddressID)
				}
				return err
			}
		}
		return nil
	})
}

// ListQueueEmailAddresses implements connect.Store.
func (s *Store) ListQueueEmailAddresses(ctx context.Context, instanceID, queueID string) ([]connect.QueueEmailAddress, error) {
	return queryQueueLinks(ctx, s.cachedReads(), instanceID, queueID)
}
