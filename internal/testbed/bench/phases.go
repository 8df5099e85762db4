package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// commandCall is one acknowledged DecideIntake: its update ID is the
// request_id (workflows.Command).
type commandCall struct {
	caseID, requestID string
	began, ended      time.Time
}

// commandCalls keeps the acknowledged commands, to look up in their
// workflows' histories afterwards.
type commandCalls struct {
	mu    sync.Mutex
	calls []commandCall
}

// decide accepts the case at intake and keeps the call.
func (c *commandCalls) decide(ctx context.Context, e *env, caseID string) error {
	call := commandCall{caseID: caseID, requestID: uuid.NewString(), began: time.Now()}
	_, err := e.cases.DecideIntake(rotsdproc.WithToken(ctx, e.coordinator), &rotsv1.DecideIntakeRequest{
		RequestId: call.requestID, Name: "cases/" + caseID, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT,
	})
	if err != nil {
		return err
	}
	call.ended = time.Now()
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	return nil
}

// sample is at most n of the calls, evenly spread; with middle, only of
// those made in the middle third of the time they span (away from the
// warm-up and the end of a load).
func (c *commandCalls) sample(n int, middle bool) []commandCall {
	c.mu.Lock()
	calls := slices.Clone(c.calls)
	c.mu.Unlock()
	if len(calls) == 0 {
		return nil
	}
	slices.SortFunc(calls, func(a, b commandCall) int { return a.began.Compare(b.began) })
	first, last := calls[0].began, calls[len(calls)-1].began
	third := last.Sub(first) / 3
	mid := calls
	if middle {
		mid = slices.DeleteFunc(slices.Clone(calls), func(c commandCall) bool {
			return c.began.Before(first.Add(third)) || !c.began.Before(first.Add(2*third))
		})
	}
	if len(mid) == 0 {
		mid = calls
	}
	if len(mid) <= n {
		return mid
	}
	out := make([]commandCall, n)
	for i := range out {
		out[i] = mid[i*len(mid)/n]
	}
	return out
}

// phases is where the sampled commands spent their time, from the client's
// clock and the workflow's history (the same machine's clock): from the
// call to the update's workflow task being scheduled (the API's reads and
// claim, the update's way to the history service, and a task of the
// workflow still running, if any), the task waiting for a worker to poll
// it (schedule to start), the task in the worker (the update handler and
// its local activities), and from the task's completion to the answer (the
// update's result back, the API's read of the case and its access-log
// entry).
type phases struct {
	total, toScheduled, toStarted, inWorker, toAnswer result
	// behind is how many commands came while a task of the workflow was
	// still to complete (the update then waits for it, or rides on it).
	behind int
}

func (p phases) n() int { return p.total.n() }

// phases reads each call's workflow history.
func (e *env) phases(ctx context.Context, calls []commandCall) (phases, error) {
	var p phases
	for _, c := range calls {
		var scheduled, started, completed, prevCompleted, lastCompleted time.Time
		var accepted bool
		it := e.tc.GetWorkflowHistory(ctx, workflows.WorkflowID(c.caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() && completed.IsZero() {
			ev, err := it.Next()
			if err != nil {
				return phases{}, err
			}
			at := ev.GetEventTime().AsTime()
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
				if !accepted {
					prevCompleted, scheduled = lastCompleted, at
				}
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
				if !accepted {
					started = at
				}
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				lastCompleted = at
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				if ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetMeta().GetUpdateId() == c.requestID {
					accepted = true
				}
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
				if ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetMeta().GetUpdateId() == c.requestID {
					// Its task completed before it.
					completed = lastCompleted
				}
			}
		}
		if completed.IsZero() {
			return phases{}, fmt.Errorf("case %s: no completed update %s in its history", c.caseID, c.requestID)
		}
		p.total.latencies = append(p.total.latencies, c.ended.Sub(c.began))
		p.toScheduled.latencies = append(p.toScheduled.latencies, scheduled.Sub(c.began))
		p.toStarted.latencies = append(p.toStarted.latencies, started.Sub(scheduled))
		p.inWorker.latencies = append(p.inWorker.latencies, completed.Sub(started))
		p.toAnswer.latencies = append(p.toAnswer.latencies, c.ended.Sub(completed))
		if prevCompleted.After(c.began) || scheduled.Before(c.began) {
			p.behind++
		}
	}
	return p, nil
}

// mean is the average latency.
func (r result) mean() time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range r.latencies {
		sum += d
	}
	return sum / time.Duration(len(r.latencies))
}

// cell is a phase's median and, in brackets, its mean: the means add up to
// the total's.
func cell(r result) string {
	return fmt.Sprintf("%s (%s)", ms(r.quantile(.5)), ms(r.mean()))
}
