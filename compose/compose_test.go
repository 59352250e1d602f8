package compose

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

var update = flag.Bool("update", false, "rewrite the golden .eml files under testdata/")

var testDate = time.Date(2025, 3, 14, 15, 9, 26, 0, time.FixedZone("", -5*3600))

func baseMessage() *Message {
	return &Message{
		From:      Address{Name: "Example Support", Email: "support@example.com"},
		To:        []Address{{Name: "Jane Customer", Email: "jane@example.org"}},
		Subject:   "Your order 1234",
		Text:      "Hello Jane,\n\nyour order has shipped.\n\n-- \nExample Support\n",
		MessageID: "0b9f7a52-2d7c-4c5e-9d0e-3c1f6a8b9e10@example.com",
		Date:      testDate,
	}
}

// goldenCases are the messages checked byte for byte against testdata/*.eml.
func goldenCases() map[string]*Message {
	plain := baseMessage()

	html := baseMessage()
	html.Text = ""
	html.HTML = `<!DOCTYPE html><html><head><title>Order</title><style>p{color:red}</style></head>` +
		`<body><h1>Your order &amp; invoice</h1><p>Hello Jane,<br>your order has <b>shipped</b>. ` +
		`Track it <a href="https://track.example.com/p?id=1234&amp;x=1">here</a>.</p>` +
		`<ul><li>1 × Widget</li><li>2 × Gadget</li></ul><script>alert("x")</script></body></html>`

	intl := baseMessage()
	intl.From = Address{Name: "Zoë Müller, Kundendienst", Email: "kundendienst@example.de"}
	intl.To = []Address{{Name: "山田 太郎", Email: "taro@example.jp"}}
	intl.Subject = "Re: Ihre Bestellung Nr. 1234 — Lieferung verzögert sich leider um ein paar Tage, wir bitten um Entschuldigung"
	intl.Text = "Grüße aus Köln! Ça va? 日本語のテキスト。\n"
	intl.InReplyTo = "orig-1@mail.example.jp"
	intl.References = "<orig-0@mail.example.jp> orig-1@mail.example.jp"

	cc := baseMessage()
	cc.Cc = []Address{
		{Name: "John Q. Public", Email: "jq@example.net"},
		{Email: "ops@example.net"},
		{Name: `Quote "Me" \ Please`, Email: "quote@example.net"},
		{Name: "Accounting Department of a Company With a Long Name", Email: "accounting@example.net"},
		{Name: "Another Fairly Long Display Name", Email: "another.recipient@example.net"},
	}

	att := baseMessage()
	att.HTML = "<p>See the attached invoice.</p>"
	att.Text = "See the attached invoice.\n"
	att.Attachments = []Attachment{
		{Filename: "invoice-1234.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte("%PDF-1.7 binary\x00\xff"), 20)},
		{Filename: "résumé détaillé de la commande numéro 1234 pour le client.txt", ContentType: "text/plain; charset=UTF-8", Data: []byte("ligne 1\r\nligne 2\r\n")},
		{Data: []byte{0, 1, 2, 3}},
		// As a template attachment arrives: text/plain, no charset, UTF-8.
		{Filename: "conditions-générales.txt", ContentType: "text/plain", Data: []byte("Conditions générales de vente — août 2025\n")},
	}

	extra := baseMessage()
	extra.Headers = []Header{
		{Name: "Reply-To", Value: "replies@example.com"},
		{Name: "List-Unsubscribe", Value: "<mailto:unsubscribe@example.com?subject=unsubscribe>, <https://example.com/unsubscribe?c=0b9f7a52>"},
		{Name: "X-Template-Name", Value: "Bestätigung"},
		{Name: "X-Campaign", Value: "spring  sale"},
	}

	return map[string]*Message{
		"plain":       plain,
		"html":        html,
		"nonascii":    intl,
		"cc":          cc,
		"attachments": att,
		"extra":       extra,
	}
}

func TestGolden(t *testing.T) {
	for name, m := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			got, err := Build(m)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			path := filepath.Join("testdata", name+".eml")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update after checking):\n--- got ---\n%s", path, got)
			}
			checkWireFormat(t, got)
			again, err := Build(m)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("second Build differs (err %v): output is not deterministic", err)
			}
		})
	}
}

// checkWireFormat asserts CRLF-only line endings and lines of at most 998
// octets.
func checkWireFormat(t *testing.T, msg []byte) {
	t.Helper()
	for i, c := range msg {
		if c == '\n' && (i == 0 || msg[i-1] != '\r') {
			t.Fatalf("bare LF at offset %d", i)
		}
		if c == '\r' && (i+1 >= len(msg) || msg[i+1] != '\n') {
			t.Fatalf("bare CR at offset %d", i)
		}
	}
	for n, line := range bytes.Split(msg, []byte("\r\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets long", n+1, len(line))
		}
	}
}

// parsedPart is one leaf of a parsed message.
type parsedPart struct {
	mediaType   string
	params      map[string]string
	disposition string
	filename    string
	body        []byte
}

// parse reads msg back with go-message and returns its header and leaves in
// order, with multipart structure flattened to "multipart/x" markers.
func parse(t *testing.T, msg []byte) (mail.Header, []string, []parsedPart) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("mail.CreateReader: %v", err)
	}
	defer r.Close()
	var parts []parsedPart
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		var pp parsedPart
		pp.body = body
		pp.mediaType, pp.params, _ = mime.ParseMediaType(p.Header.Get("Content-Type"))
		if pp.mediaType == "" {
			pp.mediaType = "text/plain"
		}
		if cd := p.Header.Get("Content-Disposition"); cd != "" {
			var dp map[string]string
			pp.disposition, dp, err = mime.ParseMediaType(cd)
			if err != nil {
				t.Fatalf("Content-Disposition %q: %v", cd, err)
			}
			pp.filename = dp["filename"]
		}
		parts = append(parts, pp)
	}
	return r.Header, structure(t, msg), parts
}

// structure lists the media types of all entities, depth first, indented by
// nesting level.
func structure(t *testing.T, msg []byte) []string {
	t.Helper()
	var out []string
	var walk func(r *bufio.Reader, depth int)
	walk = func(r *bufio.Reader, depth int) {
		h, err := textproto.ReadHeader(r)
		if err != nil {
			t.Fatalf("ReadHeader: %v", err)
		}
		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
		}
		out = append(out, strings.Repeat("  ", depth)+mt)
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		mr := textproto.NewMultipartReader(r, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("NextPart: %v", err)
			}
			// Re-serialize the part so the recursive walk sees header+body.
			var buf bytes.Buffer
			if err := textproto.WriteHeader(&buf, p.Header); err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(&buf, p); err != nil {
				t.Fatal(err)
			}
			walk(bufio.NewReader(&buf), depth+1)
		}
	}
	walk(bufio.NewReader(bytes.NewReader(msg)), 0)
	return out
}

func TestParseBack(t *testing.T) {
	cases := goldenCases()
	tests := []struct {
		name      string
		structure []string
		check     func(t *testing.T, h mail.Header, parts []parsedPart)
	}{
		{
			name:      "plain",
			structure: []string{"text/plain"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				if got := string(parts[0].body); got != strings.ReplaceAll(cases["plain"].Text, "\n", "\r\n") {
					t.Errorf("body = %q", got)
				}
				if h.Get("Content-Transfer-Encoding") != "7bit" {
					t.Errorf("CTE = %q, want 7bit", h.Get("Content-Transfer-Encoding"))
				}
			},
		},
		{
			name:      "html",
			structure: []string{"multipart/alternative", "  text/plain", "  text/html"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				plain := string(parts[0].body)
				for _, want := range []string{"Your order & invoice", "Hello Jane,\r\nyour order has shipped.",
					"here (https://track.example.com/p?id=1234&x=1)", "- 1 × Widget"} {
					if !strings.Contains(plain, want) {
						t.Errorf("derived plain text lacks %q:\n%s", want, plain)
					}
				}
				for _, bad := range []string{"alert", "color:red", "<", "Order\r\n"} {
					if strings.Contains(plain, bad) {
						t.Errorf("derived plain text contains %q:\n%s", bad, plain)
					}
				}
				if got := strings.TrimRight(string(parts[1].body), "\r\n"); got != cases["html"].HTML {
					t.Errorf("html part = %q", got)
				}
			},
		},
		{
			name:      "nonascii",
			structure: []string{"text/plain"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				subj, err := h.Subject()
				if err != nil || subj != cases["nonascii"].Subject {
					t.Errorf("Subject = %q, %v", subj, err)
				}
				from, err := h.AddressList("From")
				if err != nil || len(from) != 1 || from[0].Name != "Zoë Müller, Kundendienst" || from[0].Address != "kundendienst@example.de" {
					t.Errorf("From = %v, %v", from, err)
				}
				to, err := h.AddressList("To")
				if err != nil || len(to) != 1 || to[0].Name != "山田 太郎" {
					t.Errorf("To = %v, %v", to, err)
				}
				if got := string(parts[0].body); got != "Grüße aus Köln! Ça va? 日本語のテキスト。\r\n" {
					t.Errorf("body = %q", got)
				}
				if h.Get("Content-Transfer-Encoding") != "quoted-printable" {
					t.Errorf("CTE = %q", h.Get("Content-Transfer-Encoding"))
				}
				if got := h.Get("In-Reply-To"); got != "<orig-1@mail.example.jp>" {
					t.Errorf("In-Reply-To = %q", got)
				}
				if got := h.Get("References"); got != "<orig-0@mail.example.jp> <orig-1@mail.example.jp>" {
					t.Errorf("References = %q", got)
				}
			},
		},
		{
			name:      "cc",
			structure: []string{"text/plain"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				cc, err := h.AddressList("Cc")
				if err != nil {
					t.Fatalf("Cc: %v", err)
				}
				want := cases["cc"].Cc
				if len(cc) != len(want) {
					t.Fatalf("Cc has %d addresses, want %d", len(cc), len(want))
				}
				for i := range want {
					if cc[i].Name != want[i].Name || cc[i].Address != want[i].Email {
						t.Errorf("Cc[%d] = %q <%s>, want %q <%s>", i, cc[i].Name, cc[i].Address, want[i].Name, want[i].Email)
					}
				}
				if h.Has("Bcc") {
					t.Error("Bcc header present")
				}
			},
		},
		{
			name:      "attachments",
			structure: []string{"multipart/mixed", "  multipart/alternative", "    text/plain", "    text/html", "  application/pdf", "  text/plain", "  application/octet-stream", "  text/plain"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				atts := cases["attachments"].Attachments
				if len(parts) != 2+len(atts) {
					t.Fatalf("%d parts", len(parts))
				}
				for i, a := range atts {
					p := parts[2+i]
					if p.disposition != "attachment" || p.filename != a.Filename {
						t.Errorf("attachment %d: disposition %q filename %q", i, p.disposition, p.filename)
					}
					if !bytes.Equal(p.body, a.Data) {
						t.Errorf("attachment %d: data %q, want %q", i, p.body, a.Data)
					}
				}
				if parts[3].params["charset"] != "UTF-8" {
					t.Errorf("text attachment params = %v", parts[3].params)
				}
				if parts[5].params["charset"] != "utf-8" {
					t.Errorf("UTF-8 text attachment without a declared charset: params %v, want charset utf-8", parts[5].params)
				}
			},
		},
		{
			name:      "extra",
			structure: []string{"text/plain"},
			check: func(t *testing.T, h mail.Header, parts []parsedPart) {
				for _, x := range cases["extra"].Headers {
					got, err := h.Text(x.Name)
					if err != nil || got != x.Value {
						t.Errorf("%s = %q, %v; want %q", x.Name, got, err, x.Value)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := cases[tc.name]
			msg, err := Build(m)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			h, st, parts := parse(t, msg)
			if strings.Join(st, "\n") != strings.Join(tc.structure, "\n") {
				t.Errorf("structure:\n%s\nwant:\n%s", strings.Join(st, "\n"), strings.Join(tc.structure, "\n"))
			}
			// Common header checks.
			if got := h.Get("MIME-Version"); got != "1.0" {
				t.Errorf("MIME-Version = %q", got)
			}
			if id, err := h.MessageID(); err != nil || id != m.MessageID {
				t.Errorf("Message-ID = %q, %v", id, err)
			}
			if d, err := h.Date(); err != nil || !d.Equal(m.Date) {
				t.Errorf("Date = %v, %v", d, err)
			}
			if subj, err := h.Subject(); err != nil || subj != m.Subject {
				t.Errorf("Subject = %q, %v", subj, err)
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != len(m.To) || to[0].Address != m.To[0].Email {
				t.Errorf("To = %v, %v", to, err)
			}
			if tc.check != nil {
				tc.check(t, h, parts)
			}
		})
	}
}

func TestHeaderInjection(t *testing.T) {
	payloads := []string{"x\r\nBcc: victim@example.net", "x\nBcc: victim@example.net", "x\rBcc: v@example.net", "x\x00y", "\r\n", "a\n\nbody"}
	mutations := []struct {
		field  string
		mutate func(m *Message, p string)
	}{
		{"From.Name", func(m *Message, p string) { m.From.Name = p }},
		{"From.Email", func(m *Message, p string) { m.From.Email = "a" + p + "@example.com" }},
		{"To[0].Name", func(m *Message, p string) { m.To[0].Name = p }},
		{"To[0].Email", func(m *Message, p string) { m.To[0].Email = "b@example.org" + p }},
		{"Cc[0].Name", func(m *Message, p string) { m.Cc = []Address{{Name: p, Email: "c@example.org"}} }},
		{"Cc[0].Email", func(m *Message, p string) { m.Cc = []Address{{Email: p + "c@example.org"}} }},
		{"Subject", func(m *Message, p string) { m.Subject = "Hello" + p }},
		{"MessageID", func(m *Message, p string) { m.MessageID = "id" + p + "@example.com" }},
		{"InReplyTo", func(m *Message, p string) { m.InReplyTo = "<a@b>" + p }},
		{"References", func(m *Message, p string) { m.References = p + "<a@b>" }},
		{"Headers[0].Name", func(m *Message, p string) { m.Headers = []Header{{Name: "X-A" + p, Value: "v"}} }},
		{"Headers[0].Value", func(m *Message, p string) { m.Headers = []Header{{Name: "X-A", Value: "v" + p}} }},
		{"Attachments[0].Filename", func(m *Message, p string) {
			m.Attachments = []Attachment{{Filename: "a" + p + ".txt", Data: []byte("x")}}
		}},
		{"Attachments[0].ContentType", func(m *Message, p string) {
			m.Attachments = []Attachment{{ContentType: "text/plain" + p, Data: []byte("x")}}
		}},
	}
	for _, mu := range mutations {
		for _, p := range payloads {
			t.Run(mu.field+"/"+strings.NewReplacer("\r", `\r`, "\n", `\n`, "\x00", `\0`).Replace(p), func(t *testing.T) {
				m := baseMessage()
				mu.mutate(m, p)
				out, err := Build(m)
				if !errors.Is(err, ErrHeaderInjection) {
					t.Fatalf("err = %v, want ErrHeaderInjection (output %q)", err, out)
				}
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.HasPrefix(fe.Field, mu.field) {
					t.Errorf("error %v does not name field %s", err, mu.field)
				}
				if out != nil {
					t.Error("output returned alongside an error")
				}
			})
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Message)
		want   error
	}{
		{"no date", func(m *Message) { m.Date = time.Time{} }, ErrMissingField},
		{"no message id", func(m *Message) { m.MessageID = "" }, ErrMissingField},
		{"no from", func(m *Message) { m.From = Address{} }, ErrMissingField},
		{"no recipients", func(m *Message) { m.To = nil }, ErrMissingField},
		{"message id without at", func(m *Message) { m.MessageID = "abc" }, ErrInvalidMessageID},
		{"message id with space", func(m *Message) { m.MessageID = "a b@c" }, ErrInvalidMessageID},
		{"message id with brackets inside", func(m *Message) { m.MessageID = "a>b@c" }, ErrInvalidMessageID},
		{"message id two ats", func(m *Message) { m.MessageID = "a@b@c" }, ErrInvalidMessageID},
		{"bad in-reply-to", func(m *Message) { m.InReplyTo = "not-an-id" }, ErrInvalidMessageID},
		{"address without at", func(m *Message) { m.To[0].Email = "jane.example.org" }, ErrInvalidAddress},
		{"address with angle", func(m *Message) { m.To[0].Email = "a<b@example.org" }, ErrInvalidAddress},
		{"address with comma", func(m *Message) { m.Cc = []Address{{Email: "a,b@example.org"}} }, ErrInvalidAddress},
		{"address with space", func(m *Message) { m.From.Email = "a b@example.org" }, ErrInvalidAddress},
		{"address double dot", func(m *Message) { m.From.Email = "a..b@example.org" }, ErrInvalidAddress},
		{"address empty domain label", func(m *Message) { m.From.Email = "a@example..org" }, ErrInvalidAddress},
		{"address invalid utf8", func(m *Message) { m.From.Email = "a\xff@example.org" }, ErrInvalidAddress},
		{"header name with colon", func(m *Message) { m.Headers = []Header{{Name: "X-A:B", Value: "v"}} }, ErrInvalidHeaderName},
		{"header name with space", func(m *Message) { m.Headers = []Header{{Name: "X A", Value: "v"}} }, ErrInvalidHeaderName},
		{"header name empty", func(m *Message) { m.Headers = []Header{{Name: "", Value: "v"}} }, ErrInvalidHeaderName},
		{"header name non-ascii", func(m *Message) { m.Headers = []Header{{Name: "X-Ä", Value: "v"}} }, ErrInvalidHeaderName},
		{"attachment multipart", func(m *Message) {
			m.Attachments = []Attachment{{ContentType: "multipart/mixed; boundary=x"}}
		}, ErrInvalidContentType},
		{"attachment message", func(m *Message) { m.Attachments = []Attachment{{ContentType: "message/rfc822"}} }, ErrInvalidContentType},
		{"attachment bad type", func(m *Message) { m.Attachments = []Attachment{{ContentType: "not a type"}} }, ErrInvalidContentType},
	}
	for _, name := range []string{"From", "to", "CC", "bcc", "Subject", "date", "Message-Id", "MIME-Version",
		"Content-Type", "content-transfer-encoding", "Content-Disposition", "DKIM-Signature", "Received",
		"In-Reply-To", "References", "Return-Path"} {
		tests = append(tests, struct {
			name   string
			mutate func(m *Message)
			want   error
		}{"reserved " + name, func(m *Message) { m.Headers = []Header{{Name: name, Value: "x"}} }, ErrReservedHeader})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := baseMessage()
			tc.mutate(m)
			out, err := Build(m)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if out != nil {
				t.Error("output returned alongside an error")
			}
		})
	}
}

func TestAddressForms(t *testing.T) {
	tests := []struct {
		in   Address
		want string
	}{
		{Address{Email: "a@example.com"}, "a@example.com"},
		{Address{Name: "Jane Doe", Email: "a@example.com"}, "Jane Doe <a@example.com>"},
		{Address{Name: "Doe, Jane", Email: "a@example.com"}, `"Doe, Jane" <a@example.com>`},
		{Address{Name: `a"b\c`, Email: "a@example.com"}, `"a\"b\\c" <a@example.com>`},
		{Address{Name: "=?utf-8?q?x?=", Email: "a@example.com"}, "=?utf-8?q?=3D=3Futf-8=3Fq=3Fx=3F=3D?= <a@example.com>"},
		{Address{Name: "Zoë", Email: "a@example.com"}, "=?utf-8?q?Zo=C3=AB?= <a@example.com>"},
		{Address{Name: "Tab\there", Email: "a@example.com"}, "=?utf-8?q?Tab=09here?= <a@example.com>"},
		{Address{Name: "x", Email: `"quoted local"@example.com`}, `x <"quoted local"@example.com>`},
		{Address{Email: "user@[192.0.2.1]"}, "user@[192.0.2.1]"},
		{Address{Email: "用户@例子.广告"}, "用户@例子.广告"},
	}
	for _, tc := range tests {
		got, err := formatAddress("To", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("formatAddress(%+v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestFolding(t *testing.T) {
	m := baseMessage()
	m.Subject = strings.Repeat("word ", 60) + "end"
	for i := range 40 {
		m.Cc = append(m.Cc, Address{Name: "Recipient Number", Email: "r" + string(rune('a'+i%26)) + "@example.com"})
	}
	m.Headers = []Header{{Name: "X-Long-Token", Value: strings.Repeat("z", 1200)}}
	out, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	checkWireFormat(t, out)
	header := out[:bytes.Index(out, []byte("\r\n\r\n"))]
	for _, line := range bytes.Split(header, []byte("\r\n")) {
		// Only a single unbreakable token may exceed the soft limit.
		if len(line) > 78 && bytes.Count(bytes.TrimSpace(line), []byte(" ")) > 1 {
			t.Errorf("line of %d octets was not folded: %q", len(line), line)
		}
	}
	h, _, _ := parse(t, out)
	if s, _ := h.Subject(); s != m.Subject {
		t.Errorf("Subject round trip = %q", s)
	}
	if v, _ := h.Text("X-Long-Token"); v != m.Headers[0].Value {
		t.Errorf("long token round trip lost data (len %d)", len(v))
	}
	cc, err := h.AddressList("Cc")
	if err != nil || len(cc) != 40 {
		t.Errorf("Cc round trip: %d, %v", len(cc), err)
	}
}

func TestBoundaryCollision(t *testing.T) {
	m := baseMessage()
	m.HTML = "<p>x</p>"
	first, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(string(bytes.SplitN(bytes.SplitN(first, []byte("Content-Type: "), 2)[1], []byte("\r\n"), 2)[0]))
	boundary := params["boundary"]
	if boundary == "" {
		t.Fatal("no boundary found")
	}
	// A body that contains the derived delimiter must not break the MIME
	// structure.
	m.Text = "before\n--" + boundary + "\nafter\n"
	out, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	_, st, parts := parse(t, out)
	if len(st) != 3 || len(parts) != 2 {
		t.Fatalf("structure %v with %d parts", st, len(parts))
	}
	if got := string(parts[0].body); got != "before\r\n--"+boundary+"\r\nafter\r\n" {
		t.Errorf("text = %q", got)
	}
	other := baseMessage()
	other.MessageID = "another@example.com"
	other.HTML = m.HTML
	o, _ := Build(other)
	if bytes.Contains(o, []byte(boundary)) {
		t.Error("different message ids produced the same boundary")
	}
}

func TestTextEncodings(t *testing.T) {
	tests := []struct {
		name, text, cte string
	}{
		{"ascii", "hello\nworld\n", "7bit"},
		{"crlf and cr normalized", "a\r\nb\rc", "7bit"},
		{"utf8", "héllo", "quoted-printable"},
		{"long line", strings.Repeat("x", 1200), "quoted-printable"},
		{"control", "bell\a", "quoted-printable"},
		{"invalid utf8", "bad \xff byte", "quoted-printable"},
		{"empty", "", "7bit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := baseMessage()
			m.Text = tc.text
			out, err := Build(m)
			if err != nil {
				t.Fatal(err)
			}
			checkWireFormat(t, out)
			h, _, parts := parse(t, out)
			if got := h.Get("Content-Transfer-Encoding"); got != tc.cte {
				t.Errorf("CTE = %q, want %q", got, tc.cte)
			}
			want := strings.ToValidUTF8(normalizeNewlines(tc.text), "\uFFFD")
			if want != "" && !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			if got := string(parts[0].body); got != strings.ReplaceAll(want, "\n", "\r\n") {
				t.Errorf("body = %q, want %q", got, want)
			}
		})
	}
}

func BenchmarkBuildHTML(b *testing.B) {
	m := goldenCases()["html"]
	m.HTML = strings.Repeat(m.HTML, 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(m); err != nil {
			b.Fatal(err)
		}
	}
}
