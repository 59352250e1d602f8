package connect

import (
	"context"
	"maps"
	"sort"
	"strings"

	"github.com/connectmail/connectmail/fault"
)

// MaxTags is the most tags one resource may carry.
const MaxTags = 50

// parseARN resolves a Connect ARN of the caller's region and this account:
// an instance, or an email address, contact or attached file of an instance.
func (s *Service) parseARN(ctx context.Context, arn string) (ResourceRef, error) {
	notFound := fault.NotFoundf("Resource", "Resource not found: %s", arn)
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "connect" {
		return ResourceRef{}, fault.New(fault.InvalidParameter, "%s is not an Amazon Connect ARN", arn)
	}
	if parts[3] != CallerFrom(ctx).Region || parts[4] != s.cfg.AccountID {
		return ResourceRef{}, notFound
	}
	seg := strings.Split(parts[5], "/")
	if len(seg) < 2 || seg[0] != "instance" || seg[1] == "" {
		return ResourceRef{}, fault.New(fault.InvalidParameter, "connectmail can tag instances and their email addresses, contacts and attached files, not %s", arn)
	}
	switch {
	case len(seg) == 2:
		return ResourceRef{Type: ResourceInstance, InstanceID: seg[1], ID: seg[1]}, nil
	case len(seg) == 4 && seg[3] != "":
		switch seg[2] {
		case ResourceEmailAddress, ResourceContact, ResourceFile:
			return ResourceRef{Type: seg[2], InstanceID: seg[1], ID: seg[3]}, nil
		}
	}
	return ResourceRef{}, fault.New(fault.InvalidParameter, "connectmail can tag instances and their email addresses, contacts and attached files, not %s", arn)
}

// resourceTags reads the tags of a resource (NotFound when it does not exist).
func (s *Service) resourceTags(ctx context.Context, ref ResourceRef) (map[string]string, error) {
	var tags map[string]string
	var err error
	switch ref.Type {
	case ResourceInstance:
		var in *Instance
		if in, err = s.cfg.Stores.Instances.GetInstance(ctx, ref.ID); err == nil {
			tags = in.Tags
		}
	case ResourceEmailAddress:
		var e *EmailAddress
		if e, err = s.cfg.Stores.EmailAddresses.GetEmailAddress(ctx, ref.InstanceID, ref.ID); err == nil {
			tags = e.Tags
		}
	case ResourceContact:
		var c *Contact
		if c, err = s.cfg.Stores.Contacts.GetContact(ctx, ref.InstanceID, ref.ID); err == nil {
			tags = c.Tags
		}
	case ResourceFile:
		var f *File
		if f, err = s.cfg.Stores.Files.GetFile(ctx, ref.InstanceID, ref.ID); err == nil {
			tags = f.Tags
		}
	}
	if fault.Is(err, fault.NotFound) {
		return nil, fault.NotFoundf("Resource", "Resource not found: %s %s", ref.Type, ref.ID)
	}
	return tags, err
}

// modifyTags applies fn to a resource's tags; contacts also get a
// CONTACT_DATA_UPDATED event.
func (s *Service) modifyTags(ctx context.Context, arn string, fn func(map[string]string) (map[string]string, error)) error {
	ref, err := s.parseARN(ctx, arn)
	if err != nil {
		return err
	}
	if ref.Type != ResourceContact {
		err = s.cfg.Stores.Tags.ModifyTags(ctx, ref, fn)
		err = fault.Word(err, ErrNotTaggable, "resources of type %s cannot be tagged through ModifyTags", ref.Type)
		if fault.Is(err, fault.NotFound) {
			return fault.NotFoundf("Resource", "Resource not found: %s", arn)
		}
		return err
	}
	var ev []Event
	err = s.cfg.Stores.Contacts.ModifyContact(ctx, ref.InstanceID, ref.ID, func(c *Contact) ([]Event, error) {
		tags, err := fn(maps.Clone(c.Tags))
		if err != nil {
			return nil, err
		}
		c.Tags = tags
		c.UpdatedAt = s.now()
		ev = []Event{s.event(c, EventContactDataUpdated, map[string]any{"updatedProperties": []string{"Tags"}})}
		return ev, nil
	})
	if fault.Is(err, fault.NotFound) {
		return fault.NotFoundf("Resource", "Resource not found: %s", arn)
	}
	if err == nil {
		s.cfg.Publish(ev)
	}
	return err
}

// TagResource adds or replaces tags of an instance, email address, contact
// or attached file.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) error {
	return s.modifyTags(ctx, in.ResourceArn, func(tags map[string]string) (map[string]string, error) {
		if tags == nil {
			tags = map[string]string{}
		}
		maps.Copy(tags, in.Tags)
		if len(tags) > MaxTags {
			return nil, fault.New(fault.Invalid, "A resource can have at most %d tags; this would give it %d", MaxTags, len(tags))
		}
		return tags, nil
	})
}

// UntagResource removes tags; keys the resource does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	return s.modifyTags(ctx, in.ResourceArn, func(tags map[string]string) (map[string]string, error) {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return tags, nil
	})
}

// ListTagsForResource returns a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, arn string) (map[string]string, error) {
	ref, err := s.parseARN(ctx, arn)
	if err != nil {
		return nil, err
	}
	return s.resourceTags(ctx, ref)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
