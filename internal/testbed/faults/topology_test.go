package faults

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// TestProductionTopology runs the service as it would run in production,
// each a process of its own: the Temporal server on PostgreSQL with 16
// history shards, two APIs that clients call round robin, and two
// workers. One of the workers is killed under load, then one of the APIs,
// then the Temporal server, which starts again on its database: the others
// carry on, and nothing acknowledged is lost.
func TestProductionTopology(t *testing.T) {
	h := start(t, 0, nil, func(o *rotsdproc.Options) {
		o.TemporalPostgres, o.HistoryShards, o.APIs, o.Workers = storetest.TemporalDatabase(t), 16, 2, 2
	})

	t.Run("one of two workers killed", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(3 * time.Second)
		killed := time.Now()
		h.cl.Workers[1].Kill()
		time.Sleep(5 * time.Second)
		tr.stop(t)
		if len(tr.submitFailures) > 0 {
			t.Errorf("submissions failed with one worker left: %v", tr.submitFailures)
		}
		if len(tr.before(killed)) == 0 {
			t.Fatal("no case was in flight when the worker was killed")
		}
		slow := slices.Max(append(tr.commandTimes, 0))
		t.Logf("%d submissions, %d commands; the slowest command took %s (the pause while the other worker took over)",
			len(tr.submitTimes), len(tr.commandTimes), slow.Round(time.Millisecond))
		h.check(t)
	})

	t.Run("one of two APIs killed", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(3 * time.Second)
		h.cl.APIs[1].Kill()
		time.Sleep(5 * time.Second)
		tr.stop(t)
		// Calls that were on the killed API fail Unavailable and are sent
		// again, with the same request_id, to the one that is left.
		for code, n := range tr.submitFailures {
			if code != codes.Unavailable {
				t.Errorf("%d submissions failed with %s", n, code)
			}
		}
		t.Logf("%d submissions, %d commands; retried after the kill: submissions %v, commands %v",
			len(tr.submitTimes), len(tr.commandTimes), tr.submitFailures, tr.commandFailures)
		h.check(t)
	})

	t.Run("the Temporal server on PostgreSQL restarted", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(3 * time.Second)
		h.cl.Temporal.Kill()
		time.Sleep(3 * time.Second)
		if err := h.cl.Temporal.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := h.cl.WaitTemporal(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		tr.stop(t)
		// Submissions are recorded without Temporal; the relay starts
		// their workflows once the server is back on its database.
		if len(tr.submitFailures) > 0 {
			t.Errorf("submissions failed while the Temporal server was down: %v", tr.submitFailures)
		}
		t.Logf("%d submissions, %d commands; commands retried: %v", len(tr.submitTimes), len(tr.commandTimes), tr.commandFailures)
		h.check(t)
	})
}
