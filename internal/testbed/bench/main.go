// Command bench measures rotsd against the floor set by its own components,
// in the same run on the same machine: the API, the worker and the Temporal
// server run as child processes (see rotsdproc) on PostgreSQL, and each
// figure is printed beside its floor and the ratio, as Markdown.
//
//	go run ./internal/testbed/bench                 everything, about 50 minutes
//	go run ./internal/testbed/bench -only intake    one scenario: intake, command, load, reads, web, open, rate
//	go run ./internal/testbed/bench -topology both  on the dev server and the production topology, side by side
//	go run ./internal/testbed/bench -quick          small sizes: checks the harness only
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// config is the sizes of a run.
type config struct {
	// Intake: calls at each concurrency.
	intakeCalls int
	concurrency []int
	// Stage command: DecideIntake calls, one at a time.
	commandCalls int
	// Reads: case counts to grow the table to, and calls at each.
	readSizes []int
	readCalls int
	// Web pages: calls per series at each concurrency, on the reads'
	// table at its largest; webProfile, when set, is where a CPU profile
	// of the pages goes.
	webCalls       int
	webConcurrency []int
	webProfile     string
	// Open cases: workflows held open, their intake deadline five working
	// days of deadlineDay after they were submitted, all within dueWithin.
	openCases   int
	deadlineDay time.Duration
	dueWithin   time.Duration
	// Load: clients that submit and accept for loadFor; phaseSample
	// commands (here and of the one-client series) are looked up in their
	// histories.
	loadClients int
	loadFor     time.Duration
	phaseSample int
	// Timers' sustained rate: deadlines due at each rate for rateWindow,
	// on a cluster whose working day is rateDay (long, so that no later
	// rung falls due meanwhile).
	rates      []int
	rateWindow time.Duration
	rateDay    time.Duration
}

var full = config{
	intakeCalls: 2000, concurrency: []int{1, 8, 64},
	commandCalls: 300,
	readSizes:    []int{10_000, 100_000, 1_000_000}, readCalls: 2000,
	webCalls: 2000, webConcurrency: []int{1, 8},
	// Opening ten thousand cases takes five to seven minutes here; their
	// deadline falls due after it.
	openCases: 10_000, deadlineDay: 150 * time.Second, dueWithin: time.Minute,
	loadClients: 64, loadFor: time.Minute, phaseSample: 200,
	rates: []int{25, 50, 100, 150, 200}, rateWindow: 15 * time.Second, rateDay: time.Hour,
}

var quick = config{
	intakeCalls: 20, concurrency: []int{1, 4},
	commandCalls: 10,
	readSizes:    []int{300}, readCalls: 50,
	webCalls: 50, webConcurrency: []int{1, 4},
	openCases: 30, deadlineDay: 3 * time.Second, dueWithin: time.Second,
	loadClients: 4, loadFor: 3 * time.Second, phaseSample: 10,
	rates: []int{5, 10}, rateWindow: 2 * time.Second, rateDay: time.Hour,
}

var scenarios = []string{"intake", "command", "load", "reads", "web", "open", "rate", "flood"}

func main() {
	small := flag.Bool("quick", false, "small sizes: checks that the harness works, measures nothing worth reporting")
	only := flag.String("only", strings.Join(scenarios, ","), "scenarios to run: "+strings.Join(scenarios, ", "))
	topology := flag.String("topology", dev, "where to run them: dev, production or both (side by side); reads and web run on the first only")
	webProfile := flag.String("webprofile", "", "write a CPU profile of the web pages (served by this process) to this file")
	flag.Parse()
	cfg := full
	if *small {
		cfg = quick
	}
	cfg.webProfile = *webProfile
	topos := []string{*topology}
	if *topology == "both" {
		topos = topologies
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, strings.Split(*only, ","), topos, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// figures is what the scenarios measured on one topology; the tables print
// them side by side once every topology has run.
type figures struct {
	topology string
	intake   []intakeRow
	command  *commandFigures
	load     *loadFigures
	open     *openFigures
	rate     *rateFigures
}

// run runs the chosen scenarios on each topology and writes their tables
// to out.
func run(ctx context.Context, cfg config, chosen, topos []string, out io.Writer) error {
	for _, s := range chosen {
		if !slices.Contains(scenarios, s) {
			return fmt.Errorf("unknown scenario %q", s)
		}
	}
	for _, t := range topos {
		if !slices.Contains(topologies, t) {
			return fmt.Errorf("unknown topology %q: dev, production or both", t)
		}
	}
	release, err := rotsdproc.Exclusive()
	if err != nil {
		return err
	}
	defer release()
	dir, err := os.MkdirTemp("", "rots-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := rotsdproc.Build(ctx, dir)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(out, "Measured %s on %s (%d cores), load average %s at the start.\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), loadAverage())

	var all []*figures
	for i, topo := range topos {
		f := &figures{topology: topo}
		all = append(all, f)
		steady := slices.ContainsFunc(chosen, func(s string) bool {
			return s == "intake" || s == "command" || s == "load" || (i == 0 && (s == "reads" || s == "web"))
		})
		// One cluster at a time, each on fresh databases.
		if steady {
			if err := withEnv(ctx, bin, dir, topo, "steady", 0, func(e *env) error {
				return e.steady(ctx, cfg, chosen, i == 0, f, out)
			}); err != nil {
				return err
			}
		}
		if slices.Contains(chosen, "open") {
			if err := withEnv(ctx, bin, dir, topo, "open", cfg.deadlineDay, func(e *env) (err error) {
				f.open, err = e.open(ctx, cfg)
				return err
			}); err != nil {
				return fmt.Errorf("open (%s): %w", topo, err)
			}
		}
		if slices.Contains(chosen, "flood") && i == 0 {
			if err := runFlood(ctx, cfg, bin, dir, topo, out); err != nil {
				return err
			}
		}
		if slices.Contains(chosen, "rate") {
			if err := withEnv(ctx, bin, dir, topo, "rate", cfg.rateDay, func(e *env) (err error) {
				f.rate, err = e.rate(ctx, cfg)
				return err
			}); err != nil {
				return fmt.Errorf("rate (%s): %w", topo, err)
			}
		}
	}
	printIntake(out, cfg, all)
	printCommand(out, cfg, all)
	printLoad(out, cfg, all)
	printOpen(out, cfg, all)
	printRate(out, cfg, all)
	fmt.Fprintf(out, "\nFinished %s, load average %s.\n", time.Now().UTC().Format("15:04 MST"), loadAverage())
	return nil
}

// steady runs the chosen scenarios that need real working days; reads and
// web only when first (they measure PostgreSQL and the API, not the
// topology).
func (e *env) steady(ctx context.Context, cfg config, chosen []string, first bool, f *figures, out io.Writer) error {
	for _, s := range []string{"intake", "command", "load", "reads", "web"} {
		if !slices.Contains(chosen, s) {
			continue
		}
		var err error
		switch s {
		case "intake":
			f.intake, err = e.intake(ctx, cfg)
		case "command":
			f.command, err = e.command(ctx, cfg)
		case "load":
			f.load, err = e.load(ctx, cfg)
		case "reads":
			if first {
				err = e.reads(ctx, cfg, out)
			}
		case "web":
			if first {
				err = e.pages(ctx, cfg, out)
			}
		}
		if err != nil {
			return fmt.Errorf("%s (%s): %w", s, e.topology, err)
		}
	}
	return nil
}

// withEnv starts a cluster on the topology on fresh databases, runs fn on
// it and stops it.
func withEnv(ctx context.Context, bin, dir, topology, name string, deadlineDay time.Duration, fn func(*env) error) error {
	e, err := startEnv(ctx, bin, filepath.Join(dir, topology+"-"+name), topology, deadlineDay)
	if err != nil {
		return fmt.Errorf("%s cluster: %w", topology, err)
	}
	defer e.close()
	return fn(e)
}

// startEnv starts a cluster on a fresh database.
func startEnv(ctx context.Context, bin, dir, topology string, deadlineDay time.Duration) (*env, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	e := &env{topology: topology, drop: func() {}}
	var err error
	if e.dbURL, e.drop, err = storetest.NewDatabase(ctx); err != nil {
		return nil, err
	}
	var temporalDB string
	if topology == production {
		var dropTemporal func()
		if temporalDB, dropTemporal, err = temporalDatabase(); err != nil {
			e.drop()
			return nil, err
		}
		dropRots := e.drop
		e.drop = func() { dropRots(); dropTemporal() }
	}
	o := topologyOptions(rotsdproc.Options{Bin: bin, Dir: dir, DatabaseURL: e.dbURL, DeadlineDay: deadlineDay}, topology, temporalDB)
	if e.cl, err = rotsdproc.StartCluster(ctx, o); err != nil {
		e.drop()
		return nil, err
	}
	if err := e.connect(ctx, temporalDB); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// loadAverage is the machine's load over the last 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
