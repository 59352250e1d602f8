package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"sync"
)

// keyCacheSize bounds the number of derived signing keys a Verifier keeps.
// A key is valid for one (secret, day, region, service), so a few entries per
// access key are enough.
const keyCacheSize = 256

// derivedKey is a SigV4 signing key expanded into the inner and outer HMAC
// blocks, so that signing a string costs two SHA-256 passes and no
// allocation.
type derivedKey struct {
	ipad, opad [sha256.BlockSize]byte
}

type cacheKey struct {
	secret, date, region, service string
}

// keyCache is a small bounded map of derived signing keys, safe for
// concurrent use. When full, an arbitrary entry is evicted.
type keyCache struct {
	mu sync.RWMutex
	m  map[cacheKey]*derivedKey
}

func (c *keyCache) get(secret, date, region, service string) *derivedKey {
	k := cacheKey{secret, date, region, service}
	c.mu.RLock()
	d := c.m[k]
	c.mu.RUnlock()
	if d != nil {
		return d
	}
	d = deriveKey(secret, date, region, service)
	// The scope strings may point into a large header: keep copies.
	k = cacheKey{strings.Clone(secret), strings.Clone(date), strings.Clone(region), strings.Clone(service)}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[cacheKey]*derivedKey, keyCacheSize)
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= keyCacheSize {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = d
	c.mu.Unlock()
	return d
}

func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// signingKey derives the SigV4 signing key for a credential scope.
func signingKey(secret, date, region, service string) []byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	return mac(k, terminator)
}

func deriveKey(secret, date, region, service string) *derivedKey {
	key := signingKey(secret, date, region, service) // 32 bytes, shorter than a block
	d := new(derivedKey)
	copy(d.ipad[:], key)
	copy(d.opad[:], key)
	for i := range d.ipad {
		d.ipad[i] ^= 0x36
		d.opad[i] ^= 0x5c
	}
	return d
}
