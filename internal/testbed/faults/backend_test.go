package faults

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// TestBackends runs rotsd against PostgreSQL through a proxy that can cut
// it off, with real working days.
func TestBackends(t *testing.T) {
	var pg *proxy
	h := start(t, 0, func(dbURL string) string {
		var err error
		if pg, err = startProxy(hostOf(dbURL)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pg.close)
		return proxiedURL(dbURL, pg.addr)
	})

	t.Run("same request_id from many clients at once", func(t *testing.T) {
		req := rotsdproc.SampleCase(uuid.NewString())
		names := make([]string, 32)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range names {
			wg.Go(func() {
				<-start
				_, err := call(time.Minute, func(ctx context.Context) error {
					resp, err := h.cases.SubmitCase(rotsdproc.WithToken(ctx, h.submitter), req)
					names[i] = resp.GetCase().GetName()
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if distinct := slices.Compact(slices.Sorted(slices.Values(names))); len(distinct) != 1 || distinct[0] == "" {
			t.Fatalf("the same request_id gave cases %q, want one", distinct)
		}
		h.mu.Lock()
		h.submitted[req.GetRequestId()] = names[0][len("cases/"):]
		h.mu.Unlock()
		h.check(t)
	})

	t.Run("PostgreSQL unavailable", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(2 * time.Second)
		pg.cut()
		time.Sleep(time.Second)
		// A submission while PostgreSQL is away is refused at once and
		// says so; the traffic's clients may all be retrying commands now.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := h.cases.SubmitCase(rotsdproc.WithToken(ctx, h.submitter), rotsdproc.SampleCase(uuid.NewString()))
		cancel()
		if status.Code(err) != codes.Unavailable {
			t.Errorf("a submission while PostgreSQL was away: %v, want Unavailable", err)
		}
		time.Sleep(4 * time.Second)
		if err := pg.restore(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		tr.stop(t)
		// Submissions need PostgreSQL and say so at once; a command may
		// also wait for its workflow, whose activities retry meanwhile,
		// and run out of time.
		for code, n := range tr.submitFailures {
			if code != codes.Unavailable {
				t.Errorf("%d submissions failed with %s; want Unavailable", n, code)
			}
		}
		for code, n := range tr.commandFailures {
			if code != codes.Unavailable && code != codes.DeadlineExceeded {
				t.Errorf("%d commands failed with %s; want Unavailable or DeadlineExceeded", n, code)
			}
		}
		h.check(t)
	})

	t.Run("64 clients for 60 seconds", func(t *testing.T) {
		const length = 60 * time.Second
		tr := h.traffic(64)
		began := time.Now()
		var api, worker []int64 // resident memory, one sample a second
		for time.Since(began) < length {
			time.Sleep(time.Second)
			a, errA := h.cl.API.RSS()
			w, errW := h.cl.Worker.RSS()
			if errA != nil || errW != nil {
				t.Fatal(errA, errW)
			}
			api, worker = append(api, a), append(worker, w)
		}
		tr.stop(t)
		// Every call is acknowledged in the end (tr.stop fails the test
		// otherwise), and none fails even once.
		if len(tr.submitFailures) > 0 || len(tr.commandFailures) > 0 {
			t.Errorf("calls failed under load (and were retried): submissions %v, commands %v", tr.submitFailures, tr.commandFailures)
		}
		third := len(api) / 3
		mib := func(b int64) int64 { return b >> 20 }
		midAPI, endAPI := slices.Max(api[third:2*third]), slices.Max(api[2*third:])
		t.Logf("%d cases in %s; API resident memory: max %d MiB in the middle third, %d MiB in the last; worker: %d → %d MiB",
			len(tr.acked), length, mib(midAPI), mib(endAPI), mib(worker[third]), mib(slices.Max(worker[2*third:])))
		// The API keeps nothing per case: its memory levels off once the
		// load is steady.
		if endAPI > midAPI+midAPI/4+16<<20 {
			t.Errorf("API memory still growing at the end: %d MiB in the middle third, %d MiB in the last", mib(midAPI), mib(endAPI))
		}
		h.check(t)
	})
}
