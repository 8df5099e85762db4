package ratelimit_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
)

// cases answers DecideIntake (a changing call) and GetCase (a read);
// GetCase waits for release when asked to, to hold calls in flight.
type cases struct {
	rotsv1.UnimplementedCaseServiceServer
	release chan struct{}
	started chan struct{}
}

func (c *cases) DecideIntake(context.Context, *rotsv1.DecideIntakeRequest) (*rotsv1.DecideIntakeResponse, error) {
	return &rotsv1.DecideIntakeResponse{}, nil
}

func (c *cases) GetCase(_ context.Context, req *rotsv1.GetCaseRequest) (*rotsv1.GetCaseResponse, error) {
	if req.GetName() == "hold" {
		c.started <- struct{}{}
		<-c.release
	}
	return &rotsv1.GetCaseResponse{}, nil
}

type changes struct {
	rotsv1.UnimplementedChangeServiceServer
}

func (changes) ListChanges(context.Context, *rotsv1.ListChangesRequest) (*rotsv1.ListChangesResponse, error) {
	return &rotsv1.ListChangesResponse{NextPageToken: "t"}, nil
}

// callerFromMetadata stands in for authentication: the caller is the
// "subject" the client sends.
func callerFromMetadata(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if s := md.Get("subject"); len(s) == 1 {
		ctx = auth.NewContext(ctx, auth.Principal{Subject: s[0], Role: auth.Coordinator})
	}
	return handler(ctx, req)
}

func serve(t *testing.T, cfg ratelimit.Config) (rotsv1.CaseServiceClient, rotsv1.ChangeServiceClient, *cases) {
	t.Helper()
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(callerFromMetadata, ratelimit.New(cfg).Unary()))
	cs := &cases{release: make(chan struct{}), started: make(chan struct{}, 100)}
	rotsv1.RegisterCaseServiceServer(srv, cs)
	rotsv1.RegisterChangeServiceServer(srv, changes{})
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
	return rotsv1.NewCaseServiceClient(conn), rotsv1.NewChangeServiceClient(conn), cs
}

func as(subject string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "subject", subject)
}

// wantExhausted checks the refusal: RESOURCE_EXHAUSTED with a retry delay.
func wantExhausted(t *testing.T, err error) time.Duration {
	t.Helper()
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("error = %v, want ResourceExhausted", err)
	}
	d, ok := ratelimit.RetryAfter(err)
	if !ok || d <= 0 {
		t.Fatalf("RetryAfter(%v) = %s, %v; want a positive delay from RetryInfo", err, d, ok)
	}
	return d
}

// TestFloodingCallerIsLimitedOthersAreNot: a caller that sends changing
// calls and feed reads faster than the rate is refused with a retry
// delay; another caller, and the flooding caller's reads, pass.
func TestFloodingCallerIsLimitedOthersAreNot(t *testing.T) {
	cs, feed, _ := serve(t, ratelimit.Config{Rate: 0.01, Burst: 5})
	// Twenty at once: refusals are held back a moment before they go.
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = cs.DecideIntake(as("flood"), &rotsv1.DecideIntakeRequest{})
			} else {
				_, errs[i] = feed.ListChanges(as("flood"), &rotsv1.ListChangesRequest{})
			}
		})
	}
	wg.Wait()
	var refused int
	for _, err := range errs {
		if err != nil {
			d := wantExhausted(t, err)
			if d > 100*time.Second {
				t.Errorf("retry after %s, want at most 100 s (one token at 0.01 a second)", d)
			}
			refused++
		}
	}
	// The burst of five passes, the rest is refused (the next token is
	// 100 s away).
	if refused != 15 {
		t.Errorf("%d of 20 flooding calls refused, want 15 (burst 5)", refused)
	}
	for range 5 {
		if _, err := cs.DecideIntake(as("tandem"), &rotsv1.DecideIntakeRequest{}); err != nil {
			t.Fatalf("another caller's call: %v", err)
		}
		if _, err := cs.GetCase(as("flood"), &rotsv1.GetCaseRequest{}); err != nil {
			t.Fatalf("a read of the flooding caller (reads are not rate limited): %v", err)
		}
	}
}

// TestConcurrentCallsBounded: with two calls of a caller in flight, a
// third is refused at once and another caller's passes; once one ends,
// the caller may call again.
func TestConcurrentCallsBounded(t *testing.T) {
	cs, _, srv := serve(t, ratelimit.Config{MaxConcurrent: 2})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cs.GetCase(as("busy"), &rotsv1.GetCaseRequest{Name: "hold"}); err != nil {
				t.Error(err)
			}
		}()
	}
	<-srv.started
	<-srv.started
	_, err := cs.GetCase(as("busy"), &rotsv1.GetCaseRequest{})
	wantExhausted(t, err)
	if _, err := cs.GetCase(as("other"), &rotsv1.GetCaseRequest{}); err != nil {
		t.Fatalf("another caller while the first is at its bound: %v", err)
	}
	srv.release <- struct{}{}
	srv.release <- struct{}{}
	wg.Wait()
	if _, err := cs.GetCase(as("busy"), &rotsv1.GetCaseRequest{}); err != nil {
		t.Fatalf("after its calls ended: %v", err)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, 100 * time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 3 * time.Second: 3} {
		if got := ratelimit.RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%s) = %d, want %d", d, got, want)
		}
	}
	if _, ok := ratelimit.RetryAfter(status.Error(codes.ResourceExhausted, "no detail")); ok {
		t.Error("RetryAfter found a delay in an error without RetryInfo")
	}
}
