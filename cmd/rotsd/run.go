package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/devtemporal"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/encryption"
	"github.com/rots-vlaanderen/roundtable/internal/metrics"
	"github.com/rots-vlaanderen/roundtable/internal/seed/directoryseed"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/tracing"
	"github.com/rots-vlaanderen/roundtable/services"
	"github.com/rots-vlaanderen/roundtable/web"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// devTemporalConfig is the embedded Temporal server of rotsd dev and rotsd
// temporal: its state in dataDir, its own log lowered into log's debug.
func devTemporalConfig(dataDir, namespace string, port int, log *slog.Logger) devtemporal.Config {
	return devtemporal.Config{DatabaseFile: filepath.Join(dataDir, "temporal.db"), Namespace: namespace, FrontendPort: port,
		Log: log.With("logger", "temporal-server")}
}

// run starts what cfg asks for, logs "rotsd ready" with every address it
// listens on and blocks until ctx ends. Then it shuts down gracefully, in
// the reverse order of starting (the defers): the API stops taking calls
// and finishes those in flight, the worker stops, then the embedded
// Temporal server. An ordinary stop logs no error and returns nil.
func run(ctx context.Context, cfg *config, log *slog.Logger) error {
	// Traces, when an OTLP endpoint is set; lines logged in a traced call
	// carry its trace ID. The exporter is flushed last, after everything
	// traced has stopped.
	log = slog.New(tracing.LogHandler(log.Handler()))
	tr, err := tracing.Start(ctx, cfg.Role, log)
	if err != nil {
		return fmt.Errorf("run: tracing: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tr.Shutdown(sctx); err != nil {
			log.Warn("flushing the traces", "err", err)
		}
	}()
	temporalAddr := cfg.TemporalAddress
	// For the "rotsd ready" line: where everything listens.
	var apiAddr, metricsURL, codecURL string
	if cfg.Mode == "dev" {
		if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		ts, err := devtemporal.Start(devTemporalConfig(cfg.DataDir, cfg.TemporalNamespace, cfg.DevTemporalPort, log))
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer func() {
			if err := ts.Stop(); err != nil {
				log.Warn("stopping the embedded Temporal server", "err", err)
			}
		}()
		temporalAddr, metricsURL = ts.HostPort, ts.MetricsURL
		stop, err := startDevIssuer(ctx, cfg, log)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer stop()
	}

	db, err := store.Open(ctx, cfg.DatabaseURL, store.WithTracer(tr.QueryTracer()))
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	defer db.Close()
	var met *metrics.Metrics
	if cfg.MetricsListen != "" {
		met = metrics.New(db, log)
		db.ObserveAccessLog(met.AccessLogAppended)
	}
	if cfg.Mode == "dev" {
		// A newcomer finds partners at a table with no set-up: the
		// fictional Limburg sociale kaart, added once.
		if _, err := directoryseed.Seed(ctx, db); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	}

	keyFile := cfg.KeyFile
	if keyFile == "" && cfg.Mode == "dev" {
		keyFile = filepath.Join(cfg.DataDir, "payload-keys")
	}
	keys, err := encryption.LoadKeyring(keyFile, cfg.Mode == "dev")
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	codec := encryption.Codec{Keys: keys}
	db.SealTexts(keys)
	verifier := auth.NewVerifier(cfg.Auth)
	conn, creds, err := temporalConnection(cfg.TemporalTLS, cfg.TemporalAPIKey)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	interceptors, err := tr.TemporalInterceptors()
	if err != nil {
		return fmt.Errorf("run: tracing: %w", err)
	}
	opts := client.Options{
		HostPort:  temporalAddr,
		Namespace: cfg.TemporalNamespace,
		// The SDK logs every failed activity attempt at ERROR; sdkHandler
		// lowers it.
		Logger:            tlog.NewStructuredLogger(slog.New(sdkHandler{log.Handler()}).With("component", "temporal-client")),
		DataConverter:     codec.DataConverter(),
		ConnectionOptions: conn,
		Credentials:       creds,
		Interceptors:      interceptors,
	}
	if met != nil {
		opts.MetricsHandler = met.TemporalHandler()
	}
	// The web application alone needs no Temporal: it calls the API.
	var tc client.Client
	if cfg.api() || cfg.worker() {
		if cfg.RegisterNamespace {
			if err := registerNamespace(ctx, opts, cfg.NamespaceRetention, log); err != nil {
				return fmt.Errorf("run: %w", err)
			}
		}
		if tc, err = client.DialContext(ctx, opts); err != nil {
			return fmt.Errorf("run: temporal: %w", err)
		}
		defer tc.Close()
	}

	g, ctx := errgroup.WithContext(ctx)
	if cfg.CodecListen != "" {
		lis, err := net.Listen("tcp", cfg.CodecListen)
		if err != nil {
			return fmt.Errorf("run: codec endpoint: %w", err)
		}
		codecURL = "http://" + lis.Addr().String()
		srv := &http.Server{Handler: codec.Endpoint(verifier, cfg.CodecOrigin), ReadHeaderTimeout: 5 * time.Second}
		serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), http.ErrServerClosed) },
			func() { srv.Shutdown(context.WithoutCancel(ctx)) })
	}
	var metricsAddr string
	if cfg.MetricsListen != "" {
		lis, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			return fmt.Errorf("run: metrics: %w", err)
		}
		metricsAddr = "http://" + lis.Addr().String() + "/metrics"
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", met.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), http.ErrServerClosed) },
			func() { srv.Shutdown(context.WithoutCancel(ctx)) })
	}
	var healthURL string
	if cfg.HealthListen != "" {
		lis, err := net.Listen("tcp", cfg.HealthListen)
		if err != nil {
			return fmt.Errorf("run: health: %w", err)
		}
		healthURL = "http://" + lis.Addr().String()
		srv := &http.Server{Handler: healthHandler(db, tc), ReadHeaderTimeout: 5 * time.Second}
		serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), http.ErrServerClosed) },
			func() { srv.Shutdown(context.WithoutCancel(ctx)) })
	}
	if cfg.worker() {
		stop, err := startWorker(ctx, g, cfg, db, tc, met, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.api() {
		lis, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		control, err := disclosure.New(cfg.ReportThreshold)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		srv, hs := services.New(services.Deps{DB: db, Temporal: tc, Verifier: verifier, Control: control, Log: log, Metrics: met, Limits: cfg.Limits,
			ServerOptions: tr.ServerOptions()})
		apiAddr = lis.Addr().String()
		serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), net.ErrClosed) },
			func() { hs.Shutdown(); stopWithin(srv, cfg.ShutdownTimeout) })
	}
	var httpURL string
	if cfg.api() && cfg.HTTPListen != "" {
		if httpURL, err = startHTTP(ctx, g, cfg, apiAddr, tr, log); err != nil {
			return err
		}
	}
	var webURL string
	if cfg.web() {
		if webURL, err = startWeb(ctx, g, cfg, apiAddr, db, verifier, tr, log); err != nil {
			return err
		}
	}
	log.Info("rotsd ready", readyAttrs(cfg, apiAddr, httpURL, temporalAddr, metricsURL, codecURL, healthURL, metricsAddr, webURL)...)
	<-ctx.Done()
	log.Info("rotsd stopping")
	return g.Wait()
}

// namespaceWait is how long a worker waits for its namespace to appear.
const namespaceWait = 30 * time.Second

// startWorker starts the case workflows' worker, the outbox relay and the
// pruning of request claims; stop stops the worker, which finishes the
// tasks it runs.
func startWorker(ctx context.Context, g *errgroup.Group, cfg *config, db *store.DB, tc client.Client, met *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	mailer := cfg.mailer()
	if mailer != nil {
		mailer.Log = log.With("component", "mail")
	}
	acts := &workflows.Activities{DB: db, Mailer: mailer, DayLength: cfg.DeadlineDay, WebBaseURL: cfg.Web.BaseURL}
	if met != nil {
		acts.Observer = met
	}
	// A namespace registered a moment ago reaches every Temporal service
	// only when each refreshes its cache: a worker started then is told it
	// does not exist. It waits for it, as long as a start may take.
	var w worker.Worker
	for deadline := time.Now().Add(namespaceWait); ; {
		w = workflows.NewWorker(tc, acts, cfg.ShutdownTimeout)
		err := w.Start()
		var missing *serviceerror.NamespaceNotFound
		if err == nil {
			break
		}
		if !errors.As(err, &missing) && !strings.Contains(err.Error(), "is not found") || time.Now().After(deadline) {
			return nil, fmt.Errorf("run: worker: %w", err)
		}
		log.Info("worker: waiting for the Temporal namespace", "namespace", cfg.TemporalNamespace)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("run: worker: %w", ctx.Err())
		case <-time.After(time.Second):
		}
	}
	g.Go(func() error { workflows.RunRelay(ctx, db, tc, 5*time.Second, log); return nil })
	g.Go(func() error { db.RunPruner(ctx, time.Hour, log); return nil })
	g.Go(func() error { db.RunChangePruner(ctx, time.Hour, cfg.ChangeRetention, log); return nil })
	return w.Stop, nil
}

// startWeb serves the web application, a client of the API at cfg.Web.API
// or, without one, of this process's own at apiAddr. It returns where
// people reach it.
func startWeb(ctx context.Context, g *errgroup.Group, cfg *config, apiAddr string, db *store.DB, verifier *auth.Verifier, tr *tracing.Tracing, log *slog.Logger) (string, error) {
	target := cfg.Web.API
	if target == "" {
		target = apiAddr
	}
	conn, err := grpc.NewClient(target, append(tr.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		return "", fmt.Errorf("run: web: %w", err)
	}
	app, err := web.New(web.Config{
		BaseURL: cfg.Web.BaseURL, Issuer: cfg.Auth.Issuer, ClientID: cfg.Web.ClientID, ClientSecret: cfg.Web.ClientSecret,
		Bearer: cfg.Web.Bearer, IdleTimeout: cfg.Web.IdleTimeout, Lifetime: cfg.Web.Lifetime,
	}, conn, db, verifier, log.With("component", "web"))
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("run: %w", err)
	}
	lis, err := net.Listen("tcp", cfg.Web.Listen)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("run: web: %w", err)
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	serveUntilDone(ctx, g, func() error { return ignore(srv.Serve(lis), http.ErrServerClosed) }, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		srv.Shutdown(sctx)
		conn.Close()
	})
	g.Go(func() error { app.RunPruner(ctx, time.Hour); return nil })
	return cfg.Web.BaseURL, nil
}

// stopWithin lets the API finish the calls it has (GracefulStop) for at
// most d, then cuts the rest off: a client retries those with the same
// request_id.
func stopWithin(srv *grpc.Server, d time.Duration) {
	done := make(chan struct{})
	go func() { srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		srv.Stop()
	}
}

// serveUntilDone runs serve in g, and stop once ctx ends.
func serveUntilDone(ctx context.Context, g *errgroup.Group, serve func() error, stop func()) {
	g.Go(serve)
	g.Go(func() error {
		<-ctx.Done()
		stop()
		return nil
	})
}

// ignore is err, or nil when it is the one a server returns on a normal
// stop.
func ignore(err, normal error) error {
	if errors.Is(err, normal) {
		return nil
	}
	return err
}

// readyAttrs are the attributes of the "rotsd ready" line: what listens
// where, then what the worker does.
func readyAttrs(cfg *config, apiAddr, httpURL, temporalAddr, metricsURL, codecURL, healthURL, metricsAddr, webURL string) []any {
	var a []any
	if webURL != "" {
		a = append(a, "web", webURL)
	}
	if apiAddr != "" {
		a = append(a, "api", apiAddr)
	}
	if httpURL != "" {
		a = append(a, "http", httpURL)
	}
	if cfg.Role != "web" {
		a = append(a, "temporal", temporalAddr)
	}
	if metricsURL != "" {
		a = append(a, "temporal_metrics", metricsURL)
	}
	if cfg.Mode == "dev" {
		a = append(a, "issuer", cfg.Auth.Issuer)
	}
	if codecURL != "" {
		a = append(a, "codec", codecURL)
	}
	if healthURL != "" {
		a = append(a, "health", healthURL)
	}
	if metricsAddr != "" {
		a = append(a, "metrics", metricsAddr)
	}
	a = append(a, "mode", cfg.Mode, "role", cfg.Role)
	if cfg.Mode == "dev" {
		a = append(a, "data_dir", cfg.DataDir)
	}
	if cfg.worker() {
		a = append(a, "task_queue", workflows.TaskQueue, "mail", cfg.SMTP.Host != "", "deadline_day", cfg.DeadlineDay.String())
	}
	return a
}

// startDevIssuer serves the development token issuer and makes it the
// trusted issuer. Its key stays in the data directory across restarts.
func startDevIssuer(ctx context.Context, cfg *config, log *slog.Logger) (stop func(), err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", cfg.DevIssuer)
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %w", err)
	}
	is, srv, err := devissuer.Serve(lis, cfg.Auth.Audience, filepath.Join(cfg.DataDir, "dev-issuer-key.pem"))
	if err != nil {
		lis.Close()
		return nil, err
	}
	cfg.Auth.Issuer = is.URL
	log.Debug("development token issuer started (rotsctl login -dev)", "issuer", cfg.Auth.Issuer)
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
