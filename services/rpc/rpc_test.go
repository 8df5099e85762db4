package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

func TestStatus(t *testing.T) {
	ctx := context.Background()
	// A real failed connection: nothing listens on port 1.
	_, refused := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:1/postgres?connect_timeout=2")
	if refused == nil {
		t.Fatal("connected to port 1")
	}
	for _, c := range []struct {
		name string
		err  error
		want codes.Code
	}{
		{"not found", fmt.Errorf("store.GetCase(%q): %w", "x", store.ErrNotFound), codes.NotFound},
		{"request_id reused", fmt.Errorf("store.CreateOffer: %w", store.ErrRequestIDReused), codes.InvalidArgument},
		{"refused connection", refused, codes.Unavailable},
		{"connection cut mid-query", fmt.Errorf("store.GetCase(%q): %w", "x", io.ErrUnexpectedEOF), codes.Unavailable},
		{"connection reset", fmt.Errorf("store.GetCase(%q): %w", "x", syscall.ECONNRESET), codes.Unavailable},
		{"statement refused", fmt.Errorf("store.Submit: %w", &pgconn.PgError{Code: "23514"}), codes.Internal},
		{"server starting up after a crash", fmt.Errorf("store.ClaimRequest: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), codes.Unavailable},
		{"server shutting down", fmt.Errorf("store.GetCase(%q): %w", "x", &pgconn.PgError{Code: "57P01"}), codes.Unavailable},
		{"our deadline", fmt.Errorf("update: %w", context.DeadlineExceeded), codes.DeadlineExceeded},
		{"anything else", errors.New("boom"), codes.Internal},
		{"a status already", status.Error(codes.FailedPrecondition, "not at intake"), codes.FailedPrecondition},
	} {
		if got := status.Code(Status(ctx, slog.New(slog.DiscardHandler), "M", "case", c.err)); got != c.want {
			t.Errorf("%s: %v gave %s, want %s", c.name, c.err, got, c.want)
		}
	}
}
