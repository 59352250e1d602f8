package postgres

import (
	"context"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlstore"
	"github.com/jackc/pgx/v5"
)

// idemConflict is the SQLSTATE connectmail_claim_idem raises when a
// committed idempotency record with the same operation and token exists.
const idemConflict = "CM001"

// queueIdem queues the claim of the idempotency row (op, token). It must be
// the transaction's first write: a concurrent transaction with the same token
// waits in it until the first one ends, then fails with idemConflict if that
// one committed.
func queueIdem(b *pgx.Batch, op, token, hash string, resp []byte) {
	if resp == nil {
		resp = []byte{}
	}
	b.Queue(`SELECT connectmail_claim_idem($1, $2, $3, $4)`, op, token, hash, resp)
}

// storedIdem reads the committed idempotency record (op, token).
func (s *Store) storedIdem(ctx context.Context, op, token string) (hash string, resp []byte, err error) {
	err = s.pool.QueryRow(ctx, `SELECT hash, response FROM idempotency WHERE op = $1 AND token = $2`, op, token).Scan(&hash, &resp)
	return hash, resp, err
}

// idemResult turns a transaction's idemConflict into *connect.Replayed (same
// request) or fault.Idempotency (another request); other errors pass.
func (s *Store) idemResult(ctx context.Context, err error, idem *connect.Idem) error {
	if idem == nil || sqlState(err) != idemConflict {
		return err
	}
	hash, resp, err := s.storedIdem(ctx, idem.Op, idem.Token)
	if err != nil {
		return err
	}
	return sqlstore.IdemOutcome(idem, hash, resp)
}
