package compose

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// minRSABits is the smallest RSA key accepted for signing (RFC 8301).
const minRSABits = 1024

// DKIMKey is a signing identity: the d= domain, the s= selector and the
// private key (RSA or Ed25519).
type DKIMKey struct {
	Domain   string
	Selector string
	Signer   crypto.Signer
}

// LoadDKIMKey parses a PEM private key ("RSA PRIVATE KEY" in PKCS #1 or
// "PRIVATE KEY" in PKCS #8 holding RSA or Ed25519) and validates domain and
// selector. RSA keys shorter than 1024 bits are refused.
func LoadDKIMKey(domain, selector string, pemBytes []byte) (*DKIMKey, error) {
	if err := checkDKIMNames(domain, selector); err != nil {
		return nil, err
	}
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fieldErr("key", ErrInvalidKey, "no PEM private key block found")
		}
		var (
			parsed any
			err    error
		)
		switch block.Type {
		case "RSA PRIVATE KEY":
			parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, fieldErr("key", ErrInvalidKey, "%v", err)
		}
		signer, err := checkSigner(parsed)
		if err != nil {
			return nil, err
		}
		return &DKIMKey{Domain: domain, Selector: selector, Signer: signer}, nil
	}
}

// checkSigner accepts crypto.Signers with an RSA public key of at least 1024
// bits or an Ed25519 public key (so hardware-backed signers work too).
func checkSigner(k any) (crypto.Signer, error) {
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fieldErr("key", ErrInvalidKey, "%T is not a crypto.Signer", k)
	}
	switch pub := signer.Public().(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < minRSABits {
			return nil, fieldErr("key", ErrInvalidKey, "RSA key of %d bits is too short", pub.N.BitLen())
		}
		return signer, nil
	case ed25519.PublicKey:
		return signer, nil
	}
	return nil, fieldErr("key", ErrInvalidKey, "unsupported key type %T (want RSA or Ed25519)", signer.Public())
}

// checkDKIMNames validates the signing domain and selector as dot-separated
// DNS labels.
func checkDKIMNames(domain, selector string) error {
	for _, f := range [...]struct{ field, v string }{{"domain", domain}, {"selector", selector}} {
		if err := checkInjection(f.field, f.v); err != nil {
			return err
		}
		if !validDNSName(f.v) {
			return fieldErr(f.field, ErrInvalidKey, "%q is not a DNS name", f.v)
		}
	}
	return nil
}

func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// oversigned reports whether a field is listed in h= once more than it
// occurs, so that a copy added in transit breaks the signature (RFC 6376
// section 8.15).
func oversigned(lower string) bool {
	for _, c := range coreSigned {
		if c == lower {
			return true
		}
	}
	return false
}

// unsigned are trace fields that relays add or rewrite.
func unsigned(lower string) bool {
	switch lower {
	case "dkim-signature", "received", "return-path":
		return true
	}
	return false
}

// Sign DKIM-signs msg (a CRLF message as produced by Build) and returns a
// copy with a DKIM-Signature field prepended. It uses relaxed/relaxed
// canonicalization and rsa-sha256 or ed25519-sha256 depending on the key;
// every header field present is signed, and the identity and MIME fields
// are over-signed.
func Sign(msg []byte, key *DKIMKey) ([]byte, error) {
	if key == nil || key.Signer == nil {
		return nil, fieldErr("key", ErrInvalidKey, "no signer")
	}
	if err := checkDKIMNames(key.Domain, key.Selector); err != nil {
		return nil, err
	}
	if _, err := checkSigner(key.Signer); err != nil {
		return nil, err
	}
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, fieldErr("msg", ErrInvalidMessage, "no CRLF header/body separator")
	}
	keys, err := headerKeys(msg[:end+2])
	if err != nil {
		return nil, err
	}
	s, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 key.Domain,
		Selector:               key.Selector,
		Signer:                 key.Signer,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             keys,
	})
	if err != nil {
		return nil, fieldErr("key", ErrSign, "%v", err)
	}
	if _, err := s.Write(msg); err != nil {
		_ = s.Close()
		return nil, fieldErr("msg", ErrSign, "%v", err)
	}
	if err := s.Close(); err != nil {
		return nil, fieldErr("key", ErrSign, "%v", err)
	}
	sig := s.Signature()
	out := make([]byte, 0, len(sig)+len(msg))
	out = append(out, sig...)
	out = append(out, msg...)
	return out, nil
}

// maxSignedKeys bounds the length of the h= tag, which go-msgauth writes on
// one line, so the DKIM-Signature field keeps lines under 998 octets.
const maxSignedKeys = 900

// coreSigned are the identity and MIME fields; they are always signed and
// over-signed, whether present or not.
var coreSigned = [...]string{"from", "to", "cc", "subject", "date", "message-id",
	"reply-to", "in-reply-to", "references", "mime-version", "content-type",
	"content-transfer-encoding"}

// headerKeys lists the field names to sign: the core fields once more than
// they occur (over-signing), then every other field present, in message
// order, as long as the list fits in maxSignedKeys. header is the header
// section including its final CRLF.
func headerKeys(header []byte) ([]string, error) {
	var order []string
	count := map[string]int{}
	name := map[string]string{}
	for _, line := range bytes.SplitAfter(header, []byte("\r\n")) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return nil, fieldErr("msg", ErrInvalidMessage, "header line without a field name")
		}
		n := strings.TrimRight(string(line[:colon]), " \t")
		lower := strings.ToLower(n)
		if unsigned(lower) {
			continue
		}
		if count[lower] == 0 {
			order = append(order, lower)
			name[lower] = n
		}
		count[lower]++
	}
	if count["from"] == 0 {
		return nil, fieldErr("msg", ErrInvalidMessage, "no From field")
	}
	var keys []string
	size := 0
	for _, lower := range coreSigned {
		n := name[lower]
		if n == "" {
			n = lower
		}
		for range count[lower] + 1 {
			keys = append(keys, n)
			size += len(n) + 1
		}
	}
	for _, lower := range order {
		if oversigned(lower) {
			continue
		}
		n := count[lower]
		if size+n*(len(name[lower])+1) > maxSignedKeys {
			continue // left unsigned rather than overflow the line
		}
		for range n {
			keys = append(keys, name[lower])
		}
		size += n * (len(name[lower]) + 1)
	}
	return keys, nil
}
