package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/server/servertest"
)

func TestServeHelpExplainsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	help := errb.String()
	for _, flag := range []string{"addr", "db", "smtp-relay", "smtp-relay-ca", "smtp-relay-insecure-skip-verify", "smtp-helo", "smtp-addr", "account-id", "credentials", "dkim", "webhook", "webhook-secret", "retry-base", "max-age", "suppress-for", "domain-rate", "fault-injection", "emulator", "allowed-hosts"} {
		if !strings.Contains(help, "--"+flag+" ") && !strings.Contains(help, "--"+flag+"\t") {
			t.Errorf("serve --help does not mention --%s", flag)
		}
		if !strings.Contains(help, envName(flag)) {
			t.Errorf("serve --help does not mention %s", envName(flag))
		}
	}
	for _, def := range []string{`"127.0.0.1:4580"`, `"sqlite:connectmail.db"`, `"000000000000"`} {
		if !strings.Contains(help, def) {
			t.Errorf("serve --help lacks default %s", def)
		}
	}
	out.Reset()
	if code := run([]string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "connectmail serve") {
		t.Fatalf("--help: %d %s", code, out.String())
	}
}

func TestServeRefusals(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"public address without credentials", []string{"--addr", "0.0.0.0:0"}, nil, "refusing to listen"},
		{"all interfaces without credentials", []string{"--addr", ":0"}, nil, "refusing to listen"},
		{"env twin public address", nil, map[string]string{"CONNECTMAIL_ADDR": "0.0.0.0:0"}, "refusing to listen"},
		{"bad account id", []string{"--account-id", "12ab"}, nil, "12 digits"},
		{"bad db", []string{"--db", "mysql://x"}, nil, "--db"},
		{"bad relay", []string{"--smtp-relay", "http://x"}, nil, "--smtp-relay"},
		{"missing credentials file", []string{"--addr", "0.0.0.0:0", "--credentials", "/nonexistent/creds.json"}, nil, "no such file"},
		{"bad dkim", []string{"--dkim", "example.com"}, nil, "DOMAIN:SELECTOR:KEYFILE"},
		{"bad domain rate", []string{"--domain-rate", "example.com=fast"}, nil, "DOMAIN=N"},
		{"bad EHLO name", []string{"--smtp-relay", "smtp://127.0.0.1:1", "--smtp-helo", "my_host"}, nil, "--smtp-helo"},
		{"env twin bad EHLO name", []string{"--smtp-relay", "smtp://127.0.0.1:1"}, map[string]string{"CONNECTMAIL_SMTP_HELO": "two words"}, "--smtp-helo"},
		{"missing relay CA", []string{"--smtp-relay", "smtp://127.0.0.1:1", "--smtp-relay-ca", "/nonexistent/ca.pem"}, nil, "--smtp-relay-ca"},
		{"relay CA without a certificate", []string{"--smtp-relay", "smtp://127.0.0.1:1", "--smtp-relay-ca", "main.go"}, nil, "no PEM certificate"},
		{"relay CA and insecure", []string{"--smtp-relay", "smtp://127.0.0.1:1", "--smtp-relay-ca", "main.go", "--smtp-relay-insecure-skip-verify"}, nil, "exclude each other"},
		{"emulator with credentials", []string{"--emulator", "--credentials", "/nonexistent/creds.json"}, nil, "does not go with --credentials"},
		{"bad allowed host", []string{"--allowed-hosts", "http://example.com"}, nil, "--allowed-hosts"},
		// CONNECTMAIL_EMULATOR=1 lifts the loopback refusal: what fails is the host list.
		{"env twins emulator and allowed hosts", nil, map[string]string{"CONNECTMAIL_ADDR": "0.0.0.0:0", "CONNECTMAIL_EMULATOR": "1", "CONNECTMAIL_ALLOWED_HOSTS": "ok.example,*.example"}, "--allowed-hosts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := run(append([]string{"serve", "--db", "sqlite:" + t.TempDir() + "/x.db"}, c.args...), &out, &errb)
			if code == 0 || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want failure mentioning %q", code, errb.String(), c.want)
			}
		})
	}
}

func TestVersionLine(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	cases := []struct {
		name            string
		info            *debug.BuildInfo
		version, commit string
		want            string
	}{
		{"checkout without VCS stamping", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "", "",
			"connectmail devel (commit unknown, go1.26.8, "},
		{"no build info at all", nil, "", "", "connectmail devel (commit unknown, "},
		{"release script stamps both", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "v1.2.3", "0123456789abcdef0123456789abcdef01234567",
			"connectmail v1.2.3 (commit 0123456789abcdef0123456789abcdef01234567, go1.26.8, "},
		{"go install module@v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "", "",
			"connectmail v1.2.3 (commit unknown, go1.26.8, "},
		{"go install module@latest on an untagged commit", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261204184800-2cf6280abcde"}}, "", "",
			"connectmail v0.0.0-20261204184800-2cf6280abcde (commit 2cf6280abcde, "},
		{"pseudo-version after a tag, dirty build", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.1-0.20261204184800-2cf6280abcde+dirty"}}, "", "",
			"(commit 2cf6280abcde, "},
		{"go build with VCS stamping", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.1-0.20261204184800-2cf6280abcde+dirty"},
			Settings: settings("vcs.revision", "2cf6280abcdef0123456789abcdef0123456789a", "vcs.modified", "true")}, "", "",
			"(commit 2cf6280abcdef0123456789abcdef0123456789a-dirty, "},
		{"stamped commit wins over VCS", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "ffff", "vcs.modified", "true")}, "", "abcd",
			"connectmail devel (commit abcd, "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := versionLine(c.info, c.version, c.commit)
			if !strings.Contains(got, c.want) {
				t.Fatalf("versionLine = %q, want it to contain %q", got, c.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := out.String(); !strings.HasPrefix(got, "connectmail ") || !strings.Contains(got, "(commit ") || !strings.Contains(got, runtime.Version()) {
		t.Fatalf("version printed %q", got)
	}
}

func TestHealthcheck(t *testing.T) {
	srv := servertest.Start(t, servertest.Config(t))
	_, port, _ := net.SplitHostPort(srv.Addr)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "draining", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	closed := freeLoopbackAddr(t)
	cases := []struct {
		name     string
		args     []string
		env      string // CONNECTMAIL_ADDR
		wantCode int
		wantErr  string
	}{
		{"server on its address", []string{"--addr", srv.Addr}, "", 0, ""},
		{"listener on every interface is reached on loopback", []string{"--addr", "0.0.0.0:" + port}, "", 0, ""},
		{"empty host is every interface too", []string{"--addr", ":" + port}, "", 0, ""},
		{"address from the serve environment twin", nil, "0.0.0.0:" + port, 0, ""},
		{"flag wins over the environment", []string{"--addr", srv.Addr}, closed, 0, ""},
		{"nothing listening", []string{"--addr", closed, "--timeout", "2s"}, "", 1, "connection refused"},
		{"unhealthy answer", []string{"--addr", strings.TrimPrefix(failing.URL, "http://")}, "", 1, "503"},
		{"malformed address", []string{"--addr", "nonsense"}, "", 2, "--addr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv("CONNECTMAIL_ADDR", c.env)
			}
			var out, errb bytes.Buffer
			code := run(append([]string{"healthcheck"}, c.args...), &out, &errb)
			if code != c.wantCode || !strings.Contains(errb.String(), c.wantErr) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, errb.String(), c.wantCode, c.wantErr)
			}
		})
	}
}

// freeLoopbackAddr is a loopback address nothing listens on.
func freeLoopbackAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
