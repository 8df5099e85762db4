package e2e

import (
	"bytes"
	"encoding/csv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// dashboardAndSignal: cases in West-Vlaanderen (no other subtest uses it)
// reach the managers' dashboard through the workflow's projections; a
// manager freezes its figures into a signal, another approves it, and the
// export carries the same figures, small counts hidden.
func (s *stack) dashboardAndSignal(t *testing.T) {
	const region, org = "west-vlaanderen", "VCLB West-Vlaanderen"
	clb := s.as(auth.Submitter, region, org)
	tandem := s.as(auth.Coordinator, region, "")
	submit := func() string {
		req := submitRequest(org)
		req.Region = rotsv1.Region_REGION_WEST_VLAANDEREN
		return must(t)(s.cases.SubmitCase(clb, req)).GetName()
	}
	for range 12 {
		name := submit()
		must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{
			RequestId: uuid.NewString(), Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT,
		}))
	}
	thisMonth := time.Now().In(calendar.Brussels).Format("2006-01")
	els := s.asEmail(auth.Manager, region, "", "els@rots-west.be")
	dashboard := func() map[string]*rotsv1.Figure {
		resp, err := s.reports.GetDashboard(els, &rotsv1.GetDashboardRequest{
			Region: rotsv1.Region_REGION_WEST_VLAANDEREN, FromMonth: thisMonth, ToMonth: thisMonth,
		})
		if err != nil {
			t.Fatal(err)
		}
		figures := map[string]*rotsv1.Figure{}
		for _, tb := range resp.GetDashboard().GetTables() {
			if tb.GetTable() == rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE {
				for _, r := range tb.GetRows() {
					figures[r.GetLabel()] = r.GetTotal()
				}
				figures["total"] = tb.GetTotal()
			}
		}
		return figures
	}
	shown := func(f *rotsv1.Figure) string {
		if f.GetSuppressed() {
			if f.Value != nil {
				t.Errorf("a hidden figure carries its value %d", f.GetValue())
			}
			return "x"
		}
		return strconv.FormatInt(f.GetValue(), 10)
	}

	// Twelve cases at consult: shown as they are.
	d := dashboard()
	if got := [2]string{shown(d["CONSULT"]), shown(d["total"])}; got != [2]string{"12", "12"} {
		t.Fatalf("stage table after 12 accepted cases: consult %s, total %s; want 12, 12", got[0], got[1])
	}
	// Three more wait at intake: 3 is a small count, and the 12 beside it
	// is hidden too, or the total would give the 3 away. (While a new case
	// still shows SUBMITTED, that small count hides beside the 3 instead.)
	for range 3 {
		name := submit()
		s.waitFor(t, region, name, "intake", func(c *rotsv1.Case) bool { return c.GetStage() == rotsv1.Stage_STAGE_INTAKE })
	}
	d = dashboard()
	if got := [3]string{shown(d["INTAKE"]), shown(d["CONSULT"]), shown(d["total"])}; got != [3]string{"x", "x", "15"} {
		t.Fatalf("stage table with 3 at intake: intake %s, consult %s, total %s; want x, x, 15", got[0], got[1], got[2])
	}

	// Els drafts a signal; she may not approve it herself, Jan may.
	sig, err := s.signals.CreateSignal(els, &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{
		Region: rotsv1.Region_REGION_WEST_VLAANDEREN, FromMonth: thisMonth, ToMonth: thisMonth,
		Title: "Thuiszitters in West-Vlaanderen", Text: "Te veel jongeren wachten op een aanbod.",
		FigureSections: []rotsv1.SignalFigureSection{rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE},
	}})
	if err != nil {
		t.Fatal(err)
	}
	name := sig.GetSignal().GetName()
	_, err = s.signals.ApproveSignal(els, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("the author approving her own signal: %v, want PermissionDenied", err)
	}
	if _, err := s.signals.GetSignal(s.as(auth.Manager, "limburg", ""), &rotsv1.GetSignalRequest{Name: name}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a Limburg manager reading a West-Vlaanderen signal: %v, want PermissionDenied", err)
	}
	jan := s.asEmail(auth.Manager, region, "", "jan@rots-west.be")
	if _, err := s.signals.ApproveSignal(jan, &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name}); err != nil {
		t.Fatal(err)
	}
	sent, err := s.signals.MarkSignalSent(jan, &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Vlaamse overheid, Departement Onderwijs"})
	if err != nil || sent.GetSignal().GetState() != rotsv1.SignalState_SIGNAL_STATE_SENT {
		t.Fatalf("marking sent: %v, %v", sent.GetSignal().GetState(), err)
	}

	// The export carries the figures as they were frozen.
	export, err := s.signals.ExportSignal(els, &rotsv1.ExportSignalRequest{Name: name, Format: rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV})
	if err != nil {
		t.Fatal(err)
	}
	reader := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export.GetContent(), []byte("\ufeff"))))
	reader.Comma = ';' // as Excel set to Belgian Dutch reads it
	records, err := reader.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byRow := map[string]string{}
	for _, r := range records[1:] { // sectie, tabel, eenheid, soort, rij, kolom, waarde
		if r[3] == "rijtotaal" || r[3] == "totaal" {
			byRow[strings.ToLower(r[4])] = r[6]
		}
	}
	var intake, consult string
	for row, v := range byRow {
		switch {
		case strings.Contains(row, "intake"):
			intake = v
		case strings.Contains(row, "consult"):
			consult = v
		}
	}
	if intake != "x" || consult != "x" || !slices.Contains(slices.Collect(maps.Values(byRow)), "15") {
		t.Errorf("CSV export: intake %q, consult %q, rows %v; want x, x and a total of 15", intake, consult, byRow)
	}
}
