// Package ui is connectmail's web UI: a few pages, served under /ui/, that
// show contacts, their messages and events, instances and email addresses,
// message templates and the suppression list. The pages are a small
// JavaScript application of ES modules (one per page or component, no build
// step) embedded in the binary; it reads only the documented inspection API
// (/api/v1/..., package inspect) and its event stream (/api/v1/stream), and
// fetches nothing from any other origin. One shared worker holds the event
// stream for every tab of a browser, so any number of tabs costs the server
// (and the browser's per-host connection budget) one stream.
//
// Every page is served with a strict Content-Security-Policy (UIPolicy): only
// the embedded scripts and stylesheet run, nothing can frame the UI, and
// email HTML is only ever shown in a sandboxed iframe that loads the
// inspection API's inert HTML document. The scripts write data into the
// page through DOM text nodes and attributes only, so every value is escaped.
//
// Assets are served at /ui/assets/<name> (revalidated on every use) and at
// /ui/assets/<version>/<name>, where version is a digest of all assets: the
// index names that form, so browsers cache assets for good, and the modules'
// relative imports resolve inside the same version.
//
// The handler applies no access control of its own: mount it behind the
// same authentication as the inspection API.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed assets
var assets embed.FS

// Prefix is the path the UI is served under.
const Prefix = "/ui/"

// UIPolicy is the Content-Security-Policy of every UI response.
const UIPolicy = "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// asset is one embedded file with its validator.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// handler serves the UI.
type handler struct {
	index   []byte
	version string
	assets  map[string]asset
}

// contentType is the media type of an embedded file, by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".html":
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// versionLen is the length of the version path segment (hex digits).
const versionLen = 12

// Handler returns the UI's http.Handler; mount it at Prefix.
func Handler() http.Handler {
	h := &handler{assets: map[string]asset{}}
	var names []string
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, strings.TrimPrefix(p, "assets/"))
		return nil
	})
	if err != nil {
		panic("ui: embedded assets missing: " + err.Error())
	}
	sort.Strings(names)
	version := sha256.New()
	for _, name := range names {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			panic("ui: " + err.Error())
		}
		sum := sha256.Sum256(b)
		version.Write([]byte(name))
		version.Write(sum[:])
		h.assets[name] = asset{body: b, contentType: contentType(name), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	h.version = hex.EncodeToString(version.Sum(nil))[:versionLen]
	// The index names the assets inside the version directory, and preloads
	// every module so the browser fetches them in parallel, not import by import.
	var preload bytes.Buffer
	for _, name := range names {
		if path.Ext(name) == ".js" && name != "app.js" && name != "live-worker.js" {
			preload.WriteString(`<link rel="modulepreload" href="/ui/assets/` + h.version + "/" + name + `">` + "\n")
		}
	}
	index := bytes.Replace(h.assets["index.html"].body, []byte("<!--modulepreload-->\n"), preload.Bytes(), 1)
	h.index = bytes.ReplaceAll(index, []byte("{{v}}"), []byte(h.version))
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
		h.serveAsset(w, r, name)
		return
	}
	// Every other path is a page of the single-page application.
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache")
	write(w, r, h.index)
}

// serveAsset serves one embedded file: name is "<file>" or "<version>/<file>".
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	immutable := false
	if v, file, ok := strings.Cut(name, "/"); ok && isVersion(v) {
		name = file
		// An old version's URL gets the current file, but not for good.
		immutable = v == h.version
	}
	a, found := h.assets[name]
	if !found || name == "index.html" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("ETag", a.etag)
	if immutable {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	write(w, r, a.body)
}

// isVersion reports whether s has the form of a version path segment.
func isVersion(s string) bool {
	if len(s) != versionLen {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// write sends body, or only its length to a HEAD request.
func write(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
