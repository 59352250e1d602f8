// Command connectmail is a self-hosted, wire-compatible Amazon Connect email
// channel: `connectmail serve` answers the Connect and Q in Connect APIs,
// stores contacts durably and delivers their mail over SMTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/connectmail/connectmail/bench"
	"github.com/connectmail/connectmail/server"
)

const usage = `connectmail — a self-hosted Amazon Connect email channel (StartOutboundEmailContact and friends).

Usage:
  connectmail serve [flags]    run the server (AWS APIs, delivery, web UI, inspection API)
  connectmail bench [flags]    load-test a server (started as a child or --target) and report its figures
  connectmail healthcheck      exit 0 when the server on --addr answers /healthz (for container HEALTHCHECKs)
  connectmail help [command]   show help
  connectmail version          print the version, commit and Go toolchain

Run 'connectmail serve --help' for the server's flags. Every flag has an
environment twin CONNECTMAIL_<NAME> (for example CONNECTMAIL_SMTP_RELAY);
a flag on the command line wins over the environment.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "bench":
		return bench.Main(args[1:], stdout, stderr)
	case "healthcheck":
		return healthcheck(args[1:], stdout, stderr)
	case "version", "--version":
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintln(stdout, versionLine(info, version, commit))
		return 0
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] == "serve" {
			return serve([]string{"--help"}, stdout, stderr)
		}
		if len(args) > 1 && args[1] == "bench" {
			return bench.Main([]string{"--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "connectmail: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// envName is the environment twin of a flag: --smtp-relay → CONNECTMAIL_SMTP_RELAY.
func envName(flagName string) string {
	return "CONNECTMAIL_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// dkimList collects repeated --dkim DOMAIN:SELECTOR:KEYFILE values.
type dkimList []server.DKIMConfig

func (d *dkimList) String() string {
	var parts []string
	for _, k := range *d {
		parts = append(parts, k.Domain+":"+k.Selector+":"+k.KeyFile)
	}
	return strings.Join(parts, ",")
}

func (d *dkimList) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		p := strings.SplitN(strings.TrimSpace(item), ":", 3)
		if len(p) != 3 || p[0] == "" || p[1] == "" || p[2] == "" {
			return fmt.Errorf("want DOMAIN:SELECTOR:KEYFILE, got %q", item)
		}
		*d = append(*d, server.DKIMConfig{Domain: p[0], Selector: p[1], KeyFile: p[2]})
	}
	return nil
}

// rateFlag collects DOMAIN=N per-domain rate limits.
type rateFlag map[string]float64

func (r rateFlag) String() string {
	var parts []string
	for d, n := range r {
		parts = append(parts, d+"="+strconv.FormatFloat(n, 'g', -1, 64))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (r rateFlag) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		d, n, ok := strings.Cut(strings.TrimSpace(item), "=")
		f, err := strconv.ParseFloat(n, 64)
		if !ok || d == "" || err != nil || f <= 0 {
			return fmt.Errorf("want DOMAIN=N with N > 0, got %q", item)
		}
		r[strings.ToLower(d)] = f
	}
	return nil
}

// listFlag collects repeated or comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func serve(args []string, stdout, stderr io.Writer) int {
	cfg := server.Defaults()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dkim dkimList
	var logLevel, logFormat string
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "HTTP listener `HOST:PORT` for the AWS APIs, the web UI (/ui/), the inspection API (/api/v1/) and /metrics")
	fs.StringVar(&cfg.DB, "db", cfg.DB, "database `DSN`: sqlite:PATH (embedded) or a postgres:// URL")
	fs.StringVar(&cfg.SMTPRelay, "smtp-relay", "", "where outbound mail goes: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://host:port (implicit TLS); empty = capture mode: messages are composed and stored, not sent")
	fs.StringVar(&cfg.SMTPRelayCA, "smtp-relay-ca", "", "PEM `FILE` of the CA certificates the relay's TLS certificate must chain to (a private CA), instead of the system roots")
	fs.BoolVar(&cfg.SMTPRelayInsecureSkipVerify, "smtp-relay-insecure-skip-verify", false, "accept any relay TLS certificate, unverified; for test relays only (logged as a warning at start)")
	fs.StringVar(&cfg.SMTPHelo, "smtp-helo", "", "`NAME` said in EHLO to the relay: a fully qualified host name or an address literal such as [192.0.2.1]; empty = this machine's host name")
	fs.StringVar(&cfg.SMTPAddr, "smtp-addr", "", "inbound SMTP listener `HOST:PORT` for customer mail and replies; empty = off")
	fs.StringVar(&cfg.SMTPTLSCert, "smtp-tls-cert", "", "PEM certificate `FILE` (chain) the inbound SMTP listener offers with STARTTLS; needs --smtp-tls-key")
	fs.StringVar(&cfg.SMTPTLSKey, "smtp-tls-key", "", "PEM private key `FILE` of --smtp-tls-cert")
	fs.IntVar(&cfg.SMTPLimits.MaxSessions, "smtp-max-sessions", cfg.SMTPLimits.MaxSessions, "most concurrent inbound SMTP sessions; a connection beyond them is answered 421 and closed")
	fs.DurationVar(&cfg.SMTPLimits.SessionTimeout, "smtp-session-timeout", cfg.SMTPLimits.SessionTimeout, "longest inbound SMTP session, however busy; at the deadline it is answered 421 and closed")
	fs.Int64Var(&cfg.SMTPLimits.MaxMessageBytes, "smtp-max-size", cfg.SMTPLimits.MaxMessageBytes, "largest inbound message in `BYTES` (announced with SIZE; larger ones are refused with 552); messages held in memory while they are recorded take at most twice this, all sessions together")
	fs.StringVar(&cfg.AccountID, "account-id", cfg.AccountID, "12-digit AWS account id used in every ARN")
	fs.StringVar(&cfg.CredentialsFile, "credentials", "", "JSON `FILE` of access keys and what each may do; without it only key test / secret test is accepted, and only on a loopback --addr (or with --emulator)")
	fs.IntVar(&cfg.MaxConnections, "http-max-connections", cfg.MaxConnections, "cap on open connections to --addr (`N`; more wait until one closes); 0 = no cap")
	fs.BoolVar(&cfg.Emulator, "emulator", false, "accept the public test/test key on any --addr (containers, CI service containers); logs a warning; answers only loopback Host names and --allowed-hosts")
	var allowedHosts listFlag
	fs.Var(&allowedHosts, "allowed-hosts", "Host `NAMES` answered besides loopback ones (comma-separated host names or IP addresses); without --credentials nothing else is; default with --emulator: this machine's host name")
	fs.Var(&dkim, "dkim", "DKIM signing key `DOMAIN:SELECTOR:KEYFILE` (PEM, RSA or Ed25519); repeat or comma-separate for several domains")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "most simultaneous SMTP connections to the relay")
	fs.DurationVar(&cfg.RetryBase, "retry-base", cfg.RetryBase, "first retry delay after a temporary failure; each later retry doubles it (capped at 20m), with jitter")
	fs.DurationVar(&cfg.MaxAge, "max-age", cfg.MaxAge, "how long a message is retried before its contact fails with EMAIL_DELIVERY_EXPIRED")
	var hooks listFlag
	fs.Var(&hooks, "webhook", "`URL` that receives every contact and delivery event as a signed JSON POST (EventBridge envelope); repeat or comma-separate for several")
	fs.StringVar(&cfg.WebhookSecret, "webhook-secret", "", "HMAC-SHA256 `SECRET` that signs webhook bodies (header X-Connectmail-Signature: sha256=<hex>)")
	rates := rateFlag{}
	fs.Var(rates, "domain-rate", "per-destination-domain delivery limit `DOMAIN=N` messages/second; \"*\" sets it for every other domain; repeat or comma-separate (e.g. gmail.com=20,*=100)")
	fs.DurationVar(&cfg.SuppressFor, "suppress-for", 0, "how long a hard-bounced address stays on the suppression list; 0 = until removed")
	fs.BoolVar(&cfg.FaultInjection, "fault-injection", false, "honour the X-Connectmail-Fault request header (throttle, unavailable, internal, lost) so that SDK retry handling can be tested; never in production")
	fs.BoolVar(&cfg.Profiling, "pprof", false, "serve Go runtime profiles at /debug/pprof/ (CPU: /debug/pprof/profile?seconds=N; heap, goroutine, allocs, block, mutex), for keys allowed debug:pprof")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: connectmail serve [flags]\n\nRuns the connectmail server until SIGINT or SIGTERM, then drains gracefully.\n\nFlags (environment twin in brackets):\n")
		fs.VisitAll(func(f *flag.Flag) {
			name, u := flag.UnquoteUsage(f)
			fmt.Fprintf(stderr, "  --%s %s\t[%s]\n    \t%s", f.Name, name, envName(f.Name), u)
			if f.DefValue != "" && f.DefValue != "0" {
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	// Environment twins set the values first; flags on the command line override them.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s: %v", envName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		fmt.Fprintln(stderr, "connectmail:", envErr)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "connectmail serve: unexpected arguments %v\n", fs.Args())
		return 2
	}
	cfg.DKIM = dkim
	cfg.Webhooks = hooks
	cfg.AllowedHosts = allowedHosts
	if len(rates) > 0 {
		cfg.DomainRates = rates
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		fmt.Fprintln(stderr, "connectmail: --log-level:", err)
		return 2
	}
	hopts := &slog.HandlerOptions{Level: level}
	if logFormat == "json" {
		cfg.Logger = slog.New(slog.NewJSONHandler(stderr, hopts))
	} else {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, hopts))
	}
	if os.Getenv("GOGC") == "" {
		// The server's heap is small and short-lived garbage dominates (one
		// request's JSON, SQL rows, MIME parts); collecting less often costs a
		// little memory under load and saves CPU. GOGC overrides it.
		debug.SetGCPercent(400)
	}
	start := time.Now()
	srv, err := server.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "connectmail:", err)
		return 1
	}
	if _, err := srv.Listen(); err != nil {
		fmt.Fprintln(stderr, "connectmail:", err)
		return 1
	}
	cfg.Logger.Debug("started", "startup", time.Since(start))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintln(stderr, "connectmail:", err)
		return 1
	}
	return 0
}
