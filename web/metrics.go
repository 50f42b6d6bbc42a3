package web

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what GET /metrics exposes in the Prometheus text format,
// through the official client library (docs/design/002-hardening.md says
// why the dependency). Each Server has its own registry: no global
// state, so tests and several servers in one process do not share
// counters.
type metrics struct {
	reg *prometheus.Registry

	reportQueue      prometheus.Gauge
	reportRunning    prometheus.Gauge
	reportRejected   prometheus.Counter
	reportWait       prometheus.Histogram
	reportDuration   prometheus.Histogram
	admissionLatency prometheus.Histogram
	requests         *prometheus.CounterVec
	latency          *prometheus.HistogramVec
}

func newMetrics(s *Server) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		reportQueue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "chipgap_report_queue_depth",
			Help: "Synchronous reports admitted and waiting for a report slot."}),
		reportRunning: prometheus.NewGauge(prometheus.GaugeOpts{Name: "chipgap_report_running",
			Help: "Synchronous reports running."}),
		reportRejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "chipgap_report_rejected_total",
			Help: "Synchronous reports refused with 429 because the queue could not finish them within the request timeout."}),
		reportWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "chipgap_report_wait_seconds",
			Help: "Time an admitted synchronous report waited for a slot.", Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)}),
		reportDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "chipgap_report_run_seconds",
			Help: "Run time of a synchronous report, from the start of its work.", Buckets: prometheus.ExponentialBuckets(0.25, 1.5, 12)}),
		admissionLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "chipgap_report_admission_seconds",
			Help: "Time to decide whether to admit a synchronous report.", Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10)}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chipgap_http_requests_total",
			Help: "HTTP requests answered, by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "chipgap_http_request_seconds",
			Help: "Latency of HTTP requests, by route.", Buckets: prometheus.ExponentialBuckets(0.001, 3, 11)}, []string{"route"}),
	}
	reg.MustRegister(m.reportQueue, m.reportRunning, m.reportRejected, m.reportWait, m.reportDuration,
		m.admissionLatency, m.requests, m.latency,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chipgap_computations_running",
			Help: "Computations holding one of max_concurrent_computations slots (estimates, searches, simulations, jobs)."},
			func() float64 { return float64(s.gate.Running()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chipgap_computations_waiting",
			Help: "Requests waiting for a computation slot."},
			func() float64 { return float64(s.gate.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chipgap_jobs_running",
			Help: "Asynchronous jobs not yet finished."},
			func() float64 { return float64(s.jobs.Running()) }),
		collectors.NewGoCollector(),
	)
	return m
}

// handler serves the registry.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// observe wraps h to count every answer by route and status. The route
// is the ServeMux pattern, or the one a handler names (labelRoute: the
// endpoint whose path a 405 matched), so the label set is bounded by the
// route table: an unknown path under /api is "/api/".
func (m *metrics) observe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		label := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeLabel{}, label))
		h.ServeHTTP(sw, r)
		route := cmp.Or(*label, r.Pattern, "other")
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// routeLabel is the context key of the route label a handler may set
// for observe (labelRoute).
type routeLabel struct{}

// labelRoute names the route observe counts r under, in place of the
// ServeMux pattern that caught it; route must come from the route table.
func labelRoute(r *http.Request, route string) {
	if p, ok := r.Context().Value(routeLabel{}).(*string); ok {
		*p = route
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's writer (the
// body's read deadline, Server.decode).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
