package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Watch relays the other nodes' notifications until ctx ends: jobs is called
// when a delivery job may have become due or changed its due time, events
// when events were committed. Notifications this node sent about its own API
// calls are skipped (the caller already reacted to those); those about
// released leases are not. After (re)connecting, both are called once, as
// notifications sent while the connection was down are lost.
func (s *Store) Watch(ctx context.Context, jobs, events func()) {
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.watch(ctx, jobs, events)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("listening for other nodes' notifications failed; reconnecting", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		if delay *= 2; delay > 5*time.Second {
			delay = 5 * time.Second
		}
	}
}

func (s *Store) watch(ctx context.Context, jobs, events func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{ChannelJobs, ChannelEvents} {
		if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	jobs()
	events()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == s.node {
			continue
		}
		switch n.Channel {
		case ChannelJobs:
			jobs()
		case ChannelEvents:
			events()
		}
	}
}

// Exclusive waits until this node holds the database-wide role called name
// — a session advisory lock on a connection of its own — trying every poll
// (default 1s) until ctx ends. The returned context ends when the role is
// lost (the connection failed, so the lock may now be another node's) or
// release is called; release gives the role up. A node that dies loses its
// roles with its connections.
func (s *Store) Exclusive(ctx context.Context, name string, poll time.Duration) (held context.Context, release func(), err error) {
	if poll <= 0 {
		poll = time.Second
	}
	key := lockKey("role:" + name)
	var conn *pgx.Conn
	for {
		if conn == nil {
			if conn, err = pgx.ConnectConfig(ctx, s.connCfg); err != nil {
				conn = nil
				s.opts.Logger.Warn("connecting for a cluster role failed", "role", name, "err", err)
			}
		}
		if conn != nil {
			var ok bool
			if err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err == nil && ok {
				break
			}
			if err != nil {
				conn.Close(context.WithoutCancel(ctx))
				conn = nil
			}
		}
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close(context.WithoutCancel(ctx))
			}
			return nil, nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	held, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close(context.WithoutCancel(ctx))
		defer cancel()
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-held.Done():
				return
			case <-t.C:
			}
			pctx, pcancel := context.WithTimeout(held, 5*poll)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil {
				if held.Err() == nil {
					s.opts.Logger.Warn("lost a cluster role", "role", name, "err", err)
				}
				return
			}
		}
	}()
	return held, func() { cancel(); <-done }, nil
}
