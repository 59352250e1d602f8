package connect

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// cache keeps, for the stores that wrap it (cachedInstances,
// cachedAddresses, cachedContacts, cachedTags), what every send reads and almost never
// changes — instances and email addresses — for a short time, so that a
// send costs the database its contact and nothing else. This process's own
// changes to instances or email addresses drop the cache at once; another
// node's (PostgreSQL) show after at most ttl. Only found rows are kept, so a
// resource created anywhere is visible immediately.
//
// When the store is used by a single process (no other process writes to
// it: SQLite), it also keeps the contacts this process creates, until their
// first change, so that StartOutboundEmailContact right after CreateContact
// does not read the contact back. Every change of a contact goes through the
// Service's ContactStore (delivery outcomes only touch contacts that were started, which are no
// longer kept), so what it returns is exact.
type cache struct {
	ttl time.Duration
	now func() time.Time
	// keepContacts: keep new contacts (single-process stores only).
	keepContacts bool

	mu        sync.Mutex
	instances map[string]cached[*Instance]
	addresses map[string]cached[*EmailAddress]
	contacts  map[string]cached[*Contact]
}

// SingleProcessStore is implemented by stores that no other process writes to.
type SingleProcessStore interface {
	// SingleProcess reports that every change to the store goes through this process.
	SingleProcess() bool
}

// contactTTL bounds how long a created contact is kept for its start.
const contactTTL = 30 * time.Second

type cached[V any] struct {
	v       V
	expires time.Time
}

// cacheLimit bounds each map; a full map is emptied rather than evicted
// entry by entry, since it only fills with many instances read at once.
const cacheLimit = 4096

// The stores that read through the cache and drop it on the writes that
// change what it holds.
type (
	cachedInstances struct {
		InstanceStore
		c *cache
	}
	cachedAddresses struct {
		EmailAddressStore
		c *cache
	}
	cachedContacts struct {
		ContactStore
		c *cache
	}
	cachedTags struct {
		TagStore
		c *cache
	}
)

// withCache returns st with its instances, email addresses, contacts and
// tags read through one cache.
func withCache(st Stores, ttl time.Duration, now func() time.Time) Stores {
	c := &cache{ttl: ttl, now: now}
	if x, ok := st.Contacts.(SingleProcessStore); ok && x.SingleProcess() {
		c.keepContacts = true
	}
	c.clear()
	st.Instances = cachedInstances{st.Instances, c}
	st.EmailAddresses = cachedAddresses{st.EmailAddresses, c}
	st.Contacts = cachedContacts{st.Contacts, c}
	st.Tags = cachedTags{st.Tags, c}
	return st
}

func (c *cache) clear() {
	c.mu.Lock()
	c.instances = map[string]cached[*Instance]{}
	c.addresses = map[string]cached[*EmailAddress]{}
	c.contacts = map[string]cached[*Contact]{}
	c.mu.Unlock()
}

// cloneContact copies a contact deeply enough that changing the copy never
// changes the original.
func cloneContact(c *Contact) *Contact {
	d := *c
	d.Attributes = maps.Clone(c.Attributes)
	d.Tags = maps.Clone(c.Tags)
	d.References = maps.Clone(c.References)
	d.SegmentAttributes = cloneSegments(c.SegmentAttributes)
	d.ToList = slices.Clone(c.ToList)
	d.Cc = slices.Clone(c.Cc)
	d.NotInterpolated = slices.Clone(c.NotInterpolated)
	return &d
}

// forget drops a kept contact.
func (c *cache) forget(id string) {
	if !c.keepContacts {
		return
	}
	c.mu.Lock()
	delete(c.contacts, id)
	c.mu.Unlock()
}

// CreateContact implements ContactStore.
func (w cachedContacts) CreateContact(ctx context.Context, ct *Contact, events []Event, idem *Idem) error {
	c := w.c
	err := w.ContactStore.CreateContact(ctx, ct, events, idem)
	if err == nil && c.keepContacts {
		keep := cloneContact(ct)
		now := c.now()
		c.mu.Lock()
		if len(c.contacts) >= cacheLimit {
			for id, e := range c.contacts {
				if !now.Before(e.expires) {
					delete(c.contacts, id)
				}
			}
		}
		if len(c.contacts) < cacheLimit {
			c.contacts[ct.ID] = cached[*Contact]{v: keep, expires: now.Add(contactTTL)}
		}
		c.mu.Unlock()
	}
	return err
}

// GetContact implements ContactStore.
func (w cachedContacts) GetContact(ctx context.Context, instanceID, id string) (*Contact, error) {
	c := w.c
	if c.keepContacts {
		c.mu.Lock()
		e, ok := c.contacts[id]
		c.mu.Unlock()
		if ok && c.now().Before(e.expires) && (instanceID == "" || instanceID == e.v.InstanceID) {
			return cloneContact(e.v), nil
		}
	}
	return w.ContactStore.GetContact(ctx, instanceID, id)
}

// UpdateContact implements ContactStore.
func (w cachedContacts) UpdateContact(ctx context.Context, ct *Contact, expect State, events []Event) error {
	c := w.c
	c.forget(ct.ID)
	defer c.forget(ct.ID)
	return w.ContactStore.UpdateContact(ctx, ct, expect, events)
}

// StartOutbound implements ContactStore.
func (w cachedContacts) StartOutbound(ctx context.Context, o *Outbound) error {
	c := w.c
	c.forget(o.Contact.ID)
	defer c.forget(o.Contact.ID)
	return w.ContactStore.StartOutbound(ctx, o)
}

// ModifyContact implements ContactStore.
func (w cachedContacts) ModifyContact(ctx context.Context, instanceID, id string, fn func(c *Contact) ([]Event, error)) error {
	c := w.c
	c.forget(id)
	defer c.forget(id)
	return w.ContactStore.ModifyContact(ctx, instanceID, id, fn)
}

// lookup returns a copy of the cached value for key, or loads, keeps and
// returns it.
func lookup[V any](c *cache, m *map[string]cached[*V], key string, load func() (*V, error)) (*V, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := (*m)[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		v := *e.v
		return &v, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	keep := *v
	c.mu.Lock()
	if len(*m) >= cacheLimit {
		*m = map[string]cached[*V]{}
	}
	(*m)[key] = cached[*V]{v: &keep, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// GetInstance implements InstanceStore.
func (w cachedInstances) GetInstance(ctx context.Context, id string) (*Instance, error) {
	c := w.c
	return lookup(c, &c.instances, id, func() (*Instance, error) { return w.InstanceStore.GetInstance(ctx, id) })
}

// FindEmailAddress implements EmailAddressStore.
func (w cachedAddresses) FindEmailAddress(ctx context.Context, instanceID, address string) (*EmailAddress, error) {
	c := w.c
	return lookup(c, &c.addresses, instanceID+"\x00"+strings.ToLower(address), func() (*EmailAddress, error) {
		return w.EmailAddressStore.FindEmailAddress(ctx, instanceID, address)
	})
}

// LookupEmailAddress implements EmailAddressStore. Instance ids never contain "\x00",
// so the key cannot meet one of FindEmailAddress's.
func (w cachedAddresses) LookupEmailAddress(ctx context.Context, address string) (*EmailAddress, error) {
	c := w.c
	return lookup(c, &c.addresses, "\x00"+strings.ToLower(address), func() (*EmailAddress, error) {
		return w.EmailAddressStore.LookupEmailAddress(ctx, address)
	})
}

// The writes below change what the cache holds: each drops it.

// DeleteInstance implements InstanceStore.
func (w cachedInstances) DeleteInstance(ctx context.Context, id string) error {
	c := w.c
	defer c.clear()
	return w.InstanceStore.DeleteInstance(ctx, id)
}

// UpdateEmailAddress implements EmailAddressStore.
func (w cachedAddresses) UpdateEmailAddress(ctx context.Context, e *EmailAddress) error {
	c := w.c
	defer c.clear()
	return w.EmailAddressStore.UpdateEmailAddress(ctx, e)
}

// DeleteEmailAddress implements EmailAddressStore.
func (w cachedAddresses) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	c := w.c
	defer c.clear()
	return w.EmailAddressStore.DeleteEmailAddress(ctx, instanceID, id)
}

// ModifyEmailAddresses implements EmailAddressStore.
func (w cachedAddresses) ModifyEmailAddresses(ctx context.Context, instanceID string, idem *Idem, fn func(all []*EmailAddress) ([]*EmailAddress, error)) error {
	c := w.c
	defer c.clear()
	return w.EmailAddressStore.ModifyEmailAddresses(ctx, instanceID, idem, fn)
}

// ModifyTags implements TagStore.
func (w cachedTags) ModifyTags(ctx context.Context, ref ResourceRef, fn func(tags map[string]string) (map[string]string, error)) error {
	c := w.c
	defer c.clear()
	return w.TagStore.ModifyTags(ctx, ref, fn)
}
