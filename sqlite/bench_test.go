package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/sqlite"
)

// benchStore opens a store with one instance for a benchmark, and returns
// it with a message body and a contact counter; the timer starts after it.
func benchStore(b *testing.B) (*sqlite.Store, []byte, *atomic.Int64) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "b.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.CreateInstance(context.Background(), &connect.Instance{ID: "i", ARN: "arn:i", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: time.Now()}, nil); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	return st, make([]byte, 1500), new(atomic.Int64)
}

// BenchmarkCommitSend measures the durable commits of one send —
// CreateContact, then StartOutbound with its message, job and events —
// from many goroutines at once, as the API makes them (group commit).
func BenchmarkCommitSend(b *testing.B) {
	st, raw, n := benchStore(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("c%d", n.Add(1))
			now := time.Now()
			c := &connect.Contact{ID: id, ARN: "arn:" + id, InstanceID: "i", Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now}
			if err := st.CreateContact(ctx, c, []connect.Event{{ContactID: id, InstanceID: "i", Type: connect.EventInitiated, Time: now}}, nil); err != nil {
				b.Error(err)
				return
			}
			c.State, c.Subject, c.To.Address, c.From.Address = connect.StateQueued, "s", "to@example.org", "from@example.com"
			if err := st.StartOutbound(ctx, &connect.Outbound{Contact: c,
				Message: connect.Message{ContactID: id, InstanceID: "i", EnvelopeFrom: "from@example.com", Recipients: []string{"to@example.org"}, Raw: raw},
				Events:  []connect.Event{{ContactID: id, InstanceID: "i", Type: connect.EventQueued, Time: now}}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSendLifecycle measures every durable write of one send as the
// server makes them: CreateContact, StartOutbound with the job leased for
// the in-memory hand-off, and the delivery outcome (FinishAttempts), from
// many goroutines at once.
func BenchmarkSendLifecycle(b *testing.B) {
	st, raw, n := benchStore(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("c%012d", n.Add(1))
			now := time.Now()
			ev := func(typ string) connect.Event {
				return connect.Event{ContactID: id, InstanceID: "i", Type: typ, Time: now}
			}
			c := &connect.Contact{ID: id, ARN: "arn:" + id, InstanceID: "i", Channel: "EMAIL", InitiationMethod: "OUTBOUND", State: connect.StateCreated, InitiatedAt: now, UpdatedAt: now}
			if err := st.CreateContact(ctx, c, []connect.Event{ev(connect.EventInitiated)}, nil); err != nil {
				b.Error(err)
				return
			}
			c.State, c.Subject, c.To.Address, c.From.Address = connect.StateQueued, "s", "to@example.org", "from@example.com"
			o := &connect.Outbound{Contact: c, LeaseUntil: now.Add(time.Minute),
				Message: connect.Message{ContactID: id, InstanceID: "i", EnvelopeFrom: "from@example.com", Recipients: []string{"to@example.org"}, Raw: raw},
				Events:  []connect.Event{ev(connect.EventQueued)}}
			if err := st.StartOutbound(ctx, o); err != nil {
				b.Error(err)
				return
			}
			out := delivery.Outcome{Job: delivery.JobOf(o), Final: true, State: connect.StateSent, Reason: connect.ReasonDelivered,
				Attempt: delivery.Attempt{ContactID: id, N: 1, StartedAt: now, FinishedAt: now, Outcome: "sent", Detail: "250 ok"},
				Events:  []connect.Event{ev(connect.EventSent), ev(connect.EventDisconnected), ev(connect.EventCompleted)}}
			if err := st.FinishAttempts(ctx, []delivery.Outcome{out}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
