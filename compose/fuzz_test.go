package compose

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

func FuzzBuild(f *testing.F) {
	f.Add("Hello", "Support", "Jane", "body\n", "", "v", "file.txt")
	f.Add("Ré: ça", "Zoë, Inc.", `"quoted"`, "", "<p>hi<br>there</p>", "Bestätigung", "résumé.pdf")
	f.Add("x\r\nBcc: victim@example.net", "a\nb", "c\x00d", "\r\n.\r\n", "<script>", "v\r\nX: y", "a\r\nb")
	f.Add(strings.Repeat("long ", 300), strings.Repeat("n", 300), "=?utf-8?q?x?=", strings.Repeat("y", 2000), "&amp;&#0;", strings.Repeat("z", 1500), "")
	f.Add("  edge  ", "\t", "\xff\xfe", "\r", "\n", "=?", "\"\\")
	f.Fuzz(func(t *testing.T, subject, fromName, toName, text, html, extra, filename string) {
		m := &Message{
			From:      Address{Name: fromName, Email: "from@example.com"},
			To:        []Address{{Name: toName, Email: "to@example.org"}},
			Subject:   subject,
			Text:      text,
			HTML:      html,
			MessageID: "fuzz@example.com",
			Date:      testDate,
			Headers:   []Header{{Name: "X-Fuzz", Value: extra}},
		}
		if filename != "" {
			m.Attachments = []Attachment{{Filename: filename, Data: []byte(text)}}
		}
		out, err := Build(m)
		injected := false
		for _, s := range []string{subject, fromName, toName, extra, filename} {
			if strings.ContainsAny(s, "\r\n\x00") {
				injected = true
			}
		}
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if !injected || !errors.Is(err, ErrHeaderInjection) {
				t.Fatalf("unexpected error %v (injection in input: %v)", err, injected)
			}
			return
		}
		if injected {
			t.Fatal("input with CR/LF/NUL in a header value was accepted")
		}
		checkWireFormat(t, out)

		// The header section holds exactly the fields Build writes.
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(out)))
		if err != nil {
			t.Fatalf("ReadHeader: %v", err)
		}
		want := map[string]int{"Date": 1, "From": 1, "To": 1, "Subject": 1, "Message-Id": 1,
			"X-Fuzz": 1, "Mime-Version": 1, "Content-Type": 1}
		if filename == "" && html == "" {
			want["Content-Transfer-Encoding"] = 1
		}
		got := map[string]int{}
		for fields := h.Fields(); fields.Next(); {
			got[fields.Key()]++
		}
		if len(got) != len(want) {
			t.Fatalf("header fields %v, want %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Fatalf("header fields %v, want %v", got, want)
			}
		}

		// It parses back, and header values survive exactly.
		r, err := mail.CreateReader(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("CreateReader: %v", err)
		}
		if s, err := r.Header.Subject(); err != nil || s != strings.ToValidUTF8(subject, "\uFFFD") {
			t.Fatalf("Subject = %q, %v; want %q", s, err, subject)
		}
		if v, err := r.Header.Text("X-Fuzz"); err != nil || v != strings.ToValidUTF8(extra, "\uFFFD") {
			t.Fatalf("X-Fuzz = %q, %v; want %q", v, err, extra)
		}
		from, err := r.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Address != "from@example.com" {
			t.Fatalf("From = %v, %v", from, err)
		}
		to, err := r.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "to@example.org" {
			t.Fatalf("To = %v, %v", to, err)
		}
		parts := 0
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("NextPart: %v", err)
			}
			if _, err := io.Copy(io.Discard, p.Body); err != nil {
				t.Fatalf("read part: %v", err)
			}
			parts++
		}
		wantParts := 1
		if html != "" {
			wantParts++
		}
		if filename != "" {
			wantParts++
		}
		if parts != wantParts {
			t.Fatalf("%d parts, want %d", parts, wantParts)
		}
	})
}
