package reportservice

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// cellKey is a row and column label.
type cellKey struct{ row, col string }

// expectedCounts counts, straight from the cases and not through the
// rollups, what each table of a dashboard should show.
func expectedCounts(t *testing.T, conn *pgx.Conn, region string, from, until, today time.Time) map[rotsv1.ReportTable]map[cellKey]int64 {
	t.Helper()
	const period = `submitted_at >= $1 AND submitted_at < $2 AND ($3 = '' OR region = $3) AND $4::date IS NOT NULL`
	queries := map[rotsv1.ReportTable]string{
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE:             `SELECT stage, region, count(*) FROM cases WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND:          `SELECT age_band, region, count(*) FROM cases WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL:      `SELECT yp_school_level, region, count(*) FROM cases WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: `SELECT org_kind, region, count(*) FROM cases WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME:             `SELECT t, region, count(DISTINCT id) FROM cases, unnest(themes) t WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON:    `SELECT closure_reason, region, count(*) FROM cases WHERE stage = 'CLOSED' AND ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH:         `SELECT to_char(submitted_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), region, count(*) FROM cases WHERE ` + period + ` GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH: `SELECT to_char(closed_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), region, count(*) FROM cases
			WHERE closed_at >= $1 AND closed_at < $2 AND ($3 = '' OR region = $3) AND $4::date IS NOT NULL GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS: `SELECT rung::text, region, count(*) FROM cases
			WHERE stage <> 'CLOSED' AND rung > 0 AND ($3 = '' OR region = $3) AND $1::timestamptz < $2::timestamptz AND $4::date IS NOT NULL GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS: `SELECT a.status, c.region, count(*) FROM agreements a JOIN cases c ON c.id = a.case_id
			WHERE c.stage <> 'CLOSED' AND a.status <> 'DONE' AND a.due_date < $4 AND ($3 = '' OR c.region = $3) AND $1::timestamptz < $2::timestamptz GROUP BY 1, 2`,
		rotsv1.ReportTable_REPORT_TABLE_GAPS: `SELECT theme, age_band, count(*) FROM gaps
			WHERE recorded_at >= $1 AND recorded_at < $2 AND ($3 = '' OR region = $3) AND $4::date IS NOT NULL GROUP BY 1, 2`,
	}
	out := map[rotsv1.ReportTable]map[cellKey]int64{}
	for kind, q := range queries {
		rows, err := conn.Query(context.Background(), q, from, until, region, today)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		m := map[cellKey]int64{}
		for rows.Next() {
			var k cellKey
			var n int64
			if err := rows.Scan(&k.row, &k.col, &n); err != nil {
				t.Fatal(err)
			}
			if k.row == "" {
				k.row = "UNKNOWN"
			}
			m[k] += n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		out[kind] = m
	}
	return out
}

// expectedTimes measures, straight from the timelines, every stay of the
// cases submitted in the period, by measure and region.
func expectedTimes(t *testing.T, conn *pgx.Conn, region string, from, until time.Time) map[cellKey][]int {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT e.case_id::text, c.region, c.submitted_at, e.from_stage, e.to_stage, e.at
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE c.submitted_at >= $1 AND c.submitted_at < $2 AND ($3 = '' OR c.region = $3) AND e.from_stage <> e.to_stage
		ORDER BY e.case_id, e.at, e.id`, from, until, region)
	if err != nil {
		t.Fatal(err)
	}
	out := map[cellKey][]int{}
	var (
		current, id, reg, fromStage, toStage string
		submitted, at, since                 time.Time
		offered                              bool
	)
	cal := calendar.Calendar{}
	for rows.Next() {
		if err := rows.Scan(&id, &reg, &submitted, &fromStage, &toStage, &at); err != nil {
			t.Fatal(err)
		}
		if id != current {
			current, since, offered = id, time.Time{}, false
		}
		switch fromStage {
		case "INTAKE", "NEEDS_INFO", "CONSULT", "TABLE", "FOLLOW_UP":
			if !since.IsZero() {
				k := cellKey{fromStage, reg}
				out[k] = append(out[k], cal.WorkingDaysBetween(since, at))
			}
		}
		if toStage == "FOLLOW_UP" && !offered {
			offered = true
			k := cellKey{"OFFER", reg}
			out[k] = append(out[k], cal.WorkingDaysBetween(submitted, at))
		}
		since = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// nearestRank is the nearest-rank percentile p of a list of values.
func nearestRank(values []int, p int) int {
	s := slices.Sorted(slices.Values(values))
	return s[(len(s)*p+99)/100-1]
}

// TestDashboardMatchesCases loads generated cases and checks every figure
// the dashboard shows against the cases themselves, counted without the
// rollups; and that no count from 1 to 9 shows.
func TestDashboardMatchesCases(t *testing.T) {
	db := loadSmall(t)
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	s := newServer(t, db, 10)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, calendar.Brussels)
	s.now = func() time.Time { return now }
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

	for _, tt := range []struct {
		region   rotsv1.Region
		from, to string
		minShown int
	}{
		{0, "2024-01", "2025-12", 200},
		{rotsv1.Region_REGION_ANTWERPEN, "2023-01", "2025-12", 50},
		{rotsv1.Region_REGION_LIMBURG, "2025-01", "2025-12", 20},
		{rotsv1.Region_REGION_OOST_VLAANDEREN, "2026-09", "2026-10", 0}, // cases still open
	} {
		resp, err := s.GetDashboard(context.Background(), &rotsv1.GetDashboardRequest{Region: tt.region, FromMonth: tt.from, ToMonth: tt.to})
		if err != nil {
			t.Fatal(err)
		}
		d := resp.GetDashboard()
		region := ""
		if tt.region != 0 {
			region = tt.region.String()[len("REGION_"):]
		}
		_, p, err := validate(&rotsv1.GetDashboardRequest{FromMonth: tt.from, ToMonth: tt.to})
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, calendar.Brussels)
		until := time.Date(p.To.Year(), p.To.Month()+1, 1, 0, 0, 0, 0, calendar.Brussels)
		want := expectedCounts(t, conn, region, from, until, today)
		shown, checked := 0, 0
		check := func(what string, f *rotsv1.Figure, want int64) {
			t.Helper()
			checked++
			if f.GetSuppressed() {
				if f.Value != nil {
					t.Errorf("%s %s..%s %s: hidden with a value", region, tt.from, tt.to, what)
				}
				return
			}
			if v := f.GetValue(); v != want || v > 0 && v < 10 {
				t.Errorf("%s %s..%s %s: shows %d, the cases say %d", region, tt.from, tt.to, what, v, want)
			}
			if want > 0 {
				shown++
			}
		}
		for _, ct := range d.GetTables() {
			m := want[ct.GetTable()]
			colTotals := make([]int64, len(ct.GetColumns()))
			var total int64
			for _, row := range ct.GetRows() {
				var rowTotal int64
				for j, col := range ct.GetColumns() {
					n := m[cellKey{row.GetLabel(), col}]
					check(ct.GetTable().String()+" "+row.GetLabel()+" "+col, row.GetCells()[j], n)
					rowTotal += n
					colTotals[j] += n
				}
				check(ct.GetTable().String()+" "+row.GetLabel()+" total", row.GetTotal(), rowTotal)
				total += rowTotal
			}
			for j, col := range ct.GetColumns() {
				check(ct.GetTable().String()+" total "+col, ct.GetColumnTotals()[j], colTotals[j])
			}
			check(ct.GetTable().String()+" total", ct.GetTotal(), total)
			var all int64
			for _, n := range m {
				all += n
			}
			if all != total {
				t.Errorf("%s %s..%s %s: the table holds %d of %d counted", region, tt.from, tt.to, ct.GetTable(), total, all)
			}
		}

		times := expectedTimes(t, conn, region, from, until)
		dt := d.GetDurations()
		for _, row := range dt.GetRows() {
			var all []int
			for j, col := range dt.GetColumns() {
				vs := times[cellKey{row.GetLabel(), col}]
				all = append(all, vs...)
				checkTimes(t, row.GetLabel()+" "+col, row.GetCells()[j], vs, check)
			}
			checkTimes(t, row.GetLabel()+" all", row.GetTotal(), all, check)
		}
		t.Logf("%s %s..%s: %d figures checked, %d non-zero ones shown", region, tt.from, tt.to, checked, shown)
		if shown < tt.minShown {
			t.Errorf("%s %s..%s: only %d non-zero figures shown; the test checks little", region, tt.from, tt.to, shown)
		}
	}
}

func checkTimes(t *testing.T, what string, d *rotsv1.Duration, values []int, check func(string, *rotsv1.Figure, int64)) {
	t.Helper()
	check(what+" stays", d.GetCount(), int64(len(values)))
	// Times show only beside a published count of at least 10 stays: beside
	// a hidden count they would tell it is 10 or more.
	if len(values) < 10 || d.GetCount().GetSuppressed() {
		if !d.GetMedianDays().GetSuppressed() || !d.GetP90Days().GetSuppressed() {
			t.Errorf("%s: times of %d stays shown (count hidden: %v)", what, len(values), d.GetCount().GetSuppressed())
		}
		return
	}
	for _, f := range []struct {
		p   int
		fig *rotsv1.Figure
	}{{50, d.GetMedianDays()}, {90, d.GetP90Days()}} {
		if got, want := f.fig.GetValue(), int64(nearestRank(values, f.p)); f.fig.GetSuppressed() || got != want {
			t.Errorf("%s: p%d %d (hidden %v), the timelines say %d", what, f.p, got, f.fig.GetSuppressed(), want)
		}
	}
}
