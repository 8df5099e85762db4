package disclosure_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
)

func mustNew(t *testing.T, threshold int) disclosure.Control {
	t.Helper()
	c, err := disclosure.New(threshold)
	if err != nil {
		t.Fatalf("New(%d): %v", threshold, err)
	}
	return c
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		threshold, want int
		wantErr         bool
	}{
		{threshold: 0, want: 10},
		{threshold: 5, want: 5},
		{threshold: 10, want: 10},
		{threshold: 20, want: 20},
		{threshold: 4, wantErr: true},
		{threshold: 1, wantErr: true},
		{threshold: -10, wantErr: true},
	} {
		c, err := disclosure.New(tt.threshold)
		if tt.wantErr {
			if err == nil {
				t.Errorf("New(%d) = %d, want an error", tt.threshold, c.Threshold())
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%d): %v", tt.threshold, err)
			continue
		}
		if got := c.Threshold(); got != tt.want {
			t.Errorf("New(%d).Threshold() = %d, want %d", tt.threshold, got, tt.want)
		}
	}
	if got := (disclosure.Control{}).Threshold(); got != disclosure.DefaultThreshold {
		t.Errorf("zero Control threshold = %d, want %d", got, disclosure.DefaultThreshold)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	for n := 0; n <= 12; n++ {
		got := c.Count(n)
		v, ok := got.Value()
		wantHidden := n >= 1 && n <= 9
		if got.Suppressed() != wantHidden || ok == wantHidden {
			t.Errorf("Count(%d) suppressed = %v (ok %v), want %v", n, got.Suppressed(), ok, wantHidden)
		}
		if wantHidden && (v != 0 || got.String() != "x") {
			t.Errorf("Count(%d) leaks: Value() = %d, String() = %q", n, v, got.String())
		}
		if !wantHidden && v != n {
			t.Errorf("Count(%d).Value() = %d", n, v)
		}
	}
}

func TestMeasure(t *testing.T) {
	t.Parallel()
	c := mustNew(t, 10)
	for _, tt := range []struct {
		n      int
		wantOK bool
	}{{0, false}, {1, false}, {9, false}, {10, true}, {250, true}} {
		v, ok := c.Measure(tt.n, 42.5)
		if ok != tt.wantOK {
			t.Errorf("Measure(%d) ok = %v, want %v", tt.n, ok, tt.wantOK)
		}
		if !ok && v != 0 {
			t.Errorf("Measure(%d) leaks %v", tt.n, v)
		}
		if ok && v != 42.5 {
			t.Errorf("Measure(%d) = %v, want 42.5", tt.n, v)
		}
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	l, err := c.List([]int{3, 12, 40, 0})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Percent(l.Items[2], l.Total); !ok || p != 100*40.0/55 {
		t.Errorf("Percent(40, 55) = %v, %v", p, ok)
	}
	if p, ok := c.Percent(l.Items[3], l.Total); !ok || p != 0 {
		t.Errorf("Percent(0, 55) = %v, %v", p, ok)
	}
	if p, ok := c.Percent(l.Items[0], l.Total); ok || p != 0 {
		t.Errorf("Percent(hidden 3, 55) = %v, %v, want hidden", p, ok)
	}
	if _, ok := c.Percent(c.Count(0), c.Count(0)); ok {
		t.Error("Percent(0, 0) published")
	}
}

// hiddenCells returns the hiddenness of a table's grid: cells, then the row
// total at the end of each row, then the column totals and grand total.
func hiddenCells(t disclosure.Table) [][]bool {
	var g [][]bool
	for i, row := range t.Cells {
		var r []bool
		for _, c := range row {
			r = append(r, c.Suppressed())
		}
		g = append(g, append(r, t.RowTotals[i].Suppressed()))
	}
	var r []bool
	for _, c := range t.ColTotals {
		r = append(r, c.Suppressed())
	}
	return append(g, append(r, t.Total.Suppressed()))
}

func TestTableSingleSmallCell(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	got, err := c.Table([][]int{
		{3, 20, 30},
		{25, 40, 50},
		{35, 45, 55},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The cheapest cycle through the 3 runs through the smallest counts
	// that close it: 20 in its row, 25 in its column, and 40 where they
	// meet. The totals stay published.
	x, o := true, false
	want := [][]bool{
		{x, x, o, o},
		{x, x, o, o},
		{o, o, o, o},
		{o, o, o, o},
	}
	if diff := cmp.Diff(want, hiddenCells(got)); diff != "" {
		t.Errorf("hidden cells (-want +got):\n%s", diff)
	}
	if v, ok := got.Total.Value(); !ok || v != 303 {
		t.Errorf("Total = %v", got.Total)
	}
}

func TestTableTotalsBelowThreshold(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	got, err := c.Table([][]int{
		{3, 2, 0},
		{40, 50, 60},
		{45, 55, 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got.RowTotals[0].Suppressed() {
		t.Errorf("row total 5 published: %v", got.RowTotals[0])
	}
	if got.Cells[0][2].Suppressed() {
		t.Error("zero cell hidden")
	}
	// Row 0's total is hidden, so its column of totals needs a second
	// hidden cell, and so does each column holding a hidden count.
	h := hiddenCells(got)
	for i := range h {
		if n := countTrue(h[i]); n == 1 {
			t.Errorf("row %d of the grid has one hidden cell: %v", i, h)
		}
	}
	for j := range h[0] {
		var col []bool
		for i := range h {
			col = append(col, h[i][j])
		}
		if n := countTrue(col); n == 1 {
			t.Errorf("column %d of the grid has one hidden cell: %v", j, h)
		}
	}
}

func TestTableAllSmall(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	got, err := c.Table([][]int{{1, 0}, {0, 2}})
	if err != nil {
		t.Fatal(err)
	}
	x, o := true, false
	want := [][]bool{{x, o, x}, {o, x, x}, {x, x, x}}
	if diff := cmp.Diff(want, hiddenCells(got)); diff != "" {
		t.Errorf("hidden cells (-want +got):\n%s", diff)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	for _, tt := range []struct {
		name   string
		counts []int
		want   []bool // items, then total
	}{
		{"nothing small", []int{12, 40, 0}, []bool{false, false, false, false}},
		{"smallest complement", []int{12, 3, 40, 0, 15}, []bool{true, true, false, false, false, false}},
		// 3 and 4 alone would add up to 7, so the 3 could only be 1 to 6.
		{"two small", []int{12, 3, 40, 4}, []bool{true, true, false, true, false}},
		{"total small", []int{3, 0, 0}, []bool{true, false, false, true}},
		{"only one other", []int{3, 0, 50}, []bool{true, false, true, false}},
		{"empty", nil, []bool{false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.List(tt.counts)
			if err != nil {
				t.Fatal(err)
			}
			var h []bool
			for _, it := range got.Items {
				h = append(h, it.Suppressed())
			}
			h = append(h, got.Total.Suppressed())
			if diff := cmp.Diff(tt.want, h); diff != "" {
				t.Errorf("List(%v) hidden (-want +got):\n%s", tt.counts, diff)
			}
		})
	}
}

func TestTableInvalid(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	if _, err := c.Table([][]int{{1, 2}, {3}}); err == nil {
		t.Error("ragged table accepted")
	}
	if _, err := c.Table([][]int{{1, -2}}); err == nil {
		t.Error("negative count accepted")
	}
	if _, err := c.List([]int{-1}); err == nil {
		t.Error("negative count accepted in a list")
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
