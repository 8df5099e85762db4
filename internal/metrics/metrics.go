// Package metrics exposes rotsd's figures for Prometheus: every RPC by
// method and code with its latency, the escalations fired, the mails that
// failed, the access log's append latency, the Temporal SDK's client and
// worker metrics (temporal_*), and at each scrape the open cases by stage
// and rung, the outbox, the mails not yet sent and the database pool. Labels are methods, codes, stages and rungs only: never a case, a
// person or a text. It must not import the services or the workflows.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Metrics is one process's registry.
type Metrics struct {
	reg         *prometheus.Registry
	calls       *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	escalations *prometheus.CounterVec
	mailsFailed prometheus.Counter
	accessLog   prometheus.Histogram
	temporal    client.MetricsHandler
}

// New registers the metrics; the store's gauges are read at each scrape.
func New(db *store.DB, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rots_rpc_requests_total", Help: "RPCs answered, by method and gRPC code.",
		}, []string{"method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rots_rpc_duration_seconds", Help: "Time to answer an RPC, by method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rots_escalations_total", Help: "Deadlines passed that climbed a rung of the ladder, by deadline kind and rung.",
		}, []string{"kind", "rung"}),
		mailsFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rots_mail_failures_total", Help: "Attempts to send a notification's mail that failed (each retry counts).",
		}),
		accessLog: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "rots_access_log_append_seconds", Help: "Time to append a call's entries to the access log (under its lock).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
	}
	m.reg.MustRegister(m.calls, m.duration, m.escalations, m.mailsFailed, m.accessLog,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.temporal = temporalHandler(m.reg, log)
	if db != nil {
		m.reg.MustRegister(&storeCollector{db: db, log: log})
	}
	return m
}

// Unary counts and times every call.
func (m *Metrics) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		m.calls.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
		m.duration.WithLabelValues(info.FullMethod).Observe(time.Since(start).Seconds())
		return resp, err
	}
}

// Escalated counts a deadline that climbed to rung; kind is the
// deadline's kind (escalation.Kind…).
func (m *Metrics) Escalated(kind string, rung int) {
	m.escalations.WithLabelValues(kind, strconv.Itoa(rung)).Inc()
}

// MailFailed counts a failed attempt to send a mail.
func (m *Metrics) MailFailed() { m.mailsFailed.Inc() }

// AccessLogAppended times one append to the access log.
func (m *Metrics) AccessLogAppended(d time.Duration) { m.accessLog.Observe(d.Seconds()) }

// TemporalHandler is the Temporal client's and its workers' metrics
// handler: their figures go to this registry.
func (m *Metrics) TemporalHandler() client.MetricsHandler { return m.temporal }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

var (
	openCases    = prometheus.NewDesc("rots_cases_open", "Open cases, by stage and the rung of the ladder they stand on.", []string{"stage", "rung"}, nil)
	outbox       = prometheus.NewDesc("rots_outbox_cases", "Cases recorded whose workflow is not known to run yet (the relay starts them).", nil, nil)
	outboxAge    = prometheus.NewDesc("rots_outbox_oldest_seconds", "Age of the oldest case in the outbox; 0 when it is empty.", nil, nil)
	mailsPending = prometheus.NewDesc("rots_mails_pending", "Notifications whose mail is not sent yet (all of them when no mail server is set up).", nil, nil)
	poolConns    = prometheus.NewDesc("rots_db_pool_connections", "Connections of the PostgreSQL pool, by state.", []string{"state"}, nil)
	scrapeErrors = prometheus.NewDesc("rots_metrics_store_up", "1 when the store's figures could be read at this scrape.", nil, nil)
)

// storeCollector reads the store's gauges at each scrape.
type storeCollector struct {
	db  *store.DB
	log *slog.Logger
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{openCases, outbox, outboxAge, mailsPending, poolConns, scrapeErrors} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g, err := c.db.ReadGauges(ctx)
	if err != nil {
		c.log.Warn("metrics: reading the store's gauges", "err", err)
		ch <- prometheus.MustNewConstMetric(scrapeErrors, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrors, prometheus.GaugeValue, 1)
	for k, n := range g.OpenCases {
		ch <- prometheus.MustNewConstMetric(openCases, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(outbox, prometheus.GaugeValue, float64(g.Outbox))
	ch <- prometheus.MustNewConstMetric(outboxAge, prometheus.GaugeValue, g.OutboxOldest.Seconds())
	ch <- prometheus.MustNewConstMetric(mailsPending, prometheus.GaugeValue, float64(g.MailsPending))
	for state, n := range map[string]int32{"acquired": g.PoolAcquired, "idle": g.PoolIdle, "total": g.PoolTotal} {
		ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(n), state)
	}
}
