// Package events publishes connectmail's stored events: it renders each one in
// Amazon Connect's EventBridge envelope, streams them to browsers and scripts
// as Server-Sent Events, and delivers them at least once to webhook URLs.
//
// The event log in the store is the source of truth. Readers keep a position
// in it and are woken by a Notifier when new events are committed (and, across
// processes sharing one database, by a periodic poll), so nothing that was
// committed can be missed and nothing ever blocks the API.
package events

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/connectmail/connectmail/connect"
)

// Log is the stored event log.
type Log interface {
	ListEventsSince(ctx context.Context, after int64, limit int) ([]connect.Event, error)
	LastEventID(ctx context.Context) (int64, error)
}

// Notifier wakes readers when events are committed.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Notify wakes every current waiter.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// Wait returns a channel closed at the next Notify.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Envelope is an event as Amazon EventBridge delivers Amazon Connect contact events.
type Envelope struct {
	Version    string         `json:"version"`
	ID         string         `json:"id"`
	DetailType string         `json:"detail-type"`
	Source     string         `json:"source"`
	Account    string         `json:"account"`
	Time       string         `json:"time"`
	Region     string         `json:"region"`
	Resources  []string       `json:"resources"`
	Detail     map[string]any `json:"detail"`
}

// Detail types and sources of the envelopes.
const (
	ContactDetailType  = "Amazon Connect Contact Event"
	ContactSource      = "aws.connect"
	DeliveryDetailType = "connectmail Email Delivery Event"
	DeliverySource     = "connectmail"
)

// contactEvents are the Amazon Connect contact event types; the rest are delivery events.
var contactEvents = map[string]bool{
	connect.EventInitiated: true, connect.EventQueued: true, connect.EventDisconnected: true,
	connect.EventCompleted: true, connect.EventContactDataUpdated: true,
}

// Renderer builds envelopes; it needs the account and the instances' ARNs.
type Renderer struct {
	Account string
	// InstanceARN returns an instance's ARN (its region is the event's region).
	InstanceARN func(ctx context.Context, instanceID string) string
	mu          sync.Mutex
	arns        map[string]string
}

func (r *Renderer) instanceARN(ctx context.Context, id string) string {
	r.mu.Lock()
	arn, ok := r.arns[id]
	r.mu.Unlock()
	if ok {
		return arn
	}
	arn = "arn:aws:connect:us-east-1:" + r.Account + ":instance/" + id
	if r.InstanceARN != nil {
		if a := r.InstanceARN(ctx, id); a != "" {
			arn = a
		}
	}
	r.mu.Lock()
	if r.arns == nil || len(r.arns) > 10000 {
		r.arns = map[string]string{}
	}
	r.arns[id] = arn
	r.mu.Unlock()
	return arn
}

// Render returns the envelope of e.
func (r *Renderer) Render(ctx context.Context, e connect.Event) Envelope {
	inst := r.instanceARN(ctx, e.InstanceID)
	region := "us-east-1"
	if p := strings.Split(inst, ":"); len(p) > 3 {
		region = p[3]
	}
	contactARN := inst + "/contact/" + e.ContactID
	d := map[string]any{}
	if len(e.Detail) > 0 {
		_ = json.Unmarshal(e.Detail, &d)
	}
	d["eventType"] = e.Type
	d["contactId"] = e.ContactID
	d["instanceArn"] = inst
	d["channel"] = "EMAIL"
	env := Envelope{
		Version: "0", ID: eventUUID(e.ID), Account: r.Account, Region: region,
		Time: e.Time.UTC().Format(time.RFC3339), Resources: []string{contactARN, inst}, Detail: d,
	}
	if contactEvents[e.Type] {
		env.DetailType, env.Source = ContactDetailType, ContactSource
	} else {
		env.DetailType, env.Source = DeliveryDetailType, DeliverySource
	}
	return env
}

// eventUUID derives a stable UUID-shaped id from the event's sequence number.
func eventUUID(id int64) string {
	const hex = "0123456789abcdef"
	var b [32]byte
	for i := range b {
		b[i] = '0'
	}
	for i := 31; i >= 20 && id > 0; i-- {
		b[i] = hex[id&15]
		id >>= 4
	}
	s := string(b[:])
	return "c0ec7a11-" + s[12:16] + "-4" + s[17:20] + "-8" + s[21:24] + "-" + s[20:32]
}
