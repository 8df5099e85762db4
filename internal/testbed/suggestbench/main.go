// Command suggestbench measures the suggestions of offers for a case
// (rots.v1.PracticeService.SuggestOffers) on the seeded cases of seedgen
// with the fictional directory of directoryseed (Limburg), in a fresh
// database of its own that it drops at the end:
//
//	go run ./internal/testbed/suggestbench -cases 20000
//
// seedgen does not record which directory offer a table used, so the
// program stands in for the tables, with a rule that is not the
// suggestions' rule: for each seeded case of Limburg that reached a table
// (it has agreements), the table uses one offer drawn at random (a fixed
// seed) among the active offers of the region that share the case's first
// theme and are for its age band or all ages. It ignores the school level,
// the other themes and the waiting time, which the suggestions weigh. The
// figure is how often that offer is among the first five suggestions, with
// the expected figure of the directory's own theme search in a random
// order beside it (5 out of the k offers sharing a theme).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/seed/directoryseed"
	"github.com/rots-vlaanderen/roundtable/internal/seed/seedgen"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/practiceservice"
)

func main() {
	cases := flag.Int("cases", 20_000, "seeded cases to load (all regions; Limburg has about 13%)")
	flag.Parse()
	if err := run(context.Background(), *cases); err != nil {
		fmt.Fprintln(os.Stderr, "suggestbench:", err)
		os.Exit(1)
	}
}

type seededCase struct {
	id, ageBand string
	themes      []string
}

func run(ctx context.Context, cases int) error {
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		return err
	}
	defer drop()
	if _, err := seedgen.Load(ctx, url, seedgen.Options{Cases: cases}); err != nil {
		return err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := directoryseed.Seed(ctx, db); err != nil {
		return err
	}
	offers, err := directory.New(db).SearchOffers(ctx, directory.OfferQuery{Region: vocab.RegionLimburg}, nil, 1000)
	if err != nil {
		return err
	}
	rows, err := db.Pool().Query(ctx, `SELECT id::text, age_band, themes FROM cases
		WHERE region = 'LIMBURG' AND EXISTS (SELECT 1 FROM agreements a WHERE a.case_id = cases.id) ORDER BY id`)
	if err != nil {
		return err
	}
	var tabled []seededCase
	for rows.Next() {
		var c seededCase
		if err := rows.Scan(&c.id, &c.ageBand, &c.themes); err != nil {
			return err
		}
		tabled = append(tabled, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	s := practiceservice.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r := rand.New(rand.NewPCG(17, 2026))
	var measured, top1, top5, noOffer int
	var baseline float64
	start := time.Now()
	for _, c := range tabled {
		used := tableChoice(r, c, offers)
		if used == "" {
			noOffer++
			continue
		}
		measured++
		ranked, err := s.Suggest(ctx, c.id)
		if err != nil {
			return err
		}
		at := slices.IndexFunc(ranked, func(sc practiceservice.Scored) bool { return sc.Offer != nil && sc.Offer.ID == used })
		if at == 0 {
			top1++
		}
		if at >= 0 && at < 5 {
			top5++
		}
		if k := sharingATheme(c, offers); k > 0 {
			baseline += min(1, 5/float64(k))
		}
	}
	if measured == 0 {
		return fmt.Errorf("no seeded case of Limburg reached a table; load more cases")
	}
	pct := func(n float64) float64 { return 100 * n / float64(measured) }
	fmt.Printf("seeded cases: %d; of Limburg at a table: %d; with an offer the table could use: %d (none fits: %d)\n",
		cases, len(tabled), measured, noOffer)
	fmt.Printf("the offer used is the first suggestion: %.1f%%; among the first five: %.1f%%\n", pct(float64(top1)), pct(float64(top5)))
	fmt.Printf("the directory's theme search in a random order, expected among the first five: %.1f%%\n", pct(baseline))
	fmt.Printf("%d suggestions in %s\n", measured, time.Since(start).Round(time.Millisecond))
	return nil
}

// tableChoice is the stand-in for a table: an offer for the case's first
// theme and its age band, drawn at random; "" when none fits.
func tableChoice(r *rand.Rand, c seededCase, offers []*directory.Offer) string {
	if len(c.themes) == 0 {
		return ""
	}
	var fit []string
	for _, f := range offers {
		if slices.Contains(f.Themes, c.themes[0]) && (f.AgeBand == "ALL" || f.AgeBand == c.ageBand) {
			fit = append(fit, f.ID)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return fit[r.IntN(len(fit))]
}

// sharingATheme counts the offers the directory's theme search finds.
func sharingATheme(c seededCase, offers []*directory.Offer) int {
	n := 0
	for _, f := range offers {
		for _, t := range c.themes {
			if slices.Contains(f.Themes, t) {
				n++
				break
			}
		}
	}
	return n
}
