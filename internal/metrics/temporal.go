package metrics

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// temporalHandler sends the Temporal SDK's metrics (requests, polls, task
// slots, schedule-to-start and execution latencies) through OpenTelemetry
// into reg, as temporal_…: counters end in _total, latencies in _seconds.
// Their labels are the namespace, task queue, workflow and activity types
// and operations: never a workflow's ID.
func temporalHandler(reg prometheus.Registerer, log *slog.Logger) client.MetricsHandler {
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		panic(err) // only a second registration of the same names fails
	}
	// The SDK's timers are in seconds; OpenTelemetry's default buckets are
	// for milliseconds.
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram}, sdkmetric.Stream{
		Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}},
	})
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithView(seconds))
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                mp.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		OnError:              func(err error) { log.Warn("metrics: temporal sdk", "err", err) },
	})
}
