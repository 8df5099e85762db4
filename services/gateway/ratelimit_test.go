package gateway_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
	"github.com/rots-vlaanderen/roundtable/services/gateway"
)

type feed struct {
	rotsv1.UnimplementedChangeServiceServer
}

func (feed) ListChanges(context.Context, *rotsv1.ListChangesRequest) (*rotsv1.ListChangesResponse, error) {
	return &rotsv1.ListChangesResponse{NextPageToken: "t"}, nil
}

// bearerIsCaller stands in for authentication: the bearer token is the
// caller's subject.
func bearerIsCaller(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if a := md.Get("authorization"); len(a) == 1 {
		ctx = auth.NewContext(ctx, auth.Principal{Subject: strings.TrimPrefix(a[0], "Bearer "), Role: auth.Coordinator})
	}
	return handler(ctx, req)
}

// TestRateLimitIs429WithRetryAfter: over HTTP, a caller over its rate gets
// 429 with Retry-After in whole seconds, from the API's RetryInfo.
func TestRateLimitIs429WithRetryAfter(t *testing.T) {
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(bearerIsCaller, ratelimit.New(ratelimit.Config{Rate: 0.01, Burst: 1}).Unary()))
	rotsv1.RegisterChangeServiceServer(srv, feed{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	h, err := gateway.New(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	get := func(caller string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, "/v1/changes?page_size=10", nil)
		r.Header.Set("Authorization", "Bearer "+caller)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	if res := get("integration"); res.StatusCode != http.StatusOK || res.Header.Get("Retry-After") != "" {
		t.Fatalf("first read: %d, Retry-After %q; want 200 without it", res.StatusCode, res.Header.Get("Retry-After"))
	}
	res := get("integration")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second read within the burst of one: %d, want 429", res.StatusCode)
	}
	// The next token is 100 s away at 0.01 a second.
	if got := res.Header.Get("Retry-After"); got != "100" {
		t.Errorf("Retry-After %q, want \"100\"", got)
	}
	if res := get("tandem"); res.StatusCode != http.StatusOK {
		t.Errorf("another caller: %d, want 200", res.StatusCode)
	}
}
