package reportservice

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/seed/seedgen"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var (
	benchCases = flag.Int("reports.cases", 1_000_000, "BenchmarkDashboard: cases in the benchmark database")
	benchURL   = flag.String("reports.database", "postgres://postgres@127.0.0.1:5432/rots_bench_reports?sslmode=disable",
		"BenchmarkDashboard: the database, created and loaded when it lacks the cases")
)

// smallLoad is the generated data set of the package's database: enough to
// exercise everything in a normal test run.
var (
	smallLoadOnce sync.Once
	smallLoadErr  error
)

func loadSmall(t *testing.T) *store.DB {
	t.Helper()
	smallLoadOnce.Do(func() {
		_, smallLoadErr = seedgen.Load(context.Background(), dbURL, seedgen.Options{Cases: 2000, Seed: 3})
	})
	if smallLoadErr != nil {
		t.Fatal(smallLoadErr)
	}
	return storetest.Open(t, dbURL)
}

// latencies asks for the dashboard of each region in turn, and of all of
// Flanders when flanders is set, for year, n times, and returns the times
// sorted.
func latencies(tb testing.TB, s *Server, year int, flanders bool, loop func() bool) []time.Duration {
	tb.Helper()
	regions := []rotsv1.Region{0}
	if !flanders {
		regions = nil
		for r := range vocab.StoredNames[rotsv1.Region]() {
			regions = append(regions, rotsv1.Region(r+1))
		}
	}
	var out []time.Duration
	for i := 0; loop(); i++ {
		req := &rotsv1.GetDashboardRequest{Region: regions[i%len(regions)], FromMonth: fmt.Sprintf("%d-01", year), ToMonth: fmt.Sprintf("%d-12", year)}
		start := time.Now()
		if _, err := s.GetDashboard(context.Background(), req); err != nil {
			tb.Fatal(err)
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out
}

// quantile is the nearest-rank quantile q (0 < q <= 1) of sorted times.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(k, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestDashboardSmallLoad is BenchmarkDashboard on 2,000 generated cases,
// so that it keeps working.
func TestDashboardSmallLoad(t *testing.T) {
	db := loadSmall(t)
	s := newServer(t, db, 10)
	for _, flanders := range []bool{false, true} {
		n := 0
		lat := latencies(t, s, 2025, flanders, func() bool { n++; return n <= 30 })
		t.Logf("flanders=%v: p50 %.1f ms, p95 %.1f ms over %d calls", flanders, ms(quantile(lat, 0.5)), ms(quantile(lat, 0.95)), len(lat))
	}
}

// BenchmarkDashboard loads -reports.cases generated cases (1,000,000 by
// default, about ten million events; it takes minutes, once) into
// -reports.database unless they are there, and reports the latency of the
// dashboard of a region for a year and of all of Flanders for a year.
//
//	go test -run '^$' -bench Dashboard -benchtime 600x ./services/reportservice/
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	o := seedgen.Options{Cases: *benchCases}
	if err := store.EnsureDatabase(ctx, *benchURL); err != nil {
		b.Fatal(err)
	}
	loaded, err := seedgen.Loaded(ctx, *benchURL, o)
	if err != nil {
		// A new database has no cases table yet.
		loaded = false
	}
	if !loaded {
		start := time.Now()
		o.Progress = func(n int) {
			if n%100_000 == 0 {
				b.Logf("%d cases loaded after %s", n, time.Since(start).Round(time.Second))
			}
		}
		st, err := seedgen.Load(ctx, *benchURL, o)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded %d cases, %d events, %d agreements, %d gaps in %s; rollups rebuilt in %s",
			st.Cases, st.Events, st.Agreements, st.Gaps, st.Load.Round(time.Second), st.Rebuild.Round(time.Second))
	}
	db, err := store.Open(ctx, *benchURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	logSize(b, *benchURL)
	s := newServer(b, db, 10)
	for _, bench := range []struct {
		name     string
		flanders bool
	}{{"region-year", false}, {"flanders-year", true}} {
		b.Run(bench.name, func(b *testing.B) {
			lat := latencies(b, s, 2025, bench.flanders, b.Loop)
			b.ReportMetric(ms(quantile(lat, 0.5)), "p50-ms")
			b.ReportMetric(ms(quantile(lat, 0.95)), "p95-ms")
			b.ReportMetric(ms(quantile(lat, 0.99)), "p99-ms")
		})
	}
}

// BenchmarkTransition measures what keeping the rollups current costs a
// case on the benchmark database of BenchmarkDashboard (run that first):
// each iteration submits a case and moves it through intake, a consult, a
// rung of the ladder and closure, five transactions in all. The cases it
// adds are submitted now, outside the benchmark's year.
func BenchmarkTransition(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, *benchURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		now := time.Now()
		c := &store.Case{
			ID: uuid.NewString(), RequestID: "bench-" + uuid.NewString(), Region: "LIMBURG", Stage: "SUBMITTED",
			OrgName: "CLB Bench", OrgKind: "CLB", ContactName: "An", ContactEmail: "an@clb.be",
			YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1, School: "S", Municipality: "M"},
			Blocked:     "b", Tried: []string{"t"}, Themes: []string{"ABSENCE"}, SubmittedAt: now, UpdatedAt: now,
		}
		start := time.Now()
		if _, _, err := db.CreateCase(ctx, c); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		for k, tr := range []store.Transition{
			{Kind: "intake.started", FromStage: "SUBMITTED", ToStage: "INTAKE"},
			{Kind: "intake.accepted", FromStage: "INTAKE", ToStage: "CONSULT"},
			{Kind: "escalation.rung1", FromStage: "CONSULT", ToStage: "CONSULT", Escalation: &store.Escalation{Rung: 1}},
			{Kind: "consult.advice", FromStage: "CONSULT", ToStage: "FOLLOW_UP", Escalation: &store.Escalation{}},
		} {
			tr.CaseID, tr.RequestID, tr.At = c.ID, tr.Kind, now.Add(time.Duration(k+1)*time.Hour)
			start := time.Now()
			if err := db.ApplyTransition(ctx, tr); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(ms(quantile(lat, 0.5)), "p50-ms/tx")
	b.ReportMetric(ms(quantile(lat, 0.95)), "p95-ms/tx")
}

// logSize logs how many rows the benchmark database holds.
func logSize(b *testing.B, url string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var cases, events, counts, durations int64
	if err := conn.QueryRow(ctx, `SELECT (SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases'),
		(SELECT reltuples::bigint FROM pg_class WHERE relname = 'case_events'),
		(SELECT count(*) FROM report_counts), (SELECT count(*) FROM report_durations)`).Scan(&cases, &events, &counts, &durations); err != nil {
		b.Fatal(err)
	}
	b.Logf("about %d cases and %d events; %d rollup counts and %d histogram bars", cases, events, counts, durations)
}
