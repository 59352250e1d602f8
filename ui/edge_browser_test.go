package ui_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/chromedp/chromedp"
)

// TestBrowserForeignPagePresignedPost (issue 12 item 4): a page on another
// origin holds a URL presigned with the public test/test key and has the
// browser POST it to connectmail. Without a CORS preflight the browser can
// send only a "simple" request (here text/plain, as fetch sends a string
// body); connectmail refuses that form, and the JSON form, which needs a
// preflight, the browser itself does not send. Nothing changes either way.
func TestBrowserForeignPagePresignedPost(t *testing.T) {
	h := startServer(t, nil)
	ctx := context.Background()
	inst, err := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(h.setup(ctx))})
	if err != nil {
		t.Fatal(err)
	}
	arn := *inst.Instance.Arn
	body := `{"tags":{"planted":"by-a-foreign-page"}}`
	req, _ := http.NewRequest("POST", h.url+"/tags/"+url.PathEscape(arn), strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	presigned, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "connect", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := json.Marshal(presigned)
	b, _ := json.Marshal(body)
	// The attacker's page, on another origin (another port of 127.0.0.1).
	page := fmt.Sprintf(`<!doctype html><title>elsewhere</title><script>
window.results = {};
fetch(%s, {method: "POST", mode: "no-cors", body: %s})
  .then(() => results.simple = "answered", e => results.simple = "error " + e);
fetch(%s, {method: "POST", headers: {"Content-Type": "application/json"}, body: %s})
  .then(r => results.json = "answered " + r.status, e => results.json = "blocked");
</script>`, u, b, u, b)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer evil.Close()

	br := newBrowser(t)
	br.do("open the foreign page", chromedp.Navigate(evil.URL))
	br.waitJS("both requests settle", `results.simple !== undefined && results.json !== undefined`)
	if got := eval[string](br, `results.simple`); got != "answered" {
		t.Errorf("simple request: %s (the browser should have sent it)", got)
	}
	if got := eval[string](br, `results.json`); got != "blocked" {
		t.Errorf("JSON request: %s, want blocked by the browser's preflight", got)
	}
	tags, err := h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tags.Tags["planted"]; ok {
		t.Errorf("the foreign page tagged the instance: planted=%s", v)
	}
}

// TestBrowserDNSRebinding (issue 12 item 4): a name the attacker controls is
// rebound to 127.0.0.1 (here by the browser's resolver rules), so the
// attacker's page and connectmail share an origin and the page may send
// anything, a request signed with the public test/test key included. Without
// --credentials connectmail answers only loopback Host names: the UI, the
// inspection API and the AWS API all refuse the rebound name, and nothing
// changes.
func TestBrowserDNSRebinding(t *testing.T) {
	h := startServer(t, nil)
	ctx := context.Background()
	inst, err := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(h.setup(ctx))})
	if err != nil {
		t.Fatal(err)
	}
	arn := *inst.Instance.Arn
	u, err := url.Parse(h.url)
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://rebind.attacker.example:" + u.Port()
	body := `{"tags":{"planted":"by-a-rebound-page"}}`
	req, _ := http.NewRequest("POST", origin+"/tags/"+url.PathEscape(arn), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	presigned, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "connect", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, chromedp.Flag("host-resolver-rules", "MAP rebind.attacker.example 127.0.0.1"))
	br.do("open the rebound name", chromedp.Navigate(origin+"/ui/"))
	if got := eval[string](br, `document.body.innerText`); !strings.Contains(got, "forbidden") {
		t.Errorf("the UI under a rebound name shows %q, want the refusal", got)
	}
	pu, _ := json.Marshal(presigned)
	pb, _ := json.Marshal(body)
	eval[bool](br, fmt.Sprintf(`(() => { window.results = {};
fetch("/api/v1/messages").then(r => results.inspect = r.status, e => results.inspect = "error " + e);
fetch(%s, {method: "POST", headers: {"Content-Type": "application/json"}, body: %s})
  .then(r => results.api = r.status + " " + r.headers.get("X-Amzn-ErrorType"), e => results.api = "error " + e);
return true; })()`, pu, pb))
	br.waitJS("both requests settle", `results.inspect !== undefined && results.api !== undefined`)
	if got := eval[float64](br, `results.inspect`); got != 403 {
		t.Errorf("inspection API from the rebound origin: %v, want 403", got)
	}
	if got := eval[string](br, `results.api`); got != "403 AccessDeniedException" {
		t.Errorf("signed AWS call from the rebound origin: %q, want 403 AccessDeniedException", got)
	}
	tags, err := h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tags.Tags["planted"]; ok {
		t.Errorf("the rebound page tagged the instance: planted=%s", v)
	}
}
