// Package services assembles the gRPC server: interceptors, health checking,
// reflection and the ROTS services, each in a package of its own. It is the
// one place the API is put together. It must not import cmd/.
package services

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"go.temporal.io/sdk/client"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/authz"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/metrics"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/services/adminservice"
	"github.com/rots-vlaanderen/roundtable/services/auditservice"
	"github.com/rots-vlaanderen/roundtable/services/caseservice"
	"github.com/rots-vlaanderen/roundtable/services/changeservice"
	"github.com/rots-vlaanderen/roundtable/services/consultationservice"
	"github.com/rots-vlaanderen/roundtable/services/directoryservice"
	"github.com/rots-vlaanderen/roundtable/services/notificationservice"
	"github.com/rots-vlaanderen/roundtable/services/practiceservice"
	"github.com/rots-vlaanderen/roundtable/services/reportservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"github.com/rots-vlaanderen/roundtable/services/signalservice"
)

// Deps are what the API is built from.
type Deps struct {
	DB       *store.DB
	Temporal client.Client
	// Verifier checks the bearer token of every call.
	Verifier authz.TokenVerifier
	// Control is the disclosure control of every figure that leaves the
	// reports (and so the signals).
	Control disclosure.Control
	Log     *slog.Logger
	// Metrics, when set, counts and times every call.
	Metrics *metrics.Metrics
	// Limits bound each caller's changing calls, feed reads and calls in
	// flight; zero is no limit.
	Limits ratelimit.Config
	// ServerOptions are added to the server's (the tracing's stats
	// handler).
	ServerOptions []grpc.ServerOption
}

// New assembles the API: every ROTS service behind one chain of
// interceptors, with health checking and reflection. rotsd and the
// end-to-end tests build it here, so they test what runs. Health reports
// SERVING until Shutdown.
func New(d Deps) (*grpc.Server, *health.Server) {
	log, db := d.Log, d.DB
	access := &authz.Interceptor{Verifier: d.Verifier, DB: db, Log: log}
	// Malformed requests are refused before the access rules look at them,
	// so the answer does not depend on what exists; request_ids are bound
	// to their caller once the caller is known. The limits follow the
	// caller's authentication and come before the claim, so a refused call
	// writes nothing.
	chain := []grpc.UnaryServerInterceptor{logCalls(log), recoverPanics(log), rpc.WellFormed(), access.Unary(), ratelimit.New(d.Limits).Unary(), rpc.Idempotency(db, log)}
	if d.Metrics != nil {
		chain = append([]grpc.UnaryServerInterceptor{d.Metrics.Unary()}, chain...)
	}
	srv := grpc.NewServer(append([]grpc.ServerOption{grpc.ForceServerCodecV2(rpc.Codec()), grpc.ChainUnaryInterceptor(chain...)}, d.ServerOptions...)...)
	cases := caseservice.New(db, d.Temporal, log)
	// Signals freeze the dashboard's figures, after its disclosure control.
	reports := reportservice.New(db, log, d.Control)
	rotsv1.RegisterCaseServiceServer(srv, cases)
	rotsv1.RegisterChangeServiceServer(srv, changeservice.New(db, log))
	rotsv1.RegisterAdminServiceServer(srv, adminservice.New(db, log))
	rotsv1.RegisterNotificationServiceServer(srv, notificationservice.New(db, log))
	rotsv1.RegisterAuditServiceServer(srv, auditservice.New(db, log))
	rotsv1.RegisterConsultationServiceServer(srv, consultationservice.New(cases, db, log))
	rotsv1.RegisterDirectoryServiceServer(srv, directoryservice.New(db, log))
	rotsv1.RegisterPracticeServiceServer(srv, practiceservice.New(db, log))
	rotsv1.RegisterReportServiceServer(srv, reports)
	rotsv1.RegisterSignalServiceServer(srv, signalservice.New(db, signalservice.DashboardFigures{Reports: reports}, log))
	hs := health.NewServer()
	for name := range srv.GetServiceInfo() {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	return srv, hs
}

// logCalls logs each call's method, code and duration; never its payload,
// which holds personal data.
func logCalls(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		code := status.Code(err)
		level := slog.LevelInfo
		switch code {
		case codes.Internal, codes.Unknown, codes.Unavailable:
			level = slog.LevelWarn
		case codes.ResourceExhausted:
			// Refused over a caller's limits: a flood would write a line
			// for each; the metrics count them by method and code.
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "rpc", "method", info.FullMethod, "code", code.String(), "ms", time.Since(start).Milliseconds())
		return resp, err
	}
}

// recoverPanics turns a panic in a handler into Internal instead of a crash.
func recoverPanics(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ctx, "panic in handler", "method", info.FullMethod, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(ctx, req)
	}
}
