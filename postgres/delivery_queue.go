package postgres

import (
	"context"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/sqlstore"
	"github.com/jackc/pgx/v5"
)

// The delivery queue's claims, outcomes and leases: a job claimed by a node
// records the node (leased_by), so that the jobs of nodes that are gone can
// be released; claims skip the jobs other nodes are claiming.

// queueJob queues the delivery job of o: due now and announced to every
// node, or, with o.LeaseUntil, already leased to this node as attempt 1
// (handed to its worker in memory, so nobody else needs to hear of it).
func (s *Store) queueJob(t *txn, b *pgx.Batch, o *connect.Outbound) {
	c := o.Contact
	if o.LeaseUntil.IsZero() {
		b.Queue(`INSERT INTO jobs(contact_id, instance_id, attempts, next_at, created_at) VALUES ($1,$2,0,$3,$3)`,
			c.ID, c.InstanceID, tm(c.UpdatedAt))
		t.notify(ChannelJobs, s.node)
		return
	}
	b.Queue(`INSERT INTO jobs(contact_id, instance_id, attempts, next_at, leased_by, created_at) VALUES ($1,$2,1,$3,$4,$5)`,
		c.ID, c.InstanceID, tm(o.LeaseUntil), s.node, tm(c.UpdatedAt))
}

// ClaimJobs implements delivery.Queue. Due jobs that another node is claiming
// at the same moment are skipped, not waited for.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*delivery.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []*delivery.Job
	err := s.tx(ctx, func(t *txn) error {
		jobs = nil
		b := &pgx.Batch{}
		// A claim need not wait for the disk: if a crash loses it, the job is
		// simply due again — as it would be anyway once the crashed node's
		// lease was released — and whatever records an outcome commits
		// synchronously, which makes the claim durable first.
		b.Queue("set local synchronous_commit = off")
		b.Queue(`WITH due AS (
   SELECT contact_id FROM jobs WHERE next_at <= $1 ORDER BY next_at LIMIT $2 FOR UPDATE SKIP LOCKED)
 UPDATE jobs j SET next_at = $3, attempts = j.attempts + 1, leased_by = $4
 FROM due, messages m
 WHERE j.contact_id = due.contact_id AND m.contact_id = j.contact_id
 RETURNING j.contact_id, j.instance_id, j.attempts, j.created_at, m.envelope_from, m.recipients, m.raw`,
			tm(now), limit, tm(now.Add(lease)), s.node).Query(func(rows pgx.Rows) error {
			var err error
			jobs, err = sqlstore.Collect[*delivery.Job](rows, nil, scanJob)
			return err
		})
		return t.commit(b)
	})
	return jobs, err
}

func scanJob(row sqlstore.Row) (*delivery.Job, error) {
	j := &delivery.Job{}
	var rcpts []byte
	if err := row.Scan(&j.ContactID, &j.InstanceID, &j.Attempts, &j.CreatedAt, &j.Message.EnvelopeFrom, &rcpts, &j.Message.Raw); err != nil {
		return nil, err
	}
	j.CreatedAt = fromTS(&j.CreatedAt)
	j.Message.ContactID, j.Message.InstanceID = j.ContactID, j.InstanceID
	unmarshal(rcpts, &j.Message.Recipients)
	return j, nil
}

// FinishAttempts implements delivery.Queue. An outcome whose job was stopped,
// or re-claimed after its lease was released (its attempt number is stale),
// is dropped and its Events cleared.
func (s *Store) FinishAttempts(ctx context.Context, outs []delivery.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	n := 0
	for i := range outs {
		n += len(outs[i].Events)
	}
	return s.tx(ctx, func(t *txn) error {
		tok := t.reserve(s.node, n)
		ids := make([]string, len(outs))
		for i := range outs {
			ids[i] = outs[i].Job.ContactID
		}
		// Lock the jobs (in a fixed order) and read their attempt numbers.
		current := map[string]int{}
		b := &pgx.Batch{}
		b.Queue(`SELECT contact_id, attempts FROM jobs WHERE contact_id = ANY($1) ORDER BY contact_id FOR UPDATE`, ids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id string
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					return err
				}
				current[id] = n
			}
			return rows.Err()
		})
		if err := t.send(b); err != nil {
			return err
		}
		var evs []connect.Event
		retry := false
		b = &pgx.Batch{}
		for i := range outs {
			o := &outs[i]
			if n, ok := current[o.Job.ContactID]; !ok || n != o.Job.Attempts {
				// The job was stopped, or its lease was released and another worker took it.
				o.Events = nil
				continue
			}
			a := o.Attempt
			b.Queue(`INSERT INTO attempts(contact_id, n, started_at, finished_at, outcome, code, detail, class) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
 ON CONFLICT (contact_id, n) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, code = EXCLUDED.code, detail = EXCLUDED.detail, class = EXCLUDED.class`,
				a.ContactID, a.N, tm(a.StartedAt), tm(a.FinishedAt), a.Outcome, a.Code, a.Detail, a.Class)
			if len(o.Raw) > 0 {
				b.Queue(`UPDATE messages SET raw = $1 WHERE contact_id = $2`, o.Raw, o.Job.ContactID)
			}
			if !o.Final {
				b.Queue(`UPDATE jobs SET next_at = $1, leased_by = NULL WHERE contact_id = $2`, tm(o.RetryAt), o.Job.ContactID)
				retry = true
			} else {
				fin := tm(a.FinishedAt)
				b.Queue(`DELETE FROM jobs WHERE contact_id = $1`, o.Job.ContactID)
				b.Queue(`UPDATE contacts SET state = $1, disconnect_reason = $2, disconnected_at = $3, updated_at = $3 WHERE id = $4 AND state = 'QUEUED'`,
					string(o.State), o.Reason, fin, o.Job.ContactID)
			}
			evs = append(evs, o.Events...)
		}
		if retry {
			t.notify(ChannelJobs, s.node)
		}
		s.queueEvents(t, b, tok, 0, evs)
		if tok != "" {
			b.Queue(`DELETE FROM event_reservations WHERE token = $1`, tok)
		}
		if err := t.commit(b); err != nil {
			return err
		}
		// Hand the assigned ids back to the outcomes' events.
		k := 0
		for i := range outs {
			for j := range outs[i].Events {
				outs[i].Events[j].ID = evs[k].ID
				k++
			}
		}
		return nil
	})
}

// ReleaseLeases implements delivery.Queue: it makes due at now the jobs leased
// by nodes that are gone — whose heartbeat is older than the node timeout, or
// that no longer have a row — and removes those nodes. Jobs of live nodes,
// including this one, keep their leases.
func (s *Store) ReleaseLeases(ctx context.Context, now time.Time) (int, error) {
	// A short, idempotent statement: it completes even when ctx ends
	// meanwhile (a worker that starts and is stopped at once), within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var n int
	// One statement: remove the nodes that are gone; drop their event id
	// reservations and any that expired (unless a transaction is using one
	// right now); release their leases; and notify every node (an empty
	// payload: this node's own worker must wake too) if any was released.
	err := s.pool.QueryRow(ctx, `WITH gone AS (
   DELETE FROM nodes WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2) RETURNING id),
 expired AS (
   DELETE FROM event_reservations WHERE token IN (
     SELECT token FROM event_reservations r
     WHERE r.created_at < now() - make_interval(secs => $5)
        OR (r.node <> $1 AND (r.node IN (SELECT id FROM gone) OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = r.node)))
     FOR UPDATE SKIP LOCKED)),
 released AS (
   UPDATE jobs SET next_at = $3, leased_by = NULL
   WHERE leased_by IS NOT NULL AND leased_by <> $1
     AND (leased_by IN (SELECT id FROM gone) OR NOT EXISTS (SELECT 1 FROM nodes WHERE nodes.id = jobs.leased_by))
   RETURNING 1),
 total AS (SELECT count(*) AS n FROM released)
 SELECT n FROM total LEFT JOIN LATERAL (SELECT pg_notify($4, '') WHERE n > 0) notified ON true`,
		s.node, s.opts.NodeTimeout.Seconds(), tm(now), ChannelJobs, s.reservationTTL().Seconds()).Scan(&n)
	return n, err
}

// reservationTTL is how long an event id reservation may stay outstanding
// before any node may drop it; a transaction still holding one then fails
// instead of adding events.
func (s *Store) reservationTTL() time.Duration {
	return max(time.Minute, 6*s.opts.NodeTimeout)
}
