package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const okSig = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestMalformed covers the failures that are decided before any signature is
// computed, and a few that are not.
func TestMalformed(t *testing.T) {
	cred := "Credential=" + testAKID + "/20261126/us-east-1/connect/aws4_request"
	full := "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + okSig
	presign := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + testAKID +
		"%2F20261126%2Fus-east-1%2Fconnect%2Faws4_request&X-Amz-Date=20261126T101010Z&X-Amz-Expires=60" +
		"&X-Amz-SignedHeaders=host&X-Amz-Signature=" + okSig
	cases := []struct {
		name   string
		target string
		authz  []string // Authorization header values; nil for none
		header map[string]string
		code   string
		msg    string // substring of the message
	}{
		{name: "nothing", code: CodeMissingAuthenticationToken, msg: "Missing Authentication Token"},
		{name: "empty header", authz: []string{""}, code: CodeIncompleteSignature, msg: "requires 'Credential'"},
		{name: "other scheme", authz: []string{"Bearer abc"}, code: CodeIncompleteSignature, msg: "'Bearer'"},
		{name: "sigv4a", authz: []string{"AWS4-ECDSA-P256-SHA256 " + cred}, code: CodeIncompleteSignature},
		{name: "algorithm only", authz: []string{"AWS4-HMAC-SHA256"}, code: CodeIncompleteSignature,
			msg: "requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "no signature", authz: []string{"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host"}, code: CodeIncompleteSignature, msg: "'Signature'"},
		{name: "no signed headers", authz: []string{"AWS4-HMAC-SHA256 " + cred + ", Signature=" + okSig}, code: CodeIncompleteSignature, msg: "'SignedHeaders'"},
		{name: "no credential", authz: []string{"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + okSig}, code: CodeIncompleteSignature, msg: "'Credential'"},
		{name: "empty credential", authz: []string{"AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=" + okSig}, code: CodeIncompleteSignature},
		{name: "piece without equals", authz: []string{full + ", Garbage"}, code: CodeIncompleteSignature, msg: "missing equal-sign"},
		{name: "duplicate signature", authz: []string{full + ", Signature=" + okSig}, code: CodeIncompleteSignature},
		{name: "two headers", authz: []string{full, full}, code: CodeIncompleteSignature},
		{name: "bad terminator", authz: []string{strings.Replace(full, "aws4_request", "aws4_requests", 1)}, code: CodeIncompleteSignature, msg: "valid terminator"},
		{name: "short credential", authz: []string{strings.Replace(full, "/connect/", "/", 1)}, code: CodeIncompleteSignature},
		{name: "credential without key", authz: []string{strings.Replace(full, testAKID, "", 1)}, code: CodeIncompleteSignature},
		{name: "credential bad date", authz: []string{strings.Replace(full, "/20261126/", "/2026-11-26/", 1)}, code: CodeIncompleteSignature},
		{name: "credential empty region", authz: []string{strings.Replace(full, "/us-east-1/", "//", 1)}, code: CodeIncompleteSignature},
		{name: "credential empty service", authz: []string{strings.Replace(full, "/connect/", "//", 1)}, code: CodeIncompleteSignature},
		{name: "host not signed", authz: []string{strings.Replace(full, "host;", "", 1)}, code: CodeIncompleteSignature, msg: "'Host'"},
		{name: "empty signed header name", authz: []string{strings.Replace(full, "host;", "host;;", 1)}, code: CodeIncompleteSignature},
		{name: "invalid signed header name", authz: []string{strings.Replace(full, "host;", "host;a b;", 1)}, code: CodeIncompleteSignature},
		{name: "missing dates", authz: []string{full}, header: map[string]string{"X-Amz-Date": ""}, code: CodeIncompleteSignature, msg: "'X-Amz-Date' or a 'Date'"},
		{name: "extended date format", authz: []string{full}, header: map[string]string{"X-Amz-Date": "2026-11-26T10:10:10Z"}, code: CodeIncompleteSignature, msg: "basic format"},
		{name: "credential date differs", authz: []string{full}, header: map[string]string{"X-Amz-Date": "20261125T235959Z"}, code: CodeInvalidSignature, msg: "'20261126' != '20261125'"},
		{name: "bad date header", authz: []string{full}, header: map[string]string{"X-Amz-Date": "", "Date": "yesterday"}, code: CodeIncompleteSignature},
		{name: "unknown key", authz: []string{strings.Replace(full, testAKID, "AKIDNOBODY", 1)}, code: CodeUnrecognizedClient, msg: "security token included in the request is invalid"},
		{name: "random signature", authz: []string{full}, code: CodeInvalidSignature, msg: "does not match"},
		{name: "non-hex signature", authz: []string{strings.Replace(full, okSig, strings.Repeat("z", 64), 1)}, code: CodeInvalidSignature},
		{name: "streaming payload", authz: []string{full}, header: map[string]string{"X-Amz-Content-Sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, code: CodeIncompleteSignature},
		{name: "presign random signature", target: "/x?" + presign, code: CodeInvalidSignature},
		{name: "presign and header", target: "/x?" + presign, authz: []string{full}, code: CodeIncompleteSignature, msg: "Only one auth mechanism"},
		{name: "presign missing credential", target: "/x?" + strings.Replace(presign, "X-Amz-Credential=", "X-Amz-Other=", 1), code: CodeIncompleteSignature, msg: "'X-Amz-Credential'"},
		{name: "presign missing date", target: "/x?" + strings.Replace(presign, "X-Amz-Date=", "X-Amz-Other=", 1), code: CodeIncompleteSignature, msg: "'X-Amz-Date'"},
		{name: "presign wrong algorithm", target: "/x?" + strings.Replace(presign, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1), code: CodeIncompleteSignature},
		{name: "presign expires not a number", target: "/x?" + strings.Replace(presign, "X-Amz-Expires=60", "X-Amz-Expires=soon", 1), code: CodeIncompleteSignature},
		{name: "presign expires zero", target: "/x?" + strings.Replace(presign, "X-Amz-Expires=60", "X-Amz-Expires=0", 1), code: CodeIncompleteSignature},
		{name: "presign expires over a week", target: "/x?" + strings.Replace(presign, "X-Amz-Expires=60", "X-Amz-Expires=604801", 1), code: CodeIncompleteSignature, msg: "604800"},
		{name: "presign repeated signature", target: "/x?" + presign + "&X-Amz-Signature=" + okSig, code: CodeIncompleteSignature},
		{name: "presign host not signed", target: "/x?" + strings.Replace(presign, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date", 1), code: CodeIncompleteSignature},
	}
	v := &Verifier{Secrets: staticSecrets(map[string]string{testAKID: testSecret}), Now: fixedClock(signTime)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := c.target
			if target == "" {
				target = "/x"
			}
			r := httptest.NewRequest("GET", target, nil)
			r.Header.Set("X-Amz-Date", "20261126T101010Z")
			for k, val := range c.header {
				if val == "" {
					r.Header.Del(k)
				} else {
					r.Header.Set(k, val)
				}
			}
			for _, a := range c.authz {
				r.Header.Add("Authorization", a)
			}
			_, err := v.Verify(r, nil)
			wantCode(t, err, c.code)
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("message %q does not contain %q", err.Error(), c.msg)
			}
		})
	}
}

// TestTimeMessages pins the AWS wording of the clock errors.
func TestTimeMessages(t *testing.T) {
	cases := []struct {
		name    string
		skew    time.Duration
		now     time.Time
		presign bool
		want    string
	}{
		{"expired", 0, signTime.Add(20 * time.Minute), false,
			"Signature expired: 20261126T101010Z is now earlier than 20261126T101510Z (20261126T103010Z - 15 min.)"},
		{"not yet current", 0, signTime.Add(-20 * time.Minute), false,
			"Signature not yet current: 20261126T101010Z is still later than 20261126T100510Z (20261126T095010Z + 15 min.)"},
		{"custom skew", 90 * time.Second, signTime.Add(2 * time.Minute), false,
			"Signature expired: 20261126T101010Z is now earlier than 20261126T101040Z (20261126T101210Z - 90 sec.)"},
		{"presign expired", 0, signTime.Add(2 * time.Minute), true,
			"Signature expired: 20261126T101010Z is now earlier than 20261126T101110Z (20261126T101210Z - 1 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &Verifier{MaxSkew: c.skew, Now: fixedClock(c.now)}
			in := authInput{presigned: c.presign, signedAt: signTime, amzDate: "20261126T101010Z"}
			if c.presign {
				in.expires = 60
			}
			err := v.checkTime(&in)
			if err == nil || err.Code != CodeInvalidSignature || err.Message != c.want {
				t.Fatalf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestScope(t *testing.T) {
	cases := []struct {
		name                  string
		target, authz         string
		akid, region, service string
		ok                    bool
	}{
		{name: "header", target: "/x", authz: "AWS4-HMAC-SHA256 Credential=AK/20261126/eu-west-1/wisdom/aws4_request, SignedHeaders=host, Signature=00",
			akid: "AK", region: "eu-west-1", service: "wisdom", ok: true},
		{name: "header without other parameters", target: "/x", authz: "AWS4-HMAC-SHA256 Credential=AK/20261126/us-east-1/connect/aws4_request",
			akid: "AK", region: "us-east-1", service: "connect", ok: true},
		{name: "presigned", target: "/x?X-Amz-Credential=AK%2F20261126%2Fus-west-2%2Fconnect%2Faws4_request",
			akid: "AK", region: "us-west-2", service: "connect", ok: true},
		{name: "nothing", target: "/x"},
		{name: "other scheme", target: "/x", authz: "Basic dGVzdDp0ZXN0"},
		{name: "malformed credential", target: "/x", authz: "AWS4-HMAC-SHA256 Credential=AK/us-east-1/connect/aws4_request"},
		{name: "malformed presigned credential", target: "/x?X-Amz-Credential=AK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.target, nil)
			if c.authz != "" {
				r.Header.Set("Authorization", c.authz)
			}
			akid, region, service, ok := Scope(r)
			if akid != c.akid || region != c.region || service != c.service || ok != c.ok {
				t.Fatalf("Scope = %q %q %q %v, want %q %q %q %v", akid, region, service, ok, c.akid, c.region, c.service, c.ok)
			}
		})
	}
}

// TestSignatureMatchesHMAC checks the precomputed-pad HMAC against crypto/hmac.
func TestSignatureMatchesHMAC(t *testing.T) {
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 1000} {
		msg := make([]byte, n)
		rand.Read(msg)
		key := signingKey("secret", "20261126", "us-east-1", "connect")
		d := deriveKey("secret", "20261126", "us-east-1", "connect")

		buf := append(d.ipad[:0:0], d.ipad[:]...)
		buf = append(buf, msg...)
		inner := sha256.Sum256(buf)
		got := sha256.Sum256(append(append([]byte(nil), d.opad[:]...), inner[:]...))

		m := hmac.New(sha256.New, key)
		m.Write(msg)
		if want := m.Sum(nil); !hmac.Equal(got[:], want) {
			t.Fatalf("len %d: pads HMAC differs from crypto/hmac", n)
		}
	}
}

func TestKeyCache(t *testing.T) {
	var c keyCache
	a := c.get("s", "20261126", "us-east-1", "connect")
	if b := c.get("s", "20261126", "us-east-1", "connect"); a != b {
		t.Fatal("second lookup of the same scope was not served from the cache")
	}
	if b := c.get("s2", "20261126", "us-east-1", "connect"); a == b || *a == *b {
		t.Fatal("a different secret shared the cached key")
	}
	for i := 0; i < 3*keyCacheSize; i++ {
		c.get("s", fmt.Sprintf("2026%04d", i), "us-east-1", "connect")
		if n := c.len(); n > keyCacheSize {
			t.Fatalf("cache grew to %d entries, bound is %d", n, keyCacheSize)
		}
	}
	if c.len() != keyCacheSize {
		t.Fatalf("cache has %d entries, want it full at %d", c.len(), keyCacheSize)
	}
}

// TestConcurrentVerify shares one Verifier between goroutines verifying
// different scopes (run with -race).
func TestConcurrentVerify(t *testing.T) {
	srv := newCapServer(t, nil)
	var reqs []captured
	for _, svc := range []string{"connect", "wisdom"} {
		for _, c := range []sdkCase{
			{method: "GET", target: "/contacts/a/b", service: svc},
			{method: "POST", target: instanceArnPath + "?x=1", service: svc, body: `{"a":1}`, payload: bodyHashHeader},
			{method: "DELETE", target: instanceArnPath + "?tagKeys=a&tagKeys=b", service: svc, presign: true, expires: "60"},
		} {
			reqs = append(reqs, srv.do(t, c.request(t, srv.srv.URL)))
		}
	}
	v := &Verifier{Secrets: staticSecrets(map[string]string{testAKID: testSecret}), Now: fixedClock(signTime)}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c := reqs[(g+i)%len(reqs)]
				if _, err := v.Verify(c.r, c.body); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestRequestWithoutRequestURI verifies a client-side style request, where
// only r.URL carries the path.
func TestRequestWithoutRequestURI(t *testing.T) {
	c := sdkCase{method: "PUT", target: templateID + "?a=b&a=a", service: "wisdom", body: "{}", payload: bodyHashHeader}
	r := c.request(t, "http://example.com")
	v := &Verifier{Secrets: staticSecrets(map[string]string{testAKID: testSecret}), Now: fixedClock(signTime)}
	if _, err := v.Verify(r, []byte("{}")); err != nil {
		t.Fatal(err)
	}
}

// parseRaw reads a raw HTTP/1.1 request the way the server does.
func parseRaw(raw string) (*http.Request, error) {
	return http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
}

// BenchmarkVerify measures verification of typical Go SDK requests as a
// server receives them, with a warm signing-key cache.
func BenchmarkVerify(b *testing.B) {
	cases := []struct {
		name string
		c    sdkCase
	}{
		{"header/POST", sdkCase{method: "POST", target: "/contact/outbound-email", service: "connect",
			body:   `{"InstanceId":"0a1b2c3d","FromEmailAddress":{"EmailAddress":"a@example.com"},"DestinationEmailAddress":{"EmailAddress":"b@example.com"},"EmailMessage":{"MessageSourceType":"RAW"}}`,
			header: [][2]string{{"Content-Type", "application/json"}, {"X-Amz-User-Agent", "aws-sdk-go-v2/1.41.1"}, {"Amz-Sdk-Invocation-Id", "5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"}, {"Amz-Sdk-Request", "attempt=1; max=3"}}}},
		{"header/DELETE-query", sdkCase{method: "DELETE", target: instanceArnPath + "?tagKeys=team&tagKeys=env", service: "connect"}},
		{"presigned/GET", sdkCase{method: "GET", target: templateID, service: "wisdom", presign: true, expires: "300"}},
	}
	for _, bc := range cases {
		req := bc.c.request(b, "http://127.0.0.1:4580")
		var raw strings.Builder
		if err := req.Write(&raw); err != nil {
			b.Fatal(err)
		}
		r, err := parseRaw(raw.String())
		if err != nil {
			b.Fatal(err)
		}
		body := []byte(bc.c.body)
		v := &Verifier{Secrets: staticSecrets(map[string]string{testAKID: testSecret}), Now: fixedClock(signTime)}
		if _, err := v.Verify(r, body); err != nil {
			b.Fatalf("%s: %v", bc.name, err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(r, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
