package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/connectmail/connectmail/relay"
)

// newRelay builds the relay client of cfg: its TLS trust (RelayTLS) and its
// EHLO name, which it resolves into cfg.SMTPHelo. Verification turned off is
// logged as a warning, loudly, every start.
func newRelay(cfg *Config, log *slog.Logger) (*relay.Client, error) {
	tc, err := RelayTLS(*cfg)
	if err != nil {
		return nil, err
	}
	if cfg.SMTPHelo == "" {
		cfg.SMTPHelo = defaultHelloName(log)
	}
	rc, err := relay.New(relay.Config{URL: cfg.SMTPRelay, MaxConns: cfg.Concurrency, HelloName: cfg.SMTPHelo, TLSConfig: tc})
	if err != nil {
		return nil, fmt.Errorf("--smtp-relay: %w", err)
	}
	if cfg.SMTPRelayInsecureSkipVerify {
		log.Warn("RELAY TLS CERTIFICATES ARE NOT VERIFIED (--smtp-relay-insecure-skip-verify): anyone on the path to the relay can read and change "+
			"the mail and take the relay credentials; use it with a test relay only, and --smtp-relay-ca FILE for a relay with a private CA",
			relayAttrs(*cfg)...)
	}
	return rc, nil
}

// RelayTLS returns the TLS configuration for the relay: the system roots by
// default, only the CA certificates of cfg.SMTPRelayCA when it is set (a
// relay with a certificate from a private CA), or no verification at all
// with cfg.SMTPRelayInsecureSkipVerify (a test relay). The relay's host name
// is checked against its certificate in the first two cases.
func RelayTLS(cfg Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case cfg.SMTPRelayInsecureSkipVerify:
		tc.InsecureSkipVerify = true
	case cfg.SMTPRelayCA != "":
		pem, err := os.ReadFile(cfg.SMTPRelayCA)
		if err != nil {
			return nil, fmt.Errorf("--smtp-relay-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--smtp-relay-ca %s: no PEM certificate in it", cfg.SMTPRelayCA)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// defaultHelloName is the host name, or localhost (with a warning) when it
// cannot be said in EHLO.
func defaultHelloName(log *slog.Logger) string {
	name, err := os.Hostname()
	if err == nil {
		err = relay.CheckHelloName(name)
	}
	if err != nil {
		log.Warn("the host name cannot be the relay EHLO name; saying localhost, which relays may refuse: set --smtp-helo", "err", err)
		return relay.DefaultHelloName
	}
	return name
}

// relayAttrs describe the relay for logs: its URL without the password, how
// its certificate is checked, and the EHLO name.
func relayAttrs(cfg Config) []any {
	if cfg.SMTPRelay == "" {
		return []any{"relay", "none (capture mode)"}
	}
	shown := cfg.SMTPRelay
	if u, err := url.Parse(cfg.SMTPRelay); err == nil {
		shown = u.Redacted()
	}
	verify := "system roots"
	switch {
	case cfg.SMTPRelayInsecureSkipVerify:
		verify = "OFF (insecure)"
	case cfg.SMTPRelayCA != "":
		verify = "CA " + cfg.SMTPRelayCA
	}
	return []any{"relay", shown, "relay_tls_verify", verify, "helo", cfg.SMTPHelo}
}
