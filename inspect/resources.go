package inspect

// Resource endpoints: the read-only views the web UI needs beyond the message
// list and detail — instances and their email addresses, a message parsed
// into headers, bodies and attachments (MIME is parsed here, in Go, never in
// the browser), its HTML body served as an inert document, and the contacts
// related to a contact. They are listed in the package comment.

import (
	"context"
	"html"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

// ResourceStore is what the instance endpoints read; a Store that does not
// implement it answers 501 on them.
type ResourceStore interface {
	GetInstance(ctx context.Context, id string) (*connect.Instance, error)
	ListInstances(ctx context.Context, after string, limit int) ([]*connect.Instance, error)
	ListEmailAddresses(ctx context.Context, instanceID string) ([]*connect.EmailAddress, error)
}

// InstanceView is an instance as listed by the inspection API.
type InstanceView struct {
	ID                     string            `json:"id"`
	ARN                    string            `json:"arn"`
	Alias                  string            `json:"alias,omitempty"`
	IdentityManagementType string            `json:"identityManagementType,omitempty"`
	Status                 string            `json:"status,omitempty"`
	InboundCallsEnabled    bool              `json:"inboundCallsEnabled"`
	OutboundCallsEnabled   bool              `json:"outboundCallsEnabled"`
	CreatedAt              time.Time         `json:"createdAt"`
	Tags                   map[string]string `json:"tags,omitempty"`
}

// EmailAddressView is an email address resource of an instance.
type EmailAddressView struct {
	ID          string            `json:"id"`
	ARN         string            `json:"arn"`
	InstanceID  string            `json:"instanceId"`
	Address     string            `json:"address"`
	DisplayName string            `json:"displayName,omitempty"`
	Description string            `json:"description,omitempty"`
	AliasOf     string            `json:"aliasOf,omitempty"`
	CreatedAt   time.Time         `json:"createdAt"`
	ModifiedAt  time.Time         `json:"modifiedAt"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// HeaderField is one header field of a message, its value decoded (RFC 2047).
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PartInfo describes one leaf MIME part of a message.
type PartInfo struct {
	// Index numbers the leaf parts in document order from 0; it addresses
	// GET /api/v1/messages/{contactId}/parts/{index}.
	Index       int    `json:"index"`
	ContentType string `json:"contentType"`
	Charset     string `json:"charset,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Filename    string `json:"filename,omitempty"`
	ContentID   string `json:"contentId,omitempty"`
	// Size is the decoded size in bytes.
	Size int `json:"size"`
}

// Parts is a message parsed for display.
type Parts struct {
	Headers []HeaderField `json:"headers"`
	// Text and HTML are the first plain-text and HTML body parts, decoded to UTF-8.
	Text string `json:"text"`
	HTML string `json:"html"`
	// Attachments lists the parts that are not a displayed body.
	Attachments []PartInfo `json:"attachments"`
	// Structure lists every leaf part.
	Structure []PartInfo `json:"structure"`
	// RemoteContent counts references in HTML to remote images or
	// backgrounds, which the HTML endpoint blocks unless asked.
	RemoteContent int `json:"remoteContent"`
	// Warnings says what could not be decoded.
	Warnings []string `json:"warnings,omitempty"`
	// Truncated says what the parser left out (absent when nothing).
	Truncated *Truncation `json:"truncated,omitempty"`
}

// Truncation says which limit of the MIME walk a message reached: its keys
// are present, and true, only for the limits reached.
type Truncation struct {
	// Depth: multipart containers nested deeper than MaxDepth were not read.
	Depth bool `json:"depth,omitempty"`
	// Parts: the walk stopped after MaxParts parts.
	Parts bool `json:"parts,omitempty"`
}

// RelatedContact is a contact linked to another one.
type RelatedContact struct {
	// Relation is related, previous or initial (the contact's own links),
	// reply (a contact whose RelatedContactId is this one) or sameCustomer
	// (another contact with the same customer address).
	Relation string   `json:"relation"`
	Contact  *Summary `json:"contact,omitempty"`
	// ContactID is set alone when a linked contact is no longer stored.
	ContactID string `json:"contactId"`
}

// Limits of the related contacts listed.
const (
	sameCustomerMax = 10
	replyMax        = 50
)

// serveResource serves the endpoints of this file and reports whether the
// path was one of them.
func (h *Handler) serveResource(w http.ResponseWriter, r *http.Request, parts []string) bool {
	switch {
	case len(parts) == 1 && parts[0] == "instances":
		h.instances(w, r)
	case len(parts) == 2 && parts[0] == "instances":
		h.instance(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "instances" && parts[2] == "email-addresses":
		h.emailAddresses(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "messages" && parts[2] == "parts":
		h.parts(w, r, parts[1])
	case len(parts) == 4 && parts[0] == "messages" && parts[2] == "parts":
		h.part(w, r, parts[1], parts[3])
	case len(parts) == 3 && parts[0] == "messages" && parts[2] == "html":
		h.html(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "messages" && parts[2] == "related":
		h.related(w, r, parts[1])
	default:
		return h.serveTemplates(w, r, parts)
	}
	return true
}

func (h *Handler) resourceStore(w http.ResponseWriter) (ResourceStore, bool) {
	rs, ok := h.Store.(ResourceStore)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "this store does not list instances"})
	}
	return rs, ok
}

func instanceView(in *connect.Instance) InstanceView {
	return InstanceView{
		ID: in.ID, ARN: in.ARN, Alias: in.Alias, IdentityManagementType: in.IdentityManagementType, Status: in.Status,
		InboundCallsEnabled: in.InboundCallsEnabled, OutboundCallsEnabled: in.OutboundCallsEnabled,
		CreatedAt: in.CreatedAt, Tags: in.Tags,
	}
}

// instances: GET /api/v1/instances?after=&limit= (ordered by id; next is the after of the next page).
func (h *Handler) instances(w http.ResponseWriter, r *http.Request) {
	rs, ok := h.resourceStore(w)
	if !ok {
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	list, err := rs.ListInstances(r.Context(), r.URL.Query().Get("after"), limit+1)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := struct {
		Instances []InstanceView `json:"instances"`
		Next      string         `json:"next,omitempty"`
	}{Instances: make([]InstanceView, 0, len(list))}
	if len(list) > limit {
		list = list[:limit]
		out.Next = list[limit-1].ID
	}
	for _, in := range list {
		out.Instances = append(out.Instances, instanceView(in))
	}
	writeJSON(w, http.StatusOK, out)
}

// instance: GET /api/v1/instances/{id} — the instance with its email addresses.
func (h *Handler) instance(w http.ResponseWriter, r *http.Request, id string) {
	rs, ok := h.resourceStore(w)
	if !ok {
		return
	}
	in, err := rs.GetInstance(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	addrs, err := rs.ListEmailAddresses(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		InstanceView
		EmailAddresses []EmailAddressView `json:"emailAddresses"`
	}{instanceView(in), emailAddressViews(addrs)})
}

// emailAddresses: GET /api/v1/instances/{id}/email-addresses.
func (h *Handler) emailAddresses(w http.ResponseWriter, r *http.Request, id string) {
	rs, ok := h.resourceStore(w)
	if !ok {
		return
	}
	if _, err := rs.GetInstance(r.Context(), id); err != nil {
		writeErr(w, err)
		return
	}
	addrs, err := rs.ListEmailAddresses(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"emailAddresses": emailAddressViews(addrs)})
}

func emailAddressViews(list []*connect.EmailAddress) []EmailAddressView {
	out := make([]EmailAddressView, 0, len(list))
	for _, e := range list {
		out = append(out, EmailAddressView{
			ID: e.ID, ARN: e.ARN, InstanceID: e.InstanceID, Address: e.Address, DisplayName: e.DisplayName,
			Description: e.Description, AliasOf: e.AliasOf, CreatedAt: e.CreatedAt, ModifiedAt: e.ModifiedAt, Tags: e.Tags,
		})
	}
	return out
}

func (h *Handler) loadParsed(w http.ResponseWriter, r *http.Request, id string) *parsed {
	m, err := h.Store.GetMessage(r.Context(), id)
	if err != nil {
		writeErr(w, err)
		return nil
	}
	p, err := parseMessage(m.Raw)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return nil
	}
	return p
}

// parts: GET /api/v1/messages/{contactId}/parts.
func (h *Handler) parts(w http.ResponseWriter, r *http.Request, id string) {
	if p := h.loadParsed(w, r, id); p != nil {
		writeJSON(w, http.StatusOK, p.Parts)
	}
}

// part: GET /api/v1/messages/{contactId}/parts/{index} — one part's bytes,
// transfer-decoded, as a download, never rendered in the API's origin. A
// text part carries its charset: the declared one, else utf-8 when the
// bytes are valid UTF-8.
func (h *Handler) part(w http.ResponseWriter, r *http.Request, id, index string) {
	p := h.loadParsed(w, r, id)
	if p == nil {
		return
	}
	n, err := strconv.Atoi(index)
	if err != nil || n < 0 || n >= len(p.Structure) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such part"})
		return
	}
	info, data := p.Structure[n], p.data[n]
	name := info.Filename
	if name == "" {
		name = "part-" + strconv.Itoa(n)
	}
	ct := info.ContentType
	if strings.HasPrefix(ct, "text/") {
		cs := info.Charset
		if cs == "" && utf8.Valid(data) {
			cs = "utf-8"
		}
		if withCS := mime.FormatMediaType(ct, map[string]string{"charset": cs}); cs != "" && withCS != "" {
			ct = withCS
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// HTMLPolicy is the Content-Security-Policy of a message's HTML document:
// sandboxed (a unique origin, no script, no forms, no popups), nothing
// loaded but inline styles and data: images.
const HTMLPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

// HTMLPolicyRemote is HTMLPolicy with remote images allowed.
const HTMLPolicyRemote = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: http: https:; font-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

// html: GET /api/v1/messages/{contactId}/html[?remote=1] — the HTML body
// (or the plain text, escaped, when there is none) as a document that can run
// no script and, without remote=1, loads nothing remote. Inline parts
// referenced by cid: URLs are embedded as data: URLs, within the bounds of
// writeInlined.
func (h *Handler) html(w http.ResponseWriter, r *http.Request, id string) {
	p := h.loadParsed(w, r, id)
	if p == nil {
		return
	}
	inertHeaders(w, r.URL.Query().Get("remote") == "1")
	if p.HTML == "" {
		_, _ = io.WriteString(w, `<pre style="white-space:pre-wrap;font:13px/1.45 ui-monospace,monospace;margin:0">`+html.EscapeString(p.Text)+`</pre>`)
		return
	}
	writeInlined(w, p.HTML, p)
}

// writeInertHTML serves doc under HTMLPolicy, or HTMLPolicyRemote when remote.
func writeInertHTML(w http.ResponseWriter, doc string, remote bool) {
	inertHeaders(w, remote)
	_, _ = io.WriteString(w, doc)
}

// inertHeaders sets the headers of an inert HTML document.
func inertHeaders(w http.ResponseWriter, remote bool) {
	policy := HTMLPolicy
	if remote {
		policy = HTMLPolicyRemote
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", policy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "private, no-cache")
}

// related: GET /api/v1/messages/{contactId}/related — the contacts this one
// links to (related, previous, initial), its replies (the latest replyMax
// contacts whose RelatedContactId is this one, oldest first) and the latest
// sameCustomerMax other contacts of its instance with the same customer
// address (connect.Contact.Customer), those already listed excepted.
func (h *Handler) related(w http.ResponseWriter, r *http.Request, id string) {
	ctx := r.Context()
	c, err := h.Store.GetContact(ctx, "", id)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := []RelatedContact{}
	seen := map[string]bool{id: true}
	for _, l := range []struct{ rel, id string }{{"related", c.RelatedContactID}, {"previous", c.PreviousContactID}, {"initial", c.InitialContactID}} {
		if l.id == "" || seen[l.id] {
			continue
		}
		seen[l.id] = true
		rc := RelatedContact{Relation: l.rel, ContactID: l.id}
		lc, err := h.Store.GetContact(ctx, "", l.id)
		switch {
		case err == nil:
			s := Summarize(lc)
			rc.Contact = &s
		case !fault.Is(err, fault.NotFound):
			writeErr(w, err)
			return
		}
		out = append(out, rc)
	}
	replies, err := h.Store.ListContacts(ctx, connect.ContactFilter{InstanceID: c.InstanceID, RelatedContactID: c.ID, Limit: replyMax})
	if err != nil {
		writeErr(w, err)
		return
	}
	for i := len(replies.Contacts) - 1; i >= 0; i-- { // oldest first
		rc := replies.Contacts[i]
		if seen[rc.ID] {
			continue
		}
		seen[rc.ID] = true
		s := Summarize(rc)
		out = append(out, RelatedContact{Relation: "reply", ContactID: rc.ID, Contact: &s})
	}
	if cu := c.Customer(); cu.Address != "" {
		// Enough rows that sameCustomerMax remain after those already listed.
		page, err := h.Store.ListContacts(ctx, connect.ContactFilter{InstanceID: c.InstanceID, Customer: cu.Address, Limit: sameCustomerMax + len(seen)})
		if err != nil {
			writeErr(w, err)
			return
		}
		n := 0
		for _, oc := range page.Contacts {
			if seen[oc.ID] || n == sameCustomerMax {
				continue
			}
			seen[oc.ID] = true
			n++
			s := Summarize(oc)
			out = append(out, RelatedContact{Relation: "sameCustomer", ContactID: oc.ID, Contact: &s})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"related": out})
}
