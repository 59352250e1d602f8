package server

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/ui"
)

// hostPolicy is the set of Host header names a server answers. Without
// --credentials anyone who reaches the listener may use the public test/test
// key, so a page on another site whose name was rebound to the server's
// address (DNS rebinding) must not reach it: only loopback names and the
// names the operator allowed are answered.
type hostPolicy struct {
	names map[string]bool
}

// hostPolicyFor is the policy of a configuration: loopback names and
// --allowed-hosts (with --emulator and no list: the machine's host name, as
// a container's peers on a network may call it), or nil, answering every
// Host, with --credentials and no --allowed-hosts. It logs the emulator's
// warning.
func hostPolicyFor(cfg Config) *hostPolicy {
	if cfg.CredentialsFile != "" && len(cfg.AllowedHosts) == 0 {
		return nil
	}
	names := cfg.AllowedHosts
	if cfg.Emulator && len(names) == 0 {
		if h, err := os.Hostname(); err == nil && checkAllowedHost(h) == nil {
			names = []string{h}
		}
	}
	if cfg.Emulator {
		cfg.Logger.Warn("EMULATOR MODE: the public test/test key is accepted from anyone who can reach "+cfg.Addr+"; never expose this listener beyond a test network",
			"allowedHosts", append([]string{"localhost", "127.0.0.1", "::1"}, names...))
	}
	return newHostPolicy(names)
}

// newHostPolicy allows loopback names and addresses and the given names.
func newHostPolicy(names []string) *hostPolicy {
	p := &hostPolicy{names: map[string]bool{}}
	for _, n := range names {
		p.names[normalizeHost(n)] = true
	}
	return p
}

// normalizeHost lowercases a host name and drops a trailing dot and IPv6
// brackets.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// allowed reports whether a Host header (with or without a port) may be answered.
func (p *hostPolicy) allowed(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = normalizeHost(host)
	return loopbackName(host) || p.names[host]
}

// loopbackName reports whether a normalized host names the loopback interface.
func loopbackName(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkAllowedHost validates one --allowed-hosts entry: a host name or an
// IP address, without scheme, port or path.
func checkAllowedHost(h string) error {
	n := strings.Trim(h, "[]")
	if net.ParseIP(n) != nil {
		return nil
	}
	if n == "" || len(n) > 253 || strings.ContainsAny(n, ":/ \t*@") {
		return fmt.Errorf("--allowed-hosts: %q is not a host name or IP address (no scheme, port or wildcard)", h)
	}
	return nil
}

// guard answers only requests whose Host the policy allows; /healthz stays
// open to every Host (container health checks). Refusals are the AWS 403
// on the AWS routes (everything the server does not serve under its own
// prefixes) and plain text elsewhere.
func (p *hostPolicy) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || p.allowed(r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		if !ownRoute(r.URL.Path) {
			awsapi.RefuseHost(w, r)
			return
		}
		http.Error(w, fmt.Sprintf("forbidden: Host %q is not one this server answers (see --allowed-hosts)", r.Host), http.StatusForbidden)
	})
}

// ownRoute reports whether path is one of connectmail's own routes (UI,
// inspection API, metrics, profiles) rather than an AWS API route.
func ownRoute(path string) bool {
	for _, p := range []string{"/api/v1/", ui.Prefix, "/metrics", profilePrefix} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
