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
