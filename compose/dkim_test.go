package compose

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// testKey is a generated key with its PEM encoding and DNS TXT record.
type testKey struct {
	name string
	pem  []byte
	txt  string
	algo string
}

func genKeys(t testing.TB) []testKey {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPub, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaPKCS8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPKCS8, err := x509.MarshalPKCS8PrivateKey(edPriv)
	if err != nil {
		t.Fatal(err)
	}
	rsaTXT := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(rsaPub)
	return []testKey{
		{"rsa-pkcs1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), rsaTXT, "rsa-sha256"},
		{"rsa-pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaPKCS8}), rsaTXT, "rsa-sha256"},
		{"ed25519", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edPKCS8}),
			"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub), "ed25519-sha256"},
	}
}

// verify runs go-msgauth's verifier with DNS answered from a fixed record.
func verify(t *testing.T, msg []byte, txt string) []*dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(msg), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != "mail2025._domainkey.example.com" {
				return nil, fmt.Errorf("unexpected DNS query %q", domain)
			}
			return []string{txt}, nil
		},
	})
	if err != nil {
		t.Fatalf("dkim.Verify: %v", err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d signatures, want 1", len(vs))
	}
	return vs
}

func TestSignVerifies(t *testing.T) {
	keys := genKeys(t)
	for _, k := range keys {
		for name, m := range goldenCases() {
			t.Run(k.name+"/"+name, func(t *testing.T) {
				key, err := LoadDKIMKey("example.com", "mail2025", k.pem)
				if err != nil {
					t.Fatalf("LoadDKIMKey: %v", err)
				}
				msg, err := Build(m)
				if err != nil {
					t.Fatal(err)
				}
				signed, err := Sign(msg, key)
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if !bytes.HasSuffix(signed, msg) || !bytes.HasPrefix(signed, []byte("DKIM-Signature: ")) {
					t.Fatal("signature is not a prepended DKIM-Signature field")
				}
				checkWireFormat(t, signed)
				sig := string(signed[:len(signed)-len(msg)])
				for _, tag := range []string{"a=" + k.algo, "c=relaxed/relaxed", "d=example.com", "s=mail2025"} {
					if !strings.Contains(strings.ReplaceAll(sig, "\r\n ", ""), tag) {
						t.Errorf("signature lacks %q: %s", tag, sig)
					}
				}
				v := verify(t, signed, k.txt)[0]
				if v.Err != nil {
					t.Fatalf("verification failed: %v", v.Err)
				}
				if v.Domain != "example.com" {
					t.Errorf("domain = %q", v.Domain)
				}
				lower := make([]string, len(v.HeaderKeys))
				for i, h := range v.HeaderKeys {
					lower[i] = strings.ToLower(h)
				}
				signedKeys := strings.Join(lower, ":")
				for _, want := range []string{"from:from", "to:to", "subject:subject", "date", "message-id", "mime-version", "content-type"} {
					if !strings.Contains(signedKeys, want) {
						t.Errorf("h= %q lacks %q", signedKeys, want)
					}
				}
			})
		}
	}
}

func TestSignManyHeaders(t *testing.T) {
	k := genKeys(t)[0]
	key, err := LoadDKIMKey("example.com", "mail2025", k.pem)
	if err != nil {
		t.Fatal(err)
	}
	m := baseMessage()
	for i := range 80 {
		m.Headers = append(m.Headers, Header{Name: fmt.Sprintf("X-Template-Variable-Number-%02d", i), Value: "v"})
	}
	msg, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(msg, key)
	if err != nil {
		t.Fatal(err)
	}
	checkWireFormat(t, signed)
	v := verify(t, signed, k.txt)[0]
	if v.Err != nil {
		t.Fatalf("verification failed: %v", v.Err)
	}
	keys := strings.ToLower(strings.Join(v.HeaderKeys, ":"))
	if !strings.Contains(keys, "x-template-variable-number-00") || !strings.Contains(keys, "from:from") {
		t.Errorf("h= lacks the first extra header or the over-signed From: %s", keys)
	}
}

func TestSignDetectsTampering(t *testing.T) {
	k := genKeys(t)[2]
	key, err := LoadDKIMKey("example.com", "mail2025", k.pem)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Build(baseMessage())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(msg, key)
	if err != nil {
		t.Fatal(err)
	}
	tampers := []struct {
		name string
		f    func([]byte) []byte
	}{
		{"subject changed", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Subject: Your order 1234"), []byte("Subject: Your order 9999"), 1)
		}},
		{"body changed", func(b []byte) []byte { return bytes.Replace(b, []byte("shipped"), []byte("stopped"), 1) }},
		{"second From added", func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nFrom: "), []byte("\r\nFrom: evil@example.net\r\nFrom: "), 1)
		}},
		{"Cc added", func(b []byte) []byte {
			return bytes.Replace(b, []byte("\r\nSubject: "), []byte("\r\nCc: spy@example.net\r\nSubject: "), 1)
		}},
	}
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			changed := tc.f(bytes.Clone(signed))
			if bytes.Equal(changed, signed) {
				t.Fatal("tampering did not change the message")
			}
			if v := verify(t, changed, k.txt)[0]; v.Err == nil {
				t.Error("tampered message still verifies")
			}
		})
	}
	// Relaxed canonicalization tolerates whitespace changes in transit.
	relaxed := bytes.Replace(signed, []byte("Subject: Your order"), []byte("Subject:   Your   order"), 1)
	if v := verify(t, relaxed, k.txt)[0]; v.Err != nil {
		t.Errorf("whitespace-only change broke relaxed signature: %v", v.Err)
	}
}

func TestLoadDKIMKeyErrors(t *testing.T) {
	good := genKeys(t)[2].pem
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, domain, selector string
		pem                    []byte
		want                   error
	}{
		{"no pem", "example.com", "s", []byte("not a key"), ErrInvalidKey},
		{"public key only", "example.com", "s", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), ErrInvalidKey},
		{"corrupt der", "example.com", "s", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), ErrInvalidKey},
		{"ecdsa", "example.com", "s", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}), ErrInvalidKey},
		{"empty domain", "", "s", good, ErrInvalidKey},
		{"bad domain", "exa mple.com", "s", good, ErrInvalidKey},
		{"domain injection", "example.com\r\nX: y", "s", good, ErrHeaderInjection},
		{"selector injection", "example.com", "s;\n", good, ErrHeaderInjection},
		{"bad selector", "example.com", "s;x=1", good, ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := LoadDKIMKey(tc.domain, tc.selector, tc.pem)
			if !errors.Is(err, tc.want) || k != nil {
				t.Fatalf("LoadDKIMKey = %v, %v; want %v", k, err, tc.want)
			}
		})
	}
}

func TestLoadDKIMKeyShortRSA(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0")
	short, err := rsa.GenerateKey(rand.Reader, 768)
	if err != nil {
		t.Fatal(err)
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(short)})
	if _, err := LoadDKIMKey("example.com", "s", p); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("err = %v, want ErrInvalidKey", err)
	}
	if _, err := Sign([]byte("From: a@b.c\r\n\r\nx"), &DKIMKey{Domain: "example.com", Selector: "s", Signer: short}); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Sign with short key: err = %v, want ErrInvalidKey", err)
	}
}

func TestSignErrors(t *testing.T) {
	key, err := LoadDKIMKey("example.com", "mail2025", genKeys(t)[2].pem)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		msg  string
		key  *DKIMKey
		want error
	}{
		{"nil key", "From: a@b.c\r\n\r\nx", nil, ErrInvalidKey},
		{"no separator", "From: a@b.c\r\nx", key, ErrInvalidMessage},
		{"bare LF message", "From: a@b.c\n\nx", key, ErrInvalidMessage},
		{"no From", "To: a@b.c\r\n\r\nx", key, ErrInvalidMessage},
		{"malformed header", "From: a@b.c\r\nnot a header\r\n\r\nx", key, ErrInvalidMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Sign([]byte(tc.msg), tc.key); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// refusingSigner is a crypto.Signer (as an HSM would provide) that fails.
type refusingSigner struct{ pub ed25519.PublicKey }

func (r refusingSigner) Public() crypto.PublicKey { return r.pub }
func (refusingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

func TestSignWithExternalSigner(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Build(baseMessage())
	if err != nil {
		t.Fatal(err)
	}
	// Any crypto.Signer with a supported public key is accepted.
	wrapped := struct{ crypto.Signer }{priv}
	signed, err := Sign(msg, &DKIMKey{Domain: "example.com", Selector: "mail2025", Signer: wrapped})
	if err != nil {
		t.Fatal(err)
	}
	if v := verify(t, signed, "v=DKIM1; k=ed25519; p="+base64.StdEncoding.EncodeToString(pub))[0]; v.Err != nil {
		t.Errorf("verification failed: %v", v.Err)
	}
	// Its failures surface as ErrSign.
	_, err = Sign(msg, &DKIMKey{Domain: "example.com", Selector: "mail2025", Signer: refusingSigner{pub}})
	if !errors.Is(err, ErrSign) || !strings.Contains(err.Error(), "token removed") {
		t.Errorf("err = %v, want ErrSign", err)
	}
}

func BenchmarkSignRSA(b *testing.B) {
	key, err := LoadDKIMKey("example.com", "mail2025", genKeys(b)[0].pem)
	if err != nil {
		b.Fatal(err)
	}
	msg, err := Build(goldenCases()["attachments"])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := Sign(msg, key); err != nil {
			b.Fatal(err)
		}
	}
}
