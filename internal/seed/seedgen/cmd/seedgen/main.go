// Command seedgen loads the fictional benchmark data set of package seedgen
// into a PostgreSQL database, creating the database when it is missing:
//
//	go run ./internal/seed/seedgen/cmd/seedgen -cases 1000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/seed/seedgen"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// DefaultURL is the database the report benchmark uses.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/rots_bench_reports?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "seedgen:", err)
		}
		os.Exit(1)
	}
}

func realMain(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seedgen", flag.ContinueOnError)
	url := fs.String("database-url", DefaultURL, "PostgreSQL URL; the database is created when missing")
	cases := fs.Int("cases", 1_000_000, "cases to load")
	seed := fs.Uint64("seed", 1, "random seed; loads with different seeds can share a database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := store.EnsureDatabase(ctx, *url); err != nil {
		return err
	}
	start := time.Now()
	st, err := seedgen.Load(ctx, *url, seedgen.Options{Cases: *cases, Seed: *seed, Progress: func(n int) {
		if n%100_000 == 0 || n == *cases {
			fmt.Fprintf(os.Stderr, "%d cases loaded after %s\n", n, time.Since(start).Round(time.Second))
		}
	}})
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d cases, %d events, %d agreements, %d gaps in %s; report rollups rebuilt in %s\n",
		st.Cases, st.Events, st.Agreements, st.Gaps, st.Load.Round(time.Second), st.Rebuild.Round(time.Second))
	return nil
}
