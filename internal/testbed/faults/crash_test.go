package faults

import (
	"context"
	"testing"
	"time"
)

// TestCrashes kills the worker, then the Temporal server, with SIGKILL
// while clients submit cases and move them along, and starts them again.
// A working day lasts a second, so intake deadlines (five days) fall due
// while the process is down.
func TestCrashes(t *testing.T) {
	h := start(t, time.Second, nil)
	ctx := context.Background()

	t.Run("worker killed mid-case", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(3 * time.Second)
		killed := time.Now()
		h.cl.Worker.Kill()
		time.Sleep(6 * time.Second)
		if err := h.cl.Worker.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := h.cl.WaitWorker(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Second)
		tr.stop(t)
		// Intake needs no worker: submissions go on while it is down.
		if len(tr.submitFailures) > 0 {
			t.Errorf("submissions failed while the worker was down: %v", tr.submitFailures)
		}
		inFlight := tr.before(killed)
		if len(inFlight) == 0 {
			t.Fatal("no case was in flight when the worker was killed")
		}
		h.check(t)
		h.waitEscalated(t, inFlight, time.Minute)
	})

	t.Run("Temporal server restarted", func(t *testing.T) {
		tr := h.traffic(8)
		time.Sleep(3 * time.Second)
		killed := time.Now()
		h.cl.Temporal.Kill()
		time.Sleep(3 * time.Second)
		if err := h.cl.Temporal.Restart(); err != nil {
			t.Fatal(err)
		}
		if err := h.cl.WaitTemporal(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		tr.stop(t)
		// Intake needs no Temporal server either: the case is recorded and
		// the outbox relay starts its workflow once the server is back.
		if len(tr.submitFailures) > 0 {
			t.Errorf("submissions failed while the Temporal server was down: %v", tr.submitFailures)
		}
		inFlight := tr.before(killed)
		if len(inFlight) == 0 {
			t.Fatal("no case was in flight when the Temporal server was killed")
		}
		h.check(t)
		h.waitEscalated(t, inFlight, time.Minute)
	})
}
