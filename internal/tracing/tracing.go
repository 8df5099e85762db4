// Package tracing sets up OpenTelemetry traces for rotsd: a gRPC call, the
// workflow update it sends, the activities that run for it and their
// PostgreSQL queries in one trace. Traces are exported over OTLP/gRPC
// only when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; otherwise nothing is traced
// and nothing is wired in. Spans carry methods, workflow and activity
// names and statement texts without their arguments: never a payload.
package tracing

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
)

// Tracing is one process's tracer provider; its zero value traces nothing.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// Enabled reports whether an OTLP endpoint is configured in the
// environment.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Start exports traces when Enabled, as service OTEL_SERVICE_NAME or
// "rotsd-<role>". The exporter reads the other standard OTEL_ variables
// (headers, certificates, timeouts) itself; what it cannot send is logged
// to log as a warning.
func Start(ctx context.Context, role string, log *slog.Logger) (*Tracing, error) {
	if !Enabled() {
		return &Tracing{}, nil
	}
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, err
	}
	name := os.Getenv("OTEL_SERVICE_NAME")
	if name == "" {
		name = "rotsd-" + role
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", name)))
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	// W3C trace context only: baggage could carry anything a client puts
	// in it.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	otel.SetTracerProvider(tp)
	return &Tracing{tp: tp}, nil
}

// Shutdown flushes the spans not yet exported and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.tp == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// ServerOptions trace every call the gRPC server takes, except health
// checks (a probe every few seconds would bury the rest).
func (t *Tracing) ServerOptions() []grpc.ServerOption {
	if t.tp == nil {
		return nil
	}
	return []grpc.ServerOption{grpc.StatsHandler(otelgrpc.NewServerHandler(t.grpcOptions()...))}
}

// DialOptions trace every call a gRPC client makes (the web application's
// calls of the API).
func (t *Tracing) DialOptions() []grpc.DialOption {
	if t.tp == nil {
		return nil
	}
	return []grpc.DialOption{grpc.WithStatsHandler(otelgrpc.NewClientHandler(t.grpcOptions()...))}
}

func (t *Tracing) grpcOptions() []otelgrpc.Option {
	return []otelgrpc.Option{
		otelgrpc.WithTracerProvider(t.tp), otelgrpc.WithPropagators(propagation.TraceContext{}),
		otelgrpc.WithFilter(func(info *stats.RPCTagInfo) bool {
			return !strings.HasPrefix(info.FullMethodName, "/grpc.health.v1.Health/")
		}),
	}
}

// TemporalInterceptors trace what the Temporal client sends (starts,
// updates, queries) and, on a worker made from that client, the workflows,
// updates and activities it runs, linked through the Temporal headers.
func (t *Tracing) TemporalInterceptors() ([]interceptor.ClientInterceptor, error) {
	if t.tp == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: t.tp.Tracer("temporal-sdk-go"), TextMapPropagator: propagation.TraceContext{}, DisableBaggage: true,
	})
	if err != nil {
		return nil, err
	}
	return []interceptor.ClientInterceptor{i}, nil
}

// QueryTracer traces the PostgreSQL queries made inside a trace; nil when
// tracing is off.
func (t *Tracing) QueryTracer() pgx.QueryTracer {
	if t.tp == nil {
		return nil
	}
	return queryTracer{tracer: t.tp.Tracer("github.com/rots-vlaanderen/roundtable/internal/store")}
}
