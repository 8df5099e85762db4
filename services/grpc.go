// Package services assembles the gRPC server: interceptors, health checking,
// reflection and the ROTS services, each in a package of its own.
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

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Services are the ROTS gRPC services one server offers.
type Services struct {
	Cases         rotsv1.CaseServiceServer
	Admin         rotsv1.AdminServiceServer
	Notifications rotsv1.NotificationServiceServer
	Audit         rotsv1.AuditServiceServer
	Consultation  rotsv1.ConsultationServiceServer
	Directory     rotsv1.DirectoryServiceServer
	Reports       rotsv1.ReportServiceServer
	Signals       rotsv1.SignalServiceServer
	// Access authenticates and authorises every call (authz.Interceptor).
	Access grpc.UnaryServerInterceptor
	// Idempotency binds each request_id to its first call (rpc.Idempotency).
	Idempotency grpc.UnaryServerInterceptor
}

// NewGRPCServer returns a server with the services, health checking and
// reflection. Health reports SERVING until Shutdown.
func NewGRPCServer(log *slog.Logger, svc Services) (*grpc.Server, *health.Server) {
	// Malformed requests are refused before the access rules look at them,
	// so the answer does not depend on what exists; request_ids are bound
	// to their caller once the caller is known.
	srv := grpc.NewServer(grpc.ForceServerCodecV2(rpc.Codec()),
		grpc.ChainUnaryInterceptor(logCalls(log), recoverPanics(log), rpc.WellFormed(), svc.Access, svc.Idempotency))
	rotsv1.RegisterCaseServiceServer(srv, svc.Cases)
	rotsv1.RegisterAdminServiceServer(srv, svc.Admin)
	rotsv1.RegisterNotificationServiceServer(srv, svc.Notifications)
	rotsv1.RegisterAuditServiceServer(srv, svc.Audit)
	rotsv1.RegisterConsultationServiceServer(srv, svc.Consultation)
	rotsv1.RegisterDirectoryServiceServer(srv, svc.Directory)
	rotsv1.RegisterReportServiceServer(srv, svc.Reports)
	rotsv1.RegisterSignalServiceServer(srv, svc.Signals)
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
		if code == codes.Internal || code == codes.Unknown || code == codes.Unavailable {
			level = slog.LevelWarn
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
