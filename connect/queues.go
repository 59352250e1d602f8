package connect

import (
	"context"
	"strconv"
	"time"

	"github.com/connectmail/connectmail/fault"
)

// MaxQueueEmailAddresses is the most email addresses one queue may have
// (one default outbound address and 49 more).
const MaxQueueEmailAddresses = 50

// connectmail has no queue resources: a queue id names a set of email
// addresses of the instance, which exists once an address is linked to it.

// addresses resolves email address ids (or ARNs) of the instance.
func (s *Service) addresses(ctx context.Context, inst *Instance, ids []string) ([]*EmailAddress, error) {
	out := make([]*EmailAddress, 0, len(ids))
	for _, id := range ids {
		_, e, err := s.emailAddress(ctx, inst.ID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// AssociateQueueEmailAddresses links email addresses to a queue; addresses
// already linked stay as they are.
func (s *Service) AssociateQueueEmailAddresses(ctx context.Context, in *QueueEmailAddressesInput) error {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	addrs, err := s.addresses(ctx, inst, in.EmailAddressesID)
	if err != nil {
		return err
	}
	now := s.now()
	return s.cfg.Stores.QueueAddresses.ModifyQueueEmailAddresses(ctx, inst.ID, in.QueueID, func(cur []QueueEmailAddress) ([]QueueEmailAddress, error) {
		for _, e := range addrs {
			if !linked(cur, e.ID) {
				cur = append(cur, QueueEmailAddress{InstanceID: inst.ID, QueueID: in.QueueID, EmailAddressID: e.ID, ModifiedAt: now})
			}
		}
		if len(cur) > MaxQueueEmailAddresses {
			return nil, fault.New(fault.Quota, "A queue can have at most %d email addresses; this would give it %d", MaxQueueEmailAddresses, len(cur))
		}
		return cur, nil
	})
}

// DisassociateQueueEmailAddresses unlinks email addresses from a queue;
// unlinking the default outbound address leaves the queue without one.
func (s *Service) DisassociateQueueEmailAddresses(ctx context.Context, in *QueueEmailAddressesInput) error {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	addrs, err := s.addresses(ctx, inst, in.EmailAddressesID)
	if err != nil {
		return err
	}
	return s.cfg.Stores.QueueAddresses.ModifyQueueEmailAddresses(ctx, inst.ID, in.QueueID, func(cur []QueueEmailAddress) ([]QueueEmailAddress, error) {
		next := cur[:0]
		for _, l := range cur {
			drop := false
			for _, e := range addrs {
				drop = drop || l.EmailAddressID == e.ID
			}
			if !drop {
				next = append(next, l)
			}
		}
		return next, nil
	})
}

// UpdateQueueOutboundEmailConfig sets a queue's default outbound address,
// linking it to the queue when it is not linked yet; without an address the
// queue has no default any more.
func (s *Service) UpdateQueueOutboundEmailConfig(ctx context.Context, in *UpdateQueueOutboundEmailConfigInput) error {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	var def *EmailAddress
	if id := in.OutboundEmailAddressID; id != "" {
		if _, def, err = s.emailAddress(ctx, inst.ID, id); err != nil {
			return err
		}
	}
	now := s.now()
	return s.cfg.Stores.QueueAddresses.ModifyQueueEmailAddresses(ctx, inst.ID, in.QueueID, func(cur []QueueEmailAddress) ([]QueueEmailAddress, error) {
		if def != nil && !linked(cur, def.ID) {
			if len(cur) >= MaxQueueEmailAddresses {
				return nil, fault.New(fault.Invalid, "Queue %s already has %d email addresses", in.QueueID, len(cur))
			}
			cur = append(cur, QueueEmailAddress{InstanceID: inst.ID, QueueID: in.QueueID, EmailAddressID: def.ID})
		}
		for i := range cur {
			isDef := def != nil && cur[i].EmailAddressID == def.ID
			if cur[i].Default != isDef {
				cur[i].Default = isDef
				cur[i].ModifiedAt = now
			}
		}
		return cur, nil
	})
}

// ListQueueEmailAddresses pages the email addresses of a queue.
func (s *Service) ListQueueEmailAddresses(ctx context.Context, in *ListQueueEmailAddressesInput) (*QueueEmailAddressPage, error) {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != "" {
		tok, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if offset, err = strconv.Atoi(tok); err != nil || offset < 0 {
			return nil, fault.New(fault.Invalid, "The NextToken is not valid.")
		}
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = 100
	}
	links, err := s.cfg.Stores.QueueAddresses.ListQueueEmailAddresses(ctx, inst.ID, in.QueueID)
	if err != nil {
		return nil, err
	}
	all, err := s.cfg.Stores.EmailAddresses.ListEmailAddresses(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	arns := make(map[string]string, len(all))
	for _, e := range all {
		arns[e.ID] = e.ARN
	}
	out := &QueueEmailAddressPage{Addresses: []QueueAddress{}}
	for _, l := range links {
		if out.LastModified == nil || l.ModifiedAt.Truncate(time.Millisecond).After(*out.LastModified) {
			t := l.ModifiedAt.Truncate(time.Millisecond)
			out.LastModified = &t
			out.LastModifiedRegion = CallerFrom(ctx).Region
		}
	}
	offset = min(offset, len(links))
	end := min(offset+limit, len(links))
	for _, l := range links[offset:end] {
		out.Addresses = append(out.Addresses, QueueAddress{ID: l.EmailAddressID, ARN: arns[l.EmailAddressID], IsDefault: l.Default})
	}
	if end < len(links) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}

// queueDefaultSender returns the default outbound address of the instance's
// queues that was set first, or nil when no queue has one.
func (s *Service) queueDefaultSender(ctx context.Context, instanceID string, all []*EmailAddress) (*EmailAddress, error) {
	links, err := s.cfg.Stores.QueueAddresses.ListQueueEmailAddresses(ctx, instanceID, "")
	if err != nil {
		return nil, err
	}
	var best *QueueEmailAddress
	for i := range links {
		if l := &links[i]; l.Default && (best == nil || l.ModifiedAt.Before(best.ModifiedAt)) {
			best = l
		}
	}
	if best == nil {
		return nil, nil
	}
	for _, e := range all {
		if e.ID == best.EmailAddressID {
			return e, nil
		}
	}
	return nil, nil
}

func linked(cur []QueueEmailAddress, id string) bool {
	for _, l := range cur {
		if l.EmailAddressID == id {
			return true
		}
	}
	return false
}
