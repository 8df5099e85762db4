package disclosure

// Width is the audit of one hidden cell, for the tests: how far apart the
// least and the greatest values of cell (i, j) of counts bordered by its
// totals can be when the cells marked in hide are hidden, or need if that
// is less. hide has a row and a column more than counts, for the totals.
func Width(counts [][]int, hide [][]bool, i, j, need int) int {
	g, err := newGrid(counts)
	if err != nil {
		panic(err)
	}
	for r, row := range hide {
		for c, h := range row {
			g.hidden[g.at(r, c)] = h
		}
	}
	return g.width(g.at(i, j), need)
}
