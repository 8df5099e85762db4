package reportservice

import (
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Period is a range of whole months, both included.
type Period struct {
	From, To time.Time // first days of the months, UTC
}

// Months lists the first days of the period's months.
func (p Period) Months() []time.Time {
	var ms []time.Time
	for m := p.From; !m.After(p.To); m = m.AddDate(0, 1, 0) {
		ms = append(ms, m)
	}
	return ms
}

const monthLayout = "2006-01"

// Dashboard turns the rollups of a scope (a stored region name, "" for all
// of Flanders) and period into the dashboard, every figure through c.
func Dashboard(r *store.Report, region string, p Period, c disclosure.Control, now time.Time) (*rotsv1.Dashboard, error) {
	columns := []string{region}
	if region == "" {
		columns = vocab.StoredNames[rotsv1.Region]()
	}
	tables := countTables(r.Counts, columns, p)
	if err := protect(c, tables); err != nil {
		return nil, err
	}
	d := &rotsv1.Dashboard{
		Region:      vocab.FromStored[rotsv1.Region](region),
		FromMonth:   p.From.Format(monthLayout),
		ToMonth:     p.To.Format(monthLayout),
		Threshold:   int32(c.Threshold()),
		ComputeTime: timestamppb.New(now),
	}
	for _, t := range tables {
		d.Tables = append(d.Tables, t.proto())
	}
	var err error
	d.Durations, err = durations(r.Durations, columns, c)
	return d, err
}

// ageBands are the bands a case is counted in; the directory's AgeBand
// also has ALL, for offers.
var ageBands = []string{"UNDER_12", "TWELVE_AND_OVER"}

// countTables lays the counts out as tables, before disclosure control.
func countTables(counts []store.ReportCount, columns []string, p Period) []*table {
	b := builder{counts: counts, columns: columns}
	var months []string
	for _, m := range p.Months() {
		months = append(months, m.Format(monthLayout))
	}
	tables := []*table{
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE, store.DimStage, vocab.StoredNames[rotsv1.Stage]()),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND, store.DimAgeBand, ageBands),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, store.DimSchoolLevel, vocab.StoredNames[rotsv1.SchoolLevel]()),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, store.DimTheme, vocab.StoredNames[rotsv1.Theme]()),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND, store.DimOrgKind, vocab.StoredNames[rotsv1.OrganisationKind]()),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON, store.DimClosureReason, vocab.StoredNames[rotsv1.ClosureReason]()),
		b.byMonth(rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH, store.DimStage, months),
		b.byMonth(rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH, store.DimClosed, months),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS, store.DimOpenRung, []string{"1", "2", "3", "4"}),
		b.byKey(rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS, store.DimOpenAgreement, []string{"OPEN", "IN_PROGRESS", "BLOCKED"}),
		b.gaps(),
	}
	// Figures that two tables both show must be hidden in both or in
	// neither: the cases of each region and in all in the tables of the
	// cases submitted, and the closed ones in the stage and the closure
	// reason tables.
	for _, t := range tables {
		switch t.kind {
		case rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND,
			rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND,
			rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH:
			t.linkMargins("submitted")
		case rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON:
			t.linkMargins("closed")
		}
		if t.kind == rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE {
			t.linkRow(slices.Index(t.rows, vocab.StageClosed), "closed")
		}
	}
	return tables
}

// builder lays the rollups out as tables.
type builder struct {
	counts  []store.ReportCount
	columns []string
}

// byKey is a table of dim with rows keys and the regions as columns. Keys
// the list does not know get rows of their own at the end, so that the
// totals hold every case.
func (b builder) byKey(kind rotsv1.ReportTable, dim string, keys []string) *table {
	t := newTable(kind, keys, b.columns)
	for _, c := range b.counts {
		if c.Dim == dim {
			t.add(c.Key, c.Region, c.N)
		}
	}
	return t
}

// byMonth is a series of dim by month.
func (b builder) byMonth(kind rotsv1.ReportTable, dim string, months []string) *table {
	t := newTable(kind, months, b.columns)
	for _, c := range b.counts {
		if c.Dim == dim && !c.Day.IsZero() {
			t.add(c.Day.Format(monthLayout), c.Region, c.N)
		}
	}
	return t
}

// gaps is the gaps by theme and age band, over the whole scope.
func (b builder) gaps() *table {
	t := newTable(rotsv1.ReportTable_REPORT_TABLE_GAPS, vocab.StoredNames[rotsv1.Theme](), ageBands)
	for _, c := range b.counts {
		if c.Dim == store.DimGap {
			theme, band, _ := strings.Cut(c.Key, "/")
			t.add(theme, band, c.N)
		}
	}
	return t
}

// table is a count table before and after disclosure control.
type table struct {
	kind       rotsv1.ReportTable
	rows, cols []string
	n          [][]int
	links      map[cell]string // figures shown in other tables too
	protected  disclosure.Table
	blank      bool // everything hidden: see protect
}

// cell is a position in a table bordered by its totals: row len(rows) is
// the column totals, column len(cols) the row totals.
type cell struct{ i, j int }

func newTable(kind rotsv1.ReportTable, rows, cols []string) *table {
	t := &table{kind: kind, rows: slices.Clone(rows), cols: cols, links: map[cell]string{}}
	for range rows {
		t.n = append(t.n, make([]int, len(cols)))
	}
	return t
}

func (t *table) add(row, col string, n int64) {
	if row == "" {
		row = "UNKNOWN"
	}
	i := slices.Index(t.rows, row)
	if i < 0 {
		t.rows = append(t.rows, row)
		t.n = append(t.n, make([]int, len(t.cols)))
		i = len(t.rows) - 1
	}
	if j := slices.Index(t.cols, col); j >= 0 {
		t.n[i][j] += int(n)
	}
}

// linkMargins names the column totals and the grand total.
func (t *table) linkMargins(name string) {
	for j, col := range t.cols {
		t.links[cell{len(t.rows), j}] = name + "/" + col
	}
	t.links[cell{len(t.rows), len(t.cols)}] = name
}

// linkRow names row i's cells and its total.
func (t *table) linkRow(i int, name string) {
	if i < 0 {
		return
	}
	for j, col := range t.cols {
		t.links[cell{i, j}] = name + "/" + col
	}
	t.links[cell{i, len(t.cols)}] = name
}

// figure is the protected count at a position of the bordered table.
func (t *table) figure(c cell) disclosure.Count {
	switch {
	case c.i == len(t.rows) && c.j == len(t.cols):
		return t.protected.Total
	case c.i == len(t.rows):
		return t.protected.ColTotals[c.j]
	case c.j == len(t.cols):
		return t.protected.RowTotals[c.i]
	}
	return t.protected.Cells[c.i][c.j]
}

// protect applies disclosure control to each table, then makes the
// figures that several tables show agree. A table that hides such a figure
// where another publishes it may have hidden it to protect a cell of its
// own, which the other table would then give away; and a table cannot be
// told to hide a figure. So one side of the disagreement is hidden whole:
// the side with fewer tables, on a tie the side without the table that
// comes first. That is rare: linked figures are totals, large ones, and
// the cheapest complements to hide are small cells.
func protect(c disclosure.Control, tables []*table) error {
	for _, t := range tables {
		var err error
		if t.protected, err = c.Table(t.n); err != nil {
			return err
		}
	}
	type place struct {
		t *table
		c cell
	}
	byName := map[string][]place{}
	var names []string
	for _, t := range tables {
		for c, name := range t.links {
			if byName[name] == nil {
				names = append(names, name)
			}
			byName[name] = append(byName[name], place{t, c})
		}
	}
	slices.Sort(names)
	first := func(ts []*table) int {
		return slices.IndexFunc(tables, func(t *table) bool { return slices.Contains(ts, t) })
	}
	for changed := true; changed; {
		changed = false
		for _, name := range names {
			var hiders, publishers []*table
			for _, p := range byName[name] {
				switch {
				case p.t.blank:
				case p.t.figure(p.c).Suppressed():
					hiders = append(hiders, p.t)
				default:
					publishers = append(publishers, p.t)
				}
			}
			if len(hiders) == 0 || len(publishers) == 0 {
				continue
			}
			lose := hiders
			if len(publishers) < len(hiders) || len(publishers) == len(hiders) && first(hiders) < first(publishers) {
				lose = publishers
			}
			for _, t := range lose {
				t.blank = true
			}
			changed = true
		}
	}
	return nil
}

func figureOf(c disclosure.Count, blank bool) *rotsv1.Figure {
	if v, ok := c.Value(); ok && !blank {
		n := int64(v)
		return &rotsv1.Figure{Value: &n}
	}
	return &rotsv1.Figure{Suppressed: true}
}

func (t *table) proto() *rotsv1.CountTable {
	pt := &rotsv1.CountTable{Table: t.kind, Columns: t.cols, Total: figureOf(t.protected.Total, t.blank)}
	for i, label := range t.rows {
		row := &rotsv1.CountRow{Label: label, Total: figureOf(t.protected.RowTotals[i], t.blank)}
		for _, c := range t.protected.Cells[i] {
			row.Cells = append(row.Cells, figureOf(c, t.blank))
		}
		pt.Rows = append(pt.Rows, row)
	}
	for _, c := range t.protected.ColTotals {
		pt.ColumnTotals = append(pt.ColumnTotals, figureOf(c, t.blank))
	}
	return pt
}

// histogram counts stays by their length in days.
type histogram map[int]int64

func (h histogram) count() int {
	var n int64
	for _, c := range h {
		n += c
	}
	return int(n)
}

// percentile is the nearest-rank percentile p (0 < p <= 100): the least
// length that at least p% of the stays do not exceed.
func (h histogram) percentile(p int) int {
	days := make([]int, 0, len(h))
	for d := range h {
		days = append(days, d)
	}
	slices.Sort(days)
	rank := (int64(h.count())*int64(p) + 99) / 100
	var seen int64
	for _, d := range days {
		if seen += h[d]; seen >= rank {
			return d
		}
	}
	return 0
}

// durations is the table of times: a count table of the stays measured,
// protected like any other, and their median and 90th percentile where
// enough stays were measured and their count is published.
func durations(ds []store.ReportDuration, columns []string, c disclosure.Control) (*rotsv1.DurationTable, error) {
	measures := append(slices.Clone(store.ReportStages), store.MeasureOffer)
	hists := make([][]histogram, len(measures)) // [measure][column]
	totals := make([]histogram, len(measures))  // [measure]
	counts := make([][]int, len(measures))      // [measure][column]
	for i := range measures {
		hists[i], totals[i], counts[i] = make([]histogram, len(columns)), histogram{}, make([]int, len(columns))
		for j := range columns {
			hists[i][j] = histogram{}
		}
	}
	for _, d := range ds {
		i, j := slices.Index(measures, d.Measure), slices.Index(columns, d.Region)
		if i < 0 || j < 0 {
			continue
		}
		hists[i][j][d.Days] += d.N
		totals[i][d.Days] += d.N
		counts[i][j] += int(d.N)
	}
	protected, err := c.Table(counts)
	if err != nil {
		return nil, err
	}
	measure := func(h histogram, n disclosure.Count) *rotsv1.Duration {
		out := &rotsv1.Duration{Count: figureOf(n, false)}
		for _, f := range []struct {
			p   int
			dst **rotsv1.Figure
		}{{50, &out.MedianDays}, {90, &out.P90Days}} {
			*f.dst = &rotsv1.Figure{Suppressed: true}
			// Only beside a published count: a median shown beside a
			// hidden count would tell that it is at least the threshold.
			if _, shown := n.Value(); !shown {
				continue
			}
			if v, ok := c.Measure(h.count(), float64(h.percentile(f.p))); ok {
				n := int64(v)
				*f.dst = &rotsv1.Figure{Value: &n}
			}
		}
		return out
	}
	dt := &rotsv1.DurationTable{Columns: columns}
	for i, m := range measures {
		row := &rotsv1.DurationRow{Label: m, Total: measure(totals[i], protected.RowTotals[i])}
		for j := range columns {
			row.Cells = append(row.Cells, measure(hists[i][j], protected.Cells[i][j]))
		}
		dt.Rows = append(dt.Rows, row)
	}
	return dt, nil
}
