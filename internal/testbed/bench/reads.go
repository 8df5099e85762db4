package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/jackc/pgx/v5/pgxpool"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/seed/seedgen"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// reads grows the cases table to each size and measures GetCase and one
// page of ListCases with filters over gRPC, one call at a time, as the
// Limburg tandem; beside GetCase, the floor of one SELECT by primary key,
// and GetCase as a manager, whose statistical view writes no access-log
// entry.
func (e *env) reads(ctx context.Context, cfg config, out io.Writer) error {
	fmt.Fprintf(out, "\n### 3. Reads at scale (%d calls per cell, one at a time)\n\n", cfg.readCalls)
	fmt.Fprintln(out, "| cases | GetCase p50 ms | p99 ms | SELECT by id p99 ms | GetCase without access log p99 ms | ListCases (region, stage; 20) p50 ms | p99 ms |")
	fmt.Fprintln(out, "|---:|---:|---:|---:|---:|---:|---:|")
	for i, size := range cfg.readSizes {
		if err := growCases(ctx, e.pool, e.dbURL, size, uint64(i+1)); err != nil {
			return err
		}
		var ids []string
		rows, err := e.pool.Query(ctx, `SELECT id::text FROM cases WHERE region = 'LIMBURG' ORDER BY random() LIMIT 2000`)
		if err == nil {
			for rows.Next() {
				var id string
				rows.Scan(&id)
				ids = append(ids, id)
			}
			err = rows.Err()
		}
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return fmt.Errorf("no Limburg cases among %d", size)
		}
		tok := rotsdproc.WithToken(ctx, e.coordinator)
		stages := []rotsv1.Stage{rotsv1.Stage_STAGE_INTAKE, rotsv1.Stage_STAGE_CONSULT, rotsv1.Stage_STAGE_TABLE, rotsv1.Stage_STAGE_FOLLOW_UP}
		get := load(1, cfg.readCalls, func(int) error {
			_, err := e.cases.GetCase(tok, &rotsv1.GetCaseRequest{Name: "cases/" + ids[rand.IntN(len(ids))]})
			return err
		})
		floor := load(1, cfg.readCalls, func(int) error {
			rows, err := e.pool.Query(ctx, `SELECT * FROM cases WHERE id = $1`, ids[rand.IntN(len(ids))])
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		})
		stat := load(1, cfg.readCalls, func(int) error {
			_, err := e.cases.GetCase(rotsdproc.WithToken(ctx, e.manager), &rotsv1.GetCaseRequest{Name: "cases/" + ids[rand.IntN(len(ids))]})
			return err
		})
		list := load(1, cfg.readCalls, func(int) error {
			_, err := e.cases.ListCases(tok, &rotsv1.ListCasesRequest{
				Region: rotsv1.Region_REGION_LIMBURG, Stage: stages[rand.IntN(len(stages))], PageSize: 20,
			})
			return err
		})
		if err := failed(fmt.Sprintf("%d cases", size), get, floor, stat, list); err != nil {
			return err
		}
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %s | %s |\n", size, ms(get.quantile(.5)), ms(get.quantile(.99)),
			ms(floor.quantile(.99)), ms(stat.quantile(.99)), ms(list.quantile(.5)), ms(list.quantile(.99)))
	}
	fmt.Fprintln(out, "\nTarget: p99 under 5 ms (GetCase) and 10 ms (ListCases), flat as the table grows.")
	return nil
}

// growCases loads generated cases (package seedgen: each played along the
// case path, with its timeline) until the table holds about size, one
// seed per step.
func growCases(ctx context.Context, pool *pgxpool.Pool, dbURL string, size int, seed uint64) error {
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&have); err != nil {
		return err
	}
	if have >= size {
		return nil
	}
	if _, err := seedgen.Load(ctx, dbURL, seedgen.Options{Cases: size - have, Seed: seed}); err != nil {
		return err
	}
	// Measure a settled database, not autovacuum and the checkpoint
	// catching up with a bulk load.
	_, err := pool.Exec(ctx, `VACUUM (ANALYZE) cases, case_events, agreements, access_log`)
	if err == nil {
		_, err = pool.Exec(ctx, `CHECKPOINT`)
	}
	return err
}
