package faults

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// production is the production topology of TestProductionTopology:
// Temporal on PostgreSQL in temporalURL with 16 history shards, two APIs,
// two workers.
func production(temporalURL string) func(*rotsdproc.Options) {
	return func(o *rotsdproc.Options) {
		o.TemporalPostgres, o.HistoryShards, o.APIs, o.Workers = temporalURL, 16, 2, 2
	}
}

// startOn is start on a database the test made itself (on a server of its
// own, or restored from a backup) and, when dir is not "", with the keys
// already in dir.
func startOn(t *testing.T, dbURL, dir string, deadlineDay time.Duration, topology ...func(*rotsdproc.Options)) *harness {
	t.Helper()
	return launch(t, dbURL, dbURL, dir, deadlineDay, topology...)
}

// launch runs the cluster with rotsd on rotsdURL (a proxy, or dbURL
// itself) and the harness's own pool on dbURL.
func launch(t *testing.T, rotsdURL, dbURL, dir string, deadlineDay time.Duration, topology ...func(*rotsdproc.Options)) *harness {
	t.Helper()
	ctx := context.Background()
	if dir == "" {
		dir = t.TempDir()
	}
	o := rotsdproc.Options{Bin: bin, Dir: dir, DatabaseURL: rotsdURL, DeadlineDay: deadlineDay}
	for _, f := range topology {
		f(&o)
	}
	cl, err := rotsdproc.StartCluster(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range append(append(slices.Clone(cl.APIs), cl.Workers...), cl.Temporal) {
				t.Logf("%s errors logged:\n%s", p.Name, p.Errors(10))
				t.Logf("%s log tail:\n%s", p.Name, p.Tail(3000))
			}
		}
		cl.Close()
	})
	conn, err := cl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	tc, err := cl.TemporalClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return &harness{
		cl: cl, cases: rotsv1.NewCaseServiceClient(conn), db: db, tc: tc,
		submitted: map[string]string{}, commanded: map[string][]string{},
		submitter:   cl.Token(auth.Submitter, "limburg", rotsdproc.SampleOrg),
		coordinator: cl.Token(auth.Coordinator, "limburg", ""),
	}
}
