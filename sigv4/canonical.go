package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// variant selects between the forms real signers produce where they differ.
type variant uint8

const (
	// normalizePath removes empty and dot segments before escaping the path,
	// as botocore and the JS SDK do (the Go SDK does not).
	normalizePath variant = 1 << iota
	// literalTabs keeps tabs inside header values, as the Go SDK does
	// (botocore and the JS SDK fold them into single spaces).
	literalTabs
	// unsignedBody uses UNSIGNED-PAYLOAD as the payload hash of a presigned
	// request that declared none.
	unsignedBody
)

// canonicalInput is the per-request data of the canonical request that does
// not live in scratch.
type canonicalInput struct {
	method, path, signedHeaders string
	payload                     string // declared payload hash
	payloadHex                  []byte // computed payload hash, when none was declared
}

// scratch holds reusable buffers for one verification.
type scratch struct {
	buf     []byte     // canonical request, then the HMAC input
	query   []byte     // canonical query string
	qparts  []byte     // encoded query keys and values, referenced by qents
	qents   []qent     // query pairs, sorted
	headers []hdrValue // signed header values in SignedHeaders order
	segs    []string   // path segments while normalising
	num     []byte     // formatted content length
	bodyHex [2 * sha256.Size]byte
}

// qent locates one encoded pair in scratch.qparts: the key is
// qparts[start:mid] and the value qparts[mid:end].
type qent struct{ start, mid, end int }

// hdrValue is one signed header's name and its raw values. lit, when not
// nil, replaces values (host and a computed content-length).
type hdrValue struct {
	name   string
	values []string
	lit    []byte
	host   string
}

// buildQuery fills s.query with the canonical query string of raw. In the
// presigned form the X-Amz-Signature parameter is left out.
func (s *scratch) buildQuery(raw string, presigned bool) {
	s.qparts = s.qparts[:0]
	s.qents = s.qents[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		if presigned && (k == "X-Amz-Signature" || (strings.IndexByte(k, '%') >= 0 && unescapeQuery(k) == "X-Amz-Signature")) {
			continue
		}
		e := qent{start: len(s.qparts)}
		s.qparts = appendQueryComponent(s.qparts, k)
		e.mid = len(s.qparts)
		s.qparts = appendQueryComponent(s.qparts, val)
		e.end = len(s.qparts)
		s.qents = append(s.qents, e)
	}
	p := s.qparts
	slices.SortFunc(s.qents, func(a, b qent) int {
		if c := bytes.Compare(p[a.start:a.mid], p[b.start:b.mid]); c != 0 {
			return c
		}
		return bytes.Compare(p[a.mid:a.end], p[b.mid:b.end])
	})
	s.query = s.query[:0]
	for i, e := range s.qents {
		if i > 0 {
			s.query = append(s.query, '&')
		}
		s.query = append(s.query, p[e.start:e.mid]...)
		s.query = append(s.query, '=')
		s.query = append(s.query, p[e.mid:e.end]...)
	}
}

// collectHeaders records the values of the signed headers, in the order the
// client listed them, and reports whether any value contains a tab.
func (s *scratch) collectHeaders(r *http.Request, signed string, body []byte) (hasTab bool) {
	s.headers = s.headers[:0]
	s.num = s.num[:0]
	for rest := signed; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ";")
		h := hdrValue{name: name}
		switch {
		case strings.EqualFold(name, "host"):
			h.host = r.Host
			if h.host == "" {
				h.host = r.URL.Host
			}
		default:
			h.values = headerValues(r.Header, name)
			if h.values == nil && strings.EqualFold(name, "content-length") {
				// net/http may keep the length only in r.ContentLength.
				n := r.ContentLength
				if n < 0 {
					n = int64(len(body))
				}
				s.num = strconv.AppendInt(s.num, n, 10)
				h.lit = s.num
			}
			for _, v := range h.values {
				hasTab = hasTab || strings.IndexByte(v, '\t') >= 0
			}
		}
		s.headers = append(s.headers, h)
	}
	return hasTab
}

// headerValues returns the values of the header name (any case).
func headerValues(h http.Header, name string) []string {
	var kb [64]byte
	if len(name) <= len(kb) {
		if v, ok := h[string(canonicalKey(kb[:0], name))]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// canonicalKey appends the MIME canonical form of a header name ("x-amz-date"
// becomes "X-Amz-Date"), the form net/http stores keys in.
func canonicalKey(dst []byte, name string) []byte {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenChar(c) {
			return append(dst[:0], name...)
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// signature computes the SigV4 signature of the request described by c and s
// in the given variant.
func (s *scratch) signature(c *canonicalInput, vr variant, key *derivedKey, in *authInput) [sha256.Size]byte {
	b := s.buf[:0]
	b = append(b, c.method...)
	b = append(b, '\n')
	if vr&normalizePath != 0 {
		b = s.appendNormalizedPath(b, c.path)
	} else {
		b = appendEscapedPath(b, c.path)
	}
	b = append(b, '\n')
	b = append(b, s.query...)
	b = append(b, '\n')
	for _, h := range s.headers {
		b = append(b, h.name...)
		b = append(b, ':')
		switch {
		case h.lit != nil:
			b = append(b, h.lit...)
		case h.values == nil:
			b = appendHeaderValue(b, h.host, vr&literalTabs == 0)
		default:
			for i, v := range h.values {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendHeaderValue(b, v, vr&literalTabs == 0)
			}
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, c.signedHeaders...)
	b = append(b, '\n')
	switch {
	case vr&unsignedBody != 0:
		b = append(b, unsignedPayload...)
	case c.payloadHex != nil:
		b = append(b, c.payloadHex...)
	default:
		b = append(b, c.payload...)
	}
	canonicalHash := sha256.Sum256(b)

	// HMAC-SHA256(signing key, string to sign), with the key's padded
	// blocks precomputed in the cache.
	b = append(b[:0], key.ipad[:]...)
	b = append(b, algorithm+"\n"...)
	b = append(b, in.amzDate...)
	b = append(b, '\n')
	b = append(b, in.date...)
	b = append(b, '/')
	b = append(b, in.region...)
	b = append(b, '/')
	b = append(b, in.service...)
	b = append(b, "/"+terminator+"\n"...)
	b = hex.AppendEncode(b, canonicalHash[:])
	inner := sha256.Sum256(b)
	s.buf = b

	var outer [sha256.BlockSize + sha256.Size]byte
	copy(outer[:], key.opad[:])
	copy(outer[sha256.BlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}

// appendHeaderValue appends v trimmed, with runs of spaces (and of tabs when
// foldTabs) folded to one space.
func appendHeaderValue(dst []byte, v string, foldTabs bool) []byte {
	v = strings.TrimSpace(v)
	inRun := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || (foldTabs && c == '\t') {
			if !inRun {
				dst = append(dst, ' ')
				inRun = true
			}
			continue
		}
		inRun = false
		dst = append(dst, c)
	}
	return dst
}

// appendEscapedPath escapes every byte of p except unreserved characters
// and '/'; p is the path as sent, so existing escapes are escaped again.
func appendEscapedPath(dst []byte, p string) []byte {
	if p == "" {
		return append(dst, '/')
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '/' {
			dst = append(dst, c)
		} else {
			dst = appendEscaped(dst, c)
		}
	}
	return dst
}

// needsNormalization reports whether p has empty or dot segments that
// botocore and the JS SDK would remove.
func needsNormalization(p string) bool {
	for i, rest := 0, p; ; i++ {
		seg, tail, more := strings.Cut(rest, "/")
		if seg == "." || seg == ".." || (seg == "" && i > 0 && more) {
			return true
		}
		if !more {
			return false
		}
		rest = tail
	}
}

// appendNormalizedPath appends p without empty and dot segments, escaped.
func (s *scratch) appendNormalizedPath(dst []byte, p string) []byte {
	segs := s.segs[:0]
	for rest := p; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	s.segs = segs[:0]
	start := len(dst)
	if strings.HasPrefix(p, "/") {
		dst = append(dst, '/')
	}
	for i, seg := range segs {
		if i > 0 {
			dst = append(dst, '/')
		}
		for j := 0; j < len(seg); j++ {
			dst = appendEscaped(dst, seg[j])
		}
	}
	if len(segs) > 0 && strings.HasSuffix(p, "/") {
		dst = append(dst, '/')
	}
	if len(dst) == start {
		dst = append(dst, '/')
	}
	return dst
}

// appendQueryComponent decodes a raw query key or value (percent escapes,
// '+' as space) and appends it escaped the SigV4 way.
func appendQueryComponent(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0:
			c = byte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		}
		dst = appendEscaped(dst, c)
	}
	return dst
}

// unescapeQuery decodes a raw query component; it allocates only when s
// contains escapes.
func unescapeQuery(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0:
			c = byte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		}
		b = append(b, c)
	}
	return string(b)
}

// appendEscaped appends c, percent-encoded unless it is unreserved.
func appendEscaped(dst []byte, c byte) []byte {
	if isUnreserved(c) {
		return append(dst, c)
	}
	const hexUpper = "0123456789ABCDEF"
	return append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// isTokenChar reports whether c may appear in an HTTP header field name.
func isTokenChar(c byte) bool {
	if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}
