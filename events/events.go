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

// Renderer builds envelopes; it needs the account, the database's id and
// the instances' ARNs.
type Renderer struct {
	Account string
	// Database is the random id of the database the events come from (32
	// hex digits, see the stores' DatabaseID): envelope ids combine it with
	// the event's position in the log, so that events of two databases never
	// share an id.
	Database string
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
		Version: "0", ID: eventUUID(r.Database, e.ID), Account: r.Account, Region: region,
		Time: e.Time.UTC().Format(time.RFC3339), Resources: []string{contactARN, inst}, Detail: d,
	}
	if contactEvents[e.Type] {
		env.DetailType, env.Source = ContactDetailType, ContactSource
	} else {
		env.DetailType, env.Source = DeliveryDetailType, DeliverySource
	}
	return env
}

// eventUUID derives a stable UUID-shaped id (version 4 layout) from the
// database's id and the event's position in its log: the first 15 hex digits
// come from the database (60 random bits), the last 15 are the position, so
// the ids of one database share their start and end in the position in hex:
// dddddddd-dddd-4ddd-8sss-ssssssssssss. A redelivered event keeps its id.
func eventUUID(database string, seq int64) string {
	const hex = "0123456789abcdef"
	var d [15]byte
	for i := range d {
		d[i] = '0'
		if i < len(database) {
			d[i] = database[i]
		}
	}
	var q [15]byte
	for i := len(q) - 1; i >= 0; i-- {
		q[i] = hex[seq&15]
		seq >>= 4
	}
	return string(d[0:8]) + "-" + string(d[8:12]) + "-4" + string(d[12:15]) + "-8" + string(q[0:3]) + "-" + string(q[3:15])
}
