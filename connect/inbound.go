package connect

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/connectmail/connectmail/fault"
)

// MaxInboundRecipients is the most addresses one inbound email may name:
// the destination plus the other To and Cc addresses.
const MaxInboundRecipients = 50

// inboundHeaders maps the EmailHeaderType keys of StartEmailContact that
// become extra header fields to their names.
var inboundHeaders = map[string]string{
	"X_SES_SPAM_VERDICT":  "X-SES-Spam-Verdict",
	"X_SES_VIRUS_VERDICT": "X-SES-Virus-Verdict",
}

// StartEmailContact records an email a customer sent to an address of the
// instance, as an INBOUND/API email contact in state RECEIVED with the
// message composed from the request. The destination must be an email
// address of the instance; mail to an alias is received by its primary
// address. Attachments whose URL is a connectmail attached-file URL of the
// instance are included in the message; other URLs are kept as ATTACHMENT
// references only (connectmail never fetches foreign URLs).
func (s *Service) StartEmailContact(ctx context.Context, in *StartEmailContactInput) (string, error) {
	out, err := s.startEmailContact(ctx, in)
	if err != nil {
		return "", err
	}
	return out.ContactID, nil
}

func (s *Service) startEmailContact(ctx context.Context, in *StartEmailContactInput) (*contactStarted, error) {
	rm := in.EmailMessage.RawMessage
	if in.EmailMessage.MessageSourceType != "RAW" || rm == nil {
		return nil, fault.New(fault.Invalid, "RawMessage is required: MessageSourceType must be RAW")
	}
	if err := checkAttributes(in.Attributes); err != nil {
		return nil, err
	}
	for k, r := range in.References {
		switch r.Type {
		case "URL", "NUMBER", "STRING", "DATE":
		default:
			return nil, fault.New(fault.Invalid, "Reference %s has type %s; StartEmailContact accepts URL, NUMBER, STRING and DATE references", k, r.Type)
		}
	}
	if err := checkReferences(in.References); err != nil {
		return nil, err
	}
	if err := checkSegmentAttributes(in.SegmentAttributes); err != nil {
		return nil, err
	}
	var to, cc []Endpoint
	if ar := in.AdditionalRecipients; ar != nil {
		for _, e := range ar.ToAddresses {
			to = append(to, Endpoint{Address: e.EmailAddress, DisplayName: e.DisplayName})
		}
		for _, e := range ar.CcAddresses {
			cc = append(cc, Endpoint{Address: e.EmailAddress, DisplayName: e.DisplayName})
		}
	}
	if n := 1 + len(to) + len(cc); n > MaxInboundRecipients {
		return nil, fault.New(fault.Invalid, "An email can have at most %d recipients including the destination; this one has %d", MaxInboundRecipients, n)
	}
	customer := Endpoint{Address: in.FromEmailAddress.EmailAddress, DisplayName: in.FromEmailAddress.DisplayName}
	for _, e := range append([]Endpoint{customer, {Address: in.DestinationEmailAddress}}, append(to, cc...)...) {
		if err := noCRLF("EmailAddress", e.Address); err != nil {
			return nil, err
		}
		if err := noCRLF("DisplayName", e.DisplayName); err != nil {
			return nil, err
		}
	}
	if err := noCRLF("Subject", rm.Subject); err != nil {
		return nil, err
	}
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	dest, err := s.cfg.Stores.EmailAddresses.FindEmailAddress(ctx, inst.ID, in.DestinationEmailAddress)
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf("EmailAddress", "DestinationEmailAddress %s is not an email address of instance %s", in.DestinationEmailAddress, inst.ID)
	}
	if err != nil {
		return nil, err
	}
	written := Endpoint{Address: dest.Address, DisplayName: dest.DisplayName}
	if dest.AliasOf != "" {
		primary, err := s.cfg.Stores.EmailAddresses.GetEmailAddress(ctx, inst.ID, dest.AliasOf)
		if err != nil {
			return nil, emailErr(err, dest.AliasOf)
		}
		dest = primary
	}
	system := Endpoint{Address: dest.Address, DisplayName: dest.DisplayName}

	now := s.now()
	id := newContactID()
	c := &Contact{
		ID: id, ARN: inst.ARN + "/contact/" + id, InstanceID: inst.ID,
		Channel: "EMAIL", InitiationMethod: "API", Name: in.Name, Description: in.Description,
		Attributes: in.Attributes, SegmentAttributes: in.SegmentAttributes,
		State: StateReceived, InitiatedAt: now, UpdatedAt: now, InitialContactID: id,
		From: customer, To: system, ToList: to, Cc: cc, Subject: rm.Subject, Source: "INBOUND",
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
		c.Attributes = mergeAttributes(rel.Attributes, in.Attributes)
	}

	d := &Draft{From: customer, To: append([]Endpoint{written}, to...), Cc: cc, Subject: rm.Subject, Date: now}
	switch mediaType(rm.ContentType) {
	case "text/plain":
		d.Text = rm.Body
	case "text/html":
		d.HTML = rm.Body
	default:
		return nil, fault.New(fault.Invalid, "ContentType %s is not supported; use text/plain or text/html", rm.ContentType)
	}
	keys := make([]string, 0, len(rm.Headers))
	for k := range rm.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := rm.Headers[k]
		if err := noCRLF("Headers."+k, v); err != nil {
			return nil, err
		}
		switch k {
		case "MESSAGE_ID":
			if ids := messageIDs(v); len(ids) > 0 {
				d.MessageID = strings.Trim(ids[0], "<>")
			}
		case "IN_REPLY_TO":
			if ids := messageIDs(v); len(ids) > 0 {
				d.InReplyTo = ids[0]
			}
		case "REFERENCES":
			d.References = strings.Join(messageIDs(v), " ")
		default:
			if name, ok := inboundHeaders[k]; ok {
				d.Headers = append(d.Headers, [2]string{name, v})
			}
		}
	}
	if d.MessageID == "" {
		d.MessageID = id + "@" + domainOf(customer.Address)
	}
	refs := map[string]Reference{}
	for k, r := range in.References {
		refs[k] = r
	}
	for i, a := range in.Attachments {
		name := a.FileName
		if _, dup := refs[name]; dup {
			name = a.FileName + "#" + strconv.Itoa(i+1)
		}
		ref := Reference{Type: "ATTACHMENT", Value: a.S3Url, Status: FileApproved}
		if f, data, ok := s.localFile(ctx, inst, a.S3Url); ok {
			d.Attachments = append(d.Attachments, Attachment{Filename: a.FileName, ContentType: f.ContentType, Data: data})
			ref.ARN = f.ARN
		}
		refs[name] = ref
	}
	if len(refs) > 0 {
		c.References = refs
	}
	raw, err := s.cfg.Composer.Compose(d)
	if err != nil {
		if fault.KindOf(err) == fault.Internal {
			return nil, fault.Wrap(err, "composing the message failed")
		}
		return nil, err
	}
	c.MessageID = "<" + d.MessageID + ">"
	rcpts := []string{written.Address}
	for _, e := range append(to, cc...) {
		rcpts = append(rcpts, e.Address)
	}
	out := &contactStarted{ContactID: c.ID}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	ev := []Event{s.event(c, EventInitiated, map[string]any{"from": customer.Address, "to": written.Address})}
	o := &Outbound{
		Contact: c,
		Message: Message{ContactID: c.ID, InstanceID: inst.ID, EnvelopeFrom: customer.Address, Recipients: rcpts, Raw: raw},
		Events:  ev,
		Idem:    clientIdem("StartEmailContact", tok, in, out),
	}
	err = s.cfg.Stores.Contacts.CreateContactMessage(ctx, o, false)
	if ok, err := replay(contactErr(err, c.ID), tok.Token, out); ok || err != nil {
		return out, err
	}
	s.cfg.Publish(ev)
	return out, nil
}

// SendOutboundEmail sends an outbound-campaign email. No contact is
// returned, but one is kept (InitiationMethod EXTERNAL_OUTBOUND) so that the
// message is composed, queued, delivered, retried and inspected exactly like
// the message of StartOutboundEmailContact.
func (s *Service) SendOutboundEmail(ctx context.Context, in *SendOutboundEmailInput) error {
	if in.TrafficType != "CAMPAIGN" {
		return fault.New(fault.Invalid, "TrafficType %s is not supported; SendOutboundEmail only sends CAMPAIGN traffic", in.TrafficType)
	}
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	from := in.FromEmailAddress
	start := &StartOutboundEmailContactInput{
		InstanceID: inst.ID, FromEmailAddress: &from, DestinationEmailAddress: in.DestinationEmailAddress,
		AdditionalRecipients: in.AdditionalRecipients, EmailMessage: in.EmailMessage,
	}
	now := s.now()
	id := newContactID()
	c := &Contact{
		ID: id, ARN: inst.ARN + "/contact/" + id, InstanceID: inst.ID,
		Channel: "EMAIL", InitiationMethod: "EXTERNAL_OUTBOUND", State: StateCreated,
		InitiatedAt: now, UpdatedAt: now, InitialContactID: id,
	}
	if sc := in.SourceCampaign; sc != nil {
		c.Name = sc.CampaignID
		c.Description = sc.OutboundRequestID
	}
	o, err := s.composeOutbound(ctx, inst, c, start)
	if err != nil {
		return err
	}
	detail := map[string]any{"trafficType": in.TrafficType}
	if sc := in.SourceCampaign; sc != nil {
		detail["campaignId"], detail["outboundRequestId"] = sc.CampaignID, sc.OutboundRequestID
	}
	o.Events = append([]Event{s.event(c, EventInitiated, detail)}, o.Events...)
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	o.Idem = clientIdem("SendOutboundEmail", tok, in, struct{}{})
	err = s.commitQueued(o, func() error { return s.cfg.Stores.Contacts.CreateContactMessage(ctx, o, true) })
	if ok, err := replay(contactErr(err, c.ID), tok.Token, &struct{}{}); ok || err != nil {
		return err
	}
	s.cfg.Publish(o.Events)
	return nil
}

// checkSegmentAttributes applies CreateContact's rule: only the system
// segment attributes connect:ContactExpiry and connect:Subtype may be set.
func checkSegmentAttributes(seg map[string]SegmentAttributeValue) error {
	for k := range seg {
		if strings.HasPrefix(k, "connect:") && k != "connect:ContactExpiry" && k != "connect:Subtype" {
			return fault.New(fault.Invalid, "Segment attribute %s cannot be set", k)
		}
	}
	return nil
}

// mergeAttributes returns base overridden by over (nil when both are empty).
func mergeAttributes(base, over map[string]string) map[string]string {
	if len(base)+len(over) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// messageIDs returns the well-formed message ids ("<left@right>") of a
// Message-ID, In-Reply-To or References value. Customers' mail is taken as
// it comes: malformed ids are dropped rather than refused.
func messageIDs(v string) []string {
	var out []string
	for _, f := range strings.Fields(v) {
		id := strings.TrimSuffix(strings.TrimPrefix(f, "<"), ">")
		l, r, ok := strings.Cut(id, "@")
		if !ok || l == "" || r == "" || strings.ContainsAny(id, "<>()[]\\\",;:") || strings.Count(id, "@") != 1 {
			continue
		}
		printable := true
		for _, c := range id {
			printable = printable && c > ' ' && c <= '~'
		}
		if printable {
			out = append(out, "<"+id+">")
		}
	}
	return out
}

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(ct string) string {
	ct = strings.ToLower(strings.TrimSpace(ct))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	return ct
}
