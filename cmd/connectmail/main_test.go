package main

import (
	"bytes"
	"strings"
	"testing"
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
