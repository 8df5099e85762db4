package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// KernkwadrantQuery selects the demand and offer of one scope and period.
type KernkwadrantQuery struct {
	// Region is the stored region name, or "" for all of Flanders.
	Region string
	// From and To are the first days of the period's first and last month
	// (of submission, Brussels time, as the dashboard counts).
	From, To time.Time
}

// KernkwadrantKey is a theme and age band ("ABSENCE", "UNDER_12").
type KernkwadrantKey struct {
	Theme, AgeBand string
}

// KernkwadrantDemand counts the cases asking for a theme, by age band,
// school level and whether the table used a directory offer for that theme.
type KernkwadrantDemand struct {
	KernkwadrantKey
	SchoolLevel string
	Met         bool
	N           int64
}

// Kernkwadrant is what the cases and the directory say about demand and
// offer: counts and histograms only, never a case.
type Kernkwadrant struct {
	Demand []KernkwadrantDemand
	// Waits are histograms of working days from submission to the first
	// suitable offer (the first move into FOLLOW_UP, as MeasureOffer).
	Waits map[KernkwadrantKey]map[int]int64
	// OffersUsed counts the distinct directory offers for the theme that
	// the cases' tables used.
	OffersUsed map[KernkwadrantKey]int64
	// Offers counts the active offers of active organisations serving the
	// scope, by theme and age band; an offer for all ages counts in both.
	Offers map[KernkwadrantKey]int64
}

// Kernkwadrant reads demand and offer of a scope and period. It reads the
// cases of the period (their themes, first offer and offers used, nothing
// that names anyone) and folds them into counts here, because waits are
// working days, which the calendar counts.
func (db *DB) Kernkwadrant(ctx context.Context, q KernkwadrantQuery) (*Kernkwadrant, error) {
	k := &Kernkwadrant{Waits: map[KernkwadrantKey]map[int]int64{}, OffersUsed: map[KernkwadrantKey]int64{}, Offers: map[KernkwadrantKey]int64{}}
	// The months of submission in Brussels time, as report_month counts
	// them, as a range of instants the indexes on submitted_at serve.
	from := time.Date(q.From.Year(), q.From.Month(), 1, 0, 0, 0, 0, calendar.Brussels)
	to := time.Date(q.To.Year(), q.To.Month()+1, 1, 0, 0, 0, 0, calendar.Brussels)
	caseArgs, offerArgs := []any{from, to}, []any{}
	caseRegion, offerRegion := "", ""
	if q.Region != "" {
		caseRegion, caseArgs = " AND c.region = $3", append(caseArgs, q.Region)
		offerRegion, offerArgs = " AND g.regions @> ARRAY[$1]::text[]", append(offerArgs, q.Region)
	}
	type demandCase struct {
		themes, used []string
		band, level  string
		submitted    time.Time
		offerAt      *time.Time
	}
	var cases []demandCase
	offerThemes := map[string][]string{} // every offer's themes, active or not: a table may have used it before
	var b pgx.Batch
	b.Queue(`SELECT c.themes, c.age_band, c.yp_school_level, c.submitted_at,
			(SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_stage = 'FOLLOW_UP' AND e.from_stage <> 'FOLLOW_UP'),
			c.offers_used
		FROM cases c WHERE c.submitted_at >= $1 AND c.submitted_at < $2`+caseRegion, caseArgs...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var c demandCase
			if err := rows.Scan(&c.themes, &c.band, &c.level, &c.submitted, &c.offerAt, &c.used); err != nil {
				return err
			}
			cases = append(cases, c)
		}
		return rows.Err()
	})
	b.Queue(`SELECT id::text, themes FROM offers`).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id string
			var themes []string
			if err := rows.Scan(&id, &themes); err != nil {
				return err
			}
			offerThemes[id] = themes
		}
		return rows.Err()
	})
	b.Queue(`SELECT t.theme, o.age_band, count(*) FROM offers o JOIN organisations g ON g.id = o.organisation_id
		CROSS JOIN LATERAL (SELECT DISTINCT unnest(o.themes)) t (theme)
		WHERE o.active AND g.active`+offerRegion+`
		GROUP BY 1, 2`, offerArgs...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var theme, band string
			var n int64
			if err := rows.Scan(&theme, &band, &n); err != nil {
				return err
			}
			for _, b := range bandsOfOffer(band) {
				k.Offers[KernkwadrantKey{theme, b}] += n
			}
		}
		return rows.Err()
	})
	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, fmt.Errorf("store.Kernkwadrant: %w", err)
	}

	demand := map[KernkwadrantDemand]int64{}
	used := map[KernkwadrantKey]map[string]bool{}
	days := map[[2]string]int{} // working days between two dates, counted once
	for _, c := range cases {
		wait := -1
		if c.offerAt != nil {
			span := [2]string{c.submitted.In(calendar.Brussels).Format(time.DateOnly), c.offerAt.In(calendar.Brussels).Format(time.DateOnly)}
			n, ok := days[span]
			if !ok {
				n = ReportDays(c.submitted, *c.offerAt)
				days[span] = n
			}
			wait = n
		}
		for _, theme := range slices.Compact(slices.Sorted(slices.Values(c.themes))) {
			key := KernkwadrantKey{Theme: theme, AgeBand: c.band}
			// A used offer counts for a theme when the offer names it;
			// the table names an offer "organisations/…/offers/<id>".
			met := false
			for _, name := range c.used {
				id := name[strings.LastIndexByte(name, '/')+1:]
				if slices.Contains(offerThemes[id], theme) {
					met = true
					if used[key] == nil {
						used[key] = map[string]bool{}
					}
					used[key][id] = true
				}
			}
			demand[KernkwadrantDemand{KernkwadrantKey: key, SchoolLevel: c.level, Met: met}]++
			if wait >= 0 {
				if k.Waits[key] == nil {
					k.Waits[key] = map[int]int64{}
				}
				k.Waits[key][wait]++
			}
		}
	}
	for d, n := range demand {
		d.N = n
		k.Demand = append(k.Demand, d)
	}
	for key, offers := range used {
		k.OffersUsed[key] = int64(len(offers))
	}
	return k, nil
}

// bandsOfOffer lists the cases' age bands an offer's age band serves.
func bandsOfOffer(band string) []string {
	if strings.EqualFold(band, "ALL") || band == "" {
		return []string{"UNDER_12", "TWELVE_AND_OVER"}
	}
	return []string{band}
}
