package rpc

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Idempotency binds every request_id to the first call that used it: one
// caller (token subject and organisation), one method, one resource, one
// request. The same call again passes on as a retry, which the service
// answers without doing the work twice; anything else with that
// request_id is InvalidArgument and never reaches the service, so a
// request_id can neither return another caller's data nor be taken for a
// different command. It runs after authentication.
func Idempotency(db *store.DB, log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		c, ok := claimOf(ctx, info.FullMethod, req)
		if !ok {
			return handler(ctx, req)
		}
		got, fresh, err := db.ClaimRequest(ctx, c)
		if err != nil {
			return nil, Status(ctx, log, ShortMethod(info.FullMethod), "request", err)
		}
		if !fresh && !got.Same(c) {
			var v Violations
			v.Add("request_id", "%q was used for a different request; send a new request_id for a new request", c.RequestID)
			return nil, v.Err()
		}
		resp, err := handler(ctx, req)
		if fresh && err != nil && nothingDone(status.Code(err)) {
			if err := db.ReleaseRequest(context.WithoutCancel(ctx), c); err != nil {
				log.WarnContext(ctx, "releasing a request_id", "method", info.FullMethod, "err", err)
			}
		}
		return resp, err
	}
}

// claimOf is the claim a mutating call makes: a request of package rots.v1
// with a well-formed request_id. Other calls make none; a malformed
// request_id is left to the service's validation.
func claimOf(ctx context.Context, method string, req any) (store.Claim, bool) {
	m, ok := req.(interface {
		proto.Message
		GetRequestId() string
	})
	if !ok || !strings.HasPrefix(method, "/rots.v1.") || !requestIDPattern.MatchString(m.GetRequestId()) {
		return store.Claim{}, false
	}
	p, _ := auth.FromContext(ctx)
	return store.Claim{
		RequestID:   m.GetRequestId(),
		Caller:      p.Subject + "|" + p.Organisation,
		Method:      method,
		Resource:    resourceOf(m.ProtoReflect()),
		Fingerprint: Fingerprint(method, m),
		At:          time.Now(),
	}, true
}

// Fingerprint is a SHA-256 of the method and the request without its
// request_id, in deterministic protobuf encoding.
func Fingerprint(method string, m proto.Message) []byte {
	c := proto.Clone(m)
	r := c.ProtoReflect()
	r.Clear(r.Descriptor().Fields().ByName("request_id"))
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write(b)
	return h.Sum(nil)
}

// resourceOf is what a request is about: its name, its parent, or the
// name of the resource it carries (an update), else nothing (a create).
func resourceOf(m protoreflect.Message) string {
	fields := m.Descriptor().Fields()
	for _, name := range []protoreflect.Name{"name", "parent"} {
		if f := fields.ByName(name); f != nil && f.Kind() == protoreflect.StringKind {
			return m.Get(f).String()
		}
	}
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap() && m.Has(f) {
			if n := f.Message().Fields().ByName("name"); n != nil && n.Kind() == protoreflect.StringKind {
				if s := m.Get(f).Message().Get(n).String(); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// nothingDone reports whether a call that failed with code certainly left
// everything as it was.
func nothingDone(code codes.Code) bool {
	switch code {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.NotFound, codes.PermissionDenied,
		codes.Unauthenticated, codes.Aborted, codes.AlreadyExists, codes.OutOfRange, codes.ResourceExhausted:
		return true
	}
	return false
}

// ShortMethod is the RPC's own name in a full gRPC method name:
// "/rots.v1.CaseService/GetCase" is "GetCase".
func ShortMethod(method string) string { return method[strings.LastIndex(method, "/")+1:] }
