package awsapi

import (
	"strconv"
	"time"
)

// The wire forms of values shared by both services.

// epochSeconds is a timestamp as a JSON body carries it by default:
// seconds since the epoch, with millisecond precision.
func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// isoTime is a timestamp in the ISO 8601 form with milliseconds that the
// models' iso8601 members and the date-time strings of responses use.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// first returns the first value of a query parameter ("" when absent).
func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// atoi parses a validated integer query parameter (0 when absent).
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
