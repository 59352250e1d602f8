package inspect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/inspect"
	"github.com/connectmail/connectmail/inspect/inspecttest"
)

// oneMessage is a Store holding one message (the other methods are not used).
type oneMessage struct {
	inspect.Store
	raw []byte
}

func (s oneMessage) GetMessage(_ context.Context, id string) (*connect.Message, error) {
	return &connect.Message{ContactID: id, Raw: s.raw}, nil
}

// countingWriter is a ResponseWriter that keeps nothing but the body's size.
type countingWriter struct {
	h http.Header
	n int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(int)             {}
func (w *countingWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkHTMLInlineBomb measures what GET /html allocates (B/op) and
// writes (doc-bytes) for one inline image referenced refs times, at two
// sizes: both stay within the HTML body plus the message plus InlineSlack.
func BenchmarkHTMLInlineBomb(b *testing.B) {
	for _, c := range []struct{ refs, imageBytes int }{{20000, 200 << 10}, {40000, 400 << 10}} {
		raw := inspecttest.InlineBomb(c.refs, c.imageBytes)
		h := &inspect.Handler{Store: oneMessage{raw: raw}}
		r := httptest.NewRequest("GET", "/api/v1/messages/c1/html", nil)
		b.Run(fmt.Sprintf("refs=%d/image=%dKiB/message=%dKB", c.refs, c.imageBytes>>10, len(raw)/1000), func(b *testing.B) {
			b.ReportAllocs()
			w := &countingWriter{h: http.Header{}}
			for b.Loop() {
				w.n = 0
				h.ServeHTTP(w, r)
			}
			b.ReportMetric(float64(w.n), "doc-bytes")
		})
	}
}

// BenchmarkPartsNested measures GET /parts of multipart nested depth deep
// (4,000 took 10 s before the walk was bounded).
func BenchmarkPartsNested(b *testing.B) {
	for _, depth := range []int{1000, 4000, 16000} {
		raw := inspecttest.Nested(depth)
		h := &inspect.Handler{Store: oneMessage{raw: raw}}
		r := httptest.NewRequest("GET", "/api/v1/messages/c1/parts", nil)
		b.Run(fmt.Sprintf("depth=%d/message=%dKB", depth, len(raw)/1000), func(b *testing.B) {
			b.ReportAllocs()
			w := &countingWriter{h: http.Header{}}
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}
