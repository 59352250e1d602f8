// Package inspecttest builds the hostile messages that tests of the
// inspection API store or deliver: one inline image referenced many times,
// multipart nested very deep, and a multipart with very many parts.
package inspecttest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

const head = "From: Mallory <mallory@example.net>\r\nTo: support@example.com\r\nSubject: hostile\r\nMIME-Version: 1.0\r\n"

// InlineBomb is a message whose HTML body references one inline image part
// (Content-ID <a>, imageBytes long) refs times: `<img src=cid:a>` repeated.
func InlineBomb(refs, imageBytes int) []byte {
	var b bytes.Buffer
	b.WriteString(head + "Content-Type: multipart/related; boundary=rel\r\n\r\n--rel\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>")
	for i := range refs {
		b.WriteString("<img src=cid:a>")
		if i%4 == 3 {
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n--rel\r\nContent-Type: image/png\r\nContent-ID: <a>\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	img := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 3}, imageBytes/8+1)[:imageBytes]
	enc := base64.StdEncoding.EncodeToString(img)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--rel--\r\n")
	return b.Bytes()
}

// Nested is a message of multipart/mixed containers nested depth deep
// around one text/plain part.
func Nested(depth int) []byte {
	var b strings.Builder
	b.WriteString(head + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := range depth - 1 {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i, i+1)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\nthe innermost part\r\n", depth-1)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return []byte(b.String())
}

// Wide is a multipart/mixed message of n small text/plain parts.
func Wide(n int) []byte {
	var b strings.Builder
	b.WriteString(head + "Content-Type: multipart/mixed; boundary=w\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--w\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--w--\r\n")
	return []byte(b.String())
}
