package inspect

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/connect"
)

// SuppressionStore is what the suppression endpoints use.
//
//	GET    /api/v1/suppressions?after=&limit=   list (ordered by address)
//	PUT    /api/v1/suppressions/{address}       add: optional JSON body {"reason": "...", "expiresAt": RFC 3339}
//	DELETE /api/v1/suppressions/{address}       remove
type SuppressionStore interface {
	Suppress(ctx context.Context, entries []connect.Suppression) error
	ListSuppressions(ctx context.Context, after string, limit int) ([]connect.Suppression, error)
	Unsuppress(ctx context.Context, address string) error
}

// SuppressionView is one suppression list entry.
type SuppressionView struct {
	Address   string     `json:"address"`
	Reason    string     `json:"reason"`
	ContactID string     `json:"contactId,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

func (h *Handler) suppressions(w http.ResponseWriter, r *http.Request, rest []string) {
	st, ok := h.Store.(SuppressionStore)
	if !ok {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": "suppression list unavailable"})
		return
	}
	switch {
	case len(rest) == 0 && r.Method == http.MethodGet:
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 || limit > 1000 {
			limit = 100
		}
		list, err := st.ListSuppressions(r.Context(), r.URL.Query().Get("after"), limit+1)
		if err != nil {
			writeErr(w, err)
			return
		}
		out := struct {
			Suppressions []SuppressionView `json:"suppressions"`
			Next         string            `json:"next,omitempty"`
		}{Suppressions: []SuppressionView{}}
		if len(list) > limit {
			list = list[:limit]
			out.Next = list[limit-1].Address
		}
		for _, e := range list {
			v := SuppressionView{Address: e.Address, Reason: e.Reason, ContactID: e.ContactID, CreatedAt: e.CreatedAt}
			if !e.ExpiresAt.IsZero() {
				x := e.ExpiresAt
				v.ExpiresAt = &x
			}
			out.Suppressions = append(out.Suppressions, v)
		}
		writeJSON(w, http.StatusOK, out)
	case len(rest) == 1 && r.Method == http.MethodPut:
		addr, err := url.PathUnescape(rest[0])
		if err != nil || !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \r\n") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "not an email address"})
			return
		}
		var body struct {
			Reason    string    `json:"reason"`
			ExpiresAt time.Time `json:"expiresAt"`
		}
		if b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10)); len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON {reason, expiresAt}"})
				return
			}
		}
		if body.Reason == "" {
			body.Reason = "added through the inspection API"
		}
		e := connect.Suppression{Address: addr, Reason: body.Reason, CreatedAt: time.Now().UTC(), ExpiresAt: body.ExpiresAt}
		if err := st.Suppress(r.Context(), []connect.Suppression{e}); err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"address": addr})
	case len(rest) == 1 && r.Method == http.MethodDelete:
		addr, _ := url.PathUnescape(rest[0])
		if err := st.Unsuppress(r.Context(), addr); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}
