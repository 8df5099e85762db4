// Package disclosure is the one disclosure-control step that every figure
// leaving the managers' reports or a signal to government passes through.
// No published figure may identify a young person, so small counts are
// hidden (primary suppression), further cells are hidden so that a hidden
// count cannot be worked back or narrowed down from the totals (secondary
// suppression), and percentages and times computed from few cases are
// hidden too.
//
// A hidden figure carries no value: [Count] keeps it out of reach, so a
// caller cannot publish it by accident.
//
// # How much is hidden
//
// An intruder is taken to know every published figure of a table, that its
// rows and columns add up to their totals, that counts are whole and not
// negative, and that a hidden figure is at least 1, since zeros are always
// published. For every hidden figure, cell or total, the least and the
// greatest value it can take in a table that agrees with all that must lie
// at least threshold-1 apart. It can then take at least threshold values
// (as many as 0 to threshold-1), and as the least is 1 or more, the
// greatest is threshold or more: the published figures never show that a
// hidden figure is small, let alone which small count it is. Two hidden 1s
// whose row total leaves 2 for them fail (both must be 1), and so do a
// hidden 2 and 3 that must add up to 5 (the 2 is 1 to 4). Where a figure
// fails, [Control.Table] hides more, the smallest published cells that let
// it move, and a total only when no cell will, until every hidden figure
// passes.
//
// The bounds are exact, over whole numbers: they are maximum flows through
// the hidden cells. A linear programme over real numbers gives an interval
// that contains the whole-number one, so passing it would prove nothing in
// general; but a table's equations are those of a transportation problem,
// whose matrix is totally unimodular, so the programme's optima are whole
// and the two intervals are the same. The tests check the flows against
// such a programme.
//
// Each table is protected on its own. A figure hidden in one table must not
// be published in another, and the margins of a table (its row and column
// totals) must be taken from [Table], not counted again elsewhere. The
// bounds are those of one table: an intruder who puts together two tables
// that hide the same total may narrow it further.
//
// It imports nothing of the project.
package disclosure

import (
	"fmt"
	"strconv"
)

const (
	// DefaultThreshold is the smallest count published: 1 to 9 are hidden.
	DefaultThreshold = 10
	// MinThreshold is the lowest threshold allowed; below it, counts are too
	// small to hide a person.
	MinThreshold = 5
)

// Control applies disclosure control with one threshold: counts from 1 to
// threshold-1 are hidden. The zero value uses [DefaultThreshold].
type Control struct {
	threshold int
}

// New returns a Control for threshold; 0 means [DefaultThreshold]. A
// threshold below [MinThreshold] is an error, never quietly raised, so a
// misconfiguration shows.
func New(threshold int) (Control, error) {
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	if threshold < MinThreshold {
		return Control{}, fmt.Errorf("disclosure.New: threshold %d is below the minimum %d", threshold, MinThreshold)
	}
	return Control{threshold: threshold}, nil
}

// Threshold reports the smallest non-zero count that is published.
func (c Control) Threshold() int {
	if c.threshold == 0 {
		return DefaultThreshold
	}
	return c.threshold
}

// sensitive reports whether count n must be hidden for its own sake. Zero is
// not: a structural zero names nobody.
func (c Control) sensitive(n int) bool {
	return n > 0 && n < c.Threshold()
}

// Count is a count that is either published or hidden. A hidden Count holds
// no value.
type Count struct {
	n      int
	hidden bool
}

// Value returns the count and true, or 0 and false when it is hidden.
func (c Count) Value() (int, bool) {
	if c.hidden {
		return 0, false
	}
	return c.n, true
}

// Suppressed reports whether the count is hidden.
func (c Count) Suppressed() bool { return c.hidden }

// String returns the count, or "x" when it is hidden. It never shows
// "<10": a hidden complement may well be larger.
func (c Count) String() string {
	if c.hidden {
		return "x"
	}
	return strconv.Itoa(c.n)
}

func published(n int) Count { return Count{n: n} }

var hidden = Count{hidden: true}

// Count applies primary suppression to a count published on its own, with
// no totals beside it. A count that belongs to a breakdown must go through
// [Control.Table] or [Control.List] instead, or the totals give it away.
func (c Control) Count(n int) Count {
	if c.sensitive(n) {
		return hidden
	}
	return published(n)
}

// Measure returns value and true when it summarises at least threshold
// cases, and 0 and false otherwise. Use it for medians, percentiles,
// durations and percentages: a median of three waiting times is one young
// person's waiting time. n is the number of cases the value was computed
// from.
func (c Control) Measure(n int, value float64) (float64, bool) {
	if n < c.Threshold() {
		return 0, false
	}
	return value, true
}

// Percent returns 100*part/whole and true when both counts are published
// and whole is not zero. Take both from the same protected table: a
// percentage of a hidden count would reveal the count.
func (c Control) Percent(part, whole Count) (float64, bool) {
	p, ok := part.Value()
	if !ok {
		return 0, false
	}
	w, ok := whole.Value()
	if !ok || w == 0 {
		return 0, false
	}
	return c.Measure(w, 100*float64(p)/float64(w))
}
