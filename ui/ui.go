// Package ui is connectmail's web UI: a few pages, served under /ui/, that
// show contacts, their messages and events, instances and email addresses,
// message templates and the suppression list. The pages are one small
// JavaScript application embedded in the binary; it reads only the
// documented inspection API (/api/v1/..., package inspect) and its event
// stream (/api/v1/stream), and fetches nothing from any other origin.
//
// Every page is served with a strict Content-Security-Policy (UIPolicy): only
// the embedded script and stylesheet run, nothing can frame the UI, and
// email HTML is only ever shown in a sandboxed iframe that loads the
// inspection API's inert HTML document. The script writes data into the
// page through DOM text nodes and attributes only, so every value is escaped.
//
// The handler applies no access control of its own: mount it behind the
// same authentication as the inspection API.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

// Prefix is the path the UI is served under.
const Prefix = "/ui/"

// UIPolicy is the Content-Security-Policy of every UI response.
const UIPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// asset is one embedded file with its validator.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// handler serves the UI.
type handler struct {
	index  []byte
	assets map[string]asset
}

// contentTypes maps the extensions of the embedded files.
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".html": "text/html; charset=utf-8",
}

// Handler returns the UI's http.Handler; mount it at Prefix.
func Handler() http.Handler {
	h := &handler{assets: map[string]asset{}}
	entries, err := assets.ReadDir("assets")
	if err != nil {
		panic("ui: embedded assets missing: " + err.Error())
	}
	version := sha256.New()
	for _, e := range entries {
		b, err := assets.ReadFile("assets/" + e.Name())
		if err != nil {
			panic("ui: " + err.Error())
		}
		sum := sha256.Sum256(b)
		version.Write(sum[:])
		h.assets[e.Name()] = asset{body: b, contentType: contentTypes[path.Ext(e.Name())], etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	// The index names the assets with a version so browsers can cache them for good.
	v := hex.EncodeToString(version.Sum(nil)[:6])
	h.index = bytes.ReplaceAll(h.assets["index.html"].body, []byte("{{v}}"), []byte(v))
	return h
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", UIPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	if name, ok := strings.CutPrefix(rest, "assets/"); ok {
		a, found := h.assets[name]
		if !found || name == "index.html" {
			http.NotFound(w, r)
			return
		}
		hd.Set("Content-Type", a.contentType)
		hd.Set("ETag", a.etag)
		if r.URL.Query().Get("v") != "" {
			hd.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			hd.Set("Cache-Control", "no-cache")
		}
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		write(w, r, a.body)
		return
	}
	// Every other path is a page of the single-page application.
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	write(w, r, h.index)
}

// write sends body, or only its length to a HEAD request.
func write(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
