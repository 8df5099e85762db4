package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// openFigures is the workers' memory with many cases open, and how late
// their deadlines fired beside bare timers'.
type openFigures struct {
	cases                    int
	idle, open, peak         int64 // the workers' resident memory, summed
	workers                  int
	settled                  time.Duration
	lateness, floor          result
	notOpenInTime, floorLate bool
}

// open holds many case workflows open, each waiting on its intake deadline,
// and measures the workers' memory; then all those deadlines fall due in
// the same minute, and it measures how late each escalation fired. Before
// them, as the floor, as many empty workflows sleep until moments spread
// over a minute in the same way.
//
// The cases are recorded and their workflows started the way the outbox
// relay does (store.CreateCase, workflows.Start), with submission times
// spread evenly over cfg.dueWithin, so that their intake deadlines are.
func (e *env) open(ctx context.Context, cfg config) (*openFigures, error) {
	n := cfg.openCases
	f := &openFigures{cases: n, workers: len(e.cl.Workers)}
	// The floor first, on a server with nothing else to do.
	// Every case waits five working days for its intake deadline.
	wait := time.Duration(escalation.Default().IntakeDays) * cfg.deadlineDay
	var err error
	f.floor, f.floorLate, err = e.sleepers(ctx, n, wait, cfg.dueWithin)
	if err != nil {
		return nil, err
	}
	if f.idle, err = e.workersRSS(); err != nil {
		return nil, err
	}
	// Submitted over the last dueWithin, so due over dueWithin after
	// the intake wait.
	now := time.Now().UTC().Truncate(time.Microsecond)
	firstDue := now.Add(wait - cfg.dueWithin)
	submitted := make([]time.Time, n)
	for i := range submitted {
		submitted[i] = now.Add(-spread(cfg.dueWithin, i, n))
	}
	began := time.Now()
	ids, due, err := e.openCases(ctx, submitted, wait)
	if err != nil {
		return nil, err
	}
	f.settled = time.Since(began)
	f.notOpenInTime = began.Add(f.settled).After(firstDue)
	for range 5 { // resident memory moves with the garbage collector: take the peak
		rss, err := e.workersRSS()
		if err != nil {
			return nil, err
		}
		f.open = max(f.open, rss)
		time.Sleep(time.Second)
	}

	// Now the deadlines: wait for every case's first escalation.
	end := now.Add(wait + 30*time.Minute)
	for {
		rss, _ := e.workersRSS()
		f.peak = max(f.peak, rss)
		if f.lateness, err = e.escalated(ctx, ids, due); err != nil {
			return nil, err
		}
		if f.lateness.n() == n {
			break
		}
		if time.Now().After(end) {
			return nil, fmt.Errorf("only %d of %d deadlines fired within 30 minutes", f.lateness.n(), n)
		}
		time.Sleep(time.Second)
	}
	return f, nil
}

// openCases records cases submitted at the given times and starts their
// workflows the way the outbox relay does, and waits until every one has
// taken its first step; it returns their IDs and when each one's intake
// deadline falls due, wait after its submission.
func (e *env) openCases(ctx context.Context, submitted []time.Time, wait time.Duration) ([]string, map[string]time.Time, error) {
	n := len(submitted)
	cases := make([]*store.Case, n)
	ids := make([]string, n)
	due := make(map[string]time.Time, n)
	var mu sync.Mutex
	create := load(16, n, func(i int) error {
		c := sampleCase(submitted[i])
		got, _, err := e.db.CreateCase(ctx, c)
		mu.Lock()
		cases[i], ids[i], due[c.ID] = got, c.ID, c.SubmittedAt.Add(wait)
		mu.Unlock()
		return err
	})
	if err := failed("recording", create); err != nil {
		return nil, nil, err
	}
	start := load(32, n, func(i int) error {
		if err := workflows.Start(ctx, e.tc, cases[i]); err != nil {
			return err
		}
		return e.db.MarkWorkflowStarted(ctx, cases[i].ID)
	})
	if err := failed("starting", start); err != nil {
		return nil, nil, err
	}
	if err := e.waitStage(ctx, ids, vocab.StageIntake, 30*time.Minute); err != nil {
		return nil, nil, err
	}
	return ids, due, nil
}

// escalated is how late each case's first escalation came after its due
// time, of the cases that escalated so far.
func (e *env) escalated(ctx context.Context, ids []string, due map[string]time.Time) (result, error) {
	var r result
	rows, err := e.pool.Query(ctx, `SELECT case_id::text, min(at) FROM case_events WHERE case_id = ANY($1::uuid[]) AND kind LIKE 'escalation.%' GROUP BY case_id`, ids)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return r, err
		}
		r.latencies = append(r.latencies, at.Sub(due[id]))
	}
	return r, rows.Err()
}

// workersRSS is the resident memory of every worker, summed.
func (e *env) workersRSS() (int64, error) {
	var sum int64
	for _, w := range e.cl.Workers {
		rss, err := w.RSS()
		if err != nil {
			return 0, err
		}
		sum += rss
	}
	return sum, nil
}

func printOpen(out io.Writer, cfg config, all []*figures) {
	if !slices.ContainsFunc(all, func(f *figures) bool { return f.open != nil }) {
		return
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(out, "\n### 4. Open cases: worker memory with %d open case workflows\n\n", cfg.openCases)
	fmt.Fprintln(out, "| topology | workers | idle MiB | with the cases open MiB | per open case KiB | while the deadlines fire, peak MiB | time to open them all s |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|")
	for _, f := range all {
		if o := f.open; o != nil {
			fmt.Fprintf(out, "| %s | %d | %.0f | %.0f | %.1f | %.0f | %.0f |\n", f.topology, o.workers, mib(o.idle), mib(o.open),
				float64(o.open-o.idle)/float64(o.cases)/1024, mib(max(o.peak, o.open)), o.settled.Seconds())
		}
	}
	fmt.Fprintln(out, "\nWith several workers, their memory summed. Target: under 1 GiB in all.")
	fmt.Fprintf(out, "\n### 5. Timers: %d intake deadlines due within %s\n\n", cfg.openCases, cfg.dueWithin)
	fmt.Fprintln(out, "| topology | fired after the deadline | p50 ms | p99 ms | max ms |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|")
	for _, f := range all {
		o := f.open
		if o == nil {
			continue
		}
		fmt.Fprintf(out, "| %s | escalation to rung 1 | %s | %s | %s |\n", f.topology, ms(o.lateness.quantile(.5)), ms(o.lateness.quantile(.99)), ms(o.lateness.quantile(1)))
		fmt.Fprintf(out, "| %s | floor: a bare timer in an empty workflow | %s | %s | %s |\n", f.topology, ms(o.floor.quantile(.5)), ms(o.floor.quantile(.99)), ms(o.floor.quantile(1)))
		fmt.Fprintf(out, "| %s | ratio | %s | %s | |\n", f.topology, ratio(float64(o.lateness.quantile(.5)), float64(o.floor.quantile(.5))), ratio(float64(o.lateness.quantile(.99)), float64(o.floor.quantile(.99))))
	}
	for _, f := range all {
		if o := f.open; o != nil && o.notOpenInTime {
			fmt.Fprintf(out, "\n%s: not all cases were open before their deadline fell due: the lateness includes the backlog.\n", f.topology)
		}
		if o := f.open; o != nil && o.floorLate {
			fmt.Fprintf(out, "\n%s: not all bare timers were started before they fell due.\n", f.topology)
		}
	}
	fmt.Fprintln(out, "\nTarget: p99 lateness under 2 s.")
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
	due := make([]time.Time, n)
	for i := range due {
		due[i] = first.Add(spread(within, i, n))
	}
	ids, err := e.startSleepers(ctx, due)
	if err != nil {
		return result{}, false, err
	}
	late = time.Now().After(first)
	lateness, err = woken(ctx, ids, due, due[n-1].Add(30*time.Minute))
	return lateness, late, err
}

// startSleepers starts a sleeper for each moment.
func (e *env) startSleepers(ctx context.Context, due []time.Time) ([]string, error) {
	ids := make([]string, len(due))
	start := load(32, len(due), func(i int) error {
		ids[i] = "sleeper-" + uuid.NewString()
		_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: ids[i], TaskQueue: floorQueue}, "Sleeper", due[i])
		return err
	})
	return ids, failed("starting sleepers", start)
}

// woken waits until every sleeper woke, or until the end, and returns how
// late each woke.
func woken(ctx context.Context, ids []string, due []time.Time, end time.Time) (result, error) {
	for {
		var r result
		for i, id := range ids {
			if at, ok := wakes.Load(id); ok {
				r.latencies = append(r.latencies, at.(time.Time).Sub(due[i]))
			}
		}
		if r.n() == len(ids) {
			return r, nil
		}
		if time.Now().After(end) {
			return r, fmt.Errorf("only %d of %d sleepers woke by %s", r.n(), len(ids), end.Format(time.TimeOnly))
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
