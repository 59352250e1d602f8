package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var _ connect.Store = (*Store)(nil)

// tm is a stored time: UTC, at the millisecond precision the SQLite store keeps.
func tm(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// tmNull is a nullable stored time: NULL for the zero time.
func tmNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return tm(t)
}

// fromTS reads a nullable time column.
func fromTS(t *time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
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

func unmarshal(b []byte, v any) {
	if len(b) > 0 {
		_ = json.Unmarshal(b, v)
	}
}

// idemConflict is the SQLSTATE connectmail_claim_idem raises when a
// committed idempotency record with the same operation and token exists.
const idemConflict = "CM001"

// queueIdem queues the claim of the idempotency row (op, token). It must be
// the transaction's first write: a concurrent transaction with the same token
// waits in it until the first one ends, then fails with idemConflict if that
// one committed.
func queueIdem(b *pgx.Batch, op, token, hash string, resp []byte) {
	if resp == nil {
		resp = []byte{}
	}
	b.Queue(`SELECT connectmail_claim_idem($1, $2, $3, $4)`, op, token, hash, resp)
}

// storedIdem reads the committed idempotency record (op, token).
func (s *Store) storedIdem(ctx context.Context, op, token string) (hash string, resp []byte, err error) {
	err = s.pool.QueryRow(ctx, `SELECT hash, response FROM idempotency WHERE op = $1 AND token = $2`, op, token).Scan(&hash, &resp)
	return hash, resp, err
}

// idemResult turns a transaction's idemConflict into *connect.Replayed (same
// request) or fault.Idempotency (another request); other errors pass.
func (s *Store) idemResult(ctx context.Context, err error, idem *connect.Idem) error {
	if idem == nil || sqlState(err) != idemConflict {
		return err
	}
	hash, resp, err := s.storedIdem(ctx, idem.Op, idem.Token)
	switch {
	case err != nil:
		return err
	case hash != idem.Hash:
		return fault.New(fault.Idempotency, "The ClientToken %s was already used with different request parameters", idem.Token)
	}
	return &connect.Replayed{Response: resp}
}

func queueConnectIdem(b *pgx.Batch, idem *connect.Idem) {
	if idem != nil {
		queueIdem(b, idem.Op, idem.Token, idem.Hash, idem.Response)
	}
}

// queueEvents appends to b the statements that add evs to the event log
// with ids from the transaction's reservation (token, from txn.reserve),
// filling in their ids, release the reservation and notify the other nodes.
// Each insert locks the reservation row first, so a reservation deleted as
// expired can no longer be used, and one in use is not deleted.
func (s *Store) queueEvents(t *txn, b *pgx.Batch, token string, evs []connect.Event) {
	if token == "" {
		return
	}
	for i := range evs {
		e := &evs[i]
		b.Queue(`INSERT INTO events(id, contact_id, instance_id, type, time, detail)
 SELECT r.first_id + $1, $2, $3, $4, $5, $6 FROM (SELECT first_id FROM event_reservations WHERE token = $7 AND first_id + $1 <= last_id FOR UPDATE) r
 RETURNING id`,
			i, e.ContactID, e.InstanceID, e.Type, tm(e.Time), jsonOrNil(e.Detail), token).QueryRow(func(r pgx.Row) error {
			err := r.Scan(&e.ID)
			if notFound(err) {
				return fault.New(fault.Internal, "the event id reservation expired before the transaction ended")
			}
			return err
		})
	}
	b.Queue(`DELETE FROM event_reservations WHERE token = $1`, token)
	if len(evs) > 0 {
		t.notify(ChannelEvents, s.node)
	}
}

// ---- instances ----

const instanceCols = `id, arn, alias, identity_type, directory_id, inbound, outbound, status, created_at, tags`

func scanInstance(row pgx.Row) (*connect.Instance, error) {
	var in connect.Instance
	var tags []byte
	if err := row.Scan(&in.ID, &in.ARN, &in.Alias, &in.IdentityManagementType, &in.DirectoryID, &in.InboundCallsEnabled, &in.OutboundCallsEnabled, &in.Status, &in.CreatedAt, &tags); err != nil {
		return nil, err
	}
	in.CreatedAt = fromTS(&in.CreatedAt)
	unmarshal(tags, &in.Tags)
	return &in, nil
}

// CreateInstance implements connect.Store.
func (s *Store) CreateInstance(ctx context.Context, in *connect.Instance, idem *connect.Idem) error {
	err := s.tx(ctx, func(t *txn) error {
		b := &pgx.Batch{}
		queueConnectIdem(b, idem)
		b.Queue(`INSERT INTO instances(`+instanceCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			in.ID, in.ARN, in.Alias, in.IdentityManagementType, in.DirectoryID, in.InboundCallsEnabled, in.OutboundCallsEnabled, in.Status, tm(in.CreatedAt), jsonOrNil(in.Tags))
		return t.commit(b)
	})
	if isUnique(err) {
		return fault.New(fault.Duplicate, "Instance alias %s is already in use", in.Alias)
	}
	return s.idemResult(ctx, err, idem)
}

// GetInstance implements connect.Store.
func (s *Store) GetInstance(ctx context.Context, id string) (*connect.Instance, error) {
	in, err := scanInstance(s.pool.QueryRow(ctx, `SELECT `+instanceCols+` FROM instances WHERE id = $1`, id))
	if notFound(err) {
		return nil, fault.NotFoundf("Instance", "instance %s not found", id)
	}
	return in, err
}

// ListInstances implements connect.Store.
func (s *Store) ListInstances(ctx context.Context, after string, limit int) ([]*connect.Instance, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+instanceCols+` FROM instances WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInstance)
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeleteInstance implements connect.Store.
func (s *Store) DeleteInstance(ctx context.Context, id string) error {
	return s.tx(ctx, func(t *txn) error {
		tag, err := t.Exec(ctx, `DELETE FROM instances WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf("Instance", "instance %s not found", id)
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM jobs WHERE instance_id = $1`, id)
		b.Queue(`DELETE FROM messages m WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = m.contact_id)`)
		b.Queue(`DELETE FROM attempts a WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = a.contact_id)`)
		b.Queue(`DELETE FROM events WHERE instance_id = $1`, id)
		return t.commit(b)
	})
}

// ---- email addresses ----

const emailCols = `id, instance_id, arn, address, display_name, description, alias_of, created_at, modified_at, tags`

func scanEmail(row pgx.Row) (*connect.EmailAddress, error) {
	var e connect.EmailAddress
	var tags []byte
	if err := row.Scan(&e.ID, &e.InstanceID, &e.ARN, &e.Address, &e.DisplayName, &e.Description, &e.AliasOf, &e.CreatedAt, &e.ModifiedAt, &tags); err != nil {
		return nil, err
	}
	e.CreatedAt, e.ModifiedAt = fromTS(&e.CreatedAt), fromTS(&e.ModifiedAt)
	unmarshal(tags, &e.Tags)
	return &e, nil
}

// CreateEmailAddress implements connect.Store.
func (s *Store) CreateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO email_addresses(`+emailCols+`, address_lc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		e.ID, e.InstanceID, e.ARN, e.Address, e.DisplayName, e.Description, e.AliasOf, tm(e.CreatedAt), tm(e.ModifiedAt), jsonOrNil(e.Tags), strings.ToLower(e.Address))
	if isUnique(err) {
		return fault.New(fault.Duplicate, "email address %s exists", e.Address)
	}
	return err
}

// GetEmailAddress implements connect.Store.
func (s *Store) GetEmailAddress(ctx context.Context, instanceID, id string) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.pool.QueryRow(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = $1 AND id = $2`, instanceID, id))
	if notFound(err) {
		return nil, fault.NotFoundf("EmailAddress", "email address %s not found", id)
	}
	return e, err
}

// FindEmailAddress implements connect.Store.
func (s *Store) FindEmailAddress(ctx context.Context, instanceID, address string) (*connect.EmailAddress, error) {
	e, err := scanEmail(s.pool.QueryRow(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = $1 AND address_lc = $2`, instanceID, strings.ToLower(address)))
	if notFound(err) {
		return nil, fault.NotFoundf("EmailAddress", "email address %s not found", address)
	}
	return e, err
}

// ListEmailAddresses implements connect.Store.
func (s *Store) ListEmailAddresses(ctx context.Context, instanceID string) ([]*connect.EmailAddress, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+emailCols+` FROM email_addresses WHERE instance_id = $1 ORDER BY created_at, id`, instanceID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEmail)
}

// UpdateEmailAddress implements connect.Store.
func (s *Store) UpdateEmailAddress(ctx context.Context, e *connect.EmailAddress) error {
	tag, err := s.pool.Exec(ctx, `UPDATE email_addresses SET display_name = $1, description = $2, alias_of = $3, modified_at = $4, tags = $5 WHERE instance_id = $6 AND id = $7`,
		e.DisplayName, e.Description, e.AliasOf, tm(e.ModifiedAt), jsonOrNil(e.Tags), e.InstanceID, e.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fault.NotFoundf("EmailAddress", "email address %s not found", e.ID)
	}
	return nil
}

// DeleteEmailAddress implements connect.Store.
func (s *Store) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	return s.tx(ctx, func(t *txn) error {
		tag, err := t.Exec(ctx, `DELETE FROM email_addresses WHERE instance_id = $1 AND id = $2`, instanceID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fault.NotFoundf("EmailAddress", "email address %s not found", id)
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE email_addresses SET alias_of = '' WHERE instance_id = $1 AND alias_of = $2`, instanceID, id)
		return t.commit(b)
	})
}

// ---- contacts ----

const contactCols = `seq, id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags`

func scanContact(row pgx.Row) (*connect.Contact, error) {
	var c connect.Contact
	var seq int64
	var attrs, refs, seg, toList, cc, notInt, tags []byte
	var state string
	var disc *time.Time
	err := row.Scan(&seq, &c.ID, &c.InstanceID, &c.ARN, &c.Channel, &c.InitiationMethod, &c.RelatedContactID, &c.PreviousContactID, &c.InitialContactID,
		&c.Name, &c.Description, &c.AgentID, &attrs, &refs, &seg, &c.ExpiryMinutes, &state, &c.InitiatedAt, &c.UpdatedAt, &disc, &c.DisconnectReason,
		&c.From.Address, &c.From.DisplayName, &c.To.Address, &c.To.DisplayName, &toList, &cc, &c.Subject, &c.MessageID, &c.Source, &c.TemplateRef, &notInt, &tags)
	if err != nil {
		return nil, err
	}
	c.State = connect.State(state)
	c.InitiatedAt, c.UpdatedAt, c.DisconnectedAt = fromTS(&c.InitiatedAt), fromTS(&c.UpdatedAt), fromTS(disc)
	unmarshal(attrs, &c.Attributes)
	if len(refs) > 0 {
		c.References = json.RawMessage(refs)
	}
	if len(seg) > 0 {
		c.SegmentAttributes = json.RawMessage(seg)
	}
	unmarshal(toList, &c.ToList)
	unmarshal(cc, &c.Cc)
	unmarshal(notInt, &c.NotInterpolated)
	unmarshal(tags, &c.Tags)
	return &c, nil
}

// CreateContact implements connect.Store.
func (s *Store) CreateContact(ctx context.Context, c *connect.Contact, events []connect.Event, idem *connect.Idem) error {
	err := s.tx(ctx, func(t *txn) error {
		tok := t.reserve(s.node, len(events))
		b := &pgx.Batch{}
		queueConnectIdem(b, idem)
		queueInsertContact(b, c)
		s.queueEvents(t, b, tok, events)
		return t.commit(b)
	})
	return s.idemResult(ctx, err, idem)
}

// queueInsertContact queues the insert of a new contact.
func queueInsertContact(b *pgx.Batch, c *connect.Contact) {
	b.Queue(`INSERT INTO contacts(id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags)
 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32)`,
		c.ID, c.InstanceID, c.ARN, c.Channel, c.InitiationMethod, c.RelatedContactID, c.PreviousContactID, c.InitialContactID, c.Name, c.Description, c.AgentID,
		jsonOrNil(c.Attributes), jsonOrNil(c.References), jsonOrNil(c.SegmentAttributes), c.ExpiryMinutes, string(c.State), tm(c.InitiatedAt), tm(c.UpdatedAt), tmNull(c.DisconnectedAt), c.DisconnectReason,
		c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, jsonOrNil(c.ToList), jsonOrNil(c.Cc), c.Subject, c.MessageID, c.Source, c.TemplateRef, jsonOrNil(c.NotInterpolated), jsonOrNil(c.Tags))
}

// GetContact implements connect.Store.
func (s *Store) GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error) {
	c, err := scanContact(s.pool.QueryRow(ctx, `SELECT `+contactCols+` FROM contacts WHERE id = $1 AND ($2 = '' OR instance_id = $2)`, id, instanceID))
	if notFound(err) {
		return nil, fault.NotFoundf("Contact", "contact %s not found", id)
	}
	return c, err
}

// queueUpdateContact queues the guarded overwrite of c; *ok reports whether
// the stored state was expect.
func queueUpdateContact(b *pgx.Batch, c *connect.Contact, expect connect.State, ok *bool) {
	b.Queue(`UPDATE contacts SET attributes = $1, state = $2, updated_at = $3, disconnected_at = $4, disconnect_reason = $5,
 from_addr = $6, from_name = $7, to_addr = $8, to_name = $9, to_list = $10, cc = $11, subject = $12, message_id = $13, source = $14, template_ref = $15, not_interpolated = $16, tags = $17
 WHERE id = $18 AND state = $19`,
		jsonOrNil(c.Attributes), string(c.State), tm(c.UpdatedAt), tmNull(c.DisconnectedAt), c.DisconnectReason,
		c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, jsonOrNil(c.ToList), jsonOrNil(c.Cc), c.Subject, c.MessageID, c.Source, c.TemplateRef, jsonOrNil(c.NotInterpolated), jsonOrNil(c.Tags),
		c.ID, string(expect)).Exec(func(tag pgconn.CommandTag) error {
		*ok = tag.RowsAffected() == 1
		return nil
	})
}

// UpdateContact implements connect.Store.
func (s *Store) UpdateContact(ctx context.Context, c *connect.Contact, expect connect.State, events []connect.Event) error {
	return s.tx(ctx, func(t *txn) error {
		tok := t.reserve(s.node, len(events))
		var ok bool
		b := &pgx.Batch{}
		queueUpdateContact(b, c, expect, &ok)
		if c.State.Terminal() {
			b.Queue(`DELETE FROM jobs WHERE contact_id = $1`, c.ID)
		}
		if err := t.send(b); err != nil {
			return err
		}
		if !ok {
			return fault.New(fault.Conflict, "contact %s is no longer %s", c.ID, expect)
		}
		b = &pgx.Batch{}
		s.queueEvents(t, b, tok, events)
		return t.commit(b)
	})
}

// StartOutbound implements connect.Store.
func (s *Store) StartOutbound(ctx context.Context, o *connect.Outbound) error {
	conflict := fault.New(fault.Conflict, "contact %s was already started", o.Contact.ID)
	err := s.tx(ctx, func(t *txn) error {
		tok := ""
		if o.Message.Raw != nil {
			tok = t.reserve(s.node, len(o.Events))
		}
		var ok bool
		b := &pgx.Batch{}
		queueConnectIdem(b, o.Idem)
		if o.Message.Raw != nil {
			queueUpdateContact(b, o.Contact, connect.StateCreated, &ok)
		}
		if b.Len() > 0 {
			if err := t.send(b); err != nil {
				return err
			}
		}
		if !ok {
			return conflict
		}
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO messages(contact_id, envelope_from, recipients, raw) VALUES ($1,$2,$3,$4)`,
			o.Contact.ID, o.Message.EnvelopeFrom, jsonList(o.Message.Recipients), o.Message.Raw)
		s.queueJob(t, b, o)
		s.queueEvents(t, b, tok, o.Events)
		return t.commit(b)
	})
	return s.idemResult(ctx, err, o.Idem)
}

// queueJob queues the delivery job of o: due now and announced to every
// node, or, with o.LeaseUntil, already leased to this node as attempt 1
// (handed to its worker in memory, so nobody else needs to hear of it).
func (s *Store) queueJob(t *txn, b *pgx.Batch, o *connect.Outbound) {
	c := o.Contact
	if o.LeaseUntil.IsZero() {
		b.Queue(`INSERT INTO jobs(contact_id, instance_id, attempts, next_at, created_at) VALUES ($1,$2,0,$3,$3)`,
			c.ID, c.InstanceID, tm(c.UpdatedAt))
		t.notify(ChannelJobs, s.node)
		return
	}
	b.Queue(`INSERT INTO jobs(contact_id, instance_id, attempts, next_at, leased_by, created_at) VALUES ($1,$2,1,$3,$4,$5)`,
		c.ID, c.InstanceID, tm(o.LeaseUntil), s.node, tm(c.UpdatedAt))
}

// jsonList encodes a list for a NOT NULL JSON column ([] when empty).
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ListContacts implements connect.Store.
func (s *Store) ListContacts(ctx context.Context, f connect.ContactFilter) (*connect.ContactPage, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if f.InstanceID != "" {
		where = append(where, "instance_id = "+arg(f.InstanceID))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if f.Address != "" {
		p := arg(strings.ToLower(f.Address))
		where = append(where, "(lower(to_addr) = "+p+" OR lower(from_addr) = "+p+")")
	}
	if f.Customer != "" {
		// The rule of connect.Contact.Customer.
		where = append(where, "lower(CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END) = "+arg(strings.ToLower(f.Customer)))
	}
	if f.RelatedContactID != "" {
		where = append(where, "related_id = "+arg(f.RelatedContactID)+" AND related_id <> ''")
	}
	if f.Query != "" {
		like := arg("%" + strings.NewReplacer("%", "", "_", "", `\`, "").Replace(f.Query) + "%")
		where = append(where, "(subject ILIKE "+like+" OR to_addr ILIKE "+like+" OR from_addr ILIKE "+like+" OR id = "+arg(f.Query)+")")
	}
	if f.Before != "" {
		where = append(where, "seq < (SELECT seq FROM contacts WHERE id = "+arg(f.Before)+")")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT ` + contactCols + ` FROM contacts`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq DESC LIMIT ` + arg(limit+1)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scanContact)
	if err != nil {
		return nil, err
	}
	page := &connect.ContactPage{Contacts: list}
	if len(page.Contacts) > limit {
		page.Contacts = page.Contacts[:limit]
		page.Next = page.Contacts[limit-1].ID
	}
	return page, nil
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// GetMessage implements connect.Store.
func (s *Store) GetMessage(ctx context.Context, contactID string) (*connect.Message, error) {
	m := &connect.Message{ContactID: contactID}
	var rcpts []byte
	err := s.pool.QueryRow(ctx, `SELECT m.envelope_from, m.recipients, m.raw, c.instance_id FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.contact_id = $1`, contactID).
		Scan(&m.EnvelopeFrom, &rcpts, &m.Raw, &m.InstanceID)
	if notFound(err) {
		return nil, fault.NotFoundf("Message", "no message for contact %s", contactID)
	}
	if err != nil {
		return nil, err
	}
	unmarshal(rcpts, &m.Recipients)
	return m, nil
}

func scanEvent(row pgx.Row) (connect.Event, error) {
	var e connect.Event
	var d []byte
	if err := row.Scan(&e.ID, &e.ContactID, &e.InstanceID, &e.Type, &e.Time, &d); err != nil {
		return e, err
	}
	e.Time = fromTS(&e.Time)
	if len(d) > 0 {
		e.Detail = json.RawMessage(d)
	}
	return e, nil
}

// ListEvents implements connect.Store.
func (s *Store) ListEvents(ctx context.Context, contactID string) ([]connect.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, instance_id, type, time, detail FROM events WHERE contact_id = $1 ORDER BY id`, contactID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// ListAttempts implements connect.Store.
func (s *Store) ListAttempts(ctx context.Context, contactID string) ([]connect.Attempt, error) {
	rows, err := s.pool.Query(ctx, `SELECT contact_id, n, started_at, finished_at, outcome, code, detail, class FROM attempts WHERE contact_id = $1 ORDER BY n`, contactID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row pgx.Row) (connect.Attempt, error) {
		var a connect.Attempt
		err := row.Scan(&a.ContactID, &a.N, &a.StartedAt, &a.FinishedAt, &a.Outcome, &a.Code, &a.Detail, &a.Class)
		a.StartedAt, a.FinishedAt = fromTS(&a.StartedAt), fromTS(&a.FinishedAt)
		return a, err
	})
}

// ---- delivery jobs ----

// ClaimJobs implements connect.Store. Due jobs that another node is claiming
// at the same moment are skipped, not waited for.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*connect.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []*connect.Job
	err := s.tx(ctx, func(t *txn) error {
		jobs = nil
		b := &pgx.Batch{}
		// A claim need not wait for the disk: if a crash loses it, the job is
		// simply due again — as it would be anyway once the crashed node's
		// lease was released — and whatever records an outcome commits
		// synchronously, which makes the claim durable first.
		b.Queue("set local synchronous_commit = off")
		b.Queue(`WITH due AS (
   SELECT contact_id FROM jobs WHERE next_at <= $1 ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED)
 UPDATE jobs j SET next_at = $3, attempts = j.attempts + 1, leased_by = $4
 FROM due, messages m
 WHERE j.contact_id = due.contact_id AND m.contact_id = j.contact_id
 RETURNING j.contact_id, j.instance_id, j.attempts, j.created_at, m.envelope_from, m.recipients, m.raw`,
			tm(now), limit, tm(now.Add(lease)), s.node).Query(func(rows pgx.Rows) error {
			var err error
			jobs, err = collect(rows, scanJob)
			return err
		})
		return t.commit(b)
	})
	return jobs, err
}

func scanJob(row pgx.Row) (*connect.Job, error) {
	j := &connect.Job{}
	var rcpts []byte
	if err := row.Scan(&j.ContactID, &j.InstanceID, &j.Attempts, &j.CreatedAt, &j.Message.EnvelopeFrom, &rcpts, &j.Message.Raw); err != nil {
		return nil, err
	}
	j.CreatedAt = fromTS(&j.CreatedAt)
	j.Message.ContactID, j.Message.InstanceID = j.ContactID, j.InstanceID
	unmarshal(rcpts, &j.Message.Recipients)
	return j, nil
}

// NextJobAt implements connect.Store.
func (s *Store) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	var t *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(next_at) FROM jobs`).Scan(&t); err != nil {
		return time.Time{}, false, err
	}
	if t == nil {
		return time.Time{}, false, nil
	}
	return t.UTC(), true, nil
}

// FinishAttempts implements connect.Store. An outcome whose job was stopped,
// or re-claimed after its lease was released (its attempt number is stale),
// is dropped and its Events cleared.
func (s *Store) FinishAttempts(ctx context.Context, outs []connect.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	n := 0
	for i := range outs {
		n += len(outs[i].Events)
	}
	return s.tx(ctx, func(t *txn) error {
		tok := t.reserve(s.node, n)
		ids := make([]string, len(outs))
		for i := range outs {
			ids[i] = outs[i].Job.ContactID
		}
		// Lock the jobs (in a fixed order) and read their attempt numbers.
		current := map[string]int{}
		b := &pgx.Batch{}
		b.Queue(`SELECT contact_id, attempts FROM jobs WHERE contact_id = ANY($1) ORDER BY contact_id FOR UPDATE`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id string
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				current[id] = n
			}
			return rows.Err()
		})
		if err := t.send(b); err != nil {
			return err
		}
		var evs []connect.Event
		retry := false
		b = &pgx.Batch{}
		for i := range outs {
			o := &outs[i]
			if n, ok := current[o.Job.ContactID]; !ok || n != o.Job.Attempts {
				// The job was stopped, or its lease was released and another worker took it.
				o.Events = nil
				continue
			}
			a := o.Attempt
			b.Queue(`INSERT INTO attempts(contact_id, n, started_at, finished_at, outcome, code, detail, class) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
 ON CONFLICT (contact_id, n) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, code = EXCLUDED.code, detail = EXCLUDED.detail, class = EXCLUDED.class`,
				a.ContactID, a.N, tm(a.StartedAt), tm(a.FinishedAt), a.Outcome, a.Code, a.Detail, a.Class)
			if len(o.Raw) > 0 {
				b.Queue(`UPDATE messages SET raw = $1 WHERE contact_id = $2`, o.Raw, o.Job.ContactID)
			}
			if !o.Final {
				b.Queue(`UPDATE jobs SET next_at = $1, leased_by = NULL WHERE contact_id = $2`, tm(o.RetryAt), o.Job.ContactID)
				retry = true
			} else {
				fin := tm(a.FinishedAt)
				b.Queue(`DELETE FROM jobs WHERE contact_id = $1`, o.Job.ContactID)
				b.Queue(`UPDATE contacts SET state = $1, disconnect_reason = $2, disconnected_at = $3, updated_at = $3 WHERE id = $4 AND state = 'QUEUED'`,
					string(o.State), o.Reason, fin, o.Job.ContactID)
			}
			evs = append(evs, o.Events...)
		}
		if retry {
			t.notify(ChannelJobs, s.node)
		}
		s.queueEvents(t, b, tok, evs)
		if err := t.commit(b); err != nil {
			return err
		}
		// Hand the assigned ids back to the outcomes' events.
		k := 0
		for i := range outs {
			for j := range outs[i].Events {
				outs[i].Events[j].ID = evs[k].ID
				k++
			}
		}
		return nil
	})
}

// QueueDepth implements connect.Store.
func (s *Store) QueueDepth(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM jobs`).Scan(&n)
	return n, err
}

// ReleaseLeases implements connect.Store: it makes due at now the jobs leased
// by nodes that are gone — whose heartbeat is older than the node timeout, or
// that no longer have a row — and removes those nodes. Jobs of live nodes,
// including this one, keep their leases.
func (s *Store) ReleaseLeases(ctx context.Context, now time.Time) (int, error) {
	// A short, idempotent statement: it completes even when ctx ends
	// meanwhile (a worker that starts and is stopped at once), within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var n int
	// One statement: remove the nodes that are gone; drop their event id
	// reservations and any that expired (unless a transaction is using one
	// right now); release their leases; and notify every node (an empty
	// payload: this node's own worker must wake too) if any was released.
	err := s.pool.QueryRow(ctx, `WITH gone AS (
   DELETE FROM nodes WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2) RETURNING id),
 expired AS (
   DELETE FROM event_reservations WHERE token IN (
     SELECT token FROM event_reservations r
     WHERE r.created_at < now() - make_interval(secs => $5)
        OR (r.node <> $1 AND (r.node IN (SELECT id FROM gone) OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = r.node)))
     FOR UPDATE SKIP LOCKED)),
 released AS (
   UPDATE jobs SET next_at = $3, leased_by = NULL
   WHERE leased_by IS NOT NULL AND leased_by <> $1
     AND (leased_by IN (SELECT id FROM gone) OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = jobs.leased_by))
   RETURNING 1),
 total AS (SELECT count(*) AS n FROM released)
 SELECT n FROM total LEFT JOIN LATERAL (SELECT pg_notify($4, '') WHERE n > 0) notified ON true`,
		s.node, s.opts.NodeTimeout.Seconds(), tm(now), ChannelJobs, s.reservationTTL().Seconds()).Scan(&n)
	return n, err
}

// reservationTTL is how long an event id reservation may stay outstanding
// before any node may drop it; a transaction still holding one then fails
// instead of adding events.
func (s *Store) reservationTTL() time.Duration {
	return max(time.Minute, 6*s.opts.NodeTimeout)
}
