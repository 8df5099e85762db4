package reportservice

import (
	"context"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// The rule of the kernkwadrant's verdicts. Waits are working days from
// submission to the first suitable offer, as the dashboard's OFFER time.
const (
	// ShortWaitDays is the longest median wait of a strength: about a month
	// of school days.
	ShortWaitDays = 20
	// LongWaitDays is the median wait beyond which demand is a gap: about a
	// school term.
	LongWaitDays = 60
	// MinMetPercent is the share of the demand a strength needs met by an
	// offer of the directory that the tables used.
	MinMetPercent = 50
)

// GetKernkwadrant returns demand against offer of a region or all of
// Flanders over a period. Who may ask for which scope is the access
// policy's business.
func (s *Server) GetKernkwadrant(ctx context.Context, req *rotsv1.GetKernkwadrantRequest) (*rotsv1.GetKernkwadrantResponse, error) {
	region, period, err := validate(req)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r, err := s.db.Report(ctx, store.ReportQuery{Region: region, From: period.From, To: period.To, Today: now})
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetKernkwadrant", "report", err)
	}
	k, err := s.db.Kernkwadrant(ctx, store.KernkwadrantQuery{Region: region, From: period.From, To: period.To})
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetKernkwadrant", "kernkwadrant", err)
	}
	kk, err := Kernkwadrant(r, k, region, period, s.control, now)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetKernkwadrant", "kernkwadrant", err)
	}
	return &rotsv1.GetKernkwadrantResponse{Kernkwadrant: kk}, nil
}

// outcome columns of the demand table: per age band, the cases met by an
// offer used and the others.
func outcomeColumns() []string {
	var cols []string
	for _, b := range ageBands {
		cols = append(cols, b+"/MET", b+"/NOT_MET")
	}
	return cols
}

// Kernkwadrant works the kernkwadrant out of the dashboard's rollups r (for
// the figures both show) and the demand and offer k, every count through c.
//
// Demand is one table, themes by age band × met/not met, protected as a
// whole, so that a small "not met" cannot be had as demand minus met; the
// demand of a cell is published only when both its parts are. Its row
// totals are the dashboard's cases by theme: where the two tables disagree
// on hiding one, the kernkwadrant's table is hidden whole (the dashboard
// never changes for it). The same goes for the school level table. Gaps are
// the dashboard's gap table itself.
func Kernkwadrant(r *store.Report, k *store.Kernkwadrant, region string, p Period, c disclosure.Control, now time.Time) (*rotsv1.Kernkwadrant, error) {
	columns := []string{region}
	if region == "" {
		columns = vocab.StoredNames[rotsv1.Region]()
	}
	themes := vocab.StoredNames[rotsv1.Theme]()
	b := builder{counts: r.Counts, columns: columns}
	dashThemes, gaps := b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, store.DimTheme, themes), b.gaps()
	demand := newTable(rotsv1.ReportTable_REPORT_TABLE_UNSPECIFIED, themes, outcomeColumns())
	levels := newTable(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, themes, vocab.StoredNames[rotsv1.SchoolLevel]())
	for _, d := range k.Demand {
		outcome := "/NOT_MET"
		if d.Met {
			outcome = "/MET"
		}
		demand.add(d.Theme, d.AgeBand+outcome, d.N)
		levels.add(d.Theme, d.SchoolLevel, d.N)
	}
	for _, t := range []*table{dashThemes, gaps, demand, levels} {
		var err error
		if t.protected, err = c.Table(t.n); err != nil {
			return nil, err
		}
	}
	for _, t := range []*table{demand, levels} {
		t.blank = !agreesWithThemes(t, dashThemes)
	}

	out := &rotsv1.Kernkwadrant{
		Region:        vocab.FromStored[rotsv1.Region](region),
		FromMonth:     p.From.Format(monthLayout),
		ToMonth:       p.To.Format(monthLayout),
		Threshold:     int32(c.Threshold()),
		ComputeTime:   timestamppb.New(now),
		ShortWaitDays: ShortWaitDays,
		LongWaitDays:  LongWaitDays,
		MinMetPercent: MinMetPercent,
		SchoolLevels:  levels.proto(),
	}
	for i, theme := range demand.rows {
		for bi, band := range ageBands {
			key := store.KernkwadrantKey{Theme: theme, AgeBand: band}
			cell := &rotsv1.KernkwadrantCell{
				Theme:   theme,
				AgeBand: band,
				Met:     figureOf(demand.protected.Cells[i][2*bi], demand.blank),
				NotMet:  figureOf(demand.protected.Cells[i][2*bi+1], demand.blank),
				Offers:  count(k.Offers[key]),
				Gaps:    &rotsv1.Figure{Suppressed: true},
			}
			if gi := slices.Index(gaps.rows, theme); gi >= 0 {
				cell.Gaps = figureOf(gaps.protected.Cells[gi][bi], false)
			}
			cell.Demand = sum(cell.Met, cell.NotMet)
			cell.MedianWaitDays = &rotsv1.Figure{Suppressed: true}
			if cell.Demand.Value != nil {
				h := histogram(k.Waits[key])
				if v, ok := c.Measure(h.count(), float64(h.percentile(50))); ok {
					cell.MedianWaitDays = count(int64(v))
				}
			}
			cell.OffersUsed = &rotsv1.Figure{Suppressed: true}
			if cell.Met.Value != nil {
				cell.OffersUsed = count(k.OffersUsed[key])
			}
			cell.Verdict, cell.Reasons = Verdict(cell, !demand.blank)
			out.Cells = append(out.Cells, cell)
		}
	}
	return out, nil
}

// agreesWithThemes reports whether t hides the cases of a theme, and all of
// them, exactly where the dashboard's table of cases by theme does. For one
// region that table has one column, whose cell and row total are the same
// figure: it is shown if either is.
func agreesWithThemes(t, themes *table) bool {
	shown := func(tt *table, i int) bool {
		if !tt.protected.RowTotals[i].Suppressed() {
			return true
		}
		return len(tt.cols) == 1 && !tt.protected.Cells[i][0].Suppressed()
	}
	for i, theme := range t.rows {
		j := slices.Index(themes.rows, theme)
		if j < 0 || shown(t, i) != shown(themes, j) {
			return false
		}
	}
	return t.protected.Total.Suppressed() == themes.protected.Total.Suppressed()
}

func count(n int64) *rotsv1.Figure { return &rotsv1.Figure{Value: &n} }

// sum is a+b when both are published: the sum of two published figures
// tells nothing new. Otherwise it is suppressed.
func sum(a, b *rotsv1.Figure) *rotsv1.Figure {
	if a.Value == nil || b.Value == nil {
		return &rotsv1.Figure{Suppressed: true}
	}
	return count(a.GetValue() + b.GetValue())
}

// Verdict applies the rule to a cell's published figures, and to nothing
// else, so that a verdict cannot tell more than the figures beside it. It
// only uses what anyone knows of a suppressed count besides: that it is at
// least 1, since zeros are published. That does not hold when the demand
// table was hidden whole (demandProtected false): then only recorded gaps
// (the gap table is never hidden whole) give a verdict, a gap.
//
//  1. No demand (a published 0): a blind spot if the directory has an
//     offer, else nothing.
//  2. Demand (published or a suppressed part) and no offer, or gaps
//     recorded (a suppressed gap count is at least 1), or a median wait
//     over LongWaitDays: a gap, naming each.
//  3. Otherwise, with the demand, the met and the median published: a
//     strength when at least MinMetPercent of the demand was met by an
//     offer used and the median wait is at most ShortWaitDays; mixed when
//     not.
//  4. Otherwise: not enough data.
func Verdict(cell *rotsv1.KernkwadrantCell, demandProtected bool) (rotsv1.KernkwadrantVerdict, []rotsv1.KernkwadrantReason) {
	const (
		noOffer   = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_NO_OFFER
		gapsSeen  = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_GAPS_RECORDED
		longWait  = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_LONG_WAIT
		shortWait = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_SHORT_WAIT
		met       = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_MET_BY_OFFERS_USED
		littleMet = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_LITTLE_MET
		noDemand  = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_NO_DEMAND
		hidden    = rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_SUPPRESSED
	)
	gapsRecorded := cell.Gaps.GetSuppressed() || cell.Gaps.GetValue() > 0
	if !demandProtected {
		// A gap recorded at a table was demand; nothing else can be said.
		if gapsRecorded {
			return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_GAP, []rotsv1.KernkwadrantReason{gapsSeen}
		}
		return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NOT_ENOUGH_DATA, []rotsv1.KernkwadrantReason{hidden}
	}
	offers := cell.GetOffers().GetValue()
	if cell.Demand.Value != nil && cell.Demand.GetValue() == 0 {
		if offers > 0 {
			return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_BLIND_SPOT, []rotsv1.KernkwadrantReason{noDemand}
		}
		return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE, []rotsv1.KernkwadrantReason{noDemand, noOffer}
	}
	var reasons []rotsv1.KernkwadrantReason
	if offers == 0 {
		reasons = append(reasons, noOffer)
	}
	if gapsRecorded {
		reasons = append(reasons, gapsSeen)
	}
	median, medianShown := cell.MedianWaitDays.GetValue(), cell.MedianWaitDays.Value != nil
	if medianShown && median > LongWaitDays {
		reasons = append(reasons, longWait)
	}
	if len(reasons) > 0 {
		return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_GAP, reasons
	}
	if cell.Demand.Value == nil || cell.Met.Value == nil || !medianShown {
		return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NOT_ENOUGH_DATA, []rotsv1.KernkwadrantReason{hidden}
	}
	metEnough := cell.Met.GetValue()*100 >= MinMetPercent*cell.Demand.GetValue()
	short := median <= ShortWaitDays
	if metEnough && short {
		return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_STRENGTH, []rotsv1.KernkwadrantReason{met, shortWait}
	}
	reasons = []rotsv1.KernkwadrantReason{littleMet}
	if metEnough {
		reasons[0] = met
	}
	if short {
		reasons = append(reasons, shortWait)
	}
	return rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_MIXED, reasons
}
