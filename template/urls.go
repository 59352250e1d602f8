package template

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/connectmail/connectmail/fault"
)

// Attachment URLs expire, as the pre-signed URLs Amazon Q in Connect hands
// out do: each carries its expiry (expires, Unix seconds) and a signature
// (HMAC-SHA256 under Config.URLKey of the attachment id and the expiry), and
// is refused after the urlExpiry its response announced.

// The API layer puts the query in the URL it serves the attachment at
// (AttachmentData.URLQuery) and hands the query of a download back to
// AttachmentFile.

// attachmentQuery returns the URL query of attachment id, valid until exp.
func (s *Service) attachmentQuery(id string, exp time.Time) url.Values {
	e := strconv.FormatInt(exp.Unix(), 10)
	return url.Values{"expires": {e}, "signature": {s.urlSignature(id, e)}}
}

func (s *Service) urlSignature(id, expires string) string {
	m := hmac.New(sha256.New, s.cfg.URLKey)
	m.Write([]byte(id + "\n" + expires))
	return hex.EncodeToString(m.Sum(nil))
}

// checkAttachmentURL accepts the query attachmentQuery made for id,
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
		return &fault.Error{Kind: fault.AccessDenied, Message: "The attachment URL expired at " + time.Unix(exp, 0).UTC().Format("2006-01-02T15:04:05.000Z") + "; get a new one from GetMessageTemplate."}
	}
	return nil
}

// randomKey returns a new URL key, for a service configured without one.
func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}
