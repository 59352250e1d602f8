package server

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/postgres"
)

// clusterStore is implemented by stores that several connectmail processes
// (nodes) share — the PostgreSQL store. Through it a node learns at once what
// the others committed, and takes roles only one node may hold at a time.
type clusterStore interface {
	// Watch calls jobs when another node may have made a delivery job due
	// and events when another node committed events, until ctx ends.
	Watch(ctx context.Context, jobs, events func())
	// Exclusive blocks until this node holds the named role and returns a
	// context that ends when the role is lost or released.
	Exclusive(ctx context.Context, name string, poll time.Duration) (held context.Context, release func(), err error)
	// Done is closed when the store is closed.
	Done() <-chan struct{}
}

// openPostgres opens the PostgreSQL store named by a postgres:// DSN.
func openPostgres(dsn string, log *slog.Logger) (io.Closer, error) {
	s, err := postgres.Open(context.Background(), dsn, postgres.Options{Logger: log.With("component", "postgres")})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// joinCluster connects a node to the others when its store is shared: the
// other nodes' notifications wake this node's delivery worker (wake) and its
// event readers — SSE streams and webhooks — (notify), and each webhook URL
// is served by one node at a time. It does nothing for a single-process store.
func joinCluster(store any, wake, notify func(), hooks *events.Webhooks) {
	cs, ok := store.(clusterStore)
	if !ok {
		return
	}
	if hooks != nil {
		hooks.Exclusive = func(ctx context.Context, name string) (context.Context, func(), error) {
			return cs.Exclusive(ctx, name, hooks.Poll)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-cs.Done()
		cancel()
	}()
	go cs.Watch(ctx, wake, notify)
}
