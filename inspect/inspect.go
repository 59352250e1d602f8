// Package inspect is connectmail's inspection API: a small JSON API, outside
// the AWS routes, to list the messages connectmail sent or captured and fetch
// one message's metadata, delivery attempts, events and raw RFC 5322 source.
//
//	GET /api/v1/messages?instanceId=&state=&address=&q=&limit=&before=
//	GET /api/v1/messages/{contactId}
//	GET /api/v1/messages/{contactId}/raw
//	GET|PUT|DELETE /api/v1/suppressions[/{address}]  (see SuppressionStore)
//	GET /api/v1/stream                               Server-Sent Events (package events)
//
// Read endpoints for the web UI (resources.go, templates.go):
//
//	GET /api/v1/instances?after=&limit=              instances, ordered by id
//	GET /api/v1/instances/{id}                       one instance with its email addresses
//	GET /api/v1/instances/{id}/email-addresses       an instance's email addresses
//	GET /api/v1/messages/{contactId}/parts           the message parsed: headers, text, html, attachments
//	GET /api/v1/messages/{contactId}/parts/{index}   one leaf part's bytes (transfer-decoded), as a download
//	GET /api/v1/messages/{contactId}/html[?remote=1] the HTML body as an inert document (see HTMLPolicy)
//	GET /api/v1/messages/{contactId}/related         linked contacts, replies, others of the same customer
//	GET /api/v1/knowledge-bases[?region=]            knowledge bases (every region when none is given)
//	GET /api/v1/templates?knowledgeBaseId=           message templates of a knowledge base
//	GET /api/v1/templates/{kbId}/{templateId}        a template with $LATEST and its versions
//	GET /api/v1/templates/{kbId}/{templateId}/versions/{n}             one version (0 is $LATEST)
//	GET /api/v1/templates/{kbId}/{templateId}/render?version=&attributes=      render preview (JSON)
//	GET /api/v1/templates/{kbId}/{templateId}/render/html?version=&attributes= rendered HTML as an inert document
package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/fault"
)

// Store is what the inspection API reads.
type Store interface {
	ListContacts(ctx context.Context, f connect.ContactFilter) (*connect.ContactPage, error)
	GetContact(ctx context.Context, instanceID, id string) (*connect.Contact, error)
	GetMessage(ctx context.Context, contactID string) (*connect.Message, error)
	ListEvents(ctx context.Context, contactID string) ([]connect.Event, error)
	ListAttempts(ctx context.Context, contactID string) ([]delivery.Attempt, error)
}

// Summary is a contact as listed by the inspection API.
type Summary struct {
	ContactID        string    `json:"contactId"`
	InstanceID       string    `json:"instanceId"`
	InitiationMethod string    `json:"initiationMethod"`
	State            string    `json:"state"`
	From             *Endpoint `json:"from,omitempty"`
	To               *Endpoint `json:"to,omitempty"`
	// Customer is the contact's customer (connect.Contact.Customer): From
	// of an inbound contact, To of the others.
	Customer         *Customer  `json:"customer,omitempty"`
	Cc               []Endpoint `json:"cc,omitempty"`
	Subject          string     `json:"subject,omitempty"`
	MessageID        string     `json:"messageId,omitempty"`
	Source           string     `json:"source,omitempty"`
	TemplateRef      string     `json:"templateRef,omitempty"`
	NotInterpolated  []string   `json:"notInterpolated,omitempty"`
	RelatedContactID string     `json:"relatedContactId,omitempty"`
	DisconnectReason string     `json:"disconnectReason,omitempty"`
	InitiatedAt      time.Time  `json:"initiatedAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	DisconnectedAt   *time.Time `json:"disconnectedAt,omitempty"`
}

// Endpoint is an address of a contact.
type Endpoint struct {
	Address     string `json:"Address"`
	DisplayName string `json:"DisplayName,omitempty"`
}

// Customer is the customer of a contact.
type Customer struct {
	Address     string `json:"address"`
	DisplayName string `json:"displayName,omitempty"`
}

// Detail is one message with its envelope, attempts and events.
type Detail struct {
	Summary
	EnvelopeFrom string            `json:"envelopeFrom,omitempty"`
	Recipients   []string          `json:"recipients,omitempty"`
	Size         int               `json:"size"`
	Attempts     []AttemptView     `json:"attempts"`
	Events       []EventView       `json:"events"`
	Attributes   map[string]string `json:"attributes,omitempty"`
}

// AttemptView is one delivery attempt.
type AttemptView struct {
	N          int       `json:"n"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Outcome    string    `json:"outcome"`
	Code       int       `json:"code,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	// Class is "config" when the attempt failed because of the relay's
	// configuration (e.g. its TLS certificate is not trusted).
	Class string `json:"class,omitempty"`
}

// EventView is one stored event.
type EventView struct {
	ID     int64           `json:"id"`
	Type   string          `json:"type"`
	Time   time.Time       `json:"time"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Summarize renders a contact for the API.
func Summarize(c *connect.Contact) Summary {
	s := Summary{
		ContactID: c.ID, InstanceID: c.InstanceID, InitiationMethod: c.InitiationMethod, State: string(c.State),
		Subject: c.Subject, MessageID: c.MessageID, Source: c.Source, TemplateRef: c.TemplateRef,
		NotInterpolated: c.NotInterpolated, RelatedContactID: c.RelatedContactID, DisconnectReason: c.DisconnectReason,
		InitiatedAt: c.InitiatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.From.Address != "" {
		f := Endpoint(c.From)
		s.From = &f
	}
	if c.To.Address != "" {
		t := Endpoint(c.To)
		s.To = &t
	}
	if cu := c.Customer(); cu.Address != "" {
		s.Customer = &Customer{Address: cu.Address, DisplayName: cu.DisplayName}
	}
	for _, e := range c.Cc {
		s.Cc = append(s.Cc, Endpoint(e))
	}
	if !c.DisconnectedAt.IsZero() {
		d := c.DisconnectedAt
		s.DisconnectedAt = &d
	}
	return s
}

// Handler serves the inspection API.
type Handler struct {
	Store Store
	// Logger gets a line for every 5xx answer (default: none).
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler. Every answer of status 500 or above is
// logged at error level with the request's method and path, the status and
// the error behind it; a panic is answered 500 and logged with its stack.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == http.ErrAbortHandler {
			panic(v)
		}
		if v != nil {
			rec.err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			if rec.status == 0 {
				writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			}
		}
		if rec.status >= 500 && h.Logger != nil {
			if rec.err == nil {
				rec.err = errors.New(http.StatusText(rec.status))
			}
			h.Logger.ErrorContext(r.Context(), "inspection API error", "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "error", rec.err)
		}
	}()
	h.serve(rec, r)
}

// recorder keeps the status of an answer and the error that writeErr
// answered.
type recorder struct {
	http.ResponseWriter
	status int
	err    error
}

// WriteHeader implements http.ResponseWriter.
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1/")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] == "suppressions" {
		h.suppressions(w, r, parts[1:])
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	// Hand-off: the UI's read endpoints live in resources.go and templates.go.
	if h.serveResource(w, r, parts) {
		return
	}
	switch {
	case len(parts) == 1 && parts[0] == "messages":
		h.list(w, r)
	case len(parts) == 2 && parts[0] == "messages":
		h.detail(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "messages" && parts[2] == "raw":
		h.raw(w, r, parts[1])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such endpoint"})
	}
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := h.Store.ListContacts(r.Context(), connect.ContactFilter{
		InstanceID: q.Get("instanceId"), State: connect.State(strings.ToUpper(q.Get("state"))),
		Address: q.Get("address"), Query: q.Get("q"), Before: q.Get("before"), Limit: limit,
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Messages []Summary `json:"messages"`
		Next     string    `json:"next,omitempty"`
	}{Messages: make([]Summary, 0, len(page.Contacts)), Next: page.Next}
	for _, c := range page.Contacts {
		out.Messages = append(out.Messages, Summarize(c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request, id string) {
	c, err := h.Store.GetContact(r.Context(), "", id)
	if err != nil {
		writeErr(w, err)
		return
	}
	d := Detail{Summary: Summarize(c), Attempts: []AttemptView{}, Events: []EventView{}, Attributes: c.Attributes}
	if m, err := h.Store.GetMessage(r.Context(), id); err == nil {
		d.EnvelopeFrom, d.Recipients, d.Size = m.EnvelopeFrom, m.Recipients, len(m.Raw)
	} else if !fault.Is(err, fault.NotFound) {
		writeErr(w, err)
		return
	}
	atts, err := h.Store.ListAttempts(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	for _, a := range atts {
		d.Attempts = append(d.Attempts, AttemptView{N: a.N, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt, Outcome: a.Outcome, Code: a.Code, Detail: a.Detail, Class: a.Class})
	}
	evs, err := h.Store.ListEvents(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	for _, e := range evs {
		d.Events = append(d.Events, EventView{ID: e.ID, Type: e.Type, Time: e.Time, Detail: e.Detail})
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *Handler) raw(w http.ResponseWriter, r *http.Request, id string) {
	m, err := h.Store.GetMessage(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.eml"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Raw)))
	_, _ = w.Write(m.Raw)
}

// writeErr answers err: 404 for a fault.NotFound, else 500, with the error
// kept for the log (the client sees no detail).
func writeErr(w http.ResponseWriter, err error) {
	if rec, ok := w.(*recorder); ok {
		rec.err = err
	}
	if fault.Is(err, fault.NotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
