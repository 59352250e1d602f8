package postgres

import (
	"context"
	"fmt"
)

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
