package sigv4

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// captured is a request as a real net/http server parsed it, with its body.
type captured struct {
	r    *http.Request
	body []byte
	// id and err are the handler's own Verify result when the server was
	// started with a Verifier.
	id  Identity
	err error
}

// capServer is a real HTTP server on the loopback interface that hands every
// request it receives back to the test. With a Verifier it also verifies the
// request in the handler and answers like AWS does on failure.
type capServer struct {
	srv *httptest.Server
	ch  chan captured
}

func newCapServer(t *testing.T, v *Verifier) *capServer {
	t.Helper()
	c := &capServer{ch: make(chan captured, 16)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got := captured{r: r, body: body}
		if v != nil {
			got.id, got.err = v.Verify(r, body)
		}
		c.ch <- got
		w.Header().Set("Content-Type", "application/json")
		var e *Error
		if errors.As(got.err, &e) {
			status := http.StatusForbidden
			if e.Code == CodeIncompleteSignature {
				status = http.StatusBadRequest
			}
			w.Header().Set("X-Amzn-ErrorType", e.Code)
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message":%q}`, e.Message)
			return
		}
		io.WriteString(w, "{}")
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// next returns the request the server received last.
func (c *capServer) next(t *testing.T) captured {
	t.Helper()
	select {
	case got := <-c.ch:
		return got
	case <-time.After(10 * time.Second):
		t.Fatal("server received no request")
		return captured{}
	}
}

// do sends req with a real HTTP client and returns what the server received.
func (c *capServer) do(t *testing.T, req *http.Request) captured {
	t.Helper()
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c.next(t)
}

// raw writes a request byte for byte (request line, the given header lines
// in order, body) on a fresh connection and returns what the server received.
// It adds Content-Length when the headers lack it and the body is not empty.
func (c *capServer) raw(t *testing.T, method, target string, headers [][2]string, body []byte) captured {
	t.Helper()
	conn, err := net.Dial("tcp", c.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	hasLength := false
	for _, h := range headers {
		if strings.EqualFold(h[0], "content-length") {
			hasLength = true
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if !hasLength && len(body) > 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 400 && resp.Header.Get("X-Amzn-ErrorType") == "" {
		t.Fatalf("server rejected the raw request itself: %s", resp.Status)
	}
	return c.next(t)
}

// fixedClock returns a Now function that always reports t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// staticSecrets is a SecretLookup over a map.
func staticSecrets(m map[string]string) SecretLookup {
	return func(id string) (string, bool) {
		s, ok := m[id]
		return s, ok
	}
}

// wantCode checks that err is an *Error with the given code ("" for success).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("Verify failed: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify = %v, want *Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("Verify code = %s (%s), want %s", e.Code, e.Message, code)
	}
}
