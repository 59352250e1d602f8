package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/connectmail/connectmail/delivery"
	"github.com/connectmail/connectmail/sqlite"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the server's Prometheus metrics in its own registry.
type Metrics struct {
	reg      *prometheus.Registry
	calls    *prometheus.CounterVec
	accepted *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	attempts *prometheus.CounterVec
	attemptT *prometheus.HistogramVec
	failures *prometheus.CounterVec
}

type depthSource interface {
	QueueDepth(ctx context.Context) (int, error)
}

type backlogSource interface {
	Backlog(ctx context.Context) (int64, error)
}

// NewMetrics registers the metrics; queue depth and webhook backlog are read on scrape.
func NewMetrics(src depthSource, hooks backlogSource) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connectmail_api_requests_total", Help: "AWS API requests by service, operation and HTTP status.",
		}, []string{"service", "operation", "status"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connectmail_sends_accepted_total", Help: "Messages accepted for delivery (committed), by operation.",
		}, []string{"operation"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "connectmail_api_request_duration_seconds", Help: "AWS API request latency.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"service", "operation"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connectmail_delivery_attempts_total", Help: "Delivery attempts by outcome (sent, captured, deferred, bounced, expired).",
		}, []string{"outcome"}),
		attemptT: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "connectmail_delivery_attempt_duration_seconds", Help: "Delivery attempt latency by outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"outcome"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "connectmail_delivery_failures_total",
			Help: "Failed delivery attempts by class: config (the relay's configuration must be fixed: TLS certificate not trusted, credentials refused; retried), " +
				"temporary (deferred or expired) and permanent (bounced).",
		}, []string{"class"}),
	}
	for _, c := range []string{delivery.ClassConfig, "temporary", "permanent"} {
		m.failures.WithLabelValues(c) // every class shows, at 0 until it happens
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "connectmail_queue_depth", Help: "Delivery jobs not yet finished.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := src.QueueDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	backlog := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "connectmail_webhook_backlog", Help: "Events not yet delivered to the slowest webhook.",
	}, func() float64 {
		if hooks == nil {
			return 0
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := hooks.Backlog(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	m.reg.MustRegister(m.calls, m.accepted, m.latency, m.attempts, m.attemptT, m.failures, depth, backlog,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) observeCall(service, op string, status int, d time.Duration) {
	m.calls.WithLabelValues(service, op, strconv.Itoa(status)).Inc()
	if status == 200 && (op == "StartOutboundEmailContact" || op == "SendOutboundEmail") {
		m.accepted.WithLabelValues(op).Inc()
	}
	m.latency.WithLabelValues(service, op).Observe(d.Seconds())
}

func (m *Metrics) observeAttempt(outcome, class string, d time.Duration) {
	m.attempts.WithLabelValues(outcome).Inc()
	m.attemptT.WithLabelValues(outcome).Observe(d.Seconds())
	switch {
	case class == delivery.ClassConfig:
		m.failures.WithLabelValues(delivery.ClassConfig).Inc()
	case outcome == "deferred" || outcome == "expired":
		m.failures.WithLabelValues("temporary").Inc()
	case outcome == "bounced":
		m.failures.WithLabelValues("permanent").Inc()
	}
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// writerSource is a store with a single group-commit writer (SQLite).
type writerSource interface {
	WriterStats() sqlite.WriterStats
}

// watchWriter exports the store writer's counters: its utilisation
// (seconds per second, by phase) is what bounds a SQLite server's writes.
func (m *Metrics) watchWriter(src writerSource) {
	counter := func(name, help string, v func(sqlite.WriterStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return v(src.WriterStats()) })
	}
	phase := func(p string, v func(sqlite.WriterStats) time.Duration) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "connectmail_store_writer_seconds_total", Help: "Time the store's writer spent, by phase: exec (running writes) and commit (WAL append and fsync).",
			ConstLabels: prometheus.Labels{"phase": p},
		}, func() float64 { return v(src.WriterStats()).Seconds() })
	}
	m.reg.MustRegister(
		counter("connectmail_store_writer_batches_total", "Transactions committed by the store's writer (group commits).",
			func(s sqlite.WriterStats) float64 { return float64(s.Batches) }),
		counter("connectmail_store_writer_writes_total", "Writes committed by the store's writer.",
			func(s sqlite.WriterStats) float64 { return float64(s.Writes) }),
		counter("connectmail_store_wal_syncs_total", "Fsyncs of the write-ahead log that made commits durable.",
			func(s sqlite.WriterStats) float64 { return float64(s.Syncs) }),
		phase("exec", func(s sqlite.WriterStats) time.Duration { return s.Exec }),
		phase("commit", func(s sqlite.WriterStats) time.Duration { return s.Commit }),
	)
}
