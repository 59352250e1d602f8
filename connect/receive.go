package connect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/mail"
	"strings"

	"github.com/connectmail/connectmail/fault"
	"github.com/google/uuid"
)

// ResolveRecipient finds the instance email address that receives mail sent
// to addr (an alias resolves to its primary). NotFound when no instance has
// it. An unknown address costs one indexed read, however many instances
// there are.
func (s *Service) ResolveRecipient(ctx context.Context, addr string) (*EmailAddress, error) {
	e, err := s.cfg.Stores.EmailAddresses.LookupEmailAddress(ctx, addr)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf("EmailAddress", "%s is not an email address of any instance", addr)
	}
	if err != nil {
		return nil, err
	}
	if e.AliasOf != "" {
		primary, err := s.cfg.Stores.EmailAddresses.GetEmailAddress(ctx, e.InstanceID, e.AliasOf)
		return primary, emailErr(err, e.AliasOf)
	}
	return e, nil
}

// ReceiveEmail records a message that arrived over SMTP for one instance
// address as an INBOUND email contact in state RECEIVED. The stored message
// is the one received, byte for byte. A reply is threaded to the contact it
// answers: when In-Reply-To or References name a Message-ID connectmail gave
// (<contactId@domain>) of the same instance, that contact becomes the
// RelatedContactId and its attributes are copied.
func (s *Service) ReceiveEmail(ctx context.Context, rcpt *EmailAddress, envelopeFrom string, raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", fault.New(fault.Invalid, "the message has no valid header section: %v", err)
	}
	inst, err := s.cfg.Stores.Instances.GetInstance(ctx, rcpt.InstanceID)
	if err != nil {
		return "", instanceErr(err, rcpt.InstanceID)
	}
	h := msg.Header
	customer := Endpoint{Address: envelopeFrom}
	if list, err := h.AddressList("From"); err == nil && len(list) > 0 {
		customer = Endpoint{Address: list[0].Address, DisplayName: list[0].Name}
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subject = h.Get("Subject")
	}
	subject = strings.Join(strings.Fields(subject), " ")
	if r := []rune(subject); len(r) > 998 {
		subject = string(r[:998])
	}
	var toList, cc []Endpoint
	if list, err := h.AddressList("To"); err == nil {
		for _, a := range list {
			if !strings.EqualFold(a.Address, rcpt.Address) {
				toList = append(toList, Endpoint{Address: a.Address, DisplayName: a.Name})
			}
		}
	}
	if list, err := h.AddressList("Cc"); err == nil {
		for _, a := range list {
			cc = append(cc, Endpoint{Address: a.Address, DisplayName: a.Name})
		}
	}
	now := s.now()
	id := newContactID()
	c := &Contact{
		ID: id, ARN: inst.ARN + "/contact/" + id, InstanceID: inst.ID,
		Channel: "EMAIL", InitiationMethod: "INBOUND", State: StateReceived,
		InitiatedAt: now, UpdatedAt: now, InitialContactID: id,
		From: customer, To: Endpoint{Address: rcpt.Address, DisplayName: rcpt.DisplayName},
		ToList: toList, Cc: cc, Subject: subject, Source: "INBOUND",
	}
	if ids := messageIDs(h.Get("Message-Id")); len(ids) > 0 {
		c.MessageID = ids[0]
	} else {
		c.MessageID = "<" + id + "@" + domainOf(customer.Address) + ">"
	}
	for _, ref := range append(messageIDs(h.Get("In-Reply-To")), reverse(messageIDs(h.Get("References")))...) {
		local, _, _ := strings.Cut(strings.Trim(ref, "<>"), "@")
		if _, err := uuid.Parse(local); err != nil {
			continue
		}
		if rel, err := s.cfg.Stores.Contacts.GetContact(ctx, inst.ID, local); err == nil {
			c.RelatedContactID = rel.ID
			c.Attributes = mergeAttributes(rel.Attributes, nil)
			break
		}
	}
	ev := []Event{s.event(c, EventInitiated, map[string]any{"from": customer.Address, "to": rcpt.Address, "via": "smtp"})}
	out := struct{ ContactID string }{id}
	key := inboundKey(rcpt.ID, customer.Address, h.Get("Message-Id"), raw)
	o := &Outbound{
		Contact: c,
		Message: Message{ContactID: id, InstanceID: inst.ID, EnvelopeFrom: envelopeFrom, Recipients: []string{rcpt.Address}, Raw: raw},
		Events:  ev,
		Idem:    newIdem("ReceiveEmail", key, rcpt.ID, out),
	}
	err = s.cfg.Stores.Contacts.CreateContactMessage(ctx, o, false)
	if ok, err := replay(contactErr(err, id), key, &out); ok || err != nil {
		return out.ContactID, err
	}
	s.cfg.Publish(ev)
	return id, nil
}

// inboundKey names a received message for deduplication: mail that gets the
// key of a message already recorded is that message again — a sender that
// retries after a temporary failure (one recipient of several failed, the
// connection dropped before our reply), or the same mail arriving again by
// another path with one more Received: header. With a Message-ID the key is
// that id, its sender (the From address, lower-cased) and the recipient
// address; without one it is the recipient and the message bytes, less
// trailing line breaks. The key is an idempotency token of ReceiveEmail, so
// the store's unique index on tokens makes the check and the insert one
// atomic step.
func inboundKey(rcptID, sender, messageID string, raw []byte) string {
	h := sha256.New()
	if ids := messageIDs(messageID); len(ids) > 0 {
		h.Write([]byte("message-id\x00" + rcptID + "\x00" + strings.ToLower(sender) + "\x00" + ids[0]))
	} else {
		h.Write([]byte("bytes\x00" + rcptID + "\x00"))
		h.Write(bytes.TrimRight(raw, "\r\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
