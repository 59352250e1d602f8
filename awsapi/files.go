package awsapi

import (
	"context"
	"errors"
	"io"
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
	u := caller.Endpoint + filePath(instanceID, fileID) + "?X-Amz-Expires=" + strconv.Itoa(int(expires/time.Second))
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return "", err
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	signed, _, err := v4.NewSigner().PresignHTTP(ctx, aws.Credentials{AccessKeyID: caller.AccessKeyID, SecretAccessKey: secret},
		req, "UNSIGNED-PAYLOAD", "connect", caller.Region, now())
	return signed, err
}

// FileHandler serves the upload and download URLs of attached files.
type FileHandler struct {
	Service  *connect.Service
	Verifier *sigv4.Verifier
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
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, shape: "MethodNotAllowedException", msg: "Files are uploaded with PUT and downloaded with GET"}, false)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, connect.MaxFileBytes+1))
	if err != nil {
		fail(&fault.Error{Kind: fault.Invalid, Message: "The upload is larger than an attached file may be",
			Reason: map[string]any{"AttachedFileInvalidRequestExceptionReason": connect.ReasonInvalidFileSize}})
		return
	}
	id, err := h.Verifier.Verify(r, body)
	if err != nil {
		writeError(w, authError(err), false)
		return
	}
	if id.Service != "connect" {
		writeError(w, &apiError{status: http.StatusForbidden, shape: sigv4.CodeInvalidSignature, msg: "Attached-file URLs are signed for the service connect"}, false)
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
