// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) on the
// server side, for HTTP requests signed either in the Authorization header or
// in a presigned query string.
//
// It follows what the real signers send rather than an idealised reading of
// the specification: the canonical URI is built from the path exactly as it
// arrived on the wire and escaped once more (the non-S3 "double encoding"
// that the Go, Python and JavaScript SDKs all apply), and the dot-segment and
// empty-segment normalisation done by botocore and the JS SDK is accepted as
// an alternative form.
package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Error codes returned in Error.Code. They are the names AWS uses for the
// same failures; a caller answers IncompleteSignature with HTTP 400 and the
// others with HTTP 403.
const (
	// CodeMissingAuthenticationToken means the request carries neither an
	// Authorization header nor presigned query parameters.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature means the signature data is present but
	// malformed or incomplete.
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeUnrecognizedClient means the access key id is not known.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeInvalidSignature means the signature does not match, or the
	// request is expired or not yet valid.
	CodeInvalidSignature = "InvalidSignatureException"
)

// DefaultMaxSkew is the clock skew tolerated when Verifier.MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

const (
	algorithm       = "AWS4-HMAC-SHA256"
	terminator      = "aws4_request"
	amzDateLayout   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// maxPresignExpires is the longest X-Amz-Expires accepted: one week.
	maxPresignExpires = 7 * 24 * 60 * 60

	msgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnknownKey   = "The security token included in the request is invalid."
	msgMissingToken = "Missing Authentication Token"
)

// Error is a verification failure. Code is one of the Code* constants.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code, msg string) *Error { return &Error{Code: code, Message: msg} }

// MismatchError is the error of a signature that does not match the
// request, with AWS's message.
func MismatchError() *Error { return newError(CodeInvalidSignature, msgMismatch) }

func incomplete(format string, args ...any) *Error {
	return newError(CodeIncompleteSignature, fmt.Sprintf(format, args...))
}

// SecretLookup returns the secret access key for an access key id, and
// whether the key is known.
type SecretLookup func(accessKeyID string) (secret string, ok bool)

// Identity describes a request whose signature verified.
type Identity struct {
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
	// Region and Service are taken from the credential scope.
	Region  string
	Service string
	// SignedAt is the signing time the client declared.
	SignedAt time.Time
}

// Verifier checks SigV4 signatures. Its exported fields are read on every
// call; set them before first use. A Verifier caches derived signing keys and
// reuses scratch buffers, is safe for concurrent use, and must not be copied
// after first use.
type Verifier struct {
	// Secrets resolves access key ids. A nil Secrets knows no key.
	Secrets SecretLookup
	// MaxSkew is the largest accepted difference between the signing time
	// and Now, in either direction. Zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// AllowUnsignedPayload accepts UNSIGNED-PAYLOAD as the payload hash, as
	// S3 does (its presigned URLs are signed that way). AWS allows it only
	// for S3: elsewhere the body is always part of the signature, and a
	// request declaring UNSIGNED-PAYLOAD fails with InvalidSignatureException.
	AllowUnsignedPayload bool

	keys    keyCache
	scratch sync.Pool // of *scratch
}

// authInput is everything parsed from the Authorization header or the
// presigned query parameters.
type authInput struct {
	presigned     bool
	accessKeyID   string
	date          string // yyyymmdd from the credential scope
	region        string
	service       string
	signedHeaders string
	signature     string
	amzDate       string // ISO 8601 basic form used in the string to sign
	signedAt      time.Time
	expires       int    // presigned only; 0 when X-Amz-Expires was not sent
	payloadHash   string // declared payload hash, "" when none was declared
}

// Verify checks the signature of r. body is the complete request body, already
// read by the caller (who also limits its size); r.Body is not touched. On
// failure the error is an *Error. It is Check followed by Pending.Verify.
func (v *Verifier) Verify(r *http.Request, body []byte) (Identity, error) {
	p, err := v.Check(r)
	if err != nil {
		return Identity{}, err
	}
	return p.Verify(body)
}

// Pending is a request that passed every check its headers allow: the
// signature data is well formed, the access key is known, the signing time
// is current and, when the client declared the payload hash, the signature
// matches. Verify completes the check with the body.
type Pending struct {
	v              *Verifier
	r              *http.Request
	in             authInput
	secret         string
	path, rawQuery string
	// signed is set once the signature matched over the declared payload
	// hash; only the body's hash is left to compare.
	signed bool
	// triedUnsigned is set when Check tried UNSIGNED-PAYLOAD (signed says
	// whether it matched).
	triedUnsigned bool
}

// Check verifies what can be verified of r before its body is read, so
// that a server reads bodies only of requests that may be genuine. It does
// not touch r.Body. On failure the error is an *Error.
func (v *Verifier) Check(r *http.Request) (Pending, error) {
	path, rawQuery := requestTarget(r)
	in, err := parseRequest(r, rawQuery)
	if err != nil {
		return Pending{}, err
	}
	var secret string
	ok := false
	if v.Secrets != nil {
		secret, ok = v.Secrets(in.accessKeyID)
	}
	if !ok {
		return Pending{}, newError(CodeUnrecognizedClient, msgUnknownKey)
	}
	if err := v.checkTime(&in); err != nil {
		return Pending{}, err
	}
	p := Pending{v: v, r: r, in: in, secret: secret, path: path, rawQuery: rawQuery}
	switch pl := in.payloadHash; {
	case pl == "":
		// The body's hash is part of the signature, unless this is an
		// S3-style presigned URL signed over UNSIGNED-PAYLOAD: that one
		// is settled now.
		if in.presigned && v.AllowUnsignedPayload && lengthKnown(r, in.signedHeaders) {
			p.triedUnsigned = true
			p.signed = p.match(nil, payloadUnsigned)
		}
		return p, nil
	case pl == unsignedPayload:
		if !v.AllowUnsignedPayload {
			// Outside S3, AWS signs over the body's real hash whatever the
			// header says, so a signature over UNSIGNED-PAYLOAD never matches.
			return Pending{}, newError(CodeInvalidSignature, msgMismatch)
		}
	case len(pl) != 2*sha256.Size || !isHex(pl):
		return Pending{}, incomplete("Unsupported x-amz-content-sha256 value: only UNSIGNED-PAYLOAD or a hex SHA-256 digest is accepted.")
	}
	if !lengthKnown(r, in.signedHeaders) {
		return p, nil
	}
	if !p.match(nil, payloadDeclared) {
		return Pending{}, newError(CodeInvalidSignature, msgMismatch)
	}
	p.signed = true
	return p, nil
}

// lengthKnown reports whether the canonical request can be built without
// the body: a signed content-length may have to be taken from it.
func lengthKnown(r *http.Request, signedHeaders string) bool {
	if r.ContentLength >= 0 {
		return true
	}
	for rest := signedHeaders; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		if strings.EqualFold(name, "content-length") {
			return false
		}
	}
	return true
}

// Verified reports whether Check already verified the signature, leaving
// only the body's hash (if the signature covers it) to Verify.
func (p *Pending) Verified() bool { return p.signed }

// Presigned reports whether the signature is in the query string.
func (p *Pending) Presigned() bool { return p.in.presigned }

// Claimed is the identity the request claims; it is not verified until
// Verify succeeds.
func (p *Pending) Claimed() Identity { return p.identity() }

func (p *Pending) identity() Identity {
	return Identity{
		AccessKeyID: p.in.accessKeyID,
		Region:      p.in.region,
		Service:     p.in.service,
		SignedAt:    p.in.signedAt,
	}
}

// Verify completes the check with the complete request body.
func (p *Pending) Verify(body []byte) (Identity, error) {
	switch pl := p.in.payloadHash; {
	case pl == unsignedPayload:
		if !p.signed && !p.match(body, payloadDeclared) {
			return Identity{}, newError(CodeInvalidSignature, msgMismatch)
		}
	case pl != "":
		bodySum := sha256.Sum256(body)
		if !hexEqual(pl, bodySum[:]) {
			return Identity{}, newError(CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		if !p.signed && !p.match(body, payloadDeclared) {
			return Identity{}, newError(CodeInvalidSignature, msgMismatch)
		}
	case p.signed:
		// Presigned over UNSIGNED-PAYLOAD, verified by Check.
	default:
		// A presigned request that declares no payload hash was signed
		// either over the body (botocore's and the JS SDK's presigners) or,
		// where unsigned payloads are allowed, over UNSIGNED-PAYLOAD
		// (S3-style presigners, or a Go SDK caller passing it).
		mode := payloadBody
		if p.in.presigned && p.v.AllowUnsignedPayload && !p.triedUnsigned {
			mode = payloadBodyOrUnsigned
		}
		if !p.match(body, mode) {
			return Identity{}, newError(CodeInvalidSignature, msgMismatch)
		}
	}
	return p.identity(), nil
}

// payloadChoice says which payload hash match signs over.
type payloadChoice uint8

const (
	payloadDeclared       payloadChoice = iota // the one the client declared
	payloadBody                                // the body's
	payloadBodyOrUnsigned                      // the body's, or UNSIGNED-PAYLOAD
	payloadUnsigned                            // UNSIGNED-PAYLOAD
)

// match computes the request's signature over the payload hash mode names
// and compares it with the one the client sent.
func (p *Pending) match(body []byte, mode payloadChoice) bool {
	v, in := p.v, &p.in
	s, _ := v.scratch.Get().(*scratch)
	if s == nil {
		s = new(scratch)
	}
	defer v.putScratch(s)

	c := canonicalInput{
		method:        p.r.Method,
		path:          p.path,
		signedHeaders: in.signedHeaders,
		payload:       in.payloadHash,
	}
	if mode == payloadBody || mode == payloadBodyOrUnsigned {
		sum := sha256.Sum256(body)
		hex.Encode(s.bodyHex[:], sum[:])
		c.payloadHex = s.bodyHex[:]
	}
	var provided [sha256.Size]byte
	if !hexDecode(provided[:], in.signature) {
		return false
	}
	key := v.keys.get(p.secret, in.date, in.region, in.service)
	s.buildQuery(p.rawQuery, in.presigned)
	hasTab := s.collectHeaders(p.r, in.signedHeaders, body)

	// Variants cover the known differences between real signers (see
	// variant); they are only tried when the request could be affected, so
	// the usual request costs one signature.
	allowed := variant(0)
	if needsNormalization(p.path) {
		allowed |= normalizePath
	}
	if hasTab {
		allowed |= literalTabs
	}
	required := variant(0)
	switch mode {
	case payloadBodyOrUnsigned:
		allowed |= unsignedBody
	case payloadUnsigned:
		allowed |= unsignedBody
		required = unsignedBody
	}
	for vr := variant(0); vr <= allowed; vr++ {
		if vr&^allowed != 0 || vr&required != required {
			continue
		}
		sum := s.signature(&c, vr, key, in)
		if subtle.ConstantTimeCompare(sum[:], provided[:]) == 1 {
			return true
		}
	}
	return false
}

func (v *Verifier) putScratch(s *scratch) {
	const maxKept = 64 << 10
	if cap(s.buf) > maxKept || cap(s.query) > maxKept || cap(s.headers) > maxKept {
		return
	}
	v.scratch.Put(s)
}

func (v *Verifier) checkTime(in *authInput) *Error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now().UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if in.signedAt.After(t.Add(skew)) {
		return newError(CodeInvalidSignature, fmt.Sprintf(
			"Signature not yet current: %s is still later than %s (%s + %s)",
			in.amzDate, t.Add(skew).Format(amzDateLayout), t.Format(amzDateLayout), durationText(skew)))
	}
	if in.presigned && in.expires > 0 {
		window := time.Duration(in.expires) * time.Second
		if in.signedAt.Before(t.Add(-window)) {
			return newError(CodeInvalidSignature, fmt.Sprintf(
				"Signature expired: %s is now earlier than %s (%s - %s)",
				in.amzDate, t.Add(-window).Format(amzDateLayout), t.Format(amzDateLayout), durationText(window)))
		}
		return nil
	}
	if in.signedAt.Before(t.Add(-skew)) {
		return newError(CodeInvalidSignature, fmt.Sprintf(
			"Signature expired: %s is now earlier than %s (%s - %s)",
			in.amzDate, t.Add(-skew).Format(amzDateLayout), t.Format(amzDateLayout), durationText(skew)))
	}
	return nil
}

// durationText renders d the way AWS does in its expiry messages.
func durationText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}

// Scope extracts the access key id, region and service from the
// Authorization header or the X-Amz-Credential query parameter without
// verifying anything. ok is false when neither is present or the credential
// is malformed.
func Scope(r *http.Request) (accessKeyID, region, service string, ok bool) {
	var cred string
	if h := r.Header["Authorization"]; len(h) > 0 {
		f, err := splitAuthorization(h[0])
		if err != nil || f.credential == "" {
			return "", "", "", false
		}
		cred = f.credential
	} else {
		_, rawQuery := requestTarget(r)
		q, err := scanQuery(rawQuery)
		if err != nil || q.credential == "" {
			return "", "", "", false
		}
		cred = q.credential
	}
	c, err := parseCredential(cred)
	if err != nil {
		return "", "", "", false
	}
	return c.accessKeyID, c.region, c.service, true
}

// requestTarget returns the path and raw query exactly as the client sent
// them when the server recorded the request line, else from r.URL.
func requestTarget(r *http.Request) (path, rawQuery string) {
	if u := r.RequestURI; len(u) > 0 && u[0] == '/' {
		path, rawQuery, _ = strings.Cut(u, "?")
		return path, rawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// parseRequest extracts the signature data from the header or query form.
func parseRequest(r *http.Request, rawQuery string) (authInput, *Error) {
	q, err := scanQuery(rawQuery)
	if err != nil {
		return authInput{}, err
	}
	authz, hasAuthz := r.Header["Authorization"]
	switch {
	case hasAuthz && q.present:
		return authInput{}, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case hasAuthz:
		return parseHeaderForm(r, authz)
	case q.present:
		return parsePresigned(r, &q)
	default:
		return authInput{}, newError(CodeMissingAuthenticationToken, msgMissingToken)
	}
}

func parseHeaderForm(r *http.Request, authz []string) (authInput, *Error) {
	if len(authz) != 1 {
		return authInput{}, incomplete("Only one Authorization header is allowed.")
	}
	f, err := splitAuthorization(authz[0])
	if err != nil {
		return authInput{}, err
	}
	var missing []string
	if f.credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if f.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if f.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	amzDate := firstHeader(r.Header, "X-Amz-Date")
	date := firstHeader(r.Header, "Date")
	if amzDate == "" && date == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if missing != nil {
		return authInput{}, incomplete("%s", strings.Join(missing, " "))
	}
	in, err := newAuthInput(f.credential, f.signedHeaders, f.signature)
	if err != nil {
		return authInput{}, err
	}
	if err := in.setDate(amzDate, date); err != nil {
		return authInput{}, err
	}
	in.payloadHash = firstHeader(r.Header, "X-Amz-Content-Sha256")
	return in, nil
}

func parsePresigned(r *http.Request, q *queryAuth) (authInput, *Error) {
	var missing []string
	for _, p := range [...]struct{ name, value string }{
		{"X-Amz-Algorithm", q.algorithm},
		{"X-Amz-Credential", q.credential},
		{"X-Amz-Signature", q.signature},
		{"X-Amz-Date", q.date},
		{"X-Amz-SignedHeaders", q.signedHeaders},
	} {
		if p.value == "" {
			missing = append(missing, "AWS query-string parameters must include '"+p.name+"'.")
		}
	}
	if missing != nil {
		return authInput{}, incomplete("%s Re-examine the query-string parameters.", strings.Join(missing, " "))
	}
	if q.algorithm != algorithm {
		return authInput{}, incomplete("X-Amz-Algorithm only supports '%s'.", algorithm)
	}
	in, err := newAuthInput(q.credential, q.signedHeaders, q.signature)
	if err != nil {
		return authInput{}, err
	}
	in.presigned = true
	if err := in.setDate(q.date, ""); err != nil {
		return authInput{}, err
	}
	if q.expires != "" {
		n, err := strconv.Atoi(q.expires)
		if err != nil || n <= 0 {
			return authInput{}, incomplete("X-Amz-Expires should be a number of seconds greater than zero.")
		}
		if n > maxPresignExpires {
			return authInput{}, incomplete("X-Amz-Expires must be less than a week (in seconds) that is %d.", maxPresignExpires)
		}
		in.expires = n
	}
	in.payloadHash = firstHeader(r.Header, "X-Amz-Content-Sha256")
	if in.payloadHash == "" {
		in.payloadHash = q.contentSHA256
	}
	return in, nil
}

func newAuthInput(credential, signedHeaders, signature string) (authInput, *Error) {
	c, err := parseCredential(credential)
	if err != nil {
		return authInput{}, err
	}
	if err := checkSignedHeaders(signedHeaders); err != nil {
		return authInput{}, err
	}
	return authInput{
		accessKeyID:   c.accessKeyID,
		date:          c.date,
		region:        c.region,
		service:       c.service,
		signedHeaders: signedHeaders,
		signature:     signature,
	}, nil
}

// setDate parses the signing time from X-Amz-Date (preferred) or Date and
// checks it against the credential scope date.
func (in *authInput) setDate(amzDate, date string) *Error {
	if amzDate != "" {
		t, err := time.Parse(amzDateLayout, amzDate)
		if err != nil {
			return incomplete("Date must be in ISO-8601 'basic format'. Got '%s'.", amzDate)
		}
		in.signedAt, in.amzDate = t, amzDate
	} else {
		t, err := http.ParseTime(date)
		if err != nil {
			// botocore writes a numeric zone: "Thu, 26 Nov 2026 10:10:10 -0000".
			t, err = time.Parse(time.RFC1123Z, date)
		}
		if err != nil {
			return incomplete("Date header must be an HTTP date. Got '%s'.", date)
		}
		in.signedAt = t.UTC()
		in.amzDate = in.signedAt.Format(amzDateLayout)
	}
	if in.amzDate[:8] != in.date {
		return newError(CodeInvalidSignature, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			in.date, in.amzDate[:8], in.amzDate))
	}
	return nil
}

// authFields are the raw parameters of an Authorization header.
type authFields struct {
	credential, signedHeaders, signature string
}

// splitAuthorization splits "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
// into its parameters without validating them.
func splitAuthorization(h string) (authFields, *Error) {
	h = strings.TrimSpace(h)
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		if alg == "" {
			return authFields{}, incomplete("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.")
		}
		return authFields{}, incomplete("Unsupported AWS 'algorithm': '%s'.", alg)
	}
	var f authFields
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return authFields{}, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header.", part)
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &f.credential
		case "SignedHeaders":
			dst = &f.signedHeaders
		case "Signature":
			dst = &f.signature
		default:
			continue
		}
		if *dst != "" {
			return authFields{}, incomplete("Authorization header has more than one '%s' parameter.", k)
		}
		*dst = val
	}
	return f, nil
}

// credential is a parsed "AKID/yyyymmdd/region/service/aws4_request".
type credential struct {
	accessKeyID, date, region, service string
}

func parseCredential(s string) (credential, *Error) {
	var c credential
	rest := s
	var parts [4]string
	for i := 3; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return c, incomplete("Credential should have the form '<access key id>/<yyyymmdd>/<region>/<service>/%s', got '%s'.", terminator, s)
		}
		parts[i], rest = rest[j+1:], rest[:j]
	}
	c.accessKeyID, c.date, c.region, c.service = rest, parts[0], parts[1], parts[2]
	switch {
	case parts[3] != terminator:
		return c, incomplete("Credential should be scoped with a valid terminator: '%s', not '%s'.", terminator, parts[3])
	case c.accessKeyID == "":
		return c, incomplete("Credential must start with an access key id.")
	case !isDate(c.date):
		return c, incomplete("Credential should be scoped to a date in the form YYYYMMDD, not '%s'.", c.date)
	case c.region == "":
		return c, incomplete("Credential should be scoped to a valid region.")
	case c.service == "":
		return c, incomplete("Credential should be scoped to correct service.")
	}
	return c, nil
}

func isDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkSignedHeaders requires a ';'-separated list of header field names
// that includes host.
func checkSignedHeaders(list string) *Error {
	hasHost := false
	for rest := list; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" || !isToken(name) {
			return incomplete("SignedHeaders must be a ';'-separated list of header names, got '%s'.", list)
		}
		if strings.EqualFold(name, "host") {
			hasHost = true
		}
		if !more {
			break
		}
		rest = tail
	}
	if !hasHost {
		return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return nil
}

// queryAuth holds the presigning parameters found in a query string, decoded.
type queryAuth struct {
	algorithm, credential, date, expires, signedHeaders, signature, contentSHA256 string
	// present is true when any X-Amz-Algorithm, X-Amz-Credential or
	// X-Amz-Signature key appears, even with an empty value.
	present bool
}

func scanQuery(raw string) (queryAuth, *Error) {
	var q queryAuth
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, val, _ := strings.Cut(pair, "=")
		if k == "" || (k[0] != 'X' && k[0] != 'x' && k[0] != '%') {
			continue // cheap filter: every parameter of interest starts with X-Amz-
		}
		key := unescapeQuery(k)
		var dst *string
		switch key {
		case "X-Amz-Algorithm":
			dst, q.present = &q.algorithm, true
		case "X-Amz-Credential":
			dst, q.present = &q.credential, true
		case "X-Amz-Signature":
			dst, q.present = &q.signature, true
		case "X-Amz-Date":
			dst = &q.date
		case "X-Amz-Expires":
			dst = &q.expires
		case "X-Amz-SignedHeaders":
			dst = &q.signedHeaders
		default:
			if !strings.EqualFold(key, "X-Amz-Content-Sha256") {
				continue
			}
			dst = &q.contentSHA256
		}
		if *dst != "" {
			return q, incomplete("Query parameter '%s' must not be repeated.", key)
		}
		*dst = unescapeQuery(val)
	}
	return q, nil
}

// firstHeader returns the first value of the named header (canonical form).
func firstHeader(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func hexEqual(s string, sum []byte) bool {
	var b [sha256.Size]byte
	if len(s) != 2*len(b) || !hexDecode(b[:], s) {
		return false
	}
	return subtle.ConstantTimeCompare(b[:], sum) == 1
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if unhex(s[i]) < 0 {
			return false
		}
	}
	return true
}

// hexDecode decodes s into dst (len(dst) == len(s)/2) without allocating.
func hexDecode(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, lo := unhex(s[2*i]), unhex(s[2*i+1])
		if hi < 0 || lo < 0 {
			return false
		}
		dst[i] = byte(hi<<4 | lo)
	}
	return true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
