package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

var _ connect.Store = (*Store)(nil)

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// jsonOrNil encodes v for a nullable JSON column: NULL for nil pointers and
// nil or empty maps and slices; raw JSON is kept as written.
func jsonOrNil(v any) any {
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 {
			return nil
		}
		return string(raw)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if rv.IsNil() || rv.Kind() != reflect.Pointer && rv.Len() == 0 {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return string(b)
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// checkIdem looks up an idempotency record inside tx.
func (s *Store) checkIdem(tx *sql.Tx, idem *connect.Idem) error {
	if idem == nil {
		return nil
	}
	var hash string
	var resp []byte
	err := s.queryRow(tx, `SELECT hash, response FROM idempotency WHERE op = ? AND token = ?`, idem.Op, idem.Token).Scan(&hash, &resp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if hash != idem.Hash {
		return fault.New(fault.Idempotency, "The ClientToken %s was already used with different request parameters", idem.Token)
	}
	return &connect.Replayed{Response: resp}
}

func (s *Store) putIdem(tx *sql.Tx, idem *connect.Idem) error {
	if idem == nil {
		return nil
	}
	_, err := s.exec(tx, `INSERT INTO idempotency(op, token, hash, response, created_at) VALUES (?,?,?,?,?)`,
		idem.Op, idem.Token, idem.Hash, idem.Response, time.Now().UnixMilli())
	return err
}

// ---- instances ----

// CreateInstance implements connect.Store.
func (s *Store) CreateInstance(ctx context.Context, in *connect.Instance, idem *connect.Idem) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, idem); err != nil {
			return err
		}
		_, err := s.exec(tx, `INSERT INTO instances(id, arn, alias, identity_type, directory_id, inbound, outbound, status, created_at, tags) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			in.ID, in.ARN, in.Alias, in.IdentityManagementType, in.DirectoryID, in.InboundCallsEnabled, in.OutboundCallsEnabled, in.Status, ms(in.CreatedAt), jsonOrNil(in.Tags))
		if isUnique(err) {
			return fault.New(fault.Duplicate, "Instance alias %s is already in use", in.Alias)
		}
		if err != nil {
			return err
		}
		return s.putIdem(tx, idem)
	})
}

const instanceCols = `id, arn, alias, identity_type, directory_id, inbound, outbound, status, created_at, tags`

func scanInstance(row rowScanner) (*connect.Instance, error) {
	var in connect.Instance
	var created int64
	var tags sql.NullString
	if err := row.Scan(&in.ID, &in.ARN, &in.Alias, &in.IdentityManagementType, &in.DirectoryID, &in.InboundCallsEnabled, &in.OutboundCallsEnabled, &in.Status, &created, &tags); err != nil {
		return nil, err
	}
	in.CreatedAt = fromMS(created)
	if tags.Valid {
		_ = json.Unmarshal([]byte(tags.String), &in.Tags)
	}
	return &in, nil
}

// GetInstance implements connect.Store.
func (s *Store) GetInstance(ctx context.Context, id string) (*connect.Instance, error) {
	in, err := scanInstance(s.readRow(ctx, `SELECT `+instanceCols+` FROM instances WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("Instance", "instance %s not found", id)
	}
	return in, err
}

// ListInstances implements connect.Store.
func (s *Store) ListInstances(ctx context.Context, after string, limit int) ([]*connect.Instance, error) {
	rows, err := s.read(ctx, `SELECT `+instanceCols+` FROM instances WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	return collect(rows, err, scanInstance)
}

// DeleteInstance implements connect.Store.
func (s *Store) DeleteInstance(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM jobs WHERE instance_id = ?`,
			`DELETE FROM messages WHERE contact_id IN (SELECT id FROM contacts WHERE instance_id = ?)`,
			`DELETE FROM attempts WHERE contact_id IN (SELECT id FROM contacts WHERE instance_id = ?)`,
			`DELETE FROM events WHERE instance_id = ?`,
		} {
			if _, err := s.exec(tx, q, id); err != nil {
				return err
			}
		}
		res, err := s.exec(tx, `DELETE FROM instances WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf("Instance", "instance %s not found", id)
		}
		return nil
	})
}

// ---- email addresses ----

const emailCols = `id, instance_id, arn, address, display_name, description, alias_of, created_at, modified_at, tags`

func scanEmail(row rowScanner) (*connect.EmailAddress, error) {
	var e connect.EmailAddress
	var c, m int64
	var tags sql.NullString
	if err := row.Scan(&e.ID, &e.InstanceID, &e.ARN, &e.Address, &e.DisplayName, &e.Description, &e.AliasOf, &c, &m, &tags); err != nil {
		return nil, err
	}
	e.CreatedAt, e.ModifiedAt = fromMS(c), fromMS(m)
	if tags.Valid {
		_ = json.Unmarshal([]byte(tags.String), &e.Tags)
	}
	return &e, nil
}

// CreateEmailAddress implements connect.Store.
func (s *Store) CreateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := s.exec(tx, `INSERT INTO email_addresses(`+emailCols+`, address_lc) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
			e.ID, e.InstanceID, e.ARN, e.Address, e.DisplayName, e.Description, e.AliasOf, ms(e.CreatedAt), ms(e.ModifiedAt), jsonOrNil(e.Tags), strings.ToLower(e.Address))
		if isUnique(err) {
			return fault.New(fault.Duplicate, "email address %s exists", e.Address)
		}
		return err
	})
}

// GetEmailAddress implements connect.Store.
func (s *Store) GetEmailAddress(ctx context.Context, instanceID, id string) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.readRow(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = ? AND id = ?`, instanceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("EmailAddress", "email address %s not found", id)
	}
	return e, err
}

// FindEmailAddress implements connect.Store.
func (s *Store) FindEmailAddress(ctx context.Context, instanceID, address string) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.readRow(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = ? AND address_lc = ?`, instanceID, strings.ToLower(address)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("EmailAddress", "email address %s not found", address)
	}
	return e, err
}

// ListEmailAddresses implements connect.Store.
func (s *Store) ListEmailAddresses(ctx context.Context, instanceID string) ([]*connect.EmailAddress, error) {
	rows, err := s.read(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = ? ORDER BY created_at, id`, instanceID)
	return collect(rows, err, scanEmail)
}

// UpdateEmailAddress implements connect.Store.
func (s *Store) UpdateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `UPDATE email_addresses SET display_name = ?, description = ?, alias_of = ?, modified_at = ?, tags = ? WHERE instance_id = ? AND id = ?`,
			e.DisplayName, e.Description, e.AliasOf, ms(e.ModifiedAt), jsonOrNil(e.Tags), e.InstanceID, e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf("EmailAddress", "email address %s not found", e.ID)
		}
		return nil
	})
}

// DeleteEmailAddress implements connect.Store.
func (s *Store) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `DELETE FROM email_addresses WHERE instance_id = ? AND id = ?`, instanceID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.NotFoundf("EmailAddress", "email address %s not found", id)
		}
		_, err = s.exec(tx, `UPDATE email_addresses SET alias_of = '' WHERE instance_id = ? AND alias_of = ?`, instanceID, id)
		return err
	})
}

// ---- contacts ----

const contactCols = `seq, id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags`

func scanContact(row rowScanner) (*connect.Contact, int64, error) {
	var c connect.Contact
	var seq, ini, upd, disc int64
	var attrs, refs, seg, toList, cc, notInt, tags sql.NullString
	var state string
	err := row.Scan(&seq, &c.ID, &c.InstanceID, &c.ARN, &c.Channel, &c.InitiationMethod, &c.RelatedContactID, &c.PreviousContactID, &c.InitialContactID,
		&c.Name, &c.Description, &c.AgentID, &attrs, &refs, &seg, &c.ExpiryMinutes, &state, &ini, &upd, &disc, &c.DisconnectReason,
		&c.From.Address, &c.From.DisplayName, &c.To.Address, &c.To.DisplayName, &toList, &cc, &c.Subject, &c.MessageID, &c.Source, &c.TemplateRef, &notInt, &tags)
	if err != nil {
		return nil, 0, err
	}
	c.State = connect.State(state)
	c.InitiatedAt, c.UpdatedAt, c.DisconnectedAt = fromMS(ini), fromMS(upd), fromMS(disc)
	if attrs.Valid {
		_ = json.Unmarshal([]byte(attrs.String), &c.Attributes)
	}
	if refs.Valid {
		c.References = json.RawMessage(refs.String)
	}
	if seg.Valid {
		c.SegmentAttributes = json.RawMessage(seg.String)
	}
	if toList.Valid {
		_ = json.Unmarshal([]byte(toList.String), &c.ToList)
	}
	if cc.Valid {
		_ = json.Unmarshal([]byte(cc.String), &c.Cc)
	}
	if notInt.Valid {
		_ = json.Unmarshal([]byte(notInt.String), &c.NotInterpolated)
	}
	if tags.Valid {
		_ = json.Unmarshal([]byte(tags.String), &c.Tags)
	}
	return &c, seq, nil
}

func (s *Store) insertEvents(tx *sql.Tx, evs []connect.Event) error {
	if len(evs) == 0 {
		return nil
	}
	// One statement for all of them: rowids of one INSERT are consecutive
	// (INTEGER PRIMARY KEY takes max+1 per row), so the ids follow from the last.
	q := `INSERT INTO events(contact_id, instance_id, type, time, detail) VALUES (?,?,?,?,?)` + strings.Repeat(`,(?,?,?,?,?)`, len(evs)-1)
	args := make([]any, 0, 5*len(evs))
	for i := range evs {
		e := &evs[i]
		args = append(args, e.ContactID, e.InstanceID, e.Type, ms(e.Time), jsonOrNil(e.Detail))
	}
	res, err := s.exec(tx, q, args...)
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i := range evs {
		evs[i].ID = last - int64(len(evs)-1-i)
	}
	return nil
}

// CreateContact implements connect.Store.
func (s *Store) CreateContact(ctx context.Context, c *connect.Contact, events []connect.Event, idem *connect.Idem) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, idem); err != nil {
			return err
		}
		_, err := s.exec(tx, `INSERT INTO contacts(id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.ID, c.InstanceID, c.ARN, c.Channel, c.InitiationMethod, c.RelatedContactID, c.PreviousContactID, c.InitialContactID, c.Name, c.Description, c.AgentID,
			jsonOrNil(c.Attributes), jsonOrNil(c.References), jsonOrNil(c.SegmentAttributes), c.ExpiryMinutes, string(c.State), ms(c.InitiatedAt), ms(c.UpdatedAt), ms(c.DisconnectedAt), c.DisconnectReason,
			c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, jsonOrNil(c.ToList), jsonOrNil(c.Cc), c.Subject, c.MessageID, c.Source, c.TemplateRef, jsonOrNil(c.NotInterpolated), jsonOrNil(c.Tags))
		if err != nil {
			return err
		}
		if err := s.insertEvents(tx, events); err != nil {
			return err
		}
		return s.putIdem(tx, idem)
	})
}

// GetContact implements connect.Store.
func (s *Store) GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error) {
	c, _, err := scanContact(s.readRow(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = ? AND (? = '' OR instance_id = ?)`, id, instanceID, instanceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("Contact", "contact %s not found", id)
	}
	return c, err
}

func (s *Store) updateContact(tx *sql.Tx, c *connect.Contact, expect connect.State) (bool, error) {
	res, err := s.exec(tx, `UPDATE contacts SET attributes = ?, state = ?, updated_at = ?, disconnected_at = ?, disconnect_reason = ?,
 from_addr = ?, from_name = ?, to_addr = ?, to_name = ?, to_list = ?, cc = ?, subject = ?, message_id = ?, source = ?, template_ref = ?, not_interpolated = ?, tags = ?
 WHERE id = ? AND state = ?`,
		jsonOrNil(c.Attributes), string(c.State), ms(c.UpdatedAt), ms(c.DisconnectedAt), c.DisconnectReason,
		c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, jsonOrNil(c.ToList), jsonOrNil(c.Cc), c.Subject, c.MessageID, c.Source, c.TemplateRef, jsonOrNil(c.NotInterpolated), jsonOrNil(c.Tags),
		c.ID, string(expect))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UpdateContact implements connect.Store.
func (s *Store) UpdateContact(ctx context.Context, c *connect.Contact, expect connect.State, events []connect.Event) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ok, err := s.updateContact(tx, c, expect)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.Conflict, "contact %s is no longer %s", c.ID, expect)
		}
		if c.State.Terminal() {
			if _, err := s.exec(tx, `DELETE FROM jobs WHERE contact_id = ?`, c.ID); err != nil {
				return err
			}
		}
		return s.insertEvents(tx, events)
	})
}

// StartOutbound implements connect.Store.
func (s *Store) StartOutbound(ctx context.Context, o *connect.Outbound) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.checkIdem(tx, o.Idem); err != nil {
			return err
		}
		if o.Message.Raw == nil {
			return fault.New(fault.Conflict, "contact %s was already started", o.Contact.ID)
		}
		ok, err := s.updateContact(tx, o.Contact, connect.StateCreated)
		if err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.Conflict, "contact %s was already started", o.Contact.ID)
		}
		rcpts, _ := json.Marshal(o.Message.Recipients)
		if _, err := s.exec(tx, `INSERT INTO messages(contact_id, envelope_from, recipients, raw) VALUES (?,?,?,?)`,
			o.Contact.ID, o.Message.EnvelopeFrom, string(rcpts), o.Message.Raw); err != nil {
			return err
		}
		if err := s.insertJob(tx, o); err != nil {
			return err
		}
		if err := s.insertEvents(tx, o.Events); err != nil {
			return err
		}
		return s.putIdem(tx, o.Idem)
	})
}

// insertJob queues the delivery job of o: due now, or, with o.LeaseUntil,
// already leased to this process as attempt 1.
func (s *Store) insertJob(tx *sql.Tx, o *connect.Outbound) error {
	now := ms(o.Contact.UpdatedAt)
	var err error
	if o.LeaseUntil.IsZero() {
		_, err = s.exec(tx, `INSERT INTO jobs(contact_id, instance_id, attempts, next_at, created_at) VALUES (?,?,0,?,?)`,
			o.Contact.ID, o.Contact.InstanceID, now, now)
	} else {
		_, err = s.exec(tx, `INSERT INTO jobs(contact_id, instance_id, attempts, next_at, leased, created_at) VALUES (?,?,1,?,1,?)`,
			o.Contact.ID, o.Contact.InstanceID, ms(o.LeaseUntil), now)
	}
	return err
}

// ListContacts implements connect.Store.
func (s *Store) ListContacts(ctx context.Context, f connect.ContactFilter) (*connect.ContactPage, error) {
	var where []string
	var args []any
	if f.InstanceID != "" {
		where = append(where, "instance_id = ?")
		args = append(args, f.InstanceID)
	}
	if f.State != "" {
		where = append(where, "state = ?")
		args = append(args, string(f.State))
	}
	if f.Address != "" {
		where = append(where, "(to_addr = ? COLLATE NOCASE OR from_addr = ? COLLATE NOCASE)")
		args = append(args, f.Address, f.Address)
	}
	if f.Customer != "" {
		// The rule of connect.Contact.Customer.
		where = append(where, "CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END = ? COLLATE NOCASE")
		args = append(args, f.Customer)
	}
	if f.RelatedContactID != "" {
		where = append(where, "related_id = ? AND related_id <> ''")
		args = append(args, f.RelatedContactID)
	}
	if f.Query != "" {
		where = append(where, "(subject LIKE ? OR to_addr LIKE ? OR from_addr LIKE ? OR id = ?)")
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(f.Query) + "%"
		args = append(args, like, like, like, f.Query)
	}
	if f.Before != "" {
		where = append(where, "seq < (SELECT seq FROM contacts WHERE id = ?)")
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + contactCols + ` FROM contacts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.read(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &connect.ContactPage{}
	for rows.Next() {
		c, _, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		page.Contacts = append(page.Contacts, c)
	}
	if len(page.Contacts) > limit {
		page.Contacts = page.Contacts[:limit]
		page.Next = page.Contacts[limit-1].ID
	}
	return page, rows.Err()
}

// GetMessage implements connect.Store.
func (s *Store) GetMessage(ctx context.Context, contactID string) (*connect.Message, error) {
	m := &connect.Message{ContactID: contactID}
	var rcpts string
	err := s.readRow(ctx, `SELECT m.envelope_from, m.recipients, m.raw, c.instance_id FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.contact_id = ?`, contactID).
		Scan(&m.EnvelopeFrom, &rcpts, &m.Raw, &m.InstanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFoundf("Message", "no message for contact %s", contactID)
	}
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(rcpts), &m.Recipients)
	return m, nil
}

// ListEvents implements connect.Store.
func (s *Store) ListEvents(ctx context.Context, contactID string) ([]connect.Event, error) {
	rows, err := s.read(ctx, `SELECT id, contact_id, instance_id, type, time, detail FROM events WHERE contact_id = ? ORDER BY id`, contactID)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// scanEvents reads event rows (id, contact_id, instance_id, type, time, detail) and closes them.
func scanEvents(rows *sql.Rows) ([]connect.Event, error) {
	defer rows.Close()
	var out []connect.Event
	for rows.Next() {
		var e connect.Event
		var t int64
		var d sql.NullString
		if err := rows.Scan(&e.ID, &e.ContactID, &e.InstanceID, &e.Type, &t, &d); err != nil {
			return nil, err
		}
		e.Time = fromMS(t)
		if d.Valid {
			e.Detail = json.RawMessage(d.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListAttempts implements connect.Store.
func (s *Store) ListAttempts(ctx context.Context, contactID string) ([]connect.Attempt, error) {
	rows, err := s.read(ctx, `SELECT contact_id, n, started_at, finished_at, outcome, code, detail, class FROM attempts WHERE contact_id = ? ORDER BY n`, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []connect.Attempt
	for rows.Next() {
		var a connect.Attempt
		var st, fin int64
		if err := rows.Scan(&a.ContactID, &a.N, &st, &fin, &a.Outcome, &a.Code, &a.Detail, &a.Class); err != nil {
			return nil, err
		}
		a.StartedAt, a.FinishedAt = fromMS(st), fromMS(fin)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- delivery jobs ----

// ClaimJobs implements connect.Store.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*connect.Job, error) {
	var jobs []*connect.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		rows, err := s.query(tx, `UPDATE jobs SET next_at = ?, attempts = attempts + 1, leased = 1
 WHERE contact_id IN (SELECT contact_id FROM jobs WHERE next_at <= ? ORDER BY next_at LIMIT ?)
 RETURNING contact_id, instance_id, attempts, created_at`, ms(now.Add(lease)), ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			j := &connect.Job{}
			var created int64
			if err := rows.Scan(&j.ContactID, &j.InstanceID, &j.Attempts, &created); err != nil {
				rows.Close()
				return err
			}
			j.CreatedAt = fromMS(created)
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		// The messages of all claimed jobs in one query.
		byID := make(map[string]*connect.Job, len(jobs))
		args := make([]any, 0, len(jobs))
		for _, j := range jobs {
			byID[j.ContactID] = j
			args = append(args, j.ContactID)
		}
		rows, err = s.query(tx, `SELECT contact_id, envelope_from, recipients, raw FROM messages WHERE contact_id IN (?`+strings.Repeat(",?", len(jobs)-1)+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		found := 0
		for rows.Next() {
			var id, rcpts string
			var m connect.Message
			if err := rows.Scan(&id, &m.EnvelopeFrom, &rcpts, &m.Raw); err != nil {
				return err
			}
			j := byID[id]
			if j == nil {
				continue
			}
			m.ContactID, m.InstanceID = j.ContactID, j.InstanceID
			_ = json.Unmarshal([]byte(rcpts), &m.Recipients)
			j.Message = m
			found++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if found != len(jobs) {
			return fmt.Errorf("claimed %d delivery jobs but found %d of their messages", len(jobs), found)
		}
		return nil
	})
	return jobs, err
}

// NextJobAt implements connect.Store.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullInt64
	if err := s.readRow(ctx, `SELECT MIN(next_at) FROM jobs`).Scan(&t); err != nil {
		return time.Time{}, false, err
	}
	if !t.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(t.Int64), true, nil
}

// FinishAttempts implements connect.Store.
func (s *Store) FinishAttempts(ctx context.Context, outs []connect.Outcome) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for i := range outs {
			o := &outs[i]
			// The job must still be ours: not stopped, and not re-leased by
			// another worker after our lease expired (attempts is the lease token).
			a := o.Attempt
			var res sql.Result
			var err error
			if o.Final {
				res, err = s.exec(tx, `DELETE FROM jobs WHERE contact_id = ? AND attempts = ?`, o.Job.ContactID, o.Job.Attempts)
			} else {
				res, err = s.exec(tx, `UPDATE jobs SET next_at = ?, leased = 0 WHERE contact_id = ? AND attempts = ?`, ms(o.RetryAt), o.Job.ContactID, o.Job.Attempts)
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				o.Events = nil
				continue
			}
			if _, err := s.exec(tx, `INSERT OR REPLACE INTO attempts(contact_id, n, started_at, finished_at, outcome, code, detail, class) VALUES (?,?,?,?,?,?,?,?)`,
				a.ContactID, a.N, ms(a.StartedAt), ms(a.FinishedAt), a.Outcome, a.Code, a.Detail, a.Class); err != nil {
				return err
			}
			if len(o.Raw) > 0 {
				if _, err := s.exec(tx, `UPDATE messages SET raw = ? WHERE contact_id = ?`, o.Raw, o.Job.ContactID); err != nil {
					return err
				}
			}
			if o.Final {
				fin := ms(a.FinishedAt)
				if _, err := s.exec(tx, `UPDATE contacts SET state = ?, disconnect_reason = ?, disconnected_at = ?, updated_at = ? WHERE id = ? AND state = 'QUEUED'`,
					string(o.State), o.Reason, fin, fin, o.Job.ContactID); err != nil {
					return err
				}
			}
			if err := s.insertEvents(tx, o.Events); err != nil {
				return err
			}
		}
		return nil
	})
}

// QueueDepth implements connect.Store.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := s.readRow(ctx, `SELECT COUNT(*) FROM jobs`).Scan(&n)
	return n, err
}

// ReleaseLeases makes every leased job due now. SQLite has a single process
// per database, so at start-up every lease belongs to a process that is gone.
func (s *Store) ReleaseLeases(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(tx, `UPDATE jobs SET next_at = ?, leased = 0 WHERE leased = 1`, ms(now))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
