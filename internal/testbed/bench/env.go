package main

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// env is a running cluster on its own database, and this process's
// connections to it.
type env struct {
	topology string
	cl       *rotsdproc.Cluster
	dbURL    string
	drop     func()
	// pgDatabases are the databases the cluster writes to: the service's,
	// and on PostgreSQL the Temporal server's two.
	pgDatabases []string

	conn   *grpc.ClientConn
	cases  rotsv1.CaseServiceClient
	inbox  rotsv1.NotificationServiceClient
	pool   *pgxpool.Pool   // for the floors and the generator
	db     *store.DB       // the service's store, with the cluster's keys
	tc     client.Client   // with the cluster's payload encryption
	floors []worker.Worker // run the floors' workflows, as many as the cluster has workers

	submitter, coordinator, manager string // tokens
}

// floorQueue is the task queue of the floors' workflows, served by this
// process, on the cluster's Temporal server.
const floorQueue = "bench-floor"

func (e *env) connect(ctx context.Context, temporalDB string) error {
	var err error
	e.pgDatabases = []string{databaseName(e.dbURL)}
	if temporalDB != "" {
		e.pgDatabases = append(e.pgDatabases, databaseName(temporalDB), databaseName(temporalDB)+"_visibility")
	}
	if e.conn, err = e.cl.Dial(); err != nil {
		return err
	}
	e.cases = rotsv1.NewCaseServiceClient(e.conn)
	e.inbox = rotsv1.NewNotificationServiceClient(e.conn)
	cfg, err := pgxpool.ParseConfig(e.dbURL)
	if err != nil {
		return err
	}
	// Enough for the floors' concurrency to keep PostgreSQL busy, and few
	// enough that, with the production topology's Temporal server (two
	// pools of 20), the cluster and other tests stay under the server's
	// hundred connections.
	cfg.MaxConns = 24
	// Told apart from the cluster's own connections when counting the
	// CPU of PostgreSQL's backends.
	cfg.ConnConfig.RuntimeParams["application_name"] = benchApp
	if e.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return err
	}
	if e.db, err = store.Open(ctx, e.dbURL); err != nil {
		return err
	}
	e.db.SealTexts(e.cl.Codec.Keys)
	if e.tc, err = e.cl.TemporalClient(ctx); err != nil {
		return err
	}
	for range len(e.cl.Workers) {
		w := worker.New(e.tc, floorQueue, worker.Options{})
		w.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: "Empty"})
		w.RegisterWorkflowWithOptions(waiterWorkflow, workflow.RegisterOptions{Name: "Waiter"})
		w.RegisterWorkflowWithOptions(sleeperWorkflow, workflow.RegisterOptions{Name: "Sleeper"})
		if err := w.Start(); err != nil {
			return err
		}
		e.floors = append(e.floors, w)
	}
	e.submitter = e.cl.Token(auth.Submitter, "limburg", rotsdproc.SampleOrg)
	e.coordinator = e.cl.Token(auth.Coordinator, "limburg", "")
	e.manager = e.cl.Token(auth.Manager, "limburg", "")
	return nil
}

func (e *env) close() {
	for _, w := range e.floors {
		w.Stop()
	}
	if e.tc != nil {
		e.tc.Close()
	}
	if e.db != nil {
		e.db.Close()
	}
	if e.pool != nil {
		e.pool.Close()
	}
	if e.conn != nil {
		e.conn.Close()
	}
	e.cl.Close()
	e.drop()
}

// emptyWorkflow is the floor of starting a workflow: it does nothing.
func emptyWorkflow(workflow.Context) error { return nil }

// waiterWorkflow is the floor of an update: it takes one update that does
// nothing, then ends.
func waiterWorkflow(ctx workflow.Context) error {
	done := false
	if err := workflow.SetUpdateHandler(ctx, "noop", func(workflow.Context) error {
		done = true
		return nil
	}); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return done })
}

// sleeperWorkflow is the floor of a deadline: a timer until due, and
// nothing else. It notes the workflow's clock when it woke in wakes (this
// process runs it: no call to the server to learn it).
func sleeperWorkflow(ctx workflow.Context, due time.Time) error {
	if err := workflow.Sleep(ctx, due.Sub(workflow.Now(ctx))); err != nil {
		return err
	}
	if !workflow.IsReplaying(ctx) {
		wakes.Store(workflow.GetInfo(ctx).WorkflowExecution.ID, workflow.Now(ctx))
	}
	return nil
}

// wakes is when each sleeper woke, by workflow ID.
var wakes sync.Map

// benchApp is the application_name of this process's PostgreSQL
// connections.
const benchApp = "rots-bench"

// databaseName is the database of a PostgreSQL URL.
func databaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.Trim(u.Path, "/")
}

// failed turns a series' failures into an error: a benchmark that failed
// calls measured nothing.
func failed(what string, rs ...result) error {
	var errs []error
	for _, r := range rs {
		if r.errors > 0 {
			errs = append(errs, r.firstErr)
		}
	}
	if len(errs) > 0 {
		return errors.Join(append([]error{errors.New(what + ": calls failed")}, errs...)...)
	}
	return nil
}
