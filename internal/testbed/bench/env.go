package main

import (
	"context"
	"errors"
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
	cl    *rotsdproc.Cluster
	dbURL string
	drop  func()

	conn  *grpc.ClientConn
	cases rotsv1.CaseServiceClient
	inbox rotsv1.NotificationServiceClient
	pool  *pgxpool.Pool // for the floors and the generator
	db    *store.DB     // the service's store, with the cluster's keys
	tc    client.Client // with the cluster's payload encryption
	floor worker.Worker // runs the floors' empty workflows

	submitter, coordinator, manager string // tokens
}

// floorQueue is the task queue of the floors' workflows, served by this
// process, on the cluster's Temporal server.
const floorQueue = "bench-floor"

func (e *env) connect(ctx context.Context) error {
	var err error
	if e.conn, err = e.cl.Dial(); err != nil {
		return err
	}
	e.cases = rotsv1.NewCaseServiceClient(e.conn)
	e.inbox = rotsv1.NewNotificationServiceClient(e.conn)
	cfg, err := pgxpool.ParseConfig(e.dbURL)
	if err != nil {
		return err
	}
	cfg.MaxConns = 64
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
	e.floor = worker.New(e.tc, floorQueue, worker.Options{})
	e.floor.RegisterWorkflowWithOptions(emptyWorkflow, workflow.RegisterOptions{Name: "Empty"})
	e.floor.RegisterWorkflowWithOptions(waiterWorkflow, workflow.RegisterOptions{Name: "Waiter"})
	e.floor.RegisterWorkflowWithOptions(sleeperWorkflow, workflow.RegisterOptions{Name: "Sleeper"})
	if err := e.floor.Start(); err != nil {
		return err
	}
	e.submitter = e.cl.Token(auth.Submitter, "limburg", rotsdproc.SampleOrg)
	e.coordinator = e.cl.Token(auth.Coordinator, "limburg", "")
	e.manager = e.cl.Token(auth.Manager, "limburg", "")
	return nil
}

func (e *env) close() {
	if e.floor != nil {
		e.floor.Stop()
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
// nothing else. It returns the workflow's clock when it woke.
func sleeperWorkflow(ctx workflow.Context, due time.Time) (time.Time, error) {
	if err := workflow.Sleep(ctx, due.Sub(workflow.Now(ctx))); err != nil {
		return time.Time{}, err
	}
	return workflow.Now(ctx), nil
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
