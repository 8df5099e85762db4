package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rots-vlaanderen/roundtable/internal/tracing"
	"github.com/rots-vlaanderen/roundtable/services/gateway"
)

// startHTTP serves the API as JSON over HTTP on cfg.HTTPListen, each call
// passed to this process's gRPC API at apiAddr, and returns its URL.
func startHTTP(ctx context.Context, g *errgroup.Group, cfg *config, apiAddr string, tr *tracing.Tracing, log *slog.Logger) (string, error) {
	// Traced as the web's calls are: an HTTP call's trace starts here.
	conn, err := grpc.NewClient(apiAddr, append(tr.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		return "", fmt.Errorf("run: http: %w", err)
	}
	h, err := gateway.New(ctx, conn)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("run: http: %w", err)
	}
	lis, err := net.Listen("tcp", cfg.HTTPListen)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("run: http: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		ErrorLog: slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelWarn)}
	serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), http.ErrServerClosed) }, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		srv.Shutdown(sctx)
		conn.Close()
	})
	return "http://" + lis.Addr().String(), nil
}
