package awsapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectmail/connectmail/awsapi"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/connectmail/connectmail/sqlite"
)

// TestFileURLExpiryIsTheRealOne: the UrlExpiry StartAttachedFileUpload and
// GetAttachedFile announce is when the URL stops working — accepted at that
// instant, refused a second later — although the clock reads a fraction of
// a second when the URL is signed (X-Amz-Date has whole seconds).
func TestFileURLExpiryIsTheRealOne(t *testing.T) {
	t.Parallel()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "f.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := time.Date(2026, 3, 1, 10, 0, 0, 900e6, time.UTC)
	now := func() time.Time { return clock }
	secrets := func(id string) (string, bool) { return "test", id == "test" }
	grantKey := []byte("grant key")
	svc := connect.NewService(connect.Config{AccountID: "000000000000", Stores: connect.StoresOf(store), Now: now,
		Files: &awsapi.FilePresigner{Secrets: secrets, GrantKey: grantKey, Now: now}})
	srv := httptest.NewServer(&awsapi.FileHandler{Service: svc, GrantKey: grantKey,
		Verifier: &sigv4.Verifier{Secrets: secrets, Now: now, AllowUnsignedPayload: true}})
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
	up, err := svc.StartAttachedFileUpload(ctx, &connect.StartAttachedFileUploadInput{InstanceID: inst.ID, FileName: "a.txt",
		FileSizeInBytes: 5, FileUseCaseType: "ATTACHMENT", AssociatedResourceArn: c.ARN, URLExpiryInSeconds: 60})
	if err != nil {
		t.Fatal(err)
	}
	// realExpiry is what the signature says: X-Amz-Date plus X-Amz-Expires.
	realExpiry := func(raw string) time.Time {
		t.Helper()
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		at, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
		n, nerr := strconv.Atoi(u.Query().Get("X-Amz-Expires"))
		if err != nil || nerr != nil {
			t.Fatalf("presigned URL %s: %v %v", raw, err, nerr)
		}
		return at.Add(time.Duration(n) * time.Second)
	}
	do := func(method, u, body string, at time.Time) int {
		t.Helper()
		clock = at
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	check := func(what string, m *connect.PresignedURL, method, body string) {
		t.Helper()
		announced := m.URLExpiry
		if real := realExpiry(m.URL); !announced.Equal(real) {
			t.Fatalf("%s: UrlExpiry %s, but the URL expires at %s", what, m.URLExpiry.Format(time.RFC3339Nano), real.Format(time.RFC3339))
		}
		if st := do(method, m.URL, body, announced.Add(time.Second)); st != http.StatusForbidden {
			t.Errorf("%s a second after its UrlExpiry: %d, want 403", what, st)
		}
		if st := do(method, m.URL, body, announced); st != http.StatusOK {
			t.Errorf("%s at its UrlExpiry: %d, want 200", what, st)
		}
	}
	check("upload URL", up.UploadURLMetadata, "PUT", "hello")
	clock = time.Date(2026, 3, 1, 10, 5, 0, 700e6, time.UTC)
	if err := svc.CompleteAttachedFileUpload(ctx, &connect.AttachedFileInput{InstanceID: inst.ID, FileID: up.FileID, AssociatedResourceArn: c.ARN}); err != nil {
		t.Fatal(err)
	}
	got, download, err := svc.GetAttachedFile(ctx, &connect.AttachedFileInput{InstanceID: inst.ID, FileID: up.FileID, AssociatedResourceArn: c.ARN, URLExpiryInSeconds: 30})
	if err != nil || download == nil {
		t.Fatalf("GetAttachedFile: %+v %v", got, err)
	}
	check("download URL", download, "GET", "")
}
