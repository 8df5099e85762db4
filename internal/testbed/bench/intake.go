package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// intakeRow is SubmitCase at one concurrency beside its floors.
type intakeRow struct {
	concurrency      int
	in, pg, temporal result
}

// intake measures SubmitCase over gRPC at each concurrency beside its two
// floors: (a) one INSERT and COMMIT of a case-sized row into a table like
// cases, indexes and all; (b) starting an empty workflow on the same
// Temporal server.
func (e *env) intake(ctx context.Context, cfg config) ([]intakeRow, error) {
	if _, err := e.pool.Exec(ctx, `CREATE TABLE bench_floor (LIKE cases INCLUDING ALL)`); err != nil {
		return nil, err
	}
	blocked := strings.Repeat("x", 300) // a case's sealed free text is about this long
	var rows []intakeRow
	for _, c := range cfg.concurrency {
		pg := load(c, cfg.intakeCalls, func(int) error {
			tx, err := e.pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			_, err = tx.Exec(ctx, `INSERT INTO bench_floor (id, request_id, region, stage, org_name, org_kind, contact_name, contact_email,
					yp_alias, yp_birth_year, yp_birth_month, yp_school_level, yp_grade, yp_school, yp_municipality,
					blocked, tried, themes, clb_stuck, youth_care_stuck, informed, submitted_at, updated_at, reference)
				VALUES ($1, $2, 'LIMBURG', 'SUBMITTED', 'Vrij CLB Limburg', 'CLB', 'Test Contact', 'contact@vclb-limburg.test',
					'T.', 2012, 5, 'SECUNDAIR', 1, 'Testschool', 'Hasselt', $3, ARRAY[$3], ARRAY['ABSENCE'], true, true, true, now(), now(), $4)`,
				uuid.New(), uuid.NewString(), blocked, store.NewReference())
			if err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
		tw := load(c, cfg.intakeCalls, func(int) error {
			_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "floor-" + uuid.NewString(), TaskQueue: floorQueue}, "Empty")
			return err
		})
		in := load(c, cfg.intakeCalls, func(int) error {
			_, err := e.cases.SubmitCase(rotsdproc.WithToken(ctx, e.submitter), rotsdproc.SampleCase(uuid.NewString()))
			return err
		})
		if err := failed(fmt.Sprintf("concurrency %d", c), pg, tw, in); err != nil {
			return nil, err
		}
		rows = append(rows, intakeRow{c, in, pg, tw})
	}
	return rows, nil
}

func printIntake(out io.Writer, cfg config, all []*figures) {
	if !slices.ContainsFunc(all, func(f *figures) bool { return f.intake != nil }) {
		return
	}
	fmt.Fprintf(out, "\n### 1. Intake: SubmitCase (%d calls per row)\n\n", cfg.intakeCalls)
	fmt.Fprintln(out, "| concurrency | topology | intake /s | p50 ms | p99 ms | (a) pgx INSERT+COMMIT /s | p99 ms | (b) Temporal start /s | p99 ms | throughput ÷ slower floor | p99 ÷ its p99 |")
	fmt.Fprintln(out, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, c := range cfg.concurrency {
		for _, f := range all {
			if i >= len(f.intake) {
				continue
			}
			r := f.intake[i]
			slower := r.pg
			if r.temporal.throughput() < r.pg.throughput() {
				slower = r.temporal
			}
			fmt.Fprintf(out, "| %d | %s | %.0f | %s | %s | %.0f | %s | %.0f | %s | %s | %s |\n", c, f.topology,
				r.in.throughput(), ms(r.in.quantile(.5)), ms(r.in.quantile(.99)),
				r.pg.throughput(), ms(r.pg.quantile(.99)), r.temporal.throughput(), ms(r.temporal.quantile(.99)),
				ratio(r.in.throughput(), slower.throughput()), ratio(float64(r.in.quantile(.99)), float64(slower.quantile(.99))))
		}
	}
	fmt.Fprintln(out, "\nTarget: throughput at least 0.70 × the slower floor, p99 at most 2 × its p99.")
}

// commandFigures is DecideIntake one at a time beside a bare update, and
// where a sample of the commands spent their time.
type commandFigures struct {
	decide, floor result
	phases        phases
}

// command measures DecideIntake (an update on the case's workflow, through
// the API) one at a time, beside a bare update on an empty workflow.
func (e *env) command(ctx context.Context, cfg config) (*commandFigures, error) {
	n := cfg.commandCalls
	names := make([]string, n)
	sub := load(8, n, func(i int) error {
		resp, err := e.cases.SubmitCase(rotsdproc.WithToken(ctx, e.submitter), rotsdproc.SampleCase(uuid.NewString()))
		names[i] = resp.GetCase().GetName()
		return err
	})
	waiters := make([]string, n)
	start := load(8, n, func(i int) error {
		waiters[i] = "waiter-" + uuid.NewString()
		_, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: waiters[i], TaskQueue: floorQueue}, "Waiter")
		return err
	})
	if err := failed("preparing", sub, start); err != nil {
		return nil, err
	}
	// Every case's workflow has taken its first step.
	ids := make([]string, n)
	for i, name := range names {
		ids[i] = strings.TrimPrefix(name, "cases/")
	}
	if err := e.waitStage(ctx, ids, vocab.StageIntake, 5*time.Minute); err != nil {
		return nil, err
	}
	floor := load(1, n, func(i int) error {
		h, err := e.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: waiters[i], UpdateName: "noop", WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	})
	var calls commandCalls
	decide := load(1, n, func(i int) error {
		return calls.decide(ctx, e, ids[i])
	})
	if err := failed("updates", floor, decide); err != nil {
		return nil, err
	}
	ph, err := e.phases(ctx, calls.sample(cfg.phaseSample, false))
	if err != nil {
		return nil, err
	}
	return &commandFigures{decide: decide, floor: floor, phases: ph}, nil
}

func printCommand(out io.Writer, cfg config, all []*figures) {
	if !slices.ContainsFunc(all, func(f *figures) bool { return f.command != nil }) {
		return
	}
	fmt.Fprintf(out, "\n### 2. Stage command: DecideIntake (%d calls, one at a time)\n\n", cfg.commandCalls)
	fmt.Fprintln(out, "| topology | | DecideIntake ms | bare update ms | ratio |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|")
	for _, f := range all {
		if f.command == nil {
			continue
		}
		for _, q := range []float64{.5, .99} {
			c := f.command
			fmt.Fprintf(out, "| %s | p%.0f | %s | %s | %s |\n", f.topology, q*100, ms(c.decide.quantile(q)), ms(c.floor.quantile(q)),
				ratio(float64(c.decide.quantile(q)), float64(c.floor.quantile(q))))
		}
	}
	fmt.Fprintln(out, "\nTarget: within 1.5 × the bare update.")
}

// waitStage waits until every case is in the stage.
func (e *env) waitStage(ctx context.Context, ids []string, stage string, within time.Duration) error {
	end := time.Now().Add(within)
	n := len(ids)
	for {
		var got int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases WHERE id = ANY($1::uuid[]) AND stage = $2`, ids, stage).Scan(&got); err != nil {
			return err
		}
		if got == n {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("only %d of %d cases reached %s in %s", got, n, stage, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
