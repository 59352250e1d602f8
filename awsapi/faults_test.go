package awsapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/connectmail/connectmail/awsapi"
)

func TestInjectFaults(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	srv := httptest.NewServer(awsapi.InjectFaults(inner))
	defer srv.Close()
	call := func(fault, scope string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/instance/x", nil)
		if fault != "" {
			req.Header.Set(awsapi.FaultHeader, fault)
		}
		if scope != "" {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/"+scope+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
	}
	type attempt struct {
		status  int
		errType string
		served  int64 // calls that reached the API so far
	}
	for _, tc := range []struct {
		name  string
		fault string
		scope string
		want  []attempt
	}{
		{"no header", "", "connect", []attempt{{200, "", 1}}},
		{"throttle", "throttle 2 a", "connect", []attempt{{429, "ThrottlingException", 0}, {429, "ThrottlingException", 0}, {200, "", 1}}},
		{"qconnect throttling is 400", "throttle 1 b", "wisdom", []attempt{{400, "ThrottlingException", 0}, {200, "", 1}}},
		{"unavailable", "unavailable 1 c", "connect", []attempt{{503, "ServiceUnavailableException", 0}, {200, "", 1}}},
		{"internal", "internal 1 d", "connect", []attempt{{500, "InternalServiceException", 0}, {200, "", 1}}},
		{"qconnect internal", "internal 1 e", "wisdom", []attempt{{500, "InternalServerException", 0}, {200, "", 1}}},
		{"lost responses are served", "lost 2 f", "connect", []attempt{{500, "InternalServiceException", 1}, {500, "InternalServiceException", 2}, {200, "", 3}}},
		{"unknown kind", "explode 3 g", "connect", []attempt{{200, "", 1}}},
		{"keys are independent", "throttle 1 a2", "connect", []attempt{{429, "ThrottlingException", 0}, {200, "", 1}}},
	} {
		served.Store(0)
		for i, w := range tc.want {
			st, et := call(tc.fault, tc.scope)
			if st != w.status || et != w.errType || served.Load() != w.served {
				t.Errorf("%s, attempt %d: %d %q with %d served, want %d %q with %d", tc.name, i+1, st, et, served.Load(), w.status, w.errType, w.served)
			}
		}
	}
}
