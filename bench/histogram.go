package bench

import (
	"math/bits"
	"time"
)

// The histogram is log-linear: values below 64 ns have a bucket each; above,
// every power of two is split into 64 equal sub-buckets, so a bucket is at
// most 1/64 (1.6 %) of its value wide. Values from 2^36 ns (about 69 s) up
// share the last bucket.
const (
	subBits    = 6
	subBuckets = 1 << subBits
	maxExp     = 36 - subBits - 1
	numBuckets = (maxExp + 2) * subBuckets
)

// histogram records durations; it is not safe for concurrent use (each load
// worker has its own, merged at the end of a phase).
type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    uint64
	max    uint64
}

func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1
	if e > maxExp {
		return numBuckets - 1
	}
	return (e+1)*subBuckets + int(v>>uint(e)&(subBuckets-1))
}

// bucketBounds returns the smallest value of bucket i and its width.
func bucketBounds(i int) (lo, width uint64) {
	if i < subBuckets {
		return uint64(i), 1
	}
	e := uint(i/subBuckets - 1)
	return uint64(subBuckets+i%subBuckets) << e, 1 << e
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	v := uint64(d)
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += v
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) merge(o *histogram) {
	if o == nil {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	if o.max > h.max {
		h.max = o.max
	}
}

// quantile returns the value at quantile q (0 < q ≤ 1): the middle of the
// bucket holding the ⌈q·n⌉-th smallest value, never above the maximum seen,
// and the maximum itself for the largest rank. It is monotone in q.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank >= h.n {
		return time.Duration(h.max)
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, w := bucketBounds(i)
			v := lo + w/2
			if v > h.max {
				v = h.max
			}
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}

// Latency summarises the latencies of one operation, in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func (h *histogram) summary() Latency {
	if h == nil || h.n == 0 {
		return Latency{}
	}
	return Latency{
		Count: int64(h.n),
		P50:   ms(h.quantile(0.50)),
		P90:   ms(h.quantile(0.90)),
		P99:   ms(h.quantile(0.99)),
		Max:   ms(time.Duration(h.max)),
		Mean:  ms(time.Duration(h.sum / h.n)),
	}
}
