package faults

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// TestBackupRestore is the backup drill of deploy/README.md on the
// production topology: cases open at intake, at the consult and at a
// table, their deadlines pending; the APIs and workers stopped, so that
// nothing writes while the three databases are dumped (pg_dump -Fc: the
// application's and Temporal's two); everything restored into new
// databases (createdb, pg_restore) and a new topology started on them
// with the same payload keys. The cases carry on: their deadlines fire on
// the restored cluster, and each is driven to closed.
func TestBackupRestore(t *testing.T) {
	pgBin, err := postgresBin()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("pg_dump and pg_restore are not installed here: %v", err)
	}
	// A working day of 4 s: intake's deadline (5 days) and the consult's
	// (10) fall after the backup and before the drill ends.
	const day = 4 * time.Second
	temporalURL := storetest.TemporalDatabase(t)
	h := start(t, day, nil, production(temporalURL))

	var open []string
	for _, stage := range []rotsv1.Stage{rotsv1.Stage_STAGE_INTAKE, rotsv1.Stage_STAGE_INTAKE, rotsv1.Stage_STAGE_CONSULT,
		rotsv1.Stage_STAGE_CONSULT, rotsv1.Stage_STAGE_TABLE, rotsv1.Stage_STAGE_TABLE} {
		id, _, err := h.submit()
		if err != nil {
			t.Fatal(err)
		}
		if err := h.moveTo(id, stage); err != nil {
			t.Fatal(err)
		}
		open = append(open, id)
	}

	// The backup: APIs and workers stopped (each drains within its
	// shutdown timeout), so the application's database holds still; the
	// Temporal server may run on, since without a worker nothing it does
	// reaches the application's database.
	began := time.Now()
	for _, p := range append(slices.Clone(h.cl.APIs), h.cl.Workers...) {
		p.Stop()
	}
	appURL := h.db.Config().ConnString()
	dumps := t.TempDir()
	databases := map[string]string{"temporal": temporalURL, "temporal_visibility": visibilityURL(temporalURL), "rots": appURL}
	for _, name := range []string{"temporal", "temporal_visibility", "rots"} {
		out, err := exec.Command(filepath.Join(pgBin, "pg_dump"), "-Fc", "-f", filepath.Join(dumps, name+".dump"), "-d", databases[name]).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_dump %s: %v\n%s", name, err, out)
		}
	}
	dumped := time.Since(began)
	// The databases are lost, and the cluster with them. A Temporal server
	// left running on the old databases would find the restored one
	// through the membership table it copied and join it.
	h.cl.Close()
	h.db.Close()
	for _, u := range databases {
		dropDatabase(t, u)
	}

	// The restore into new databases of the same names: Temporal's schema
	// version is kept under its database's name, and a server on a
	// database of another name would take it for an empty one.
	for _, name := range []string{"temporal", "temporal_visibility", "rots"} {
		createDatabase(t, databases[name])
		out, err := exec.Command(filepath.Join(pgBin, "pg_restore"), "--no-owner", "--exit-on-error", "-d", databases[name], filepath.Join(dumps, name+".dump")).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_restore %s: %v\n%s", name, err, out)
		}
	}
	t.Logf("stopped, dumped 3 databases in %s, restored in %s", dumped.Round(time.Millisecond), (time.Since(began) - dumped).Round(time.Millisecond))

	// The cases whose deadline had not fired at the backup, read before
	// any worker runs on the restored databases.
	pending := unescalated(t, appURL, open)
	if len(pending) == 0 {
		t.Fatal("every deadline had fired before the backup: the drill shows nothing of timers")
	}

	// The restored cluster, with the payload keys of the first.
	dir := t.TempDir()
	keys, err := os.ReadFile(h.cl.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "payload-keys"), keys, 0o600); err != nil {
		t.Fatal(err)
	}
	h2 := startOn(t, appURL, dir, day, production(temporalURL))
	// Everything acknowledged before the backup is in it.
	h2.submitted, h2.commanded = maps.Clone(h.submitted), maps.Clone(h.commanded)
	// The free texts, encrypted with the payload keys, read as written.
	for _, id := range open {
		resp, err := h2.cases.GetCase(rotsdproc.WithToken(context.Background(), h2.coordinator), &rotsv1.GetCaseRequest{Name: "cases/" + id})
		if err != nil {
			t.Fatal(err)
		}
		if c, want := resp.GetCase(), rotsdproc.SampleCase("").GetBlocked(); c.GetBlocked() != want {
			t.Errorf("case %s after the restore: blocked %q, want %q", id, c.GetBlocked(), want)
		}
	}
	h2.waitEscalated(t, pending, 2*time.Minute)
	t.Logf("%d open cases restored; the deadlines of %d, pending at the backup, fired on the restored cluster", len(open), len(pending))
	for _, id := range open {
		if err := h2.moveTo(id, rotsv1.Stage_STAGE_CLOSED); err != nil {
			t.Fatal(err)
		}
	}
	h2.check(t)
}

// unescalated is the cases, of ids, that have not climbed a rung of the
// ladder in the database at dbURL.
func unescalated(t *testing.T, dbURL string, ids []string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT c.id::text FROM unnest($1::uuid[]) AS c(id)
		WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind LIKE 'escalation.%')`, ids)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return pending
}

// visibilityURL is the URL of the visibility database of a Temporal
// server on PostgreSQL: its own database's name with "_visibility".
func visibilityURL(temporalURL string) string {
	u, err := url.Parse(temporalURL)
	if err != nil {
		panic(err)
	}
	u.Path += "_visibility"
	return u.String()
}

// newDatabaseURL is the URL of a database on the test server, not created
// yet; dropped when the test ends.
func newDatabaseURL(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	u, err := url.Parse(storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	name := "rots_test_empty_" + hex.EncodeToString(b)
	u.Path = "/" + name
	t.Cleanup(func() { dropDatabase(t, u.String()) })
	return u.String()
}

// createDatabase creates the empty database a URL names, on its server
// (createdb).
func createDatabase(t *testing.T, dbURL string) {
	t.Helper()
	onServer(t, dbURL, "CREATE DATABASE %s")
}

// dropDatabase drops the database a URL names, if it is there, cutting
// off whoever is connected to it.
func dropDatabase(t *testing.T, dbURL string) {
	t.Helper()
	onServer(t, dbURL, "DROP DATABASE IF EXISTS %s WITH (FORCE)")
}

// onServer runs a statement about the database a URL names on its server.
func onServer(t *testing.T, dbURL, statement string) {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(statement, pgx.Identifier{name}.Sanitize())); err != nil {
		t.Fatal(err)
	}
}
