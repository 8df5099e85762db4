package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// open holds many case workflows open, each waiting on its intake deadline,
// and measures the worker's memory; then all those deadlines fall due in
// the same minute, and it measures how late each escalation fired. Before
// them, as the floor, as many empty workflows sleep until moments spread
// over a minute in the same way.
//
// The cases are recorded and their workflows started the way the outbox
// relay does (store.CreateCase, workflows.Start), with submission times
// spread evenly over cfg.dueWithin, so that their intake deadlines are.
func (e *env) open(ctx context.Context, cfg config, out io.Writer) error {
	n := cfg.openCases
	// The floor first, on a server with nothing else to do.
	// Every case waits five working days for its intake deadline.
	wait := time.Duration(escalation.Default().IntakeDays) * cfg.deadlineDay
	floor, floorLate, err := e.sleepers(ctx, n, wait, cfg.dueWithin)
	if err != nil {
		return err
	}
	idle, err := e.cl.Worker.RSS()
	if err != nil {
		return err
	}
	// Submitted over the last dueWithin, so due over dueWithin after
	// the intake wait.
	now := time.Now().UTC().Truncate(time.Microsecond)
	firstDue := now.Add(wait - cfg.dueWithin)
	cases := make([]*store.Case, n)
	ids := make([]string, n)
	due := make(map[string]time.Time, n)
	var mu sync.Mutex
	create := load(16, n, func(i int) error {
		c := sampleCase(now.Add(-spread(cfg.dueWithin, i, n)))
		got, _, err := e.db.CreateCase(ctx, c)
		mu.Lock()
		cases[i], ids[i], due[c.ID] = got, c.ID, c.SubmittedAt.Add(wait)
		mu.Unlock()
		return err
	})
	began := time.Now()
	start := load(32, n, func(i int) error {
		if err := workflows.Start(ctx, e.tc, cases[i]); err != nil {
			return err
		}
		return e.db.MarkWorkflowStarted(ctx, cases[i].ID)
	})
	if err := failed("starting", create, start); err != nil {
		return err
	}
	if err := e.waitStage(ctx, ids, vocab.StageIntake, 30*time.Minute); err != nil {
		return err
	}
	settled := time.Since(began)
	var open int64
	for range 5 { // resident memory moves with the garbage collector: take the peak
		rss, err := e.cl.Worker.RSS()
		if err != nil {
			return err
		}
		open = max(open, rss)
		time.Sleep(time.Second)
	}

	// Now the deadlines: wait for every case's first escalation.
	lateness := result{}
	end := now.Add(wait + 30*time.Minute)
	var peak int64
	for {
		rss, _ := e.cl.Worker.RSS()
		peak = max(peak, rss)
		rows, err := e.pool.Query(ctx, `SELECT case_id::text, min(at) FROM case_events WHERE case_id = ANY($1::uuid[]) AND kind LIKE 'escalation.%' GROUP BY case_id`, ids)
		if err != nil {
			return err
		}
		lateness.latencies = lateness.latencies[:0]
		for rows.Next() {
			var id string
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			lateness.latencies = append(lateness.latencies, at.Sub(due[id]))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if lateness.n() == n {
			break
		}
		if time.Now().After(end) {
			return fmt.Errorf("only %d of %d deadlines fired within 30 minutes", lateness.n(), n)
		}
		time.Sleep(time.Second)
	}

	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(out, "\n### 4. Open cases: worker memory with %d open case workflows\n\n", n)
	fmt.Fprintln(out, "| worker idle MiB | with the cases open MiB | per open case KiB | while the deadlines fire, peak MiB | time to open them all s |")
	fmt.Fprintln(out, "|---:|---:|---:|---:|---:|")
	fmt.Fprintf(out, "| %.0f | %.0f | %.1f | %.0f | %.0f |\n", mib(idle), mib(open), float64(open-idle)/float64(n)/1024, mib(max(peak, open)), settled.Seconds())
	fmt.Fprintln(out, "\nTarget: under 1 GiB in all.")
	fmt.Fprintf(out, "\n### 5. Timers: %d intake deadlines due within %s\n\n", n, cfg.dueWithin)
	if began.Add(settled).After(firstDue) {
		fmt.Fprintln(out, "Not all cases were open before their deadline fell due: the lateness includes the backlog.")
	}
	fmt.Fprintln(out, "| fired after the deadline | p50 ms | p99 ms | max ms |")
	fmt.Fprintln(out, "|---|---:|---:|---:|")
	fmt.Fprintf(out, "| escalation to rung 1 | %s | %s | %s |\n", ms(lateness.quantile(.5)), ms(lateness.quantile(.99)), ms(lateness.quantile(1)))
	fmt.Fprintf(out, "| floor: a bare timer in an empty workflow | %s | %s | %s |\n", ms(floor.quantile(.5)), ms(floor.quantile(.99)), ms(floor.quantile(1)))
	fmt.Fprintf(out, "| ratio | %s | %s | |\n", ratio(float64(lateness.quantile(.5)), float64(floor.quantile(.5))), ratio(float64(lateness.quantile(.99)), float64(floor.quantile(.99))))
	if floorLate {
		fmt.Fprintln(out, "\nNot all bare timers were started before they fell due.")
	}
	fmt.Fprintln(out, "\nTarget: p99 lateness under 2 s.")
	return nil
}

// sampleCase is a case record like rotsdproc.SampleCase's, submitted at t.
func sampleCase(t time.Time) *store.Case {
	return &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: vocab.RegionLimburg, Stage: vocab.StageSubmitted,
		OrgName: "Vrij CLB Limburg", OrgKind: "CLB", ContactName: "Test Contact", ContactEmail: "contact@vclb-limburg.test",
		YoungPerson: store.YoungPerson{Alias: "T.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1, School: "Testschool", Municipality: "Hasselt"},
		Blocked:     "Thuiszitter sinds september", Tried: []string{"Trajectbegeleiding CLB"}, Themes: []string{"ABSENCE"},
		CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: t,
	}
}

// spread is the i-th of n moments spread evenly over d.
func spread(d time.Duration, i, n int) time.Duration {
	return d * time.Duration(i) / time.Duration(n)
}

// sleepers is the floor of the timers: as many empty workflows on the same
// server, each sleeping until its moment, spread over within, and how late
// each woke. late says whether starting them took past the first moment.
func (e *env) sleepers(ctx context.Context, n int, wait, within time.Duration) (lateness result, late bool, err error) {
	// Starting them is quicker than opening cases; half the cases' wait.
	first := time.Now().Add(wait / 2)
	ids := make([]string, n)
	due := make([]time.Time, n)
	start := load(32, n, func(i int) error {
		ids[i], due[i] = "sleeper-"+uuid.NewString(), first.Add(spread(within, i, n))
		_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: ids[i], TaskQueue: floorQueue}, "Sleeper", due[i])
		return err
	})
	if err := failed("starting sleepers", start); err != nil {
		return result{}, false, err
	}
	late = time.Now().After(first)
	var mu sync.Mutex
	woke := load(32, n, func(i int) error {
		var at time.Time
		if err := e.tc.GetWorkflow(ctx, ids[i], "").Get(ctx, &at); err != nil {
			return err
		}
		mu.Lock()
		lateness.latencies = append(lateness.latencies, at.Sub(due[i]))
		mu.Unlock()
		return nil
	})
	if err := failed("sleepers", woke); err != nil {
		return result{}, false, err
	}
	return lateness, late, nil
}
