package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The managers' dashboard reads rollups, never the cases: report_counts
// holds counts by region, day (mostly the month of submission), dimension
// and key, report_durations histograms of times in working days by region,
// month of submission and measure. Every change of a case adds its
// difference to the rollups in the same transaction, so the rollups are
// always what a full rebuild (RebuildReports) would make of the cases.
// migrations/0010_reports.sql says what each dimension counts.

// Dimensions of report_counts.
const (
	DimStage         = "stage"
	DimAgeBand       = "age_band"
	DimSchoolLevel   = "school_level"
	DimOrgKind       = "org_kind"
	DimTheme         = "theme"
	DimClosureReason = "closure_reason"
	DimClosed        = "closed"
	DimOpenRung      = "open_rung"
	DimOpenAgreement = "open_agreement"
	DimGap           = "gap"
)

// ReportStages are the stages whose stays are timed, in path order.
var ReportStages = []string{vocab.StageIntake, vocab.StageNeedsInfo, vocab.StageConsult, vocab.StageTable, vocab.StageFollowUp}

// MeasureOffer is the time from submission to the first suitable offer:
// the first move into FOLLOW_UP (the consult's advice or a table's
// outcome).
const MeasureOffer = "OFFER"

// ReportDays is how report times are counted: the working days (Belgian
// public holidays off, school holidays not) after the date of from up to
// and including the date of to.
func ReportDays(from, to time.Time) int {
	return calendar.Calendar{}.WorkingDaysBetween(from, to)
}

// reportKey is one cell of report_counts.
type reportKey struct {
	Region, Dim string
	Day         time.Time
	Key         string
}

func compareReportKeys(a, b reportKey) int {
	return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Dim, b.Dim), a.Day.Compare(b.Day), cmp.Compare(a.Key, b.Key))
}

// reportRowsOf returns what a case contributes to report_counts now.
func reportRowsOf(ctx context.Context, tx pgx.Tx, caseID string) (map[reportKey]int64, error) {
	rows, err := tx.Query(ctx, `SELECT region, dim, day, key FROM report_rows WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[reportKey]int64{}
	for rows.Next() {
		var k reportKey
		if err := rows.Scan(&k.Region, &k.Dim, &k.Day, &k.Key); err != nil {
			return nil, err
		}
		k.Day = k.Day.UTC()
		m[k]++
	}
	return m, rows.Err()
}

// withReports runs change on a case that the transaction has locked (or
// just made) and adds what the change did to the case's report rows to
// report_counts.
func withReports(ctx context.Context, tx pgx.Tx, caseID string, change func() error) error {
	before, err := reportRowsOf(ctx, tx, caseID)
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	if err := change(); err != nil {
		return err
	}
	after, err := reportRowsOf(ctx, tx, caseID)
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	return addReportDelta(ctx, tx, before, after)
}

// addReportRows adds a case just made to report_counts.
func addReportRows(ctx context.Context, tx pgx.Tx, caseID string) error {
	rows, err := reportRowsOf(ctx, tx, caseID)
	if err != nil {
		return fmt.Errorf("report rows: %w", err)
	}
	return addReportDelta(ctx, tx, nil, rows)
}

// addReportDelta adds after minus before to report_counts; it changes
// after.
func addReportDelta(ctx context.Context, tx pgx.Tx, before, after map[reportKey]int64) error {
	for k, n := range before {
		after[k] -= n
	}
	keys := make([]reportKey, 0, len(after))
	for k, n := range after {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	// One order for every transaction, so that two of them never wait on
	// each other's rollup rows.
	slices.SortFunc(keys, compareReportKeys)
	var (
		regions, dims, ks = make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
		days              = make([]time.Time, len(keys))
		ns                = make([]int64, len(keys))
	)
	for i, k := range keys {
		regions[i], dims[i], days[i], ks[i], ns[i] = k.Region, k.Dim, k.Day, k.Key, after[k]
	}
	_, err := tx.Exec(ctx, `INSERT INTO report_counts (region, dim, day, key, n)
		SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::bigint[])
		ON CONFLICT (region, dim, day, key) DO UPDATE SET n = report_counts.n + EXCLUDED.n`,
		regions, dims, days, ks, ns)
	if err != nil {
		return fmt.Errorf("report counts: %w", err)
	}
	return nil
}

// durationKey is one bar of a report_durations histogram.
type durationKey struct {
	Region  string
	Month   time.Time
	Measure string
	Days    int
}

func compareDurationKeys(a, b durationKey) int {
	return cmp.Or(cmp.Compare(a.Region, b.Region), a.Month.Compare(b.Month), cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Days, b.Days))
}

// sortedDurationKeys are the keys of obs in one order, so that concurrent
// writers lock rows in the same order.
func sortedDurationKeys(obs map[durationKey]int64) []durationKey {
	return slices.SortedFunc(maps.Keys(obs), compareDurationKeys)
}

// addDurations adds observations to report_durations.
func addDurations(ctx context.Context, tx pgx.Tx, obs map[durationKey]int64) error {
	if len(obs) == 0 {
		return nil
	}
	keys := sortedDurationKeys(obs)
	var (
		regions, measures = make([]string, len(keys)), make([]string, len(keys))
		months            = make([]time.Time, len(keys))
		days              = make([]int32, len(keys))
		ns                = make([]int64, len(keys))
	)
	for i, k := range keys {
		regions[i], months[i], measures[i], days[i], ns[i] = k.Region, k.Month, k.Measure, int32(k.Days), obs[k]
	}
	_, err := tx.Exec(ctx, `INSERT INTO report_durations (region, month, measure, days, n)
		SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::integer[], $5::bigint[])
		ON CONFLICT (region, month, measure, days) DO UPDATE SET n = report_durations.n + EXCLUDED.n`,
		regions, months, measures, days, ns)
	if err != nil {
		return fmt.Errorf("report durations: %w", err)
	}
	return nil
}

// reportCase is what the duration rollup needs of a case.
type reportCase struct {
	Region      string
	Month       time.Time // of submission, Brussels time
	SubmittedAt time.Time
}

// lockReportCase locks a case for a change and reads what the rollups
// need of it; an unknown case is ErrNotFound.
func lockReportCase(ctx context.Context, tx pgx.Tx, caseID string) (reportCase, error) {
	var c reportCase
	err := tx.QueryRow(ctx, `SELECT region, report_month(submitted_at), submitted_at FROM cases WHERE id = $1 FOR NO KEY UPDATE`, caseID).
		Scan(&c.Region, &c.Month, &c.SubmittedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Month = c.Month.UTC()
	return c, err
}

// recordStay adds the times a stage change ends to report_durations: the
// stay in the stage it leaves, counted from the case's previous stage
// change, and, on the first move into FOLLOW_UP, the time since
// submission. The event of the change is written already.
func recordStay(ctx context.Context, tx pgx.Tx, c reportCase, t Transition) error {
	if t.FromStage == t.ToStage {
		return nil
	}
	var since time.Time // of the previous stage change; zero: none
	if slices.Contains(ReportStages, t.FromStage) {
		err := tx.QueryRow(ctx, `SELECT at FROM case_events
			WHERE case_id = $1 AND from_stage <> to_stage AND request_id <> $2
			ORDER BY at DESC, id DESC LIMIT 1`, t.CaseID, t.RequestID).Scan(&since)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
	}
	earlier := false // a move into FOLLOW_UP before this one
	if t.ToStage == vocab.StageFollowUp {
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_events
			WHERE case_id = $1 AND to_stage = 'FOLLOW_UP' AND from_stage <> 'FOLLOW_UP' AND request_id <> $2)`,
			t.CaseID, t.RequestID).Scan(&earlier)
		if err != nil {
			return err
		}
	}
	obs := map[durationKey]int64{}
	observe(obs, c, t.FromStage, t.ToStage, since, t.At, earlier)
	return addDurations(ctx, tx, obs)
}

// observe adds what a stage change from one stage to another at a moment
// measures: the stay in the stage it leaves, since the previous change
// (zero: none), and, on the first move into FOLLOW_UP (reached: not the
// first), the time from submission to a suitable offer.
func observe(obs map[durationKey]int64, c reportCase, from, to string, since, at time.Time, reached bool) {
	if slices.Contains(ReportStages, from) && !since.IsZero() {
		obs[durationKey{c.Region, c.Month, from, ReportDays(since, at)}]++
	}
	if to == vocab.StageFollowUp && !reached {
		obs[durationKey{c.Region, c.Month, MeasureOffer, ReportDays(c.SubmittedAt, at)}]++
	}
}

// RebuildReports recomputes the rollups from the cases, their timelines,
// agreements and gaps. Dashboards keep reading the old rollups meanwhile;
// changes of cases wait until it is done and are then added on top. Use it
// after loading cases around the store (seedgen does) or to check the
// rollups; store.Open runs it once on a database that never had it.
func (db *DB) RebuildReports(ctx context.Context) error {
	if err := db.inTx(ctx, func(tx pgx.Tx) error { return rebuildReports(ctx, tx, false) }); err != nil {
		return fmt.Errorf("store.RebuildReports: %w", err)
	}
	return nil
}

// rebuildReportsOnce builds the rollups of a database that never had them.
func (db *DB) rebuildReportsOnce(ctx context.Context) error {
	var pending bool
	if err := db.pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM report_rebuilds)`).Scan(&pending); err != nil || !pending {
		return err
	}
	return db.inTx(ctx, func(tx pgx.Tx) error { return rebuildReports(ctx, tx, true) })
}

func rebuildReports(ctx context.Context, tx pgx.Tx, onlyIfNever bool) error {
	// Readers go on; writers of the rollups wait. A change of a case that
	// is not committed yet is not seen here and adds its difference after.
	// The tables in the order a transition writes them (durations, then
	// counts), or the two wait for each other: a deadlock.
	if _, err := tx.Exec(ctx, `LOCK TABLE report_durations, report_counts, report_rebuilds IN EXCLUSIVE MODE`); err != nil {
		return err
	}
	if onlyIfNever {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM report_rebuilds)`).Scan(&done); err != nil || done {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM report_counts`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO report_counts (region, dim, day, key, n)
		SELECT region, dim, day, key, count(*) FROM report_rows GROUP BY region, dim, day, key`); err != nil {
		return fmt.Errorf("counts: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM report_durations`); err != nil {
		return err
	}
	obs, err := rebuildDurations(ctx, tx)
	if err != nil {
		return fmt.Errorf("durations: %w", err)
	}
	keys := sortedDurationKeys(obs)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_durations"}, []string{"region", "month", "measure", "days", "n"},
		pgx.CopyFromSlice(len(keys), func(i int) ([]any, error) {
			k := keys[i]
			return []any{k.Region, k.Month, k.Measure, int32(k.Days), obs[k]}, nil
		})); err != nil {
		return fmt.Errorf("durations: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO report_rebuilds (rebuilt_at, cases) SELECT now(), count(*) FROM cases`); err != nil {
		return err
	}
	// Fresh statistics, or the planner guesses the rollups tiny.
	_, err = tx.Exec(ctx, `ANALYZE report_counts, report_durations`)
	return err
}

// rebuildDurations walks every case's stage changes in order and measures
// the stays, as recordStay does one change at a time.
func rebuildDurations(ctx context.Context, tx pgx.Tx) (map[durationKey]int64, error) {
	rows, err := tx.Query(ctx, `SELECT e.case_id::text, c.region, report_month(c.submitted_at), c.submitted_at, e.from_stage, e.to_stage, e.at
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.from_stage <> e.to_stage
		ORDER BY e.case_id, e.at, e.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		obs          = map[durationKey]int64{}
		current      string
		since        time.Time
		offerReached bool
		c            reportCase
		id, from, to string
		at           time.Time
	)
	for rows.Next() {
		if err := rows.Scan(&id, &c.Region, &c.Month, &c.SubmittedAt, &from, &to, &at); err != nil {
			return nil, err
		}
		c.Month = c.Month.UTC()
		if id != current {
			current, since, offerReached = id, time.Time{}, false
		}
		observe(obs, c, from, to, since, at, offerReached)
		offerReached = offerReached || to == vocab.StageFollowUp
		since = at
	}
	return obs, rows.Err()
}

// ReportQuery selects the rollups of one scope and period.
type ReportQuery struct {
	// Region is the stored region name, or "" for all of Flanders.
	Region string
	// From and To are the first days of the period's first and last month.
	From, To time.Time
	// Today is the civil date in Brussels: open agreements due before it
	// are overdue.
	Today time.Time
}

// ReportCount is a rolled-up count. Day is the month for the series
// (DimStage by month of submission, DimClosed by month of closure) and
// zero for every other dimension, whose counts are summed over the
// period (DimOpenRung and DimOpenAgreement: over all time).
type ReportCount struct {
	Region string
	Dim    string
	Day    time.Time
	Key    string
	N      int64
}

// ReportDuration is one bar of a histogram of times over the period.
type ReportDuration struct {
	Region  string
	Measure string
	Days    int
	N       int64
}

// Report is what the rollups say about a scope and period.
type Report struct {
	Counts    []ReportCount
	Durations []ReportDuration
}

// Report reads the rollups of a scope and period in one round trip.
func (db *DB) Report(ctx context.Context, q ReportQuery) (*Report, error) {
	// A condition only when there is a region, rather than "$n = '' OR
	// region = $n", so that every plan uses the region's range of the keys.
	countArgs, durationArgs := []any{q.From, q.To, q.Today}, []any{q.From, q.To}
	countRegion, durationRegion := "", ""
	if q.Region != "" {
		countRegion, countArgs = " AND region = $4", append(countArgs, q.Region)
		durationRegion, durationArgs = " AND region = $3", append(durationArgs, q.Region)
	}
	var b pgx.Batch
	var r Report
	b.Queue(`SELECT region, dim, CASE WHEN dim IN ('stage', 'closed') THEN day END, key, sum(n)::bigint
		FROM report_counts
		WHERE n <> 0`+countRegion+` AND (
			(dim IN ('stage', 'age_band', 'school_level', 'org_kind', 'theme', 'closure_reason', 'closed', 'gap') AND day BETWEEN $1 AND $2)
			OR dim = 'open_rung'
			OR (dim = 'open_agreement' AND day < $3))
		GROUP BY 1, 2, 3, 4`, countArgs...).Query(func(rows pgx.Rows) error {
		var err error
		r.Counts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReportCount, error) {
			var c ReportCount
			var day *time.Time
			err := row.Scan(&c.Region, &c.Dim, &day, &c.Key, &c.N)
			if day != nil {
				c.Day = day.UTC()
			}
			return c, err
		})
		return err
	})
	b.Queue(`SELECT region, measure, days, sum(n)::bigint FROM report_durations
		WHERE month BETWEEN $1 AND $2`+durationRegion+`
		GROUP BY 1, 2, 3`, durationArgs...).Query(func(rows pgx.Rows) error {
		var err error
		r.Durations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ReportDuration])
		return err
	})
	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, fmt.Errorf("store.Report: %w", err)
	}
	return &r, nil
}
