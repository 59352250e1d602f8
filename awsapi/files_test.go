package awsapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/connectmail/connectmail/sqlite"
)

// TestFileURLs exercises the presigned attached-file URLs directly: what
// the signature binds (method, path, expiry, service) and what an upload
// must be.
func TestFileURLs(t *testing.T) {
	t.Parallel()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	secrets := func(id string) (string, bool) { return "test", id == "test" }
	signedAt := time.Now()
	grantKey := []byte("grant key")
	presigner := &awsapi.FilePresigner{Secrets: secrets, GrantKey: grantKey, Now: func() time.Time { return signedAt }}
	svc := connect.NewService(connect.Config{AccountID: "000000000000", Stores: connect.StoresOf(store), Files: presigner})
	srv := httptest.NewServer(&awsapi.FileHandler{Service: svc, Verifier: &sigv4.Verifier{Secrets: secrets, AllowUnsignedPayload: true}, GrantKey: grantKey})
	defer srv.Close()
	ctx := connect.WithCaller(context.Background(), connect.Caller{Region: "us-east-1", AccessKeyID: "test", Endpoint: srv.URL})

	inst, err := svc.CreateInstance(ctx, &connect.CreateInstanceInput{IdentityManagementType: "CONNECT_MANAGED"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateContact(ctx, &connect.CreateContactInput{InstanceID: inst.ID, Channel: "EMAIL", InitiationMethod: "FLOW"})
	if err != nil {
		t.Fatal(err)
	}
	start := func(name string, size int64, expiry int) *connect.FileUpload {
		t.Helper()
		up, err := svc.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{InstanceID: inst.ID, FileName: name,
			FileSizeInBytes: size, FileUseCaseType: "ATTACHMENT", AssociatedResourceArn: c.ARN, URLExpiryInSeconds: expiry})
		if err != nil {
			t.Fatal(err)
		}
		return up
	}
	do := func(method, url, body string) (int, string) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
	}
	up := start("a.txt", 5, 300)
	u := up.UploadURLMetadata.URL
	other := start("b.txt", 5, 300)
	// selfSigned is what any client holding the key can make: a valid
	// signature over a URL of its choosing.
	selfSigned := func(method, rawURL string) string {
		t.Helper()
		req, _ := http.NewRequest(method, rawURL, nil)
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			req, "UNSIGNED-PAYLOAD", "connect", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	grantOf := func(rawURL string) string {
		pu, _ := url.Parse(rawURL)
		return pu.Query().Get(awsapi.GrantParam)
	}
	pathOf := func(fileID string) string {
		return srv.URL + awsapi.FilePathPrefix + url.PathEscape(inst.ID) + "/" + url.PathEscape(fileID)
	}
	filePath := pathOf(other.FileID)
	for _, tc := range []struct {
		name, method, url, body string
		status                  int
		errType                 string
	}{
		{"unsigned", "PUT", strings.Split(u, "?")[0], "hello", 403, sigv4.CodeMissingAuthenticationToken},
		{"another file's path", "PUT", strings.Replace(u, up.FileID, other.FileID, 1), "hello", 403, sigv4.CodeInvalidSignature},
		{"another method", "GET", u, "", 403, sigv4.CodeInvalidSignature},
		{"a longer expiry", "PUT", strings.Replace(u, "X-Amz-Expires=300", "X-Amz-Expires=600", 1), "hello", 403, sigv4.CodeInvalidSignature},
		{"presigned by the client, no grant", "PUT", selfSigned("PUT", filePath+"?X-Amz-Expires=300"), "hello", 403, "AccessDeniedException"},
		{"presigned by the client with another file's grant", "PUT", selfSigned("PUT", filePath+"?X-Amz-Expires=300&"+awsapi.GrantParam+"="+grantOf(u)), "hello", 403, "AccessDeniedException"},
		{"re-signed with a longer expiry", "PUT", selfSigned("PUT", pathOf(up.FileID)+"?X-Amz-Expires=600&"+awsapi.GrantParam+"="+grantOf(u)), "hello", 403, "AccessDeniedException"},
		{"the wrong size", "PUT", u, "hello!", 400, "InvalidRequestException"},
		{"upload", "PUT", u, "hello", 200, ""},
		{"upload again before completion", "PUT", u, "HELLO", 200, ""},
		{"not a file path", "PUT", srv.URL + "/files/" + inst.ID, "x", 404, "ResourceNotFoundException"},
		{"another verb", "DELETE", u, "", 405, "MethodNotAllowedException"},
	} {
		if st, et := do(tc.method, tc.url, tc.body); st != tc.status || et != tc.errType {
			t.Errorf("%s: %d %q, want %d %q", tc.name, st, et, tc.status, tc.errType)
		}
	}
	if err := svc.CompleteAttachedFileUpload(ctx, &connect.AttachedFileInput{InstanceID: inst.ID, FileID: up.FileID, AssociatedResourceArn: c.ARN}); err != nil {
		t.Fatal(err)
	}
	if st, et := do("PUT", u, "hello"); st != 409 || et != "ResourceConflictException" {
		t.Errorf("upload after completion: %d %q", st, et)
	}
	got, download, err := svc.GetAttachedFile(ctx, &connect.AttachedFileInput{InstanceID: inst.ID, FileID: up.FileID, AssociatedResourceArn: c.ARN, URLExpiryInSeconds: 5})
	if err != nil || download == nil {
		t.Fatalf("GetAttachedFile: %+v %v", got, err)
	}
	req, _ := http.NewRequest("GET", download.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != 5 || resp.Header.Get("Content-Type") != "text/plain" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename=a.txt` {
		t.Errorf("download: %d %v", resp.StatusCode, resp.Header)
	}
	// URLs signed long enough ago have expired.
	signedAt = time.Now().Add(-10 * time.Second)
	old := start("c.txt", 1, 5)
	if st, et := do("PUT", old.UploadURLMetadata.URL, "x"); st != 403 || et != sigv4.CodeInvalidSignature {
		t.Errorf("expired URL: %d %q", st, et)
	}
}
