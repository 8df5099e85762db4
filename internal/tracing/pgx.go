package tracing

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// queryTracer makes a span of each query. It records the statement's text,
// whose values are all $n parameters, and never the arguments; of an
// error only its SQLSTATE, as a message may quote a value.
type queryTracer struct{ tracer trace.Tracer }

func (q queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	// Only inside a trace: the outbox relay's and the pruner's polls would
	// each start one of their own.
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	ctx, _ = q.tracer.Start(ctx, operation(data.SQL), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("db.system.name", "postgresql"),
		attribute.String("db.query.text", data.SQL),
	))
	return ctx
}

func (q queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	if data.Err != nil {
		code := "error"
		var pgErr *pgconn.PgError
		if errors.As(data.Err, &pgErr) {
			code = pgErr.Code
			span.SetAttributes(attribute.String("db.response.status_code", pgErr.Code))
		}
		span.SetStatus(codes.Error, code)
	}
	span.End()
}

// operation is a span's name: the statement's first word, e.g. "SELECT".
func operation(sql string) string {
	word, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	word = strings.ToUpper(strings.TrimRight(word, "\n\t("))
	if word == "" || len(word) > 16 {
		return "postgresql"
	}
	return "postgresql " + word
}
