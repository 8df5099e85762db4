package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// The flood scenario: the tandem works at a steady pace (reads, a command
// and a feed read now and then) alone, then while another caller floods
// the API with submissions and feed reads as fast as it can, ignoring the
// retry delays. The API runs with per-caller limits; the tandem's p99 under
// the flood against alone is the figure (target at most 1.5).
var floodLimits = map[string]string{"ROTS_RATE_LIMIT": "5", "ROTS_RATE_BURST": "10", "ROTS_MAX_CONCURRENT_CALLS": "4"}

const (
	floodClients = 16
	// The tandem's pace: a read every tick, and every tenth tick a command
	// and, five ticks later, a page of the feed: 2 + 2 limited calls a
	// second, within its rate.
	floodTick = 50 * time.Millisecond
)

type floodFigures struct {
	phase   time.Duration
	alone   map[string]result
	flooded map[string]result
	// The flooding caller's calls: answered, refused with a retry delay,
	// failed otherwise.
	floodOK, floodRefused, floodFailed int64
}

var floodKinds = []string{"read", "command", "feed"}

// runFlood runs the scenario on its own cluster, started with the limits.
func runFlood(ctx context.Context, cfg config, bin, dir, topology string, out io.Writer) error {
	for k, v := range floodLimits {
		old, had := os.LookupEnv(k)
		os.Setenv(k, v) // the cluster's processes inherit it
		defer func() {
			if had {
				os.Setenv(k, old)
			} else {
				os.Unsetenv(k)
			}
		}()
	}
	return withEnv(ctx, bin, dir, topology, "flood", 0, func(e *env) error {
		f, err := e.flood(ctx, cfg)
		if err != nil {
			return fmt.Errorf("flood (%s): %w", topology, err)
		}
		printFlood(out, topology, f)
		return nil
	})
}

func (e *env) flood(ctx context.Context, cfg config) (*floodFigures, error) {
	f := &floodFigures{phase: max(cfg.loadFor/3, time.Second)}
	commands := int(2*f.phase/(10*floodTick)) + 2
	ids, err := e.floodCases(ctx, 2*commands)
	if err != nil {
		return nil, err
	}
	if f.alone, err = e.tandemAtPace(ctx, f.phase, ids[:commands], ids); err != nil {
		return nil, err
	}
	fctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range floodClients {
		wg.Go(func() { e.floodCalls(fctx, f) })
	}
	f.flooded, err = e.tandemAtPace(ctx, f.phase, ids[commands:], ids)
	stop()
	wg.Wait()
	return f, err
}

// floodCases submits n cases for the tandem to accept, keeping to the
// submitter's rate as a client should (waiting the delay it is given), and
// waits until each is at intake.
func (e *env) floodCases(ctx context.Context, n int) ([]string, error) {
	var ids []string
	for len(ids) < n {
		resp, err := e.cases.SubmitCase(rotsdproc.WithToken(ctx, e.submitter), rotsdproc.SampleCase(uuid.NewString()))
		if d, limited := ratelimit.RetryAfter(err); limited {
			time.Sleep(d)
			continue
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, resp.GetCase().GetName())
	}
	for _, id := range ids {
		for {
			c, err := e.cases.GetCase(rotsdproc.WithToken(ctx, e.coordinator), &rotsv1.GetCaseRequest{Name: id})
			if err != nil {
				return nil, err
			}
			if c.GetCase().GetStage() == rotsv1.Stage_STAGE_INTAKE {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return ids, nil
}

// tandemAtPace works for d at the tandem's pace: reads of the cases,
// accepting the next of toAccept every tenth tick, and following the feed.
func (e *env) tandemAtPace(ctx context.Context, d time.Duration, toAccept, known []string) (map[string]result, error) {
	ctx = rotsdproc.WithToken(ctx, e.coordinator)
	r := map[string]result{}
	var feedToken string
	began := time.Now()
	tick := time.NewTicker(floodTick)
	defer tick.Stop()
	for n := 0; time.Since(began) < d; n++ {
		<-tick.C
		kind := "read"
		var call func() error
		switch {
		case n%10 == 0 && len(toAccept) > 0:
			kind = "command"
			name := toAccept[0]
			toAccept = toAccept[1:]
			call = func() error {
				_, err := e.cases.DecideIntake(ctx, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name,
					Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
				return err
			}
		case n%10 == 5:
			kind = "feed"
			call = func() error {
				resp, err := e.feed().ListChanges(ctx, &rotsv1.ListChangesRequest{PageSize: 20, PageToken: feedToken})
				feedToken = resp.GetNextPageToken()
				return err
			}
		case n%2 == 0:
			call = func() error {
				_, err := e.cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: known[rand.IntN(len(known))]})
				return err
			}
		default:
			call = func() error {
				_, err := e.cases.ListCases(ctx, &rotsv1.ListCasesRequest{PageSize: 20, OrderBy: "urgency", OpenOnly: true})
				return err
			}
		}
		t0 := time.Now()
		err := call()
		res := r[kind]
		if err != nil {
			// The tandem stays within its limits: any failure is one.
			return nil, fmt.Errorf("the tandem's %s: %w", kind, err)
		}
		res.latencies = append(res.latencies, time.Since(t0))
		r[kind] = res
	}
	return r, nil
}

// floodCalls submits cases and reads the feed as fast as it can until ctx
// ends, ignoring every retry delay.
func (e *env) floodCalls(ctx context.Context, f *floodFigures) {
	ctx = rotsdproc.WithToken(ctx, e.submitter)
	var token string
	for i := 0; ctx.Err() == nil; i++ {
		var err error
		if i%2 == 0 {
			_, err = e.cases.SubmitCase(ctx, rotsdproc.SampleCase(uuid.NewString()))
		} else {
			var resp *rotsv1.ListChangesResponse
			if resp, err = e.feed().ListChanges(ctx, &rotsv1.ListChangesRequest{PageSize: 100, PageToken: token}); err == nil {
				token = resp.GetNextPageToken()
			}
		}
		_, limited := ratelimit.RetryAfter(err)
		switch {
		case err == nil:
			atomic.AddInt64(&f.floodOK, 1)
		case limited && status.Code(err) == codes.ResourceExhausted:
			atomic.AddInt64(&f.floodRefused, 1)
		case ctx.Err() != nil || errors.Is(err, context.Canceled):
		default:
			atomic.AddInt64(&f.floodFailed, 1)
		}
	}
}

func (e *env) feed() rotsv1.ChangeServiceClient { return rotsv1.NewChangeServiceClient(e.conn) }

func printFlood(out io.Writer, topology string, f *floodFigures) {
	fmt.Fprintf(out, "\n### 9. A flooding client beside the tandem (%s)\n\n", topology)
	fmt.Fprintf(out, "The API with `-rate-limit %s -rate-burst %s -max-concurrent-calls %s`. The tandem for %s alone, then for %s while %d goroutines of another caller submit cases and read the feed without pause, ignoring the retry delays.\n\n",
		floodLimits["ROTS_RATE_LIMIT"], floodLimits["ROTS_RATE_BURST"], floodLimits["ROTS_MAX_CONCURRENT_CALLS"], f.phase, f.phase, floodClients)
	fmt.Fprintln(out, "| tandem's calls | n alone | p50 alone ms | p99 alone ms | n flooded | p50 flooded ms | p99 flooded ms | p99 flooded / alone |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|")
	for _, k := range floodKinds {
		a, b := f.alone[k], f.flooded[k]
		ratio := 0.0
		if a.quantile(0.99) > 0 {
			ratio = float64(b.quantile(0.99)) / float64(a.quantile(0.99))
		}
		fmt.Fprintf(out, "| %s | %d | %s | %s | %d | %s | %s | %.2f |\n", k, a.n(), ms(a.quantile(0.5)), ms(a.quantile(0.99)),
			b.n(), ms(b.quantile(0.5)), ms(b.quantile(0.99)), ratio)
	}
	all := func(m map[string]result) result {
		var r result
		for _, k := range floodKinds {
			r.latencies = append(r.latencies, m[k].latencies...)
		}
		return r
	}
	a, b := all(f.alone), all(f.flooded)
	fmt.Fprintf(out, "| all | %d | %s | %s | %d | %s | %s | %.2f |\n", a.n(), ms(a.quantile(0.5)), ms(a.quantile(0.99)),
		b.n(), ms(b.quantile(0.5)), ms(b.quantile(0.99)), float64(b.quantile(0.99))/float64(max(a.quantile(0.99), 1)))
	total := f.floodOK + f.floodRefused + f.floodFailed
	fmt.Fprintf(out, "\nThe flooding caller: %d calls, %d answered, %d refused with RESOURCE_EXHAUSTED and a retry delay, %d failed otherwise.\n",
		total, f.floodOK, f.floodRefused, f.floodFailed)
}
