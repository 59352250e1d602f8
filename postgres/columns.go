package postgres

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// tm is a stored time: UTC, at the millisecond precision the SQLite store keeps.
func tm(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// fromTS reads a nullable time column.
func fromTS(t *time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func unmarshal(b []byte, v any) {
	if len(b) > 0 {
		_ = json.Unmarshal(b, v)
	}
}

// notFound reports pgx's no-rows error.
func notFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
