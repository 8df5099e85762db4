// Package faults crashes and cuts off the real processes of a running
// service — rotsd's worker, the Temporal server, PostgreSQL's connections —
// and under load, and checks after each fault that nothing acknowledged was
// lost: every acknowledged submission and stage command is there exactly
// once, and every case's workflow is in the stage its events say.
package faults

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// bin is the rotsd binary, built once for the package.
var bin string

func TestMain(m *testing.M) {
	release, err := rotsdproc.Exclusive()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "rotsd-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	bin, err = rotsdproc.Build(ctx, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	release()
	os.Exit(code)
}

// harness is a running cluster on a database of its own, and what its
// clients were told.
type harness struct {
	cl    *rotsdproc.Cluster
	cases rotsv1.CaseServiceClient
	db    *pgxpool.Pool // direct, not through any proxy
	tc    client.Client
	// Tokens of a CLB worker and of the Limburg tandem.
	submitter, coordinator string

	mu        sync.Mutex
	submitted map[string]string   // request_id → case ID, acknowledged
	commanded map[string][]string // case ID → acknowledged command request_ids
}

// start runs a cluster; rotsdURL, when set, is where rotsd finds the
// database (a proxy in front of it).
func start(t *testing.T, deadlineDay time.Duration, proxied func(dbURL string) string, topology ...func(*rotsdproc.Options)) *harness {
	t.Helper()
	ctx := context.Background()
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	rotsdURL := dbURL
	if proxied != nil {
		rotsdURL = proxied(dbURL)
	}
	return launch(t, rotsdURL, dbURL, "", deadlineDay, topology...)
}

// retryable is what a well-behaved client retries with the same
// request_id: the service said a backend is away, or did not answer in
// time.
func retryable(err error) bool {
	c := status.Code(err)
	return c == codes.Unavailable || c == codes.DeadlineExceeded
}

// attemptTimeout is how long a client waits for one answer: a little more
// than the service's own bound on a stage command (30 s).
const attemptTimeout = 35 * time.Second

// call makes one attempt with a timeout and retries retryable failures
// until the budget runs out; it returns the failed attempts' errors.
func call(budget time.Duration, attempt func(ctx context.Context) error) (failures []error, err error) {
	end := time.Now().Add(budget)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), attemptTimeout)
		err := attempt(ctx)
		cancel()
		if err == nil || !retryable(err) || time.Now().After(end) {
			return failures, err
		}
		failures = append(failures, err)
		time.Sleep(200 * time.Millisecond)
	}
}

// submit sends a new case until it is acknowledged and records it.
func (h *harness) submit() (caseID string, failures []error, err error) {
	req := rotsdproc.SampleCase(uuid.NewString())
	var resp *rotsv1.SubmitCaseResponse
	failures, err = call(2*time.Minute, func(ctx context.Context) (err error) {
		resp, err = h.cases.SubmitCase(rotsdproc.WithToken(ctx, h.submitter), req)
		return err
	})
	if err != nil {
		return "", failures, err
	}
	caseID = resp.GetCase().GetName()[len("cases/"):]
	h.mu.Lock()
	h.submitted[req.GetRequestId()] = caseID
	h.mu.Unlock()
	return caseID, failures, nil
}

// accept accepts a case at intake until it is acknowledged and records the
// command.
func (h *harness) accept(caseID string) (failures []error, err error) {
	requestID := uuid.NewString()
	failures, err = call(2*time.Minute, func(ctx context.Context) error {
		_, err := h.cases.DecideIntake(rotsdproc.WithToken(ctx, h.coordinator), &rotsv1.DecideIntakeRequest{
			RequestId: requestID, Name: "cases/" + caseID, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT,
		})
		return err
	})
	if err == nil {
		h.mu.Lock()
		h.commanded[caseID] = append(h.commanded[caseID], requestID)
		h.mu.Unlock()
	}
	return failures, err
}

// check is the end of every fault test: every acknowledged submission and
// command is there exactly once, and every case's workflow, its stored
// stage and its last event agree. Projections and the outbox relay catch
// up in the background, so it waits up to two minutes for agreement.
func (h *harness) check(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	h.mu.Lock()
	defer h.mu.Unlock()
	for requestID, caseID := range h.submitted {
		var n int
		var id string
		if err := h.db.QueryRow(ctx, `SELECT count(*), coalesce(min(id::text), '') FROM cases WHERE request_id = $1`, requestID).Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		if n != 1 || id != caseID {
			t.Errorf("acknowledged submission %s: %d cases (%q), want one, %s", requestID, n, id, caseID)
		}
	}
	for caseID, requestIDs := range h.commanded {
		for _, requestID := range requestIDs {
			var n int
			if err := h.db.QueryRow(ctx, `SELECT count(*) FROM case_events WHERE case_id = $1 AND request_id = $2`, caseID, requestID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("acknowledged command %s on case %s: %d events, want 1", requestID, caseID, n)
			}
		}
	}
	if t.Failed() {
		return
	}
	deadline := time.Now().Add(2 * time.Minute)
	pending := map[string]string{}
	for {
		clear(pending)
		rows, err := h.db.Query(ctx, `
			SELECT c.id::text, c.stage, c.workflow_started, coalesce(e.to_stage, '')
			FROM cases c LEFT JOIN LATERAL (
				SELECT to_stage FROM case_events WHERE case_id = c.id ORDER BY id DESC LIMIT 1) e ON true`)
		if err != nil {
			t.Fatal(err)
		}
		var total int
		for rows.Next() {
			var id, stage, last string
			var started bool
			if err := rows.Scan(&id, &stage, &started, &last); err != nil {
				t.Fatal(err)
			}
			total++
			switch {
			case !started:
				pending[id] = "workflow not started"
			case stage != last:
				pending[id] = fmt.Sprintf("stored stage %s, last event says %s", stage, last)
			default:
				qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				wf, err := workflows.QueryStage(qctx, h.tc, id)
				cancel()
				if err != nil || wf != stage {
					pending[id] = fmt.Sprintf("stored stage %s, workflow says %q (%v)", stage, wf, err)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			t.Logf("consistent: %d cases, %d acknowledged submissions, commands on %d cases", total, len(h.submitted), len(h.commanded))
			return
		}
		if time.Now().After(deadline) {
			n := 0
			for id, why := range pending {
				if n++; n <= 10 {
					t.Errorf("case %s: %s", id, why)
				}
			}
			t.Fatalf("%d of %d cases inconsistent after two minutes", len(pending), total)
		}
		time.Sleep(time.Second)
	}
}

// waitEscalated waits until every case has climbed a rung of the ladder:
// its deadline fired.
func (h *harness) waitEscalated(t *testing.T, caseIDs []string, within time.Duration) {
	t.Helper()
	eventually.Until(t, within, func() (bool, string) {
		rows, err := h.db.Query(context.Background(), `SELECT c.id::text FROM unnest($1::uuid[]) AS c(id)
			WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind LIKE 'escalation.%')`, caseIDs)
		if err != nil {
			t.Fatal(err)
		}
		missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) == 0 {
			return true, ""
		}
		return false, fmt.Sprintf("%d of %d cases never escalated, e.g. %s", len(missing), len(caseIDs), missing[0])
	})
}

// hostOf is the host:port of a database URL.
func hostOf(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// proxiedURL points a database URL at a proxy's address.
func proxiedURL(dbURL, addr string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		panic(err)
	}
	u.Host = addr
	return u.String()
}
