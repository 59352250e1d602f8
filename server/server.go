// Package server assembles a connectmail server from its parts — store,
// domain services, AWS API, delivery worker, inspection API, metrics — and
// runs it until its context ends.
package server

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/compose"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/credentials"
	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/events"
	"github.com/connectmail/connectmail/inbound"
	"github.com/connectmail/connectmail/inspect"
	"github.com/connectmail/connectmail/relay"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/template"
	"github.com/connectmail/connectmail/ui"
)

// DKIMConfig names a DKIM key for one sender domain.
type DKIMConfig struct {
	Domain, Selector, KeyFile string
}

// Config is everything `connectmail serve` can be told.
type Config struct {
	Addr      string
	DB        string
	SMTPRelay string
	// SMTPRelayCA is a PEM file of the CA certificates that the relay's
	// TLS certificate must chain to, used instead of the system roots.
	SMTPRelayCA string
	// SMTPRelayInsecureSkipVerify accepts any relay certificate: for test
	// relays only (see RelayTLS).
	SMTPRelayInsecureSkipVerify bool
	// SMTPHelo is the name said in EHLO to the relay; "" means the host
	// name (or localhost when the host name cannot be said in EHLO).
	SMTPHelo string
	SMTPAddr string
	// SMTPTLSCert and SMTPTLSKey are PEM files of the certificate the
	// inbound SMTP listener offers with STARTTLS (both or neither).
	SMTPTLSCert, SMTPTLSKey string
	AccountID               string
	CredentialsFile         string
	DKIM                    []DKIMConfig

	// SMTPLimits bound the inbound SMTP listener's sessions and messages
	// (zero fields: inbound's defaults).
	SMTPLimits inbound.Limits

	// Concurrency bounds simultaneous relay connections.
	Concurrency int
	// RetryBase is the first retry delay; MaxAge how long a message is retried.
	RetryBase time.Duration
	MaxAge    time.Duration
	// SuppressFor is how long a hard-bounced address stays suppressed (0: until removed).
	SuppressFor time.Duration
	// DomainRates limits deliveries per destination domain (messages/s; "*" for all others).
	DomainRates map[string]float64
	// Webhooks receive every event; WebhookSecret signs their bodies.
	Webhooks      []string
	WebhookSecret string
	// FaultInjection makes the AWS API honour the awsapi.FaultHeader request
	// header, which fails calls on purpose; for tests of SDK retries only.
	FaultInjection bool
	// Profiling serves Go runtime profiles at /debug/pprof/ (--pprof).
	Profiling bool
	// Emulator (--emulator) accepts the public test/test key on any listen
	// address, for containers; without --credentials only.
	Emulator bool
	// MaxConnections caps the HTTP listener's open connections (0: no cap);
	// with MaxHeaderBytes it bounds what clients that never authenticate
	// can make the server hold.
	MaxConnections int
	// AllowedHosts (--allowed-hosts) are the Host names answered besides
	// loopback ones. Without --credentials the server answers only those;
	// with --emulator they default to the machine's host name.
	AllowedHosts []string
	// BodyTimeout bounds the time a request body takes to arrive on the AWS
	// API and the attached-file URLs (awsapi.DefaultBodyTimeout when 0).
	BodyTimeout time.Duration
	Logger      *slog.Logger
}

// Defaults returns the documented defaults.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:4580", DB: "sqlite:connectmail.db", AccountID: "000000000000",
		Concurrency: 32, RetryBase: 30 * time.Second, MaxAge: 24 * time.Hour,
		SMTPLimits: inbound.DefaultLimits(), MaxConnections: DefaultMaxConnections,
	}
}

// DefaultMaxConnections is the default cap on open HTTP connections.
const DefaultMaxConnections = 1024

// maxHeaderBytes bounds a request's line and headers: a signed AWS request
// needs a few KiB, a presigned URL with a session token under 8 KiB.
const maxHeaderBytes = 64 << 10

// IsLoopback reports whether a listen address binds only loopback interfaces.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Validate checks a configuration before anything starts.
func (c *Config) Validate() error {
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		return fmt.Errorf("--account-id must be 12 digits, got %q", c.AccountID)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: %v", c.Addr, err)
	}
	if c.Emulator && c.CredentialsFile != "" {
		return errors.New("--emulator accepts the public test/test key; it does not go with --credentials")
	}
	if c.CredentialsFile == "" && !c.Emulator && !IsLoopback(c.Addr) {
		return fmt.Errorf("refusing to listen on %s without --credentials: the test/test key is only accepted on a loopback address (--emulator accepts it on any address)", c.Addr)
	}
	for _, h := range c.AllowedHosts {
		if err := checkAllowedHost(h); err != nil {
			return err
		}
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("--db must be sqlite:PATH or a postgres:// URL, got %q", c.DB)
	}
	if c.SMTPRelay != "" && !strings.HasPrefix(c.SMTPRelay, "smtp://") && !strings.HasPrefix(c.SMTPRelay, "smtps://") {
		return fmt.Errorf("--smtp-relay must be an smtp:// or smtps:// URL")
	}
	if c.SMTPRelayCA != "" && c.SMTPRelayInsecureSkipVerify {
		return errors.New("--smtp-relay-ca and --smtp-relay-insecure-skip-verify exclude each other: trust a CA or trust anything")
	}
	if c.SMTPHelo != "" {
		if err := relay.CheckHelloName(c.SMTPHelo); err != nil {
			return fmt.Errorf("--smtp-helo %v", err)
		}
	}
	return nil
}

// Server is a running connectmail.
type Server struct {
	cfg      Config
	store    *stores
	worker   *delivery.Worker
	http     *http.Server
	listener net.Listener
	relay    *relay.Client
	webhooks *events.Webhooks
	smtpIn   *inbound.Server
	Metrics  *Metrics
}

// New opens the store and builds every part; Serve starts them.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	log := cfg.Logger
	creds := credentials.Emulator()
	if cfg.CredentialsFile != "" {
		var err error
		if creds, err = credentials.Load(cfg.CredentialsFile); err != nil {
			return nil, err
		}
	}
	anonymous := cfg.CredentialsFile == ""
	hosts := hostPolicyFor(cfg)
	grantKey := creds.DerivedKey("attached-file URL grants")
	bodies := &awsapi.BodyBudget{Timeout: cfg.BodyTimeout}
	keys := signer{}
	for _, d := range cfg.DKIM {
		pem, err := os.ReadFile(d.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("DKIM key for %s: %w", d.Domain, err)
		}
		k, err := compose.LoadDKIMKey(d.Domain, d.Selector, pem)
		if err != nil {
			return nil, fmt.Errorf("DKIM key for %s: %w", d.Domain, err)
		}
		keys[strings.ToLower(d.Domain)] = k
	}
	engine, err := openStore(cfg.DB, log)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", redactDSN(cfg.DB), err)
	}
	store, err := storesOf(engine)
	if err != nil {
		engine.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, store: store}
	dbID, urlKey, err := identity(engine)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("opening %s: %w", redactDSN(cfg.DB), err)
	}
	notifier := events.NewNotifier()
	renderer := &events.Renderer{Account: cfg.AccountID, Database: dbID, InstanceARN: func(ctx context.Context, id string) string {
		if in, err := store.connect.Instances.GetInstance(ctx, id); err == nil {
			return in.ARN
		}
		return ""
	}}
	publish := func([]connect.Event) { notifier.Notify() }
	if len(cfg.Webhooks) > 0 {
		if cfg.WebhookSecret == "" {
			log.Warn("webhook deliveries are unsigned: --webhook is set without --webhook-secret, so receivers cannot tell them from forged requests", "webhooks", len(cfg.Webhooks))
		}
		s.webhooks = &events.Webhooks{
			URLs: cfg.Webhooks, Secret: []byte(cfg.WebhookSecret), Log: store.log, Cursors: store.cursors,
			Notifier: notifier, Renderer: renderer, Logger: log.With("component", "webhooks"),
		}
		if err := s.webhooks.Init(context.Background()); err != nil {
			store.Close()
			return nil, err
		}
	}
	var backlog backlogSource
	if s.webhooks != nil {
		backlog = s.webhooks
	}
	s.Metrics = NewMetrics(store.queue, backlog)
	if ws, ok := engine.(writerSource); ok {
		s.Metrics.watchWriter(ws)
	}
	var snd delivery.Sender
	if cfg.SMTPRelay != "" {
		rc, err := newRelay(&s.cfg, log)
		if err != nil {
			store.Close()
			return nil, err
		}
		s.relay = rc
		snd = sender{rc}
	}
	var sign func([]byte, string) ([]byte, error)
	if len(keys) > 0 {
		sign = keys.sign
	}
	s.worker = delivery.New(delivery.Config{
		Store: store.queue, Sender: snd, Sign: sign, Concurrency: cfg.Concurrency,
		RetryBase: cfg.RetryBase, MaxAge: cfg.MaxAge, SuppressFor: cfg.SuppressFor, DomainRates: cfg.DomainRates, Logger: log.With("component", "delivery"),
		Observe: s.Metrics.observeAttempt, Publish: publish,
	})
	joinCluster(engine, s.worker.Wake, notifier.Notify, s.webhooks)
	services := map[string]*awsapi.Service{}
	var tsvc *template.Service
	if tstores, ok := template.StoresOf(engine); ok {
		tsvc = template.NewService(template.Config{AccountID: cfg.AccountID, Stores: tstores, URLKey: urlKey})
		services["wisdom"] = awsapi.QConnectService(tsvc, func() string {
			if s.listener != nil {
				return "http://" + s.listener.Addr().String()
			}
			return "http://" + cfg.Addr
		})
	}
	cc := connect.Config{AccountID: cfg.AccountID, Stores: store.connect, Composer: composer{}, Wake: s.worker.Wake, Handoff: s.worker, Publish: publish,
		Files: &awsapi.FilePresigner{Secrets: creds.Secret, GrantKey: grantKey}}
	if tsvc != nil {
		cc.Templates = tsvc
	}
	svc := connect.NewService(cc)
	services["connect"] = awsapi.ConnectService(svc)
	verifier := &sigv4.Verifier{Secrets: creds.Secret}
	var api http.Handler = awsapi.New(awsapi.Config{
		Verifier: verifier,
		Auth:     creds,
		Services: services,
		Logger:   log.With("component", "api"),
		Observe:  s.Metrics.observeCall,
		Bodies:   bodies,
	})
	inspectAction := func(r *http.Request) string { return "inspect:" + r.Method }
	// Event streams never go idle; they end when shutdown starts.
	streamsDone := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/api/v1/stream", basicAuth(creds, anonymous, inspectAction, &events.Stream{Log: store.log, Notifier: notifier, Renderer: renderer, Done: streamsDone}))
	if tsvc != nil {
		mux.Handle(awsapi.TemplateAttachmentPath, basicAuth(creds, anonymous, inspectAction, awsapi.TemplateAttachmentHandler(tsvc)))
	}
	mux.Handle("/api/v1/", basicAuth(creds, anonymous, inspectAction, &inspect.Handler{Store: store.inspect, Logger: log.With("component", "inspect")}))
	mux.Handle("/metrics", basicAuth(creds, anonymous, inspectAction, s.Metrics.Handler()))
	if cfg.Profiling {
		mux.Handle(profilePrefix, basicAuth(creds, anonymous, func(*http.Request) string { return profileAction }, profileHandler{}))
	}
	mux.Handle(ui.Prefix, basicAuth(creds, anonymous, inspectAction, ui.Handler()))
	mux.Handle("/healthz", newHealth(engine, log))
	mux.Handle(awsapi.FilePathPrefix, &awsapi.FileHandler{Service: svc, Auth: creds, GrantKey: grantKey, Bodies: bodies,
		Verifier: &sigv4.Verifier{Secrets: creds.Secret, AllowUnsignedPayload: true}})
	if cfg.FaultInjection {
		api = awsapi.InjectFaults(api)
	}
	mux.Handle("/", api)
	var handler http.Handler = mux
	if hosts != nil {
		handler = hosts.guard(mux)
	}
	s.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
	s.http.RegisterOnShutdown(func() { close(streamsDone) })
	if (cfg.SMTPTLSCert == "") != (cfg.SMTPTLSKey == "") {
		store.Close()
		return nil, errors.New("--smtp-tls-cert and --smtp-tls-key go together")
	}
	if cfg.SMTPAddr != "" {
		ic := inbound.Config{Addr: cfg.SMTPAddr, Receiver: svc, Logger: log.With("component", "smtp-in"), Limits: cfg.SMTPLimits}
		if cfg.SMTPTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.SMTPTLSCert, cfg.SMTPTLSKey)
			if err != nil {
				store.Close()
				return nil, fmt.Errorf("--smtp-tls-cert/--smtp-tls-key: %w", err)
			}
			ic.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		in, err := inbound.Listen(ic)
		if err != nil {
			store.Close()
			return nil, fmt.Errorf("--smtp-addr: %w", err)
		}
		s.smtpIn = in
	}
	return s, nil
}

// SMTPAddr is the inbound SMTP listener's address ("" when off).
func (s *Server) SMTPAddr() string {
	if s.smtpIn == nil {
		return ""
	}
	return s.smtpIn.Addr()
}

func openStore(dsn string, log *slog.Logger) (io.Closer, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return sqlite.Open(path, sqlite.Options{Logger: log.With("component", "sqlite")})
	}
	return openPostgres(dsn, log)
}

// basicAuth guards the inspection API, metrics and profiles: HTTP Basic
// with an access key id and its secret, allowed the action the request
// needs, or anonymous when the server runs without --credentials (the Host
// check in front of every route keeps foreign pages out).
func basicAuth(creds *credentials.Set, anonymous bool, action func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !anonymous {
			id, secret, ok := r.BasicAuth()
			want, known := creds.Secret(id)
			// Compared in constant time (the key may be unknown: compare
			// anyway, so that the answer takes the same time).
			match := subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1
			if !ok || !known || !match || !creds.Allowed(id, action(r)) {
				w.Header().Set("WWW-Authenticate", `Basic realm="connectmail"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Listen binds the HTTP listener and returns its address.
func (s *Server) Listen() (string, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return "", err
	}
	if s.cfg.MaxConnections > 0 {
		// Beyond the cap a connection waits in the kernel's backlog until
		// another closes; headers must arrive within ReadHeaderTimeout.
		ln = netutil.LimitListener(ln, s.cfg.MaxConnections)
	}
	s.listener = ln
	return ln.Addr().String(), nil
}

// Serve runs until ctx ends, then shuts down gracefully: the listener stops,
// in-flight API calls finish, in-flight deliveries finish or are left to be
// retried, and the store is closed.
func (s *Server) Serve(ctx context.Context) error {
	if s.listener == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	log := s.cfg.Logger
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan error, 1)
	go func() { workerDone <- s.worker.Run(wctx) }()
	hookCtx, stopHooks := context.WithCancel(context.Background())
	hooksDone := make(chan struct{})
	go func() {
		defer close(hooksDone)
		if s.webhooks != nil {
			s.webhooks.Run(hookCtx)
		}
	}()
	smtpDone := make(chan error, 1)
	go func() {
		if s.smtpIn != nil {
			smtpDone <- s.smtpIn.Serve()
			return
		}
		smtpDone <- nil
	}()
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Serve(s.listener) }()
	log.Info("connectmail ready", s.readyAttrs()...)
	var err error
	select {
	case <-ctx.Done():
	case err = <-httpDone:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = s.http.Shutdown(sctx)
	if s.smtpIn != nil {
		_ = s.smtpIn.Close()
	}
	serr := <-smtpDone
	stopWorker()
	werr := <-workerDone
	stopHooks()
	<-hooksDone
	if s.relay != nil {
		s.relay.Close()
	}
	cerr := s.store.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	err = errors.Join(err, serr, werr, cerr)
	logStopped(log, err)
	return err
}
