package server

import (
	"fmt"
	"net/http"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// profilePrefix is where --pprof serves the Go runtime's profiles.
const profilePrefix = "/debug/pprof/"

// profileAction is the permission the profiles need: its own, since a
// profile shows far more than the inspection API (and a CPU profile costs
// the server while it runs).
const profileAction = "debug:pprof"

// profileHandler serves runtime profiles in the format `go tool pprof`
// reads: /debug/pprof/profile?seconds=N records the CPU for N seconds
// (default 30, at most 300); any other name is a runtime/pprof profile
// (heap, allocs, goroutine, block, mutex, threadcreate).
type profileHandler struct{}

func (profileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, profilePrefix)
	if name != "profile" {
		p := pprof.Lookup(name)
		if p == nil {
			http.Error(w, fmt.Sprintf("unknown profile %q", name), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_ = p.WriteTo(w, 0)
		return
	}
	secs := 30
	if v := r.URL.Query().Get("seconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 300 {
			http.Error(w, "seconds must be between 1 and 300", http.StatusBadRequest)
			return
		}
		secs = n
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if err := pprof.StartCPUProfile(w); err != nil {
		// Another CPU profile is being recorded.
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	select {
	case <-time.After(time.Duration(secs) * time.Second):
	case <-r.Context().Done():
	}
	pprof.StopCPUProfile()
}
