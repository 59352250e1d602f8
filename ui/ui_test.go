package ui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/ui"
)

func serve(t *testing.T, method, target string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	ui.Handler().ServeHTTP(rec, req)
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPages(t *testing.T) {
	_, index := serve(t, "GET", "/ui/", nil)
	for _, path := range []string{"/ui/", "/ui/contacts/abc", "/ui/instances", "/ui/templates/kb/t", "/ui/suppressions?after=x"} {
		t.Run(path, func(t *testing.T) {
			resp, b := serve(t, "GET", path, nil)
			if resp.StatusCode != 200 || b != index {
				t.Fatalf("status %d, same index: %v", resp.StatusCode, b == index)
			}
			want := map[string]string{
				"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": ui.UIPolicy, "X-Content-Type-Options": "nosniff",
				"X-Frame-Options": "DENY", "Cache-Control": "no-cache",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	// The index loads only versioned, same-origin assets and no inline script or style.
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(refs) < 4 {
		t.Fatalf("index references %v", refs)
	}
	for _, m := range refs {
		if strings.HasPrefix(m[1], "/ui/assets/") && !regexp.MustCompile(`\?v=[0-9a-f]{12}$`).MatchString(m[1]) {
			t.Errorf("unversioned asset %s", m[1])
		}
		if strings.Contains(m[1], "//") {
			t.Errorf("index references another origin: %s", m[1])
		}
	}
	if strings.Contains(index, "<script>") || strings.Contains(index, "<style") || strings.Contains(index, " style=") || strings.Contains(index, "{{v}}") {
		t.Error("index has inline script/style or an unreplaced version")
	}
}

func TestPolicy(t *testing.T) {
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self';", "frame-src 'self';"} {
		if !strings.Contains(ui.UIPolicy, want) {
			t.Errorf("UIPolicy lacks %q", want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*", "http:", "https:"} {
		if strings.Contains(ui.UIPolicy, bad) {
			t.Errorf("UIPolicy allows %q", bad)
		}
	}
}

func TestAssets(t *testing.T) {
	cases := []struct {
		path, ctype string
		status      int
		cache       string
	}{
		{"/ui/assets/app.js?v=1", "text/javascript; charset=utf-8", 200, "public, max-age=31536000, immutable"},
		{"/ui/assets/app.css?v=1", "text/css; charset=utf-8", 200, "public, max-age=31536000, immutable"},
		{"/ui/assets/icon.svg", "image/svg+xml", 200, "no-cache"},
		{"/ui/assets/nope.js", "", 404, ""},
		{"/ui/assets/index.html", "", 404, ""},
		{"/ui/assets/../ui.go", "", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, b := serve(t, "GET", c.path, nil)
			if resp.StatusCode != c.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, c.status)
			}
			if c.status != 200 {
				return
			}
			if resp.Header.Get("Content-Type") != c.ctype || resp.Header.Get("Cache-Control") != c.cache || len(b) == 0 {
				t.Errorf("headers = %v, %d bytes", resp.Header, len(b))
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			resp, b = serve(t, "GET", c.path, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != http.StatusNotModified || b != "" {
				t.Errorf("conditional GET = %d with %d bytes", resp.StatusCode, len(b))
			}
		})
	}
}

func TestMethods(t *testing.T) {
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		resp, _ := serve(t, m, "/ui/", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s = %d", m, resp.StatusCode)
		}
	}
	resp, b := serve(t, "HEAD", "/ui/", nil)
	if resp.StatusCode != 200 || b != "" {
		t.Errorf("HEAD = %d %q", resp.StatusCode, b)
	}
}

// TestScriptWritesNoMarkup keeps the UI's script from ever parsing data as
// HTML: it builds the DOM with text nodes and attributes only.
func TestScriptWritesNoMarkup(t *testing.T) {
	for _, name := range []string{"assets/app.js"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc", "createContextualFragment", "DOMParser", "javascript:"} {
			if strings.Contains(src, sink) {
				t.Errorf("%s uses %s", name, sink)
			}
		}
		// Every iframe the script makes is sandboxed without scripts.
		for _, m := range regexp.MustCompile(`h\('iframe', \{[^}]*\}`).FindAllString(src, -1) {
			if !strings.Contains(m, "sandbox: ''") {
				t.Errorf("iframe without an empty sandbox: %s", m)
			}
		}
		// Every API path the script uses is one the inspection API documents.
		for _, m := range regexp.MustCompile(`(?:api|url)\('(/[a-z-]+)`).FindAllStringSubmatch(src, -1) {
			switch m[1] {
			case "/messages", "/instances", "/knowledge-bases", "/templates", "/suppressions":
			default:
				t.Errorf("script calls undocumented endpoint %s", m[1])
			}
		}
	}
}
