package reportservice

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// kernkwadrantSeed is a region worked out by hand: what each theme and age
// band of Limburg holds in March and April 2026.
type kernkwadrantSeed struct {
	db   *store.DB
	dir  *directory.Store
	t    *testing.T
	orgs map[string]string // regions → organisation ID
}

func (s *kernkwadrantSeed) org(region string) string {
	if id, ok := s.orgs[region]; ok {
		return id
	}
	o, _, err := s.dir.CreateOrganisation(context.Background(), &directory.Organisation{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Name: "Partner " + region, Kind: "YOUTH_CARE_PROVIDER", Regions: []string{region},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.orgs[region] = o.ID
	return o.ID
}

// offer adds an active offer of an organisation serving region and
// returns its resource name.
func (s *kernkwadrantSeed) offer(region, band string, themes ...string) string {
	orgID := s.org(region)
	f, _, err := s.dir.CreateOffer(context.Background(), &directory.Offer{
		ID: uuid.NewString(), OrganisationID: orgID, RequestID: uuid.NewString(), Name: "Aanbod", Description: "d",
		AgeBand: band, Themes: themes,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return "organisations/" + orgID + "/offers/" + f.ID
}

// cases adds n cases of a theme in Limburg, submitted on 2 March 2026 at
// ten, of a young person under 12 (born 2016, primary school) or 12 and
// over (born 2012, secondary). A zero followUp leaves them in intake;
// otherwise they reach FOLLOW_UP then through a table that used offers.
// It returns the cases' IDs.
func (s *kernkwadrantSeed) cases(n int, theme, band string, followUp time.Time, offers ...string) []string {
	ctx := context.Background()
	born, level := 2012, "SECUNDAIR"
	if band == "UNDER_12" {
		born, level = 2016, "LAGER"
	}
	var ids []string
	for range n {
		c := &store.Case{
			ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG", Stage: "SUBMITTED",
			OrgName: "CLB Hasselt", OrgKind: "CLB", ContactName: "An", ContactEmail: "an@clb.be",
			YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: born, BirthMonth: 5, SchoolLevel: level, Grade: 1, School: "S", Municipality: "M"},
			Blocked:     "b", Tried: []string{"t"}, Themes: []string{theme}, SubmittedAt: at(3, 2, 10), UpdatedAt: at(3, 2, 10),
		}
		if _, _, err := s.db.CreateCase(ctx, c); err != nil {
			s.t.Fatal(err)
		}
		steps := []store.Transition{{Kind: "intake.started", FromStage: "SUBMITTED", ToStage: "INTAKE", At: at(3, 2, 11)}}
		if !followUp.IsZero() {
			steps = append(steps,
				store.Transition{Kind: "intake.accepted", FromStage: "INTAKE", ToStage: "CONSULT", At: at(3, 3, 9)},
				store.Transition{Kind: "table.convened", FromStage: "CONSULT", ToStage: "TABLE", At: at(3, 4, 9)},
				store.Transition{Kind: "table.outcome", FromStage: "TABLE", ToStage: "FOLLOW_UP", At: followUp, OffersUsed: offers})
		}
		for _, tr := range steps {
			tr.CaseID, tr.RequestID, tr.Actor = c.ID, tr.Kind, "tandem"
			if err := s.db.ApplyTransition(ctx, tr); err != nil {
				s.t.Fatal(err)
			}
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// gap records a gap at a case's table.
func (s *kernkwadrantSeed) gap(caseID, theme, band string) {
	if _, err := s.db.RecordGap(context.Background(), "gap-"+caseID, store.Gap{CaseID: caseID, Region: "LIMBURG", Theme: theme, AgeBand: band,
		Needed: "n", WaitingWeeks: 12, RecordedAt: at(3, 20, 10), RecordedBy: "tandem"}); err != nil {
		s.t.Fatal(err)
	}
}

// verdictText is a cell's verdict and reasons, without their enums'
// prefixes.
func verdictText(v rotsv1.KernkwadrantVerdict, rs []rotsv1.KernkwadrantReason) string {
	text := v.String()[len("KERNKWADRANT_VERDICT_"):]
	for _, r := range rs {
		text += " " + r.String()[len("KERNKWADRANT_REASON_"):]
	}
	return text
}

func TestKernkwadrantHandComputed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	seed := &kernkwadrantSeed{db: db, dir: directory.New(db), t: t, orgs: map[string]string{}}

	// The directory of Limburg: an offer for absence (12 and over), one for
	// behaviour (all ages), one for family context and one for language (12
	// and over), one for learning delay (under 12). Antwerpen has one for
	// absence under 12; an offer for mental health in Limburg was
	// deactivated.
	absence := seed.offer("LIMBURG", "TWELVE_AND_OVER", "ABSENCE")
	seed.offer("LIMBURG", "ALL", "BEHAVIOUR")
	family := seed.offer("LIMBURG", "TWELVE_AND_OVER", "FAMILY_CONTEXT")
	seed.offer("LIMBURG", "TWELVE_AND_OVER", "LANGUAGE")
	seed.offer("LIMBURG", "UNDER_12", "LEARNING_DELAY")
	seed.offer("ANTWERPEN", "UNDER_12", "ABSENCE")
	mental := seed.offer("LIMBURG", "UNDER_12", "MENTAL_HEALTH")
	parts := strings.Split(mental, "/") // organisations, ID, offers, ID
	if _, err := seed.dir.DeactivateOffer(ctx, parts[1], parts[3], uuid.NewString(), at(2, 1, 9)); err != nil {
		t.Fatal(err)
	}

	quick, slow := at(3, 12, 16), at(7, 1, 10)
	seed.cases(6, "ABSENCE", "TWELVE_AND_OVER", quick, absence)        // met, short wait
	waiting := seed.cases(5, "MENTAL_HEALTH", "UNDER_12", time.Time{}) // waiting, one gap recorded
	seed.gap(waiting[0], "MENTAL_HEALTH", "UNDER_12")
	seed.cases(7, "FAMILY_CONTEXT", "TWELVE_AND_OVER", slow, family)
	seed.cases(2, "LEARNING_DELAY", "UNDER_12", time.Time{}) // too few to show
	seed.cases(10, "LANGUAGE", "TWELVE_AND_OVER", quick)     // an offer, but not one of the directory's

	s := newServer(t, db, 5)
	s.now = func() time.Time { return at(8, 1, 12) }
	resp, err := s.GetKernkwadrant(ctx, &rotsv1.GetKernkwadrantRequest{Region: rotsv1.Region_REGION_LIMBURG, FromMonth: "2026-01", ToMonth: "2026-12"})
	if err != nil {
		t.Fatal(err)
	}
	k := resp.GetKernkwadrant()
	if k.GetShortWaitDays() != ShortWaitDays || k.GetLongWaitDays() != LongWaitDays || k.GetMinMetPercent() != MinMetPercent || k.GetThreshold() != 5 {
		t.Errorf("rule %d/%d/%d%%, threshold %d", k.GetShortWaitDays(), k.GetLongWaitDays(), k.GetMinMetPercent(), k.GetThreshold())
	}

	// The waits by the calendar, and each cell by the rule.
	quickDays, slowDays := int64(store.ReportDays(at(3, 2, 10), quick)), int64(store.ReportDays(at(3, 2, 10), slow))
	if quickDays > ShortWaitDays || slowDays <= LongWaitDays {
		t.Fatalf("the seed's waits %d and %d working days no longer test the rule", quickDays, slowDays)
	}
	type want struct {
		demand, met, notMet, median, gaps, offers, used string
		verdict                                         string
	}
	n := func(v int64) string { return fmt.Sprint(v) }
	wants := map[string]want{
		// 6 asked, 6 met by the absence offer the tables used (100% ≥ 50%),
		// median wait quickDays ≤ ShortWaitDays, no gap, an offer: a strength.
		"ABSENCE/TWELVE_AND_OVER": {"6", "6", "0", n(quickDays), "0", "1", "1", "STRENGTH MET_BY_OFFERS_USED SHORT_WAIT"},
		// Nobody asked; Antwerpen's offer is not Limburg's.
		"ABSENCE/UNDER_12": {"0", "0", "0", "x", "0", "0", "0", "NONE NO_DEMAND NO_OFFER"},
		// 5 waiting without an offer, beside the 2 of learning delay in the
		// same column: the 2 is hidden, and so the 5 with it (else 7 - 5).
		// The one gap is hidden (1 < 5) but a hidden count is at least 1,
		// and the only offer is inactive: a gap either way.
		"MENTAL_HEALTH/UNDER_12":    {"x", "0", "x", "x", "x", "0", "0", "GAP NO_OFFER GAPS_RECORDED"},
		"BEHAVIOUR/UNDER_12":        {"0", "0", "0", "x", "0", "1", "0", "BLIND_SPOT NO_DEMAND"},
		"BEHAVIOUR/TWELVE_AND_OVER": {"0", "0", "0", "x", "0", "1", "0", "BLIND_SPOT NO_DEMAND"},
		// Met, but a median over LongWaitDays.
		"FAMILY_CONTEXT/TWELVE_AND_OVER": {"7", "7", "0", n(slowDays), "0", "1", "1", "GAP LONG_WAIT"},
		// 2 is below the threshold: no verdict that could tell it.
		"LEARNING_DELAY/UNDER_12": {"x", "0", "x", "x", "0", "1", "0", "NOT_ENOUGH_DATA SUPPRESSED"},
		// 10 reached an offer quickly, none of the directory's: 0% met.
		"LANGUAGE/TWELVE_AND_OVER": {"10", "0", "10", n(quickDays), "0", "1", "0", "MIXED LITTLE_MET SHORT_WAIT"},
	}
	seen := 0
	for _, c := range k.GetCells() {
		key := c.GetTheme() + "/" + c.GetAgeBand()
		got := want{show(c.GetDemand()), show(c.GetMet()), show(c.GetNotMet()), show(c.GetMedianWaitDays()), show(c.GetGaps()),
			show(c.GetOffers()), show(c.GetOffersUsed()), verdictText(c.GetVerdict(), c.GetReasons())}
		w, ok := wants[key]
		if !ok {
			// Every other cell: nobody asked, no offer.
			w = want{"0", "0", "0", "x", "0", "0", "0", "NONE NO_DEMAND NO_OFFER"}
		} else {
			seen++
		}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
	}
	if seen != len(wants) || len(k.GetCells()) != 2*(len(rotsv1.Theme_name)-1) {
		t.Errorf("%d cells, %d of the seeded ones", len(k.GetCells()), seen)
	}

	// The school levels: learning delay's 2 and mental health's 5 both in
	// primary school, so both hidden; the rest shown.
	levels := figures(k.GetSchoolLevels())
	row := func(theme string) []string {
		for _, r := range levels {
			if r[0] == theme {
				return r
			}
		}
		return nil
	}
	lager := slices.Index(k.GetSchoolLevels().GetColumns(), "LAGER") + 1
	secundair := slices.Index(k.GetSchoolLevels().GetColumns(), "SECUNDAIR") + 1
	if r := row("LEARNING_DELAY"); r == nil || r[lager] != "x" {
		t.Errorf("school levels, learning delay: %v", r)
	}
	if r := row("ABSENCE"); r == nil || r[secundair] != "6" {
		t.Errorf("school levels, absence: %v", r)
	}

	checkKernkwadrantProtected(t, s, k)

	// All of Flanders: Antwerpen's offer for absence under 12 counts, and
	// nobody asked for it.
	resp, err = s.GetKernkwadrant(ctx, &rotsv1.GetKernkwadrantRequest{FromMonth: "2026-01", ToMonth: "2026-12"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.GetKernkwadrant().GetCells() {
		if c.GetTheme() == "ABSENCE" && c.GetAgeBand() == "UNDER_12" {
			if got := verdictText(c.GetVerdict(), c.GetReasons()); got != "BLIND_SPOT NO_DEMAND" || show(c.GetOffers()) != "1" {
				t.Errorf("Flanders, absence under 12: %s with %s offers", got, show(c.GetOffers()))
			}
		}
	}
	checkKernkwadrantProtected(t, s, resp.GetKernkwadrant())
}

// checkKernkwadrantProtected checks the disclosure of a kernkwadrant against
// the dashboard of the same scope and period: no count from 1 to
// threshold-1 is shown, and no hidden part of a theme's demand can be had
// from the dashboard's total for the theme minus the parts shown.
func checkKernkwadrantProtected(t *testing.T, s *Server, k *rotsv1.Kernkwadrant) {
	t.Helper()
	resp, err := s.GetDashboard(context.Background(), &rotsv1.GetDashboardRequest{Region: k.GetRegion(), FromMonth: k.GetFromMonth(), ToMonth: k.GetToMonth()})
	if err != nil {
		t.Fatal(err)
	}
	small := func(f *rotsv1.Figure) bool {
		return f.Value != nil && f.GetValue() > 0 && f.GetValue() < int64(k.GetThreshold())
	}
	hiddenParts := map[string]int{}
	for _, c := range k.GetCells() {
		for _, f := range []*rotsv1.Figure{c.GetDemand(), c.GetMet(), c.GetNotMet(), c.GetGaps()} {
			if small(f) {
				t.Errorf("%s/%s shows a small count %d", c.GetTheme(), c.GetAgeBand(), f.GetValue())
			}
		}
		for _, f := range []*rotsv1.Figure{c.GetMet(), c.GetNotMet()} {
			if f.GetSuppressed() {
				hiddenParts[c.GetTheme()]++
			}
		}
	}
	for _, r := range k.GetSchoolLevels().GetRows() {
		hidden := 0
		for _, f := range r.GetCells() {
			if small(f) {
				t.Errorf("school levels %s shows a small count %d", r.GetLabel(), f.GetValue())
			}
			if f.GetSuppressed() {
				hidden++
			}
		}
		if hidden == 1 && !r.GetTotal().GetSuppressed() {
			t.Errorf("school levels %s: one hidden cell beside its total", r.GetLabel())
		}
	}
	for _, tbl := range resp.GetDashboard().GetTables() {
		switch tbl.GetTable() {
		case rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME:
			for _, r := range tbl.GetRows() {
				if hiddenParts[r.GetLabel()] == 1 && !r.GetTotal().GetSuppressed() {
					t.Errorf("theme %s: one hidden part of its demand beside the dashboard's total %d", r.GetLabel(), r.GetTotal().GetValue())
				}
			}
		case rotsv1.ReportTable_REPORT_TABLE_GAPS:
			// The kernkwadrant's gaps are the dashboard's, figure by figure.
			for _, r := range tbl.GetRows() {
				for j, f := range r.GetCells() {
					for _, c := range k.GetCells() {
						if c.GetTheme() == r.GetLabel() && c.GetAgeBand() == tbl.GetColumns()[j] && show(c.GetGaps()) != show(f) {
							t.Errorf("gaps %s/%s: %s, the dashboard %s", c.GetTheme(), c.GetAgeBand(), show(c.GetGaps()), show(f))
						}
					}
				}
			}
		}
	}
}

// TestKernkwadrantOnGeneratedCases runs the kernkwadrant of every region
// and of Flanders, year by year, on generated cases (a few dozen per region
// and year, so that much is small): nothing small shows, no hidden part of
// a theme's demand can be had from the dashboard's total, and each verdict
// is the rule's on the figures shown.
func TestKernkwadrantOnGeneratedCases(t *testing.T) {
	t.Parallel()
	db := loadSmall(t)
	s := newServer(t, db, 10)
	verdicts := map[rotsv1.KernkwadrantVerdict]int{}
	blank := 0 // scopes whose demand table disagreed with the dashboard's and went whole
	for year := 2021; year <= 2026; year++ {
		for r := range len(rotsv1.Region_name) {
			resp, err := s.GetKernkwadrant(context.Background(), &rotsv1.GetKernkwadrantRequest{
				Region: rotsv1.Region(r), FromMonth: fmt.Sprintf("%d-01", year), ToMonth: fmt.Sprintf("%d-12", year)})
			if err != nil {
				t.Fatal(err)
			}
			k := resp.GetKernkwadrant()
			checkKernkwadrantProtected(t, s, k)
			zeros := 0 // zeros are shown unless the table is hidden whole
			for _, c := range k.GetCells() {
				if c.GetMet().Value != nil && c.GetMet().GetValue() == 0 {
					zeros++
				}
			}
			if zeros == 0 {
				blank++
			}
			for _, c := range k.GetCells() {
				verdicts[c.GetVerdict()]++
				v, reasons := Verdict(c, zeros > 0)
				if v != c.GetVerdict() || !slices.Equal(reasons, c.GetReasons()) {
					t.Errorf("%d %s %s/%s: %s, the rule on the figures shown says %s", year, rotsv1.Region(r), c.GetTheme(), c.GetAgeBand(),
						verdictText(c.GetVerdict(), c.GetReasons()), verdictText(v, reasons))
				}
			}
		}
	}
	t.Logf("verdicts over %d scopes and years: %v; demand hidden whole in %d", 6*len(rotsv1.Region_name), verdicts, blank)
	if verdicts[rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_GAP] == 0 || verdicts[rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NOT_ENOUGH_DATA] == 0 {
		t.Errorf("the generated cases make no gap or no hidden cell: %v", verdicts)
	}
}
