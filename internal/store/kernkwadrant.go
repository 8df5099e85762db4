package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
// cases of the period (one row per case and theme) and folds them into
// counts here, because waits are working days, which the calendar counts.
func (db *DB) Kernkwadrant(ctx context.Context, q KernkwadrantQuery) (*Kernkwadrant, error) {
	k := &Kernkwadrant{Waits: map[KernkwadrantKey]map[int]int64{}, OffersUsed: map[KernkwadrantKey]int64{}, Offers: map[KernkwadrantKey]int64{}}
	caseArgs, offerArgs := []any{q.From, q.To}, []any{}
	caseRegion, offerRegion := "", ""
	if q.Region != "" {
		caseRegion, caseArgs = " AND c.region = $3", append(caseArgs, q.Region)
		offerRegion, offerArgs = " AND g.regions @> ARRAY[$1]::text[]", append(offerArgs, q.Region)
	}
	demand := map[KernkwadrantDemand]int64{}
	used := map[KernkwadrantKey]map[string]bool{}
	var b pgx.Batch
	// A used offer counts for a theme when the offer names that theme.
	b.Queue(`SELECT t.theme, c.age_band, c.yp_school_level, c.submitted_at,
			(SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_stage = 'FOLLOW_UP' AND e.from_stage <> 'FOLLOW_UP'),
			ARRAY(SELECT o.id::text FROM offers o
				WHERE o.id::text IN (SELECT split_part(u, '/', 4) FROM unnest(c.offers_used) u) AND t.theme = ANY (o.themes))
		FROM cases c CROSS JOIN LATERAL (SELECT DISTINCT unnest(c.themes)) t (theme)
		WHERE report_month(c.submitted_at) BETWEEN $1 AND $2`+caseRegion, caseArgs...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var key KernkwadrantKey
			var level string
			var submitted time.Time
			var offerAt *time.Time
			var offers []string
			if err := rows.Scan(&key.Theme, &key.AgeBand, &level, &submitted, &offerAt, &offers); err != nil {
				return err
			}
			demand[KernkwadrantDemand{KernkwadrantKey: key, SchoolLevel: level, Met: len(offers) > 0}]++
			if offerAt != nil {
				if k.Waits[key] == nil {
					k.Waits[key] = map[int]int64{}
				}
				k.Waits[key][ReportDays(submitted, *offerAt)]++
			}
			for _, o := range offers {
				if used[key] == nil {
					used[key] = map[string]bool{}
				}
				used[key][o] = true
			}
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
