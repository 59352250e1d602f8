package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/server"
	"github.com/connectmail/connectmail/server/servertest"
)

// Tests of the HTTP edge against a real server: each reproduces an attack
// (issue 12 items 3, 4, 5 and 7) and shows the SDKs' own requests still pass.

// key is one access key of a test credentials file.
type key struct {
	id, secret string
	allow      []string // nil: everything
}

// writeCredentials writes a credentials file with keys and returns its path.
func writeCredentials(t *testing.T, file string, keys ...key) string {
	t.Helper()
	type entry struct {
		AccessKeyID     string   `json:"accessKeyId"`
		SecretAccessKey string   `json:"secretAccessKey"`
		Allow           []string `json:"allow,omitempty"`
	}
	var doc struct {
		Keys []entry `json:"keys"`
	}
	for _, k := range keys {
		doc.Keys = append(doc.Keys, entry{k.id, k.secret, k.allow})
	}
	b, _ := json.Marshal(doc)
	if file == "" {
		file = filepath.Join(t.TempDir(), "credentials.json")
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// sdkClient is a Go SDK Connect client for base signed with k.
func sdkClient(base string, k key) *connect.Client {
	return servertest.ClientAs(base, k.id, k.secret)
}

// presign is what any client holding k can make: a URL of its choosing
// presigned for the service connect the way the server's own file URLs are.
func presign(t *testing.T, k key, method, rawURL string) string {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret},
		req, "UNSIGNED-PAYLOAD", "connect", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signedRequest is a header-signed request made with the Go SDK's signer.
// host, when set, is the Host header (and signed as such); payloadHash, when
// set, is sent as X-Amz-Content-Sha256 and signed instead of the body's hash.
type signedRequest struct {
	method, url, host, service, contentType, payloadHash string
	body                                                 []byte
	k                                                    key
}

func (s signedRequest) build(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, bytes.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	if s.host != "" {
		req.Host = s.host
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	sum := sha256.Sum256(s.body)
	hash := hex.EncodeToString(sum[:])
	if s.payloadHash != "" {
		hash = s.payloadHash
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	service, k := s.service, s.k
	if service == "" {
		service = "connect"
	}
	if k.id == "" {
		k = key{id: "test", secret: "test"}
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret},
		req, hash, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// answer is a response's status, AWS error type and body.
type answer struct {
	status  int
	errType string
	body    []byte
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b}
}

// grantOf is the server grant a file URL carries.
func grantOf(rawURL string) string {
	u, _ := url.Parse(rawURL)
	return u.Query().Get(awsapi.GrantParam)
}

// TestFileURLPermissions (issue 12 item 3): a signature proves only who
// signed, and every key can presign any path. A key allowed nothing but
// connect:CreateContact must not read a contact's raw message by presigning
// /files/{instance}/email-message-{contactId}; a key allowed to upload must
// not overwrite another key's pending upload; and a URL is honoured only
// while its key keeps the permission of the operation that issued it.
func TestFileURLPermissions(t *testing.T) {
	t.Parallel()
	admin := key{id: "test", secret: "test"}
	sender := key{id: "sender", secret: "sender-secret", allow: []string{"connect:CreateContact"}}
	uploader := key{id: "uploader", secret: "uploader-secret", allow: []string{"connect:StartAttachedFileUpload", "connect:CompleteAttachedFileUpload"}}
	reader := key{id: "reader", secret: "reader-secret", allow: []string{"connect:GetAttachedFile"}}
	file := writeCredentials(t, "", admin, sender, uploader, reader)
	h := startServer(t, func(c *server.Config) { c.CredentialsFile = file })
	ctx := context.Background()
	inst := h.setup(ctx)
	cid := h.newContact(ctx, inst)
	if _, err := h.client.StartOutboundEmailContact(ctx, sendInput(inst, cid)); err != nil {
		t.Fatal(err)
	}
	h.waitFor(1)
	dc, err := h.client.DescribeContact(ctx, &connect.DescribeContactInput{InstanceId: aws.String(inst), ContactId: aws.String(cid)})
	if err != nil {
		t.Fatal(err)
	}
	carn := *dc.Contact.Arn
	rawFile := "email-message-" + cid
	rawPath := h.url + "/files/" + inst + "/" + rawFile

	// The raw message through the operation that hands out its URL.
	getURL := func(c *connect.Client) string {
		t.Helper()
		got, err := c.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: aws.String(rawFile),
			AssociatedResourceArn: aws.String(carn), UrlExpiryInSeconds: aws.Int32(300)})
		if err != nil || got.DownloadUrlMetadata == nil {
			t.Fatalf("GetAttachedFile: %+v %v", got, err)
		}
		return *got.DownloadUrlMetadata.Url
	}
	adminDownload := getURL(h.client)
	if st, b, _ := fetch(t, "GET", adminDownload, nil); st != 200 || !bytes.Contains(b, []byte("Subject: Your order 42")) {
		t.Fatalf("download through GetAttachedFile's URL: %d %.200s", st, b)
	}

	// Two pending uploads: the admin's and the uploader's own.
	startUpload := func(c *connect.Client, name string) *connect.StartAttachedFileUploadOutput {
		t.Helper()
		up, err := c.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{
			InstanceId: aws.String(inst), AssociatedResourceArn: aws.String(carn), FileName: aws.String(name),
			FileSizeInBytes: aws.Int64(5), FileUseCaseType: types.FileUseCaseTypeAttachment,
		})
		if err != nil {
			t.Fatal(err)
		}
		return up
	}
	adminUp := startUpload(h.client, "admin.txt")
	ownUp := startUpload(sdkClient(h.url, uploader), "own.txt")
	adminPath := h.url + "/files/" + inst + "/" + *adminUp.FileId
	ownURL := *ownUp.UploadUrlMetadata.Url

	for _, tc := range []struct {
		name, method, url, body string
		status                  int
		errType                 string
	}{
		{"CreateContact-only key presigns the raw message", "GET", presign(t, sender, "GET", rawPath+"?X-Amz-Expires=300"), "", 403, "AccessDeniedException"},
		{"it borrows the grant of the admin's URL", "GET", presign(t, sender, "GET", rawPath+"?X-Amz-Expires=300&"+awsapi.GrantParam+"="+grantOf(adminDownload)), "", 403, "AccessDeniedException"},
		{"the admin's download URL used to PUT", "PUT", adminDownload, "hello", 403, "InvalidSignatureException"},
		{"uploader presigns the admin's pending upload", "PUT", presign(t, uploader, "PUT", adminPath+"?X-Amz-Expires=300"), "EVIL!", 403, "AccessDeniedException"},
		{"uploader moves its own grant to the admin's file", "PUT", presign(t, uploader, "PUT", adminPath+"?X-Amz-Expires=300&"+awsapi.GrantParam+"="+grantOf(ownURL)), "EVIL!", 403, "AccessDeniedException"},
		{"uploader's own URL, path changed to the admin's file", "PUT", strings.Replace(ownURL, *ownUp.FileId, *adminUp.FileId, 1), "EVIL!", 403, "InvalidSignatureException"},
		{"uploader's own URL", "PUT", ownURL, "mine!", 200, ""},
		{"the admin's own URL", "PUT", *adminUp.UploadUrlMetadata.Url, "admin", 200, ""},
	} {
		st, b, hdr := fetch(t, tc.method, tc.url, []byte(tc.body))
		if st != tc.status || hdr.Get("X-Amzn-ErrorType") != tc.errType {
			t.Errorf("%s: %d %s %s, want %d %s", tc.name, st, hdr.Get("X-Amzn-ErrorType"), b, tc.status, tc.errType)
		}
	}
	// The admin's file holds what the admin uploaded.
	if _, err := h.client.CompleteAttachedFileUpload(ctx, &connect.CompleteAttachedFileUploadInput{InstanceId: aws.String(inst),
		FileId: adminUp.FileId, AssociatedResourceArn: aws.String(carn)}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetAttachedFile(ctx, &connect.GetAttachedFileInput{InstanceId: aws.String(inst), FileId: adminUp.FileId,
		AssociatedResourceArn: aws.String(carn)})
	if err != nil {
		t.Fatal(err)
	}
	if st, b, _ := fetch(t, "GET", *got.DownloadUrlMetadata.Url, nil); st != 200 || string(b) != "admin" {
		t.Errorf("the admin's file: %d %q", st, b)
	}

	// A URL is honoured only while its key may perform the operation that
	// issued it: the same URL after a restart that took the permission away.
	readerURL := getURL(sdkClient(h.url, reader))
	if st, _, _ := fetch(t, "GET", readerURL, nil); st != 200 {
		t.Fatalf("reader's URL: %d", st)
	}
	h.stop()
	reader.allow = []string{"connect:DescribeContact"}
	writeCredentials(t, file, admin, sender, uploader, reader)
	h.start()
	if st, b, hdr := fetch(t, "GET", readerURL, nil); st != 403 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" {
		t.Errorf("reader's URL once the permission is gone: %d %s %s", st, hdr.Get("X-Amzn-ErrorType"), b)
	}
	if st, _, _ := fetch(t, "GET", adminDownload, nil); st != 200 {
		t.Errorf("the admin's URL after the restart: %d", st)
	}
}

// rebound is a Host a page on another site reaches the server with once its
// DNS name resolves to 127.0.0.1.
const rebound = "rebind.attacker.example:4580"

// TestHostCheck (issue 12 item 4): without --credentials, a page whose host
// name was rebound to 127.0.0.1 reaches no route: the AWS APIs answer the
// 403 AccessDeniedException of their own service, the other routes a plain
// 403; loopback names keep working and /healthz answers everyone.
func TestHostCheck(t *testing.T) {
	t.Parallel()
	h := startServer(t, func(c *server.Config) { c.Profiling = true })
	ctx := context.Background()
	inst := h.setup(ctx)
	createInstance := []byte(`{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true}`)
	for _, host := range []string{rebound, "attacker.example", "127.0.0.1.attacker.example", "localhost.attacker.example:80"} {
		for _, tc := range []struct {
			name string
			req  *http.Request
			// lower: the AWS error body's message member ("message" for Q in
			// Connect, "Message" for Connect); "" for a plain refusal.
			member string
		}{
			{"CreateInstance", signedRequest{method: "PUT", url: h.url + "/instance", host: host, contentType: "application/json", body: createInstance}.build(t), "Message"},
			{"Q in Connect", signedRequest{method: "GET", url: h.url + "/knowledgeBases", host: host, service: "wisdom"}.build(t), "message"},
			{"attached file", signedRequest{method: "GET", url: h.url + "/files/" + inst + "/x", host: host}.build(t), "Message"},
			{"unsigned AWS route", plain(t, h.url+"/instance", host), "Message"},
			{"UI", plain(t, h.url+"/ui/", host), ""},
			{"inspection API", plain(t, h.url+"/api/v1/messages", host), ""},
			{"event stream", plain(t, h.url+"/api/v1/stream", host), ""},
			{"template attachment", plain(t, h.url+"/api/v1/template-attachments/x", host), ""},
			{"metrics", plain(t, h.url+"/metrics", host), ""},
			{"profiles", plain(t, h.url+"/debug/pprof/heap", host), ""},
		} {
			a := do(t, tc.req)
			if a.status != 403 {
				t.Errorf("Host %s, %s: HTTP %d %.100s, want 403", host, tc.name, a.status, a.body)
				continue
			}
			if tc.member == "" {
				continue
			}
			var body map[string]any
			if a.errType != "AccessDeniedException" || json.Unmarshal(a.body, &body) != nil || body[tc.member] == nil {
				t.Errorf("Host %s, %s: %s %s, want AccessDeniedException with %q", host, tc.name, a.errType, a.body, tc.member)
			}
		}
	}
	if a := do(t, plain(t, h.url+"/healthz", rebound)); a.status != 200 {
		t.Errorf("/healthz from a foreign Host: %d", a.status)
	}
	// Nothing was created through the rebound name.
	list, err := h.client.ListInstances(ctx, &connect.ListInstancesInput{})
	if err != nil || len(list.InstanceSummaryList) != 1 {
		t.Fatalf("instances: %+v %v", list, err)
	}
	// Loopback names are answered.
	for _, host := range []string{"localhost:4580", "127.0.0.1", "[::1]:4580", "app.localhost", "LOCALHOST."} {
		if a := do(t, signedRequest{method: "PUT", url: h.url + "/instance", host: host, contentType: "application/json", body: createInstance}.build(t)); a.status != 200 {
			t.Errorf("Host %s, CreateInstance: %d %s", host, a.status, a.body)
		}
		if a := do(t, plain(t, h.url+"/api/v1/messages", host)); a.status != 200 {
			t.Errorf("Host %s, inspection API: %d", host, a.status)
		}
	}
}

// plain is an unsigned GET with the given Host.
func plain(t *testing.T, rawURL, host string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	return req
}

// TestPresignedSimplePost (issue 12 item 4): a page on any site can make a
// browser POST to 127.0.0.1 without a CORS preflight when the request has
// no custom header: a presigned URL (the public test/test key signs it) with
// a text/plain, form or absent Content-Type. Such a POST (here TagResource,
// one of Connect's many mutating POSTs) is refused; the same URL with
// application/json, which needs a preflight, is served.
func TestPresignedSimplePost(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	ctx := context.Background()
	inst, err := h.client.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(h.setup(ctx))})
	if err != nil {
		t.Fatal(err)
	}
	arn := *inst.Instance.Arn
	target := h.url + "/tags/" + url.PathEscape(arn)
	presignPost := func(contentType, tag string) *http.Request {
		t.Helper()
		body := `{"tags":{"` + tag + `":"v"}}`
		req, _ := http.NewRequest("POST", target, strings.NewReader(body))
		sum := sha256.Sum256([]byte(body))
		u, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			req, hex.EncodeToString(sum[:]), "connect", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out, _ := http.NewRequest("POST", u, strings.NewReader(body))
		if contentType != "" {
			out.Header.Set("Content-Type", contentType)
		}
		return out
	}
	for i, tc := range []struct {
		contentType string
		status      int
		errType     string
	}{
		{"text/plain;charset=UTF-8", 415, "UnsupportedMediaTypeException"},
		{"application/x-www-form-urlencoded", 415, "UnsupportedMediaTypeException"},
		{"multipart/form-data; boundary=x", 415, "UnsupportedMediaTypeException"},
		{"", 415, "UnsupportedMediaTypeException"},
		{"application/json", 200, ""},
	} {
		if a := do(t, presignPost(tc.contentType, fmt.Sprintf("t%d", i))); a.status != tc.status || a.errType != tc.errType {
			t.Errorf("presigned POST, Content-Type %q: %d %s %s, want %d %s", tc.contentType, a.status, a.errType, a.body, tc.status, tc.errType)
		}
	}
	tags, err := h.client.ListTagsForResource(ctx, &connect.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["t4"] != "v" {
		t.Fatalf("tags %v %v, want only the application/json one", tags.Tags, err)
	}
}

// TestEmulatorMode (issue 20 item 2): --emulator accepts the public key on
// any listen address and answers only loopback names and --allowed-hosts
// (default: the machine's host name); without it a public address without
// --credentials does not start.
func TestEmulatorMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  func(*server.Config)
		ok   bool
	}{
		{"loopback, no credentials", func(c *server.Config) {}, true},
		{"public address, no credentials", func(c *server.Config) { c.Addr = "0.0.0.0:4580" }, false},
		{"all interfaces, no credentials", func(c *server.Config) { c.Addr = ":4580" }, false},
		{"public address, emulator", func(c *server.Config) { c.Addr = "0.0.0.0:4580"; c.Emulator = true }, true},
		{"emulator with credentials", func(c *server.Config) { c.Emulator = true; c.CredentialsFile = "creds.json" }, false},
		{"public address, credentials", func(c *server.Config) { c.Addr = "0.0.0.0:4580"; c.CredentialsFile = "creds.json" }, true},
		{"allowed hosts", func(c *server.Config) {
			c.AllowedHosts = []string{"connectmail", "10.0.0.7", "[fd00::1]", "ci.example."}
		}, true},
		{"allowed host with a port", func(c *server.Config) { c.AllowedHosts = []string{"connectmail:4580"} }, false},
		{"allowed host with a scheme", func(c *server.Config) { c.AllowedHosts = []string{"http://connectmail"} }, false},
		{"allowed host wildcard", func(c *server.Config) { c.AllowedHosts = []string{"*.example"} }, false},
	} {
		cfg := server.Defaults()
		tc.cfg(&cfg)
		if err := cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v", tc.name, err)
		}
	}

	hostname, _ := os.Hostname()
	for _, tc := range []struct {
		name    string
		allowed []string
		answer  []string
		refuse  []string
	}{
		{"default: this machine's name", nil, []string{"localhost:4580", hostname + ":4580"}, []string{rebound, "connectmail:4580"}},
		{"--allowed-hosts", []string{"connectmail", "Ci.Example"}, []string{"localhost:4580", "connectmail:4580", "ci.example", "CONNECTMAIL"}, []string{rebound, "connectmail.attacker.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if hostname == "" && tc.allowed == nil {
				t.Skip("this machine has no host name")
			}
			cfg := servertest.Config(t)
			cfg.Addr = "0.0.0.0:0"
			cfg.Emulator = true
			cfg.AllowedHosts = tc.allowed
			srv := servertest.Start(t, cfg)
			_, port, _ := net.SplitHostPort(srv.Addr)
			base := "http://127.0.0.1:" + port
			for _, host := range tc.answer {
				if a := do(t, signedRequest{method: "GET", url: base + "/instance", host: host}.build(t)); a.status != 200 {
					t.Errorf("Host %s, ListInstances: %d %s", host, a.status, a.body)
				}
			}
			for _, host := range tc.refuse {
				if a := do(t, signedRequest{method: "GET", url: base + "/instance", host: host}.build(t)); a.status != 403 || a.errType != "AccessDeniedException" {
					t.Errorf("Host %s, ListInstances: %d %s, want 403 AccessDeniedException", host, a.status, a.errType)
				}
			}
			// The Go SDK reaches it under an allowed name.
			if tc.allowed != nil {
				c := servertest.Client("http://connectmail:"+port, func(o *connect.Options) {
					o.HTTPClient = &http.Client{Transport: dialTo("127.0.0.1:" + port)}
				})
				if _, err := c.ListInstances(context.Background(), &connect.ListInstancesInput{}); err != nil {
					t.Errorf("Go SDK at http://connectmail:%s: %v", port, err)
				}
			}
		})
	}
}

// dialTo is a transport that connects every request to addr, whatever its
// URL's host (a stand-in for DNS in a container network).
func dialTo(addr string) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// rawRequest sends req's request line and headers, with the given
// Content-Length, and then prefix of the body, and nothing more: a client
// that announces a body and sends it slowly, or never.
func rawRequest(t *testing.T, addr string, req *http.Request, contentLength int64, prefix []byte) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", contentLength)
	b.Write(prefix)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// readAnswer reads the server's response on conn, failing the test if none
// comes within limit (a bound on a broken server, not a wait).
func readAnswer(t *testing.T, conn net.Conn, limit time.Duration) answer {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within %v: %v", limit, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b}
}

// TestBodiesBeforeAuthentication (issue 12 item 5): the AWS API decides from
// the headers whatever they settle before it reads a body, bounds the time
// a body may take, and bounds the body bytes all unauthenticated requests
// hold together.
func TestBodiesBeforeAuthentication(t *testing.T) {
	t.Parallel()
	big := int64(awsapi.MaxBodyBytes)
	// post is a signed CreateContact call with a small body.
	post := func(h *harness, s signedRequest) *http.Request {
		s.method, s.url, s.contentType = "PUT", h.url+"/contact/create-contact", "application/json"
		if s.body == nil {
			s.body = []byte(`{"InstanceId":"x"}`)
		}
		return s.build(t)
	}
	addr := func(h *harness) string { return strings.TrimPrefix(h.url, "http://") }

	t.Run("answered from the headers while the body never comes", func(t *testing.T) {
		h := startServer(t, nil)
		stale := post(h, signedRequest{})
		stale.Header.Set("X-Amz-Date", time.Now().Add(-time.Hour).UTC().Format("20060102T150405Z"))
		otherBody := sha256.Sum256([]byte("not this body"))
		for _, tc := range []struct {
			name    string
			req     *http.Request
			status  int
			errType string
		}{
			{"unknown key", post(h, signedRequest{k: key{id: "nobody", secret: "x"}}), 403, "UnrecognizedClientException"},
			{"stale date", stale, 403, "InvalidSignatureException"},
			{"unknown service in the scope", post(h, signedRequest{service: "s3"}), 400, "UnknownServiceException"},
			{"signature over a declared payload hash, wrong secret", post(h, signedRequest{k: key{id: "test", secret: "wrong"}, payloadHash: hex.EncodeToString(otherBody[:])}), 403, "InvalidSignatureException"},
			{"UNSIGNED-PAYLOAD", post(h, signedRequest{payloadHash: "UNSIGNED-PAYLOAD"}), 403, "InvalidSignatureException"},
		} {
			a := readAnswer(t, rawRequest(t, addr(h), tc.req, big, nil), 10*time.Second)
			if a.status != tc.status || a.errType != tc.errType {
				t.Errorf("%s: %d %s, want %d %s", tc.name, a.status, a.errType, tc.status, tc.errType)
			}
		}
	})

	t.Run("a trickling body is cut off, an event stream is not", func(t *testing.T) {
		const bodyTimeout = 300 * time.Millisecond
		h := startServer(t, func(c *server.Config) { c.BodyTimeout = bodyTimeout })
		stream, err := http.Get(h.url + "/api/v1/stream")
		if err != nil {
			t.Fatal(err)
		}
		defer stream.Body.Close()
		start := time.Now()
		a := readAnswer(t, rawRequest(t, addr(h), post(h, signedRequest{}), 1000, []byte(`{"Inst`)), 10*time.Second)
		if a.status != 408 || a.errType != "RequestTimeoutException" {
			t.Errorf("trickled body: %d %s %s, want 408 RequestTimeoutException", a.status, a.errType, a.body)
		}
		if d := time.Since(start); d < bodyTimeout {
			t.Errorf("trickled body cut after %v, before the %v deadline", d, bodyTimeout)
		}
		// The stream, open for longer than the body deadline, still delivers.
		ctx := context.Background()
		h.newContact(ctx, h.setup(ctx))
		events := bufio.NewReader(stream.Body)
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("event stream ended after the body deadline: %v", err)
			}
			if strings.HasPrefix(line, "data:") {
				break
			}
		}
	})

	t.Run("unauthenticated bodies share one budget", func(t *testing.T) {
		// Four clients announcing 16 MiB each and sending nothing fill it;
		// the next body is refused with a ThrottlingException (which the
		// SDKs retry) until they go away.
		h := startServer(t, nil)
		var holders []net.Conn
		for i := 0; i < awsapi.DefaultPendingBodyBytes/awsapi.MaxBodyBytes; i++ {
			holders = append(holders, rawRequest(t, addr(h), post(h, signedRequest{}), big, nil))
		}
		next := func() *http.Request { return post(h, signedRequest{}) }
		if a := pollUntil(t, next, func(a answer) bool { return a.status == 429 }); a.errType != "ThrottlingException" {
			t.Errorf("over the budget: %d %s", a.status, a.errType)
		}
		for _, c := range holders {
			c.Close()
		}
		if a := pollUntil(t, next, func(a answer) bool { return a.status != 429 }); a.errType != "InvalidRequestException" {
			t.Errorf("budget given back: %d %s %s", a.status, a.errType, a.body)
		}
	})
}

// pollUntil sends fresh requests until one's answer satisfies done, and
// returns it; it fails the test after 20 seconds.
func pollUntil(t *testing.T, req func() *http.Request, done func(answer) bool) answer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := do(t, req())
		if done(a) {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached; last answer %d %s %s", a.status, a.errType, a.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetricLabelsAreKnown (issue 12 item 5): the service label came from the
// unverified credential scope, so every forged request could add series.
func TestMetricLabelsAreKnown(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	for i := 0; i < 200; i++ {
		req := signedRequest{method: "GET", url: h.url + "/instance", service: fmt.Sprintf("forged-%d", i)}.build(t)
		if a := do(t, req); a.status < 400 {
			t.Fatalf("forged scope answered %d", a.status)
		}
	}
	if _, err := h.client.ListInstances(context.Background(), &connect.ListInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	a := do(t, plain(t, h.url+"/metrics", ""))
	services := map[string]bool{}
	for _, line := range strings.Split(string(a.body), "\n") {
		if !strings.HasPrefix(line, "connectmail_api_request") {
			continue
		}
		_, rest, ok := strings.Cut(line, `service="`)
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, `"`)
		services[name] = true
	}
	if !services["connect"] || !services["unknown"] || len(services) != 2 {
		t.Errorf("service labels %v, want connect and unknown", services)
	}
}

// TestUnsignedPayloadRefused (issue 12 item 7): UNSIGNED-PAYLOAD is S3's; on
// these services a header-signed request declaring it, with a body nobody
// signed, is refused as AWS refuses it (the signature covers the body).
func TestUnsignedPayloadRefused(t *testing.T) {
	t.Parallel()
	h := startServer(t, nil)
	req := signedRequest{method: "PUT", url: h.url + "/instance", contentType: "application/json", payloadHash: "UNSIGNED-PAYLOAD",
		body: []byte(`{"IdentityManagementType":"CONNECT_MANAGED","InboundCallsEnabled":true,"OutboundCallsEnabled":true,"InstanceAlias":"tampered"}`)}.build(t)
	if a := do(t, req); a.status != 403 || a.errType != "InvalidSignatureException" {
		t.Errorf("UNSIGNED-PAYLOAD: %d %s %s", a.status, a.errType, a.body)
	}
	list, err := h.client.ListInstances(context.Background(), &connect.ListInstancesInput{})
	if err != nil || len(list.InstanceSummaryList) != 0 {
		t.Fatalf("instances: %+v %v", list, err)
	}
}

// TestBasicAuthAndProfilePermission (issue 12 item 7): the inspection API's
// Basic credentials must match exactly (compared in constant time: not
// observable here), and the profiles need debug:pprof, not inspect access.
func TestBasicAuthAndProfilePermission(t *testing.T) {
	t.Parallel()
	inspector := key{id: "inspector", secret: "inspector-secret", allow: []string{"inspect:*"}}
	profiler := key{id: "profiler", secret: "profiler-secret", allow: []string{"debug:pprof"}}
	file := writeCredentials(t, "", key{id: "test", secret: "test"}, inspector, profiler)
	h := startServer(t, func(c *server.Config) { c.CredentialsFile = file; c.Profiling = true })
	get := func(path, id, secret string) int {
		t.Helper()
		req := plain(t, h.url+path, "")
		if id != "" {
			req.SetBasicAuth(id, secret)
		}
		return do(t, req).status
	}
	for _, tc := range []struct {
		name, path, id, secret string
		status                 int
	}{
		{"inspector", "/api/v1/messages", inspector.id, inspector.secret, 200},
		{"secret's prefix", "/api/v1/messages", inspector.id, inspector.secret[:5], 401},
		{"secret with more", "/api/v1/messages", inspector.id, inspector.secret + "x", 401},
		{"empty secret", "/api/v1/messages", inspector.id, "", 401},
		{"unknown key", "/api/v1/messages", "nobody", inspector.secret, 401},
		{"no credentials", "/api/v1/messages", "", "", 401},
		{"inspector reads metrics", "/metrics", inspector.id, inspector.secret, 200},
		{"inspector reads a profile", "/debug/pprof/heap", inspector.id, inspector.secret, 401},
		{"profiler reads a profile", "/debug/pprof/heap", profiler.id, profiler.secret, 200},
		{"profiler reads the inspection API", "/api/v1/messages", profiler.id, profiler.secret, 401},
		{"a key allowed everything reads a profile", "/debug/pprof/heap", "test", "test", 200},
	} {
		if st := get(tc.path, tc.id, tc.secret); st != tc.status {
			t.Errorf("%s: %s → %d, want %d", tc.name, tc.path, st, tc.status)
		}
	}
}

// TestHTTPConnectionAndHeaderBounds: clients that never authenticate hold at
// most MaxConnections connections of at most 64 KiB of headers each. A
// slowloris fills the cap; the next client waits for a free connection
// instead of adding to the server's memory, and oversized headers are refused.
func TestHTTPConnectionAndHeaderBounds(t *testing.T) {
	cfg := servertest.Config(t)
	cfg.MaxConnections = 3
	srv := servertest.Start(t, cfg)

	t.Run("headers", func(t *testing.T) {
		req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", 100<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("100 KiB of headers: %d, want 431", resp.StatusCode)
		}
	})

	t.Run("connections", func(t *testing.T) {
		// Three connections trickle a request line that never ends.
		var held []net.Conn
		for i := 0; i < 3; i++ {
			c, err := net.Dial("tcp", srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")); err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		answered := make(chan error, 1)
		go func() {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Get(srv.URL + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			answered <- err
		}()
		select {
		case err := <-answered:
			t.Fatalf("a fourth connection was served while three were held (err %v)", err)
		case <-time.After(300 * time.Millisecond):
		}
		held[0].Close()
		select {
		case err := <-answered:
			if err != nil {
				t.Fatalf("the waiting client, once a connection closed: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the waiting client was not served after a connection closed")
		}
	})
}
