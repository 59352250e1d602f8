package compose

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/connectmail/connectmail/pyemail"
)

func TestAttachmentContentType(t *testing.T) {
	utf16 := []byte{0xff, 0xfe, 'h', 0, 0xe9, 0, '\n', 0} // "hé\n", little-endian with its byte order mark
	tests := []struct {
		ct   string
		data string
		want string
	}{
		{"text/plain", "Conditions générales\n", "text/plain; charset=utf-8"},
		{"text/plain", "plain ASCII\n", "text/plain; charset=utf-8"},
		{"TEXT/CSV; header=present", "prénom,nom\n", "text/csv; charset=utf-8; header=present"},
		{"text/html", "<p>é</p>", "text/html; charset=utf-8"},
		{"text/plain", "\xef\xbb\xbfwith a UTF-8 BOM", "text/plain; charset=utf-8"},
		{"text/plain", string(utf16), "text/plain; charset=utf-16"},
		// A charset the caller names is kept, right or wrong.
		{"text/plain; charset=iso-8859-1", "caf\xe9", "text/plain; charset=iso-8859-1"},
		// Neither UTF-8 nor marked UTF-16, no charset named: it cannot be
		// known, so the bytes go as they are, to be saved rather than shown.
		{"text/plain", "caf\xe9 au lait", "application/octet-stream"},
		{"text/plain; format=flowed", "\x93quoted\x94", "application/octet-stream"},
		{"application/pdf", "%PDF-1.7\x00\xff", "application/pdf"},
		{"image/png; name=x.png", "\x89PNG", "image/png; name=x.png"},
		{"", "anything", "application/octet-stream"},
	}
	for _, tc := range tests {
		got, err := AttachmentContentType(tc.ct, []byte(tc.data))
		if err != nil || got != tc.want {
			t.Errorf("AttachmentContentType(%q, %q) = %q, %v; want %q", tc.ct, tc.data, got, err, tc.want)
		}
	}
	for _, bad := range []string{"text", "multipart/mixed; boundary=x", "message/rfc822", "text/plain\r\nBcc: x@example.org"} {
		if _, err := AttachmentContentType(bad, nil); !errors.Is(err, ErrInvalidContentType) && !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("AttachmentContentType(%q) = %v, want a refusal", bad, err)
		}
	}
}

// TestPythonReadsAttachments: Python's email package (policy.default), an
// independent parser, reads each attachment back with its file name (RFC
// 2231, continuations included) and its text decoded with the declared
// charset equal to the original.
func TestPythonReadsAttachments(t *testing.T) {
	long := "Allgemeine Geschäftsbedingungen und Datenschutzerklärung für Bestellungen über den Onlineshop (gültig ab März).txt"
	atts := []struct {
		a           Attachment
		contentType string
		charset     string
		text        string // "" = not read as text
	}{
		{Attachment{Filename: "conditions-générales.txt", ContentType: "text/plain", Data: []byte("Conditions générales — août\r\nligne 2\r\n")},
			"text/plain", "utf-8", "Conditions générales — août\r\nligne 2\r\n"},
		{Attachment{Filename: long, ContentType: "text/plain", Data: []byte("Zahlung binnen 14 Tagen. Grüße\n")},
			"text/plain", "utf-8", "Zahlung binnen 14 Tagen. Grüße\n"},
		{Attachment{Filename: "日本語のファイル.csv", ContentType: "text/csv", Data: []byte("名前,数量\n山田,3\n")},
			"text/csv", "utf-8", "名前,数量\n山田,3\n"},
		{Attachment{Filename: `report "final"; v2.txt`, ContentType: "text/plain", Data: []byte("ascii only\n")},
			"text/plain", "utf-8", "ascii only\n"},
		{Attachment{Filename: "utf16.txt", ContentType: "text/plain", Data: []byte{0xfe, 0xff, 0, 'h', 0, 0xe9, 0, '\n'}},
			"text/plain", "utf-16", "hé\n"},
		{Attachment{Filename: "latin1.txt", ContentType: "text/plain", Data: []byte("caf\xe9\n")},
			"application/octet-stream", "", ""},
		{Attachment{Filename: "facture n°12.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\x00\xff\xfe")},
			"application/pdf", "", ""},
	}
	m := baseMessage()
	m.Text = "Bonjour Zoë,\nvoici les documents.\n"
	for _, x := range atts {
		m.Attachments = append(m.Attachments, x.a)
	}
	raw, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	py := pyemail.Parse(t, raw)
	if len(py.Defects) != 0 {
		t.Errorf("Python found defects: %v", py.Defects)
	}
	if len(py.Parts) != 1+len(atts) {
		t.Fatalf("Python saw %d parts, want %d:\n%s", len(py.Parts), 1+len(atts), raw)
	}
	// The body's lines end in CRLF on the wire, as MIME text must.
	if b := py.Parts[0]; b.ContentType != "text/plain" || b.Charset != "utf-8" || strings.ReplaceAll(b.Text, "\r\n", "\n") != m.Text {
		t.Errorf("body part %+v", b)
	}
	for i, x := range atts {
		p := py.Parts[1+i]
		if p.Filename != x.a.Filename || p.Disposition != "attachment" {
			t.Errorf("attachment %d: file name %q (%s), want %q", i, p.Filename, p.Disposition, x.a.Filename)
		}
		if p.ContentType != x.contentType || p.Charset != x.charset {
			t.Errorf("attachment %q: %s charset %q, want %s charset %q", x.a.Filename, p.ContentType, p.Charset, x.contentType, x.charset)
		}
		if !bytes.Equal(p.Data, x.a.Data) {
			t.Errorf("attachment %q: bytes %q, want %q", x.a.Filename, p.Data, x.a.Data)
		}
		if x.text != "" && (p.Text != x.text || p.TextError != "") {
			t.Errorf("attachment %q: Python decoded %q (%s), want %q", x.a.Filename, p.Text, p.TextError, x.text)
		}
	}
	if !strings.Contains(string(raw), "filename*0*=utf-8''Allgemeine%20Gesch%C3%A4ftsbedingungen") {
		t.Errorf("the long name is not split into RFC 2231 continuations:\n%s", raw)
	}
}
