package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// loadFigures is stage commands under load: clients that each submit a
// case and accept every other one at intake, as the fault tests' traffic
// does, and where a sample of the commands spent their time.
type loadFigures struct {
	clients           int
	submits, commands result
	phases            phases
	// cpu is what the run cost, over wall.
	cpu  cpuUsed
	wall time.Duration
}

// load runs cfg.loadClients clients for cfg.loadFor. A failed call fails
// it.
func (e *env) load(ctx context.Context, cfg config) (*loadFigures, error) {
	var (
		calls    commandCalls
		mu       sync.Mutex
		submits  result
		commands result
		wg       sync.WaitGroup
	)
	record := func(r *result, took time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			r.errors++
			if r.firstErr == nil {
				r.firstErr = err
			}
			return
		}
		r.latencies = append(r.latencies, took)
	}
	before, err := e.cpuNow(ctx)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	end := began.Add(cfg.loadFor)
	for range cfg.loadClients {
		wg.Go(func() {
			for time.Now().Before(end) {
				t0 := time.Now()
				resp, err := e.cases.SubmitCase(rotsdproc.WithToken(ctx, e.submitter), rotsdproc.SampleCase(uuid.NewString()))
				record(&submits, time.Since(t0), err)
				if err != nil || rand.IntN(2) == 0 {
					continue
				}
				t0 = time.Now()
				err = calls.decide(ctx, e, strings.TrimPrefix(resp.GetCase().GetName(), "cases/"))
				record(&commands, time.Since(t0), err)
			}
		})
	}
	wg.Wait()
	wall := time.Since(began)
	after, err := e.cpuNow(ctx)
	if err != nil {
		return nil, err
	}
	submits.wall, commands.wall = wall, wall
	if err := failed(fmt.Sprintf("%d clients", cfg.loadClients), submits, commands); err != nil {
		return nil, err
	}
	ph, err := e.phases(ctx, calls.sample(cfg.phaseSample, true))
	if err != nil {
		return nil, err
	}
	return &loadFigures{clients: cfg.loadClients, submits: submits, commands: commands, phases: ph, cpu: after.since(before), wall: wall}, nil
}

func printLoad(out io.Writer, cfg config, all []*figures) {
	if !slices.ContainsFunc(all, func(f *figures) bool { return f.load != nil }) {
		return
	}
	fmt.Fprintf(out, "\n### 7. Stage commands under load: %d clients for %s\n\n", cfg.loadClients, cfg.loadFor)
	fmt.Fprintln(out, "Each client submits a case and accepts every other one at once, over and over.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| topology | submissions /s | p50 ms | p99 ms | commands /s | p50 ms | p99 ms | one client's p50 ms | p50 ÷ one client's |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, f := range all {
		if f.load == nil {
			continue
		}
		l, one := f.load, "–"
		var oneP50 float64
		if f.command != nil {
			one, oneP50 = ms(f.command.decide.quantile(.5)), float64(f.command.decide.quantile(.5))
		}
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s |\n", f.topology,
			l.submits.throughput(), ms(l.submits.quantile(.5)), ms(l.submits.quantile(.99)),
			l.commands.throughput(), ms(l.commands.quantile(.5)), ms(l.commands.quantile(.99)),
			one, ratio(float64(l.commands.quantile(.5)), oneP50))
	}
	fmt.Fprintln(out, "\nTarget (issue 15): the p50 under load within 2 × one client's.")
	fmt.Fprintln(out, "\nWhat the run cost: cores busy on average (CPU time over the wall time) in the cluster's processes, in PostgreSQL's backends for its databases, and on the whole machine; a client's mean round (a submission and, every other time, a command) and what Little's law makes of the clients and the rounds a second (clients ÷ rounds a second: with no pause between calls, the mean round can be no shorter).")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| topology | Temporal cores | workers | APIs | PostgreSQL | machine | rounds /s | mean round ms | clients ÷ rounds a second ms |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, f := range all {
		l := f.load
		if l == nil {
			continue
		}
		cores := func(g string) string { return fmt.Sprintf("%.2f", l.cpu[g].Seconds()/l.wall.Seconds()) }
		rounds := float64(l.submits.n()) / l.wall.Seconds()
		var busy time.Duration
		for _, d := range append(slices.Clone(l.submits.latencies), l.commands.latencies...) {
			busy += d
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %.0f | %s | %.0f |\n", f.topology, cores(cpuTemporal), cores(cpuWorkers), cores(cpuAPIs),
			cores(cpuPostgres), cores("machine"), rounds, ms(busy/time.Duration(max(l.submits.n(), 1))), float64(l.clients)/rounds*1000)
	}
	fmt.Fprintln(out, "\nWhere the commands spent their time, from their workflows' histories: median (mean) ms of a sample from the middle third of the run; the means add up to the total's.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| topology | clients | sampled | total | call → update's task scheduled | task scheduled → started (waits for a poller) | task in the worker | task done → answer | came while a task of the workflow was in hand |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	row := func(topology string, clients int, p phases) {
		fmt.Fprintf(out, "| %s | %d | %d | %s | %s | %s | %s | %s | %d |\n", topology, clients, p.n(),
			cell(p.total), cell(p.toScheduled), cell(p.toStarted), cell(p.inWorker), cell(p.toAnswer), p.behind)
	}
	for _, f := range all {
		if f.command != nil {
			row(f.topology, 1, f.command.phases)
		}
		if f.load != nil {
			row(f.topology, f.load.clients, f.load.phases)
		}
	}
}
