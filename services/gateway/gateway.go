// Package gateway serves the API as JSON over HTTP (grpc-gateway v2), with
// its OpenAPI document at /openapi.yaml. Each HTTP call becomes a gRPC call
// over a client connection to the API's own server, never a direct call of
// the services, so authentication, the access policy, the access log,
// idempotency and the error mapping are those of gRPC, unchanged.
package gateway

import (
	"context"
	_ "embed"
	"net/http"
	"strconv"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	// The BadRequest details of an error are written as JSON by type URL:
	// their type must be linked in.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/authz"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
)

// OpenAPI is the OpenAPI (2.0) document of every HTTP route, generated from
// the protos by buf generate.
//
//go:embed openapi/rots.swagger.yaml
var OpenAPI []byte

// MaxBodyBytes bounds a request's body, as the gRPC server bounds a
// message (4 MiB by default).
const MaxBodyBytes = 4 << 20

// registers are the services served over HTTP: every one of rots.v1.
var registers = []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
	rotsv1.RegisterCaseServiceHandler,
	rotsv1.RegisterConsultationServiceHandler,
	rotsv1.RegisterAdminServiceHandler,
	rotsv1.RegisterNotificationServiceHandler,
	rotsv1.RegisterAuditServiceHandler,
	rotsv1.RegisterDirectoryServiceHandler,
	rotsv1.RegisterPracticeServiceHandler,
	rotsv1.RegisterReportServiceHandler,
	rotsv1.RegisterSignalServiceHandler,
	rotsv1.RegisterChangeServiceHandler,
}

// New returns the HTTP handler: GET /openapi.yaml without a token, and
// every RPC of rots.v1 at the route of its google.api.http option, called
// over conn, a connection to the gRPC API.
func New(ctx context.Context, conn *grpc.ClientConn) (http.Handler, error) {
	mux := runtime.NewServeMux(
		// The protos' own field names, unset fields left out: the JSON of
		// rotsctl -json and of ExportCase, and the names that BadRequest
		// field violations use. A field the API does not know is refused,
		// not silently dropped.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
		// Authorization always passes (the runtime forwards it as is);
		// rots-purpose too. No other header reaches the API.
		runtime.WithIncomingHeaderMatcher(func(key string) (string, bool) {
			if http.CanonicalHeaderKey(key) == http.CanonicalHeaderKey(authz.PurposeHeader) {
				return authz.PurposeHeader, true
			}
			return "", false
		}),
		// The API's response metadata (none today) stays in the server.
		runtime.WithOutgoingHeaderMatcher(func(string) (string, bool) { return "", false }),
		// Errors as google.rpc.Status with the HTTP status of their code,
		// as the runtime writes them, but a 401's challenge says Bearer
		// (RFC 6750) instead of the runtime's copy of the message, and a
		// 429 says when to retry (Retry-After, from the RetryInfo of the
		// per-caller limits).
		runtime.WithErrorHandler(func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
			if d, ok := ratelimit.RetryAfter(err); ok && status.Code(err) == codes.ResourceExhausted {
				w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(d)))
			}
			runtime.DefaultHTTPErrorHandler(ctx, mux, m, bearerChallenge{w}, r, err)
		}),
	)
	for _, register := range registers {
		if err := register(ctx, mux, conn); err != nil {
			return nil, err
		}
	}
	root := http.NewServeMux()
	root.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(OpenAPI)
	})
	root.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		mux.ServeHTTP(w, r)
	}))
	return root, nil
}

// bearerChallenge sets the WWW-Authenticate of a 401 as it goes out.
type bearerChallenge struct{ http.ResponseWriter }

func (b bearerChallenge) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		b.Header().Set("WWW-Authenticate", `Bearer realm="rots"`)
	}
	b.ResponseWriter.WriteHeader(code)
}
