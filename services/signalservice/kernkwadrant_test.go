package signalservice

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/reportservice"
)

// TestKernkwadrantInASignal freezes the real kernkwadrant in a signal: a
// row per theme and age band with demand or offer, its verdict in the
// label, the figures as GetKernkwadrant published them.
func TestKernkwadrantInASignal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reports := reportservice.New(db, log, disclosure.Control{})
	s := New(db, DashboardFigures{Reports: reports}, log)
	// 14 young people of 13 asking about absence in March 2024, and no
	// offer in the directory: a gap.
	for range 14 {
		at := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
		if _, _, err := db.CreateCase(ctx, &store.Case{
			ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "OOST_VLAANDEREN", Stage: "SUBMITTED",
			OrgName: "CLB Gent", OrgKind: "CLB", ContactName: "An", ContactEmail: "an@clb.be",
			YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: 2010, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1, School: "S", Municipality: "M"},
			Blocked:     "b", Tried: []string{"t"}, Themes: []string{"ABSENCE"}, SubmittedAt: at, UpdatedAt: at,
		}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := s.CreateSignal(as("els-"+uuid.NewString()[:8]+"@rots-ovl.be", "OOST_VLAANDEREN"), &rotsv1.CreateSignalRequest{
		RequestId: uuid.NewString(),
		Signal: &rotsv1.Signal{Region: rotsv1.Region_REGION_OOST_VLAANDEREN, FromMonth: "2024-01", ToMonth: "2024-12", Title: "Vraag en aanbod",
			FigureSections: []rotsv1.SignalFigureSection{rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_KERNKWADRANT}},
	})
	if err != nil {
		t.Fatal(err)
	}
	figs := resp.GetSignal().GetFigures()
	if len(figs) != 1 {
		t.Fatalf("%d figure tables, want 1", len(figs))
	}
	var rows [][]string
	for _, r := range figs[0].GetRows() {
		row := []string{r.GetLabel()}
		for _, c := range r.GetCells() {
			switch {
			case c.GetSuppressed():
				row = append(row, "x")
			case isCount(c):
				row = append(row, itoa(c.GetCount()))
			case c.GetValue() != nil:
				row = append(row, itoa(int64(c.GetMeasure())))
			default:
				row = append(row, "")
			}
		}
		rows = append(rows, row)
	}
	// Demand 14, none met, no wait measured (x), no gap, no offer, none used.
	want := [][]string{{"Afwezigheid (thuiszitten), 12 en ouder: hiaat", "14", "0", "14", "x", "0", "0", "0"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("kernkwadrant in the signal (-want +got):\n%s", diff)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func isCount(c *rotsv1.SignalFigure) bool {
	_, ok := c.GetValue().(*rotsv1.SignalFigure_Count)
	return ok
}
