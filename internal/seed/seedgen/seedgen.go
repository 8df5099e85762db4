// Package seedgen loads a large, fictional but plausible set of cases into
// PostgreSQL for benchmarks: cases spread over the six regions and several
// years, each played along the case path with its timeline (about ten
// events a case), escalations, agreements, gaps and retention, written with
// COPY and followed by a rebuild of the report rollups.
//
// The rows are what the store itself writes: a loaded case reads back with
// GetCase, lists with ListCases and counts in the dashboard. Given the same
// Options the data set is the same.
package seedgen

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Options say what to load. Zero fields take the defaults.
type Options struct {
	// Cases to load; default 1,000,000.
	Cases int
	// Seed of the random generator; default 1. Loads with different seeds
	// can go into one database.
	Seed uint64
	// From and Until bound the submissions, and Until is "now" of the data
	// set: nothing happens after it, so the cases submitted last are
	// still open. Default 2020-01-01 to 2026-11-01, Brussels time.
	From, Until time.Time
	// Progress, when set, is called after each batch with the cases
	// loaded so far.
	Progress func(loaded int)
}

func (o Options) withDefaults() Options {
	if o.Cases == 0 {
		o.Cases = 1_000_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.From.IsZero() {
		o.From = time.Date(2020, 1, 1, 0, 0, 0, 0, calendar.Brussels)
	}
	if o.Until.IsZero() {
		o.Until = time.Date(2026, 11, 1, 0, 0, 0, 0, calendar.Brussels)
	}
	return o
}

// Stats say what was loaded and how long it took.
type Stats struct {
	Cases, Events, Agreements, Gaps int
	Load, Rebuild                   time.Duration
}

// ErrLoaded means the database holds this seed's cases already.
var ErrLoaded = errors.New("seedgen: the database holds these cases already")

// batch is the number of cases written in one transaction.
const batch = 10_000

var (
	caseColumns = []string{"id", "request_id", "region", "stage", "org_name", "org_kind",
		"contact_name", "contact_email", "contact_phone",
		"yp_alias", "yp_birth_year", "yp_birth_month", "yp_school_level", "yp_grade", "yp_school", "yp_municipality",
		"blocked", "tried", "themes", "clb_stuck", "youth_care_stuck", "informed",
		"open_question", "advice", "offer", "closure_reason", "closure_note",
		"submitted_at", "updated_at", "closed_at", "workflow_started", "rung", "breakthrough", "deadlines", "anonymised_at", "age_band", "reference"}
	eventColumns     = []string{"case_id", "request_id", "kind", "from_stage", "to_stage", "actor", "summary", "at"}
	agreementColumns = []string{"case_id", "position", "action", "owner_organisation", "due_date", "status", "blocked_reason", "person"}
	gapColumns       = []string{"case_id", "request_id", "region", "theme", "age_band", "needed", "waiting_weeks", "recorded_at", "recorded_by"}
)

// Loaded reports whether the database holds the cases o would load.
func Loaded(ctx context.Context, databaseURL string, o Options) (bool, error) {
	o = o.withDefaults()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return false, fmt.Errorf("seedgen.Loaded: %w", err)
	}
	defer conn.Close(ctx)
	ok, err := hasCase(ctx, conn, requestID(o.Seed, o.Cases-1))
	if err != nil {
		return false, fmt.Errorf("seedgen.Loaded: %w", err)
	}
	return ok, nil
}

// hasCase reports whether the case with the request ID is there.
func hasCase(ctx context.Context, conn *pgx.Conn, requestID string) (bool, error) {
	var ok bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE request_id = $1)`, requestID).Scan(&ok)
	return ok, err
}

// Load migrates the database at databaseURL (store.Open), writes the cases
// of o with COPY, analyses the tables and rebuilds the report rollups. It
// refuses with ErrLoaded when the seed's first case is there already.
func Load(ctx context.Context, databaseURL string, o Options) (Stats, error) {
	o = o.withDefaults()
	var st Stats
	db, err := store.Open(ctx, databaseURL)
	if err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	defer db.Close()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	defer conn.Close(ctx)
	exists, err := hasCase(ctx, conn, requestID(o.Seed, 0))
	if err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	if exists {
		return st, ErrLoaded
	}
	// A lost batch is loaded again by running again; no need to wait for
	// the disk on every commit.
	if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}

	// References are unique across seeds: another seed's cases may be
	// here already, and a reference drawn again would be refused.
	taken, err := references(ctx, conn)
	if err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}

	start := time.Now()
	chunks := make(chan *chunk, 2)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(chunks)
		gen := newGenerator(o)
		gen.refs = taken
		for first := 0; first < o.Cases; first += batch {
			c := &chunk{}
			for i := first; i < min(first+batch, o.Cases); i++ {
				gen.next(i, c)
			}
			select {
			case chunks <- c:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	g.Go(func() error {
		for c := range chunks {
			if err := write(gctx, conn, c); err != nil {
				return err
			}
			st.Cases, st.Events, st.Agreements, st.Gaps = st.Cases+len(c.cases), st.Events+len(c.events), st.Agreements+len(c.agreements), st.Gaps+len(c.gaps)
			if o.Progress != nil {
				o.Progress(st.Cases)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE cases, case_events, agreements, gaps`); err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	st.Load = time.Since(start)

	start = time.Now()
	if err := db.RebuildReports(ctx); err != nil {
		return st, fmt.Errorf("seedgen.Load: %w", err)
	}
	st.Rebuild = time.Since(start)
	return st, nil
}

// write copies one chunk in one transaction.
func write(ctx context.Context, conn *pgx.Conn, c *chunk) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"cases", caseColumns, rowsOf(c.cases)},
			{"case_events", eventColumns, rowsOf(c.events)},
			{"agreements", agreementColumns, rowsOf(c.agreements)},
			{"gaps", gapColumns, rowsOf(c.gaps)},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", t.table, err)
			}
		}
		return nil
	})
}

func rowsOf[R ~[]any](rs []R) [][]any {
	out := make([][]any, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// references are the case references in the database, as the generator
// draws them.
func references(ctx context.Context, conn *pgx.Conn) (map[uint32]bool, error) {
	rows, err := conn.Query(ctx, `SELECT reference FROM cases WHERE reference LIKE 'ROTS-%'`)
	if err != nil {
		return nil, err
	}
	taken := map[uint32]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		if n, err := strconv.ParseUint(strings.TrimPrefix(ref, "ROTS-"), 16, 32); err == nil {
			taken[uint32(n)] = true
		}
	}
	return taken, rows.Err()
}
