package connect_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sqlite"
)

// clock is a settable time source shared by the services of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// plainComposer stands in for MIME composition, which these tests do not look at.
type plainComposer struct{}

func (plainComposer) Compose(d *connect.Draft) ([]byte, error) {
	return []byte("Subject: x\r\n\r\nx\r\n"), nil
}

// TestSendPathCache: two services on one database act as two nodes. What one
// node changes it sees at once; the other node sees it within CacheFor.
func TestSendPathCache(t *testing.T) {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	nodeA := connect.NewService(connect.Config{AccountID: "123456789012", Store: st, Composer: plainComposer{}, Now: clk.now, CacheFor: time.Second})
	nodeB := connect.NewService(connect.Config{AccountID: "123456789012", Store: st, Composer: plainComposer{}, Now: clk.now, CacheFor: time.Second})
	ctx := context.Background()

	inst, err := nodeA.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := nodeA.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceID: inst.ID, EmailAddress: "support@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	send := func(svc *connect.Service) error {
		in := &connect.CreateContactInput{InstanceID: inst.ID, Channel: "EMAIL", InitiationMethod: "OUTBOUND"}
		in.UserInfo = &struct {
			UserID string `json:"UserId"`
		}{UserID: "agent-1"}
		c, err := svc.CreateContact(ctx, in)
		if err != nil {
			return err
		}
		_, err = svc.StartOutboundEmailContact(ctx, &connect.StartOutboundEmailContactInput{
			InstanceID: inst.ID, ContactID: c.ContactID,
			FromEmailAddress:        &connect.EmailAddressInfo{EmailAddress: "Support@Example.com"},
			DestinationEmailAddress: connect.EmailAddressInfo{EmailAddress: "customer@example.org"},
			EmailMessage: connect.OutboundEmailContent{MessageSourceType: "RAW",
				RawMessage: &connect.OutboundRawMessage{Subject: "s", Body: "b", ContentType: "text/plain"}},
		})
		return err
	}
	for _, svc := range []*connect.Service{nodeA, nodeB} {
		if err := send(svc); err != nil {
			t.Fatalf("send: %v", err) // both nodes now hold the instance and the address
		}
	}

	// Node B deletes the address: B refuses it at once, A until its copy expires.
	if err := nodeB.DeleteEmailAddress(ctx, inst.ID, addr.EmailAddressID); err != nil {
		t.Fatal(err)
	}
	if err := send(nodeB); !fault.Is(err, fault.Invalid) {
		t.Fatalf("send from a deleted address on the node that deleted it: %v, want an InvalidRequest", err)
	}
	if err := send(nodeA); err != nil {
		t.Fatalf("send on the other node within CacheFor: %v (its copy should still be used)", err)
	}
	clk.add(1100 * time.Millisecond)
	if err := send(nodeA); !fault.Is(err, fault.Invalid) {
		t.Fatalf("send on the other node after CacheFor: %v, want an InvalidRequest", err)
	}

	// The same for the instance itself.
	if _, err := nodeA.DescribeInstance(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if err := nodeB.DeleteInstance(ctx, inst.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := nodeB.DescribeInstance(ctx, inst.ID); !fault.Is(err, fault.NotFound) {
		t.Fatalf("DescribeInstance on the deleting node: %v, want NotFound", err)
	}
	clk.add(1100 * time.Millisecond)
	if _, err := nodeA.DescribeInstance(ctx, inst.ID); !fault.Is(err, fault.NotFound) {
		t.Fatalf("DescribeInstance on the other node after CacheFor: %v, want NotFound", err)
	}

	// A resource that did not exist is not remembered as missing.
	if _, err := nodeA.DescribeInstance(ctx, "nope"); !fault.Is(err, fault.NotFound) {
		t.Fatal(err)
	}
	i2, err := nodeB.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodeA.DescribeInstance(ctx, i2.ID); err != nil {
		t.Fatalf("an instance created on another node: %v", err)
	}
}
