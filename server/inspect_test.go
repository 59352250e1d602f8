package server_test

// The inspection API against hostile and everyday inbound mail, delivered
// over SMTP to a real server: bounded inline-image expansion and MIME walk,
// 5xx answers logged, related contacts by customer, charsets of downloads.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/smtp"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/inspect"
	"github.com/connectmail/connectmail/inspect/inspecttest"
	"github.com/connectmail/connectmail/server"
)

// inboundServer is a server with inbound SMTP and an instance that owns
// support@example.com.
func inboundServer(t *testing.T, mutate func(*server.Config)) (*harness, string) {
	t.Helper()
	h := startServer(t, func(c *server.Config) {
		c.SMTPAddr = "127.0.0.1:0"
		if mutate != nil {
			mutate(c)
		}
	})
	return h, h.setup(context.Background())
}

// deliver sends raw from `from` to support@example.com over SMTP and returns
// the contact it became (the instance's newest).
func (h *harness) deliver(inst, from string, raw []byte) string {
	h.t.Helper()
	if err := smtp.SendMail(h.smtpAddr, nil, from, []string{"support@example.com"}, raw); err != nil {
		h.t.Fatal(err)
	}
	var list struct {
		Messages []inspect.Summary `json:"messages"`
	}
	h.getJSON("/api/v1/messages?limit=1&instanceId="+inst, &list)
	if len(list.Messages) != 1 || list.Messages[0].InitiationMethod != "INBOUND" {
		h.t.Fatalf("newest contact after delivery: %+v", list.Messages)
	}
	return list.Messages[0].ContactID
}

// fetchAll GETs path and returns the status, headers and body; the client
// gives up after a minute (a guard: the endpoints answer in milliseconds).
func (h *harness) fetchAll(path string) (int, http.Header, []byte) {
	h.t.Helper()
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.Get(h.url + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// TestInspectInlineImagesBounded: one inline image referenced 20,000 times
// (the message of issue 12: ~0.6 MB, a 200 KB part) made the HTML endpoint
// build gigabytes. The document now stays within its HTML body plus the
// message's size plus inspect.InlineSlack, at every size (linear), and so
// does the memory the server allocates to answer; an image referenced once
// is inlined however large.
func TestInspectInlineImagesBounded(t *testing.T) {
	// Not parallel: it measures the process's allocations.
	h, inst := inboundServer(t, nil)
	for _, c := range []struct {
		name             string
		refs, imageBytes int
		inlined          int // data: URLs expected, -1: more than one, fewer than refs
	}{
		{"issue 12: 20000 references to 200 KB", 20000, 200 << 10, -1},
		{"twice the references and the image", 40000, 400 << 10, -1},
		{"tiny image, many references", 20000, 16, inspect.MaxInlineRefs},
		{"one large image once", 1, 6 << 20, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := inspecttest.InlineBomb(c.refs, c.imageBytes)
			id := h.deliver(inst, "mallory@example.net", raw)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			status, hdr, doc := h.fetchAll("/api/v1/messages/" + id + "/html")
			runtime.ReadMemStats(&after)
			if status != 200 || hdr.Get("Content-Security-Policy") != inspect.HTMLPolicy {
				t.Fatalf("GET /html = %d %v", status, hdr)
			}
			htmlBody := len("<p>hi</p>") + c.refs*len("<img src=cid:a>") + c.refs/4*2
			limit := htmlBody + len(raw) + inspect.InlineSlack
			if len(doc) > limit {
				t.Errorf("document of %d bytes for a %d-byte message, want at most %d", len(doc), len(raw), limit)
			}
			inlined := strings.Count(string(doc), "data:image/png;base64,")
			left := strings.Count(string(doc), "cid:a")
			if inlined+left != c.refs || c.inlined >= 0 && inlined != c.inlined || c.inlined < 0 && (inlined < 1 || inlined == c.refs) {
				t.Errorf("%d references inlined and %d left, want %d inlined of %d", inlined, left, c.inlined, c.refs)
			}
			// What the whole process allocated while answering (the server runs
			// in it): the message read from the store, parsed, and the
			// document streamed, not built.
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("message %d bytes, document %d bytes, %d inlined, allocated %d bytes", len(raw), len(doc), inlined, alloc)
			if maxAlloc := uint64(8*len(raw) + 3*len(doc) + 16<<20); alloc > maxAlloc {
				t.Errorf("answering allocated %d bytes, want at most %d", alloc, maxAlloc)
			}
		})
	}
}

// TestInspectMIMEWalkBounded: multipart nested 4,000 deep (272 KB, 10 s on
// /parts before) and a multipart of 20,000 parts are read only as deep and
// as far as the limits, on every endpoint the UI loads, and the parts API
// says what it cut.
func TestInspectMIMEWalkBounded(t *testing.T) {
	t.Parallel()
	h, inst := inboundServer(t, nil)
	for _, c := range []struct {
		name      string
		raw       []byte
		structure int
		truncated inspect.Truncation
	}{
		{"nested 4000 deep", inspecttest.Nested(4000), 0, inspect.Truncation{Depth: true}},
		{"20000 parts", inspecttest.Wide(20000), inspect.MaxParts - 1, inspect.Truncation{Parts: true}},
		{"nested as deep as read", inspecttest.Nested(inspect.MaxDepth), 1, inspect.Truncation{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := h.deliver(inst, "mallory@example.net", c.raw)
			status, _, b := h.fetchAll("/api/v1/messages/" + id + "/parts")
			if status != 200 {
				t.Fatalf("GET /parts = %d %s", status, b)
			}
			var p struct {
				inspect.Parts
				Truncated map[string]bool `json:"truncated"`
			}
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			if c.truncated.Depth {
				want["depth"] = true
			}
			if c.truncated.Parts {
				want["parts"] = true
			}
			if len(p.Structure) != c.structure || len(p.Truncated) != len(want) || p.Truncated["depth"] != want["depth"] || p.Truncated["parts"] != want["parts"] {
				t.Fatalf("%d parts, truncated %v; want %d parts, truncated %v (warnings %v)", len(p.Structure), p.Truncated, c.structure, want, p.Warnings)
			}
			if len(want) == 0 && strings.Contains(string(b), `"truncated"`) {
				t.Errorf("truncated present when nothing was cut: %s", b)
			}
			if status, _, _ := h.fetchAll("/api/v1/messages/" + id + "/html"); status != 200 {
				t.Errorf("GET /html = %d", status)
			}
			last := fmt.Sprint(c.structure - 1)
			if c.structure == 0 {
				last = "0"
			}
			if status, _, _ := h.fetchAll("/api/v1/messages/" + id + "/parts/" + last); status != 200 && !(c.structure == 0 && status == 404) {
				t.Errorf("GET /parts/%s = %d", last, status)
			}
		})
	}
}

// TestInspect5xxLogged: with its store broken under it (a table dropped by
// another connection), the server answers 500 without detail and logs each
// one with the path and the error; a 404 is not logged.
func TestInspect5xxLogged(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	dbPath := filepath.Join(t.TempDir(), "cm.db")
	h, inst := inboundServer(t, func(c *server.Config) {
		c.DB = "sqlite:" + dbPath // the test breaks this file
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	id := h.deliver(inst, "ana@example.org", []byte("From: ana@example.org\r\nTo: support@example.com\r\nSubject: hi\r\n\r\nhello\r\n"))
	if status, _, _ := h.fetchAll("/api/v1/messages/" + id + "/raw"); status != 200 {
		t.Fatalf("GET /raw before = %d", status)
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("DROP TABLE messages"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/api/v1/messages/" + id + "/raw", 500},
		{"/api/v1/messages/" + id + "/parts", 500},
		{"/api/v1/messages/" + id, 500},
		{"/api/v1/messages/no-such-contact", 404},
	} {
		status, _, b := h.fetchAll(c.path)
		if status != c.status || strings.Contains(string(b), "messages") {
			t.Errorf("GET %s = %d %s, want %d without detail", c.path, status, b, c.status)
		}
		var logged []string
		for _, l := range strings.Split(logs.String(), "\n") {
			var line struct{ Level, Msg, Component, Path, Error string }
			if json.Unmarshal([]byte(l), &line) == nil && line.Msg == "inspection API error" && line.Path == c.path {
				logged = append(logged, line.Level+" "+line.Component+" "+line.Error)
			}
		}
		want := []string{"ERROR inspect SQL logic error: no such table: messages (1)"}
		if c.status < 500 {
			want = nil
		}
		if !slices.Equal(logged, want) {
			t.Errorf("GET %s logged %q, want %q", c.path, logged, want)
		}
	}
}

// TestInspectRelatedByCustomer: mail from ana@, dora@ and carl@ to
// support@, an outbound contact to ana@ and ana's reply to it. The customer
// of an inbound contact is its sender, of an outbound one its destination;
// a reply is listed as such on the contact it answers; "same customer"
// never means "same system address".
func TestInspectRelatedByCustomer(t *testing.T) {
	t.Parallel()
	h, inst := inboundServer(t, nil)
	ctx := context.Background()
	mail := func(from, subject, extra string) []byte {
		return []byte("From: " + from + "\r\nTo: Support <support@example.com>\r\nSubject: " + subject + "\r\n" + extra + "\r\nHello\r\n")
	}
	out := h.newContact(ctx, inst)
	send := sendInput(inst, out)
	send.DestinationEmailAddress = &types.EmailAddressInfo{EmailAddress: aws.String("ana@example.org"), DisplayName: aws.String("Ana")}
	send.AdditionalRecipients = nil
	if _, err := h.client.StartOutboundEmailContact(ctx, send); err != nil {
		t.Fatal(err)
	}
	fromAna := h.deliver(inst, "ana@example.org", mail("Ana <ana@example.org>", "A question", ""))
	h.deliver(inst, "dora@example.org", mail("dora@example.org", "Dora's question", ""))
	fromCarl := h.deliver(inst, "carl@example.org", mail("Carl <carl@example.org>", "Carl's question", ""))
	reply := h.deliver(inst, "ana@example.org", mail("Ana <ana@example.org>", "Re: Your order 42",
		"In-Reply-To: <"+out+"@example.com>\r\n"))

	related := func(id string) []string {
		t.Helper()
		var out struct {
			Related []inspect.RelatedContact `json:"related"`
		}
		h.getJSON("/api/v1/messages/"+id+"/related", &out)
		var got []string
		for _, r := range out.Related {
			got = append(got, r.Relation+":"+r.ContactID)
		}
		return got
	}
	for _, c := range []struct {
		name, id string
		want     []string
	}{
		{"ana's first mail", fromAna, []string{"sameCustomer:" + reply, "sameCustomer:" + out}},
		{"ana's reply", reply, []string{"related:" + out, "sameCustomer:" + fromAna}},
		{"the outbound contact to ana", out, []string{"reply:" + reply, "sameCustomer:" + fromAna}},
		{"carl's mail", fromCarl, nil},
	} {
		if got := related(c.id); !slices.Equal(got, c.want) {
			t.Errorf("%s: related %v\nwant %v", c.name, got, c.want)
		}
	}

	var list struct {
		Messages []inspect.Summary `json:"messages"`
	}
	h.getJSON("/api/v1/messages?instanceId="+inst, &list)
	var customers []string
	for _, m := range list.Messages {
		if m.Customer == nil {
			customers = append(customers, "none")
			continue
		}
		customers = append(customers, m.Customer.DisplayName+" <"+m.Customer.Address+">")
	}
	want := []string{"Ana <ana@example.org>", "Carl <carl@example.org>", " <dora@example.org>", "Ana <ana@example.org>", "Ana <ana@example.org>"}
	if !slices.Equal(customers, want) {
		t.Errorf("customers, newest first: %q\nwant %q", customers, want)
	}
}

// TestInspectTextPartCharset: downloading a text part says its charset:
// the declared one (with the bytes as sent), else utf-8 when the bytes are
// valid UTF-8, else none.
func TestInspectTextPartCharset(t *testing.T) {
	t.Parallel()
	h, inst := inboundServer(t, nil)
	for _, c := range []struct {
		name, partHeader string
		body             []byte
		contentType      string
	}{
		{"UTF-8 without a charset", "Content-Type: text/plain", []byte("conditions générales\r\n"), "text/plain; charset=utf-8"},
		{"declared ISO-8859-1", "Content-Type: text/plain; charset=iso-8859-1", []byte("conditions g\xe9n\xe9rales\r\n"), "text/plain; charset=iso-8859-1"},
		{"declared UTF-8 HTML", "Content-Type: text/html; charset=UTF-8", []byte("<p>générales</p>\r\n"), "text/html; charset=UTF-8"},
		{"not UTF-8, no charset", "Content-Type: text/plain", []byte("g\xe9n\xe9rales\r\n"), "text/plain"},
		{"not text", "Content-Type: application/octet-stream", []byte("générales\r\n"), "application/octet-stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: ana@example.org\r\nTo: support@example.com\r\nSubject: " + c.name + "\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n" +
				"--b\r\n" + c.partHeader + "\r\nContent-Disposition: attachment; filename=\"conditions-générales.txt\"\r\n" +
				"Content-Transfer-Encoding: 8bit\r\n\r\n" + string(c.body) + "--b--\r\n"
			id := h.deliver(inst, "ana@example.org", []byte(raw))
			status, hdr, b := h.fetchAll("/api/v1/messages/" + id + "/parts/1")
			if status != 200 || hdr.Get("Content-Type") != c.contentType {
				t.Errorf("GET /parts/1 = %d, Content-Type %q, want %q", status, hdr.Get("Content-Type"), c.contentType)
			}
			if want := strings.TrimSuffix(string(c.body), "\r\n"); string(b) != want { // the CRLF before a boundary is the boundary's
				t.Errorf("part bytes %q, want %q as sent", b, want)
			}
		})
	}
}
