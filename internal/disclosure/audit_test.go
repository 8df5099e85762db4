package disclosure_test

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
)

// TestTableBoundsKeepHiddenCellsVague runs tables in which hiding the small
// counts on a cycle of hidden cells was not enough: an intruder who knows
// that a hidden count is at least 1 could bound them to fewer values than
// the threshold hides.
func TestTableBoundsKeepHiddenCellsVague(t *testing.T) {
	t.Parallel()
	x, o := true, false
	for _, tt := range []struct {
		name   string
		counts [][]int
		want   [][]bool // hidden cells of the grid bordered by its totals; nil: only audit
	}{{
		// A region's cases by stage: two stages of 1 each, and the total
		// leaves 2 for them, so both are 1. The smallest other stage must go
		// too, with its row total, which is the same figure.
		name:   "two ones in one column",
		counts: [][]int{{1}, {1}, {30}, {40}},
		want:   [][]bool{{x, x}, {x, x}, {x, x}, {o, o}, {o, o}},
	}, {
		// The same as a row: 1 + 1 = 2.
		name:   "two ones in one row",
		counts: [][]int{{25, 1, 1, 30}},
		want:   [][]bool{{x, x, x, o, o}, {x, x, x, o, o}},
	}, {
		// A cycle of four ones: each can only be 1.
		name:   "cycle of ones",
		counts: [][]int{{1, 1, 20}, {1, 1, 30}, {40, 50, 60}},
	}, {
		// 2 and 3 add up to 5: the 2 is 1 to 4, fewer than 9 values.
		name:   "two small in a column",
		counts: [][]int{{2, 40}, {3, 50}, {60, 70}},
	}, {
		// The four small counts hide one another on a cycle, but moving
		// along it the 4 stays between 1 and 8.
		name:   "cycle of small counts",
		counts: [][]int{{4, 5, 50}, {6, 7, 60}, {70, 80, 90}},
	}, {
		// All small, and the total 10 leaves the 3s between 1 and 8:
		// nothing but the total can widen them.
		name:   "total must go",
		counts: [][]int{{3, 3, 4}},
		want:   [][]bool{{x, x, x, x}, {x, x, x, x}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustNew(t, 10)
			got, err := c.Table(tt.counts)
			if err != nil {
				t.Fatal(err)
			}
			orig := gridOf(tt.counts)
			vals, hidden := publishedGrid(got)
			checkProtected(t, orig, vals, hidden, gridLines(len(orig), len(orig[0])), c.Threshold())
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, hidden); diff != "" {
					t.Errorf("hidden cells (-want +got):\n%s", diff)
				}
			}
			if t.Failed() {
				t.Logf("table with totals %v\npublished %v", orig, vals)
			}
		})
	}
}

func TestListTwoOnes(t *testing.T) {
	t.Parallel()
	var c disclosure.Control
	got, err := c.List([]int{1, 1, 30, 40})
	if err != nil {
		t.Fatal(err)
	}
	var h []bool
	for _, it := range got.Items {
		h = append(h, it.Suppressed())
	}
	h = append(h, got.Total.Suppressed())
	// 1 + 1 + 30 = 32 leaves each 1 anywhere from 1 to 30.
	if diff := cmp.Diff([]bool{true, true, true, false, false}, h); diff != "" {
		t.Errorf("List(1, 1, 30, 40) hidden (-want +got):\n%s", diff)
	}
}

// TestWidthMatchesLinearProgramme compares the package's audit, maximum
// flows through the hidden cells, with the exact linear programmes of the
// tests on random tables with random cells hidden: not only the patterns
// Table chooses.
func TestWidthMatchesLinearProgramme(t *testing.T) {
	t.Parallel()
	n := 1500
	if testing.Short() {
		n = 150
	}
	const need = 1000 // wider than any finite range here
	for iter := range n {
		rng := rand.New(rand.NewPCG(propertySeed+2, uint64(iter)))
		counts := randomCounts(rng, 1+rng.IntN(4), 1+rng.IntN(5), 10)
		orig := gridOf(counts)
		vals := make([][]int, len(orig))
		hide := make([][]bool, len(orig))
		for i := range orig {
			vals[i] = append([]int(nil), orig[i]...)
			hide[i] = make([]bool, len(orig[i]))
			for j, v := range orig[i] {
				if v > 0 && rng.IntN(2) == 0 { // zeros are never hidden
					vals[i][j], hide[i][j] = -1, true
				}
			}
		}
		rs, err := hiddenRanges(vals, hide, gridLines(len(orig), len(orig[0])))
		if err != nil {
			t.Fatalf("iteration %d: hiddenRanges: %v", iter, err)
		}
		for _, r := range rs {
			want := width(r)
			if want < 0 || want > need {
				want = need
			}
			if got := disclosure.Width(counts, hide, r.i, r.j, need); got != want {
				t.Errorf("iteration %d: table with totals %v, hidden %v: cell (%d, %d) width %d, the linear programme says [%v, %v]",
					iter, orig, hide, r.i, r.j, got, r.lo, r.hi)
			}
			if !r.integral {
				t.Errorf("iteration %d: cell (%d, %d) range [%v, %v] is reached at a fractional vertex", iter, r.i, r.j, r.lo, r.hi)
			}
		}
	}
}
