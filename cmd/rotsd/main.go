// Command rotsd runs the ROTS roundtable API server and the case worker.
//
//	rotsd dev    everything on one machine: embedded Temporal, local PostgreSQL
//	rotsd serve  against an existing Temporal cluster: API, worker or both
//	rotsd temporal  only the embedded Temporal server of dev, on its own
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/rots-vlaanderen/roundtable/internal/devtemporal"
	"github.com/rots-vlaanderen/roundtable/internal/seed/directoryseed"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C stops rotsd gracefully; a second one kills it.
	context.AfterFunc(ctx, stop)
	if err := realMain(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "rotsd:", err)
		}
		os.Exit(1)
	}
}

func realMain(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "verify-access-log" {
		return verifyAccessLog(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "migrate" {
		return migrate(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "seed-directory" {
		return seedDirectory(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "temporal" {
		return runTemporal(ctx, args[1:])
	}
	if len(args) == 0 || (args[0] != "dev" && args[0] != "serve") {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	cfg, err := loadConfig(args[0], args[1:], os.LookupEnv)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	return stopped(ctx, log, run(ctx, cfg, log))
}

// newLogger is rotsd's JSON log on stderr.
func newLogger(levelName string) (*slog.Logger, error) {
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(levelName)); err != nil {
		return nil, fmt.Errorf("ROTS_LOG_LEVEL: %w", err)
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})), nil
}

// stopped ends a run that ctx stopped: one stopped while still starting
// ends with a "context canceled" that is no error either.
func stopped(ctx context.Context, log *slog.Logger, err error) error {
	if err != nil && !(ctx.Err() != nil && errors.Is(err, context.Canceled)) {
		return err
	}
	log.Info("rotsd stopped")
	return nil
}

// verifyAccessLog checks the access log's hash chain and says how many
// entries it checked, or which entry was changed or removed.
func verifyAccessLog(ctx context.Context, args []string) error {
	db, err := openStore(ctx, "verify-access-log", args)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.VerifyAccessLog(ctx)
	if err != nil {
		return fmt.Errorf("access log NOT intact after %d entries: %w", n, err)
	}
	fmt.Printf("access log intact: %d entries verified\n", n)
	return nil
}

// seedDirectory adds the fictional Limburg partner directory; running it
// again adds nothing.
func seedDirectory(ctx context.Context, args []string) error {
	db, err := openStore(ctx, "seed-directory", args)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := directoryseed.Seed(ctx, db)
	if err != nil {
		return err
	}
	fmt.Printf("partner directory seeded: %d organisations and offers added\n", n)
	return nil
}

// runTemporal runs the embedded Temporal server of rotsd dev as a process of
// its own, so that the API and the worker (rotsd serve) can be stopped,
// killed and restarted apart from it: the fault tests and benchmarks do.
func runTemporal(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rotsd temporal", flag.ContinueOnError)
	dataDir := fs.String("data-dir", envOr("ROTS_DATA_DIR", ".rotsd"), "with -persistence sqlite: where the server keeps its state (ROTS_DATA_DIR)")
	port := fs.Int("temporal-port", 7233, "frontend port on 127.0.0.1; the services take the seven ports after it (eight on PostgreSQL, all below 32768)")
	namespace := fs.String("temporal-namespace", envOr("TEMPORAL_NAMESPACE", devtemporal.DefaultNamespace), "namespace (TEMPORAL_NAMESPACE)")
	logLevel := fs.String("log-level", envOr("ROTS_LOG_LEVEL", "info"), "debug shows the server's own log (ROTS_LOG_LEVEL)")
	persistence := fs.String("persistence", envOr("TEMPORAL_PERSISTENCE", "sqlite"), "sqlite (a file in -data-dir) or postgres (TEMPORAL_PERSISTENCE)")
	dbURL := fs.String("temporal-database-url", envOr("TEMPORAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/temporal?sslmode=disable"),
		"with -persistence postgres: the default store's database; the visibility store's is named after it with _visibility; both created and migrated at start (TEMPORAL_DATABASE_URL)")
	shards := fs.Int("history-shards", 4, "with -persistence postgres: history shards, fixed when the database is created")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		return err
	}
	cfg := devTemporalConfig(*dataDir, *namespace, *port, log)
	switch *persistence {
	case "sqlite":
	case "postgres":
		if *shards < 1 || *shards > 16384 {
			return fmt.Errorf("-history-shards %d: must be 1 to 16384", *shards)
		}
		if *port >= 32768-9 {
			return fmt.Errorf("-temporal-port %d: on PostgreSQL the server's ports must be below 32768", *port)
		}
		cfg.PostgresURL, cfg.HistoryShards = *dbURL, int32(*shards)
	default:
		return fmt.Errorf("-persistence %q: must be sqlite or postgres", *persistence)
	}
	ts, err := devtemporal.Start(cfg)
	if err != nil {
		return err
	}
	attrs := []any{"temporal", ts.HostPort, "temporal_metrics", ts.MetricsURL, "mode", "temporal", "persistence", *persistence}
	if *persistence == "postgres" {
		attrs = append(attrs, "history_shards", *shards)
	} else {
		attrs = append(attrs, "data_dir", *dataDir)
	}
	log.Info("rotsd ready", attrs...)
	<-ctx.Done()
	log.Info("rotsd stopping")
	return stopped(ctx, log, ts.Stop())
}

// openStore opens the database of a maintenance subcommand, named by its
// -database-url flag or DATABASE_URL.
func openStore(ctx context.Context, command string, args []string) (*store.DB, error) {
	fs := flag.NewFlagSet("rotsd "+command, flag.ContinueOnError)
	dbURL := fs.String("database-url", envOr("DATABASE_URL", store.DefaultURL), "PostgreSQL URL (DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return store.Open(ctx, *dbURL)
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

const usage = `usage: rotsd dev|serve|temporal|migrate|verify-access-log|seed-directory [flags]

  dev    run the API, the worker and an embedded Temporal server (state in
         -data-dir) against the local PostgreSQL
  serve  run the API and/or the worker against a Temporal cluster
  temporal  run only the embedded Temporal server of dev (for serve to use)
  migrate            apply the database's pending migrations, then exit
  verify-access-log  check the access log's hash chain
  seed-directory     add the fictional partner directory

Run "rotsd dev -h" or "rotsd serve -h" for the flags; each flag can also be
set with the environment variable named in its help.
`
