package postgres

import (
	"context"
	"encoding/hex"
	"fmt"
)

// DatabaseID returns the database's random id, made when it was created.
func (s *Store) DatabaseID(ctx context.Context) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'database_id'`).Scan(&id)
	return id, err
}

// URLKey returns the database's secret key for signing URLs, made when it
// was created.
func (s *Store) URLKey(ctx context.Context) ([]byte, error) {
	var k string
	if err := s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'url_key'`).Scan(&k); err != nil {
		return nil, err
	}
	return hex.DecodeString(k)
}

// Ping reports whether the database answers: a query on a pooled (or new)
// connection reads the database's id, which must be the one the store
// opened. It is cheap: /healthz calls it.
func (s *Store) Ping(ctx context.Context) error {
	id, err := s.DatabaseID(ctx)
	if err != nil {
		return fmt.Errorf("PostgreSQL did not answer: %w", err)
	}
	if id != s.id {
		return fmt.Errorf("PostgreSQL: the database is another one than the one the server started on")
	}
	return nil
}
