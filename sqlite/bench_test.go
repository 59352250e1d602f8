package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sqlite"
)

// BenchmarkCommitSend measures the durable commits of one send —
// CreateContact, then StartOutbound with its message, job and events —
// from many goroutines at once, as the API makes them (group commit).
func BenchmarkCommitSend(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "b.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.CreateInstance(ctx, &connect.Instance{ID: "i", ARN: "arn:i", IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", CreatedAt: time.Now()}, nil); err != nil {
		b.Fatal(err)
	}
	raw := make([]byte, 1500)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
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
