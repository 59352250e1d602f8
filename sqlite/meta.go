package sqlite

import (
	"context"
	"fmt"
	"os"
)

// Ping reports whether the database is usable: its file is still the one
// the store opened (not removed or replaced underneath it), it can be opened,
// a query reads this database's id, and the last commit or write-ahead-log
// sync did not fail. It is cheap: /healthz calls it.
func (s *Store) Ping(ctx context.Context) error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("database file %s: %w", s.path, err)
	}
	if !os.SameFile(fi, s.file) {
		return fmt.Errorf("database file %s was removed or replaced after the server started; writes go to a file no one will find", s.path)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("database file %s: %w", s.path, err)
	}
	f.Close()
	if p := s.syncer.storageErr.Load(); p != nil {
		return fmt.Errorf("database %s: the last write failed: %w", s.path, *p)
	}
	id, err := s.DatabaseID(ctx)
	if err != nil {
		return fmt.Errorf("database %s: reading it failed: %w", s.path, err)
	}
	if id != s.id {
		return fmt.Errorf("database file %s is another database than the one the server started on", s.path)
	}
	return nil
}
