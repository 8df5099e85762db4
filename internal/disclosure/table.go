package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Table is a protected two-way table of counts with its totals.
type Table struct {
	Cells     [][]Count // Cells[i][j]: row i, column j
	RowTotals []Count   // RowTotals[i]: sum of row i
	ColTotals []Count   // ColTotals[j]: sum of column j
	Total     Count     // sum of all cells
}

// List is a protected list of counts (one per category) with its total.
type List struct {
	Items []Count
	Total Count
}

// Table protects a two-way table of counts: every row must have the same
// length and no count may be negative. It hides the cells and totals from 1
// to threshold-1 and then further non-zero cells, small ones first and
// totals last, until no hidden figure can be bounded to fewer than
// threshold values from what is published (see the package documentation).
func (c Control) Table(counts [][]int) (Table, error) {
	g, err := newGrid(counts)
	if err != nil {
		return Table{}, fmt.Errorf("disclosure.Table: %w", err)
	}
	if err := g.suppress(c); err != nil {
		return Table{}, fmt.Errorf("disclosure.Table: %w", err)
	}
	rows, cols := g.rows-1, g.cols-1
	t := Table{
		Cells:     make([][]Count, rows),
		RowTotals: make([]Count, rows),
		ColTotals: make([]Count, cols),
		Total:     g.count(rows, cols),
	}
	for i := range rows {
		t.Cells[i] = make([]Count, cols)
		for j := range cols {
			t.Cells[i][j] = g.count(i, j)
		}
		t.RowTotals[i] = g.count(i, cols)
	}
	for j := range cols {
		t.ColTotals[j] = g.count(rows, j)
	}
	return t, nil
}

// List protects a list of counts with its total: a table of one row.
func (c Control) List(counts []int) (List, error) {
	t, err := c.Table([][]int{counts})
	if err != nil {
		return List{}, fmt.Errorf("disclosure.List: %w", err)
	}
	return List{Items: t.Cells[0], Total: t.Total}, nil
}

// grid is a table bordered by its totals: the last column holds the row
// totals, the last row the column totals and the corner the grand total.
// Each line of the grid is an equation: its cells add up to its last one.
//
// Think of the grid as a directed graph with a node per line (row or
// column) and an arc per cell: an ordinary cell runs from its row to its
// column, a row or column total the other way, and the grand total from the
// row of column totals to the column of row totals. Every node then has as
// much coming in as going out: the table is a circulation. Another table
// with the same published figures differs from it by a circulation on the
// hidden cells, so how far a hidden cell can rise is a maximum flow from
// its arc's head back to its tail through the other hidden cells (each can
// rise without limit and fall to 1), and how far it can fall is one the
// other way, up to its value minus 1: see width. Maximum flows are whole
// numbers, as the optima of the linear programme are.
type grid struct {
	rows, cols int // including the totals
	n          []int
	hidden     []bool
}

func newGrid(counts [][]int) (*grid, error) {
	rows, cols := len(counts), 0
	if rows > 0 {
		cols = len(counts[0])
	}
	g := &grid{rows: rows + 1, cols: cols + 1}
	g.n = make([]int, g.rows*g.cols)
	g.hidden = make([]bool, g.rows*g.cols)
	for i, row := range counts {
		if len(row) != cols {
			return nil, fmt.Errorf("row %d has %d cells, row 0 has %d", i, len(row), cols)
		}
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("negative count %d in row %d, column %d", v, i, j)
			}
			g.n[g.at(i, j)] = v
			g.n[g.at(i, cols)] += v
			g.n[g.at(rows, j)] += v
			g.n[g.at(rows, cols)] += v
		}
	}
	return g, nil
}

func (g *grid) at(i, j int) int { return i*g.cols + j }

func (g *grid) count(i, j int) Count {
	k := g.at(i, j)
	if g.hidden[k] {
		return hidden
	}
	return published(g.n[k])
}

// suppress hides the sensitive cells, then hides more until every hidden
// cell passes the audit. Hiding a cell only widens the ranges of the
// others, so a cell that passed stays passed; the passes repeat because a
// cell hidden for one may come before it in the grid.
func (g *grid) suppress(c Control) error {
	for k, v := range g.n {
		if c.sensitive(v) {
			g.hidden[k] = true
		}
	}
	need := c.Threshold() - 1
	for changed := true; changed; {
		changed = false
		for k := range g.n {
			if !g.hidden[k] || g.width(k, need) >= need {
				continue
			}
			if err := g.widen(k, need); err != nil {
				return fmt.Errorf("cell (%d, %d): %w", k/g.cols, k%g.cols, err)
			}
			changed = true
		}
	}
	return nil
}

// errNoPath cannot happen for a grid of non-negative counts: in a
// circulation every cell that is not zero lies on a cycle of such cells
// that all run forwards, along which it can always rise once they are
// hidden.
var errNoPath = errors.New("no complementary cells found")

// tail and head are the nodes a cell's arc runs from and to. Row nodes are
// 0..rows-1, column nodes rows..rows+cols-1.
func (g *grid) tail(k int) int {
	if g.forward(k) {
		return k / g.cols
	}
	return g.rows + k%g.cols
}

func (g *grid) head(k int) int {
	if g.forward(k) {
		return g.rows + k%g.cols
	}
	return k / g.cols
}

// forward reports whether cell k runs from its row to its column: an
// ordinary cell and the grand total do, the other totals run backwards.
func (g *grid) forward(k int) bool {
	i, j := k/g.cols, k%g.cols
	return (i < g.rows-1) == (j < g.cols-1)
}

// total reports whether cell k is a row, column or grand total.
func (g *grid) total(k int) bool {
	return k/g.cols == g.rows-1 || k%g.cols == g.cols-1
}

// edge returns the cell joining a row node and a column node, in either
// order.
func (g *grid) edge(u, v int) int {
	if u >= g.rows {
		u, v = v, u
	}
	return g.at(u, v-g.rows)
}

// width returns how far apart the least and the greatest values of hidden
// cell k are over all tables of non-negative whole counts that show the
// same published figures and hide the same cells, each hidden one at least
// 1 (a zero is always published); or need, if that is less.
func (g *grid) width(k, need int) int {
	w, _ := g.audit(k, need)
	return w
}

// audit returns width(k, need) and the shift that raises k as far as it
// goes, up to what the width lacks.
func (g *grid) audit(k, need int) (int, *shift) {
	down := g.shift(k).push(g.tail(k), g.head(k), min(need, g.n[k]-1))
	up := g.shift(k)
	return down + up.push(g.head(k), g.tail(k), need-down), up
}

// widen hides published cells until hidden cell k is wide enough. Each
// round, k has risen as far as it can; it hides the cheapest chain of
// published cells along which k could rise further, which widens k by at
// least 1.
func (g *grid) widen(k, need int) error {
	for {
		w, s := g.audit(k, need)
		if w >= need {
			return nil
		}
		path := s.path(g.head(k), g.tail(k), true)
		if path == nil {
			return errNoPath
		}
		for i := 1; i < len(path); i++ {
			g.hidden[g.edge(path[i-1], path[i])] = true
		}
	}
}

// unlimited is the room of a hidden cell to rise: nothing published caps
// it on its own.
const unlimited = math.MaxInt / 2

// shift is a change to the hidden cells of a grid other than one, skip,
// that keeps all lines adding up: a flow through the hidden cells.
type shift struct {
	g    *grid
	skip int
	d    []int // the change of each cell
}

func (g *grid) shift(skip int) *shift {
	return &shift{g: g, skip: skip, d: make([]int, len(g.n))}
}

// room is how much more can flow from node u to node v: through a hidden
// cell other than skip, without limit along its arc and, against it, until
// the cell is down to 1.
func (s *shift) room(u, v int) int {
	k := s.g.edge(u, v)
	switch {
	case k == s.skip || !s.g.hidden[k]:
		return 0
	case s.g.tail(k) == u:
		return unlimited
	}
	return s.g.n[k] + s.d[k] - 1
}

// push sends as much as it can, up to limit, from node src to node dst
// along paths with room, and returns how much it sent.
func (s *shift) push(src, dst, limit int) int {
	sent := 0
	for sent < limit {
		path := s.path(src, dst, false)
		if path == nil {
			break
		}
		amount := limit - sent
		for i := 1; i < len(path); i++ {
			amount = min(amount, s.room(path[i-1], path[i]))
		}
		for i := 1; i < len(path); i++ {
			if k := s.g.edge(path[i-1], path[i]); s.g.tail(k) == path[i-1] {
				s.d[k] += amount
			} else {
				s.d[k] -= amount
			}
		}
		sent += amount
	}
	return sent
}

// path returns the nodes of the cheapest path from src to dst, or nil. A
// step with room costs nothing. With publish set, a step may also go
// through a published cell other than skip, as if it were hidden, either
// way: it is at least the threshold, so it can fall as well as rise. Never
// a zero, which protects nothing. Such a step costs the cell's count, and a
// total costs more than any path without one: totals are the figures other
// tables show too.
func (s *shift) path(src, dst int, publish bool) []int {
	g := s.g
	nodes := g.rows + g.cols
	const inf = math.MaxInt
	perTotal := nodes*g.n[len(g.n)-1] + 1 // more than the counts on any path
	dist := make([]int, nodes)
	prev := make([]int, nodes)
	done := make([]bool, nodes)
	for v := range dist {
		dist[v], prev[v] = inf, -1
	}
	dist[src] = 0
	for {
		u := -1
		for v := range nodes {
			if !done[v] && dist[v] < inf && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		if u < 0 {
			return nil
		}
		if u == dst {
			break
		}
		done[u] = true
		for v := range nodes {
			if (u < g.rows) == (v < g.rows) || done[v] {
				continue
			}
			d := dist[u]
			if k := g.edge(u, v); s.room(u, v) == 0 {
				if !publish || k == s.skip || g.hidden[k] || g.n[k] == 0 {
					continue
				}
				d += g.n[k]
				if g.total(k) {
					d += perTotal
				}
			}
			if d < dist[v] {
				dist[v], prev[v] = d, u
			}
		}
	}
	var path []int
	for v := dst; v != -1; v = prev[v] {
		path = append(path, v)
	}
	slices.Reverse(path)
	return path
}
