package awsapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/smithy-go"
	"github.com/connectmail/connectmail/server/servertest"
	"github.com/connectmail/connectmail/smtpsink"
	"github.com/emersion/go-message/mail"
)

const region = "us-east-1"

// qharness is a real connectmail server on a loopback port, with a real SMTP
// receiver, and a SigV4 signer for qconnect requests (the Go qconnect client
// is not available, so requests are built by hand and signed by the SDK).
type qharness struct {
	t       *testing.T
	url     string
	sink    *smtpsink.Sink
	signer  *v4.Signer
	creds   aws.Credentials
	connect *connect.Client
}

func startServer(t *testing.T) *qharness {
	t.Helper()
	cfg, sink := servertest.Relaying(t)
	h := &qharness{
		t: t, url: servertest.Start(t, cfg).URL, sink: sink, signer: v4.NewSigner(),
		creds: aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
	}
	h.connect = servertest.Client(h.url)
	return h
}

// label percent-encodes a URI label as the AWS SDKs do (":" and "$" too).
func label(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// errType is the X-Amzn-ErrorType of an error response.
func (r *resp) errType() string { return r.header.Get("X-Amzn-ErrorType") }

// str reads a string at a dotted path of the JSON body.
func (r *resp) str(path string) string {
	v := r.get(path)
	s, _ := v.(string)
	return s
}

func (r *resp) get(path string) any {
	var cur any = r.body
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			var i int
			fmt.Sscan(p, &i)
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// call sends a qconnect request signed for service (normally "wisdom").
func (h *qharness) callAs(service, method, path string, query url.Values, body any) *resp {
	h.t.Helper()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			h.t.Fatal(err)
		}
	}
	u := h.url + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(payload))
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(payload)
	if err := h.signer.SignHTTP(context.Background(), h.creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		h.t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			h.t.Fatalf("%s %s: body is not JSON: %q", method, path, raw)
		}
	}
	if res.Header.Get("x-amzn-RequestId") == "" {
		h.t.Errorf("%s %s: no x-amzn-RequestId", method, path)
	}
	return r
}

func (h *qharness) call(method, path string, query url.Values, body any) *resp {
	h.t.Helper()
	return h.callAs("wisdom", method, path, query, body)
}

// ok fails the test unless r has status want.
func (h *qharness) ok(r *resp, want int) *resp {
	h.t.Helper()
	if r.status != want {
		h.t.Fatalf("status %d (%s), want %d: %s", r.status, r.errType(), want, r.raw)
	}
	return r
}

func (h *qharness) newKB(name string) (id, arn string) {
	h.t.Helper()
	r := h.ok(h.call("POST", "/knowledgeBases", nil, map[string]any{"name": name, "knowledgeBaseType": "MESSAGE_TEMPLATES"}), 200)
	return r.str("knowledgeBase.knowledgeBaseId"), r.str("knowledgeBase.knowledgeBaseArn")
}

func tplPath(kb, id string, rest ...string) string {
	p := "/knowledgeBases/" + label(kb) + "/messageTemplates"
	if id != "" {
		p += "/" + label(id)
	}
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

func emailTemplate(name string) map[string]any {
	return map[string]any{
		"name": name, "channelSubtype": "EMAIL", "language": "en_US",
		"content": map[string]any{"email": map[string]any{
			"subject": "Order {{Attributes.Custom.orderId}} for {{Attributes.Customer.FirstName}}",
			"body": map[string]any{
				"plainText": map[string]any{"content": "Hi {{Attributes.Customer.FirstName}}, order {{Attributes.Custom.orderId}} shipped. {{Attributes.Agent.FirstName}}"},
				"html":      map[string]any{"content": "<p>Hi {{Attributes.Customer.FirstName}}, order <b>{{Attributes.Custom.orderId}}</b> shipped.</p>"},
			},
			"headers": []any{map[string]any{"name": "X-Campaign", "value": "spring-{{Attributes.Custom.orderId}}"}},
		}},
		"defaultAttributes": map[string]any{"agentAttributes": map[string]any{"firstName": "Sam"}},
	}
}

func TestQConnectLifecycle(t *testing.T) {
	t.Parallel()
	h := startServer(t)
	kb, kbARN := h.newKB("Email templates")
	if !strings.HasPrefix(kbARN, "arn:aws:wisdom:us-east-1:000000000000:knowledge-base/") {
		t.Fatalf("knowledge base ARN %s", kbARN)
	}
	// GET by ARN as label.
	h.ok(h.call("GET", "/knowledgeBases/"+label(kbARN), nil, nil), 200)

	r := h.ok(h.call("POST", tplPath(kb, ""), nil, emailTemplate("shipping")), 200)
	id := r.str("messageTemplate.messageTemplateId")
	sha := r.str("messageTemplate.messageTemplateContentSha256")
	if r.str("messageTemplate.createdTime") == "" || len(sha) != 64 || r.str("messageTemplate.channelSubtype") != "EMAIL" {
		t.Fatalf("create: %s", r.raw)
	}
	if got := fmt.Sprint(r.get("messageTemplate.attributeTypes")); got != "[AGENT CUSTOM CUSTOMER_PROFILE]" {
		t.Errorf("attributeTypes = %s", got)
	}
	// Qualified ids are percent-encoded labels.
	for _, ref := range []string{id, id + ":$LATEST", r.str("messageTemplate.messageTemplateArn")} {
		g := h.ok(h.call("GET", tplPath(kb, ref), nil, nil), 200)
		if g.str("messageTemplate.name") != "shipping" {
			t.Errorf("GET %s: %s", ref, g.raw)
		}
	}
	// Version, activate, $ACTIVE_VERSION.
	v := h.ok(h.call("POST", tplPath(kb, id, "versions"), nil, map[string]any{"messageTemplateContentSha256": sha}), 200)
	if v.get("messageTemplate.versionNumber") != 1.0 || v.get("messageTemplate.isActive") != false {
		t.Fatalf("version: %s", v.raw)
	}
	a := h.ok(h.call("POST", tplPath(kb, id, "activate"), nil, map[string]any{"versionNumber": 1}), 200)
	if a.get("versionNumber") != 1.0 || !strings.HasSuffix(a.str("messageTemplateArn"), ":1") {
		t.Errorf("activate: %s", a.raw)
	}
	h.ok(h.call("POST", tplPath(kb, id), nil, map[string]any{"content": map[string]any{"email": map[string]any{
		"subject": "Changed", "body": map[string]any{"plainText": map[string]any{"content": "changed"}},
	}}}), 200)
	g := h.ok(h.call("GET", tplPath(kb, id+":$ACTIVE_VERSION"), nil, nil), 200)
	if !strings.HasPrefix(g.str("messageTemplate.content.email.subject"), "Order ") || g.get("messageTemplate.isActive") != true {
		t.Errorf("$ACTIVE_VERSION: %s", g.raw)
	}
	// Render the active version.
	rr := h.ok(h.call("POST", tplPath(kb, id+":$ACTIVE_VERSION", "render"), nil, map[string]any{"attributes": map[string]any{
		"customAttributes":          map[string]any{"orderId": "A<1>"},
		"customerProfileAttributes": map[string]any{"firstName": "Ana"},
	}}), 200)
	if rr.str("content.email.subject") != "Order A<1> for Ana" || rr.str("content.email.body.html.content") != "<p>Hi Ana, order <b>A&lt;1&gt;</b> shipped.</p>" ||
		rr.str("content.email.body.plainText.content") != "Hi Ana, order A<1> shipped. Sam" || rr.str("content.email.headers.0.value") != "spring-A<1>" {
		t.Errorf("render: %s", rr.raw)
	}
	rr = h.ok(h.call("POST", tplPath(kb, id+":1", "render"), nil, map[string]any{"attributes": map[string]any{}}), 200)
	if got := fmt.Sprint(rr.get("attributesNotInterpolated")); got != "[Attributes.Custom.orderId Attributes.Customer.FirstName]" {
		t.Errorf("attributesNotInterpolated = %s", got)
	}
	// Lists and search.
	l := h.ok(h.call("GET", tplPath(kb, ""), url.Values{"maxResults": {"10"}}, nil), 200)
	if l.str("messageTemplateSummaries.0.messageTemplateId") != id || l.get("messageTemplateSummaries.0.activeVersionNumber") != 1.0 {
		t.Errorf("list: %s", l.raw)
	}
	vl := h.ok(h.call("GET", tplPath(kb, id, "versions"), nil, nil), 200)
	if vl.get("messageTemplateVersionSummaries.0.isActive") != true {
		t.Errorf("versions: %s", vl.raw)
	}
	s := h.ok(h.call("POST", "/knowledgeBases/"+kb+"/search/messageTemplates", nil, map[string]any{"searchExpression": map[string]any{
		"queries": []any{map[string]any{"name": "name", "values": []any{"ship"}, "operator": "CONTAINS"}},
	}}), 200)
	if s.str("results.0.messageTemplateId") != id {
		t.Errorf("search: %s", s.raw)
	}
	// Metadata.
	m := h.ok(h.call("POST", tplPath(kb, id, "metadata"), nil, map[string]any{"description": "Shipping notice"}), 200)
	if m.str("messageTemplate.description") != "Shipping notice" {
		t.Errorf("metadata: %s", m.raw)
	}
	// Attachments, downloadable from their URL.
	att := h.ok(h.call("POST", tplPath(kb, id, "attachments"), nil, map[string]any{
		"contentDisposition": "ATTACHMENT", "name": "terms.pdf", "body": base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 terms")),
	}), 200)
	attID, attURL := att.str("attachment.attachmentId"), att.str("attachment.url")
	if !strings.HasPrefix(attURL, h.url+"/") {
		t.Errorf("attachment url %s is not on the server %s", attURL, h.url)
	}
	dl, err := http.Get(attURL)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != 200 || string(data) != "%PDF-1.4 terms" || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %d %q %s", dl.StatusCode, data, dl.Header.Get("Content-Type"))
	}
	// The URL expires when its response says, and its expiry cannot be moved.
	if exp, err := time.Parse(time.RFC3339, att.str("attachment.urlExpiry")); err != nil || !strings.Contains(attURL, "expires="+strconv.FormatInt(exp.Unix(), 10)+"&") {
		t.Errorf("url %s does not expire at its urlExpiry %s", attURL, att.str("attachment.urlExpiry"))
	}
	for _, bad := range []string{strings.Split(attURL, "?")[0], strings.Replace(attURL, "expires=", "expires=9", 1)} {
		dl, err := http.Get(bad)
		if err != nil {
			t.Fatal(err)
		}
		dl.Body.Close()
		if dl.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", bad, dl.StatusCode)
		}
	}
	// A UTF-8 text attachment downloads with its charset (issue 13: mojibake otherwise).
	txt := h.ok(h.call("POST", tplPath(kb, id, "attachments"), nil, map[string]any{
		"contentDisposition": "ATTACHMENT", "name": "conditions-générales.txt", "body": base64.StdEncoding.EncodeToString([]byte("Conditions générales\n")),
	}), 200)
	tdl, err := http.Get(txt.str("attachment.url"))
	if err != nil {
		t.Fatal(err)
	}
	tdata, _ := io.ReadAll(tdl.Body)
	tdl.Body.Close()
	if tdl.StatusCode != 200 || string(tdata) != "Conditions générales\n" || tdl.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("text download: %d %q %s", tdl.StatusCode, tdata, tdl.Header.Get("Content-Type"))
	}
	h.ok(h.call("DELETE", tplPath(kb, id, "attachments", txt.str("attachment.attachmentId")), nil, nil), 204)
	del := h.ok(h.call("DELETE", tplPath(kb, id, "attachments", attID), nil, nil), 204)
	if len(del.raw) != 0 {
		t.Errorf("204 with a body: %q", del.raw)
	}

	// Tags: /tags/{arn} is routed to qconnect by the signing name.
	tplARN := r.str("messageTemplate.messageTemplateArn")
	for _, arn := range []string{kbARN, tplARN} {
		h.ok(h.call("POST", "/tags/"+label(arn), nil, map[string]any{"tags": map[string]any{"team": "care", "env": "dev"}}), 200)
		h.ok(h.call("DELETE", "/tags/"+label(arn), url.Values{"tagKeys": {"env"}}, nil), 200)
		tg := h.ok(h.call("GET", "/tags/"+label(arn), nil, nil), 200)
		if fmt.Sprint(tg.get("tags")) != "map[team:care]" {
			t.Errorf("tags of %s: %s", arn, tg.raw)
		}
	}
	// Signed for connect, the same route is Connect's, with Connect's error casing.
	cr := h.callAs("connect", "GET", "/tags/"+label(kbARN), nil, nil)
	if cr.status < 400 || cr.body["Message"] == nil {
		t.Errorf("connect-signed /tags with a wisdom ARN: %d %s", cr.status, cr.raw)
	}

	// Deletes answer 204: one version, the template, the knowledge base.
	h.ok(h.call("POST", tplPath(kb, id, "deactivate"), nil, map[string]any{"versionNumber": 1}), 200)
	h.ok(h.call("DELETE", tplPath(kb, id+":1"), nil, nil), 204)
	h.ok(h.call("GET", tplPath(kb, id+":1"), nil, nil), 404)
	h.ok(h.call("DELETE", tplPath(kb, id), nil, nil), 204)
	h.ok(h.call("GET", tplPath(kb, id), nil, nil), 404)
	h.ok(h.call("DELETE", "/knowledgeBases/"+kb, nil, nil), 204)
	h.ok(h.call("GET", "/knowledgeBases/"+kb, nil, nil), 404)
}

func TestQConnectErrors(t *testing.T) {
	t.Parallel()
	h := startServer(t)
	kb, _ := h.newKB("kb")
	id := h.ok(h.call("POST", tplPath(kb, ""), nil, emailTemplate("t1")), 200).str("messageTemplate.messageTemplateId")
	const missing = "00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name, method, path string
		query              url.Values
		body               any
		status             int
		shape, resource    string
	}{
		{"custom knowledge base", "POST", "/knowledgeBases", nil, map[string]any{"name": "x", "knowledgeBaseType": "CUSTOM"}, 400, "ValidationException", ""},
		{"missing type", "POST", "/knowledgeBases", nil, map[string]any{"name": "x"}, 400, "ValidationException", ""},
		{"duplicate knowledge base", "POST", "/knowledgeBases", nil, map[string]any{"name": "kb", "knowledgeBaseType": "MESSAGE_TEMPLATES"}, 409, "ConflictException", ""},
		{"upper-case id", "GET", "/knowledgeBases/" + strings.ToUpper(kb), nil, nil, 400, "ValidationException", ""},
		{"unknown knowledge base", "GET", "/knowledgeBases/" + missing, nil, nil, 404, "ResourceNotFoundException", "KnowledgeBase"},
		{"unknown template", "GET", tplPath(kb, missing), nil, nil, 404, "ResourceNotFoundException", "MessageTemplate"},
		{"unknown version", "GET", tplPath(kb, id+":5"), nil, nil, 404, "ResourceNotFoundException", "MessageTemplateVersion"},
		{"no active version", "GET", tplPath(kb, id+":$ACTIVE_VERSION"), nil, nil, 404, "ResourceNotFoundException", "MessageTemplateVersion"},
		{"bad qualifier", "GET", tplPath(kb, id+":LATEST"), nil, nil, 400, "ValidationException", ""},
		{"lower-case qualifier", "GET", tplPath(kb, id+":$latest"), nil, nil, 400, "ValidationException", ""},
		{"duplicate template name", "POST", tplPath(kb, ""), nil, emailTemplate("t1"), 409, "ConflictException", ""},
		{"missing channel subtype", "POST", tplPath(kb, ""), nil, map[string]any{"name": "x"}, 400, "ValidationException", ""},
		{"push template", "POST", tplPath(kb, ""), nil, map[string]any{"name": "x", "channelSubtype": "PUSH"}, 400, "ValidationException", ""},
		{"two content members", "POST", tplPath(kb, ""), nil, map[string]any{"name": "x", "channelSubtype": "EMAIL", "content": map[string]any{"email": map[string]any{}, "sms": map[string]any{}}}, 400, "ValidationException", ""},
		{"reserved header", "POST", tplPath(kb, ""), nil, map[string]any{"name": "x", "channelSubtype": "EMAIL", "content": map[string]any{"email": map[string]any{"subject": "s", "headers": []any{map[string]any{"name": "From", "value": "a@b.c"}}}}}, 400, "ValidationException", ""},
		{"unknown customer attribute", "POST", tplPath(kb, ""), nil, map[string]any{"name": "x", "channelSubtype": "EMAIL", "defaultAttributes": map[string]any{"customerProfileAttributes": map[string]any{"nickname": "x"}}}, 400, "ValidationException", ""},
		{"qualifier on update", "POST", tplPath(kb, id+":$LATEST"), nil, map[string]any{"language": "en_US"}, 400, "ValidationException", ""},
		{"qualifier on metadata", "POST", tplPath(kb, id+":1", "metadata"), nil, map[string]any{"name": "y"}, 400, "ValidationException", ""},
		{"qualifier on version", "POST", tplPath(kb, id+":$LATEST", "versions"), nil, map[string]any{}, 400, "ValidationException", ""},
		{"qualifier on activate", "POST", tplPath(kb, id+":1", "activate"), nil, map[string]any{"versionNumber": 1}, 400, "ValidationException", ""},
		{"qualifier on deactivate", "POST", tplPath(kb, id+":1", "deactivate"), nil, map[string]any{"versionNumber": 1}, 400, "ValidationException", ""},
		{"qualifier on list versions", "GET", tplPath(kb, id+":1", "versions"), nil, nil, 400, "ValidationException", ""},
		{"qualifier on attachment", "POST", tplPath(kb, id+":$LATEST", "attachments"), nil, map[string]any{"contentDisposition": "ATTACHMENT", "name": "a.txt", "body": "YQ=="}, 400, "ValidationException", ""},
		{"delete $LATEST only", "DELETE", tplPath(kb, id+":$LATEST"), nil, nil, 400, "ValidationException", ""},
		{"version number zero", "POST", tplPath(kb, id, "activate"), nil, map[string]any{"versionNumber": 0}, 400, "ValidationException", ""},
		{"activate unknown version", "POST", tplPath(kb, id, "activate"), nil, map[string]any{"versionNumber": 3}, 404, "ResourceNotFoundException", "MessageTemplateVersion"},
		{"stale checksum", "POST", tplPath(kb, id, "versions"), nil, map[string]any{"messageTemplateContentSha256": strings.Repeat("0", 64)}, 409, "ConflictException", ""},
		{"render without attributes", "POST", tplPath(kb, id, "render"), nil, map[string]any{}, 400, "ValidationException", ""},
		{"attachment not base64", "POST", tplPath(kb, id, "attachments"), nil, map[string]any{"contentDisposition": "ATTACHMENT", "name": "a.txt", "body": "%%%"}, 400, "ValidationException", ""},
		{"attachment bad name", "POST", tplPath(kb, id, "attachments"), nil, map[string]any{"contentDisposition": "ATTACHMENT", "name": "noextension", "body": "YQ=="}, 400, "ValidationException", ""},
		{"attachment too large", "POST", tplPath(kb, id, "attachments"), nil, map[string]any{"contentDisposition": "ATTACHMENT", "name": "big.bin", "body": base64.StdEncoding.EncodeToString(make([]byte, 1<<20+1))}, 402, "ServiceQuotaExceededException", ""},
		{"unknown attachment", "DELETE", tplPath(kb, id, "attachments", missing), nil, nil, 404, "ResourceNotFoundException", "MessageTemplateAttachment"},
		{"bad next token", "GET", tplPath(kb, ""), url.Values{"nextToken": {"nope"}}, nil, 400, "ValidationException", ""},
		{"max results too big", "GET", "/knowledgeBases", url.Values{"maxResults": {"101"}}, nil, 400, "ValidationException", ""},
		{"unknown search field", "POST", "/knowledgeBases/" + kb + "/search/messageTemplates", nil, map[string]any{"searchExpression": map[string]any{"filters": []any{map[string]any{"name": "body", "operator": "EQUALS"}}}}, 400, "ValidationException", ""},
		{"tags of unknown resource", "GET", "/tags/" + label("arn:aws:wisdom:us-east-1:000000000000:knowledge-base/"+missing), nil, nil, 404, "ResourceNotFoundException", "Resource"},
		{"aws: tag key", "POST", "/tags/" + label("arn:aws:wisdom:us-east-1:000000000000:knowledge-base/"+kb), nil, map[string]any{"tags": map[string]any{"aws:x": "y"}}, 400, "ValidationException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.call(tc.method, tc.path, tc.query, tc.body)
			if r.status != tc.status || r.errType() != tc.shape {
				t.Fatalf("got %d %s, want %d %s: %s", r.status, r.errType(), tc.status, tc.shape, r.raw)
			}
			if msg, _ := r.body["message"].(string); msg == "" || r.body["Message"] != nil {
				t.Errorf("error body %s: want a lower-case message", r.raw)
			}
			if got, _ := r.body["resourceName"].(string); got != tc.resource {
				t.Errorf("resourceName = %q, want %q", got, tc.resource)
			}
		})
	}
}

func TestQConnectQuotas(t *testing.T) {
	t.Parallel()
	h := startServer(t)
	kb, _ := h.newKB("kb")
	var id string
	for i := 0; i < 200; i++ {
		r := h.ok(h.call("POST", tplPath(kb, ""), nil, map[string]any{"name": fmt.Sprint("t", i), "channelSubtype": "SMS"}), 200)
		if i == 0 {
			id = r.str("messageTemplate.messageTemplateId")
		}
	}
	r := h.call("POST", tplPath(kb, ""), nil, map[string]any{"name": "one too many", "channelSubtype": "SMS"})
	if r.status != 402 || r.errType() != "ServiceQuotaExceededException" {
		t.Fatalf("201st template: %d %s", r.status, r.raw)
	}
	for i := 1; i <= 20; i++ {
		h.ok(h.call("POST", tplPath(kb, id), nil, map[string]any{"content": map[string]any{"sms": map[string]any{"body": map[string]any{"plainText": map[string]any{"content": fmt.Sprint("v", i)}}}}}), 200)
		v := h.ok(h.call("POST", tplPath(kb, id, "versions"), nil, map[string]any{}), 200)
		if v.get("messageTemplate.versionNumber") != float64(i) {
			t.Fatalf("version %d: %s", i, v.raw)
		}
		// Unchanged content: the same version, not a new one.
		if again := h.ok(h.call("POST", tplPath(kb, id, "versions"), nil, map[string]any{}), 200); again.get("messageTemplate.versionNumber") != float64(i) {
			t.Fatalf("repeat after version %d: %s", i, again.raw)
		}
	}
	h.ok(h.call("POST", tplPath(kb, id), nil, map[string]any{"language": "de_DE"}), 200)
	r = h.call("POST", tplPath(kb, id, "versions"), nil, map[string]any{})
	if r.status != 402 || r.errType() != "ServiceQuotaExceededException" {
		t.Fatalf("21st version: %d %s", r.status, r.raw)
	}
	// TagResource beyond 50 tags is TagResource's own TooManyTagsException, with resourceName.
	_, kbARN := h.newKB("tagged")
	tags := map[string]any{}
	for i := 0; i < 50; i++ {
		tags[fmt.Sprint("k", i)] = "v"
	}
	h.ok(h.call("POST", "/tags/"+label(kbARN), nil, map[string]any{"tags": tags}), 200)
	r = h.call("POST", "/tags/"+label(kbARN), nil, map[string]any{"tags": map[string]any{"one-more": "v"}})
	if r.status != 400 || r.errType() != "TooManyTagsException" || r.str("resourceName") != kbARN {
		t.Fatalf("51st tag: %d %s", r.status, r.raw)
	}
}

// connectSetup creates an instance, its email address and a contact.
func (h *qharness) connectSetup(ctx context.Context) (instanceID string) {
	h.t.Helper()
	inst, err := h.connect.CreateInstance(ctx, &connect.CreateInstanceInput{
		IdentityManagementType: types.DirectoryTypeConnectManaged,
		InboundCallsEnabled:    aws.Bool(true), OutboundCallsEnabled: aws.Bool(true),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.connect.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
		InstanceId: inst.Id, EmailAddress: aws.String("support@example.com"), DisplayName: aws.String("Support"),
	}); err != nil {
		h.t.Fatal(err)
	}
	return *inst.Id
}

func (h *qharness) newContact(ctx context.Context, instanceID string) string {
	h.t.Helper()
	c, err := h.connect.CreateContact(ctx, &connect.CreateContactInput{
		InstanceId: aws.String(instanceID), Channel: types.ChannelEmail, InitiationMethod: types.ContactInitiationMethodOutbound,
		UserInfo: &types.UserInfo{UserId: aws.String("agent-1")},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return *c.ContactId
}

func templateSend(instanceID, contactID, kb, tmpl string, custom map[string]string, customer *string) *connect.StartOutboundEmailContactInput {
	return &connect.StartOutboundEmailContactInput{
		InstanceId: aws.String(instanceID), ContactId: aws.String(contactID),
		FromEmailAddress:        &types.EmailAddressInfo{EmailAddress: aws.String("support@example.com")},
		DestinationEmailAddress: &types.EmailAddressInfo{EmailAddress: aws.String("ana@example.org"), DisplayName: aws.String("Ana Cliente")},
		EmailMessage: &types.OutboundEmailContent{
			MessageSourceType: types.OutboundMessageSourceTypeTemplate,
			TemplatedMessageConfig: &types.TemplatedMessageConfig{
				KnowledgeBaseId: aws.String(kb), MessageTemplateId: aws.String(tmpl),
				TemplateAttributes: &types.TemplateAttributes{CustomAttributes: custom, CustomerProfileAttributes: customer},
			},
		},
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// received is a message parsed at the SMTP receiver.
type received struct {
	subject, text, html string
	header              mail.Header
	attachments         map[string]string
	attachmentTypes     map[string]string
}

func parseMessage(t *testing.T, raw []byte) *received {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := &received{header: mr.Header, attachments: map[string]string{}, attachmentTypes: map[string]string{}}
	if out.subject, err = mr.Header.Subject(); err != nil {
		t.Fatal(err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch hd := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := hd.ContentType()
			if ct == "text/html" {
				out.html = string(b)
			} else {
				out.text = string(b)
			}
		case *mail.AttachmentHeader:
			name, _ := hd.Filename()
			ct, _, _ := hd.ContentType()
			out.attachments[name], out.attachmentTypes[name] = string(b), ct
		}
	}
	return out
}

func (h *qharness) waitFor(n int64) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for h.sink.Count() < n {
		select {
		case <-h.sink.Arrived():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("SMTP receiver got %d messages, want %d", h.sink.Count(), n)
		}
	}
}

func TestTemplateSendEndToEnd(t *testing.T) {
	t.Parallel()
	h := startServer(t)
	ctx := context.Background()
	inst := h.connectSetup(ctx)
	kb, kbARN := h.newKB("kb")
	tr := h.ok(h.call("POST", tplPath(kb, ""), nil, emailTemplate("shipping")), 200)
	id, arn := tr.str("messageTemplate.messageTemplateId"), tr.str("messageTemplate.messageTemplateArn")
	h.ok(h.call("POST", tplPath(kb, id, "attachments"), nil, map[string]any{
		"contentDisposition": "ATTACHMENT", "name": "terms.pdf", "body": base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 terms")),
	}), 200)

	// Failures send nothing: unknown template, unknown version, invalid customer JSON.
	bad := "{not json"
	failures := []struct {
		name, kb, tmpl string
		customer       *string
		code           string
	}{
		{"unknown template", kb, "00000000-0000-4000-8000-000000000000", nil, "ResourceNotFoundException"},
		{"unknown knowledge base", "00000000-0000-4000-8000-000000000000", id, nil, "ResourceNotFoundException"},
		{"unknown version", kb, id + ":4", nil, "ResourceNotFoundException"},
		{"no active version", kbARN, arn + ":$ACTIVE_VERSION", nil, "ResourceNotFoundException"},
		{"invalid customer JSON", kb, id, &bad, "InvalidRequestException"},
		{"unknown customer member", kb, id, aws.String(`{"nickname":"x"}`), "InvalidRequestException"},
	}
	for _, f := range failures {
		cid := h.newContact(ctx, inst)
		t.Run(f.name, func(t *testing.T) {
			_, err := h.connect.StartOutboundEmailContact(ctx, templateSend(inst, cid, f.kb, f.tmpl, nil, f.customer))
			if apiCode(err) != f.code {
				t.Fatalf("err = %v, want %s", err, f.code)
			}
		})
	}

	// A full send: ARN forms, custom and customer attributes, system attributes.
	cid := h.newContact(ctx, inst)
	customer := `{"FirstName":"Ana","lastName":"Cliente"}`
	if _, err := h.connect.StartOutboundEmailContact(ctx, templateSend(inst, cid, kbARN, arn+":$LATEST", map[string]string{"orderId": "A-7 <fragile>"}, &customer)); err != nil {
		t.Fatal(err)
	}
	// A send with unresolved placeholders: sent verbatim, recorded on the contact.
	cid2 := h.newContact(ctx, inst)
	if _, err := h.connect.StartOutboundEmailContact(ctx, templateSend(inst, cid2, kb, id, nil, nil)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(2)
	time.Sleep(100 * time.Millisecond)
	if n := h.sink.Count(); n != 2 {
		t.Fatalf("receiver got %d messages, want 2 (failed sends must send nothing)", n)
	}
	byID := map[string]*received{}
	for _, m := range h.sink.Messages() {
		p := parseMessage(t, m.Data)
		mid, _ := p.header.MessageID()
		byID[strings.SplitN(mid, "@", 2)[0]] = p
	}
	m := byID[cid]
	if m == nil {
		t.Fatalf("no message for contact %s", cid)
	}
	if m.subject != "Order A-7 <fragile> for Ana" {
		t.Errorf("subject = %q", m.subject)
	}
	if !strings.Contains(m.html, "<p>Hi Ana, order <b>A-7 &lt;fragile&gt;</b> shipped.</p>") {
		t.Errorf("html = %q", m.html)
	}
	if !strings.Contains(m.text, "Hi Ana, order A-7 <fragile> shipped. Sam") {
		t.Errorf("text = %q", m.text)
	}
	if got := m.header.Get("X-Campaign"); got != "spring-A-7 <fragile>" {
		t.Errorf("X-Campaign = %q", got)
	}
	if m.attachments["terms.pdf"] != "%PDF-1.4 terms" || m.attachmentTypes["terms.pdf"] != "application/pdf" {
		t.Errorf("attachments = %q %q", m.attachments, m.attachmentTypes)
	}
	m2 := byID[cid2]
	if m2 == nil || m2.subject != "Order {{Attributes.Custom.orderId}} for {{Attributes.Customer.FirstName}}" {
		t.Fatalf("unresolved send: %+v", m2)
	}
	// The inspection API shows the template and the unresolved placeholders.
	res, err := http.Get(h.url + "/api/v1/messages/" + cid2)
	if err != nil {
		t.Fatal(err)
	}
	var detail map[string]any
	_ = json.NewDecoder(res.Body).Decode(&detail)
	res.Body.Close()
	b, _ := json.Marshal(detail)
	for _, want := range []string{`"notInterpolated":["Attributes.Custom.orderId","Attributes.Customer.FirstName"]`, `"templateRef":"` + kb + "/" + id + `:$LATEST"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("inspection detail lacks %s: %s", want, b)
		}
	}
}

// sinkMessage is a received message as the JS suite reads it from
// CONNECTMAIL_SMTP_INSPECT.
type sinkMessage struct {
	From        string            `json:"from"`
	Recipients  []string          `json:"recipients"`
	MessageID   string            `json:"messageId"`
	Subject     string            `json:"subject"`
	Text        string            `json:"text"`
	HTML        string            `json:"html"`
	Headers     map[string]string `json:"headers"`
	Attachments []sinkAttachment  `json:"attachments"`
	Raw         string            `json:"raw"`
}

type sinkAttachment struct {
	Filename      string `json:"filename"`
	ContentType   string `json:"contentType"`
	ContentBase64 string `json:"contentBase64"`
}

// sinkInspector serves the SMTP receiver's messages, parsed, as JSON.
func sinkInspector(t *testing.T, sink *smtpsink.Sink) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := struct {
			Messages []sinkMessage `json:"messages"`
		}{Messages: []sinkMessage{}}
		for _, m := range sink.Messages() {
			p := parseMessage(t, m.Data)
			mid, _ := p.header.MessageID()
			sm := sinkMessage{From: m.From, Recipients: m.Recipients, MessageID: mid, Subject: p.subject, Text: p.text, HTML: p.html,
				Headers: map[string]string{}, Raw: string(m.Data)}
			fields := p.header.Fields()
			for fields.Next() {
				if v, err := fields.Text(); err == nil {
					sm.Headers[fields.Key()] = v
				}
			}
			for name, data := range p.attachments {
				sm.Attachments = append(sm.Attachments, sinkAttachment{Filename: name, ContentType: p.attachmentTypes[name], ContentBase64: base64.StdEncoding.EncodeToString([]byte(data))})
			}
			out.Messages = append(out.Messages, sm)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

// TestJSTemplatesSuite runs clients/js/templates.test.mjs, the end-to-end
// suite through @aws-sdk/client-qconnect and @aws-sdk/client-connect,
// against a real server and SMTP receiver.
func TestJSTemplatesSuite(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the JS SDK suite clients/js/templates.test.mjs cannot run")
	}
	dir, err := filepath.Abs(filepath.Join("..", "clients", "js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"client-qconnect", "client-connect"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", pkg)); err != nil {
			t.Skipf("clients/js/node_modules/@aws-sdk/%s is missing (run npm ci in clients/js): the JS SDK suite cannot run", pkg)
		}
	}
	h := startServer(t)
	insp := httptest.NewServer(sinkInspector(t, h.sink))
	t.Cleanup(insp.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "templates.test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONNECTMAIL_ENDPOINT="+h.url, "CONNECTMAIL_SMTP_INSPECT="+insp.URL+"/messages")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test templates.test.mjs: %v\n%s", err, out)
	}
	// The exit status says all passed; make sure tests did run.
	if m := regexp.MustCompile(`(?m)^\S+ pass (\d+)$`).FindSubmatch(out); m == nil || string(m[1]) == "0" {
		t.Fatalf("node ran no passing test:\n%s", out)
	}
	t.Logf("%s", out)
}
