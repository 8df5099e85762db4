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
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/rots-vlaanderen/roundtable/auth"
	"github.com/rots-vlaanderen/roundtable/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/authz"
	"github.com/rots-vlaanderen/roundtable/devtemporal"
	"github.com/rots-vlaanderen/roundtable/disclosure"
	"github.com/rots-vlaanderen/roundtable/encryption"
	"github.com/rots-vlaanderen/roundtable/services"
	"github.com/rots-vlaanderen/roundtable/services/adminservice"
	"github.com/rots-vlaanderen/roundtable/services/auditservice"
	"github.com/rots-vlaanderen/roundtable/services/caseservice"
	"github.com/rots-vlaanderen/roundtable/services/consultationservice"
	"github.com/rots-vlaanderen/roundtable/services/directoryservice"
	"github.com/rots-vlaanderen/roundtable/services/notificationservice"
	"github.com/rots-vlaanderen/roundtable/services/reportservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"github.com/rots-vlaanderen/roundtable/services/signalservice"
	"github.com/rots-vlaanderen/roundtable/store"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// run starts what cfg asks for and blocks until ctx ends, then shuts down
// gracefully: the API stops taking calls, in-flight calls finish, the worker
// stops.
// devTemporalConfig is the embedded Temporal server of rotsd dev and rotsd
// temporal: its state in dataDir.
func devTemporalConfig(dataDir, namespace string, port int) devtemporal.Config {
	return devtemporal.Config{DatabaseFile: filepath.Join(dataDir, "temporal.db"), Namespace: namespace, FrontendPort: port}
}

func run(ctx context.Context, cfg *config, log *slog.Logger) error {
	temporalAddr := cfg.TemporalAddress
	if cfg.Mode == "dev" {
		if err := store.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		ts, err := devtemporal.Start(devTemporalConfig(cfg.DataDir, cfg.TemporalNamespace, cfg.DevTemporalPort))
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer ts.Stop()
		temporalAddr = ts.HostPort
		log.Info("embedded Temporal server started", "address", temporalAddr, "data_dir", cfg.DataDir)
	}

	if cfg.Mode == "dev" {
		stop, err := startDevIssuer(ctx, cfg, log)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer stop()
	}

	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	defer db.Close()

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
	tc, err := client.DialContext(ctx, client.Options{
		HostPort:      temporalAddr,
		Namespace:     cfg.TemporalNamespace,
		Logger:        tlog.NewStructuredLogger(log.With("component", "temporal-client")),
		DataConverter: codec.DataConverter(),
	})
	if err != nil {
		return fmt.Errorf("run: temporal: %w", err)
	}
	defer tc.Close()

	g, ctx := errgroup.WithContext(ctx)
	if cfg.CodecListen != "" {
		srv := &http.Server{Addr: cfg.CodecListen, Handler: codec.Endpoint(verifier, cfg.CodecOrigin), ReadHeaderTimeout: 5 * time.Second}
		g.Go(func() error {
			log.Info("codec endpoint listening", "address", cfg.CodecListen)
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-ctx.Done()
			return srv.Shutdown(context.WithoutCancel(ctx))
		})
	}
	if cfg.worker() {
		w := workflows.NewWorker(tc, &workflows.Activities{DB: db, Mailer: cfg.mailer(), DayLength: cfg.DeadlineDay})
		if err := w.Start(); err != nil {
			return fmt.Errorf("run: worker: %w", err)
		}
		defer w.Stop()
		g.Go(func() error {
			workflows.RunRelay(ctx, db, tc, 5*time.Second, log)
			return nil
		})
		log.Info("worker started", "task_queue", workflows.TaskQueue, "mail", cfg.SMTP.Host != "", "deadline_day", cfg.DeadlineDay.String())
	}
	if cfg.api() {
		lis, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		access := &authz.Interceptor{Verifier: verifier, DB: db, Log: log}
		reportControl, err := disclosure.New(cfg.ReportThreshold)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		cases := caseservice.New(db, tc, log)
		// Signals freeze the dashboard's figures, after its disclosure control.
		reports := reportservice.New(db, log, reportControl)
		srv, hs := services.NewGRPCServer(log, services.Services{
			Cases:         cases,
			Admin:         adminservice.New(db, log),
			Notifications: notificationservice.New(db, log),
			Audit:         auditservice.New(db, log),
			Consultation:  consultationservice.New(cases, db, log),
			Directory:     directoryservice.New(db, log),
			Reports:       reports,
			Signals:       signalservice.New(db, signalservice.DashboardFigures{Reports: reports}, log),
			Access:        access.Unary(),
			Idempotency:   rpc.Idempotency(db, log),
		})
		g.Go(func() error {
			log.Info("API listening", "address", lis.Addr().String())
			if err := srv.Serve(lis); err != nil && !errors.Is(err, net.ErrClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-ctx.Done()
			log.Info("shutting down")
			hs.Shutdown()
			srv.GracefulStop()
			return nil
		})
	}
	<-ctx.Done()
	return g.Wait()
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
	log.Info("development token issuer started (rotsctl login -dev)", "issuer", cfg.Auth.Issuer)
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
