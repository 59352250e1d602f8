package inspect

import (
	"bufio"
	"encoding/base64"
	"io"
	"net/url"
	"strings"
)

// Bounds of cid: inlining in one HTML document (GET /messages/{id}/html).
// The data: URLs written count against a budget of the stored message's
// size plus InlineSlack bytes, every reference anew (a part referenced
// twice costs twice), and at most MaxInlineRefs references are replaced.
// So the document is at most its HTML body plus the message's size plus
// InlineSlack, whatever the message: an HTML body that references every
// inline image once always fits, since the message carries each image's
// encoding once. References beyond the budget are left as cid: URLs, which
// the sandboxed document does not load; the part is still listed, and
// downloadable, among the attachments. (Pointing them at
// /messages/{id}/parts/{n} instead would load only without --credentials:
// Chromium sends no Basic credentials for the image requests of a sandboxed
// document, whose origin is opaque.)
const (
	MaxInlineRefs = 1000
	InlineSlack   = 4 << 20
)

// writeInlined writes doc to w with its cid: references to the message's
// own parts replaced by data: URLs, within the bounds above. It streams:
// no copy of the document is built.
func writeInlined(w io.Writer, doc string, p *parsed) {
	bw := bufio.NewWriterSize(w, 32<<10)
	defer bw.Flush()
	ids := map[string]int{}
	for i, info := range p.Structure {
		if info.ContentID == "" || strings.ContainsAny(info.ContentType, `"'<>&; `) {
			continue
		}
		if _, dup := ids[info.ContentID]; !dup {
			ids[info.ContentID] = i
		}
	}
	if len(ids) == 0 {
		_, _ = bw.WriteString(doc)
		return
	}
	budget, inlined := p.raw+InlineSlack, 0
	written := 0 // doc[:written] is out
	for at := 0; ; {
		k := indexCID(doc, at)
		if k < 0 {
			break
		}
		end := k + len("cid:")
		for end < len(doc) && !cidEnd(doc[end]) {
			end++
		}
		at = end
		ref := doc[k+len("cid:") : end]
		n, ok := ids[ref]
		if !ok {
			if u, err := url.PathUnescape(ref); err == nil {
				n, ok = ids[u]
			}
		}
		if !ok {
			continue
		}
		info := p.Structure[n]
		cost := len("data:;base64,") + len(info.ContentType) + base64.StdEncoding.EncodedLen(len(p.data[n]))
		if inlined == MaxInlineRefs || cost > budget {
			continue // left unresolved
		}
		budget -= cost
		inlined++
		_, _ = bw.WriteString(doc[written:k])
		_, _ = bw.WriteString("data:" + info.ContentType + ";base64,")
		enc := base64.NewEncoder(base64.StdEncoding, bw)
		_, _ = enc.Write(p.data[n])
		_ = enc.Close()
		written = end
	}
	_, _ = bw.WriteString(doc[written:])
}

// indexCID is the index of the next "cid:" (any case) in doc from at that
// starts a URL (not preceded by a letter, digit, '-', '.' or '+'), or -1.
func indexCID(doc string, at int) int {
	for i := at; i+4 <= len(doc); i++ {
		if doc[i]|0x20 != 'c' || doc[i+1]|0x20 != 'i' || doc[i+2]|0x20 != 'd' || doc[i+3] != ':' {
			continue
		}
		if i > 0 && schemeChar(doc[i-1]) {
			continue
		}
		return i
	}
	return -1
}

func schemeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '+'
}

// cidEnd reports whether c ends a cid: URL in HTML or CSS.
func cidEnd(c byte) bool {
	switch c {
	case '"', '\'', ' ', '\t', '\r', '\n', '\f', '(', ')', '<', '>', '&', ';', ',', '\\':
		return true
	}
	return false
}
