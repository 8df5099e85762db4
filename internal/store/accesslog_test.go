package store_test

import (
	"context"
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
	byCase, err := db.ListAccess(ctx, caseA, "", 0, 10)
	if err != nil || len(byCase) != 2 || byCase[0].Action != "GetCase" || byCase[1].Action != "SubmitCase" {
		t.Fatalf("by case: %+v, %v", byCase, err)
	}
	byActor, err := db.ListAccess(ctx, "", "tandem@rots.be", 0, 10)
	if err != nil || len(byActor) != 2 {
		t.Fatalf("by actor: %d entries, %v", len(byActor), err)
	}
	if n, err := db.VerifyAccessLog(ctx); err != nil || n != 28 {
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
	if n, err := db.VerifyAccessLog(ctx); err == nil || !strings.Contains(err.Error(), "changed") || n != 1 {
		t.Errorf("verify a changed log: %d checked, %v; want the second entry reported as changed", n, err)
	}
	if _, err := conn.Exec(ctx, `ALTER TABLE access_log DISABLE TRIGGER access_log_no_update;
		UPDATE access_log SET purpose = 'opvolging' WHERE id = (SELECT min(id) + 1 FROM access_log);
		DELETE FROM access_log WHERE id = (SELECT min(id) + 1 FROM access_log);
		ALTER TABLE access_log ENABLE TRIGGER access_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyAccessLog(ctx); err == nil || !strings.Contains(err.Error(), "removed") {
		t.Errorf("verify a log with a removed entry: %v", err)
	}
}
