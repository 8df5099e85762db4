package reportservice

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// dbURL is the package's database; TestDashboardMatchesCases loads
// generated cases into it.
var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func newServer(t testing.TB, db *store.DB, threshold int) *Server {
	t.Helper()
	return New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), mustControl(t, threshold))
}

func TestGetDashboardInvalidArgument(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil, 10)
	for _, tt := range []struct {
		req    *rotsv1.GetDashboardRequest
		fields []string
	}{
		{&rotsv1.GetDashboardRequest{}, []string{"from_month", "to_month"}},
		{&rotsv1.GetDashboardRequest{FromMonth: "2026", ToMonth: "2026-13"}, []string{"from_month", "to_month"}},
		{&rotsv1.GetDashboardRequest{FromMonth: "2026-05", ToMonth: "2026-04"}, []string{"to_month"}},
		{&rotsv1.GetDashboardRequest{FromMonth: "1999-12", ToMonth: "2026-04"}, []string{"from_month"}},
		{&rotsv1.GetDashboardRequest{FromMonth: "2010-01", ToMonth: "2020-01"}, []string{"to_month"}}, // 121 months
		{&rotsv1.GetDashboardRequest{Region: 42, FromMonth: "2026-01", ToMonth: "2026-12"}, []string{"region"}},
	} {
		_, err := s.GetDashboard(context.Background(), tt.req)
		st := status.Convert(err)
		if st.Code() != codes.InvalidArgument {
			t.Errorf("%v: %v, want InvalidArgument", tt.req, err)
			continue
		}
		var fields []string
		for _, d := range st.Details() {
			for _, v := range d.(*errdetails.BadRequest).GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
		if diff := cmp.Diff(tt.fields, fields); diff != "" {
			t.Errorf("%v: fields (-want +got):\n%s", tt.req, diff)
		}
	}
	// The longest period is fine.
	if _, _, err := validate(&rotsv1.GetDashboardRequest{FromMonth: "2010-01", ToMonth: "2019-12"}); err != nil {
		t.Errorf("120 months: %v", err)
	}
}

// at is a local time in Brussels.
func at(m time.Month, d, hh int) time.Time {
	return time.Date(2026, m, d, hh, 0, 0, 0, calendar.Brussels)
}

// seedHand makes, in Limburg, six cases submitted on Monday 2 March 2026
// and closed back at school, and five submitted on Tuesday 10 March with a
// question answered and back in intake; and one case in Antwerpen.
func seedHand(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	create := func(region string, submitted time.Time, born [2]int, level, kind string, themes ...string) string {
		c := &store.Case{
			ID: uuid.NewString(), RequestID: uuid.NewString(), Region: region, Stage: "SUBMITTED",
			OrgName: "CLB Hasselt", OrgKind: kind, ContactName: "An", ContactEmail: "an@clb.be",
			YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: born[0], BirthMonth: born[1], SchoolLevel: level, Grade: 1, School: "S", Municipality: "M"},
			Blocked:     "b", Tried: []string{"t"}, Themes: themes, SubmittedAt: submitted, UpdatedAt: submitted,
		}
		if _, _, err := db.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	step := func(id, kind, from, to string, when time.Time, reason string) {
		tr := store.Transition{CaseID: id, RequestID: kind, Kind: kind, FromStage: from, ToStage: to, Actor: "tandem", At: when}
		if reason != "" {
			tr.ClosureReason = &reason
		}
		if err := db.ApplyTransition(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	for range 6 {
		id := create("LIMBURG", at(3, 2, 10), [2]int{2012, 5}, "SECUNDAIR", "CLB", "ABSENCE")
		step(id, "intake.started", "SUBMITTED", "INTAKE", at(3, 2, 11), "")
		step(id, "intake.accepted", "INTAKE", "CONSULT", at(3, 5, 9), "")         // 3 working days
		step(id, "consult.advice", "CONSULT", "FOLLOW_UP", at(3, 12, 16), "")     // 5; an offer after 8
		step(id, "closed", "FOLLOW_UP", "CLOSED", at(4, 7, 11), "BACK_AT_SCHOOL") // 17 (Easter Monday)
	}
	for range 5 {
		id := create("LIMBURG", at(3, 10, 14), [2]int{2016, 1}, "LAGER", "YOUTH_CARE", "ABSENCE", "MENTAL_HEALTH")
		step(id, "intake.started", "SUBMITTED", "INTAKE", at(3, 10, 15), "")
		step(id, "intake.question_asked", "INTAKE", "NEEDS_INFO", at(3, 11, 9), "") // 1
		step(id, "question.answered", "NEEDS_INFO", "INTAKE", at(3, 18, 9), "")     // 5
	}
	id := create("ANTWERPEN", at(3, 3, 10), [2]int{2012, 5}, "SECUNDAIR", "CLB", "ABSENCE")
	step(id, "intake.started", "SUBMITTED", "INTAKE", at(3, 3, 11), "")
}

// tableText reads a dashboard's count tables as text: a figure, or "x".
func tableText(d *rotsv1.Dashboard) map[rotsv1.ReportTable][][]string {
	m := map[rotsv1.ReportTable][][]string{}
	for _, t := range d.GetTables() {
		m[t.GetTable()] = figures(t)
	}
	return m
}

func TestGetDashboardHandComputed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	seedHand(t, db)
	s := newServer(t, db, 5)
	s.now = func() time.Time { return at(5, 1, 12) }

	resp, err := s.GetDashboard(ctx, &rotsv1.GetDashboardRequest{Region: rotsv1.Region_REGION_LIMBURG, FromMonth: "2026-03", ToMonth: "2026-04"})
	if err != nil {
		t.Fatal(err)
	}
	d := resp.GetDashboard()
	if d.GetRegion() != rotsv1.Region_REGION_LIMBURG || d.GetFromMonth() != "2026-03" || d.GetToMonth() != "2026-04" || d.GetThreshold() != 5 {
		t.Errorf("dashboard of %s %s..%s, threshold %d", d.GetRegion(), d.GetFromMonth(), d.GetToMonth(), d.GetThreshold())
	}
	got := tableText(d)
	want := map[rotsv1.ReportTable][][]string{
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE: {{"SUBMITTED", "0", "0"}, {"INTAKE", "5", "5"}, {"NEEDS_INFO", "0", "0"},
			{"CONSULT", "0", "0"}, {"TABLE", "0", "0"}, {"FOLLOW_UP", "0", "0"}, {"CLOSED", "6", "6"}, {"total", "11", "11"}},
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND:          {{"UNDER_12", "5", "5"}, {"TWELVE_AND_OVER", "6", "6"}, {"total", "11", "11"}},
		rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: {{"CLB", "6", "6"}, {"YOUTH_CARE", "5", "5"}, {"total", "11", "11"}},
		rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH:         {{"2026-03", "11", "11"}, {"2026-04", "0", "0"}, {"total", "11", "11"}},
		rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH:            {{"2026-03", "0", "0"}, {"2026-04", "6", "6"}, {"total", "6", "6"}},
		rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:           {{"1", "0", "0"}, {"2", "0", "0"}, {"3", "0", "0"}, {"4", "0", "0"}, {"total", "0", "0"}},
	}
	for kind, w := range want {
		if diff := cmp.Diff(w, got[kind]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", kind, diff)
		}
	}
	pick := func(kind rotsv1.ReportTable, label string) string {
		for _, row := range got[kind] {
			if row[0] == label {
				return strings.Join(row[1:], " ")
			}
		}
		return "no row " + label
	}
	for _, c := range []struct {
		kind         rotsv1.ReportTable
		label, cells string
	}{
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, "LAGER", "5 5"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, "SECUNDAIR", "6 6"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, "ABSENCE", "11 11"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, "MENTAL_HEALTH", "5 5"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, "total", "16 16"}, // mentions
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON, "BACK_AT_SCHOOL", "6 6"},
		{rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS, "total", "0 0"},
		{rotsv1.ReportTable_REPORT_TABLE_GAPS, "total", "0 0 0"},
	} {
		if got := pick(c.kind, c.label); got != c.cells {
			t.Errorf("%s %s: %s, want %s", c.kind, c.label, got, c.cells)
		}
	}

	// Stays: six intakes of 3 working days and five of 1; five questions
	// answered after 5; six consults of 5; six follow-ups of 17; six
	// offers after 8; no table.
	wantTimes := map[string]string{
		"INTAKE": "11 3 3", "NEEDS_INFO": "5 5 5", "CONSULT": "6 5 5", "TABLE": "0 x x", "FOLLOW_UP": "6 17 17", "OFFER": "6 8 8",
	}
	for _, row := range d.GetDurations().GetRows() {
		dur := row.GetTotal()
		text := strings.Join([]string{show(dur.GetCount()), show(dur.GetMedianDays()), show(dur.GetP90Days())}, " ")
		if text != wantTimes[row.GetLabel()] {
			t.Errorf("times %s: %s, want %s", row.GetLabel(), text, wantTimes[row.GetLabel()])
		}
	}

	// All of Flanders: Antwerpen's one case is hidden, Limburg's figures
	// still add up.
	resp, err = s.GetDashboard(ctx, &rotsv1.GetDashboardRequest{FromMonth: "2026-03", ToMonth: "2026-04"})
	if err != nil {
		t.Fatal(err)
	}
	stages := tableText(resp.GetDashboard())[rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE]
	// Columns: ANTWERPEN, BRUSSEL, LIMBURG, OOST_VLAANDEREN, VLAAMS_BRABANT, WEST_VLAANDEREN, total.
	if intake := stages[1]; intake[1] != "x" || intake[3] != "x" && intake[7] != "x" {
		t.Errorf("Flanders, intake: %v; Antwerpen's 1 must be hidden, and Limburg's 5 or the row total 6 with it", intake)
	}
	if total := stages[len(stages)-1]; total[1] != "x" || total[3] != "x" && total[7] != "x" {
		t.Errorf("Flanders, totals: %v; Antwerpen's 1 must be hidden, and Limburg's 11 or the grand total 12 with it", total)
	}
	for _, row := range stages {
		for _, f := range row[1:] {
			if f == "1" || f == "LEAK" {
				t.Errorf("Flanders: %v shows %s", row, f)
			}
		}
	}
}
