// Command bench measures rotsd against the floor set by its own components,
// in the same run on the same machine: the API, the worker and the Temporal
// server run as child processes (see rotsdproc) on PostgreSQL, and each
// figure is printed beside its floor and the ratio, as Markdown.
//
//	go run ./internal/testbed/bench                 everything, about 50 minutes
//	go run ./internal/testbed/bench -only intake    one scenario: intake, command, reads, web, open
//	go run ./internal/testbed/bench -quick          small sizes: checks the harness only
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
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
}

var full = config{
	intakeCalls: 2000, concurrency: []int{1, 8, 64},
	commandCalls: 300,
	readSizes:    []int{10_000, 100_000, 1_000_000}, readCalls: 2000,
	webCalls: 2000, webConcurrency: []int{1, 8},
	// Opening ten thousand cases takes five to seven minutes here; their
	// deadline falls due after it.
	openCases: 10_000, deadlineDay: 150 * time.Second, dueWithin: time.Minute,
}

var quick = config{
	intakeCalls: 20, concurrency: []int{1, 4},
	commandCalls: 10,
	readSizes:    []int{300}, readCalls: 50,
	webCalls: 50, webConcurrency: []int{1, 4},
	openCases: 30, deadlineDay: 3 * time.Second, dueWithin: time.Second,
}

var scenarios = []string{"intake", "command", "reads", "web", "open"}

func main() {
	small := flag.Bool("quick", false, "small sizes: checks that the harness works, measures nothing worth reporting")
	only := flag.String("only", strings.Join(scenarios, ","), "scenarios to run: "+strings.Join(scenarios, ", "))
	webProfile := flag.String("webprofile", "", "write a CPU profile of the web pages (served by this process) to this file")
	flag.Parse()
	cfg := full
	if *small {
		cfg = quick
	}
	cfg.webProfile = *webProfile
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, strings.Split(*only, ","), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run runs the chosen scenarios and writes their tables to out.
func run(ctx context.Context, cfg config, chosen []string, out io.Writer) error {
	for _, s := range chosen {
		if !slices.Contains(scenarios, s) {
			return fmt.Errorf("unknown scenario %q", s)
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
	fmt.Fprintf(out, "Measured %s on %s (%d cores).\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU())

	if slices.ContainsFunc(chosen, func(s string) bool { return s != "open" }) {
		e, err := startEnv(ctx, bin, dir+"/steady", 0)
		if err != nil {
			return err
		}
		err = e.steady(ctx, cfg, chosen, out)
		e.close() // before the open cases: one cluster at a time
		if err != nil {
			return err
		}
	}
	if slices.Contains(chosen, "open") {
		e, err := startEnv(ctx, bin, dir+"/open", cfg.deadlineDay)
		if err != nil {
			return err
		}
		defer e.close()
		if err := e.open(ctx, cfg, out); err != nil {
			return fmt.Errorf("open: %w", err)
		}
	}
	return nil
}

// steady runs the chosen scenarios that need real working days.
func (e *env) steady(ctx context.Context, cfg config, chosen []string, out io.Writer) error {
	for _, s := range []string{"intake", "command", "reads", "web"} {
		if !slices.Contains(chosen, s) {
			continue
		}
		var err error
		switch s {
		case "intake":
			err = e.intake(ctx, cfg, out)
		case "command":
			err = e.command(ctx, cfg, out)
		case "reads":
			err = e.reads(ctx, cfg, out)
		case "web":
			err = e.pages(ctx, cfg, out)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// startEnv starts a cluster on a fresh database.
func startEnv(ctx context.Context, bin, dir string, deadlineDay time.Duration) (*env, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		return nil, err
	}
	cl, err := rotsdproc.StartCluster(ctx, rotsdproc.Options{Bin: bin, Dir: dir, DatabaseURL: dbURL, DeadlineDay: deadlineDay})
	if err != nil {
		drop()
		return nil, err
	}
	e := &env{cl: cl, dbURL: dbURL, drop: drop}
	if err := e.connect(ctx); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}
