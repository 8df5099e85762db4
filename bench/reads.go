package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/jackc/pgx/v5/pgxpool"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/rotsdproc"
)

// reads grows the cases table to each size and measures GetCase and one
// page of ListCases with filters over gRPC, one call at a time, as the
// Limburg tandem; beside GetCase, the floor of one SELECT by primary key.
func (e *env) reads(ctx context.Context, cfg config, out io.Writer) error {
	fmt.Fprintf(out, "\n### 3. Reads at scale (%d calls per cell, one at a time)\n\n", cfg.readCalls)
	fmt.Fprintln(out, "| cases | GetCase p50 ms | p99 ms | SELECT by id p99 ms | ListCases (region, stage; 20) p50 ms | p99 ms |")
	fmt.Fprintln(out, "|---:|---:|---:|---:|---:|---:|")
	for _, size := range cfg.readSizes {
		if err := generateCases(ctx, e.pool, size); err != nil {
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
		list := load(1, cfg.readCalls, func(int) error {
			_, err := e.cases.ListCases(tok, &rotsv1.ListCasesRequest{
				Region: rotsv1.Region_REGION_LIMBURG, Stage: stages[rand.IntN(len(stages))], PageSize: 20,
			})
			return err
		})
		if err := failed(fmt.Sprintf("%d cases", size), get, floor, list); err != nil {
			return err
		}
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %s |\n", size, ms(get.quantile(.5)), ms(get.quantile(.99)),
			ms(floor.quantile(.99)), ms(list.quantile(.5)), ms(list.quantile(.99)))
	}
	fmt.Fprintln(out, "\nTarget: p99 under 5 ms (GetCase) and 10 ms (ListCases), flat as the table grows.")
	return nil
}

// generateCases adds generated cases until the table holds size, straight
// into PostgreSQL: spread over the regions, stages and five years, with
// their workflows marked started so that the relay leaves them alone.
func generateCases(ctx context.Context, pool *pgxpool.Pool, size int) error {
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&have); err != nil {
		return err
	}
	for have < size {
		batch := min(size-have, 100_000)
		_, err := pool.Exec(ctx, `
			INSERT INTO cases (id, request_id, region, stage, org_name, org_kind, contact_name, contact_email,
				yp_alias, yp_birth_year, yp_birth_month, yp_school_level, yp_grade, yp_school, yp_municipality,
				blocked, tried, themes, clb_stuck, youth_care_stuck, informed, submitted_at, updated_at, workflow_started)
			SELECT gen_random_uuid(), 'generated-' || g, (ARRAY['ANTWERPEN','BRUSSEL','LIMBURG','OOST_VLAANDEREN','VLAAMS_BRABANT','WEST_VLAANDEREN'])[1 + g % 6],
				(ARRAY['INTAKE','NEEDS_INFO','CONSULT','TABLE','FOLLOW_UP','CLOSED','CLOSED','CLOSED'])[1 + (g / 6) % 8],
				'CLB ' || (g % 300), 'CLB', 'Contact ' || g, 'contact' || g || '@clb.test',
				'A.', 2008 + g % 10, 1 + g % 12, 'SECUNDAIR', 1 + g % 6, 'School ' || (g % 900), 'Gemeente ' || (g % 300),
				repeat('x', 300), ARRAY['Trajectbegeleiding'], ARRAY['ABSENCE'], true, true, true, ts, ts, true
			FROM generate_series($1::bigint, $2::bigint) g,
				LATERAL (SELECT now() - make_interval(mins => (g * 2621) % 2628000)) t(ts)`, have+1, have+batch)
		if err != nil {
			return err
		}
		have += batch
	}
	_, err := pool.Exec(ctx, `ANALYZE cases`)
	return err
}
