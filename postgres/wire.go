package postgres

import (
	"context"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// This file implements the Store methods of the email surface beyond the
// spine: contacts created with their message, read-modify-write of contacts,
// email addresses and tags, attached files and queue email addresses. The
// read-modify-write methods lock what they read (FOR UPDATE, or an advisory
// lock for sets of rows), so concurrent changes on any nodes serialize. A
// transaction that PostgreSQL aborts as a deadlock victim is run again, so
// their fn may be called more than once; it must only compute.

// CreateContactMessage implements connect.Store.
func (s *Store) CreateContactMessage(ctx context.Context, o *connect.Outbound, queue bool) error {
	c := o.Contact
	err := s.tx(ctx, func(t *txn) error {
		tok := t.reserve(s.node, len(o.Events))
		b := &pgx.Batch{}
		queueConnectIdem(b, o.Idem)
		queueInsertContact(b, c)
		b.Queue(`INSERT INTO messages(contact_id, envelope_from, recipients, raw) VALUES ($1,$2,$3,$4)`,
			c.ID, o.Message.EnvelopeFrom, jsonList(o.Message.Recipients), o.Message.Raw)
		if queue {
			s.queueJob(t, b, o)
		}
		s.queueEvents(t, b, tok, o.Events)
		return t.commit(b)
	})
	if isUnique(err) {
		return fault.New(fault.Duplicate, "contact %s exists", c.ID)
	}
	return s.idemResult(ctx, err, o.Idem)
}

// ModifyContact implements connect.Store.
func (s *Store) ModifyContact(ctx context.Context, instanceID, id string, fn func(c *connect.Contact) ([]connect.Event, error)) error {
	return s.tx(ctx, func(t *txn) error {
		// fn decides the events after the contact is read, but ids are
		// reserved before the transaction begins: reserve a few (unused ones
		// are gaps), and more on the side in the rare case fn needs them.
		tok := t.reserve(s.node, modifyContactIDs)
		var c *connect.Contact
		b := &pgx.Batch{}
		b.Queue(`SELECT `+contactCols+` FROM contacts WHERE id = $1 AND instance_id = $2 FOR UPDATE`, id, instanceID).QueryRow(func(row pgx.Row) error {
			var err error
			c, err = scanContact(row)
			if notFound(err) {
				return fault.NotFoundf("Contact", "contact %s not found", id)
			}
			return err
		})
		if err := t.send(b); err != nil {
			return err
		}
		evs, err := fn(c)
		if err != nil {
			return err
		}
		if len(evs) > modifyContactIDs {
			more, err := s.reserveNow(ctx, len(evs))
			if err != nil {
				return err
			}
			b = &pgx.Batch{}
			b.Queue(`DELETE FROM event_reservations WHERE token = $1`, tok)
			tok = more
			t.reservation = more
		} else {
			b = &pgx.Batch{}
		}
		b.Queue(`UPDATE contacts SET attributes = $1, tags = $2, updated_at = $3 WHERE id = $4`,
			jsonOrNil(c.Attributes), jsonOrNil(c.Tags), tm(c.UpdatedAt), c.ID)
		s.queueEvents(t, b, tok, evs)
		return t.commit(b)
	})
}

// modifyContactIDs is how many event ids ModifyContact reserves up front.
const modifyContactIDs = 2

// reserveNow reserves n event ids in a transaction of its own on another
// connection, for a transaction that learns how many events it adds only
// after it has begun; see txn.reserve.
func (s *Store) reserveNow(ctx context.Context, n int) (string, error) {
	if n == 0 {
		return "", nil
	}
	var tok string
	err := s.tx(ctx, func(t *txn) error {
		tok = t.reserve(s.node, n)
		return t.commit(nil)
	})
	return tok, err
}

// ModifyEmailAddresses implements connect.Store.
func (s *Store) ModifyEmailAddresses(ctx context.Context, instanceID string, idem *connect.Idem, fn func(all []*connect.EmailAddress) ([]*connect.EmailAddress, error)) error {
	err := s.tx(ctx, func(t *txn) error {
		var all []*connect.EmailAddress
		b := &pgx.Batch{}
		queueConnectIdem(b, idem)
		b.Queue(`SELECT `+emailCols+` FROM email_addresses WHERE instance_id = $1 ORDER BY created_at, id FOR UPDATE`, instanceID).Query(func(rows pgx.Rows) error {
			var err error
			all, err = collect(rows, scanEmail)
			return err
		})
		if err := t.send(b); err != nil {
			return err
		}
		changed, err := fn(all)
		if err != nil {
			return err
		}
		b = &pgx.Batch{}
		for _, e := range changed {
			b.Queue(`UPDATE email_addresses SET alias_of = $1, tags = $2, modified_at = $3 WHERE instance_id = $4 AND id = $5`,
				e.AliasOf, jsonOrNil(e.Tags), tm(e.ModifiedAt), instanceID, e.ID).Exec(func(tag pgconn.CommandTag) error {
				if tag.RowsAffected() == 0 {
					return fault.NotFoundf("EmailAddress", "email address %s not found", e.ID)
				}
				return nil
			})
		}
		return t.commit(b)
	})
	return s.idemResult(ctx, err, idem)
}

// ModifyTags implements connect.Store.
func (s *Store) ModifyTags(ctx context.Context, ref connect.ResourceRef, fn func(map[string]string) (map[string]string, error)) error {
	var sel, upd, what string
	var args []any
	switch ref.Type {
	case connect.ResourceInstance:
		sel, upd, what = `SELECT tags FROM instances WHERE id = $1 FOR UPDATE`, `UPDATE instances SET tags = $1 WHERE id = $2`, "Instance"
		args = []any{ref.ID}
	case connect.ResourceEmailAddress:
		sel, upd, what = `SELECT tags FROM email_addresses WHERE id = $1 AND instance_id = $2 FOR UPDATE`, `UPDATE email_addresses SET tags = $1 WHERE id = $2 AND instance_id = $3`, "EmailAddress"
		args = []any{ref.ID, ref.InstanceID}
	case connect.ResourceFile:
		sel, upd, what = `SELECT tags FROM attached_files WHERE id = $1 AND instance_id = $2 FOR UPDATE`, `UPDATE attached_files SET tags = $1 WHERE id = $2 AND instance_id = $3`, "File"
		args = []any{ref.ID, ref.InstanceID}
	default:
		return fault.New(fault.Invalid, "resources of type %s cannot be tagged through ModifyTags", ref.Type)
	}
	return s.tx(ctx, func(t *txn) error {
		var raw []byte
		err := t.QueryRow(ctx, sel, args...).Scan(&raw)
		if notFound(err) {
			return fault.NotFoundf(what, "%s %s not found", what, ref.ID)
		}
		if err != nil {
			return err
		}
		tags := map[string]string{}
		unmarshal(raw, &tags)
		out, err := fn(tags)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(upd, append([]any{jsonOrNil(out)}, args...)...)
		return t.commit(b)
	})
}

// ---- attached files ----

const fileCols = `id, instance_id, arn, resource_arn, name, size, use_case, content_type, status, created_at, created_by_user, created_by_identity, tags, data IS NOT NULL`

func scanFile(row pgx.Row) (*connect.File, error) {
	var f connect.File
	var tags []byte
	if err := row.Scan(&f.ID, &f.InstanceID, &f.ARN, &f.AssociatedResourceARN, &f.Name, &f.Size, &f.UseCase, &f.ContentType, &f.Status,
		&f.CreatedAt, &f.CreatedBy.ConnectUserArn, &f.CreatedBy.AWSIdentityArn, &tags, &f.Uploaded); err != nil {
		return nil, err
	}
	f.CreatedAt = fromTS(&f.CreatedAt)
	unmarshal(tags, &f.Tags)
	return &f, nil
}

// CreateFile implements connect.Store. Creations for one resource are
// serialized (advisory lock) so that the limits hold across nodes.
func (s *Store) CreateFile(ctx context.Context, f *connect.File, limits connect.FileLimits, idem *connect.Idem) error {
	err := s.tx(ctx, func(t *txn) error {
		var n int
		var total int64
		b := &pgx.Batch{}
		queueConnectIdem(b, idem)
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey("files:"+f.InstanceID+"\x00"+f.AssociatedResourceARN))
		b.Queue(`SELECT count(*), COALESCE(sum(size), 0)::bigint FROM attached_files WHERE instance_id = $1 AND resource_arn = $2`,
			f.InstanceID, f.AssociatedResourceARN).QueryRow(func(row pgx.Row) error { return row.Scan(&n, &total) })
		if err := t.send(b); err != nil {
			return err
		}
		if limits.MaxCount > 0 && n+1 > limits.MaxCount {
			return connect.FileQuotaError(connect.ReasonTotalFileCountExceeded, "The resource already has the maximum number of attached files")
		}
		if limits.MaxTotalBytes > 0 && total+f.Size > limits.MaxTotalBytes {
			return connect.FileQuotaError(connect.ReasonTotalFileSizeExceeded, "The total size of the resource's attached files would exceed the quota")
		}
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO attached_files(id, instance_id, arn, resource_arn, name, size, use_case, content_type, status, created_at, created_by_user, created_by_identity, tags)
 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
			f.ID, f.InstanceID, f.ARN, f.AssociatedResourceARN, f.Name, f.Size, f.UseCase, f.ContentType, f.Status, tm(f.CreatedAt),
			f.CreatedBy.ConnectUserArn, f.CreatedBy.AWSIdentityArn, jsonOrNil(f.Tags))
		return t.commit(b)
	})
	return s.idemResult(ctx, err, idem)
}

// GetFile implements connect.Store.
func (s *Store) GetFile(ctx context.Context, instanceID, id string) (*connect.File, error) {
	f, err := scanFile(s.pool.QueryRow(ctx, `SELECT `+fileCols+` FROM attached_files WHERE instance_id = $1 AND id = $2`, instanceID, id))
	if notFound(err) {
		return nil, fault.NotFoundf("File", "file %s not found", id)
	}
	return f, err
}

// ListFiles implements connect.Store.
func (s *Store) ListFiles(ctx context.Context, instanceID, associatedARN string) ([]*connect.File, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+fileCols+` FROM attached_files WHERE instance_id = $1 AND resource_arn = $2 ORDER BY created_at, id`, instanceID, associatedARN)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFile)
}

// PutFileData implements connect.Store.
func (s *Store) PutFileData(ctx context.Context, instanceID, id string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	return s.tx(ctx, func(t *txn) error {
		var status string
		err := t.QueryRow(ctx, `SELECT status FROM attached_files WHERE instance_id = $1 AND id = $2 FOR UPDATE`, instanceID, id).Scan(&status)
		if notFound(err) {
			return fault.NotFoundf("File", "file %s not found", id)
		}
		if err != nil {
			return err
		}
		if status != connect.FileProcessing {
			return fault.New(fault.Conflict, "file %s is %s; its upload is complete", id, status)
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE attached_files SET data = $1 WHERE instance_id = $2 AND id = $3`, data, instanceID, id)
		return t.commit(b)
	})
}

// FileData implements connect.Store.
func (s *Store) FileData(ctx context.Context, instanceID, id string) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM attached_files WHERE instance_id = $1 AND id = $2 AND data IS NOT NULL`, instanceID, id).Scan(&data)
	if notFound(err) {
		return nil, fault.NotFoundf("File", "no data for file %s", id)
	}
	if data == nil && err == nil {
		data = []byte{}
	}
	return data, err
}

// SetFileStatus implements connect.Store.
func (s *Store) SetFileStatus(ctx context.Context, instanceID, id, from, to string) error {
	var status *string
	err := s.pool.QueryRow(ctx, `WITH upd AS (
   UPDATE attached_files SET status = $4 WHERE instance_id = $1 AND id = $2 AND status = $3 RETURNING status)
 SELECT CASE WHEN EXISTS (SELECT 1 FROM upd) THEN $3 ELSE (SELECT status FROM attached_files WHERE instance_id = $1 AND id = $2) END`,
		instanceID, id, from, to).Scan(&status)
	switch {
	case err != nil:
		return err
	case status == nil:
		return fault.NotFoundf("File", "file %s not found", id)
	case *status != from:
		return fault.New(fault.Conflict, "file %s is %s, not %s", id, *status, from)
	}
	return nil
}

// ---- queue email addresses ----

// queueLinksQuery selects links; the join hides links to deleted email addresses.
const queueLinksQuery = `SELECT q.instance_id, q.queue_id, q.email_address_id, q.is_default, q.modified_at FROM queue_email_addresses q
 JOIN email_addresses e ON e.id = q.email_address_id AND e.instance_id = q.instance_id WHERE q.instance_id = $1`

func scanQueueLink(row pgx.Row) (connect.QueueEmailAddress, error) {
	var l connect.QueueEmailAddress
	err := row.Scan(&l.InstanceID, &l.QueueID, &l.EmailAddressID, &l.Default, &l.ModifiedAt)
	l.ModifiedAt = fromTS(&l.ModifiedAt)
	return l, err
}

// ModifyQueueEmailAddresses implements connect.Store. Changes to one queue
// are serialized (advisory lock).
func (s *Store) ModifyQueueEmailAddresses(ctx context.Context, instanceID, queueID string, fn func([]connect.QueueEmailAddress) ([]connect.QueueEmailAddress, error)) error {
	return s.tx(ctx, func(t *txn) error {
		var cur []connect.QueueEmailAddress
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, lockKey("queue:"+instanceID+"\x00"+queueID))
		b.Queue(queueLinksQuery+` AND q.queue_id = $2 ORDER BY q.pos`, instanceID, queueID).Query(func(rows pgx.Rows) error {
			var err error
			cur, err = collect(rows, scanQueueLink)
			return err
		})
		if err := t.send(b); err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		b = &pgx.Batch{}
		b.Queue(`DELETE FROM queue_email_addresses WHERE instance_id = $1 AND queue_id = $2`, instanceID, queueID)
		for i, l := range next {
			if seen[l.EmailAddressID] {
				return fault.New(fault.Invalid, "email address %s is listed twice", l.EmailAddressID)
			}
			seen[l.EmailAddressID] = true
			b.Queue(`INSERT INTO queue_email_addresses(instance_id, queue_id, email_address_id, pos, is_default, modified_at) VALUES ($1,$2,$3,$4,$5,$6)`,
				instanceID, queueID, l.EmailAddressID, i, l.Default, tm(l.ModifiedAt))
		}
		return t.commit(b)
	})
}

// ListQueueEmailAddresses implements connect.Store.
func (s *Store) ListQueueEmailAddresses(ctx context.Context, instanceID, queueID string) ([]connect.QueueEmailAddress, error) {
	q, args := queueLinksQuery, []any{instanceID}
	if queueID != "" {
		q += ` AND q.queue_id = $2`
		args = append(args, queueID)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY q.queue_id, q.pos`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanQueueLink)
}
