package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/server"
)

// TestInboundReplyThreads sends a contact, then has the customer reply over
// SMTP to --smtp-addr: the reply becomes an INBOUND contact related to it.
func TestInboundReplyThreads(t *testing.T) {
	t.Parallel()
	h := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	addr := h.smtpAddr
	reply := "From: Ana Cliente <customer@example.org>\r\nTo: Support <support@example.com>\r\n" +
		"Subject: Re: Your order 42\r\nMessage-ID: <reply-1@example.org>\r\n" +
		"In-Reply-To: <" + cid + "@example.com>\r\nReferences: <" + cid + "@example.com>\r\n\r\nThanks!\r\n"
	if err := smtp.SendMail(addr, nil, "customer@example.org", []string{"SUPPORT@example.com"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	// An address no instance has is refused at RCPT.
	err := smtp.SendMail(addr, nil, "customer@example.org", []string{"nobody@example.com"}, []byte(reply))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("unknown recipient: %v", err)
	}
	var list struct {
		Messages []struct {
			ContactID, InitiationMethod, State, Subject, RelatedContactID, MessageID string
		} `json:"messages"`
	}
	h.getJSON("/api/v1/messages?instanceId="+inst, &list)
	if len(list.Messages) != 2 {
		t.Fatalf("messages: %+v", list.Messages)
	}
	in := list.Messages[0] // newest first
	if in.InitiationMethod != "INBOUND" || in.State != "RECEIVED" || in.Subject != "Re: Your order 42" ||
		in.RelatedContactID != cid || in.MessageID != "<reply-1@example.org>" {
		t.Fatalf("inbound contact: %+v", in)
	}
	d, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(in.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Contact
	if c.InitiationMethod != types.ContactInitiationMethodInbound || aws.ToString(c.RelatedContactId) != cid ||
		aws.ToString(c.CustomerEndpoint.Address) != "customer@example.org" || aws.ToString(c.SystemEndpoint.Address) != "support@example.com" {
		t.Fatalf("DescribeContact: %+v %+v %+v", c, c.CustomerEndpoint, c.SystemEndpoint)
	}
	// The stored message is the one received.
	resp, err := http.Get(h.url + "/api/v1/messages/" + in.ContactID + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), "Thanks!") || !strings.HasPrefix(string(raw), "From: Ana Cliente") {
		t.Fatalf("raw: %s", raw)
	}
}

// TestInboundRetryIsRecordedOnce: a sender that delivers the same message
// again (a retry after a temporary failure) does not make a second contact,
// for any of its recipients; a different message does.
func TestInboundRetryIsRecordedOnce(t *testing.T) {
	t.Parallel()
	h := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	ctx := context.Background()
	inst := h.setup(ctx)
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: aws.String(inst), EmailAddress: aws.String("sales@example.com"),
	}); err != nil {
		t.Fatal(err)
	}
	msg := func(id string) []byte {
		return []byte("From: customer@example.org\r\nTo: support@example.com, sales@example.com\r\nSubject: Question\r\n" +
			"Message-ID: <" + id + "@example.org>\r\n\r\nHello\r\n")
	}
	rcpts := []string{"support@example.com", "sales@example.com"}
	for range 3 {
		if err := smtp.SendMail(h.smtpAddr, nil, "customer@example.org", rcpts, msg("q1")); err != nil {
			t.Fatal(err)
		}
	}
	if err := smtp.SendMail(h.smtpAddr, nil, "customer@example.org", rcpts[:1], msg("q2")); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []struct {
			To        struct{ Address string } `json:"to"`
			MessageID string
		} `json:"messages"`
	}
	h.getJSON("/api/v1/messages?instanceId="+inst, &list)
	got := map[string]int{}
	for _, m := range list.Messages {
		got[m.To.Address+" "+m.MessageID]++
	}
	want := map[string]int{
		"support@example.com <q1@example.org>": 1, "sales@example.com <q1@example.org>": 1,
		"support@example.com <q2@example.org>": 1,
	}
	if len(got) != len(want) {
		t.Fatalf("inbound contacts %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("inbound contacts %v, want %v", got, want)
		}
	}
}

// pemPair writes a self-signed certificate for 127.0.0.1 and its key as PEM
// files, and returns their paths and a pool that trusts the certificate.
func pemPair(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "mx.connectmail.test"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	return certFile, keyFile, pool
}

// TestInboundStartTLS: with a certificate the inbound listener offers
// STARTTLS, and mail sent over it is recorded; without one it offers none.
func TestInboundStartTLS(t *testing.T) {
	t.Parallel()
	cert, key, pool := pemPair(t)
	h := startServer(t, func(c *server.Config) { c.SMTPAddr, c.SMTPTLSCert, c.SMTPTLSKey = "127.0.0.1:0", cert, key })
	ctx := context.Background()
	inst := h.setup(ctx)
	c, err := smtp.Dial(h.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered with a certificate")
	}
	if err := c.StartTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if state, ok := c.TLSConnectionState(); !ok || !state.HandshakeComplete {
		t.Fatal("no TLS after STARTTLS")
	}
	send := func() error {
		if err := c.Mail("customer@example.org"); err != nil {
			return err
		}
		if err := c.Rcpt("support@example.com"); err != nil {
			return err
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte("From: customer@example.org\r\nTo: support@example.com\r\nSubject: Over TLS\r\nMessage-ID: <tls-1@example.org>\r\n\r\nHi\r\n")); err != nil {
			return err
		}
		return w.Close()
	}
	if err := send(); err != nil {
		t.Fatal(err)
	}
	_ = c.Quit()
	resp, err := http.Get(h.url + "/api/v1/messages?instanceId=" + inst)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Over TLS") {
		t.Fatalf("the message sent over TLS was not recorded: %s", body)
	}

	plain := startServer(t, func(c *server.Config) { c.SMTPAddr = "127.0.0.1:0" })
	pc, err := smtp.Dial(plain.smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if err := pc.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := pc.Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS offered without a certificate")
	}

	// A certificate without its key is refused at start.
	cfg := server.Defaults()
	cfg.Addr, cfg.DB, cfg.SMTPAddr, cfg.SMTPTLSCert = "127.0.0.1:0", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "127.0.0.1:0", cert
	if _, err := server.New(cfg); err == nil || !strings.Contains(err.Error(), "--smtp-tls-key") {
		t.Fatalf("a certificate without a key: %v", err)
	}
}

// getJSON decodes the inspection API's answer at path into v.
func (h *harness) getJSON(path string, v any) {
	h.t.Helper()
	resp, err := http.Get(h.url + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
}
