package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// emptyHash is the SHA-256 of an empty payload.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// requestTimeout bounds every call, so that a hung server ends the run
// with errors instead of hanging it.
const requestTimeout = 60 * time.Second

// apiClient is a lean SigV4 client: net/http with keep-alive connections, a
// pre-built body per call and the SDK's v4 signer, nothing else.
type apiClient struct {
	base   string
	hc     *http.Client
	signer *v4.Signer
	creds  aws.Credentials
	region string
}

func newTransport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
}

func newAPIClient(base, accessKey, secretKey, region string, conns int) *apiClient {
	return &apiClient{
		base:   strings.TrimRight(base, "/"),
		hc:     &http.Client{Transport: newTransport(conns), Timeout: requestTimeout},
		signer: v4.NewSigner(),
		creds:  aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, Source: "connectmail bench"},
		region: region,
	}
}

// result is the outcome of one HTTP call whose body is in the caller's buffer.
type result struct {
	status  int
	errType string
}

// call signs and sends one request, reading the response body into buf.
// hash is the payload's hex SHA-256, or "" to compute it.
func (c *apiClient) call(ctx context.Context, buf *bytes.Buffer, method, path, service string, body []byte, hash string) (result, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return result{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if hash == "" {
		hash = hashOf(body)
	}
	if err := c.signer.SignHTTP(ctx, c.creds, req, hash, service, c.region, time.Now()); err != nil {
		return result{}, err
	}
	return do(c.hc, req, buf)
}

// hashOf is the hex SHA-256 of a payload.
func hashOf(body []byte) string {
	if len(body) == 0 {
		return emptyHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// do sends req and reads the whole body into buf.
func do(hc *http.Client, req *http.Request, buf *bytes.Buffer) (result, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return result{}, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return result{}, err
	}
	return result{status: resp.StatusCode, errType: resp.Header.Get("X-Amzn-Errortype")}, nil
}

// APIError is a setup call that the server refused.
type APIError struct {
	Op     string
	Status int
	Type   string
	Body   string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.Op, e.Status, e.Type, strings.TrimSpace(e.Body))
}

// mustCall is call for setup steps: anything but a 2xx is an *APIError.
func (c *apiClient) mustCall(ctx context.Context, op, method, path, service string, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	r, err := c.call(ctx, &buf, method, path, service, body, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if r.status/100 != 2 {
		b := buf.String()
		if len(b) > 500 {
			b = b[:500]
		}
		return nil, &APIError{Op: op, Status: r.status, Type: r.errType, Body: b}
	}
	return buf.Bytes(), nil
}
