package tracing

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// Without an endpoint nothing is wired in.
func TestOff(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tr, err := Start(context.Background(), "api", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	ints, err := tr.TemporalInterceptors()
	if err != nil || tr.ServerOptions() != nil || tr.DialOptions() != nil || ints != nil || tr.QueryTracer() != nil {
		t.Errorf("tracing off still wires something in")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

// A query inside a trace is a span with its statement and none of its
// arguments; a query outside one is none; a failed query's span says only
// its SQLSTATE.
func TestQueryTracer(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := &Tracing{tp: tp}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tr.QueryTracer()
	ctx := context.Background()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	const secret = "Griet Vanoverbeke"
	var got string
	if err := pool.QueryRow(ctx, `SELECT $1::text`, secret).Scan(&got); err != nil || got != secret {
		t.Fatalf("outside a trace: %q, %v", got, err)
	}
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("a query outside a trace made %d spans", n)
	}
	ctx, parent := tp.Tracer("test").Start(ctx, "call")
	if err := pool.QueryRow(ctx, `SELECT $1::text`, secret).Scan(&got); err != nil {
		t.Fatal(err)
	}
	var n int
	err = pool.QueryRow(ctx, `SELECT $1::text::int`, secret).Scan(&n)
	if err == nil {
		t.Fatal("a name read as a number")
	}
	parent.End()
	var queries []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if strings.HasPrefix(s.Name(), "postgresql") {
			queries = append(queries, s)
		}
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.Emit(), secret) {
				t.Errorf("span %s records %s=%q", s.Name(), a.Key, a.Value.Emit())
			}
		}
		for _, e := range s.Events() {
			for _, a := range e.Attributes {
				if strings.Contains(a.Value.Emit(), secret) {
					t.Errorf("span %s event %s records %q", s.Name(), e.Name, a.Value.Emit())
				}
			}
		}
		if strings.Contains(s.Status().Description, secret) {
			t.Errorf("span %s status %q", s.Name(), s.Status().Description)
		}
	}
	if len(queries) != 2 {
		t.Fatalf("%d query spans, want 2", len(queries))
	}
	if q := queries[0]; q.Name() != "postgresql SELECT" || q.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %q under %s, want postgresql SELECT under the call", q.Name(), q.Parent().SpanID())
	}
	if s := queries[1].Status(); s.Description != "22P02" {
		t.Errorf("the failed query's status is %q, want its SQLSTATE 22P02", s.Description)
	}
}

// A line logged in a recording span carries its trace and span IDs; one
// logged outside does not.
func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "call")
	log.InfoContext(ctx, "inside")
	span.End()
	log.InfoContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	want := `"trace_id":"` + span.SpanContext().TraceID().String() + `","span_id":"` + span.SpanContext().SpanID().String() + `"`
	if !strings.Contains(lines[0], want) {
		t.Errorf("inside a span: %s, want %s", lines[0], want)
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("outside a span: %s", lines[1])
	}
}
