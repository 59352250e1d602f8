package awsapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"
)

// TestReadN: the growing buffer returns exactly the announced bytes, and a
// body shorter than announced is an error.
func TestReadN(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 64 << 10, 64<<10 + 1, 1 << 20, 3<<20 + 7} {
		want := bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]
		got, err := readN(iotest.HalfReader(bytes.NewReader(want)), int64(n))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("n=%d: %d bytes, %v", n, len(got), err)
		}
		if _, err := readN(bytes.NewReader(want[:n-1]), int64(n)); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("n=%d, one byte short: %v", n, err)
		}
	}
}

// TestBodyBudgetChunked: a body without Content-Length is charged as it
// arrives, refused once over the budget, and given back on release.
func TestBodyBudgetChunked(t *testing.T) {
	t.Parallel()
	b := &BodyBudget{Max: 100 << 10}
	type result struct {
		n, held int64
		err     error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, held, err := b.read(w, r, 1<<20)
		b.release(held)
		results <- result{int64(len(body)), held, err}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		size int
		err  error
	}{
		{50 << 10, nil},
		{200 << 10, errBodyBusy},
		{50 << 10, nil}, // the refused one gave its bytes back
	} {
		// An io.Reader of unknown length makes the client send it chunked.
		req, _ := http.NewRequest("PUT", srv.URL, io.MultiReader(bytes.NewReader(make([]byte, tc.size))))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		got := <-results
		if !errors.Is(got.err, tc.err) || tc.err == nil && (got.n != int64(tc.size) || got.held != got.n) {
			t.Errorf("%d bytes: read %d, held %d, %v; want %v", tc.size, got.n, got.held, got.err, tc.err)
		}
		b.mu.Lock()
		used := b.used
		b.mu.Unlock()
		if used != 0 {
			t.Errorf("%d bytes: %d still charged after release", tc.size, used)
		}
	}
}
