// Package compose builds RFC 5322 / RFC 2045 messages from a plain
// description (addresses, subject, text and HTML bodies, attachments) and
// DKIM-signs them.
//
// Output is deterministic for a given Message: multipart boundaries are
// derived from the message id, so the same input always yields the same
// bytes. Every line ends in CRLF and is at most 998 octets long. Values that
// would reach a header are checked for CR, LF and NUL and refused with an
// error wrapping ErrHeaderInjection.
package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime"
	"mime/quotedprintable"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Address is a mailbox: an optional display name and an addr-spec.
type Address struct {
	Name  string
	Email string
}

// Header is an extra header field, for example from a message template.
type Header struct {
	Name  string
	Value string
}

// Attachment is a file sent as a base64 MIME part with
// Content-Disposition: attachment.
type Attachment struct {
	// Filename is advertised to the receiver (RFC 2231-encoded when needed).
	Filename string
	// ContentType is a media type such as "application/pdf"; empty means
	// application/octet-stream. multipart/* and message/* are refused. A
	// text/* type without a charset gets one from the data, see
	// AttachmentContentType.
	ContentType string
	Data        []byte
}

// Message describes one outgoing email. There is deliberately no Bcc field:
// blind recipients only exist in the SMTP envelope.
type Message struct {
	From    Address
	To      []Address
	Cc      []Address
	Subject string
	// Text is the plain-text body ("" if none).
	Text string
	// HTML is the HTML body ("" if none). When set and Text is empty the
	// plain-text alternative is derived with PlainFromHTML.
	HTML string
	// MessageID is the id without angle brackets ("left@right"); keep it
	// stable per contact so re-deliveries carry the same id.
	MessageID string
	Date      time.Time
	// InReplyTo and References are optional whitespace-separated message
	// ids, with or without angle brackets.
	InReplyTo  string
	References string
	// Headers are extra header fields written after the standard ones.
	// Structural and identity fields (From, To, Cc, Bcc, Subject, Date,
	// Message-ID, In-Reply-To, References, MIME-Version, Content-*,
	// DKIM-Signature, Received, Return-Path) are refused.
	Headers     []Header
	Attachments []Attachment
}

// dateLayout is the RFC 5322 date-time format.
const dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// entity is a rendered MIME entity: its Content-* header fields and its
// encoded body.
type entity struct {
	fields [][2]string
	body   []byte
}

// Build validates m and renders it as an RFC 5322 message with CRLF line
// endings. Errors are *FieldError values wrapping one of the sentinel errors
// of this package.
func Build(m *Message) ([]byte, error) {
	var hdr strings.Builder
	hdr.Grow(512)
	if err := writeHeaders(&hdr, m); err != nil {
		return nil, err
	}
	root, err := buildBody(m)
	if err != nil {
		return nil, err
	}
	for _, f := range root.fields {
		if err := writeField(&hdr, f[0], f[1]); err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, hdr.Len()+2+len(root.body))
	out = append(out, hdr.String()...)
	out = append(out, "\r\n"...)
	out = append(out, root.body...)
	return out, nil
}

// writeHeaders validates and writes the message-level header fields, in a
// fixed order, up to and including MIME-Version.
func writeHeaders(b *strings.Builder, m *Message) error {
	if m.Date.IsZero() {
		return fieldErr("Date", ErrMissingField, "zero time")
	}
	if m.MessageID == "" {
		return fieldErr("MessageID", ErrMissingField, "empty")
	}
	msgID, err := normalizeMsgID("MessageID", m.MessageID)
	if err != nil {
		return err
	}
	from, err := formatAddress("From", m.From)
	if err != nil {
		return err
	}
	if len(m.To) == 0 && len(m.Cc) == 0 {
		return fieldErr("To", ErrMissingField, "no recipient")
	}
	to, err := formatAddressList("To", m.To)
	if err != nil {
		return err
	}
	cc, err := formatAddressList("Cc", m.Cc)
	if err != nil {
		return err
	}
	if err := checkInjection("Subject", m.Subject); err != nil {
		return err
	}
	inReplyTo, err := formatMsgIDList("InReplyTo", m.InReplyTo)
	if err != nil {
		return err
	}
	refs, err := formatMsgIDList("References", m.References)
	if err != nil {
		return err
	}
	for i, h := range m.Headers {
		field := "Headers[" + strconv.Itoa(i) + "]"
		if err := checkInjection(field+".Name", h.Name); err != nil {
			return err
		}
		if err := checkInjection(field+".Value", h.Value); err != nil {
			return err
		}
		if !validHeaderName(h.Name) {
			return fieldErr(field+".Name", ErrInvalidHeaderName, "%q", h.Name)
		}
		if isReservedHeader(h.Name) {
			return fieldErr(field+".Name", ErrReservedHeader, "%q is set by the composer", h.Name)
		}
	}

	fields := [][2]string{
		{"Date", m.Date.Format(dateLayout)},
		{"From", from},
	}
	if to != "" {
		fields = append(fields, [2]string{"To", to})
	}
	if cc != "" {
		fields = append(fields, [2]string{"Cc", cc})
	}
	fields = append(fields,
		[2]string{"Subject", formatUnstructured("Subject", m.Subject)},
		[2]string{"Message-ID", "<" + msgID + ">"},
	)
	if inReplyTo != "" {
		fields = append(fields, [2]string{"In-Reply-To", inReplyTo})
	}
	if refs != "" {
		fields = append(fields, [2]string{"References", refs})
	}
	for _, h := range m.Headers {
		fields = append(fields, [2]string{h.Name, formatUnstructured(h.Name, h.Value)})
	}
	fields = append(fields, [2]string{"MIME-Version", "1.0"})
	for _, f := range fields {
		if err := writeField(b, f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// formatAddressList renders a comma-separated address list.
func formatAddressList(field string, list []Address) (string, error) {
	parts := make([]string, 0, len(list))
	for i, a := range list {
		s, err := formatAddress(field+"["+strconv.Itoa(i)+"]", a)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", "), nil
}

// buildBody renders the MIME tree: text/plain alone, multipart/alternative
// for HTML, wrapped in multipart/mixed when there are attachments.
func buildBody(m *Message) (*entity, error) {
	var body *entity
	if m.HTML == "" {
		body = textEntity("text/plain", m.Text)
	} else {
		plain := m.Text
		if plain == "" {
			plain = PlainFromHTML(m.HTML)
		}
		body = multipartEntity(m.MessageID, "alternative",
			textEntity("text/plain", plain), textEntity("text/html", m.HTML))
	}
	if len(m.Attachments) == 0 {
		return body, nil
	}
	parts := []*entity{body}
	for i, a := range m.Attachments {
		e, err := attachmentEntity("Attachments["+strconv.Itoa(i)+"]", a)
		if err != nil {
			return nil, err
		}
		parts = append(parts, e)
	}
	return multipartEntity(m.MessageID, "mixed", parts...), nil
}

// textEntity renders a UTF-8 text part: 7bit when the text is short-lined
// printable ASCII, quoted-printable otherwise.
func textEntity(mediaType, text string) *entity {
	text = normalizeNewlines(strings.ToValidUTF8(text, "\uFFFD"))
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	e := &entity{fields: [][2]string{{"Content-Type", mediaType + "; charset=utf-8"}}}
	if is7bit(text) {
		e.fields = append(e.fields, [2]string{"Content-Transfer-Encoding", "7bit"})
		e.body = []byte(strings.ReplaceAll(text, "\n", "\r\n"))
		return e
	}
	var buf bytes.Buffer
	buf.Grow(len(text) + len(text)/8)
	w := quotedprintable.NewWriter(&buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	e.fields = append(e.fields, [2]string{"Content-Transfer-Encoding", "quoted-printable"})
	e.body = buf.Bytes()
	return e
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// is7bit reports whether LF-separated text can go out unencoded: printable
// ASCII and tabs only, lines of at most 998 octets.
func is7bit(text string) bool {
	line := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			line = 0
			continue
		case c == '\t', c >= ' ' && c <= '~':
		default:
			return false
		}
		line++
		if line > hardLineLimit {
			return false
		}
	}
	return true
}

// attachmentEntity renders a base64 attachment part.
func attachmentEntity(field string, a Attachment) (*entity, error) {
	if err := checkInjection(field+".Filename", a.Filename); err != nil {
		return nil, err
	}
	ct, err := attachmentType(field+".ContentType", a.ContentType, a.Data)
	if err != nil {
		return nil, err
	}
	disp := "attachment"
	if a.Filename != "" {
		name := strings.ToValidUTF8(a.Filename, "\uFFFD")
		disp = strings.Join(append([]string{disp}, formatParam("filename", name)...), "; ")
	}
	enc := base64.StdEncoding
	encoded := make([]byte, enc.EncodedLen(len(a.Data)))
	enc.Encode(encoded, a.Data)
	const lineLen = 76
	body := make([]byte, 0, len(encoded)+len(encoded)/lineLen*2+2)
	for len(encoded) > 0 {
		n := min(lineLen, len(encoded))
		body = append(body, encoded[:n]...)
		body = append(body, "\r\n"...)
		encoded = encoded[n:]
	}
	return &entity{
		fields: [][2]string{
			{"Content-Type", ct},
			{"Content-Disposition", disp},
			{"Content-Transfer-Encoding", "base64"},
		},
		body: body,
	}, nil
}

// AttachmentContentType returns the Content-Type an attachment of media type
// ct (with optional parameters) and content data is sent with, or an error
// wrapping ErrInvalidContentType or ErrHeaderInjection.
//
// Text always carries its charset, since without one a receiver assumes
// US-ASCII (RFC 2046) and shows anything else as mojibake. A charset the
// caller named is kept. Otherwise it is utf-8 when data is valid UTF-8
// (ASCII included), utf-16 when data starts with a UTF-16 byte order mark,
// and when it is neither the charset cannot be known: the attachment is then
// sent as application/octet-stream, so that receivers save the bytes as they
// are rather than show them in a guessed charset.
func AttachmentContentType(ct string, data []byte) (string, error) {
	return attachmentType("ContentType", ct, data)
}

func attachmentType(field, ct string, data []byte) (string, error) {
	if err := checkInjection(field, ct); err != nil {
		return "", err
	}
	if ct == "" {
		return "application/octet-stream", nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fieldErr(field, ErrInvalidContentType, "%v", err)
	}
	if !strings.Contains(mt, "/") {
		return "", fieldErr(field, ErrInvalidContentType, "%q has no subtype", mt)
	}
	if strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		return "", fieldErr(field, ErrInvalidContentType, "%s cannot be sent base64-encoded", mt)
	}
	if strings.HasPrefix(mt, "text/") && params["charset"] == "" {
		switch {
		case utf8.Valid(data):
			params["charset"] = "utf-8"
		case bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}):
			params["charset"] = "utf-16" // RFC 2781: the byte order mark says which
		default:
			return "application/octet-stream", nil
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{mt}
	for _, k := range keys {
		parts = append(parts, formatParam(k, params[k])...)
	}
	return strings.Join(parts, "; "), nil
}

// isToken reports whether s is a non-empty RFC 2045 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// formatParam renders a MIME parameter. Short printable ASCII values are
// written as a token or quoted-string; anything else uses RFC 2231 extended
// notation in UTF-8, split into continuations so lines stay short.
func formatParam(key, val string) []string {
	const chunk = 60
	if isPrintableASCII(val) && len(val) <= chunk {
		if isToken(val) {
			return []string{key + "=" + val}
		}
		var b strings.Builder
		b.WriteString(key)
		b.WriteString(`="`)
		for i := 0; i < len(val); i++ {
			if val[i] == '"' || val[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(val[i])
		}
		b.WriteByte('"')
		return []string{b.String()}
	}
	const hex = "0123456789ABCDEF"
	var pieces []string
	var cur strings.Builder
	for i := 0; i < len(val); i++ {
		c := val[i]
		var enc string
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			enc = string(c)
		} else {
			enc = string([]byte{'%', hex[c>>4], hex[c&0x0f]})
		}
		if cur.Len()+len(enc) > chunk {
			pieces = append(pieces, cur.String())
			cur.Reset()
		}
		cur.WriteString(enc)
	}
	pieces = append(pieces, cur.String())
	if len(pieces) == 1 {
		return []string{key + "*=utf-8''" + pieces[0]}
	}
	out := make([]string, len(pieces))
	for i, p := range pieces {
		prefix := ""
		if i == 0 {
			prefix = "utf-8''"
		}
		out[i] = key + "*" + strconv.Itoa(i) + "*=" + prefix + p
	}
	return out
}

// multipartEntity renders a multipart entity whose boundary is derived from
// the message id and the subtype, re-derived until it occurs in no part.
func multipartEntity(msgID, subtype string, parts ...*entity) *entity {
	rendered := make([][]byte, len(parts))
	for i, p := range parts {
		var b strings.Builder
		for _, f := range p.fields {
			// Part fields are built from validated, short values; folding
			// cannot fail for them.
			_ = writeField(&b, f[0], f[1])
		}
		b.WriteString("\r\n")
		rendered[i] = append([]byte(b.String()), p.body...)
	}
	var boundary string
	for attempt := 0; ; attempt++ {
		sum := sha256.Sum256([]byte(msgID + "\x00" + subtype + "\x00" + strconv.Itoa(attempt)))
		boundary = "=_" + subtype[:3] + "_" + hex.EncodeToString(sum[:12])
		clash := false
		for _, r := range rendered {
			if bytes.Contains(r, []byte(boundary)) {
				clash = true
				break
			}
		}
		if !clash {
			break
		}
	}
	var body bytes.Buffer
	for _, r := range rendered {
		body.WriteString("--" + boundary + "\r\n")
		body.Write(r)
		if len(r) > 0 && !bytes.HasSuffix(r, []byte("\r\n")) {
			body.WriteString("\r\n")
		}
		// The CRLF before a delimiter belongs to the delimiter.
		body.WriteString("\r\n")
	}
	body.WriteString("--" + boundary + "--\r\n")
	return &entity{
		fields: [][2]string{{"Content-Type", "multipart/" + subtype + `; boundary="` + boundary + `"`}},
		body:   body.Bytes(),
	}
}
