package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/storedoc"
)

const contactCols = `id, instance_id, arn, channel, initiation_method, related_id, previous_id, initial_id, name, description, agent_id,
 attributes, refs, segment, expiry_minutes, state, initiated_at, updated_at, disconnected_at, disconnect_reason,
 from_addr, from_name, to_addr, to_name, to_list, cc, subject, message_id, source, template_ref, not_interpolated, tags`

const insertContactSQL = `INSERT INTO contacts(` + contactCols + `)
 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`

func scanContact(row Row) (*connect.Contact, error) {
	var c connect.Contact
	var refs, seg, toList, cc json.RawMessage
	err := row.Scan(&c.ID, &c.InstanceID, &c.ARN, &c.Channel, &c.InitiationMethod, &c.RelatedContactID, &c.PreviousContactID, &c.InitialContactID,
		&c.Name, &c.Description, &c.AgentID, JSONCol{&c.Attributes}, RawCol{&refs}, RawCol{&seg}, &c.ExpiryMinutes, (*string)(&c.State),
		TimeCol{&c.InitiatedAt}, TimeCol{&c.UpdatedAt}, TimeCol{&c.DisconnectedAt}, &c.DisconnectReason,
		&c.From.Address, &c.From.DisplayName, &c.To.Address, &c.To.DisplayName, RawCol{&toList}, RawCol{&cc}, &c.Subject, &c.MessageID, &c.Source, &c.TemplateRef,
		JSONCol{&c.NotInterpolated}, JSONCol{&c.Tags})
	if err != nil {
		return nil, err
	}
	// Unparsable documents read as absent, as JSONCol leaves other columns.
	c.References, _ = storedoc.ParseReferences(refs)
	c.SegmentAttributes, _ = storedoc.ParseSegmentAttributes(seg)
	c.ToList, _ = storedoc.ParseEndpoints(toList)
	c.Cc, _ = storedoc.ParseEndpoints(cc)
	return &c, nil
}

// insertContact queues the insert of a new contact.
func (s *Store) insertContact(ctx context.Context, tx Tx, c *connect.Contact) error {
	return tx.Queue(ctx, s.q(insertContactSQL),
		c.ID, c.InstanceID, c.ARN, c.Channel, c.InitiationMethod, c.RelatedContactID, c.PreviousContactID, c.InitialContactID, c.Name, c.Description, c.AgentID,
		JSON(c.Attributes), JSON(storedoc.References(c.References)), JSON(storedoc.SegmentAttributes(c.SegmentAttributes)), c.ExpiryMinutes, string(c.State), s.d.Time(c.InitiatedAt), s.d.Time(c.UpdatedAt), s.d.NullTime(c.DisconnectedAt), c.DisconnectReason,
		c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, JSON(storedoc.Endpoints(c.ToList)), JSON(storedoc.Endpoints(c.Cc)), c.Subject, c.MessageID, c.Source, c.TemplateRef, JSON(c.NotInterpolated), JSON(c.Tags))
}

// CreateContact implements connect.ContactStore.
func (s *Store) CreateContact(ctx context.Context, c *connect.Contact, events []connect.Event, idem *connect.Idem) error {
	return s.write(ctx, Write{Idem: idem, Events: len(events)}, func(tx Tx) error {
		if err := s.insertContact(ctx, tx, c); err != nil {
			return err
		}
		return tx.AddEvents(ctx, events)
	})
}

// GetContact implements connect.ContactStore.
func (s *Store) GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error) {
	c, err := scanContact(s.read().QueryRow(ctx, s.q(`SELECT `+contactCols+` FROM contacts WHERE id = ? AND (? = '' OR instance_id = ?)`), id, instanceID, instanceID))
	if noRows(err) {
		return nil, connect.ErrContactNotFound
	}
	return c, err
}

// updateContact overwrites c's mutable fields if its stored state is expect.
func (s *Store) updateContact(ctx context.Context, tx Tx, c *connect.Contact, expect connect.State) (bool, error) {
	n, err := tx.Exec(ctx, s.q(`UPDATE contacts SET attributes = ?, state = ?, updated_at = ?, disconnected_at = ?, disconnect_reason = ?,
 from_addr = ?, from_name = ?, to_addr = ?, to_name = ?, to_list = ?, cc = ?, subject = ?, message_id = ?, source = ?, template_ref = ?, not_interpolated = ?, tags = ?
 WHERE id = ? AND state = ?`),
		JSON(c.Attributes), string(c.State), s.d.Time(c.UpdatedAt), s.d.NullTime(c.DisconnectedAt), c.DisconnectReason,
		c.From.Address, c.From.DisplayName, c.To.Address, c.To.DisplayName, JSON(storedoc.Endpoints(c.ToList)), JSON(storedoc.Endpoints(c.Cc)), c.Subject, c.MessageID, c.Source, c.TemplateRef, JSON(c.NotInterpolated), JSON(c.Tags),
		c.ID, string(expect))
	return n == 1, err
}

// UpdateContact implements connect.ContactStore.
func (s *Store) UpdateContact(ctx context.Context, c *connect.Contact, expect connect.State, events []connect.Event) error {
	return s.write(ctx, Write{Events: len(events)}, func(tx Tx) error {
		ok, err := s.updateContact(ctx, tx, c, expect)
		if err != nil {
			return err
		}
		if !ok {
			return connect.ErrContactState
		}
		if c.State.Terminal() {
			if err := tx.Queue(ctx, s.q(`DELETE FROM jobs WHERE contact_id = ?`), c.ID); err != nil {
				return err
			}
		}
		return tx.AddEvents(ctx, events)
	})
}

// insertMessage queues the insert of o's message.
func (s *Store) insertMessage(ctx context.Context, tx Tx, o *connect.Outbound) error {
	return tx.Queue(ctx, s.q(`INSERT INTO messages(contact_id, envelope_from, recipients, raw) VALUES (?,?,?,?)`),
		o.Contact.ID, o.Message.EnvelopeFrom, JSONList(o.Message.Recipients), o.Message.Raw)
}

// StartOutbound implements connect.ContactStore.
func (s *Store) StartOutbound(ctx context.Context, o *connect.Outbound) error {
	if o.Message.Raw == nil {
		// Only a replay of a committed start comes without a message.
		err := s.write(ctx, Write{Idem: o.Idem}, func(Tx) error { return errStarted(o) })
		return err
	}
	return s.write(ctx, Write{Idem: o.Idem, Events: len(o.Events)}, func(tx Tx) error {
		ok, err := s.updateContact(ctx, tx, o.Contact, connect.StateCreated)
		if err != nil {
			return err
		}
		if !ok {
			return errStarted(o)
		}
		if err := s.insertMessage(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.AddJob(ctx, o); err != nil {
			return err
		}
		return tx.AddEvents(ctx, o.Events)
	})
}

func errStarted(o *connect.Outbound) error {
	return connect.ErrContactStarted
}

// CreateContactMessage implements connect.ContactStore.
func (s *Store) CreateContactMessage(ctx context.Context, o *connect.Outbound, queue bool) error {
	c := o.Contact
	err := s.write(ctx, Write{Idem: o.Idem, Events: len(o.Events)}, func(tx Tx) error {
		if err := s.insertContact(ctx, tx, c); err != nil {
			return err
		}
		if err := s.insertMessage(ctx, tx, o); err != nil {
			return err
		}
		if queue {
			if err := tx.AddJob(ctx, o); err != nil {
				return err
			}
		}
		return tx.AddEvents(ctx, o.Events)
	})
	if s.d.IsUnique(err) {
		return connect.ErrContactExists
	}
	return err
}

// ModifyContactEvents is how many events ModifyContact expects its fn to
// add (Write.Events).
const ModifyContactEvents = 2

// ModifyContact implements connect.ContactStore. The contact is locked as
// it is read, so concurrent changes serialize.
func (s *Store) ModifyContact(ctx context.Context, instanceID, id string, fn func(c *connect.Contact) ([]connect.Event, error)) error {
	return s.write(ctx, Write{Events: ModifyContactEvents}, func(tx Tx) error {
		c, err := scanContact(tx.QueryRow(ctx, s.q(`SELECT `+contactCols+` FROM contacts WHERE id = ? AND instance_id = ?`+s.d.LockRows), id, instanceID))
		if noRows(err) {
			return connect.ErrContactNotFound
		}
		if err != nil {
			return err
		}
		evs, err := fn(c)
		if err != nil {
			return err
		}
		if err := tx.Queue(ctx, s.q(`UPDATE contacts SET attributes = ?, tags = ?, updated_at = ? WHERE id = ?`),
			JSON(c.Attributes), JSON(c.Tags), s.d.Time(c.UpdatedAt), c.ID); err != nil {
			return err
		}
		return tx.AddEvents(ctx, evs)
	})
}

// ListContacts implements connect.ContactStore.
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
		where = append(where, "("+s.d.EqFold("to_addr")+" OR "+s.d.EqFold("from_addr")+")")
		args = append(args, s.d.Fold(f.Address), s.d.Fold(f.Address))
	}
	if f.Customer != "" {
		// The rule of connect.Contact.Customer.
		where = append(where, s.d.EqFold("CASE WHEN initiation_method IN ('INBOUND', 'API') THEN from_addr ELSE to_addr END"))
		args = append(args, s.d.Fold(f.Customer))
	}
	if f.RelatedContactID != "" {
		where = append(where, "related_id = ? AND related_id <> ''")
		args = append(args, f.RelatedContactID)
	}
	if f.Query != "" {
		l := s.d.Like
		where = append(where, "(subject "+l+" ? OR to_addr "+l+" ? OR from_addr "+l+" ? OR id = ?)")
		like := s.d.Contains(f.Query)
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
	rows, err := s.read().Query(ctx, s.q(q), args...)
	list, err := Collect(rows, err, scanContact)
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

// GetMessage implements connect.ContactStore.
func (s *Store) GetMessage(ctx context.Context, contactID string) (*connect.Message, error) {
	m := &connect.Message{ContactID: contactID}
	err := s.read().QueryRow(ctx, s.q(`SELECT m.envelope_from, m.recipients, m.raw, c.instance_id FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.contact_id = ?`), contactID).
		Scan(&m.EnvelopeFrom, JSONCol{&m.Recipients}, &m.Raw, &m.InstanceID)
	if noRows(err) {
		return nil, connect.ErrMessageNotFound
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}
