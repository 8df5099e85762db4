package faults

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
)

// TestPostgresRestarted runs the production topology on a PostgreSQL
// server of the test's own, which holds the application's database and
// both of Temporal's, and crashes that server under load (every backend
// killed at once, no checkpoint), then starts it again on the same data
// directory: it recovers from its write-ahead log, every process
// reconnects, and nothing acknowledged is lost.
func TestPostgresRestarted(t *testing.T) {
	pg := startPGServer(t)
	h := startOn(t, pg.createDatabase(t, "rots"), "", 0, production(pg.url("temporal")))

	tr := h.traffic(8)
	time.Sleep(3 * time.Second)
	crashed := time.Now()
	if err := pg.crash(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL away for %s (crash, then start with recovery)", time.Since(crashed).Round(time.Millisecond))
	time.Sleep(10 * time.Second)
	tr.stop(t)
	if len(tr.before(crashed)) == 0 {
		t.Fatal("no case was in flight when PostgreSQL crashed")
	}
	// While PostgreSQL is away a submission is refused at once, and a
	// command may also run out of time waiting for its workflow, whose
	// activities and the Temporal server's own persistence retry
	// meanwhile; clients send both again with the same request_id.
	for code, n := range tr.submitFailures {
		if code != codes.Unavailable && code != codes.DeadlineExceeded {
			t.Errorf("%d submission attempts failed with %s; want Unavailable or DeadlineExceeded", n, code)
		}
	}
	for code, n := range tr.commandFailures {
		if code != codes.Unavailable && code != codes.DeadlineExceeded {
			t.Errorf("%d command attempts failed with %s; want Unavailable or DeadlineExceeded", n, code)
		}
	}
	t.Logf("the slowest submission took %s, the slowest command %s (both while PostgreSQL was away)",
		slices.Max(append(tr.submitTimes, 0)).Round(time.Millisecond), slices.Max(append(tr.commandTimes, 0)).Round(time.Millisecond))
	for _, p := range append(append(slices.Clone(h.cl.APIs), h.cl.Workers...), h.cl.Temporal) {
		if !p.Running() {
			t.Errorf("%s exited while PostgreSQL was away:\n%s", p.Name, p.Tail(2000))
		}
	}
	h.check(t)
}
