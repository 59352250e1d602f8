package connect_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
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

// rawSend is a RAW StartOutboundEmailContact of a contact from the address from.
func rawSend(instanceID, contactID, from string) *connect.StartOutboundEmailContactInput {
	return &connect.StartOutboundEmailContactInput{
		InstanceID: instanceID, ContactID: contactID,
		FromEmailAddress:        &connect.EmailAddressInfo{EmailAddress: from},
		DestinationEmailAddress: connect.EmailAddressInfo{EmailAddress: "customer@example.org"},
		EmailMessage: connect.OutboundEmailContent{MessageSourceType: "RAW",
			RawMessage: &connect.OutboundRawMessage{Subject: "s", Body: "b", ContentType: "text/plain"}},
	}
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
	nodeA := connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(st), Composer: plainComposer{}, Now: clk.now, CacheFor: time.Second})
	nodeB := connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(st), Composer: plainComposer{}, Now: clk.now, CacheFor: time.Second})
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
		in := &connect.CreateContactInput{InstanceID: inst.ID, Channel: "EMAIL", InitiationMethod: "OUTBOUND", UserID: "agent-1"}
		c, err := svc.CreateContact(ctx, in)
		if err != nil {
			return err
		}
		_, err = svc.StartOutboundEmailContact(ctx, rawSend(inst.ID, c.ID, "Support@Example.com"))
		return err
	}
	for _, svc := range []*connect.Service{nodeA, nodeB} {
		if err := send(svc); err != nil {
			t.Fatalf("send: %v", err) // both nodes now hold the instance and the address
		}
	}

	// Node B deletes the address: B refuses it at once, A until its copy expires.
	if err := nodeB.DeleteEmailAddress(ctx, inst.ID, addr.ID); err != nil {
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

// readCounter is a store that counts the contacts read from the database.
// Its SingleProcess hides the SQLite store's, so single decides whether the
// wrapper claims it.
type readCounter struct {
	*sqlite.Store
	single bool
	reads  atomic.Int64
}

func (r *readCounter) SingleProcess() bool { return r.single }

func (r *readCounter) GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error) {
	r.reads.Add(1)
	return r.Store.GetContact(ctx, instanceID, id)
}

// TestCreatedContactsAreKept: on a single-process store the contacts a service
// creates are not read back until they change, and every change shows.
func TestCreatedContactsAreKept(t *testing.T) {
	for _, single := range []bool{true, false} {
		t.Run(fmt.Sprintf("single=%v", single), func(t *testing.T) {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rc := &readCounter{Store: st, single: single}
			svc := connect.NewService(connect.Config{AccountID: "123456789012", Stores: connect.StoresOf(rc), Composer: plainComposer{}})
			ctx := context.Background()
			inst, err := svc.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceID: inst.ID, EmailAddress: "support@example.com"}); err != nil {
				t.Fatal(err)
			}
			in := &connect.CreateContactInput{InstanceID: inst.ID, Channel: "EMAIL", InitiationMethod: "OUTBOUND", Attributes: map[string]string{"a": "1"}, UserID: "agent-1"}
			c, err := svc.CreateContact(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			attrs := func() map[string]string {
				t.Helper()
				out, err := svc.GetContactAttributes(ctx, inst.ID, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			before := rc.reads.Load()
			if got := attrs(); got["a"] != "1" {
				t.Fatalf("attributes %v", got)
			}
			if n := rc.reads.Load() - before; (n == 0) != single {
				t.Fatalf("%d database reads of a contact just created (single-process store: %v)", n, single)
			}
			// A change shows at once, and the contact is read from the database again.
			if err := svc.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{InstanceID: inst.ID, InitialContactID: c.ID, Attributes: map[string]string{"a": "2"}}); err != nil {
				t.Fatal(err)
			}
			before = rc.reads.Load()
			if got := attrs(); got["a"] != "2" {
				t.Fatalf("attributes after an update: %v", got)
			}
			if rc.reads.Load() == before {
				t.Fatal("a changed contact was not read from the database")
			}
			// A contact of another instance is not found through the kept copy.
			if _, err := svc.GetContactAttributes(ctx, "other-instance", c.ID); !fault.Is(err, fault.NotFound) {
				t.Fatalf("another instance's contact: %v", err)
			}
			// Stopped, then started: refused as a stopped contact.
			c2, err := svc.CreateContact(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.StopContact(ctx, &connect.StopContactInput{InstanceID: inst.ID, ContactID: c2.ID}); err != nil {
				t.Fatal(err)
			}
			_, err = svc.StartOutboundEmailContact(ctx, rawSend(inst.ID, c2.ID, "support@example.com"))
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("starting a stopped contact: %v", err)
			}
		})
	}
}
