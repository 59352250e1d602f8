package inspect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/inspect"
	"github.com/connectmail/connectmail/inspect/inspecttest"
	"github.com/connectmail/connectmail/render"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/connectmail/connectmail/template"
)

// env is a real SQLite store behind the inspection API.
type env struct {
	t     *testing.T
	store *sqlite.Store
	srv   *httptest.Server
	inst  *connect.Instance
	n     int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "cm.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, store: st, srv: httptest.NewServer(&inspect.Handler{Store: st})}
	t.Cleanup(e.srv.Close)
	e.inst = e.instance("main", "eu-west-1")
	return e
}

func (e *env) instance(alias, region string) *connect.Instance {
	e.t.Helper()
	e.n++
	id := fmt.Sprintf("%08d-0000-4000-8000-%012d", e.n, e.n)
	in := &connect.Instance{
		ID: id, ARN: "arn:aws:connect:" + region + ":000000000000:instance/" + id, Alias: alias,
		IdentityManagementType: "CONNECT_MANAGED", Status: "ACTIVE", OutboundCallsEnabled: true, CreatedAt: time.Now().UTC(),
	}
	if err := e.store.CreateInstance(context.Background(), in, nil); err != nil {
		e.t.Fatal(err)
	}
	return in
}

// contact stores a contact and, when raw is not empty, its composed message.
func (e *env) contact(c connect.Contact, raw string) string {
	e.t.Helper()
	ctx := context.Background()
	e.n++
	if c.ID == "" {
		c.ID = fmt.Sprintf("c%07d-0000-4000-8000-%012d", e.n, e.n)
	}
	if c.InitiationMethod == "" {
		c.InitiationMethod = "OUTBOUND"
	}
	c.InstanceID, c.Channel, c.State = e.inst.ID, "EMAIL", connect.StateCreated
	c.InitiatedAt, c.UpdatedAt = time.Now().UTC(), time.Now().UTC()
	if err := e.store.CreateContact(ctx, &c, []connect.Event{{ContactID: c.ID, InstanceID: c.InstanceID, Type: connect.EventInitiated, Time: c.InitiatedAt}}, nil); err != nil {
		e.t.Fatal(err)
	}
	if raw != "" {
		c.State = connect.StateQueued
		o := &connect.Outbound{Contact: &c, Message: connect.Message{
			ContactID: c.ID, InstanceID: c.InstanceID, EnvelopeFrom: c.From.Address, Recipients: []string{c.To.Address},
			Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n")),
		}}
		if err := e.store.StartOutbound(ctx, o); err != nil {
			e.t.Fatal(err)
		}
	}
	return c.ID
}

func (e *env) get(path string) *http.Response {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func (e *env) json(path string, want int, v any) {
	e.t.Helper()
	resp := e.get(path)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("GET %s = %d %s, want %d", path, resp.StatusCode, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			e.t.Fatalf("GET %s: %v in %s", path, err, b)
		}
	}
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var pixel = []byte("\x89PNG\r\n\x1a\n-not-really-a-png-but-bytes")

// richMessage has every kind of part the parser handles.
var richMessage = `From: =?utf-8?q?Caf=C3=A9_Support?= <support@example.com>
To: Ana <ana@example.org>
Subject: =?utf-8?b?Q2Fmw6kg4piVIG9yZGVy?=
Message-ID: <rich@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello Ana, caf=C3=A9 is ready.
--alt
Content-Type: text/html; charset=utf-8

<p>Hello <b>Ana</b></p><img src="cid:logo@x"><img src="https://tracker.example/p.gif"><div style="background:url('//cdn.example/bg.png')"></div>
--alt--
--rel
Content-Type: image/png
Content-ID: <logo@x>
Content-Disposition: inline
Content-Transfer-Encoding: base64

` + base64.StdEncoding.EncodeToString(pixel) + `
--rel--
--outer
Content-Type: application/pdf; name="ignored.pdf"
Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
`

var latin1Message = "From: a@example.com\nTo: b@example.org\nSubject: =?iso-8859-1?q?Ol=E9?=\nMIME-Version: 1.0\n" +
	"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 <script>alert(1)</script>\n"

func TestParseMessage(t *testing.T) {
	cases := []struct {
		name        string
		raw         string
		subject     string
		text        string
		html        string
		attachments []string
		structure   int
		remote      int
		warnings    bool
		truncated   *inspect.Truncation
	}{
		{name: "rich", raw: richMessage, subject: "Café ☕ order", text: "Hello Ana, café is ready.", html: `<p>Hello <b>Ana</b></p>`,
			attachments: []string{"image/png:", "application/pdf:résumé.pdf"}, structure: 4, remote: 2},
		{name: "latin-1 plain", raw: latin1Message, subject: "Olé", text: "Café <script>alert(1)</script>", structure: 1},
		{name: "no MIME", raw: "Subject: hi\n\nplain body\n", subject: "hi", text: "plain body", structure: 1},
		{name: "broken multipart", raw: "Subject: x\nContent-Type: multipart/mixed; boundary=zz\n\nno parts here\n", subject: "x", warnings: true},
		{name: "nested as deep as read", raw: lf(inspecttest.Nested(inspect.MaxDepth)), subject: "hostile", text: "the innermost part", structure: 1},
		{name: "nested deeper", raw: lf(inspecttest.Nested(inspect.MaxDepth + 1)), subject: "hostile", warnings: true,
			truncated: &inspect.Truncation{Depth: true}},
		{name: "nested 4000 deep", raw: lf(inspecttest.Nested(4000)), subject: "hostile", warnings: true,
			truncated: &inspect.Truncation{Depth: true}},
		{name: "as many parts as read", raw: lf(inspecttest.Wide(inspect.MaxParts - 1)), subject: "hostile", text: "part 0",
			attachments: nTimes("text/plain:", inspect.MaxParts-2), structure: inspect.MaxParts - 1},
		{name: "more parts", raw: lf(inspecttest.Wide(20000)), subject: "hostile", text: "part 0", warnings: true,
			attachments: nTimes("text/plain:", inspect.MaxParts-2), structure: inspect.MaxParts - 1, truncated: &inspect.Truncation{Parts: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := inspect.ParseMessage([]byte(strings.ReplaceAll(c.raw, "\n", "\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			var subject string
			for _, h := range p.Headers {
				if h.Name == "Subject" {
					subject = h.Value
				}
			}
			if subject != c.subject {
				t.Errorf("Subject = %q, want %q", subject, c.subject)
			}
			if strings.TrimSpace(p.Text) != c.text {
				t.Errorf("Text = %q, want %q", p.Text, c.text)
			}
			if !strings.HasPrefix(p.HTML, c.html) {
				t.Errorf("HTML = %q, want prefix %q", p.HTML, c.html)
			}
			var atts []string
			for _, a := range p.Attachments {
				atts = append(atts, a.ContentType+":"+a.Filename)
			}
			if !slices.Equal(atts, c.attachments) {
				t.Errorf("attachments = %v, want %v", atts, c.attachments)
			}
			if len(p.Structure) != c.structure {
				t.Errorf("structure has %d parts, want %d: %+v", len(p.Structure), c.structure, p.Structure)
			}
			if p.RemoteContent != c.remote {
				t.Errorf("RemoteContent = %d, want %d", p.RemoteContent, c.remote)
			}
			if (len(p.Warnings) > 0) != c.warnings {
				t.Errorf("warnings = %v", p.Warnings)
			}
			if !reflect.DeepEqual(p.Truncated, c.truncated) {
				t.Errorf("truncated = %+v, want %+v", p.Truncated, c.truncated)
			}
		})
	}
	if _, err := inspect.ParseMessage([]byte("\x00\x01 not a header\r\n")); err == nil {
		t.Error("a message without a header parsed")
	}
}

// lf is a message with LF line ends, as the table's messages are written.
func lf(raw []byte) string { return strings.ReplaceAll(string(raw), "\r\n", "\n") }

func nTimes(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(richMessage))
	f.Add([]byte(latin1Message))
	f.Add(inspecttest.Nested(inspect.MaxDepth + 2))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := inspect.ParseMessage(raw)
		if err != nil {
			return
		}
		if len(p.Structure) > inspect.MaxParts {
			t.Fatalf("%d parts", len(p.Structure))
		}
		for i, s := range p.Structure {
			if s.Index != i {
				t.Fatalf("part %d has index %d", i, s.Index)
			}
		}
	})
}

func TestMessageParts(t *testing.T) {
	e := newEnv(t)
	id := e.contact(connect.Contact{From: connect.Endpoint{Address: "support@example.com"}, To: connect.Endpoint{Address: "ana@example.org"}, Subject: "rich"}, richMessage)
	var p inspect.Parts
	e.json("/api/v1/messages/"+id+"/parts", 200, &p)
	if len(p.Structure) != 4 || len(p.Attachments) != 2 || p.RemoteContent != 2 {
		t.Fatalf("parts = %+v", p)
	}

	t.Run("part download", func(t *testing.T) {
		resp := e.get("/api/v1/messages/" + id + "/parts/3")
		got := body(t, resp)
		if resp.StatusCode != 200 || got != "%PDF-1.4\n" {
			t.Fatalf("part 3 = %d %q", resp.StatusCode, got)
		}
		for k, want := range map[string]string{
			"Content-Type": "application/pdf", "Content-Disposition": "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf",
			"Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff",
		} {
			if v := resp.Header.Get(k); v != want {
				t.Errorf("%s = %q, want %q", k, v, want)
			}
		}
		for _, bad := range []string{"4", "-1", "x"} {
			if resp := e.get("/api/v1/messages/" + id + "/parts/" + bad); resp.StatusCode != 404 {
				t.Errorf("part %s = %d", bad, resp.StatusCode)
			}
		}
	})

	t.Run("html is inert", func(t *testing.T) {
		resp := e.get("/api/v1/messages/" + id + "/html")
		doc := body(t, resp)
		if csp := resp.Header.Get("Content-Security-Policy"); csp != inspect.HTMLPolicy {
			t.Errorf("CSP = %q", csp)
		}
		for _, want := range []string{"sandbox;", "default-src 'none'", "img-src data:;"} {
			if !strings.Contains(inspect.HTMLPolicy, want) {
				t.Errorf("HTMLPolicy lacks %q", want)
			}
		}
		if resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers = %v", resp.Header)
		}
		inline := `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(pixel) + `"`
		if !strings.Contains(doc, inline) || strings.Contains(doc, "cid:logo@x") {
			t.Errorf("cid image not inlined: %s", doc)
		}
		if !strings.Contains(doc, "https://tracker.example/p.gif") {
			t.Errorf("remote reference rewritten: %s", doc)
		}
		resp = e.get("/api/v1/messages/" + id + "/html?remote=1")
		body(t, resp)
		if csp := resp.Header.Get("Content-Security-Policy"); csp != inspect.HTMLPolicyRemote || !strings.Contains(csp, "img-src data: http: https:") {
			t.Errorf("remote CSP = %q", csp)
		}
	})

	t.Run("plain text is escaped", func(t *testing.T) {
		pid := e.contact(connect.Contact{From: connect.Endpoint{Address: "a@example.com"}, To: connect.Endpoint{Address: "b@example.org"}}, latin1Message)
		doc := body(t, e.get("/api/v1/messages/"+pid+"/html"))
		if !strings.Contains(doc, "Café &lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(doc, "<script>") {
			t.Errorf("text document = %s", doc)
		}
	})

	t.Run("no message", func(t *testing.T) {
		cid := e.contact(connect.Contact{Subject: "draft"}, "")
		for _, p := range []string{"/parts", "/html", "/parts/0"} {
			if resp := e.get("/api/v1/messages/" + cid + p); resp.StatusCode != 404 {
				t.Errorf("%s = %d, want 404", p, resp.StatusCode)
			}
		}
	})
}

func TestInstances(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	second := e.instance("second", "us-west-2")
	e.instance("third", "us-east-1")
	for i, addr := range []string{"support@example.com", "sales@example.com"} {
		ea := &connect.EmailAddress{
			ID: fmt.Sprintf("ea%d", i), ARN: "arn:ea" + fmt.Sprint(i), InstanceID: second.ID, Address: addr, DisplayName: "Désk <" + fmt.Sprint(i) + ">",
			CreatedAt: time.Now().UTC(), ModifiedAt: time.Now().UTC(),
		}
		if err := e.store.CreateEmailAddress(ctx, ea); err != nil {
			t.Fatal(err)
		}
	}
	var page struct {
		Instances []inspect.InstanceView `json:"instances"`
		Next      string                 `json:"next"`
	}
	e.json("/api/v1/instances?limit=2", 200, &page)
	if len(page.Instances) != 2 || page.Next == "" {
		t.Fatalf("first page = %+v", page)
	}
	first := page.Instances
	next := page.Next
	page.Instances, page.Next = nil, ""
	e.json("/api/v1/instances?limit=2&after="+url.QueryEscape(next), 200, &page)
	if len(page.Instances) != 1 || page.Next != "" || page.Instances[0].ID == first[0].ID || page.Instances[0].ID == first[1].ID {
		t.Fatalf("second page = %+v after %+v", page, first)
	}

	var one struct {
		inspect.InstanceView
		EmailAddresses []inspect.EmailAddressView `json:"emailAddresses"`
	}
	e.json("/api/v1/instances/"+second.ID, 200, &one)
	if one.Alias != "second" || one.ARN != second.ARN || len(one.EmailAddresses) != 2 || one.EmailAddresses[0].Address != "support@example.com" {
		t.Fatalf("instance = %+v", one)
	}
	var addrs struct {
		EmailAddresses []inspect.EmailAddressView `json:"emailAddresses"`
	}
	e.json("/api/v1/instances/"+second.ID+"/email-addresses", 200, &addrs)
	if len(addrs.EmailAddresses) != 2 || addrs.EmailAddresses[1].DisplayName != "Désk <1>" {
		t.Fatalf("addresses = %+v", addrs)
	}
	e.json("/api/v1/instances/"+e.inst.ID+"/email-addresses", 200, &addrs)
	if len(addrs.EmailAddresses) != 0 {
		t.Fatalf("addresses of an instance without any = %+v", addrs)
	}
	e.json("/api/v1/instances/nope", 404, nil)
	e.json("/api/v1/instances/nope/email-addresses", 404, nil)
	if resp, err := http.Post(e.srv.URL+"/api/v1/instances", "application/json", nil); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST /instances = %v %v", resp.StatusCode, err)
	}
}

func TestRelated(t *testing.T) {
	e := newEnv(t)
	support := connect.Endpoint{Address: "support@example.com"}
	ana := connect.Endpoint{Address: "ana@example.org", DisplayName: "Ana"}
	inbound := func(from connect.Endpoint, related string) string {
		return e.contact(connect.Contact{InitiationMethod: "INBOUND", From: from, To: support, Subject: "from " + from.Address, RelatedContactID: related}, "")
	}
	older := e.contact(connect.Contact{From: support, To: ana, Subject: "first"}, "")
	e.contact(connect.Contact{From: support, To: connect.Endpoint{Address: "other@example.org"}, Subject: "other customer"}, "")
	sibling := e.contact(connect.Contact{From: support, To: ana, Subject: "second"}, "")
	id := e.contact(connect.Contact{From: support, To: ana, Subject: "reply", RelatedContactID: older, PreviousContactID: "gone-contact"}, "")
	reply1 := inbound(ana, id)
	fromDora := inbound(connect.Endpoint{Address: "dora@example.org"}, "")
	reply2 := inbound(connect.Endpoint{Address: "ANA@example.org"}, id)
	fromAna := inbound(ana, "")
	related := func(id string) []string {
		t.Helper()
		var out struct {
			Related []inspect.RelatedContact `json:"related"`
		}
		e.json("/api/v1/messages/"+id+"/related", 200, &out)
		var got []string
		for _, r := range out.Related {
			s := r.Relation + ":" + r.ContactID
			if r.Contact == nil {
				s += ":missing"
			}
			got = append(got, s)
		}
		return got
	}
	for _, c := range []struct {
		name, id string
		want     []string
	}{
		{"outbound with replies", id, []string{"related:" + older, "previous:gone-contact:missing", "reply:" + reply1, "reply:" + reply2,
			"sameCustomer:" + fromAna, "sameCustomer:" + sibling}},
		{"inbound reply", reply1, []string{"related:" + id, "sameCustomer:" + fromAna, "sameCustomer:" + reply2, "sameCustomer:" + sibling, "sameCustomer:" + older}},
		{"inbound of another customer", fromDora, nil},
	} {
		if got := related(c.id); !slices.Equal(got, c.want) {
			t.Errorf("%s: related = %v\nwant %v", c.name, got, c.want)
		}
	}
	e.json("/api/v1/messages/nope/related", 404, nil)

	var list struct {
		Messages []inspect.Summary `json:"messages"`
	}
	e.json("/api/v1/messages?limit=3", 200, &list)
	var customers []string
	for _, m := range list.Messages {
		if m.Customer == nil {
			customers = append(customers, "none")
			continue
		}
		customers = append(customers, m.Customer.Address+"/"+m.Customer.DisplayName)
	}
	if want := []string{"ana@example.org/Ana", "ANA@example.org/", "dora@example.org/"}; !slices.Equal(customers, want) {
		t.Errorf("customers of the latest contacts = %v, want %v", customers, want)
	}
	var d inspect.Detail
	e.json("/api/v1/messages/"+id, 200, &d)
	if d.Customer == nil || d.Customer.Address != "ana@example.org" {
		t.Errorf("customer of an outbound contact = %+v", d.Customer)
	}
}

func TestTemplates(t *testing.T) {
	e := newEnv(t)
	ctx := connect.WithCaller(context.Background(), connect.Caller{Region: "eu-west-1"})
	svc := template.NewService(template.Config{AccountID: "000000000000", Stores: e.store.TemplateStores()})
	kb, err := svc.CreateKnowledgeBase(ctx, &template.CreateKnowledgeBaseInput{Name: "mail", KnowledgeBaseType: template.KnowledgeBaseTypeMessageTemplates})
	if err != nil {
		t.Fatal(err)
	}
	kbID := kb.KnowledgeBase.KnowledgeBaseID
	tm, err := svc.CreateMessageTemplate(ctx, &template.CreateMessageTemplateInput{
		KnowledgeBaseID: kbID, Name: "shipped", ChannelSubtype: template.SubtypeEmail, Language: "en_US",
		Content: &template.Content{Email: &template.EmailContent{
			Subject: "Order {{Attributes.Custom.orderId}} shipped",
			Body: &template.EmailBody{
				HTML:      &template.BodyContent{Content: "<p>Hi {{Attributes.Customer.FirstName}}, order {{Attributes.Custom.orderId}} from {{Attributes.System.Name}}</p>"},
				PlainText: &template.BodyContent{Content: "Hi {{Attributes.Customer.FirstName}}"},
			},
		}},
		DefaultAttributes: &render.Attributes{System: render.SystemAttributes{Name: "Acme"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tID := tm.MessageTemplate.MessageTemplateID
	if _, err := svc.CreateMessageTemplateVersion(ctx, &template.CreateMessageTemplateVersionInput{KnowledgeBaseID: kbID, MessageTemplateID: tID}); err != nil {
		t.Fatal(err)
	}

	var kbs struct {
		KnowledgeBases []inspect.KnowledgeBaseView `json:"knowledgeBases"`
	}
	e.json("/api/v1/knowledge-bases", 200, &kbs)
	if len(kbs.KnowledgeBases) != 1 || kbs.KnowledgeBases[0].Region != "eu-west-1" || kbs.KnowledgeBases[0].Name != "mail" {
		t.Fatalf("knowledge bases = %+v", kbs)
	}
	e.json("/api/v1/knowledge-bases?region=us-east-1", 200, &kbs)
	if len(kbs.KnowledgeBases) != 0 {
		t.Fatalf("us-east-1 knowledge bases = %+v", kbs)
	}

	var list struct {
		Templates []inspect.TemplateView `json:"templates"`
	}
	e.json("/api/v1/templates?knowledgeBaseId="+kbID, 200, &list)
	if len(list.Templates) != 1 || list.Templates[0].Name != "shipped" || list.Templates[0].LastVersion != 1 {
		t.Fatalf("templates = %+v", list)
	}
	e.json("/api/v1/templates", 400, nil)
	e.json("/api/v1/templates?knowledgeBaseId=00000000-0000-4000-8000-000000000000", 404, nil)

	var d inspect.TemplateDetail
	base := "/api/v1/templates/" + kbID + "/" + tID
	e.json(base, 200, &d)
	wantPH := []string{"Attributes.Custom.orderId", "Attributes.Customer.FirstName", "Attributes.System.Name"}
	if d.Region != "eu-west-1" || len(d.Versions) != 1 || d.Versions[0].Number != 1 || !slices.Equal(d.Latest.Placeholders, wantPH) {
		t.Fatalf("detail = %+v", d)
	}
	var latest struct{ Email any }
	if json.Unmarshal(d.Latest.Content, &latest) != nil || latest.Email == nil || d.Versions[0].Content != nil {
		t.Errorf("latest content / summary content = %s / %s", d.Latest.Content, d.Versions[0].Content)
	}
	sa := d.Latest.SampleAttributes
	if sa.Custom["orderId"] != "<orderId>" || sa.Customer.Fields["firstName"] != "<FirstName>" || sa.System.Name != "Acme" {
		t.Errorf("sample attributes = %+v", sa)
	}
	var v inspect.VersionView
	e.json(base+"/versions/1", 200, &v)
	if v.Number != 1 || v.Content == nil || v.SHA256 == "" {
		t.Errorf("version 1 = %+v", v)
	}
	e.json(base+"/versions/7", 404, nil)
	e.json(base+"/versions/x", 400, nil)

	attrs := url.QueryEscape(`{"customAttributes":{"orderId":"42"},"customerProfileAttributes":{"firstName":"<Ana>"}}`)
	var r inspect.RenderView
	e.json(base+"/render?version=1&attributes="+attrs, 200, &r)
	if r.Subject != "Order 42 shipped" || r.Text != "Hi <Ana>" || r.HTML != "<p>Hi &lt;Ana&gt;, order 42 from Acme</p>" || len(r.AttributesNotInterpolated) != 0 {
		t.Errorf("render = %+v", r)
	}
	e.json(base+"/render", 200, &r)
	if !slices.Equal(r.AttributesNotInterpolated, []string{"Attributes.Custom.orderId", "Attributes.Customer.FirstName"}) {
		t.Errorf("render without attributes: notInterpolated = %v", r.AttributesNotInterpolated)
	}
	e.json(base+"/render?attributes="+url.QueryEscape(`{"bogus":1}`), 400, nil)
	e.json(base+"/render?attributes="+url.QueryEscape(`{"customerProfileAttributes":{"nickname":"x"}}`), 400, nil)
	e.json(base+"/render?version=9", 404, nil)

	resp := e.get(base + "/render/html?attributes=" + attrs)
	doc := body(t, resp)
	if resp.Header.Get("Content-Security-Policy") != inspect.HTMLPolicy || doc != "<p>Hi &lt;Ana&gt;, order 42 from Acme</p>" {
		t.Errorf("render/html = %q %q", resp.Header.Get("Content-Security-Policy"), doc)
	}
	if !bytes.Contains([]byte(inspect.HTMLPolicy), []byte("sandbox")) {
		t.Error("HTMLPolicy does not sandbox")
	}
}

// brokenStore fails GetMessage and panics in ListContacts.
type brokenStore struct{ *sqlite.Store }

func (brokenStore) GetMessage(context.Context, string) (*connect.Message, error) {
	return nil, errors.New("disk I/O error")
}

func (brokenStore) ListContacts(context.Context, connect.ContactFilter) (*connect.ContactPage, error) {
	panic("contacts table gone")
}

// TestServerErrorsAreLogged: every 5xx answer is logged with the path and
// the error (a panic with its stack); 4xx answers are not.
func TestServerErrorsAreLogged(t *testing.T) {
	e := newEnv(t)
	id := e.contact(connect.Contact{To: connect.Endpoint{Address: "ana@example.org"}}, "")
	var logs bytes.Buffer
	srv := httptest.NewServer(&inspect.Handler{Store: brokenStore{e.store}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	defer srv.Close()
	for _, c := range []struct {
		path   string
		status int
		err    string
	}{
		{"/api/v1/messages/" + id + "/raw", 500, "disk I/O error"},
		{"/api/v1/messages/" + id + "/parts", 500, "disk I/O error"},
		{"/api/v1/messages", 500, "panic: contacts table gone"},
		{"/api/v1/messages/nope/related", 404, ""},
	} {
		logs.Reset()
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b := body(t, resp)
		if resp.StatusCode != c.status || strings.Contains(b, "disk") || strings.Contains(b, "panic") {
			t.Errorf("GET %s = %d %s, want %d without detail", c.path, resp.StatusCode, b, c.status)
		}
		if c.err == "" {
			if logs.Len() > 0 {
				t.Errorf("GET %s logged %s", c.path, logs.String())
			}
			continue
		}
		var line struct {
			Level, Msg, Path, Error string
			Status                  int
		}
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("GET %s: log %q: %v", c.path, logs.String(), err)
		}
		if line.Level != "ERROR" || line.Path != c.path || line.Status != c.status || !strings.HasPrefix(line.Error, c.err) {
			t.Errorf("GET %s logged %+v", c.path, line)
		}
	}
}
