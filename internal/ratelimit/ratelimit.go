// Package ratelimit keeps one caller from slowing everybody else's work: a
// token bucket per caller on the calls that change something and on the
// change feed, and a bound on each caller's calls in flight. A caller is
// the token's subject, so an integration's client and a person's browser
// session (the web application calls with the person's own token) are
// different callers. Over a limit the call is RESOURCE_EXHAUSTED with a
// google.rpc.RetryInfo saying when to try again; over HTTP the gateway
// answers 429 with Retry-After from it (RetryAfter).
//
// It must not import the services.
package ratelimit

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// Config sets the limits; a zero field is no limit.
type Config struct {
	// Rate is how many changing calls and feed reads a caller may make a
	// second, on average; Burst how many at once after a quiet spell.
	Rate  float64
	Burst int
	// MaxConcurrent is how many calls of one caller run at once; one more
	// is refused at once rather than queued.
	MaxConcurrent int
}

// Off reports whether the config limits nothing.
func (c Config) Off() bool { return c.Rate <= 0 && c.MaxConcurrent <= 0 }

// busyRetry is the retry delay of a call refused for the calls in flight:
// about as long as a call takes.
const busyRetry = 100 * time.Millisecond

// forgetAfter is how long a caller's state is kept after their last call
// at least; by then their bucket has refilled, and a full bucket is the
// same as none.
const forgetAfter = 10 * time.Minute

// maxHold bounds how long a refusal is held back before it is sent (never
// longer than its retry delay): a client that calls again at once, ignoring
// the delay, then sends a few calls a second instead of thousands, each
// costing the API a token check. A client that waits as told loses nothing.
const maxHold = 250 * time.Millisecond

// feedMethod is the change feed, limited as the changing calls are.
const feedMethod = "/rots.v1.ChangeService/ListChanges"

// Limiter holds every caller's bucket and calls in flight.
type Limiter struct {
	cfg       Config
	now       func() time.Time
	mu        sync.Mutex
	callers   map[string]*caller
	lastSweep time.Time
}

type caller struct {
	bucket   *rate.Limiter
	inFlight int
	seen     time.Time
}

// New returns a limiter with the config's limits.
func New(cfg Config) *Limiter {
	return &Limiter{cfg: cfg, now: time.Now, callers: map[string]*caller{}}
}

// Unary is the interceptor. It runs after authentication: calls without a
// caller (health, reflection) pass.
func (l *Limiter) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		p, ok := auth.FromContext(ctx)
		if !ok || l.cfg.Off() {
			return handler(ctx, req)
		}
		release, retry, err := l.admit(p.Subject, limited(info.FullMethod, req))
		if err != nil {
			hold := time.NewTimer(min(retry, maxHold))
			defer hold.Stop()
			select {
			case <-hold.C:
			case <-ctx.Done():
			}
			return nil, err
		}
		defer release()
		return handler(ctx, req)
	}
}

// limited reports whether the call counts against the rate: a call of
// rots.v1 that changes something (its request has a request_id, which
// every changing call must have) or the change feed.
func limited(method string, req any) bool {
	if method == feedMethod {
		return true
	}
	m, ok := req.(proto.Message)
	return ok && strings.HasPrefix(method, "/rots.v1.") && m.ProtoReflect().Descriptor().Fields().ByName("request_id") != nil
}

// admit lets a call of the caller in, or says why not and when to retry.
func (l *Limiter) admit(subject string, counts bool) (release func(), retry time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	c := l.callers[subject]
	if c == nil {
		c = &caller{}
		if l.cfg.Rate > 0 {
			c.bucket = rate.NewLimiter(rate.Limit(l.cfg.Rate), max(l.cfg.Burst, 1))
		}
		l.callers[subject] = c
	}
	c.seen = now
	if l.cfg.MaxConcurrent > 0 && c.inFlight >= l.cfg.MaxConcurrent {
		return nil, busyRetry, exhausted(busyRetry, "too many calls at once from this caller (at most %d); retry", l.cfg.MaxConcurrent)
	}
	if counts && c.bucket != nil {
		r := c.bucket.ReserveN(now, 1)
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			return nil, d, exhausted(d, "too many changing calls or feed reads from this caller (%g a second); retry after %s", l.cfg.Rate, d.Round(time.Millisecond))
		}
	}
	c.inFlight++
	return func() {
		l.mu.Lock()
		c.inFlight--
		l.mu.Unlock()
	}, 0, nil
}

// sweep forgets callers idle for a while, at most once a minute.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	idle := forgetAfter
	if l.cfg.Rate > 0 {
		idle = max(idle, time.Duration(float64(max(l.cfg.Burst, 1))/l.cfg.Rate*float64(time.Second)))
	}
	for k, c := range l.callers {
		if c.inFlight == 0 && now.Sub(c.seen) > idle {
			delete(l.callers, k)
		}
	}
}

func exhausted(retry time.Duration, format string, args ...any) error {
	st, err := status.Newf(codes.ResourceExhausted, format, args...).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retry)})
	if err != nil {
		return status.Errorf(codes.ResourceExhausted, format, args...)
	}
	return st.Err()
}

// RetryAfter is how long the error asks the client to wait: the
// RetryDelay of its google.rpc.RetryInfo. The HTTP gateway sends it as
// Retry-After (RetryAfterSeconds) with the 429 of RESOURCE_EXHAUSTED.
func RetryAfter(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok || err == nil {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}

// RetryAfterSeconds is a delay as Retry-After gives it: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
