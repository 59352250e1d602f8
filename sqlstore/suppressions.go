package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

const suppressionCols = `address, reason, contact_id, created_at, expires_at`

func scanSuppression(row Row) (connect.Suppression, error) {
	var e connect.Suppression
	err := row.Scan(&e.Address, &e.Reason, &e.ContactID, TimeCol{&e.CreatedAt}, TimeCol{&e.ExpiresAt})
	return e, err
}

// Suppressed implements connect.SuppressionStore.
func (s *Store) Suppressed(ctx context.Context, addresses []string, now time.Time) (map[string]connect.Suppression, error) {
	out := map[string]connect.Suppression{}
	if len(addresses) == 0 || !s.e.Occupied(Suppressions) {
		return out, nil
	}
	args := make([]any, 0, len(addresses)+1)
	args = append(args, s.d.Time(now))
	for _, a := range addresses {
		args = append(args, strings.ToLower(a))
	}
	rows, err := s.read().Query(ctx, s.q(`SELECT `+suppressionCols+` FROM suppressions
 WHERE (expires_at > ? OR `+s.d.ZeroTime("expires_at")+`) AND address_lc IN (?`+strings.Repeat(",?", len(addresses)-1)+`)`), args...)
	list, err := Collect(rows, err, scanSuppression)
	for _, e := range list {
		out[strings.ToLower(e.Address)] = e
	}
	return out, err
}

// Suppress implements connect.SuppressionStore.
func (s *Store) Suppress(ctx context.Context, entries []connect.Suppression) error {
	if len(entries) == 0 {
		return nil
	}
	return s.write(ctx, Write{}, func(tx Tx) error {
		for _, e := range entries {
			if err := tx.Queue(ctx, s.q(`INSERT INTO suppressions(address_lc, `+suppressionCols+`) VALUES (?,?,?,?,?,?)
 ON CONFLICT (address_lc) DO UPDATE SET address = excluded.address, reason = excluded.reason, contact_id = excluded.contact_id,
   created_at = excluded.created_at, expires_at = excluded.expires_at`),
				strings.ToLower(e.Address), e.Address, e.Reason, e.ContactID, s.d.Time(e.CreatedAt), s.d.NullTime(e.ExpiresAt)); err != nil {
				return err
			}
		}
		return tx.Changed(ctx, Suppressions, true)
	})
}

// ListSuppressions implements connect.SuppressionStore.
func (s *Store) ListSuppressions(ctx context.Context, after string, limit int) ([]connect.Suppression, error) {
	rows, err := s.read().Query(ctx, s.q(`SELECT `+suppressionCols+` FROM suppressions WHERE address_lc > ? ORDER BY address_lc LIMIT ?`), strings.ToLower(after), limit)
	return Collect(rows, err, scanSuppression)
}

// Unsuppress implements connect.SuppressionStore.
func (s *Store) Unsuppress(ctx context.Context, address string) error {
	return s.write(ctx, Write{}, func(tx Tx) error {
		n, err := tx.Exec(ctx, s.q(`DELETE FROM suppressions WHERE address_lc = ?`), strings.ToLower(address))
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.NotFoundf("Suppression", "")
		}
		return tx.Changed(ctx, Suppressions, false)
	})
}
