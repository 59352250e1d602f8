package relay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message accepted by the test server.
type received struct {
	from  string
	rcpts []string
	data  []byte
	user  string
	tls   bool
	helo  string
	utf8  bool
}

// backend is a go-smtp backend that records messages and can be told to
// misbehave.
type backend struct {
	mu   sync.Mutex
	msgs []received

	// Failure injection.
	mailErr     *smtp.SMTPError
	senderErr   map[string]*smtp.SMTPError // MAIL reply by sender
	rcptErr     map[string]*smtp.SMTPError
	dataErr     *smtp.SMTPError
	dataErrFrom map[string]*smtp.SMTPError // final reply by sender
	dropInData  bool                       // close the connection after reading part of the data
	dataDelay   time.Duration              // sleep in Data (to overlap sessions)
	stall       chan struct{}              // when set, Data blocks until it is closed
	queueID     string                     // reply text to the final dot

	// Authentication.
	authMechs   []string
	requireAuth bool
	user, pass  string

	// Concurrency accounting.
	busy, maxBusy int
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, c: c}, nil
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

func (b *backend) set(f func(b *backend)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(b)
}

type session struct {
	b     *backend
	c     *smtp.Conn
	from  string
	rcpts []string
	utf8  bool
	user  string
	inTx  bool
}

func (s *session) endTx() {
	if s.inTx {
		s.inTx = false
		s.b.mu.Lock()
		s.b.busy--
		s.b.mu.Unlock()
	}
}

func (s *session) Reset() {
	s.endTx()
	s.from, s.rcpts = "", nil
}

func (s *session) Logout() error {
	s.endTx()
	return nil
}

func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	s.b.mu.Lock()
	err, needAuth := s.b.mailErr, s.b.requireAuth
	if e := s.b.senderErr[from]; e != nil {
		err = e
	}
	s.b.mu.Unlock()
	if needAuth && s.user == "" {
		return smtp.ErrAuthRequired
	}
	if err != nil {
		return err
	}
	s.from, s.utf8 = from, opts != nil && opts.UTF8
	s.inTx = true
	s.b.mu.Lock()
	s.b.busy++
	s.b.maxBusy = max(s.b.maxBusy, s.b.busy)
	s.b.mu.Unlock()
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	err := s.b.rcptErr[to]
	s.b.mu.Unlock()
	if err != nil {
		return err
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.b.mu.Lock()
	dataErr, drop, delay, stall, queueID := s.b.dataErr, s.b.dropInData, s.b.dataDelay, s.b.stall, s.b.queueID
	if e := s.b.dataErrFrom[s.from]; e != nil {
		dataErr = e
	}
	s.b.mu.Unlock()
	if drop {
		buf := make([]byte, 10)
		_, _ = io.ReadFull(r, buf)
		_ = s.c.Conn().Close()
		return errors.New("dropped")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if stall != nil {
		select {
		case <-stall:
		case <-time.After(10 * time.Second):
		}
	}
	time.Sleep(delay)
	if dataErr != nil {
		return dataErr
	}
	_, isTLS := s.c.TLSConnectionState()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, received{
		from: s.from, rcpts: s.rcpts, data: data, user: s.user, tls: isTLS, helo: s.c.Hostname(), utf8: s.utf8,
	})
	s.b.mu.Unlock()
	if queueID != "" {
		return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: queueID}
	}
	return nil
}

func (s *session) AuthMechanisms() []string {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.b.authMechs
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		s.b.mu.Lock()
		defer s.b.mu.Unlock()
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of the LOGIN mechanism, prompting for the
// user name and then the password.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil {
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, false, errors.New("unexpected LOGIN step")
}

// countingListener counts accepted connections and how many are open.
type countingListener struct {
	net.Listener
	mu                   sync.Mutex
	total, open, maxOpen int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.total++
	l.open++
	l.maxOpen = max(l.maxOpen, l.open)
	l.mu.Unlock()
	return &countedConn{Conn: c, l: l}, nil
}

func (l *countingListener) counts() (total, open, maxOpen int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total, l.open, l.maxOpen
}

type countedConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// testServer is a running go-smtp server.
type testServer struct {
	addr  string
	srv   *smtp.Server
	ln    *countingListener
	roots *x509.CertPool
}

// serverMode selects how the test server speaks TLS.
type serverMode int

const (
	plainMode    serverMode = iota // no TLS
	startTLSMode                   // STARTTLS offered
	implicitMode                   // smtps
)

// startServer runs a server for b on addr ("127.0.0.1:0" for any port),
// after applying opts to it, and stops it when the test ends.
func startServer(t testing.TB, b *backend, mode serverMode, addr string, opts ...func(*smtp.Server)) *testServer {
	t.Helper()
	cert, roots := selfSigned(t)
	srv := smtp.NewServer(b)
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = mode == plainMode
	srv.EnableSMTPUTF8 = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = nopLogger{}
	if mode != plainMode {
		// Under implicit TLS, go-smtp offers no STARTTLS.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	for _, o := range opts {
		o(srv)
	}
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond) // the port of a restarted server may linger briefly
	}
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	var served net.Listener = cl
	if mode == implicitMode {
		served = tls.NewListener(cl, srv.TLSConfig)
	}
	go func() { _ = srv.Serve(served) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &testServer{addr: ln.Addr().String(), srv: srv, ln: cl, roots: roots}
}

// serveCert makes a TLS test server present cert instead of its
// self-signed one.
func serveCert(cert tls.Certificate) func(*smtp.Server) {
	return func(srv *smtp.Server) { srv.TLSConfig.Certificates = []tls.Certificate{cert} }
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool that
// trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mx.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
