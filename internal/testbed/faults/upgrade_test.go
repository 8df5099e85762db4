package faults

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// oldCommit is the rotsd a rolling upgrade starts from: the last commit
// before 9fd7d49, the newest change of workflow logic behind
// workflow.GetVersion (versionTables: a table's agreements got deadlines
// of their own). Cases the old worker takes past a table's outcome have no
// marker for it in their history, so the tree's worker must take the old
// branch when it replays them, and the new one for cases that reach the
// table after the upgrade.
const oldCommit = "846571d137b4038bb41b80e0f668960c3a8b5956"

// TestRollingUpgrade runs an old API and an old worker (oldCommit) on the
// production topology's Temporal server on PostgreSQL, with cases at every
// stage; then starts the tree's worker beside the old one (which migrates
// the application's database forward at its start, under the old
// processes), moves every case a step with both workers polling, stops the
// old worker and the old API, and drives every case to closed on the new
// ones. No workflow task fails, and every history replays against the
// tree's workflow code.
func TestRollingUpgrade(t *testing.T) {
	old := buildOld(t)
	ctx := context.Background()
	// The old binary migrates an empty database to its own schema first.
	appURL := newDatabaseURL(t)
	createDatabase(t, appURL)
	// The Temporal server is the tree's: it is not part of the upgrade
	// (the old rotsd had no `rotsd temporal`).
	h := startOn(t, appURL, "", 0, func(o *rotsdproc.Options) {
		o.TemporalPostgres, o.HistoryShards, o.ServeBin = storetest.TemporalDatabase(t), 16, old
	})

	// Cases at every stage on the old processes: two at each of intake,
	// consult, table and follow-up.
	stages := []rotsv1.Stage{rotsv1.Stage_STAGE_INTAKE, rotsv1.Stage_STAGE_CONSULT, rotsv1.Stage_STAGE_TABLE, rotsv1.Stage_STAGE_FOLLOW_UP}
	var ids []string
	for i := range 2 * len(stages) {
		id, _, err := h.submit()
		if err != nil {
			t.Fatal(err)
		}
		if err := h.moveTo(id, stages[i%len(stages)]); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	// The tree's worker beside the old one; every case a step further, on
	// either worker, through the old API on the newer schema.
	if _, err := h.cl.StartWorker(ctx, bin); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if err := h.moveTo(id, next(stages[i%len(stages)])); err != nil {
			t.Fatalf("with an old and a new worker: %v", err)
		}
	}
	oldWorker, oldAPI := h.cl.Workers[0], h.cl.APIs[0]
	for _, p := range []*rotsdproc.Proc{oldWorker, oldAPI} {
		if !p.Running() {
			t.Fatalf("the old %s exited on the newer schema:\n%s", p.Name, p.Tail(2000))
		}
	}

	// The old worker and API stopped; the tree's API; every case closed.
	oldWorker.Stop()
	_, addr, err := h.cl.StartAPI(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	oldAPI.Stop()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	h.cases = rotsv1.NewCaseServiceClient(conn)
	for _, id := range ids {
		if err := h.moveTo(id, rotsv1.Stage_STAGE_CLOSED); err != nil {
			t.Fatalf("on the new worker alone: %v", err)
		}
	}
	h.check(t)

	replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: h.cl.Codec.DataConverter()})
	if err != nil {
		t.Fatal(err)
	}
	replayer.RegisterWorkflow(workflows.CaseWorkflow)
	logger := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	var events int
	for _, id := range ids {
		history, failures, err := historyOf(ctx, h, id)
		if err != nil {
			t.Fatal(err)
		}
		events += len(history.GetEvents())
		for _, f := range failures {
			t.Errorf("case %s: a workflow task failed: %s", id, f)
		}
		if err := replayer.ReplayWorkflowHistory(logger, history); err != nil {
			t.Errorf("case %s: its history (old worker, then both, then the new) does not replay: %v", id, err)
		}
	}
	t.Logf("%d cases started on %.7s, closed on the tree's rotsd; %d history events replayed, no workflow task failed", len(ids), oldCommit, events)
}

// next is the stage after s on the table path.
func next(s rotsv1.Stage) rotsv1.Stage {
	switch s {
	case rotsv1.Stage_STAGE_INTAKE:
		return rotsv1.Stage_STAGE_CONSULT
	case rotsv1.Stage_STAGE_CONSULT:
		return rotsv1.Stage_STAGE_TABLE
	case rotsv1.Stage_STAGE_TABLE:
		return rotsv1.Stage_STAGE_FOLLOW_UP
	}
	return rotsv1.Stage_STAGE_CLOSED
}

// historyOf is a case workflow's whole history, and the causes of the
// workflow tasks in it that failed (a non-deterministic replay among
// them).
func historyOf(ctx context.Context, h *harness, caseID string) (*historypb.History, []string, error) {
	history := &historypb.History{}
	var failures []string
	it := h.tc.GetWorkflowHistory(ctx, workflows.WorkflowID(caseID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, nil, err
		}
		if a := e.GetWorkflowTaskFailedEventAttributes(); a != nil {
			failures = append(failures, fmt.Sprintf("%s: %s", a.GetCause(), a.GetFailure().GetMessage()))
		}
		history.Events = append(history.Events, e)
	}
	return history, failures, nil
}

// buildOld builds rotsd at oldCommit from this repository's history (its
// own go.mod, modules from the module cache or proxy). Without the commit (a
// shallow clone) it fails, saying so.
func buildOld(t *testing.T) string {
	t.Helper()
	root, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err == nil {
		err = exec.Command("git", "cat-file", "-e", oldCommit+"^{commit}").Run()
	}
	if err != nil {
		t.Fatalf("commit %.7s is not in this clone (a shallow one? git fetch --unshallow): %v", oldCommit, err)
	}
	dir := t.TempDir()
	archive := exec.Command("git", "archive", oldCommit)
	archive.Dir = strings.TrimSpace(string(root))
	tar := exec.Command("tar", "-x", "-C", dir)
	if tar.Stdin, err = archive.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	archive.Stderr, tar.Stderr = &stderr, &stderr
	if err := tar.Start(); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(archive.Run(), tar.Wait()); err != nil {
		t.Fatalf("git archive %.7s | tar -x: %v\n%s", oldCommit, err, stderr.String())
	}
	out := filepath.Join(dir, "rotsd-old")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// The flags of rotsdproc.Build (no -trimpath), so that every module
	// both commits share comes from the build cache.
	build := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/rotsd")
	build.Dir = dir
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build at %.7s: %v\n%s", oldCommit, err, b)
	}
	return out
}
