package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/smithy-go"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	templateID = "/knowledgeBases/8b1a0f37-5a5c-4d2e-9a4c-3f1e2d4c5b6a/messageTemplates/" +
		"1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b%3A%24LATEST"
	instanceArnPath = "/tags/arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F" +
		"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)

// signTime is the fixed signing time of the Go SDK vectors.
var signTime = time.Date(2026, 11, 26, 10, 10, 10, 0, time.UTC)

// payloadMode says which payload hash the Go SDK signs and whether it is
// sent as X-Amz-Content-Sha256.
type payloadMode int

const (
	bodyHash         payloadMode = iota // sha256(body), no header
	bodyHashHeader                      // sha256(body), sent as X-Amz-Content-Sha256
	unsignedHeader                      // UNSIGNED-PAYLOAD, sent as X-Amz-Content-Sha256
	unsignedNoHeader                    // UNSIGNED-PAYLOAD, not sent (presigned only)
)

// sdkCase is one request signed live by the Go SDK's v4 signer.
type sdkCase struct {
	name    string
	method  string
	target  string // path and query as sent on the wire
	header  [][2]string
	body    string
	service string
	payload payloadMode
	presign bool
	expires string // X-Amz-Expires for presigned requests, "" for none
	token   string // session token
}

func (m payloadMode) String() string {
	return [...]string{"hash", "hash header", "unsigned header", "unsigned"}[m]
}

func (c sdkCase) payloadHash() string {
	if c.payload == unsignedHeader || c.payload == unsignedNoHeader {
		return "UNSIGNED-PAYLOAD"
	}
	sum := sha256.Sum256([]byte(c.body))
	return hex.EncodeToString(sum[:])
}

// request signs c with the Go SDK for the server at base and returns the
// request ready to send.
func (c sdkCase) request(t testing.TB, base string) *http.Request {
	t.Helper()
	var body *bytes.Reader
	if c.body != "" {
		body = bytes.NewReader([]byte(c.body))
	}
	target := c.target
	if c.presign && c.expires != "" {
		if strings.Contains(target, "?") {
			target += "&X-Amz-Expires=" + c.expires
		} else {
			target += "?X-Amz-Expires=" + c.expires
		}
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(c.method, base+target, body)
	} else {
		req, err = http.NewRequest(c.method, base+target, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range c.header {
		req.Header.Add(h[0], h[1])
	}
	if c.payload == bodyHashHeader || c.payload == unsignedHeader {
		req.Header.Set("X-Amz-Content-Sha256", c.payloadHash())
	}
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret, SessionToken: c.token}
	signer := v4.NewSigner()
	ctx := context.Background()
	if !c.presign {
		if err := signer.SignHTTP(ctx, creds, req, c.payloadHash(), c.service, "us-east-1", signTime); err != nil {
			t.Fatal(err)
		}
		return req
	}
	uri, signed, err := signer.PresignHTTP(ctx, creds, req, c.payloadHash(), c.service, "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	var pbody *bytes.Reader
	if c.body != "" {
		pbody = bytes.NewReader([]byte(c.body))
	}
	var preq *http.Request
	if pbody != nil {
		preq, err = http.NewRequest(c.method, uri, pbody)
	} else {
		preq, err = http.NewRequest(c.method, uri, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range signed {
		if strings.EqualFold(k, "host") || strings.EqualFold(k, "content-length") {
			continue
		}
		for _, v := range vs {
			preq.Header.Add(k, v)
		}
	}
	return preq
}

func sdkCases() []sdkCase {
	const json = "application/x-amz-json-1.1"
	body := `{"Tags":{"team":"mail","env":"dev"}}`
	var cases []sdkCase
	base := []sdkCase{
		{name: "GET describe contact", method: "GET", target: "/contacts/inst-1/contact-1"},
		{name: "GET root", method: "GET", target: "/"},
		{name: "POST tag ARN path", method: "POST", target: instanceArnPath, body: body,
			header: [][2]string{{"Content-Type", json}}},
		{name: "DELETE untag repeated keys", method: "DELETE", target: instanceArnPath + "?tagKeys=team&tagKeys=env"},
		{name: "DELETE untag repeated keys reversed", method: "DELETE", target: instanceArnPath + "?tagKeys=env&tagKeys=team"},
		{name: "GET template latest", method: "GET", target: templateID, service: "wisdom"},
		{name: "PUT template", method: "PUT", target: templateID, service: "wisdom", body: `{"content":{"email":{"subject":"Hi {{Attributes.Customer.FirstName}}"}}}`,
			header: [][2]string{{"Content-Type", "application/json"}}},
		{name: "POST raw colon and dollar", method: "POST", target: "/messageTemplates/tpl:$LATEST/render", service: "wisdom", body: "{}"},
		{name: "POST empty body", method: "POST", target: "/contact/outbound-email", header: [][2]string{{"Content-Type", "application/json"}}},
		{name: "GET encoded query", method: "GET", target: "/users-summary/inst-1?maxResults=10&nextToken=abc%2Fdef%3D%3D&name=a%20b&plus=a%2Bb&tilde=~x&utf=caf%C3%A9"},
		{name: "GET query without value and unsorted keys", method: "GET", target: "/x?zeta=1&alpha&mid=%7E"},
		{name: "GET repeated key sorted by encoded value", method: "GET", target: "/x?k=a-b&k=a%2Fb&k=a0&k=a%3A"},
		{name: "GET escaped unicode path", method: "GET", target: "/x/caf%C3%A9/%7Euser"},
		{name: "header spaces and repeats", method: "POST", target: "/email-addresses/search", body: `{"MaxResults":5}`,
			header: [][2]string{{"X-Custom", "  a   b  c "}, {"X-Multi", "one"}, {"X-Multi", "two  three"}, {"Content-Type", json}}},
		{name: "header with tab", method: "GET", target: "/x", header: [][2]string{{"X-Tab", "a\tb"}}},
		{name: "session token", method: "GET", target: "/contacts/inst-1/contact-1", token: "FwoGZXIvYXdzEN//////////+token=="},
	}
	for _, svc := range []string{"connect", "wisdom"} {
		for _, b := range base {
			if b.service != "" && b.service != svc {
				continue
			}
			for _, mode := range []payloadMode{bodyHash, bodyHashHeader, unsignedHeader} {
				c := b
				c.service = svc
				c.payload = mode
				c.name = svc + "/" + b.name + "/" + mode.String()
				cases = append(cases, c)
			}
			for _, mode := range []payloadMode{bodyHash, unsignedNoHeader, bodyHashHeader} {
				c := b
				c.service = svc
				c.payload = mode
				c.presign = true
				c.expires = "300"
				c.name = svc + "/presign/" + b.name + "/" + mode.String()
				cases = append(cases, c)
			}
		}
	}
	return cases
}

// TestGoSDKSigner verifies requests signed live by aws-sdk-go-v2's v4 signer
// (header form and PresignHTTP) as a real net/http server receives them.
func TestGoSDKSigner(t *testing.T) {
	srv := newCapServer(t, nil)
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			got := srv.do(t, c.request(t, srv.srv.URL))
			unsigned := c.payload == unsignedHeader || c.payload == unsignedNoHeader
			v := &Verifier{Secrets: staticSecrets(map[string]string{testAKID: testSecret}), Now: fixedClock(signTime.Add(2 * time.Minute)), AllowUnsignedPayload: unsigned}
			if unsigned {
				// Outside S3 an unsigned payload is refused.
				strict := &Verifier{Secrets: v.Secrets, Now: v.Now}
				_, err := strict.Verify(got.r, got.body)
				wantCode(t, err, CodeInvalidSignature)
			}
			id, err := v.Verify(got.r, got.body)
			wantCode(t, err, "")
			want := Identity{AccessKeyID: testAKID, Region: "us-east-1", Service: c.service, SignedAt: signTime}
			if id != want {
				t.Fatalf("identity = %+v, want %+v", id, want)
			}
			akid, region, service, ok := Scope(got.r)
			if !ok || akid != testAKID || region != "us-east-1" || service != c.service {
				t.Fatalf("Scope = %q %q %q %v", akid, region, service, ok)
			}
		})
	}
}

// TestGoSDKSignerNegative tampers with Go SDK signed requests on the wire or
// verifies them against the wrong key, time or secret.
func TestGoSDKSignerNegative(t *testing.T) {
	srv := newCapServer(t, nil)
	good := map[string]string{testAKID: testSecret}
	post := sdkCase{method: "POST", target: instanceArnPath + "?a=1", service: "connect", body: `{"Tags":{"k":"v"}}`,
		header: [][2]string{{"Content-Type", "application/json"}, {"X-Amz-User-Agent", "aws-sdk-go-v2/1.0"}}}
	hashHeader := post
	hashHeader.payload = bodyHashHeader
	presign := post
	presign.presign, presign.expires = true, "60"

	cases := []struct {
		name    string
		c       sdkCase
		mutate  func(r *http.Request) // before sending
		secrets map[string]string
		now     time.Time
		code    string
	}{
		{name: "control", c: post, code: ""},
		{name: "tampered body", c: post, mutate: setBody(`{"Tags":{"k":"w"}}`), code: CodeInvalidSignature},
		{name: "tampered body with hash header", c: hashHeader, mutate: setBody(`{"Tags":{"k":"w"}}`), code: CodeInvalidSignature},
		{name: "tampered hash header", c: hashHeader, mutate: func(r *http.Request) {
			sum := sha256.Sum256([]byte("other"))
			r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		}, code: CodeInvalidSignature},
		{name: "tampered signed header", c: post, mutate: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, code: CodeInvalidSignature},
		{name: "tampered path", c: post, mutate: func(r *http.Request) {
			r.URL.RawPath = strings.Replace(r.URL.RawPath, "123456789012", "123456789013", 1)
			r.URL.Path = strings.Replace(r.URL.Path, "123456789012", "123456789013", 1)
		}, code: CodeInvalidSignature},
		{name: "path escaping changed", c: post, mutate: func(r *http.Request) {
			r.URL.RawPath = strings.Replace(r.URL.RawPath, "%3A", ":", -1)
		}, code: CodeInvalidSignature},
		{name: "tampered query", c: post, mutate: func(r *http.Request) { r.URL.RawQuery = "a=2" }, code: CodeInvalidSignature},
		{name: "added query", c: post, mutate: func(r *http.Request) { r.URL.RawQuery += "&b=1" }, code: CodeInvalidSignature},
		{name: "tampered method", c: post, mutate: func(r *http.Request) { r.Method = "PUT" }, code: CodeInvalidSignature},
		{name: "wrong secret", c: post, secrets: map[string]string{testAKID: "not-the-secret"}, code: CodeInvalidSignature},
		{name: "unknown key", c: post, secrets: map[string]string{"AKIDOTHER": testSecret}, code: CodeUnrecognizedClient},
		{name: "missing authorization", c: post, mutate: func(r *http.Request) { r.Header.Del("Authorization") }, code: CodeMissingAuthenticationToken},
		{name: "missing x-amz-date", c: post, mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, code: CodeIncompleteSignature},
		{name: "x-amz-date of another day", c: post, mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261127T101010Z") }, now: signTime.Add(24 * time.Hour), code: CodeInvalidSignature},
		{name: "host not signed", c: post, mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", strings.Replace(a, "host;", "", 1))
		}, code: CodeIncompleteSignature},
		{name: "signature truncated", c: post, mutate: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, code: CodeInvalidSignature},
		{name: "at skew limit", c: post, now: signTime.Add(15 * time.Minute), code: ""},
		{name: "expired", c: post, now: signTime.Add(15*time.Minute + time.Second), code: CodeInvalidSignature},
		{name: "future", c: post, now: signTime.Add(-15*time.Minute - time.Second), code: CodeInvalidSignature},
		{name: "presign control", c: presign, code: ""},
		{name: "presign at expiry", c: presign, now: signTime.Add(60 * time.Second), code: ""},
		{name: "presign expired", c: presign, now: signTime.Add(61 * time.Second), code: CodeInvalidSignature},
		{name: "presign future", c: presign, now: signTime.Add(-16 * time.Minute), code: CodeInvalidSignature},
		{name: "presign tampered expires", c: presign, mutate: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=600", 1)
		}, code: CodeInvalidSignature},
		{name: "presign tampered body", c: presign, mutate: setBody(`{"Tags":{"k":"w"}}`), code: CodeInvalidSignature},
		{name: "presign tampered query", c: presign, mutate: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "a=1", "a=2", 1)
		}, code: CodeInvalidSignature},
		{name: "presign missing signature", c: presign, mutate: func(r *http.Request) {
			q := r.URL.Query()
			q.Del("X-Amz-Signature")
			r.URL.RawQuery = q.Encode()
		}, code: CodeIncompleteSignature},
		{name: "presign plus authorization header", c: presign, mutate: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		}, code: CodeIncompleteSignature},
		{name: "presign expires over a week", c: presign, mutate: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=604801", 1)
		}, code: CodeIncompleteSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.c.request(t, srv.srv.URL)
			if tc.mutate != nil {
				tc.mutate(req)
			}
			got := srv.do(t, req)
			secrets := tc.secrets
			if secrets == nil {
				secrets = good
			}
			now := tc.now
			if now.IsZero() {
				now = signTime.Add(time.Minute)
			}
			v := &Verifier{Secrets: staticSecrets(secrets), Now: fixedClock(now)}
			_, err := v.Verify(got.r, got.body)
			wantCode(t, err, tc.code)
		})
	}
}

func setBody(s string) func(*http.Request) {
	return func(r *http.Request) {
		r.ContentLength = int64(len(s))
		r.Body = readCloser{strings.NewReader(s)}
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// TestConnectClient drives the real service/connect client against a server
// whose handler verifies every request.
func TestConnectClient(t *testing.T) {
	v := &Verifier{Secrets: staticSecrets(map[string]string{"test": "test"})}
	srv := newCapServer(t, v)
	client := func(secret string) *connect.Client {
		return connect.New(connect.Options{
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("test", secret, ""),
			BaseEndpoint: aws.String(srv.srv.URL),
			HTTPClient:   srv.srv.Client(),
			Retryer:      aws.NopRetryer{},
		})
	}
	ctx := context.Background()
	arn := "arn:aws:connect:us-east-1:123456789012:instance/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	calls := []struct {
		name     string
		call     func(*connect.Client) error
		wantPath string
	}{
		{"DescribeContact", func(c *connect.Client) error {
			_, err := c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String("inst-1"), ContactId: aws.String("c-1")})
			return err
		}, "/contacts/inst-1/c-1"},
		{"TagResource", func(c *connect.Client) error {
			_, err := c.TagResource(ctx, &connect.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"team": "mail"}})
			return err
		}, "/tags/arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
		{"UntagResource", func(c *connect.Client) error {
			_, err := c.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "env"}})
			return err
		}, "/tags/arn%3Aaws%3Aconnect%3Aus-east-1%3A123456789012%3Ainstance%2F0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(client("test")); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := srv.next(t)
			wantCode(t, got.err, "")
			if got.id.AccessKeyID != "test" || got.id.Region != "us-east-1" || got.id.Service != "connect" {
				t.Fatalf("identity = %+v", got.id)
			}
			if p, _, _ := strings.Cut(got.r.RequestURI, "?"); p != c.wantPath {
				t.Fatalf("path on the wire = %s, want %s", p, c.wantPath)
			}
			if c.name == "UntagResource" && strings.Count(got.r.URL.RawQuery, "tagKeys=") != 2 {
				t.Fatalf("query = %s, want two tagKeys", got.r.URL.RawQuery)
			}

			// The same call with a wrong secret reaches the client as AWS's error.
			err := c.call(client("wrong"))
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != CodeInvalidSignature {
				t.Fatalf("wrong secret: err = %v, want %s", err, CodeInvalidSignature)
			}
			wantCode(t, srv.next(t).err, CodeInvalidSignature)
		})
	}
	t.Run("unknown key", func(t *testing.T) {
		c := connect.New(connect.Options{
			Region:       "us-east-1",
			Credentials:  credentials.NewStaticCredentialsProvider("nobody", "test", ""),
			BaseEndpoint: aws.String(srv.srv.URL),
			HTTPClient:   srv.srv.Client(),
			Retryer:      aws.NopRetryer{},
		})
		_, err := c.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String("i"), ContactId: aws.String("c")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != CodeUnrecognizedClient {
			t.Fatalf("err = %v, want %s", err, CodeUnrecognizedClient)
		}
		wantCode(t, srv.next(t).err, CodeUnrecognizedClient)
	})
}

// TestCheckBeforeBody: Check decides from the headers alone, without reading
// the body, every request whose fate they settle — an unknown key, a stale
// date, and, when the client declared the payload hash, a wrong signature —
// and leaves the body's part to Pending.Verify.
func TestCheckBeforeBody(t *testing.T) {
	srv := newCapServer(t, nil)
	post := sdkCase{method: "POST", target: "/contact/outbound-email", service: "connect", body: `{"InstanceId":"i"}`,
		header: [][2]string{{"Content-Type", "application/json"}}}
	hashHeader := post
	hashHeader.payload = bodyHashHeader
	unsigned := post
	unsigned.payload = unsignedHeader
	good := map[string]string{testAKID: testSecret}
	cases := []struct {
		name    string
		c       sdkCase
		secrets map[string]string
		now     time.Time
		mutate  func(*http.Request)
		check   string // Check's code
		verify  string // Pending.Verify's code when Check passed
	}{
		{name: "hash not declared", c: post},
		{name: "hash declared", c: hashHeader},
		{name: "hash not declared, body tampered", c: post, mutate: setBody(`{"InstanceId":"j"}`), verify: CodeInvalidSignature},
		{name: "hash declared, body tampered", c: hashHeader, mutate: setBody(`{"InstanceId":"j"}`), verify: CodeInvalidSignature},
		{name: "hash declared, wrong secret", c: hashHeader, secrets: map[string]string{testAKID: "wrong"}, check: CodeInvalidSignature},
		{name: "hash declared, signed header tampered", c: hashHeader, mutate: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, check: CodeInvalidSignature},
		{name: "unknown key", c: post, secrets: map[string]string{"AKIDOTHER": testSecret}, check: CodeUnrecognizedClient},
		{name: "stale", c: post, now: signTime.Add(time.Hour), check: CodeInvalidSignature},
		{name: "UNSIGNED-PAYLOAD header", c: unsigned, check: CodeInvalidSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.c.request(t, srv.srv.URL)
			if tc.mutate != nil {
				tc.mutate(req)
			}
			got := srv.do(t, req)
			secrets, now := tc.secrets, tc.now
			if secrets == nil {
				secrets = good
			}
			if now.IsZero() {
				now = signTime.Add(time.Minute)
			}
			v := &Verifier{Secrets: staticSecrets(secrets), Now: fixedClock(now)}
			p, err := v.Check(got.r)
			wantCode(t, err, tc.check)
			if tc.check != "" {
				return
			}
			if p.Claimed().AccessKeyID != testAKID || p.Presigned() {
				t.Fatalf("claimed %+v, presigned %v", p.Claimed(), p.Presigned())
			}
			_, err = p.Verify(got.body)
			wantCode(t, err, tc.verify)
		})
	}
}
