package ui_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	version := regexp.MustCompile(`^/ui/assets/([0-9a-f]{12})/[a-z/-]+\.[a-z]+$`)
	versions := map[string]bool{}
	for _, m := range refs {
		v := version.FindStringSubmatch(m[1])
		if strings.HasPrefix(m[1], "/ui/assets/") && v == nil {
			t.Errorf("unversioned asset %s", m[1])
		}
		if v != nil {
			versions[v[1]] = true
			if resp, _ := serve(t, "GET", m[1], nil); resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("%s: %d, Cache-Control %q", m[1], resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
		}
		if strings.Contains(m[1], "//") {
			t.Errorf("index references another origin: %s", m[1])
		}
	}
	if len(versions) != 1 {
		t.Errorf("the index names %d asset versions", len(versions))
	}
	// Every module is preloaded, so that imports do not load one after the other.
	for _, name := range jsFiles(t) {
		if name != "app.js" && name != "live-worker.js" && !regexp.MustCompile(`<link rel="modulepreload" href="/ui/assets/[0-9a-f]{12}/`+regexp.QuoteMeta(name)+`">`).MatchString(index) {
			t.Errorf("%s is not preloaded", name)
		}
	}
	if !strings.Contains(index, `<script type="module" src="/ui/assets/`) {
		t.Error("the index does not load app.js as a module")
	}
	if strings.Contains(index, "<script>") || strings.Contains(index, "<style") || strings.Contains(index, " style=") || strings.Contains(index, "{{v}}") {
		t.Error("index has inline script/style or an unreplaced version")
	}
}

func TestPolicy(t *testing.T) {
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "worker-src 'self';", "frame-ancestors 'none'", "base-uri 'none'", "connect-src 'self';", "frame-src 'self';"} {
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
	_, index := serve(t, "GET", "/ui/", nil)
	m := regexp.MustCompile(`/ui/assets/([0-9a-f]{12})/app\.js`).FindStringSubmatch(index)
	if m == nil {
		t.Fatalf("no versioned app.js in %s", index)
	}
	v := m[1]
	cases := []struct {
		path, ctype string
		status      int
		cache       string
	}{
		{"/ui/assets/" + v + "/app.js", "text/javascript; charset=utf-8", 200, "public, max-age=31536000, immutable"},
		{"/ui/assets/" + v + "/pages/contacts.js", "text/javascript; charset=utf-8", 200, "public, max-age=31536000, immutable"},
		{"/ui/assets/" + v + "/app.css", "text/css; charset=utf-8", 200, "public, max-age=31536000, immutable"},
		// Another version's URL gets today's file, revalidated.
		{"/ui/assets/0123456789ab/app.js", "text/javascript; charset=utf-8", 200, "no-cache"},
		{"/ui/assets/live-worker.js", "text/javascript; charset=utf-8", 200, "no-cache"},
		{"/ui/assets/icon.svg", "image/svg+xml", 200, "no-cache"},
		{"/ui/assets/nope.js", "", 404, ""},
		{"/ui/assets/" + v + "/nope.js", "", 404, ""},
		{"/ui/assets/index.html", "", 404, ""},
		{"/ui/assets/" + v + "/index.html", "", 404, ""},
		{"/ui/assets/../ui.go", "", 404, ""},
		{"/ui/assets/pages/../ui.go", "", 404, ""},
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
	for _, name := range jsFiles(t) {
		b, err := os.ReadFile(filepath.Join("assets", name))
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
		// Every module is an ES module, strict by definition; nothing is global.
		if strings.Contains(src, "window.app") || strings.Contains(src, "globalThis.") {
			t.Errorf("%s publishes a global", name)
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

// jsFiles lists the UI's JavaScript modules, relative to assets/.
func jsFiles(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir("assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".js") {
			names = append(names, filepath.ToSlash(strings.TrimPrefix(p, "assets"+string(filepath.Separator))))
		}
		return err
	})
	if err != nil || len(names) < 5 {
		t.Fatalf("modules %v: %v", names, err)
	}
	return names
}
