package awsapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/connectmail/connectmail/apimodel"
)

// DefaultPendingBodyBytes is the default of BodyBudget.Max: the request body
// bytes held, over all requests together, before their signatures are
// verified. It leaves room for a few of the largest bodies at once.
const DefaultPendingBodyBytes = 64 << 20

// DefaultBodyTimeout is the default of BodyBudget.Timeout.
const DefaultBodyTimeout = time.Minute

// BodyBudget bounds what reading request bodies costs before anyone knows
// whether they are genuine: the bytes held by all such bodies together, and
// the time each may take to arrive. One budget is shared by every handler
// that reads a signed body (the AWS API and the attached-file URLs). The
// zero value uses the defaults; it is safe for concurrent use.
type BodyBudget struct {
	// Max bounds the body bytes held at once (DefaultPendingBodyBytes when 0).
	Max int64
	// Timeout bounds the time one body takes to arrive (DefaultBodyTimeout when 0).
	Timeout time.Duration

	mu   sync.Mutex
	used int64
}

var (
	errBodyTooLarge = errors.New("request body too large")
	errBodyBusy     = errors.New("too many request body bytes pending")
	errBodyTimeout  = errors.New("request body not received in time")
)

func (b *BodyBudget) take(n int64) bool {
	max := b.Max
	if max <= 0 {
		max = DefaultPendingBodyBytes
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > max {
		return false
	}
	b.used += n
	return true
}

// release gives back n bytes taken by read.
func (b *BodyBudget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// read reads r's body, at most limit bytes, within the budget's time. The
// bytes it returns as held stay charged to the budget until release(held):
// the caller releases them once the signature is verified.
func (b *BodyBudget) read(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, held int64, err error) {
	if r.ContentLength > limit {
		return nil, 0, errBodyTooLarge
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, 0, nil
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	// A per-request deadline, not http.Server.ReadTimeout: the same listener
	// serves event streams that stay open for hours. It is lifted once the
	// body is in; after a failure it stays, so that what the server still
	// drains of the body is bounded too, and the connection is not reused.
	// (A writer without a ResponseController, as in a wrapped handler,
	// keeps no deadline.)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(timeout))
	body, held, err = b.readBody(w, r, limit)
	if err != nil {
		w.Header().Set("Connection", "close")
		return nil, 0, err
	}
	_ = rc.SetReadDeadline(time.Time{})
	return body, held, nil
}

func (b *BodyBudget) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, int64, error) {
	if n := r.ContentLength; n > 0 {
		if !b.take(n) {
			return nil, 0, errBodyBusy
		}
		body, err := readN(r.Body, n)
		if err != nil {
			b.release(n)
			return nil, 0, bodyReadError(err)
		}
		return body, n, nil
	}
	// No length given (chunked): charge the budget as the bytes arrive.
	cr := &chargedReader{r: http.MaxBytesReader(w, r.Body, limit), b: b}
	body, err := io.ReadAll(cr)
	if err != nil {
		b.release(cr.held)
		return nil, 0, bodyReadError(err)
	}
	return body, cr.held, nil
}

func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errBodyTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errBodyTimeout
	case errors.Is(err, errBodyBusy):
		return errBodyBusy
	}
	return err
}

// readN reads exactly n bytes, growing its buffer as they arrive so that a
// client announcing a large body and sending little costs little memory;
// past the first MiB it allocates the rest at once, to leave little garbage.
func readN(r io.Reader, n int64) ([]byte, error) {
	const first, direct = 64 << 10, 1 << 20
	buf := make([]byte, 0, min(n, first))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			next := 2 * int64(cap(buf))
			if cap(buf) >= direct {
				next = n
			}
			grown := make([]byte, len(buf), min(n, next))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF && int64(len(buf)) < n {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return buf, nil
}

// chargedReader charges every byte it reads to a budget.
type chargedReader struct {
	r    io.Reader
	b    *BodyBudget
	held int64
}

func (c *chargedReader) Read(p []byte) (int, error) {
	const chunk = 32 << 10
	if len(p) > chunk {
		p = p[:chunk]
	}
	if !c.b.take(int64(len(p))) {
		return 0, errBodyBusy
	}
	n, err := c.r.Read(p)
	c.b.release(int64(len(p) - n))
	c.held += int64(n)
	return n, err
}

// bodyError is the AWS-shaped answer to a body that could not be read.
func bodyError(err error, model *apimodel.Service, limit int64) *apiError {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return refuse(model, "RequestEntityTooLargeException", "Request body is larger than "+strconv.FormatInt(limit, 10)+" bytes")
	case errors.Is(err, errBodyBusy):
		// Both services model ThrottlingException, which every SDK retries.
		return refuse(model, "ThrottlingException", "Too many request bodies are being received at once; retry later")
	case errors.Is(err, errBodyTimeout):
		// The Go, JS and Python SDKs retry RequestTimeoutException.
		return refuse(model, "RequestTimeoutException", "The request body did not arrive within the time allowed")
	}
	return refuse(model, "SerializationException", "could not read the request body")
}

// corsSafelisted reports whether a Content-Type is one a browser sends
// cross-origin without a CORS preflight (the Fetch standard's
// CORS-safelisted request-header), or is missing.
func corsSafelisted(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true // not a type any SDK sends; refuse rather than guess
	}
	switch mt {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return true
	}
	return false
}
