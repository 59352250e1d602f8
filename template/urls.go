package template

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/connectmail/connectmail/fault"
)

// Attachment URLs expire, as the pre-signed URLs Amazon Q in Connect hands
// out do: each carries its expiry (expires, Unix seconds) and a signature
// (HMAC-SHA256 under Config.URLKey of the attachment id and the expiry), and
// is refused after the urlExpiry its response announced.

// attachmentURL returns the URL of attachment id, valid until exp.
func (s *Service) attachmentURL(id string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return strings.TrimRight(s.cfg.BaseURL(), "/") + AttachmentPath + id + "?" +
		url.Values{"expires": {e}, "signature": {s.urlSignature(id, e)}}.Encode()
}

func (s *Service) urlSignature(id, expires string) string {
	m := hmac.New(sha256.New, s.cfg.URLKey)
	m.Write([]byte(id + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// checkAttachmentURL accepts the query of a URL attachmentURL made for id,
// until its expiry.
func (s *Service) checkAttachmentURL(id string, q url.Values) error {
	e, sig := q.Get("expires"), q.Get("signature")
	if e == "" || sig == "" {
		return &fault.Error{Kind: fault.AccessDenied, Message: "An attachment URL carries expires and signature parameters; get one from GetMessageTemplate."}
	}
	if !hmac.Equal([]byte(sig), []byte(s.urlSignature(id, e))) {
		return &fault.Error{Kind: fault.AccessDenied, Message: "The attachment URL's signature does not match."}
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil {
		return &fault.Error{Kind: fault.AccessDenied, Message: "The attachment URL's signature does not match."}
	}
	if s.cfg.Now().After(time.Unix(exp, 0)) {
		return &fault.Error{Kind: fault.AccessDenied, Message: "The attachment URL expired at " + iso(time.Unix(exp, 0)) + "; get a new one from GetMessageTemplate."}
	}
	return nil
}

// randomKey returns a new URL key, for a service configured without one.
func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}
