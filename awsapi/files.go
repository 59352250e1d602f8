package awsapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/google/uuid"
)

// Attached files are uploaded and downloaded through URLs connectmail serves
// itself, on the API listener: PUT or GET /files/{InstanceId}/{FileId}, with
// a SigV4 query-string signature made with the key of the caller that asked
// for the URL (StartAttachedFileUpload, GetAttachedFile), scoped to its
// region and the service "connect", and valid for the requested expiry.
//
// A signature alone proves only who signed, and every client can presign
// its own URL for any path. So each URL also carries a grant
// (GrantParam): an HMAC, under a key only the server knows, of the method,
// the file, the signing key and the URL's validity. A URL is served only
// when its grant matches, its signature verifies, and its key still has
// the permission of the operation that issued it.

// GrantParam is the query parameter of an attached-file URL that proves the
// server issued it for that file, method, key and validity.
const GrantParam = "X-Connectmail-Grant"

// fileAction is the permission an attached-file URL needs at use time: that
// of the operation which issues URLs for its method.
func fileAction(method string) string {
	if method == http.MethodPut {
		return "connect:StartAttachedFileUpload"
	}
	return "connect:GetAttachedFile"
}

// fileGrant is the grant of one URL: HMAC-SHA256 over its length-prefixed
// fields.
func fileGrant(key []byte, method, instanceID, fileID, accessKeyID, amzDate, expires string) []byte {
	m := hmac.New(sha256.New, key)
	for _, f := range []string{method, instanceID, fileID, accessKeyID, amzDate, expires} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return m.Sum(nil)
}

// Endpoint returns the base URL a request reached the server at, for the
// URLs handed back to its caller.
func Endpoint(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// FilePresigner implements connect.FileURLs with SigV4 presigned URLs.
type FilePresigner struct {
	// Secrets resolves the caller's access key.
	Secrets sigv4.SecretLookup
	// GrantKey signs the grant of every URL; FileHandler.GrantKey must be
	// the same (for instance credentials.Set.DerivedKey, the same on every
	// node).
	GrantKey []byte
	// Now returns the signing time (time.Now when nil).
	Now func() time.Time
}

// Presign implements connect.FileURLs.
func (p *FilePresigner) Presign(ctx context.Context, method, instanceID, fileID string, expires time.Duration) (string, error) {
	caller := connect.CallerFrom(ctx)
	if caller.Endpoint == "" {
		return "", errors.New("the caller's endpoint is unknown")
	}
	secret, ok := p.Secrets(caller.AccessKeyID)
	if !ok {
		return "", errors.New("the caller's access key is unknown")
	}
	if len(p.GrantKey) == 0 {
		return "", errors.New("attached-file URLs need a grant key")
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	at := now().UTC()
	exp := strconv.Itoa(int(expires / time.Second))
	grant := fileGrant(p.GrantKey, method, instanceID, fileID, caller.AccessKeyID, at.Format(amzDateLayout), exp)
	u := caller.Endpoint + filePath(instanceID, fileID) + "?X-Amz-Expires=" + exp + "&" + GrantParam + "=" + hex.EncodeToString(grant)
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return "", err
	}
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: caller.AccessKeyID, SecretAccessKey: secret},
		req, "UNSIGNED-PAYLOAD", "connect", caller.Region, at)
	return signed, err
}

// amzDateLayout is the X-Amz-Date format.
const amzDateLayout = "20060102T150405Z"

// FileHandler serves the upload and download URLs of attached files.
type FileHandler struct {
	Service *connect.Service
	// Verifier must allow unsigned payloads: the URLs are presigned the way
	// S3's are.
	Verifier *sigv4.Verifier
	// Auth decides whether the URL's key may still perform the operation
	// that issued it.
	Auth Authorizer
	// GrantKey checks the grants FilePresigner put in the URLs.
	GrantKey []byte
	// Bodies bounds the uploads read before their signature is verified
	// (a default budget of its own when nil).
	Bodies *BodyBudget
}

// ServeHTTP implements http.Handler.
func (h *FileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	model := apimodel.Connect()
	op := model.Ops["GetAttachedFile"]
	if r.Method == http.MethodPut {
		op = model.Ops["StartAttachedFileUpload"]
	}
	svc := &Service{Model: model}
	fail := func(err error) {
		writeError(w, (&Server{}).mapError(svc, op, err), false)
	}
	w.Header().Set("x-amzn-RequestId", uuid.NewString())
	instanceID, fileID, ok := parseFilePath(r.URL.EscapedPath())
	if !ok {
		fail(fault.NotFoundf("File", "No file at %s", r.URL.Path))
		return
	}
	if r.Method != http.MethodPut && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, PUT")
		writeError(w, refuse(model, "MethodNotAllowedException", "Files are uploaded with PUT and downloaded with GET"), false)
		return
	}
	pending, err := h.Verifier.Check(r)
	if err != nil {
		writeError(w, authError(err), false)
		return
	}
	if !pending.Verified() {
		// Every URL the server issues is presigned over UNSIGNED-PAYLOAD
		// with only host signed, which Check settles: this one is not such
		// a URL, or was altered (its method, path or expiry).
		writeError(w, authError(sigv4.MismatchError()), false)
		return
	}
	claimed := pending.Claimed()
	if claimed.Service != "connect" {
		writeError(w, authError(&sigv4.Error{Code: sigv4.CodeInvalidSignature, Message: "Attached-file URLs are signed for the service connect"}), false)
		return
	}
	if !h.granted(r, instanceID, fileID, claimed.AccessKeyID) {
		fail(fault.New(fault.AccessDenied, "This URL was not issued for %s of this file: ask StartAttachedFileUpload or GetAttachedFile for one", r.Method))
		return
	}
	bodies := h.Bodies
	if bodies == nil {
		bodies = &BodyBudget{}
	}
	body, held, err := bodies.read(w, r, connect.MaxFileBytes)
	if errors.Is(err, errBodyTooLarge) {
		fail(&fault.Error{Kind: fault.Invalid, Message: "The upload is larger than an attached file may be",
			Reason: map[string]any{"AttachedFileInvalidRequestExceptionReason": connect.ReasonInvalidFileSize}})
		return
	}
	if err != nil {
		writeError(w, bodyError(err, model, connect.MaxFileBytes), false)
		return
	}
	id, err := pending.Verify(body)
	bodies.release(held)
	if err != nil {
		writeError(w, authError(err), false)
		return
	}
	if h.Auth != nil && !h.Auth.Allowed(id.AccessKeyID, fileAction(r.Method)) {
		fail(fault.New(fault.AccessDenied, "User: %s is not authorized to perform: %s", id.AccessKeyID, fileAction(r.Method)))
		return
	}
	ctx := connect.WithCaller(r.Context(), connect.Caller{Region: id.Region, AccessKeyID: id.AccessKeyID, Endpoint: Endpoint(r)})
	if r.Method == http.MethodPut {
		if err := h.Service.UploadFile(ctx, instanceID, fileID, body); err != nil {
			fail(err)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	f, data, err := h.Service.DownloadFile(ctx, instanceID, fileID)
	if err != nil {
		fail(err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Last-Modified", f.CreatedAt.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// granted reports whether r carries the grant the server issued for its
// method, file, key and validity (X-Amz-Date and X-Amz-Expires, which the
// signature covers).
func (h *FileHandler) granted(r *http.Request, instanceID, fileID, accessKeyID string) bool {
	if len(h.GrantKey) == 0 {
		return false
	}
	q := r.URL.Query()
	got, err := hex.DecodeString(q.Get(GrantParam))
	if err != nil || len(q[GrantParam]) != 1 {
		return false
	}
	want := fileGrant(h.GrantKey, r.Method, instanceID, fileID, accessKeyID, q.Get("X-Amz-Date"), q.Get("X-Amz-Expires"))
	return hmac.Equal(got, want)
}
