package signalservice

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/protobuf/testing/protocmp"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/reportservice"
)

// submit records n cases of West-Vlaanderen (a region no other test of
// this package uses) submitted in month, of young people born in born.
func submit(t *testing.T, db *store.DB, n int, month, born time.Time) {
	t.Helper()
	for range n {
		at := month.Add(36 * time.Hour)
		_, _, err := db.CreateCase(context.Background(), &store.Case{
			ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "WEST_VLAANDEREN", Stage: "SUBMITTED",
			OrgName: "Vrij CLB Brugge", OrgKind: "CLB", ContactName: "An Peeters", ContactEmail: "an@vclb.be",
			YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: born.Year(), BirthMonth: int(born.Month()), SchoolLevel: "SECUNDAIR",
				Grade: 1, School: "Sint-Jan", Municipality: "Brugge"},
			Blocked: "thuiszitter", Tried: []string{"gesprekken"}, Themes: []string{"ABSENCE"},
			CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: at, UpdatedAt: at,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func cellOf(t *testing.T, sig *rotsv1.Signal, section rotsv1.SignalFigureSection, row string) *rotsv1.SignalFigure {
	t.Helper()
	for _, tbl := range sig.GetFigures() {
		if tbl.GetSection() != section {
			continue
		}
		for _, r := range tbl.GetRows() {
			if r.GetLabel() == row {
				return r.GetCells()[0]
			}
		}
	}
	t.Fatalf("no row %q in %v", row, section)
	return nil
}

// TestFiguresFromTheDashboard runs a signal on the real dashboard
// (ReportService) over real cases: the figures are the dashboard's after
// disclosure control, they match the cases, and they stay frozen while the
// cases change.
func TestFiguresFromTheDashboard(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, dbURL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reports := reportservice.New(db, log, disclosure.Control{})
	s := New(db, DashboardFigures{Reports: reports}, log)
	ctx := as("els-"+uuid.NewString()[:8]+"@rots-wvl.be", "WEST_VLAANDEREN")
	month := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

	submit(t, db, 14, month(2024, 3), month(2010, 5)) // 13 years old
	submit(t, db, 4, month(2024, 4), month(2015, 1))  // 9 years old
	submit(t, db, 3, month(2024, 6), month(2010, 5))  // after the period

	const (
		stage = rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE
		age   = rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND
		byMon = rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_SUBMITTED_BY_MONTH
	)
	in := &rotsv1.Signal{
		Region: rotsv1.Region_REGION_WEST_VLAANDEREN, FromMonth: "2024-03", ToMonth: "2024-05",
		Title: "Thuiszitters in West-Vlaanderen", FigureSections: []rotsv1.SignalFigureSection{stage, age, byMon},
	}
	resp, err := s.CreateSignal(ctx, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: in})
	if err != nil {
		t.Fatal(err)
	}
	sig := resp.GetSignal()

	// Exactly what the dashboard shows now.
	now, err := DashboardFigures{Reports: reports}.Figures(ctx, FigureQuery{
		Region: "WEST_VLAANDEREN", From: month(2024, 3), To: month(2024, 5), Sections: []string{"STAGE", "AGE_BAND", "SUBMITTED_BY_MONTH"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []*rotsv1.SignalFigureTable
	for _, tbl := range now {
		want = append(want, tableToProto(tbl))
	}
	if diff := cmp.Diff(want, sig.GetFigures(), protocmp.Transform()); diff != "" {
		t.Errorf("signal figures differ from the dashboard's (-dashboard +signal):\n%s", diff)
	}

	// And what the cases say: 18 submitted in the period, 4 of them under
	// 12 (hidden, and so the rest), 4 in April (hidden).
	if got := cellOf(t, sig, stage, "Aangemeld").GetCount(); got != 18 {
		t.Errorf("submitted cases in the period = %d, want 18", got)
	}
	if got := sig.GetFigures()[0].GetTotal().GetCount(); got != 18 {
		t.Errorf("stage table total = %d, want 18", got)
	}
	for _, row := range []string{"Jonger dan 12", "12 en ouder"} {
		if c := cellOf(t, sig, age, row); !c.GetSuppressed() {
			t.Errorf("age band %q = %v, want hidden (4 under 12 would show)", row, c)
		}
	}
	if c := cellOf(t, sig, byMon, "april 2024"); !c.GetSuppressed() {
		t.Errorf("April = %v, want hidden", c)
	}
	if got := cellOf(t, sig, byMon, "mei 2024").GetCount(); got != 0 {
		t.Errorf("May = %d, want 0", got)
	}

	// New cases change the dashboard, not the signal, until it is
	// refreshed.
	submit(t, db, 2, month(2024, 3), month(2010, 5))
	got, err := s.GetSignal(ctx, &rotsv1.GetSignalRequest{Name: sig.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sig.GetFigures(), got.GetSignal().GetFigures(), protocmp.Transform()); diff != "" {
		t.Errorf("the frozen figures moved with the cases:\n%s", diff)
	}
	upd, err := s.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: sig.GetName()}, RefreshFigures: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := cellOf(t, upd.GetSignal(), stage, "Aangemeld").GetCount(); got != 20 {
		t.Errorf("after a refresh, submitted = %d, want 20", got)
	}
}
