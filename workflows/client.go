package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/rots-vlaanderen/roundtable/internal/store"
)

func startOptions(caseID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:        WorkflowID(caseID),
		TaskQueue: TaskQueue,
		// A repeated start joins the running workflow; a closed case's
		// workflow is never started again.
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

func input(cs *store.Case) CaseInput {
	return CaseInput{CaseID: cs.ID, Region: cs.Region, SubmittedAt: cs.SubmittedAt}
}

// Start starts the case's workflow, or does nothing when it runs or ran.
func Start(ctx context.Context, c client.Client, cs *store.Case) error {
	caseID := cs.ID
	_, err := c.ExecuteWorkflow(ctx, startOptions(caseID), CaseWorkflow, input(cs))
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("workflows.Start(%s): %w", caseID, err)
	}
	return nil
}

// Command sends a stage command as an update with the request ID as its
// update ID, so a retried command is answered from the first one's result.
// The workflow is started first if its start got lost.
func Command(ctx context.Context, c client.Client, cs *store.Case, requestID, update string, cmd any) (State, error) {
	start := c.NewWithStartWorkflowOperation(startOptions(cs.ID), CaseWorkflow, input(cs))
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     requestID,
			UpdateName:   update,
			Args:         []any{cmd},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return State{}, err
	}
	var st State
	err = handle.Get(ctx, &st)
	return st, err
}

// QueryStage asks the case's workflow for its stage.
func QueryStage(ctx context.Context, c client.Client, caseID string) (string, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(caseID), "", QueryState)
	if err != nil {
		return "", err
	}
	var st State
	if err := v.Get(&st); err != nil {
		return "", err
	}
	return st.Stage, nil
}

// NewWorker returns a worker for case workflows and their activities. On
// Stop it takes no more tasks and lets the running ones finish for at most
// stopTimeout (0: the SDK's default).
func NewWorker(c client.Client, a *Activities, stopTimeout time.Duration) worker.Worker {
	w := worker.New(c, TaskQueue, worker.Options{WorkerStopTimeout: stopTimeout})
	w.RegisterWorkflow(CaseWorkflow)
	w.RegisterActivity(a)
	return w
}

// RunRelay starts the workflows of cases that were recorded but whose start
// did not get through (the outbox), every interval until ctx ends.
func RunRelay(ctx context.Context, db *store.DB, c client.Client, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := relayOnce(ctx, db, c, time.Now().Add(-interval)); err != nil && ctx.Err() == nil {
			log.Warn("outbox relay", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// relayOnce starts the workflows of cases submitted before the given time
// that are not known to be started.
func relayOnce(ctx context.Context, db *store.DB, c client.Client, before time.Time) error {
	cases, err := db.UnstartedCases(ctx, before, 100)
	if err != nil {
		return err
	}
	for _, cs := range cases {
		if err := Start(ctx, c, cs); err != nil {
			return err
		}
		if err := db.MarkWorkflowStarted(ctx, cs.ID); err != nil {
			return err
		}
	}
	return nil
}
