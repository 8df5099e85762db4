package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// The access log: appended in a chain, readable by case and actor, closed
// to UPDATE and DELETE for the application's role (and for everyone by the
// trigger), and a changed row is found by verification.
func TestAccessLog(t *testing.T) {
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)

	caseA, caseB := uuid.NewString(), uuid.NewString()
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	if err := db.LogAccess(ctx, []store.Access{
		{At: at, Actor: "an@clb.be", Role: "submitter", CaseID: caseA, Action: "SubmitCase", Purpose: "behandeling"},
		{At: at.Add(time.Minute), Actor: "tandem@rots.be", Role: "coordinator", CaseID: caseA, Action: "GetCase", Purpose: "opvolging"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.LogAccess(ctx, []store.Access{
		{At: at.Add(2 * time.Minute), Actor: "tandem@rots.be", Role: "coordinator", CaseID: caseB, Action: "GetCase", Purpose: "opvolging"},
	}); err != nil {
		t.Fatal(err)
	}
	// A page of cases is logged in one batch; the chain runs through it in
	// order.
	page := make([]store.Access, 25)
	for i := range page {
		page[i] = store.Access{At: at.Add(3 * time.Minute), Actor: "auditor@rots.be", Role: "auditor", CaseID: uuid.NewString(), Action: "ListCases", Purpose: "audit"}
	}
	if err := db.LogAccess(ctx, page); err != nil {
		t.Fatal(err)
	}
	byCase, err := db.ListAccess(ctx, store.AccessFilter{CaseID: caseA}, 10)
	if err != nil || len(byCase) != 2 || byCase[0].Action != "GetCase" || byCase[1].Action != "SubmitCase" {
		t.Fatalf("by case: %+v, %v", byCase, err)
	}
	byActor, err := db.ListAccess(ctx, store.AccessFilter{Actor: "tandem@rots.be"}, 10)
	if err != nil || len(byActor) != 2 {
		t.Fatalf("by actor: %d entries, %v", len(byActor), err)
	}
	// By purpose, by period (from inclusive, to exclusive), combined, and
	// paged below an ID.
	for _, tc := range []struct {
		name string
		f    store.AccessFilter
		want int
	}{
		{"purpose", store.AccessFilter{Purpose: "audit"}, 25},
		{"period", store.AccessFilter{From: at.Add(time.Minute), To: at.Add(3 * time.Minute)}, 2},
		{"from only", store.AccessFilter{From: at.Add(3 * time.Minute)}, 25},
		{"to only", store.AccessFilter{To: at.Add(time.Minute)}, 1},
		{"actor, purpose and period", store.AccessFilter{Actor: "tandem@rots.be", Purpose: "opvolging", From: at.Add(2 * time.Minute)}, 1},
		{"case and purpose that do not meet", store.AccessFilter{CaseID: caseA, Purpose: "audit"}, 0},
		{"below an ID", store.AccessFilter{CaseID: caseA, BeforeID: byCase[0].ID}, 1},
	} {
		got, err := db.ListAccess(ctx, tc.f, 100)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: %d entries, %v; want %d", tc.name, len(got), err, tc.want)
		}
	}
	// An entry of a case that exists carries the case's reference.
	c, _, err := db.CreateCase(ctx, &store.Case{ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG", Stage: "INTAKE",
		OrgName: "CLB", OrgKind: "CLB", YoungPerson: store.YoungPerson{Alias: "J."}, Tried: []string{"x"}, Themes: []string{"ABSENCE"}, SubmittedAt: at, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LogAccess(ctx, []store.Access{{At: at.Add(4 * time.Minute), Actor: "auditor@rots.be", Role: "auditor", CaseID: c.ID, Action: "ExportCase", Purpose: "inzage"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ListAccess(ctx, store.AccessFilter{CaseID: c.ID}, 10); err != nil || len(got) != 1 || got[0].Reference != c.Reference || c.Reference == "" {
		t.Errorf("the entry of case %s: %+v, %v", c.Reference, got, err)
	}
	if byCase[0].Reference != "" {
		t.Errorf("an entry of a case not stored has reference %q", byCase[0].Reference)
	}
	if n, err := db.VerifyAccessLog(ctx); err != nil || n != 29 {
		t.Fatalf("verify an intact log: %d, %v", n, err)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// As the application's role: no UPDATE, no DELETE.
	for _, sql := range []string{`UPDATE access_log SET actor = 'x'`, `DELETE FROM access_log`} {
		_, err := conn.Exec(ctx, `SET ROLE rots_app; `+sql)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as rots_app: %v, want permission denied", sql, err)
		}
		conn.Exec(ctx, `RESET ROLE`)
	}
	// As the owner: the trigger refuses too.
	for _, sql := range []string{`UPDATE access_log SET actor = 'x'`, `DELETE FROM access_log`, `TRUNCATE access_log`} {
		if _, err := conn.Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s as owner: %v, want append-only", sql, err)
		}
	}
	// The application's role may append and read.
	if _, err := conn.Exec(ctx, `SET ROLE rots_app; SELECT count(*) FROM access_log`); err != nil {
		t.Errorf("read as rots_app: %v", err)
	}
	conn.Exec(ctx, `RESET ROLE`)

	// A superuser who switches the trigger off can change a row, but not
	// unnoticed.
	if _, err := conn.Exec(ctx, `ALTER TABLE access_log DISABLE TRIGGER access_log_no_update;
		UPDATE access_log SET purpose = 'audit' WHERE id = (SELECT min(id) + 1 FROM access_log);
		ALTER TABLE access_log ENABLE TRIGGER access_log_no_update`); err != nil {
		t.Fatal(err)
	}
	first, err := db.ListAccess(ctx, store.AccessFilter{To: at.Add(time.Second)}, 1)
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	n, err := db.VerifyAccessLog(ctx)
	if err == nil || !strings.Contains(err.Error(), "changed") || n != 1 {
		t.Errorf("verify a changed log: %d checked, %v; want the second entry reported as changed", n, err)
	}
	var brk *store.ChainBreak
	if !errors.As(err, &brk) || !brk.Changed || brk.ID != first[0].ID+1 {
		t.Errorf("the break is %#v, want entry %d, changed", brk, first[0].ID+1)
	}
	if _, err := conn.Exec(ctx, `ALTER TABLE access_log DISABLE TRIGGER access_log_no_update;
		UPDATE access_log SET purpose = 'opvolging' WHERE id = (SELECT min(id) + 1 FROM access_log);
		DELETE FROM access_log WHERE id = (SELECT min(id) + 1 FROM access_log);
		ALTER TABLE access_log ENABLE TRIGGER access_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAccessLog(ctx); err == nil || !strings.Contains(err.Error(), "removed") {
		t.Errorf("verify a log with a removed entry: %v", err)
	} else if !errors.As(err, &brk) || brk.Changed || brk.ID != first[0].ID+2 {
		t.Errorf("the break is %#v, want entry %d, unlinked", brk, first[0].ID+2)
	}
}
