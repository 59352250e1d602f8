package sqlstore

import (
	"context"

	"github.com/connectmail/connectmail/connect"
)

// CheckIdem looks up the idempotency record of idem inside a write, for
// engines that check it before the write's statements: *connect.Replayed
// when the same request was committed, fault.Idempotency for another one.
func (d *Dialect) CheckIdem(ctx context.Context, q Querier, idem *connect.Idem) error {
	if idem == nil {
		return nil
	}
	var hash string
	var resp []byte
	err := q.QueryRow(ctx, d.Q(`SELECT hash, response FROM idempotency WHERE op = ? AND token = ?`), idem.Op, idem.Token).Scan(&hash, &resp)
	if noRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return IdemOutcome(idem, hash, resp)
}

// IdemOutcome is the outcome of a request whose token has a committed
// record with hash and response.
func IdemOutcome(idem *connect.Idem, hash string, resp []byte) error {
	if hash != idem.Hash {
		return connect.ErrTokenReused
	}
	return &connect.Replayed{Response: resp}
}
