package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
)

// The delivery queue's claims, outcomes and leases: a job leased to the one
// process of a SQLite database is marked leased; its attempt count is the
// lease token.

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// insertJob queues the delivery job of o: due now, or, with o.LeaseUntil,
// already leased to this process as attempt 1.
func (s *Store) insertJob(tx *sql.Tx, o *connect.Outbound) error {
	now := ms(o.Contact.UpdatedAt)
	var err error
	if o.LeaseUntil.IsZero() {
		_, err = s.w.exec(tx, `INSERT INTO jobs(contact_id, instance_id, attempts, next_at, created_at) VALUES (?,?,0,?,?)`,
			o.Contact.ID, o.Contact.InstanceID, now, now)
	} else {
		_, err = s.w.exec(tx, `INSERT INTO jobs(contact_id, instance_id, attempts, next_at, leased, created_at) VALUES (?,?,1,?,1,?)`,
			o.Contact.ID, o.Contact.InstanceID, ms(o.LeaseUntil), now)
	}
	return err
}

// ClaimJobs implements delivery.Queue.
func (s *Store) ClaimJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*delivery.Job, error) {
	var jobs []*delivery.Job
	err := s.w.write(ctx, func(tx *sql.Tx) error {
		jobs = jobs[:0]
		rows, err := s.w.query(tx, `UPDATE jobs SET next_at = ?, attempts = attempts + 1, leased = 1
 WHERE contact_id IN (SELECT contact_id FROM jobs WHERE next_at <= ? ORDER BY next_at LIMIT ?)
 RETURNING contact_id, instance_id, attempts, created_at`, ms(now.Add(lease)), ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			j := &delivery.Job{}
			var created int64
			if err := rows.Scan(&j.ContactID, &j.InstanceID, &j.Attempts, &created); err != nil {
				rows.Close()
				return err
			}
			j.CreatedAt = fromMS(created)
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		// The messages of all claimed jobs in one query.
		byID := make(map[string]*delivery.Job, len(jobs))
		args := make([]any, 0, len(jobs))
		for _, j := range jobs {
			byID[j.ContactID] = j
			args = append(args, j.ContactID)
		}
		rows, err = s.w.query(tx, `SELECT contact_id, envelope_from, recipients, raw FROM messages WHERE contact_id IN (?`+strings.Repeat(",?", len(jobs)-1)+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		found := 0
		for rows.Next() {
			var id, rcpts string
			var m connect.Message
			if err := rows.Scan(&id, &m.EnvelopeFrom, &rcpts, &m.Raw); err != nil {
				return err
			}
			j := byID[id]
			if j == nil {
				continue
			}
			m.ContactID, m.InstanceID = j.ContactID, j.InstanceID
			_ = json.Unmarshal([]byte(rcpts), &m.Recipients)
			j.Message = m
			found++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if found != len(jobs) {
			return fmt.Errorf("claimed %d delivery jobs but found %d of their messages", len(jobs), found)
		}
		return nil
	})
	return jobs, err
}

// FinishAttempts implements delivery.Queue.
func (s *Store) FinishAttempts(ctx context.Context, outs []delivery.Outcome) error {
	return s.w.write(ctx, func(tx *sql.Tx) error {
		for i := range outs {
			o := &outs[i]
			// The job must still be ours: not stopped, and not re-leased by
			// another worker after our lease expired (attempts is the lease token).
			a := o.Attempt
			var res sql.Result
			var err error
			if o.Final {
				res, err = s.w.exec(tx, `DELETE FROM jobs WHERE contact_id = ? AND attempts = ?`, o.Job.ContactID, o.Job.Attempts)
			} else {
				res, err = s.w.exec(tx, `UPDATE jobs SET next_at = ?, leased = 0 WHERE contact_id = ? AND attempts = ?`, ms(o.RetryAt), o.Job.ContactID, o.Job.Attempts)
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				o.Events = nil
				continue
			}
			if _, err := s.w.exec(tx, `INSERT OR REPLACE INTO attempts(contact_id, n, started_at, finished_at, outcome, code, detail, class) VALUES (?,?,?,?,?,?,?,?)`,
				a.ContactID, a.N, ms(a.StartedAt), ms(a.FinishedAt), a.Outcome, a.Code, a.Detail, a.Class); err != nil {
				return err
			}
			if len(o.Raw) > 0 {
				if _, err := s.w.exec(tx, `UPDATE messages SET raw = ? WHERE contact_id = ?`, o.Raw, o.Job.ContactID); err != nil {
					return err
				}
			}
			if o.Final {
				fin := ms(a.FinishedAt)
				if _, err := s.w.exec(tx, `UPDATE contacts SET state = ?, disconnect_reason = ?, disconnected_at = ?, updated_at = ? WHERE id = ? AND state = 'QUEUED'`,
					string(o.State), o.Reason, fin, fin, o.Job.ContactID); err != nil {
					return err
				}
			}
			if err := s.insertEvents(tx, o.Events); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReleaseLeases makes every leased job due now. SQLite has a single process
// per database, so at start-up every lease belongs to a process that is gone.
func (s *Store) ReleaseLeases(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.w.write(ctx, func(tx *sql.Tx) error {
		res, err := s.w.exec(tx, `UPDATE jobs SET next_at = ?, leased = 0 WHERE leased = 1`, ms(now))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
