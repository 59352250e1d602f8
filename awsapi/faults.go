package awsapi

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/sigv4"
	"github.com/google/uuid"
)

// FaultHeader is the request header with which a test asks the server to
// fail API calls deterministically. It is honoured only by a handler
// wrapped with InjectFaults (server.Config.FaultInjection); a production
// server ignores it. Its value is "KIND N KEY": the first N requests that
// carry the same value fail, later ones are served normally. KIND is
//
//	throttle     429 ThrottlingException, before the call is performed
//	unavailable  503 ServiceUnavailableException, before the call
//	internal     500 InternalServiceException, before the call
//	lost         the call IS performed, then its response is replaced with
//	             500 InternalServiceException (a response lost on the way):
//	             the SDK's retry, carrying the same idempotency token, must
//	             get the original result and change nothing again
//
// The SDKs retry all four, so a call with N below their attempt limit
// succeeds; KEY makes each test's sequence independent.
const FaultHeader = "X-Connectmail-Fault"

// maxFaultKeys bounds the keys a FaultInjector remembers.
const maxFaultKeys = 10000

// FaultInjector wraps the API handler and fails the requests FaultHeader asks for.
type FaultInjector struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]int
}

// InjectFaults returns next wrapped with fault injection.
func InjectFaults(next http.Handler) *FaultInjector {
	return &FaultInjector{next: next, seen: map[string]int{}}
}

// discard is a ResponseWriter that drops the response of a "lost" call.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// ServeHTTP implements http.Handler.
func (f *FaultInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	spec := r.Header.Get(FaultHeader)
	if spec == "" {
		f.next.ServeHTTP(w, r)
		return
	}
	fields := strings.Fields(spec)
	n := 0
	if len(fields) == 3 {
		n, _ = strconv.Atoi(fields[1])
	}
	kind := ""
	if len(fields) > 0 {
		kind = fields[0]
	}
	f.mu.Lock()
	if len(f.seen) >= maxFaultKeys {
		clear(f.seen)
	}
	f.seen[spec]++
	fail := f.seen[spec] <= n
	f.mu.Unlock()
	_, _, service, _ := sigv4.Scope(r)
	lower := service == "wisdom"
	model, internal := apimodel.Connect(), "InternalServiceException"
	if lower {
		model, internal = apimodel.QConnect(), "InternalServerException"
	}
	e := refuse(model, internal, "Injected fault: internal error")
	switch kind {
	case "throttle":
		e = refuse(model, "ThrottlingException", "Injected fault: rate exceeded")
	case "unavailable":
		e = refuse(model, "ServiceUnavailableException", "Injected fault: service unavailable")
	case "internal", "lost":
	default:
		fail = false
	}
	if !fail {
		f.next.ServeHTTP(w, r)
		return
	}
	if kind == "lost" {
		f.next.ServeHTTP(&discard{h: http.Header{}}, r)
	}
	w.Header().Set("x-amzn-RequestId", uuid.NewString())
	writeError(w, e, lower)
}
