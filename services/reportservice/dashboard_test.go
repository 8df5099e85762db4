package reportservice

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		h            histogram
		median, p90  int
		observations int
	}{
		{histogram{1: 1, 2: 1, 3: 1, 10: 1}, 2, 10, 4},
		{histogram{5: 10}, 5, 5, 10},
		{histogram{0: 5, 4: 4, 20: 1}, 0, 4, 10}, // rank 5 is the last 0; rank 9 is a 4
		{histogram{0: 5, 4: 5, 20: 1}, 4, 4, 11}, // rank 6 of 11; rank 10
		{histogram{}, 0, 0, 0},
	} {
		if got := tt.h.count(); got != tt.observations {
			t.Errorf("%v: count %d, want %d", tt.h, got, tt.observations)
		}
		if got := tt.h.percentile(50); got != tt.median {
			t.Errorf("%v: median %d, want %d", tt.h, got, tt.median)
		}
		if got := tt.h.percentile(90); got != tt.p90 {
			t.Errorf("%v: p90 %d, want %d", tt.h, got, tt.p90)
		}
	}
}

func mustControl(t testing.TB, threshold int) disclosure.Control {
	t.Helper()
	c, err := disclosure.New(threshold)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// show is a figure as text: its value, or "x" when hidden.
func show(f *rotsv1.Figure) string {
	if f.GetSuppressed() {
		if f.Value != nil {
			return "LEAK"
		}
		return "x"
	}
	return strconv.FormatInt(f.GetValue(), 10)
}

// figures reads a count table back as text.
func figures(t *rotsv1.CountTable) [][]string {
	var out [][]string
	for _, r := range t.GetRows() {
		line := []string{r.GetLabel()}
		for _, c := range r.GetCells() {
			line = append(line, show(c))
		}
		out = append(out, append(line, show(r.GetTotal())))
	}
	line := []string{"total"}
	for _, c := range t.GetColumnTotals() {
		line = append(line, show(c))
	}
	return append(out, append(line, show(t.GetTotal())))
}

func TestDashboardOfRollups(t *testing.T) {
	t.Parallel()
	day := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	r := &store.Report{
		Counts: []store.ReportCount{
			{Region: "LIMBURG", Dim: store.DimStage, Day: day(2026, 3), Key: "INTAKE", N: 12},
			{Region: "LIMBURG", Dim: store.DimStage, Day: day(2026, 4), Key: "INTAKE", N: 3},
			{Region: "LIMBURG", Dim: store.DimStage, Day: day(2026, 3), Key: "CLOSED", N: 40},
			{Region: "LIMBURG", Dim: store.DimStage, Day: day(2026, 4), Key: "CONSULT", N: 2},
			{Region: "LIMBURG", Dim: store.DimClosureReason, Key: "BACK_AT_SCHOOL", N: 30},
			{Region: "LIMBURG", Dim: store.DimClosureReason, Key: "DECLINED", N: 10},
			{Region: "LIMBURG", Dim: store.DimGap, Key: "ABSENCE/UNDER_12", N: 11},
			{Region: "LIMBURG", Dim: store.DimOpenRung, Key: "4", N: 1},
		},
		Durations: []store.ReportDuration{
			{Region: "LIMBURG", Measure: "INTAKE", Days: 2, N: 6},
			{Region: "LIMBURG", Measure: "INTAKE", Days: 7, N: 5},
			{Region: "LIMBURG", Measure: "OFFER", Days: 40, N: 4},
		},
	}
	p := Period{From: day(2026, 3), To: day(2026, 4)}
	d, err := Dashboard(r, "LIMBURG", p, mustControl(t, 10), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tables := map[rotsv1.ReportTable]*rotsv1.CountTable{}
	for _, ct := range d.GetTables() {
		tables[ct.GetTable()] = ct
	}
	if len(tables) != 11 {
		t.Fatalf("%d tables, want 11", len(tables))
	}
	// INTAKE 15 and CLOSED 40 show; CONSULT 2 is hidden, and with it the
	// smallest other non-zero row, INTAKE, so that 2 is not 57 - 15 - 40.
	want := [][]string{
		{"SUBMITTED", "0", "0"}, {"INTAKE", "x", "x"}, {"NEEDS_INFO", "0", "0"}, {"CONSULT", "x", "x"},
		{"TABLE", "0", "0"}, {"FOLLOW_UP", "0", "0"}, {"CLOSED", "40", "40"}, {"total", "57", "57"},
	}
	if diff := cmp.Diff(want, figures(tables[rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE])); diff != "" {
		t.Errorf("cases by stage (-want +got):\n%s", diff)
	}
	// 5 in April is hidden, and March with it: the total would give it away.
	want = [][]string{{"2026-03", "x", "x"}, {"2026-04", "x", "x"}, {"total", "57", "57"}}
	if diff := cmp.Diff(want, figures(tables[rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH])); diff != "" {
		t.Errorf("submitted by month (-want +got):\n%s", diff)
	}
	got := figures(tables[rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON])
	if got[0][1] != "30" || got[4][1] != "10" || got[len(got)-1][2] != "40" {
		t.Errorf("closure reasons: %v", got)
	}
	if got := figures(tables[rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS]); got[3][1] != "x" {
		t.Errorf("one open case on rung 4 is shown: %v", got)
	}
	if got := figures(tables[rotsv1.ReportTable_REPORT_TABLE_GAPS]); got[0][1] != "11" || got[0][2] != "0" {
		t.Errorf("gaps: %v", got)
	}
	// 11 intake stays: their count is hidden, or it would give away the 4
	// offers' from the total; so are their median and p90, which beside a
	// hidden count would tell it is at least 10 (and the offers at most 5).
	intake, offer := d.GetDurations().GetRows()[0], d.GetDurations().GetRows()[5]
	if intake.GetLabel() != "INTAKE" || !intake.GetTotal().GetCount().GetSuppressed() ||
		!intake.GetTotal().GetMedianDays().GetSuppressed() || !intake.GetTotal().GetP90Days().GetSuppressed() {
		t.Errorf("intake times: %v", intake.GetTotal())
	}
	if offer.GetLabel() != "OFFER" || !offer.GetTotal().GetCount().GetSuppressed() ||
		!offer.GetTotal().GetMedianDays().GetSuppressed() || offer.GetTotal().GetMedianDays().Value != nil {
		t.Errorf("time to an offer of 4 cases is shown: %v", offer.GetTotal())
	}
}

// TestLinkedFiguresAgree builds dashboards of all of Flanders from random
// small counts and checks that a figure two tables show is hidden in both
// or in neither, and that no count from 1 to 9 is shown.
func TestLinkedFiguresAgree(t *testing.T) {
	t.Parallel()
	c := mustControl(t, 10)
	r := rand.New(rand.NewPCG(7, 7))
	regions := vocab.StoredNames[rotsv1.Region]()
	p := Period{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	blanks := 0
	for run := range 300 {
		var counts []store.ReportCount
		for _, region := range regions {
			for _, m := range p.Months() {
				for _, stage := range vocab.StoredNames[rotsv1.Stage]() {
					n := int64(r.IntN(4) * r.IntN(6) * r.IntN(3))
					counts = append(counts, store.ReportCount{Region: region, Dim: store.DimStage, Day: m, Key: stage, N: n})
					// Every case once under each dimension; the closed ones
					// by reason.
					counts = append(counts,
						store.ReportCount{Region: region, Dim: store.DimAgeBand, Key: []string{"UNDER_12", "TWELVE_AND_OVER"}[r.IntN(2)], N: n},
						store.ReportCount{Region: region, Dim: store.DimSchoolLevel, Key: "SECUNDAIR", N: n},
						store.ReportCount{Region: region, Dim: store.DimOrgKind, Key: []string{"CLB", "YOUTH_CARE"}[r.IntN(2)], N: n})
					if stage == "CLOSED" {
						counts = append(counts, store.ReportCount{Region: region, Dim: store.DimClosureReason,
							Key: vocab.StoredNames[rotsv1.ClosureReason]()[r.IntN(7)], N: n})
					}
				}
			}
		}
		tables := countTables(counts, regions, p)
		if err := protect(c, tables); err != nil {
			t.Fatal(err)
		}
		status := map[string]bool{}
		for _, tb := range tables {
			if tb.blank {
				blanks++
				continue
			}
			for pos, name := range tb.links {
				hidden := tb.figure(pos).Suppressed()
				if prev, ok := status[name]; ok && prev != hidden {
					t.Fatalf("run %d: %s hidden in one table and shown in another", run, name)
				}
				status[name] = hidden
			}
			for _, row := range tb.proto().GetRows() {
				for _, f := range append(row.GetCells(), row.GetTotal()) {
					if v := f.GetValue(); f.Value != nil && v > 0 && v < 10 {
						t.Fatalf("run %d: %s shows %d", run, tb.kind, v)
					}
				}
			}
		}
	}
	t.Logf("%d tables hidden whole in 300 dashboards", blanks)
}
