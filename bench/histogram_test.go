package bench

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBucketBoundsContainValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []uint64{0, 1, 63, 64, 65, 127, 128, 129, 1000, 1 << 20, 1<<36 - 1}
	for range 10000 {
		values = append(values, rng.Uint64N(1<<36))
	}
	for _, v := range values {
		i := bucketOf(v)
		lo, w := bucketBounds(i)
		if v < lo || v >= lo+w {
			t.Fatalf("value %d in bucket %d = [%d, %d)", v, i, lo, lo+w)
		}
		if v >= subBuckets && float64(w)/float64(v) > 1.0/subBuckets+1e-12 {
			t.Fatalf("bucket of %d is %d wide, more than 1/%d", v, w, subBuckets)
		}
	}
	if i := bucketOf(1 << 40); i != numBuckets-1 {
		t.Errorf("huge value in bucket %d, want the last (%d)", i, numBuckets-1)
	}
}

// TestQuantilesMatchExact compares the histogram's quantiles with exact
// order statistics of the same samples.
func TestQuantilesMatchExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name string
		gen  func() time.Duration
	}{
		{"uniform 0-10ms", func() time.Duration { return time.Duration(rng.Int64N(int64(10 * time.Millisecond))) }},
		{"lognormal around 1ms", func() time.Duration {
			return time.Duration(float64(time.Millisecond) * math.Exp(rng.NormFloat64()))
		}},
		{"bimodal 200µs / 40ms", func() time.Duration {
			if rng.IntN(100) < 97 {
				return 200*time.Microsecond + time.Duration(rng.Int64N(50000))
			}
			return 40*time.Millisecond + time.Duration(rng.Int64N(1e6))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram
			var raw []time.Duration
			for range 50000 {
				d := tc.gen()
				h.record(d)
				raw = append(raw, d)
			}
			slices.Sort(raw)
			prev := time.Duration(0)
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
				exact := raw[int(math.Ceil(q*float64(len(raw))))-1]
				got := h.quantile(q)
				if rel := math.Abs(float64(got-exact)) / float64(exact); rel > 0.02 {
					t.Errorf("q%.3f = %v, exact %v (%.1f %% off)", q, got, exact, rel*100)
				}
				if got < prev {
					t.Errorf("q%.3f = %v below the previous quantile %v", q, got, prev)
				}
				prev = got
			}
			if h.quantile(1) != raw[len(raw)-1] {
				t.Errorf("q1 = %v, want the maximum %v", h.quantile(1), raw[len(raw)-1])
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all histogram
	for i := range 1000 {
		d := time.Duration(i) * time.Microsecond
		all.record(d)
		if i%2 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	a.merge(&b)
	a.merge(nil)
	if a != all {
		t.Error("merging two halves differs from recording everything in one")
	}
	s := a.summary()
	if s.Count != 1000 || s.Max != 0.999 || s.Mean < 0.49 || s.Mean > 0.51 {
		t.Errorf("summary %+v", s)
	}
	var empty histogram
	if got := empty.summary(); got != (Latency{}) {
		t.Errorf("empty summary %+v", got)
	}
}

func TestMetricValue(t *testing.T) {
	page := []byte(`# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 2.1237760e+07
process_resident_memory_bytes_total 5
connectmail_queue_depth 17
connectmail_api_requests_total{operation="CreateContact",service="connect",status="200"} 12
`)
	for _, tc := range []struct {
		name string
		want float64
		ok   bool
	}{
		{"process_resident_memory_bytes", 21237760, true},
		{"connectmail_queue_depth", 17, true},
		{"connectmail_api_requests_total", 0, false},
		{"process_resident_memory", 0, false},
	} {
		got, ok := metricValue(page, tc.name)
		if ok != tc.ok || got != tc.want {
			t.Errorf("metricValue(%s) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestContactID(t *testing.T) {
	for _, tc := range []struct {
		body, want string
		ok         bool
	}{
		{`{"ContactId":"0a1b2c3d-0000-4000-8000-000000000001","ContactArn":"arn:x"}`, "0a1b2c3d-0000-4000-8000-000000000001", true},
		{`{ "ContactArn": "arn:x", "ContactId" : "abc-123" }`, "abc-123", true},
		{`{"ContactId":"a\"b"}`, "", false},
		{`{"ContactId":"../x"}`, "", false},
		{`{"ContactId":""}`, "", false},
		{`not json`, "", false},
	} {
		got, ok := contactID([]byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("contactID(%s) = %q, %v; want %q, %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestGroup(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := group(in); got != want {
			t.Errorf("group(%d) = %q, want %q", in, got, want)
		}
	}
}

// TestRunPhaseOpenLoopSchedule: the open loop keeps its schedule when an
// iteration stalls, and the stall shows in the latency measured from the
// scheduled time (no coordinated omission).
func TestRunPhaseOpenLoopSchedule(t *testing.T) {
	var calls atomic.Int64
	live := &counters{}
	res := runPhase(context.Background(), plan{name: "t", workers: 8, rate: 200, count: 100,
		iter: func(ctx context.Context, w *worker, sched time.Time) bool {
			if time.Since(sched) < 0 {
				t.Error("iteration started before its scheduled time")
			}
			d := time.Millisecond
			if calls.Add(1) == 1 {
				d = 100 * time.Millisecond // one stall
			}
			time.Sleep(d)
			w.record(opSend, time.Since(sched))
			return true
		}}, live)
	if res.ok != 100 || res.failed != 0 {
		t.Fatalf("ok %d failed %d", res.ok, res.failed)
	}
	// 100 iterations at 200/s take about 0.5 s whatever one stall does.
	if res.elapsed < 490*time.Millisecond || res.elapsed > 900*time.Millisecond {
		t.Errorf("elapsed %v, want about 500ms", res.elapsed)
	}
	if mx := res.hist[opSend].summary().Max; mx < 100 {
		t.Errorf("the 100 ms stall does not show: max %.1f ms", mx)
	}
}

func TestRunPhaseAbortsWhenNothingSucceeds(t *testing.T) {
	live := &counters{}
	res := runPhase(context.Background(), plan{name: "t", workers: 4, duration: time.Minute,
		iter: func(ctx context.Context, w *worker, sched time.Time) bool {
			w.fail(opCreate, result{status: 403, errType: "AccessDeniedException"}, nil)
			return false
		}}, live)
	var ae *AbortError
	if res.aborted == nil || res.elapsed > 5*time.Second {
		t.Fatalf("not aborted (after %v)", res.elapsed)
	}
	if !errors.As(res.aborted, &ae) || ae.First.Kind != "CreateContact: HTTP 403 AccessDeniedException" || !strings.Contains(ae.Error(), "403") {
		t.Errorf("abort error %v", res.aborted)
	}
}
