package events

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Stream serves the event log as Server-Sent Events. A client resumes with
// the Last-Event-ID header or ?after=<id>; without either it starts at the
// current end of the log (?after=0 replays everything).
type Stream struct {
	Log      Log
	Notifier *Notifier
	Renderer *Renderer
	// Poll is how often the log is re-read without a notification (default 1s),
	// which carries events committed by other processes sharing the database.
	Poll time.Duration
	// Done ends every open stream when closed (server shutdown), since a
	// stream never goes idle by itself.
	Done <-chan struct{}
}

// ServeHTTP implements http.Handler.
func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ctx := r.Context()
	pos := int64(-1)
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		pos, _ = strconv.ParseInt(v, 10, 64)
	} else if v := r.URL.Query().Get("after"); v != "" {
		pos, _ = strconv.ParseInt(v, 10, 64)
	}
	if pos < 0 {
		last, err := s.Log.LastEventID(ctx)
		if err != nil {
			http.Error(w, "event log unavailable", http.StatusInternalServerError)
			return
		}
		pos = last
	}
	instance := r.URL.Query().Get("instanceId")
	poll := s.Poll
	if poll <= 0 {
		poll = time.Second
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n: position %d\n\n", pos)
	fl.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		wait := s.Notifier.Wait()
		for {
			evs, err := s.Log.ListEventsSince(ctx, pos, 500)
			if err != nil {
				return
			}
			for _, e := range evs {
				pos = e.ID
				if instance != "" && e.InstanceID != instance {
					continue
				}
				b, _ := json.Marshal(s.Renderer.Render(ctx, e))
				fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, e.Type, b)
			}
			fl.Flush()
			if len(evs) < 500 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.Done:
			return
		case <-wait:
		case <-time.After(poll):
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
			fl.Flush()
		}
	}
}
