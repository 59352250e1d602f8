// Package pyemail parses a message with Python's email package (with
// policy.default, the parser mail tools written in Python use) for tests:
// an independent MIME implementation as the judge of what connectmail
// writes. Tests skip, saying why, where python3 is not installed.
package pyemail

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// script reads a message on stdin and prints what Python makes of it.
const script = `
import base64, email, json, sys
from email import policy

msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = {"headers": [[k, str(v)] for k, v in msg.items()], "defects": [repr(d) for d in msg.defects], "parts": []}
for p in msg.walk():
    out["defects"] += [repr(d) for d in p.defects]
    if p.is_multipart():
        continue
    part = {
        "contentType": p.get_content_type(),
        "charset": p.get_content_charset() or "",
        "disposition": p.get_content_disposition() or "",
        "filename": p.get_filename() or "",
        "data": base64.b64encode(p.get_payload(decode=True) or b"").decode(),
    }
    if p.get_content_maintype() == "text":
        try:
            part["text"] = p.get_content()
        except Exception as e:
            part["textError"] = repr(e)
    out["parts"].append(part)
print(json.dumps(out))
`

// Message is what Python's email package read.
type Message struct {
	// Headers are the top-level header fields, values decoded (RFC 2047).
	Headers [][2]string `json:"headers"`
	// Defects lists every defect the parser registered, in any part.
	Defects []string `json:"defects"`
	// Parts are the leaves of the MIME tree, in order.
	Parts []Part `json:"parts"`
}

// Part is one leaf of the MIME tree.
type Part struct {
	ContentType string `json:"contentType"` // lower-case type/subtype
	Charset     string `json:"charset"`     // "" when none is declared
	Disposition string `json:"disposition"` // "attachment", "inline" or ""
	Filename    string `json:"filename"`    // decoded (RFC 2231 or RFC 2047)
	// Data is the body after the transfer encoding is undone.
	Data []byte `json:"data"`
	// Text is a text part decoded with its declared charset (US-ASCII
	// when none is declared, as RFC 2046 says), as get_content() does.
	Text string `json:"text"`
	// TextError is why Text could not be decoded.
	TextError string `json:"textError"`
}

// Header returns the first value of the header field name.
func (m *Message) Header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// Attachment returns the part whose file name is name, or nil.
func (m *Message) Attachment(name string) *Part {
	for i := range m.Parts {
		if m.Parts[i].Filename == name {
			return &m.Parts[i]
		}
	}
	return nil
}

// Parse runs raw through Python's parser. The test is skipped when python3
// is not installed, and fails when it cannot run the script.
func Parse(tb testing.TB, raw []byte) *Message {
	tb.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		tb.Skip("python3 is not installed: it is the independent MIME parser of this test")
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("python3 email parser: %v\n%s", err, stderr.Bytes())
	}
	var m Message
	if err := json.Unmarshal(out, &m); err != nil {
		tb.Fatalf("python3 email parser output: %v\n%s", err, out)
	}
	return &m
}
