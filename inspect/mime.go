package inspect

// The MIME parser of the inspection API. Every endpoint that reads a
// stored message's parts (/parts, /parts/{n}, /html) goes through
// parseMessage, whose walk is bounded: multipart containers nested deeper
// than MaxDepth are skipped unread and the walk stops after MaxParts parts,
// so its cost is linear in the message (each byte passes through at most
// MaxDepth multipart readers). What was cut is reported in Parts.Truncated
// and Parts.Warnings.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/connectmail/connectmail/fault"
	"github.com/emersion/go-message"
	// Besides Reader, registers the decoders of the common non-UTF-8
	// charsets with go-message, so headers and bodies in ISO-8859-x,
	// Windows-125x, Shift_JIS... are shown as text.
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

// Limits of the MIME walk. Mail clients nest a handful of levels
// (mixed > related > alternative, a forwarded message or two); MaxDepth
// leaves room for that many times over.
const (
	// MaxDepth is how deep multipart containers are read (the top-level
	// entity is depth 0).
	MaxDepth = 20
	// MaxParts is how many entities (multipart containers and leaf parts)
	// are read.
	MaxParts = 500
)

// parsed is a message read into memory with the bytes of every leaf part.
type parsed struct {
	Parts
	// data holds each leaf part's bytes, transfer-decoded, in its own charset.
	data [][]byte
	// raw is the size of the stored message.
	raw int
}

// ParseMessage parses an RFC 5322 message for display: decoded headers, the
// first plain-text and HTML bodies (converted to UTF-8), and every leaf
// part, within MaxDepth and MaxParts. It fails only when the top-level
// header cannot be read; damaged parts become warnings.
func ParseMessage(raw []byte) (*Parts, error) {
	p, err := parseMessage(raw)
	if err != nil {
		return nil, err
	}
	return &p.Parts, nil
}

func parseMessage(raw []byte) (*parsed, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	th, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, &fault.Error{Kind: fault.Invalid, Message: "the stored message has no readable header", Err: err}
	}
	p := &parsed{Parts: Parts{Headers: []HeaderField{}, Attachments: []PartInfo{}, Structure: []PartInfo{}}, raw: len(raw)}
	h := message.Header{Header: th}
	for f := h.Fields(); f.Next(); {
		v, err := f.Text()
		if err != nil {
			v = f.Value()
		}
		p.Headers = append(p.Headers, HeaderField{Name: f.Key(), Value: v})
	}
	w := &walker{p: p}
	w.entity(h, br, 0)
	p.RemoteContent = len(remoteRef.FindAllStringIndex(p.HTML, -1))
	return p, nil
}

// walker reads a message's entities depth first.
type walker struct {
	p                  *parsed
	entities           int
	textDone, htmlDone bool
}

func (w *walker) warn(format string, args ...any) {
	w.p.Warnings = append(w.p.Warnings, fmt.Sprintf(format, args...))
}

func (w *walker) truncated() *Truncation {
	if w.p.Truncated == nil {
		w.p.Truncated = &Truncation{}
	}
	return w.p.Truncated
}

// entity reads one entity and, for a multipart one, its parts; it reports
// false when the walk must stop (MaxParts reached).
func (w *walker) entity(h message.Header, body io.Reader, depth int) bool {
	if w.entities == MaxParts {
		if !w.truncated().Parts {
			w.truncated().Parts = true
			w.warn("the message has more than %d parts; the rest are not shown", MaxParts)
		}
		return false
	}
	w.entities++
	ct, params, err := h.ContentType()
	if err != nil || ct == "" {
		ct = "text/plain"
	}
	if !strings.HasPrefix(ct, "multipart/") {
		w.leaf(h, ct, params, body)
		return true
	}
	if depth == MaxDepth {
		if !w.truncated().Depth {
			w.truncated().Depth = true
			w.warn("multipart parts nested more than %d deep are not shown", MaxDepth)
		}
		return true // the enclosing reader skips the body
	}
	// RFC 2046 allows no transfer encoding on multipart; like go-message,
	// ignore one if present.
	mr := textproto.NewMultipartReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return true
		}
		if err != nil {
			w.warn("%v", err)
			return true
		}
		if !w.entity(message.Header{Header: part.Header}, part, depth+1) {
			return false
		}
	}
}

// leaf reads a leaf part: its bytes transfer-decoded (not converted from
// their charset: downloads are the bytes as sent), and, for the first
// plain-text and HTML bodies, their text converted to UTF-8.
func (w *walker) leaf(h message.Header, ct string, params map[string]string, body io.Reader) {
	p := w.p
	disp, dparams, _ := h.ContentDisposition()
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	// message.New decodes the transfer encoding, and the charset of text/*
	// types: give it a header that names no text type.
	th := h.Copy()
	th.Set("Content-Type", "application/octet-stream")
	e, err := message.New(th, body)
	if err != nil {
		w.warn("%v", err)
	}
	data, err := io.ReadAll(e.Body)
	if err != nil {
		w.warn("%v", err)
	}
	info := PartInfo{
		Index: len(p.Structure), ContentType: ct, Charset: params["charset"], Disposition: disp,
		Filename: filename, ContentID: strings.Trim(h.Get("Content-Id"), "<> "), Size: len(data),
	}
	p.Structure = append(p.Structure, info)
	p.data = append(p.data, data)
	isBody := disp != "attachment" && filename == ""
	switch {
	case isBody && ct == "text/plain" && !w.textDone:
		p.Text, w.textDone = w.text(data, info.Charset), true
	case isBody && ct == "text/html" && !w.htmlDone:
		p.HTML, w.htmlDone = w.text(data, info.Charset), true
	default:
		p.Attachments = append(p.Attachments, info)
	}
}

// text converts a body in charset cs to UTF-8, or keeps its bytes (with a
// warning) when cs is unknown.
func (w *walker) text(data []byte, cs string) string {
	switch strings.ToLower(cs) {
	case "", "utf-8", "utf8", "us-ascii":
		return string(data)
	}
	r, err := charset.Reader(cs, bytes.NewReader(data))
	if err != nil {
		w.warn("unknown charset %q: %v", cs, err)
		return string(data)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		w.warn("charset %q: %v", cs, err)
	}
	return string(b)
}

// remoteRef finds HTML attributes and CSS urls that would fetch a remote
// resource when the HTML is displayed.
var remoteRef = regexp.MustCompile(`(?i)(?:\b(?:src|srcset|background|poster)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])\s*(?:https?:)?//`)
