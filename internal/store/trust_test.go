package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// caseRows is every row about the case in every table that has a case_id
// (and the case itself), as JSON text: what is left of it, wherever it is.
func caseRows(t *testing.T, caseID string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'case_id' AND table_name <> 'access_log'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 5 {
		t.Fatalf("found only the tables %v with a case_id", tables)
	}
	var b strings.Builder
	var row string
	if err := conn.QueryRow(ctx, `SELECT row_to_json(c)::text FROM cases c WHERE id = $1`, caseID).Scan(&row); err != nil {
		t.Fatal(err)
	}
	b.WriteString(row)
	for _, table := range tables {
		rows, err := conn.Query(ctx, `SELECT row_to_json(t)::text FROM `+pgx.Identifier{table}.Sanitize()+` t WHERE case_id::text = $1`, caseID)
		if err != nil {
			t.Fatal(err)
		}
		all, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n" + table + ": " + strings.Join(all, "\n"))
	}
	return b.String()
}

// After anonymisation no name, address or free text about the case is
// left in any table: not on its timeline (the submitter's contact person
// was the actor of the "submitted" event), its table, agreements, gaps or
// notifications.
func TestAnonymiseLeavesNoPersonalData(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	c := mustCreate(t, db, validCase("CLB Anon "+tag(), "LIMBURG", time.Now()))
	at := time.Now().UTC()
	meetingAt := at.Add(48 * time.Hour)
	steps := []store.Transition{
		{RequestID: "r1", Kind: "intake.question_asked", ToStage: "NEEDS_INFO", Actor: "tandem.jan@rots.be", Summary: "Vraag: woont Jorre bij zijn oma?", OpenQuestion: ptr("woont Jorre bij zijn oma?")},
		{RequestID: "r2", Kind: "question.answered", ToStage: "INTAKE", Actor: "an@vclb.be", Summary: "Antwoord: ja, in de Kerkstraat", OpenQuestion: ptr("")},
		{RequestID: "r3", Kind: "consult.convene_table", ToStage: "TABLE", Actor: "tandem.jan@rots.be", Summary: "Consult", Advice: ptr("advies over Jorre"),
			ConsultExperts: []string{"Dr. Karel Vos"}},
		{RequestID: "r4", Kind: "table.invited", ToStage: "TABLE", Actor: "tandem.jan@rots.be", Summary: "Uitgenodigd",
			Participants: []vocab.Participant{{Kind: "PARTNER", Organisation: "Vzw Arktos", Name: "Bram Peeters", Email: "bram@arktos.example", Role: "coach"}, {Kind: "PARENTS", Role: "moeder Els"}},
			Meeting:      &vocab.Meeting{At: &meetingAt, Minutes: 60, Location: "bij oma thuis, Kerkstraat 5", Sequence: 1}},
		{RequestID: "r5", Kind: "table.outcome", ToStage: "FOLLOW_UP", Actor: "tandem.jan@rots.be", Summary: "Aanbod", Offer: ptr("time-out voor Jorre"),
			Agreements: []vocab.Agreement{{Action: "Jorre ophalen", OwnerOrganisation: "Vzw Arktos", DueDate: at.Truncate(24 * time.Hour), Person: "Bram Peeters"}}},
		{RequestID: "r6", ToStage: "FOLLOW_UP", Agreement: &store.AgreementUpdate{Index: 0, Status: "BLOCKED", BlockedReason: "oma weigert"}},
		{RequestID: "r7", Kind: "closed", ToStage: "CLOSED", Actor: "tandem.jan@rots.be", Summary: "Afgesloten", ClosureReason: ptr("BACK_AT_SCHOOL"), ClosureNote: ptr("Jorre is terug")},
	}
	for i, s := range steps {
		s.CaseID, s.At = c.ID, at.Add(time.Duration(i)*time.Minute)
		if err := db.ApplyTransition(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RecordGap(ctx, "gap-1", store.Gap{CaseID: c.ID, Region: "LIMBURG", Theme: "MENTAL_HEALTH", AgeBand: "TWELVE_AND_OVER",
		Needed: "opvang voor Jorre", WaitingWeeks: 20, RecordedAt: at, RecordedBy: "tandem.jan@rots.be"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNotifications(ctx, []store.Notification{{CaseID: c.ID, Key: "k1", Recipient: "bram@arktos.example", Kind: "invitation",
		Subject: "Uitnodiging", Body: "Overlegtafel bij oma thuis, Kerkstraat 5", Attachment: "LOCATION:bij oma thuis", CreatedAt: at}}); err != nil {
		t.Fatal(err)
	}
	personal := []string{"An Peeters", "an@vclb.be", "+32 11 22 33 44", "Sint-Jan", "Hasselt", "thuiszitter", "gesprekken",
		"Jorre", "oma", "Kerkstraat", "Karel Vos", "Bram Peeters", "bram@arktos.example", "moeder Els", "tandem.jan@rots.be"}
	before := caseRows(t, c.ID)
	for _, p := range []string{"An Peeters", "Bram Peeters", "Kerkstraat", "tandem.jan@rots.be"} {
		if !strings.Contains(before, p) {
			t.Fatalf("the test's data lacks %q before anonymisation:\n%s", p, before)
		}
	}

	if err := db.Anonymise(ctx, c.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	after := caseRows(t, c.ID)
	for _, p := range personal {
		if strings.Contains(after, p) {
			t.Errorf("%q is still stored after anonymisation:\n%s", p, after)
		}
	}
	got := mustGet(t, db, c.ID)
	if got.Region != "LIMBURG" || got.ClosureReason != "BACK_AT_SCHOOL" || got.YoungPerson.BirthYear != 2012 || got.Reference != c.Reference {
		t.Errorf("what reports need is gone: %+v", got)
	}
	if err := db.Anonymise(ctx, c.ID, time.Now()); err != nil {
		t.Errorf("a second anonymisation: %v", err)
	}
}

// References are unique, and ListCases finds a case by its reference.
func TestCaseReference(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	seen := map[string]bool{}
	var last *store.Case
	for range 20 {
		last = mustCreate(t, db, validCase("CLB Ref "+tag(), "ANTWERPEN", time.Now()))
		if !vocab.IsReference(last.Reference) || len(last.Reference) != 13 || seen[last.Reference] {
			t.Fatalf("reference %q: not ROTS- and 8 hex digits, or seen before", last.Reference)
		}
		seen[last.Reference] = true
	}
	got, err := db.ListCases(ctx, store.CaseFilter{Reference: last.Reference}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != last.ID {
		t.Errorf("ListCases by reference %s = %v, want the one case %s", last.Reference, ids(got), last.ID)
	}
	// The database refuses a second case with a reference that is taken.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE cases SET reference = $1 WHERE id <> $2 AND org_name LIKE 'CLB Ref %'`, last.Reference, last.ID); err == nil {
		t.Error("the database took a reference twice")
	}
}

// A claim binds a request_id to one call; the same call claims it again as
// a retry, and a released claim is free again.
func TestClaimRequest(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	c := store.Claim{RequestID: uuid.NewString(), Caller: "sub-a|CLB A", Method: "/rots.v1.CaseService/SubmitCase", Fingerprint: []byte{1, 2}, At: time.Now().UTC()}
	got, fresh, err := db.ClaimRequest(ctx, c)
	if err != nil || !fresh || !got.Same(c) {
		t.Fatalf("first claim: %+v fresh=%t err=%v", got, fresh, err)
	}
	got, fresh, err = db.ClaimRequest(ctx, c)
	if err != nil || fresh || !got.Same(c) {
		t.Fatalf("the same call again: %+v fresh=%t err=%v", got, fresh, err)
	}
	other := c
	other.Caller = "sub-b|CLB B"
	got, fresh, err = db.ClaimRequest(ctx, other)
	if err != nil || fresh || got.Same(other) || got.Caller != c.Caller {
		t.Fatalf("another caller: %+v fresh=%t err=%v; want the first caller's claim", got, fresh, err)
	}
	if err := db.ReleaseRequest(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.ClaimRequest(ctx, other); got.Caller != c.Caller {
		t.Fatal("another caller released the first caller's claim")
	}
	if err := db.ReleaseRequest(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, fresh, err := db.ClaimRequest(ctx, other); err != nil || !fresh {
		t.Errorf("after release: fresh=%t err=%v", fresh, err)
	}
}

// A database as the migrations before request claims and references left
// it, with cases in it, migrates forward with nothing lost: every case
// keeps its data and gets the reference its mails showed, and two cases
// whose IDs begin alike get different ones.
func TestMigrateFilledDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _ := newDatabaseURL(t, "rots_test_migrate_")
	if err := store.EnsureDatabase(ctx, url); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f >= "migrations/0012" {
			break
		}
		sql, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, f); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{"1a2b3c4d-0000-4000-8000-000000000001", "1a2b3c4d-0000-4000-8000-000000000002", uuid.NewString()}
	for i, id := range ids {
		if _, err := conn.Exec(ctx, `INSERT INTO cases (id, request_id, region, stage, org_name, org_kind, contact_name, contact_email,
				contact_phone, yp_alias, yp_birth_year, yp_birth_month, yp_school_level, yp_grade, yp_school, yp_municipality,
				blocked, tried, themes, clb_stuck, youth_care_stuck, informed, open_question, advice, offer, closure_reason, closure_note,
				submitted_at, updated_at, age_band)
			VALUES ($1, $2, 'LIMBURG', 'INTAKE', 'Vrij CLB', 'CLB', 'An', 'an@vclb.be', '', 'J.', 2012, 5, 'SECUNDAIR', 1, 'Sint-Jan',
				'Hasselt', 'thuis', '{}', '{ABSENCE}', true, true, true, '', '', '', '', '', $3, $3, 'TWELVE_AND_OVER')`,
			id, "old-"+id, time.Date(2026, 1, 1+i, 9, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO case_events (case_id, request_id, kind, from_stage, to_stage, actor, summary, at)
			VALUES ($1, $2, 'submitted', '', 'SUBMITTED', 'An', 'Aangemeld', now())`, id, "old-"+id); err != nil {
			t.Fatal(err)
		}
	}

	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := []string{"ROTS-1A2B3C4D", "ROTS-1A2B3C4D000040008000000000000002", "ROTS-" + strings.ToUpper(ids[2][:8])}
	for i, id := range ids {
		c := mustGet(t, db, id)
		if c.Reference != want[i] {
			t.Errorf("case %s: reference %q, want %q", id, c.Reference, want[i])
		}
		if c.YoungPerson.Alias != "J." || c.ContactName != "An" || c.Blocked != "thuis" || c.RequestID != "old-"+id {
			t.Errorf("case %s lost data in the migration: %+v", id, c)
		}
		if ev := mustEvents(t, db, id); len(ev) != 1 || ev[0].RequestID != "old-"+id {
			t.Errorf("case %s: events %+v", id, ev)
		}
	}
	// A new case after the migration takes a reference of its own.
	n := mustCreate(t, db, validCase("CLB Migrated", "LIMBURG", time.Now()))
	if n.Reference == "" || n.Reference == want[0] {
		t.Errorf("new case's reference %q", n.Reference)
	}
}

// Claims older than the cut are forgotten; newer ones stay.
func TestPruneRequests(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	old := store.Claim{RequestID: uuid.NewString(), Caller: "a|b", Method: "m", Fingerprint: []byte{1}, At: time.Now().Add(-40 * 24 * time.Hour)}
	recent := store.Claim{RequestID: uuid.NewString(), Caller: "a|b", Method: "m", Fingerprint: []byte{1}, At: time.Now()}
	for _, c := range []store.Claim{old, recent} {
		if _, _, err := db.ClaimRequest(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PruneRequests(ctx, time.Now().Add(-store.ClaimsKept)); err != nil {
		t.Fatal(err)
	}
	if _, fresh, _ := db.ClaimRequest(ctx, old); !fresh {
		t.Error("the old claim is still there")
	}
	if _, fresh, _ := db.ClaimRequest(ctx, recent); fresh {
		t.Error("the recent claim was forgotten")
	}
}
