package connect

import (
	"context"
	"strings"
	"sync"
	"time"
)

// cachingStore is a Store that keeps what every send reads and almost never
// changes — instances and email addresses — for a short time, so that a
// send costs the database its contact and nothing else. This process's own
// changes to instances or email addresses drop the cache at once; another
// node's (PostgreSQL) show after at most ttl. Only found rows are kept, so a
// resource created anywhere is visible immediately.
type cachingStore struct {
	Store
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	instances map[string]cached[*Instance]
	addresses map[string]cached[*EmailAddress]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

// cacheLimit bounds each map; a full map is emptied rather than evicted
// entry by entry, since it only fills with many instances read at once.
const cacheLimit = 4096

func newCachingStore(s Store, ttl time.Duration, now func() time.Time) *cachingStore {
	c := &cachingStore{Store: s, ttl: ttl, now: now}
	c.clear()
	return c
}

func (c *cachingStore) clear() {
	c.mu.Lock()
	c.instances = map[string]cached[*Instance]{}
	c.addresses = map[string]cached[*EmailAddress]{}
	c.mu.Unlock()
}

// lookup returns a copy of the cached value for key, or loads, keeps and
// returns it.
func lookup[V any](c *cachingStore, m *map[string]cached[*V], key string, load func() (*V, error)) (*V, error) {
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

// GetInstance implements Store.
func (c *cachingStore) GetInstance(ctx context.Context, id string) (*Instance, error) {
	return lookup(c, &c.instances, id, func() (*Instance, error) { return c.Store.GetInstance(ctx, id) })
}

// FindEmailAddress implements Store.
func (c *cachingStore) FindEmailAddress(ctx context.Context, instanceID, address string) (*EmailAddress, error) {
	return lookup(c, &c.addresses, instanceID+"\x00"+strings.ToLower(address), func() (*EmailAddress, error) {
		return c.Store.FindEmailAddress(ctx, instanceID, address)
	})
}

// The writes below change what the cache holds: each drops it.

// DeleteInstance implements Store.
func (c *cachingStore) DeleteInstance(ctx context.Context, id string) error {
	defer c.clear()
	return c.Store.DeleteInstance(ctx, id)
}

// UpdateEmailAddress implements Store.
func (c *cachingStore) UpdateEmailAddress(ctx context.Context, e *EmailAddress) error {
	defer c.clear()
	return c.Store.UpdateEmailAddress(ctx, e)
}

// DeleteEmailAddress implements Store.
func (c *cachingStore) DeleteEmailAddress(ctx context.Context, instanceID, id string) error {
	defer c.clear()
	return c.Store.DeleteEmailAddress(ctx, instanceID, id)
}

// ModifyEmailAddresses implements Store.
func (c *cachingStore) ModifyEmailAddresses(ctx context.Context, instanceID string, idem *Idem, fn func(all []*EmailAddress) ([]*EmailAddress, error)) error {
	defer c.clear()
	return c.Store.ModifyEmailAddresses(ctx, instanceID, idem, fn)
}

// ModifyTags implements Store.
func (c *cachingStore) ModifyTags(ctx context.Context, ref ResourceRef, fn func(tags map[string]string) (map[string]string, error)) error {
	defer c.clear()
	return c.Store.ModifyTags(ctx, ref, fn)
}
