package connect

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/connectmail/connectmail/fault"
)

// MaxRecipients is the most addresses (destination plus CC) one outbound email may have.
const MaxRecipients = 50

// CreateContact creates an EMAIL contact.
func (s *Service) CreateContact(ctx context.Context, in *CreateContactInput) (*Created, error) {
	if in.Channel != "EMAIL" {
		return nil, fault.New(fault.Invalid, "Channel %s is not supported by this service; only EMAIL contacts can be created", in.Channel)
	}
	switch in.InitiationMethod {
	case "OUTBOUND", "AGENT_REPLY":
		if in.UserID == "" {
			return nil, fault.New(fault.Invalid, "UserInfo is required for EMAIL contacts with InitiationMethod %s", in.InitiationMethod)
		}
	case "FLOW":
	default:
		return nil, fault.New(fault.Invalid, "InitiationMethod %s is not valid for the EMAIL channel; use OUTBOUND, AGENT_REPLY or FLOW", in.InitiationMethod)
	}
	if in.InitiateAs != "" {
		return nil, fault.New(fault.Invalid, "InitiateAs is not supported for the EMAIL channel")
	}
	if in.PreviousContactID != "" {
		return nil, fault.New(fault.Invalid, "PreviousContactId is only supported for external audio contacts")
	}
	if err := checkAttributes(in.Attributes); err != nil {
		return nil, err
	}
	if err := checkReferences(in.References); err != nil {
		return nil, err
	}
	if err := checkSegmentAttributes(in.SegmentAttributes); err != nil {
		return nil, err
	}
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := newContactID()
	c := &Contact{
		ID: id, ARN: inst.ARN + "/contact/" + id, InstanceID: inst.ID,
		Channel: "EMAIL", InitiationMethod: in.InitiationMethod,
		Name: in.Name, Description: in.Description, Attributes: in.Attributes,
		SegmentAttributes: in.SegmentAttributes, State: StateCreated,
		InitiatedAt: now, UpdatedAt: now, InitialContactID: id,
	}
	c.AgentID = in.UserID
	if in.ExpiryDurationInMinutes != nil {
		if *in.ExpiryDurationInMinutes < 1 {
			return nil, fault.New(fault.Invalid, "ExpiryDurationInMinutes must be at least 1")
		}
		c.ExpiryMinutes = *in.ExpiryDurationInMinutes
	}
	if len(in.References) > 0 {
		c.References = in.References
	}
	if in.RelatedContactID != "" {
		rel, err := s.cfg.Stores.Contacts.GetContact(ctx, inst.ID, in.RelatedContactID)
		if fault.Is(err, fault.NotFound) {
			return nil, fault.NotFoundf("Contact", "Related contact not found: %s", in.RelatedContactID)
		}
		if err != nil {
			return nil, err
		}
		c.RelatedContactID = rel.ID
		// Attributes of the related contact are copied, then overridden by the request's.
		if len(rel.Attributes) > 0 {
			merged := make(map[string]string, len(rel.Attributes)+len(in.Attributes))
			for k, v := range rel.Attributes {
				merged[k] = v
			}
			for k, v := range in.Attributes {
				merged[k] = v
			}
			c.Attributes = merged
		}
	}
	out := &contactCreated{ContactID: c.ID, ContactARN: c.ARN}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	ev := []Event{s.event(c, EventInitiated, nil)}
	err = s.cfg.Stores.Contacts.CreateContact(ctx, c, ev, clientIdem("CreateContact", tok, in, out))
	if ok, err := replay(contactErr(err, c.ID), tok.Token, out); ok || err != nil {
		return &Created{ID: out.ContactID, ARN: out.ContactARN}, err
	}
	s.cfg.Publish(ev)
	return &Created{ID: out.ContactID, ARN: out.ContactARN}, nil
}

// contactCreated and contactStarted are the responses stored for the
// idempotent replay of creating and starting contacts; their member names
// are those of the records earlier versions stored.
type contactCreated struct{ ContactID, ContactARN string }

type contactStarted struct{ ContactID string }

func (s *Service) event(c *Contact, typ string, detail map[string]any) Event {
	var raw json.RawMessage
	if detail != nil {
		raw, _ = json.Marshal(detail)
	}
	return Event{ContactID: c.ID, InstanceID: c.InstanceID, Type: typ, Time: s.now(), Detail: raw}
}

func checkAttributes(a map[string]string) error {
	total := 0
	for k, v := range a {
		for _, r := range k {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fault.New(fault.Invalid, "Attribute key %q may contain only letters, digits, '-' and '_'", k)
			}
		}
		total += len(k) + len(v)
	}
	if total > 32768 {
		return fault.New(fault.Invalid, "Attributes exceed 32768 bytes in total")
	}
	return nil
}

func checkReferences(refs map[string]Reference) error {
	total := 0
	for k, r := range refs {
		switch r.Type {
		case "URL", "NUMBER", "STRING", "DATE", "EMAIL", "ATTACHMENT":
		default:
			return fault.New(fault.Invalid, "Reference %s has type %s, which cannot be set when creating a contact", k, r.Type)
		}
		total += len(k) + len(r.Value)
	}
	if total > 4096 {
		return fault.New(fault.Invalid, "References exceed 4096 bytes in total")
	}
	return nil
}

func (s *Service) contact(ctx context.Context, instanceID, id string) (*Instance, *Contact, error) {
	inst, err := s.instance(ctx, instanceID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.cfg.Stores.Contacts.GetContact(ctx, inst.ID, id)
	if fault.Is(err, fault.NotFound) {
		return nil, nil, fault.NotFoundf("Contact", "Contact not found: %s", id)
	}
	return inst, c, err
}

// DescribeContact returns a contact of an instance.
func (s *Service) DescribeContact(ctx context.Context, instanceID, contactID string) (*Contact, error) {
	_, c, err := s.contact(ctx, instanceID, contactID)
	return c, err
}

// StopContact ends a contact that has not finished; a queued delivery is cancelled.
func (s *Service) StopContact(ctx context.Context, in *StopContactInput) error {
	_, c, err := s.contact(ctx, in.InstanceID, in.ContactID)
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Kind == fault.NotFound && fe.Resource == "Contact" {
		return &fault.Error{Kind: fault.Gone, Message: "Contact " + in.ContactID + " is not active or does not exist"}
	}
	if err != nil {
		return err
	}
	if c.State.Terminal() {
		return &fault.Error{Kind: fault.Gone, Message: "Contact " + c.ID + " is not active"}
	}
	prev := c.State
	now := s.now()
	c.State = StateStopped
	c.DisconnectedAt = now
	c.UpdatedAt = now
	c.DisconnectReason = ReasonStopped
	if in.DisconnectReason != "" {
		c.DisconnectReason = in.DisconnectReason
	}
	ev := []Event{s.event(c, EventDisconnected, map[string]any{"reason": c.DisconnectReason})}
	if err := s.cfg.Stores.Contacts.UpdateContact(ctx, c, prev, ev); err != nil {
		if fault.Is(err, fault.Conflict) {
			return &fault.Error{Kind: fault.Gone, Message: "Contact " + c.ID + " is not active"}
		}
		return contactErr(err, c.ID)
	}
	if prev == StateQueued && s.cfg.Handoff != nil {
		s.cfg.Handoff.Revoke(c.ID)
	}
	s.cfg.Publish(ev)
	return nil
}

// StartOutboundEmailContact sends the message of an OUTBOUND or
// AGENT_REPLY email contact and returns the contact's id.
func (s *Service) StartOutboundEmailContact(ctx context.Context, in *StartOutboundEmailContactInput) (string, error) {
	id, err := s.startOutbound(ctx, in)
	if err != nil {
		return "", err
	}
	return id.ContactID, nil
}

func (s *Service) startOutbound(ctx context.Context, in *StartOutboundEmailContactInput) (*contactStarted, error) {
	inst, c, err := s.contact(ctx, in.InstanceID, in.ContactID)
	if err != nil {
		return nil, err
	}
	out := &contactStarted{ContactID: c.ID}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	idem := clientIdem("StartOutboundEmailContact", tok, in, out)
	if c.Channel != "EMAIL" || (c.InitiationMethod != "OUTBOUND" && c.InitiationMethod != "AGENT_REPLY") {
		return nil, fault.New(fault.Invalid, "Contact %s is not an EMAIL contact created with InitiationMethod OUTBOUND or AGENT_REPLY", c.ID)
	}
	if c.State != StateCreated {
		// A replay of the request that started it answers as before.
		if idem != nil {
			if err := s.cfg.Stores.Contacts.StartOutbound(ctx, &Outbound{Contact: c, Idem: idem}); err != nil {
				if ok, rerr := replay(contactErr(err, c.ID), tok.Token, out); ok || fault.Is(rerr, fault.Idempotency) {
					return out, rerr
				}
			}
		}
		return nil, fault.New(fault.Invalid, "Contact %s has already been %s", c.ID, pastTense(c.State))
	}
	o, err := s.composeOutbound(ctx, inst, c, in)
	if err != nil {
		return nil, err
	}
	o.Idem = idem
	ev := o.Events
	if err := s.commitQueued(o, func() error { return s.cfg.Stores.Contacts.StartOutbound(ctx, o) }); err != nil {
		if fault.Is(err, fault.Conflict) {
			return nil, fault.New(fault.Invalid, "Contact %s has already been started or stopped", c.ID)
		}
		if ok, err := replay(contactErr(err, c.ID), tok.Token, out); ok || err != nil {
			return out, err
		}
	}
	s.cfg.Publish(ev)
	return out, nil
}

// composeOutbound builds, composes and addresses the message of an outbound
// contact and moves the contact to QUEUED: everything StartOutbound (or
// CreateContactMessage) commits, except the idempotency record.
func (s *Service) composeOutbound(ctx context.Context, inst *Instance, c *Contact, in *StartOutboundEmailContactInput) (*Outbound, error) {
	draft, err := s.buildDraft(ctx, inst, c, in)
	if err != nil {
		return nil, err
	}
	raw, err := s.cfg.Composer.Compose(draft)
	if err != nil {
		if fault.KindOf(err) == fault.Internal {
			return nil, fault.Wrap(err, "composing the message failed")
		}
		return nil, err
	}
	rcpts := make([]string, 0, 1+len(draft.Cc))
	rcpts = append(rcpts, draft.To[0].Address)
	for _, e := range draft.Cc {
		rcpts = append(rcpts, e.Address)
	}
	c.State = StateQueued
	c.UpdatedAt = s.now()
	return &Outbound{
		Contact: c,
		Message: Message{ContactID: c.ID, InstanceID: c.InstanceID, EnvelopeFrom: c.From.Address, Recipients: rcpts, Raw: raw},
		Events:  []Event{s.event(c, EventQueued, map[string]any{"recipients": len(rcpts), "source": c.Source})},
	}, nil
}

func pastTense(st State) string {
	switch st {
	case StateQueued, StateSent, StateCaptured, StateFailed:
		return "started"
	case StateStopped:
		return "stopped"
	}
	return strings.ToLower(string(st))
}

// buildDraft resolves sender, recipients and content, and fills the contact's email fields.
func (s *Service) buildDraft(ctx context.Context, inst *Instance, c *Contact, in *StartOutboundEmailContactInput) (*Draft, error) {
	from, err := s.sender(ctx, inst, in.FromEmailAddress)
	if err != nil {
		return nil, err
	}
	to := Endpoint{Address: in.DestinationEmailAddress.EmailAddress, DisplayName: in.DestinationEmailAddress.DisplayName}
	var cc []Endpoint
	if in.AdditionalRecipients != nil {
		for _, e := range in.AdditionalRecipients.CcEmailAddresses {
			cc = append(cc, Endpoint{Address: e.EmailAddress, DisplayName: e.DisplayName})
		}
	}
	if 1+len(cc) > MaxRecipients {
		return nil, fault.New(fault.Invalid, "An email can have at most %d recipients: 1 destination and %d CC addresses", MaxRecipients, MaxRecipients-1)
	}
	for _, e := range append([]Endpoint{from, to}, cc...) {
		if err := noCRLF("EmailAddress", e.Address); err != nil {
			return nil, err
		}
		if err := noCRLF("DisplayName", e.DisplayName); err != nil {
			return nil, err
		}
	}
	d := &Draft{From: from, To: []Endpoint{to}, Cc: cc, Date: s.now(), MessageID: c.ID + "@" + domainOf(from.Address)}
	msg := in.EmailMessage
	switch msg.MessageSourceType {
	case "RAW":
		if msg.RawMessage == nil {
			return nil, fault.New(fault.Invalid, "RawMessage is required when MessageSourceType is RAW")
		}
		if msg.TemplatedMessageConfig != nil {
			return nil, fault.New(fault.Invalid, "TemplatedMessageConfig cannot be used when MessageSourceType is RAW")
		}
		rm := msg.RawMessage
		if err := noCRLF("Subject", rm.Subject); err != nil {
			return nil, err
		}
		d.Subject = rm.Subject
		ct := strings.ToLower(strings.TrimSpace(rm.ContentType))
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = strings.TrimSpace(ct[:i])
		}
		switch ct {
		case "text/plain":
			d.Text = rm.Body
		case "text/html":
			d.HTML = rm.Body
		default:
			return nil, fault.New(fault.Invalid, "ContentType %s is not supported; use text/plain or text/html", rm.ContentType)
		}
		c.Source = "RAW"
	case "TEMPLATE":
		if msg.TemplatedMessageConfig == nil {
			return nil, fault.New(fault.Invalid, "TemplatedMessageConfig is required when MessageSourceType is TEMPLATE")
		}
		if msg.RawMessage != nil {
			return nil, fault.New(fault.Invalid, "RawMessage cannot be used when MessageSourceType is TEMPLATE")
		}
		if s.cfg.Templates == nil {
			return nil, fault.New(fault.Invalid, "TEMPLATE messages are not available on this server")
		}
		tc := msg.TemplatedMessageConfig
		if tc.TemplateAttributes.CustomerProfileAttributes != nil {
			if !json.Valid([]byte(*tc.TemplateAttributes.CustomerProfileAttributes)) {
				return nil, fault.New(fault.Invalid, "CustomerProfileAttributes must be a JSON object")
			}
		}
		rt, err := s.cfg.Templates.RenderForSend(ctx, &TemplateRequest{
			KnowledgeBaseID: tc.KnowledgeBaseID, MessageTemplateID: tc.MessageTemplateID,
			Custom: tc.TemplateAttributes.CustomAttributes, CustomerJSON: tc.TemplateAttributes.CustomerProfileAttributes,
			SystemName: to.DisplayName, CustomerAddress: to.Address, SystemAddress: from.Address,
		})
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(rt.Subject) == "" {
			return nil, fault.New(fault.Invalid, "The message template has no subject")
		}
		if rt.Text == "" && rt.HTML == "" {
			return nil, fault.New(fault.Invalid, "The message template has no body")
		}
		d.Subject = strings.NewReplacer("\r", " ", "\n", " ").Replace(rt.Subject)
		d.Text, d.HTML, d.Headers, d.Attachments = rt.Text, rt.HTML, rt.Headers, rt.Attachments
		c.Source = "TEMPLATE"
		c.TemplateRef = rt.Ref
		c.NotInterpolated = rt.NotInterpolated
	default:
		return nil, fault.New(fault.Invalid, "MessageSourceType %s is not supported", msg.MessageSourceType)
	}
	files, err := s.contactAttachments(ctx, c, len(d.Text)+len(d.HTML))
	if err != nil {
		return nil, err
	}
	d.Attachments = append(d.Attachments, files...)
	if utf8.RuneCountInString(d.Subject) > 998 {
		return nil, fault.New(fault.Invalid, "Subject is longer than 998 characters")
	}
	if c.InitiationMethod == "AGENT_REPLY" && c.RelatedContactID != "" {
		if rel, err := s.cfg.Stores.Contacts.GetContact(ctx, c.InstanceID, c.RelatedContactID); err == nil && rel.MessageID != "" {
			d.InReplyTo = rel.MessageID
			d.References = rel.MessageID
		}
	}
	c.From, c.To, c.Cc, c.Subject = from, to, cc, d.Subject
	c.MessageID = "<" + d.MessageID + ">"
	return d, nil
}

// sender resolves the From address: it must be an email address of the instance.
// When omitted, the default outbound address of the instance's queues is used
// (UpdateQueueOutboundEmailConfig; when several queues have one, the one set
// first), else the instance's oldest non-alias email address.
func (s *Service) sender(ctx context.Context, inst *Instance, from *EmailAddressInfo) (Endpoint, error) {
	if from == nil {
		all, err := s.cfg.Stores.EmailAddresses.ListEmailAddresses(ctx, inst.ID)
		if err != nil {
			return Endpoint{}, err
		}
		if e, err := s.queueDefaultSender(ctx, inst.ID, all); err != nil || e != nil {
			if err != nil {
				return Endpoint{}, err
			}
			return Endpoint{Address: e.Address, DisplayName: e.DisplayName}, nil
		}
		for _, e := range all {
			if e.AliasOf == "" {
				return Endpoint{Address: e.Address, DisplayName: e.DisplayName}, nil
			}
		}
		return Endpoint{}, fault.New(fault.Invalid, "FromEmailAddress is required: instance %s has no email address to send from", inst.ID)
	}
	e, err := s.cfg.Stores.EmailAddresses.FindEmailAddress(ctx, inst.ID, from.EmailAddress)
	if fault.Is(err, fault.NotFound) {
		return Endpoint{}, fault.New(fault.Invalid, "FromEmailAddress %s is not an email address of instance %s", from.EmailAddress, inst.ID)
	}
	if err != nil {
		return Endpoint{}, err
	}
	name := from.DisplayName
	if name == "" {
		name = e.DisplayName
	}
	return Endpoint{Address: e.Address, DisplayName: name}, nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return "connectmail.local"
}
