package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// brussels is a local time in Brussels.
func brussels(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Brussels)
}

func reportMonth(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

// reportCase makes a submitted case in region with the report fields set.
func reportCase(t *testing.T, db *store.DB, region string, at time.Time, born [2]int, level, orgKind string, themes ...string) string {
	t.Helper()
	c := validCase("CLB Rapport "+tag(), region, at)
	c.YoungPerson.BirthYear, c.YoungPerson.BirthMonth, c.YoungPerson.SchoolLevel = born[0], born[1], level
	c.OrgKind, c.Themes = orgKind, themes
	return mustCreate(t, db, c).ID
}

// step applies one transition; ToStage "" stays in the stage.
func step(t *testing.T, db *store.DB, caseID, kind, from, to string, at time.Time, modify ...func(*store.Transition)) {
	t.Helper()
	if to == "" {
		to = from
	}
	tr := store.Transition{
		CaseID: caseID, RequestID: kind + "-" + at.Format(time.RFC3339) + "-" + uuid.NewString()[:4], Kind: kind,
		FromStage: from, ToStage: to, Actor: "tandem", Summary: kind, At: at,
	}
	for _, m := range modify {
		m(&tr)
	}
	if err := db.ApplyTransition(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
}

func closure(reason string) func(*store.Transition) {
	return func(tr *store.Transition) { tr.ClosureReason = &reason }
}

func rung(n int) func(*store.Transition) {
	return func(tr *store.Transition) { tr.Escalation = &store.Escalation{Rung: n, Breakthrough: n == 4} }
}

// reportSet loads a small, hand-made set of cases into a region of its own
// and returns the region. The expected figures are worked out in
// TestReportHandComputed.
func reportSet(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	region := "HAND_" + strings.ToUpper(tag())

	// A: submitted Monday 2 March 2026, 13 years old, closed back at school.
	a := reportCase(t, db, region, brussels(2026, 3, 2, 10, 0), [2]int{2012, 5}, "SECUNDAIR", "CLB", "ABSENCE", "MENTAL_HEALTH")
	step(t, db, a, "intake.started", "SUBMITTED", "INTAKE", brussels(2026, 3, 2, 10, 5))
	step(t, db, a, "intake.accepted", "INTAKE", "CONSULT", brussels(2026, 3, 5, 9, 0))     // 3 working days
	step(t, db, a, "consult.advice", "CONSULT", "FOLLOW_UP", brussels(2026, 3, 12, 16, 0)) // 5; offer after 8
	step(t, db, a, "closed", "FOLLOW_UP", "CLOSED", brussels(2026, 4, 7, 11, 0), closure("BACK_AT_SCHOOL"))
	// 17: Easter Monday 6 April 2026 is a public holiday.

	// B: 10 years old, a question answered, back in intake on rung 1.
	b := reportCase(t, db, region, brussels(2026, 3, 10, 14, 0), [2]int{2016, 1}, "LAGER", "YOUTH_CARE", "ABSENCE")
	step(t, db, b, "intake.started", "SUBMITTED", "INTAKE", brussels(2026, 3, 10, 14, 1))
	step(t, db, b, "intake.question_asked", "INTAKE", "NEEDS_INFO", brussels(2026, 3, 11, 9, 0)) // 1
	step(t, db, b, "question.answered", "NEEDS_INFO", "INTAKE", brussels(2026, 3, 18, 9, 0))     // 5
	step(t, db, b, "escalation.rung1", "INTAKE", "", brussels(2026, 3, 26, 0, 0), rung(1))

	// C: a table with two agreements, one blocked and overdue, and a gap.
	c := reportCase(t, db, region, brussels(2026, 4, 1, 8, 30), [2]int{2010, 1}, "SECUNDAIR", "CLB", "BEHAVIOUR", "ABSENCE", "BEHAVIOUR")
	step(t, db, c, "intake.started", "SUBMITTED", "INTAKE", brussels(2026, 4, 1, 8, 31))
	step(t, db, c, "intake.accepted", "INTAKE", "CONSULT", brussels(2026, 4, 2, 8, 0))      // 1
	step(t, db, c, "consult.convene_table", "CONSULT", "TABLE", brussels(2026, 4, 8, 8, 0)) // 3
	if _, err := db.RecordGap(ctx, "gap-1", store.Gap{CaseID: c, Theme: "MENTAL_HEALTH", AgeBand: "TWELVE_AND_OVER",
		Needed: "Kinderpsychiatrie", WaitingWeeks: 26, RecordedAt: brussels(2026, 4, 10, 10, 0), RecordedBy: "tandem"}); err != nil {
		t.Fatal(err)
	}
	due := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	step(t, db, c, "table.outcome", "TABLE", "FOLLOW_UP", brussels(2026, 4, 15, 17, 0), func(tr *store.Transition) { // 5; offer after 9
		tr.Agreements = []vocab.Agreement{
			{Action: "Time-out", OwnerOrganisation: "Arktos", DueDate: due(4, 20)},
			{Action: "Halve dagen", OwnerOrganisation: "School", DueDate: due(5, 30)},
		}
	})
	step(t, db, c, "agreement.updated", "FOLLOW_UP", "", brussels(2026, 4, 16, 9, 0), func(tr *store.Transition) {
		tr.Agreement = &store.AgreementUpdate{Index: 0, Status: "BLOCKED", BlockedReason: "wachtlijst"}
	})

	// D: submitted before the period, declined in it.
	d := reportCase(t, db, region, brussels(2026, 2, 27, 9, 0), [2]int{2011, 3}, "SECUNDAIR", "CLB", "OTHER")
	step(t, db, d, "intake.started", "SUBMITTED", "INTAKE", brussels(2026, 2, 27, 9, 1))
	step(t, db, d, "intake.declined", "INTAKE", "CLOSED", brussels(2026, 3, 3, 9, 0), closure("DECLINED"))

	// E: submitted long before, open on rung 2.
	e := reportCase(t, db, region, brussels(2025, 12, 1, 9, 0), [2]int{2011, 3}, "SECUNDAIR", "CLB", "OTHER")
	step(t, db, e, "intake.started", "SUBMITTED", "INTAKE", brussels(2025, 12, 1, 9, 1))
	step(t, db, e, "escalation.rung1", "INTAKE", "", brussels(2025, 12, 9, 0, 0), rung(1))
	step(t, db, e, "", "INTAKE", "", brussels(2025, 12, 16, 0, 0), rung(2)) // the ladder without an event
	return region
}

type countKey struct{ dim, day, key string }

func countsOf(r *store.Report) map[countKey]int64 {
	m := map[countKey]int64{}
	for _, c := range r.Counts {
		day := ""
		if !c.Day.IsZero() {
			day = c.Day.Format("2006-01")
		}
		m[countKey{c.Dim, day, c.Key}] += c.N
	}
	return m
}

type durationKey struct {
	measure string
	days    int
}

func durationsOf(r *store.Report) map[durationKey]int64 {
	m := map[durationKey]int64{}
	for _, d := range r.Durations {
		m[durationKey{d.Measure, d.Days}] += d.N
	}
	return m
}

func TestReportHandComputed(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	region := reportSet(t, db)
	q := store.ReportQuery{Region: region, From: reportMonth(2026, 3), To: reportMonth(2026, 4), Today: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}

	wantCounts := map[countKey]int64{
		{"stage", "2026-03", "CLOSED"}: 1, {"stage", "2026-03", "INTAKE"}: 1, {"stage", "2026-04", "FOLLOW_UP"}: 1,
		{"age_band", "", "TWELVE_AND_OVER"}: 2, {"age_band", "", "UNDER_12"}: 1,
		{"school_level", "", "SECUNDAIR"}: 2, {"school_level", "", "LAGER"}: 1,
		{"org_kind", "", "CLB"}: 2, {"org_kind", "", "YOUTH_CARE"}: 1,
		{"theme", "", "ABSENCE"}: 3, {"theme", "", "MENTAL_HEALTH"}: 1, {"theme", "", "BEHAVIOUR"}: 1,
		{"closure_reason", "", "BACK_AT_SCHOOL"}: 1,
		{"closed", "2026-03", ""}:                1, {"closed", "2026-04", ""}: 1, // D and A
		{"open_rung", "", "1"}: 1, {"open_rung", "", "2"}: 1, // B now, E from before the period
		{"open_agreement", "", "BLOCKED"}:            1, // due 20 April; the one due 30 May is not overdue
		{"gap", "", "MENTAL_HEALTH/TWELVE_AND_OVER"}: 1,
	}
	wantDurations := map[durationKey]int64{
		{"INTAKE", 3}: 1, {"INTAKE", 1}: 2, // A; B's first stay and C
		{"NEEDS_INFO", 5}: 1,
		{"CONSULT", 5}:    1, {"CONSULT", 3}: 1,
		{"TABLE", 5}:      1,
		{"FOLLOW_UP", 17}: 1,
		{"OFFER", 8}:      1, {"OFFER", 9}: 1,
	}
	check := func(when string) {
		t.Helper()
		r, err := db.Report(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(wantCounts, countsOf(r)); diff != "" {
			t.Errorf("%s: counts (-want +got):\n%s", when, diff)
		}
		if diff := gocmp.Diff(wantDurations, durationsOf(r)); diff != "" {
			t.Errorf("%s: durations (-want +got):\n%s", when, diff)
		}
	}
	check("kept current")
	if err := db.RebuildReports(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")

	// Retention keeps what reports need: the figures stay.
	r, err := db.Report(ctx, store.ReportQuery{Region: region, From: reportMonth(2026, 2), To: reportMonth(2026, 2), Today: q.Today})
	if err != nil {
		t.Fatal(err)
	}
	before := countsOf(r)
	if err := db.Anonymise(ctx, caseIDs(t, region)[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := db.RebuildReports(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err = db.Report(ctx, store.ReportQuery{Region: region, From: reportMonth(2026, 2), To: reportMonth(2026, 2), Today: q.Today}); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(before, countsOf(r)); diff != "" {
		t.Errorf("after anonymising a case (-before +after):\n%s", diff)
	}
}

// caseIDs lists the cases of a region, oldest first.
func caseIDs(t *testing.T, region string) []string {
	t.Helper()
	conn := connect(t)
	rows, err := conn.Query(context.Background(), `SELECT id::text FROM cases WHERE region = $1 ORDER BY submitted_at`, region)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// rollups returns a region's rollup rows as text, sorted.
func rollups(t *testing.T, conn *pgx.Conn, region string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		SELECT format('count %s %s %s = %s', dim, day, key, n) FROM report_counts WHERE region = $1 AND n <> 0
		UNION ALL
		SELECT format('duration %s %s %s = %s', measure, month, days, n) FROM report_durations WHERE region = $1 AND n <> 0
		ORDER BY 1`, region)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReportRollupsEqualRebuild changes cases in every way the store
// offers, some of it twice and some of it concurrently, and checks that
// the rollups kept current are what a rebuild makes of the cases.
func TestReportRollupsEqualRebuild(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	conn := connect(t)
	region := reportSet(t, db)

	// Twenty more cases moved along different paths at once.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := brussels(2026, time.Month(1+i%6), 1+i, 9, 0)
			c := validCase("CLB Samen "+tag(), region, sub)
			c.Themes = []string{"ABSENCE", "LANGUAGE", "FAMILY_CONTEXT"}[:1+i%3]
			if _, _, err := db.CreateCase(ctx, c); err != nil {
				errs <- err
				return
			}
			at := sub
			next := func() time.Time { at = at.Add(time.Duration(20+i) * time.Hour); return at }
			tr := func(kind, from, to string, modify ...func(*store.Transition)) {
				x := store.Transition{CaseID: c.ID, RequestID: fmt.Sprintf("%s-%d", kind, i), Kind: kind, FromStage: from, ToStage: to, At: next()}
				for _, m := range modify {
					m(&x)
				}
				// Every transition twice: a retried activity.
				for range 2 {
					if err := db.ApplyTransition(ctx, x); err != nil {
						errs <- err
					}
				}
			}
			tr("intake.started", "SUBMITTED", "INTAKE")
			if i%4 == 0 {
				tr("withdrawn", "INTAKE", "CLOSED", closure("WITHDRAWN"))
				return
			}
			tr("intake.accepted", "INTAKE", "CONSULT")
			tr("escalation.rung1", "CONSULT", "CONSULT", rung(1+i%4))
			tr("consult.convene_table", "CONSULT", "TABLE", rung(0))
			tr("table.outcome", "TABLE", "FOLLOW_UP", func(x *store.Transition) {
				x.Agreements = []vocab.Agreement{{Action: "a", OwnerOrganisation: "o", DueDate: time.Date(2026, 6, 1+i, 0, 0, 0, 0, time.UTC)}}
			})
			if i%3 == 0 {
				tr("table.reconvened", "FOLLOW_UP", "TABLE")
				tr("table.outcome.2", "TABLE", "FOLLOW_UP")
			}
			tr("agreement.updated", "FOLLOW_UP", "FOLLOW_UP", func(x *store.Transition) {
				x.Agreement = &store.AgreementUpdate{Index: 0, Status: []string{"DONE", "IN_PROGRESS"}[i%2]}
			})
			if _, err := db.RecordGap(ctx, fmt.Sprintf("gap-%d", i%2), store.Gap{CaseID: c.ID, Theme: "LANGUAGE", AgeBand: "UNDER_12", RecordedAt: next()}); err != nil {
				errs <- err
			}
			if i%2 == 0 {
				tr("closed", "FOLLOW_UP", "CLOSED", closure("ALTERNATIVE_TRAJECTORY"))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	kept := rollups(t, conn, region)
	if len(kept) < 50 {
		t.Fatalf("only %d rollup rows: %q", len(kept), kept)
	}
	if err := db.RebuildReports(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(kept, rollups(t, conn, region)); diff != "" {
		t.Errorf("rollups kept current (-) differ from a rebuild (+):\n%s", diff)
	}
}

func TestReportScopeAndPeriod(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	region := reportSet(t, db)
	today := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

	// All of Flanders holds the region's figures among others'.
	all, err := db.Report(ctx, store.ReportQuery{From: reportMonth(2026, 3), To: reportMonth(2026, 4), Today: today})
	if err != nil {
		t.Fatal(err)
	}
	var mine int64
	for _, c := range all.Counts {
		if c.Region == region && c.Dim == store.DimStage {
			mine += c.N
		}
	}
	if mine != 3 {
		t.Errorf("Flanders report: %d cases of %s by stage, want 3", mine, region)
	}

	// A period without cases has only the figures of now.
	r, err := db.Report(ctx, store.ReportQuery{Region: region, From: reportMonth(2020, 1), To: reportMonth(2020, 12), Today: today})
	if err != nil {
		t.Fatal(err)
	}
	var dims []string
	for _, c := range r.Counts {
		dims = append(dims, c.Dim)
	}
	slices.Sort(dims)
	if want := []string{"open_agreement", "open_rung", "open_rung"}; !slices.Equal(dims, want) || len(r.Durations) != 0 {
		t.Errorf("2020: dimensions %q and %d durations, want %q and none", dims, len(r.Durations), want)
	}
}

func TestReportDaysIsTheCalendar(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		from, to time.Time
		want     int
	}{
		{brussels(2026, 3, 2, 10, 0), brussels(2026, 3, 2, 23, 0), 0},
		{brussels(2026, 3, 6, 10, 0), brussels(2026, 3, 9, 9, 0), 1},  // Friday to Monday
		{brussels(2026, 4, 3, 10, 0), brussels(2026, 4, 7, 9, 0), 1},  // Easter Monday
		{brussels(2026, 3, 2, 10, 0), brussels(2026, 2, 27, 9, 0), 0}, // backwards
	} {
		if got := store.ReportDays(tt.from, tt.to); got != tt.want {
			t.Errorf("ReportDays(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}
