package connect

import (
	"context"
	"slices"
	"strconv"

	"github.com/connectmail/connectmail/fault"
)

// ReferencesPageSize is how many references one ListContactReferences page holds.
const ReferencesPageSize = 50

// GetContactAttributes returns the user-defined attributes of a contact (not nil).
func (s *Service) GetContactAttributes(ctx context.Context, instanceID, initialContactID string) (map[string]string, error) {
	_, c, err := s.contact(ctx, instanceID, initialContactID)
	if err != nil {
		return nil, err
	}
	if c.Attributes == nil {
		return map[string]string{}, nil
	}
	return c.Attributes, nil
}

// UpdateContactAttributes merges attributes into a contact's, in any state:
// new keys are added and existing ones replaced. The merged attributes must
// stay within the limits CreateContact enforces (32,768 bytes in total).
// A CONTACT_DATA_UPDATED event records the change.
func (s *Service) UpdateContactAttributes(ctx context.Context, in *UpdateContactAttributesInput) error {
	if err := checkAttributes(in.Attributes); err != nil {
		return err
	}
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	var ev []Event
	err = s.cfg.Stores.Contacts.ModifyContact(ctx, inst.ID, in.InitialContactID, func(c *Contact) ([]Event, error) {
		merged := mergeAttributes(c.Attributes, in.Attributes)
		if err := checkAttributes(merged); err != nil {
			return nil, err
		}
		c.Attributes = merged
		c.UpdatedAt = s.now()
		ev = []Event{s.event(c, EventContactDataUpdated, map[string]any{"updatedProperties": []string{"UserDefinedAttributes"}})}
		return ev, nil
	})
	if fault.Is(err, fault.NotFound) {
		return fault.NotFoundf("Contact", "Contact not found: %s", in.InitialContactID)
	}
	if err != nil {
		return err
	}
	s.cfg.Publish(ev)
	return nil
}

// ListContactReferences lists a contact's references of the requested types:
// its email message (EMAIL_MESSAGE, a file readable with GetAttachedFile),
// its attached files (ATTACHMENT) and the references it was created with.
func (s *Service) ListContactReferences(ctx context.Context, in *ListContactReferencesInput) (*ReferencePage, error) {
	inst, c, err := s.contact(ctx, in.InstanceID, in.ContactID)
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
	want := func(t string) bool { return slices.Contains(in.ReferenceTypes, t) }
	var all []ReferenceSummary
	if want("EMAIL_MESSAGE") {
		if _, err := s.cfg.Stores.Contacts.GetMessage(ctx, c.ID); err == nil {
			id := messageFilePrefix + c.ID
			all = append(all, ReferenceSummary{Type: "EMAIL_MESSAGE", Name: c.ID + ".eml", ARN: inst.ARN + "/file/" + id})
		} else if !fault.Is(err, fault.NotFound) {
			return nil, err
		}
	}
	if want("ATTACHMENT") {
		files, err := s.cfg.Stores.Files.ListFiles(ctx, inst.ID, c.ARN)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			all = append(all, ReferenceSummary{Type: "ATTACHMENT", Name: f.Name, Value: f.ID, Status: f.Status, ARN: f.ARN})
		}
	}
	refs := c.References
	for _, name := range sortedKeys(refs) {
		r := refs[name]
		if !want(r.Type) {
			continue
		}
		rs := ReferenceSummary{Type: r.Type, Name: name, Value: r.Value}
		switch r.Type {
		case "URL", "NUMBER", "STRING", "DATE", "EMAIL":
		case "ATTACHMENT":
			rs.Status, rs.ARN = r.Status, r.ARN
		default:
			continue
		}
		all = append(all, rs)
	}
	out := &ReferencePage{References: []ReferenceSummary{}}
	if offset > len(all) {
		offset = len(all)
	}
	end := min(offset+ReferencesPageSize, len(all))
	out.References = append(out.References, all[offset:end]...)
	if end < len(all) {
		out.NextToken = encodeToken(strconv.Itoa(end))
	}
	return out, nil
}
