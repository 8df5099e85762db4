package disclosure

import (
	"errors"
	"fmt"
	"math"
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
// to threshold-1 and then, for each of them, as few and as small other
// non-zero cells as it can so that the hidden ones cannot be worked back
// from what is published.
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
// Think of the grid as a bipartite graph with a node per line (row or
// column) and an edge per cell. The published cells are constants in those
// equations; a hidden cell can be solved for exactly when its edge lies on
// no cycle of hidden edges. When it does lie on a cycle of hidden non-zero
// cells, every cell on the cycle can move by 1 up or down (each one in the
// direction that keeps its two equations), leaving the published figures
// and non-negativity intact, so the cell can take more than one value.
// suppress therefore closes a cycle through every hidden count, choosing
// the cheapest one.
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

// suppress hides the sensitive cells, then protects each in turn.
func (g *grid) suppress(c Control) error {
	var primary []int
	for k, v := range g.n {
		if c.sensitive(v) {
			g.hidden[k] = true
			primary = append(primary, k)
		}
	}
	for _, k := range primary {
		if err := g.protect(k/g.cols, k%g.cols); err != nil {
			return err
		}
	}
	return nil
}

// errNoCycle cannot happen for a grid of non-negative counts: the non-zero
// cells of such a grid always lie on cycles of non-zero cells (the grid is a
// circulation once the totals are negated).
var errNoCycle = errors.New("no complementary cells found")

// protect makes sure hidden cell (i, j) lies on a cycle of hidden cells. It
// finds the cheapest path from column j back to row i that does not use the
// cell itself, where a hidden cell costs nothing and a published one costs
// its count, and hides that path. Zero cells are never used: an intruder
// knows a count cannot go below zero, so a zero complement protects nothing.
// Row nodes are 0..rows-1, column nodes rows..rows+cols-1.
func (g *grid) protect(i, j int) error {
	nodes := g.rows + g.cols
	const inf = math.MaxInt
	dist := make([]int, nodes)
	prev := make([]int, nodes)
	done := make([]bool, nodes)
	for v := range dist {
		dist[v], prev[v] = inf, -1
	}
	start, target := g.rows+j, i
	dist[start] = 0
	for {
		u := -1
		for v := range nodes {
			if !done[v] && dist[v] < inf && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		if u < 0 {
			return fmt.Errorf("cell (%d, %d): %w", i, j, errNoCycle)
		}
		if u == target {
			break
		}
		done[u] = true
		for v := range nodes {
			if (u < g.rows) == (v < g.rows) || done[v] {
				continue
			}
			k := g.edge(u, v)
			if k == g.at(i, j) || g.n[k] == 0 {
				continue
			}
			d := dist[u]
			if !g.hidden[k] {
				d += g.n[k]
			}
			if d < dist[v] {
				dist[v], prev[v] = d, u
			}
		}
	}
	for v := target; v != start; v = prev[v] {
		g.hidden[g.edge(v, prev[v])] = true
	}
	return nil
}

// edge returns the cell joining a row node and a column node, in either
// order.
func (g *grid) edge(u, v int) int {
	if u >= g.rows {
		u, v = v, u
	}
	return g.at(u, v-g.rows)
}
