package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
)

// rateStep is one rate of deadlines falling due for a window: how late
// they fired, and the CPU it cost from the first one due to the last one
// fired.
type rateStep struct {
	rate, due int
	lateness  result
	cpu       cpuUsed
	// startedLate says the timers were not all set when the first fell
	// due; short says not all fired within a minute after the window.
	startedLate, short bool
}

func (s rateStep) sustained() bool {
	return !s.startedLate && !s.short && s.lateness.quantile(.99) < time.Second
}

// rateFigures is the steps for case deadlines and for bare timers.
type rateFigures struct {
	cases, floor []rateStep
}

// rate steps up the rate of deadlines that fall due, each rate for
// cfg.rateWindow, first of bare timers (a workflow that sleeps, run by
// this process), then of cases' intake deadlines, until a step's p99
// lateness reaches a second. Each step's timers are set before it begins,
// far enough ahead that setting them is done when the first falls due.
func (e *env) rate(ctx context.Context, cfg config) (*rateFigures, error) {
	f := &rateFigures{}
	// Measured on the way: how fast timers are set, to start each step far
	// enough ahead.
	setRate := 100.0
	for _, r := range cfg.rates {
		due, lead := e.dueTimes(r, cfg.rateWindow, setRate)
		began := time.Now()
		ids, err := e.startSleepers(ctx, due)
		if err != nil {
			return nil, err
		}
		setRate = float64(len(due)) / time.Since(began).Seconds()
		step, err := e.measureStep(ctx, r, due, lead, func(end time.Time) (result, error) {
			return woken(ctx, ids, due, end)
		})
		if err != nil {
			return nil, err
		}
		f.floor = append(f.floor, step)
		if !step.sustained() {
			break
		}
	}
	wait := time.Duration(escalation.Default().IntakeDays) * cfg.rateDay
	setRate = 50
	for _, r := range cfg.rates {
		due, lead := e.dueTimes(r, cfg.rateWindow, setRate)
		submitted := make([]time.Time, len(due))
		for i, d := range due {
			submitted[i] = d.Add(-wait)
		}
		began := time.Now()
		ids, dueByID, err := e.openCases(ctx, submitted, wait)
		if err != nil {
			return nil, err
		}
		setRate = float64(len(due)) / time.Since(began).Seconds()
		step, err := e.measureStep(ctx, r, due, lead, func(end time.Time) (result, error) {
			for {
				got, err := e.escalated(ctx, ids, dueByID)
				if err != nil || got.n() == len(ids) || time.Now().After(end) {
					return got, err
				}
				time.Sleep(500 * time.Millisecond)
			}
		})
		if err != nil {
			return nil, err
		}
		f.cases = append(f.cases, step)
		if !step.sustained() {
			break
		}
	}
	return f, nil
}

// dueTimes is r deadlines a second for window, the first after the time
// it takes to set them at setRate a second, with a margin.
func (e *env) dueTimes(r int, window time.Duration, setRate float64) ([]time.Time, time.Time) {
	n := int(float64(r) * window.Seconds())
	lead := time.Duration(1.5*float64(n)/setRate*float64(time.Second)) + 5*time.Second
	first := time.Now().UTC().Truncate(time.Microsecond).Add(lead)
	due := make([]time.Time, n)
	for i := range due {
		due[i] = first.Add(time.Duration(i) * time.Second / time.Duration(r))
	}
	return due, first
}

// measureStep waits for the first deadline, then for fired to return
// every lateness (it gets until a minute after the last deadline), and
// takes the CPU used meanwhile.
func (e *env) measureStep(ctx context.Context, r int, due []time.Time, first time.Time, fired func(end time.Time) (result, error)) (rateStep, error) {
	step := rateStep{rate: r, due: len(due), startedLate: time.Now().After(first)}
	select {
	case <-ctx.Done():
		return step, ctx.Err()
	case <-time.After(time.Until(first)):
	}
	before, err := e.cpuNow(ctx)
	if err != nil {
		return step, err
	}
	step.lateness, err = fired(due[len(due)-1].Add(time.Minute))
	if err != nil && step.lateness.n() == 0 {
		return step, err
	}
	after, err := e.cpuNow(ctx)
	if err != nil {
		return step, err
	}
	step.cpu = after.since(before)
	step.short = step.lateness.n() < len(due)
	return step, nil
}

func printRate(out io.Writer, cfg config, all []*figures) {
	if !slices.ContainsFunc(all, func(f *figures) bool { return f.rate != nil }) {
		return
	}
	fmt.Fprintf(out, "\n### 8. Timers' sustained rate: deadlines due at a steady rate for %s\n\n", cfg.rateWindow)
	fmt.Fprintln(out, "CPU per firing: the CPU time the processes used from the first deadline due to the last one fired, over the deadlines; PostgreSQL is its backends connected to the cluster's databases; the bare timers' workflows run in the benchmark's own process (\"bench\"), the cases' in the workers; the machine's busy time includes whatever else ran on it.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| topology | timers | rate /s | fired | p50 ms | p99 ms | max ms | CPU ms per firing: Temporal | workers | bench | PostgreSQL | all of them | machine busy |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	per := func(d time.Duration, n int) string {
		return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)/float64(max(n, 1)))
	}
	for _, f := range all {
		if f.rate == nil {
			continue
		}
		for _, kind := range []struct {
			name  string
			steps []rateStep
		}{{"bare", f.rate.floor}, {"cases", f.rate.cases}} {
			for _, s := range kind.steps {
				fired := fmt.Sprintf("%d", s.lateness.n())
				if s.short {
					fired += fmt.Sprintf(" of %d", s.due)
				}
				if s.startedLate {
					fired += " (set late)"
				}
				fmt.Fprintf(out, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.topology, kind.name, s.rate, fired,
					ms(s.lateness.quantile(.5)), ms(s.lateness.quantile(.99)), ms(s.lateness.quantile(1)),
					per(s.cpu[cpuTemporal], s.due), per(s.cpu[cpuWorkers], s.due), per(s.cpu[cpuBench], s.due), per(s.cpu[cpuPostgres], s.due),
					per(s.cpu.of(cpuTemporal, cpuWorkers, cpuAPIs, cpuBench, cpuPostgres), s.due), per(s.cpu["machine"], s.due))
			}
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| topology | highest rate with p99 < 1 s: cases /s | bare timers /s |")
	fmt.Fprintln(out, "|---|---:|---:|")
	highest := func(steps []rateStep) string {
		best := "none"
		for _, s := range steps {
			if s.sustained() {
				best = fmt.Sprintf("%d", s.rate)
			}
		}
		return best
	}
	for _, f := range all {
		if f.rate != nil {
			fmt.Fprintf(out, "| %s | %s | %s |\n", f.topology, highest(f.rate.cases), highest(f.rate.floor))
		}
	}
}
