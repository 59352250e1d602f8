package sqlstore

import (
	"context"
	"encoding/hex"
)

// DatabaseID returns the database's random id, made when it was created.
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	var id string
	err := s.read().QueryRow(ctx, `SELECT value FROM meta WHERE name = 'database_id'`).Scan(&id)
	return id, err
}

// URLKey returns the database's secret key for signing URLs, made when it
// was created.
func (s *Store) URLKey(ctx context.Context) ([]byte, error) {
	var k string
	if err := s.read().QueryRow(ctx, `SELECT value FROM meta WHERE name = 'url_key'`).Scan(&k); err != nil {
		return nil, err
	}
	return hex.DecodeString(k)
}
