package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/server"
	"github.com/emersion/go-msgauth/dkim"
)

// TestDKIMSignedDelivery configures an RSA key for one domain and an Ed25519
// key for another, sends from both, and verifies the received messages with
// go-msgauth's DKIM verifier against the published public keys.
// keyFile writes a private key as a PKCS #8 PEM file and returns its path.
func keyFile(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDKIMSignedDelivery(t *testing.T) {
	t.Parallel()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	rsaPubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	records := map[string]string{
		"s1._domainkey.example.com": "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(rsaPubDER),
		"ed._domainkey.example.net": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub),
	}
	keys := []server.DKIMConfig{
		{Domain: "example.com", Selector: "s1", KeyFile: keyFile(t, rsaKey)},
		{Domain: "example.net", Selector: "ed", KeyFile: keyFile(t, edKey)},
	}
	h := startServer(t, func(c *server.Config) { c.DKIM = keys })
	ctx := context.Background()
	inst := h.setup(ctx) // support@example.com
	if _, err := h.client.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{InstanceId: aws.String(inst), EmailAddress: aws.String("help@example.net")}); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"support@example.com", "help@example.net"} {
		cid := h.newContact(ctx, inst)
		in := sendInput(inst, cid)
		in.FromEmailAddress = &types.EmailAddressInfo{EmailAddress: aws.String(from)}
		if _, err := h.client.StartOutboundEmailContact(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor(2)
	opts := &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) { return []string{records[domain]}, nil }}
	for _, m := range h.sink.Messages() {
		vs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Data), opts)
		if err != nil || len(vs) != 1 || vs[0].Err != nil {
			t.Fatalf("from %s: verifications %+v, err %v", m.From, vs, err)
		}
		// Tampering breaks the signature.
		bad := bytes.Replace(m.Data, []byte("Your order 42"), []byte("Your order 43"), 1)
		if vs, _ := dkim.VerifyWithOptions(bytes.NewReader(bad), opts); len(vs) != 1 || vs[0].Err == nil {
			t.Fatal("a tampered message still verifies")
		}
	}

	// Capture mode keeps the message exactly as it would have been sent: signed.
	c := startServer(t, func(c *server.Config) { c.DKIM = keys; c.SMTPRelay = "" })
	inst = c.setup(ctx)
	cid := c.newContact(ctx, inst)
	if _, err := c.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for i := 0; i < 200 && !bytes.Contains(raw, []byte("DKIM-Signature:")); i++ {
		time.Sleep(10 * time.Millisecond)
		resp, err := http.Get(c.url + "/api/v1/messages/" + cid + "/raw")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), opts); err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("captured message: verifications %+v, err %v\n%s", vs, err, raw)
	}
}
