package disclosure_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
)

// An intruder sees the published cells and totals of a table and knows that
// counts are whole numbers, that every line adds up to its total and that a
// hidden figure is at least 1, since zeros are published. For a hidden cell,
// the least and the greatest value it can take in any table consistent with
// that are the optima of two linear programmes, and they must lie at least
// threshold-1 apart. The linear programmes range over real numbers, so
// their bounds could be wider than those over whole numbers; the equations
// are those of a transportation problem, whose matrix is totally
// unimodular, so the optima are reached at whole vertices and the bounds
// are the same. The tests check that vertex by vertex.

// gridOf is a table bordered by its totals: the last column holds the row
// totals, the last row the column totals, the corner the grand total.
func gridOf(counts [][]int) [][]int {
	rows, cols := len(counts), len(counts[0])
	g := make([][]int, rows+1)
	for i := range g {
		g[i] = make([]int, cols+1)
	}
	for i, row := range counts {
		for j, v := range row {
			g[i][j] = v
			g[i][cols] += v
			g[rows][j] += v
			g[rows][cols] += v
		}
	}
	return g
}

// publishedGrid reads a protected table back into a grid of values and a grid of
// hidden flags; a hidden value reads as -1.
func publishedGrid(t disclosure.Table) (vals [][]int, hidden [][]bool) {
	add := func(c disclosure.Count) (int, bool) {
		v, ok := c.Value()
		if !ok {
			return -1, true
		}
		return v, false
	}
	for i, row := range t.Cells {
		var vr []int
		var hr []bool
		for _, c := range append(append([]disclosure.Count(nil), row...), t.RowTotals[i]) {
			v, h := add(c)
			vr, hr = append(vr, v), append(hr, h)
		}
		vals, hidden = append(vals, vr), append(hidden, hr)
	}
	var vr []int
	var hr []bool
	for _, c := range append(append([]disclosure.Count(nil), t.ColTotals...), t.Total) {
		v, h := add(c)
		vr, hr = append(vr, v), append(hr, h)
	}
	return append(vals, vr), append(hidden, hr)
}

// line is one equation over grid positions: the sum of coef*cell is zero.
type line []struct{ i, j, coef int }

// gridLines returns the equations of a bordered grid: each row and each
// column adds up to its last cell.
func gridLines(rows, cols int) []line {
	var ls []line
	for i := range rows {
		var l line
		for j := range cols - 1 {
			l = append(l, struct{ i, j, coef int }{i, j, 1})
		}
		ls = append(ls, append(l, struct{ i, j, coef int }{i, cols - 1, -1}))
	}
	for j := range cols {
		var l line
		for i := range rows - 1 {
			l = append(l, struct{ i, j, coef int }{i, j, 1})
		}
		ls = append(ls, append(l, struct{ i, j, coef int }{rows - 1, j, -1}))
	}
	return ls
}

type cellRange struct {
	i, j     int
	lo, hi   *big.Rat // hi nil: unbounded
	integral bool     // both reached at a vertex of whole numbers
}

// hiddenRanges returns, for every hidden cell, the least and the greatest
// value it can take given the published values, the equations and that a
// hidden value is at least 1. The programme runs over y = x - 1 ≥ 0.
func hiddenRanges(vals [][]int, hidden [][]bool, lines []line) ([]cellRange, error) {
	index := map[[2]int]int{}
	var cells [][2]int
	for i := range hidden {
		for j := range hidden[i] {
			if hidden[i][j] {
				index[[2]int{i, j}] = len(cells)
				cells = append(cells, [2]int{i, j})
			}
		}
	}
	if len(cells) == 0 {
		return nil, nil
	}
	var a [][]int64
	var b []int64
	for _, l := range lines {
		row := make([]int64, len(cells))
		var rhs int64
		used := false
		for _, t := range l {
			if k, ok := index[[2]int{t.i, t.j}]; ok {
				row[k] += int64(t.coef)
				rhs -= int64(t.coef)
				used = true
			} else {
				rhs -= int64(t.coef * vals[t.i][t.j])
			}
		}
		if !used {
			if rhs != 0 {
				return nil, fmt.Errorf("published figures do not add up: line %v", l)
			}
			continue
		}
		a, b = append(a, row), append(b, rhs)
	}
	p, err := newPolytope(a, b, len(cells))
	if err != nil {
		return nil, err
	}
	one := big.NewRat(1, 1)
	var rs []cellRange
	for k, c := range cells {
		lo, hi, integral := p.bounds(k)
		lo.Add(lo, one)
		if hi != nil {
			hi.Add(hi, one)
		}
		rs = append(rs, cellRange{i: c[0], j: c[1], lo: lo, hi: hi, integral: integral})
	}
	return rs, nil
}

// randomCounts draws a table in which zeros and small counts are common.
func randomCounts(rng *rand.Rand, rows, cols, threshold int) [][]int {
	counts := make([][]int, rows)
	for i := range counts {
		counts[i] = make([]int, cols)
		for j := range counts[i] {
			switch r := rng.IntN(10); {
			case r < 3:
				counts[i][j] = 0
			case r < 7:
				counts[i][j] = 1 + rng.IntN(threshold-1)
			default:
				counts[i][j] = threshold + rng.IntN(4*threshold)
			}
		}
	}
	return counts
}

const propertySeed = 20240601

// checkProtected asserts that the published grid agrees with the original,
// that every count from 1 to threshold-1 is hidden, that no zero is hidden,
// and that every hidden value can take at least threshold values given what
// is published.
func checkProtected(t *testing.T, orig, vals [][]int, hidden [][]bool, lines []line, threshold int) {
	t.Helper()
	for i := range orig {
		for j, v := range orig[i] {
			switch {
			case v > 0 && v < threshold && !hidden[i][j]:
				t.Errorf("cell (%d, %d) = %d published", i, j, v)
			case hidden[i][j] && v == 0:
				t.Errorf("zero cell (%d, %d) hidden: it protects nothing", i, j)
			case !hidden[i][j] && vals[i][j] != v:
				t.Errorf("cell (%d, %d) published as %d, is %d", i, j, vals[i][j], v)
			case hidden[i][j] && vals[i][j] != -1:
				t.Errorf("hidden cell (%d, %d) carries value %d", i, j, vals[i][j])
			}
		}
	}
	rs, err := hiddenRanges(vals, hidden, lines)
	if err != nil {
		t.Fatalf("hiddenRanges: %v", err)
	}
	for _, r := range rs {
		v := big.NewRat(int64(orig[r.i][r.j]), 1)
		if r.lo.Cmp(v) > 0 || r.hi != nil && r.hi.Cmp(v) < 0 {
			t.Fatalf("cell (%d, %d) = %v outside its range [%v, %v]: the LP is wrong", r.i, r.j, v, r.lo, r.hi)
		}
		if !r.integral {
			t.Errorf("cell (%d, %d) range [%v, %v] is reached at a fractional vertex", r.i, r.j, r.lo, r.hi)
		}
		if w := width(r); w >= 0 && w < threshold-1 {
			t.Errorf("hidden cell (%d, %d) = %d lies in [%v, %v]: narrower than %d apart", r.i, r.j, orig[r.i][r.j], r.lo, r.hi, threshold-1)
		}
	}
}

// width is hi - lo, or -1 when the cell is unbounded above.
func width(r cellRange) int {
	if r.hi == nil {
		return -1
	}
	w := new(big.Rat).Sub(r.hi, r.lo)
	if !w.IsInt() {
		panic(fmt.Sprintf("fractional range [%v, %v]", r.lo, r.hi))
	}
	return int(w.Num().Int64())
}

func TestTableProtectsEveryHiddenCell(t *testing.T) {
	t.Parallel()
	n := 3000
	if testing.Short() {
		n = 300
	}
	for iter := range n {
		rng := rand.New(rand.NewPCG(propertySeed, uint64(iter)))
		threshold := []int{5, 10, 10, 10, 15}[rng.IntN(5)]
		c, err := disclosure.New(threshold)
		if err != nil {
			t.Fatal(err)
		}
		counts := randomCounts(rng, 1+rng.IntN(6), 1+rng.IntN(6), threshold)
		got, err := c.Table(counts)
		if err != nil {
			t.Fatalf("seed %d, iteration %d: Table(%v): %v", propertySeed, iter, counts, err)
		}
		orig := gridOf(counts)
		vals, hidden := publishedGrid(got)
		t.Run("", func(t *testing.T) {
			checkProtected(t, orig, vals, hidden, gridLines(len(orig), len(orig[0])), threshold)
			if t.Failed() {
				t.Logf("seed %d, iteration %d, threshold %d\ntable with totals %v\npublished %v", propertySeed, iter, threshold, orig, vals)
			}
		})
	}
}

func TestListProtectsEveryHiddenItem(t *testing.T) {
	t.Parallel()
	n := 2000
	if testing.Short() {
		n = 200
	}
	for iter := range n {
		rng := rand.New(rand.NewPCG(propertySeed+1, uint64(iter)))
		threshold := []int{5, 10, 15}[rng.IntN(3)]
		c, err := disclosure.New(threshold)
		if err != nil {
			t.Fatal(err)
		}
		counts := randomCounts(rng, 1, 1+rng.IntN(8), threshold)[0]
		got, err := c.List(counts)
		if err != nil {
			t.Fatalf("seed %d, iteration %d: List(%v): %v", propertySeed+1, iter, counts, err)
		}
		// A list is one line: its items add up to its total.
		total := 0
		for _, v := range counts {
			total += v
		}
		orig := [][]int{append(append([]int(nil), counts...), total)}
		var vals []int
		var hidden []bool
		for _, it := range append(append([]disclosure.Count(nil), got.Items...), got.Total) {
			v, ok := it.Value()
			if !ok {
				v = -1
			}
			vals, hidden = append(vals, v), append(hidden, !ok)
		}
		var l line
		for j := range counts {
			l = append(l, struct{ i, j, coef int }{0, j, 1})
		}
		l = append(l, struct{ i, j, coef int }{0, len(counts), -1})
		t.Run("", func(t *testing.T) {
			checkProtected(t, orig, [][]int{vals}, [][]bool{hidden}, []line{l}, threshold)
			if t.Failed() {
				t.Logf("seed %d, iteration %d, threshold %d\nlist and total %v\npublished %v", propertySeed+1, iter, threshold, orig[0], vals)
			}
		})
	}
}

// TestRangesFindDisclosure shows that the check can fail: hiding only the
// small counts, with no complements, gives them away, and the ranges say so.
func TestRangesFindDisclosure(t *testing.T) {
	t.Parallel()
	orig := gridOf([][]int{
		{3, 20, 30},
		{25, 40, 50},
	})
	vals := make([][]int, len(orig))
	hidden := make([][]bool, len(orig))
	for i := range orig {
		vals[i] = append([]int(nil), orig[i]...)
		hidden[i] = make([]bool, len(orig[i]))
	}
	vals[0][0], hidden[0][0] = -1, true // the 3, alone in its row
	vals[0][1], hidden[0][1] = -1, true // a complement in its row only
	rs, err := hiddenRanges(vals, hidden, gridLines(len(orig), len(orig[0])))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		want := big.NewRat(int64(orig[r.i][r.j]), 1)
		if r.hi == nil || r.lo.Cmp(want) != 0 || r.hi.Cmp(want) != 0 {
			t.Errorf("cell (%d, %d) range [%v, %v], want exactly %v", r.i, r.j, r.lo, r.hi, want)
		}
	}

	// With a whole cycle hidden (the 3, the 20, the 25, the 40), each can
	// move by the same amount until one of them is down to 1: the 3
	// anywhere from 1 to 22.
	vals[1][0], hidden[1][0] = -1, true
	vals[1][1], hidden[1][1] = -1, true
	rs, err = hiddenRanges(vals, hidden, gridLines(len(orig), len(orig[0])))
	if err != nil {
		t.Fatal(err)
	}
	if r := rs[0]; r.i != 0 || r.j != 0 || r.hi == nil || r.lo.Cmp(big.NewRat(1, 1)) != 0 || r.hi.Cmp(big.NewRat(22, 1)) != 0 {
		t.Errorf("range of the 3 = [%v, %v], want [1, 22]", r.lo, r.hi)
	}
}
