// Package credentials holds the access keys connectmail accepts and what each
// key may do. Keys come from a JSON file:
//
//	{"keys": [
//	  {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "...", "allow": ["connect:*", "wisdom:*", "inspect:*"]}
//	]}
//
// "allow" lists actions as "<service>:<Operation>" with "*" wildcards; the
// services are connect, wisdom, inspect (the inspection API and web UI,
// "inspect:<METHOD>") and debug ("debug:pprof", the runtime profiles).
// A key with no "allow" list may do everything.
package credentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
)

// Key is one access key.
type Key struct {
	AccessKeyID     string   `json:"accessKeyId"`
	SecretAccessKey string   `json:"secretAccessKey"`
	Allow           []string `json:"allow,omitempty"`
}

// Set is an immutable set of keys.
type Set struct {
	keys map[string]Key
}

// Emulator returns the loopback default: key "test" with secret "test", allowed everything.
func Emulator() *Set {
	return &Set{keys: map[string]Key{"test": {AccessKeyID: "test", SecretAccessKey: "test"}}}
}

// Load reads a credentials file.
func Load(file string) (*Set, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// Parse parses the JSON form of a credentials file.
func Parse(b []byte) (*Set, error) {
	var f struct {
		Keys []Key `json:"keys"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if len(f.Keys) == 0 {
		return nil, fmt.Errorf("credentials: no keys")
	}
	s := &Set{keys: make(map[string]Key, len(f.Keys))}
	for i, k := range f.Keys {
		if k.AccessKeyID == "" || k.SecretAccessKey == "" {
			return nil, fmt.Errorf("credentials: key %d needs accessKeyId and secretAccessKey", i)
		}
		for _, p := range k.Allow {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("credentials: key %s: bad pattern %q", k.AccessKeyID, p)
			}
		}
		if _, dup := s.keys[k.AccessKeyID]; dup {
			return nil, fmt.Errorf("credentials: duplicate key %s", k.AccessKeyID)
		}
		s.keys[k.AccessKeyID] = k
	}
	return s, nil
}

// Secret returns the secret of an access key.
func (s *Set) Secret(accessKeyID string) (string, bool) {
	k, ok := s.keys[accessKeyID]
	return k.SecretAccessKey, ok
}

// Allowed reports whether the key may perform action ("connect:StartOutboundEmailContact").
func (s *Set) Allowed(accessKeyID, action string) bool {
	k, ok := s.keys[accessKeyID]
	if !ok {
		return false
	}
	if k.Allow == nil {
		return true
	}
	for _, p := range k.Allow {
		if m, _ := path.Match(p, action); m {
			return true
		}
	}
	return false
}

// DerivedKey returns a 32-byte key for purpose, derived from every access
// key and its secret: the same on every node that loads the same keys and
// across restarts, changed when any key changes, and unknown to a client
// that does not know every secret.
func (s *Set) DerivedKey(purpose string) []byte {
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	root := hmac.New(sha256.New, []byte("connectmail credentials v1"))
	field := func(v string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		root.Write(n[:])
		root.Write([]byte(v))
	}
	for _, id := range ids {
		field(id)
		field(s.keys[id].SecretAccessKey)
	}
	m := hmac.New(sha256.New, root.Sum(nil))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
