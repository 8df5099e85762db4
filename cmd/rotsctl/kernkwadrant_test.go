package main

import (
	"bytes"
	"strings"
	"testing"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

func TestPrintKernkwadrant(t *testing.T) {
	n := func(v int64) *rotsv1.Figure { return &rotsv1.Figure{Value: &v} }
	x := &rotsv1.Figure{Suppressed: true}
	k := &rotsv1.Kernkwadrant{
		Region: rotsv1.Region_REGION_LIMBURG, FromMonth: "2026-01", ToMonth: "2026-12", Threshold: 10,
		ShortWaitDays: 20, LongWaitDays: 60, MinMetPercent: 50,
		Cells: []*rotsv1.KernkwadrantCell{
			{Theme: "ABSENCE", AgeBand: "TWELVE_AND_OVER", Demand: n(12), Met: n(12), NotMet: n(0), MedianWaitDays: n(8), Gaps: n(0),
				Offers: n(2), OffersUsed: n(1), Verdict: rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_STRENGTH,
				Reasons: []rotsv1.KernkwadrantReason{rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_MET_BY_OFFERS_USED, rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_SHORT_WAIT}},
			{Theme: "LANGUAGE", AgeBand: "UNDER_12", Demand: x, Met: n(0), NotMet: x, MedianWaitDays: x, Gaps: x, Offers: n(0), OffersUsed: n(0),
				Verdict: rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_GAP,
				Reasons: []rotsv1.KernkwadrantReason{rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_NO_OFFER, rotsv1.KernkwadrantReason_KERNKWADRANT_REASON_GAPS_RECORDED}},
			{Theme: "BEHAVIOUR", AgeBand: "UNDER_12", Demand: n(0), Met: n(0), NotMet: n(0), MedianWaitDays: x, Gaps: n(0), Offers: n(0), OffersUsed: n(0),
				Verdict: rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE},
		},
		SchoolLevels: &rotsv1.CountTable{Columns: []string{"LAGER", "SECUNDAIR"}, Rows: []*rotsv1.CountRow{
			{Label: "ABSENCE", Cells: []*rotsv1.Figure{n(0), n(12)}, Total: n(12)},
		}},
	}
	var out bytes.Buffer
	c := &client{out: &out}
	if err := c.printKernkwadrant(k); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	lines := strings.Split(got, "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		return ""
	}
	for prefix, want := range map[string]string{
		"afwezigheid": "afwezigheid/thuiszitten 12 en ouder sterkte 12 12 0 8 0 2 1 vraag beantwoord met gebruikt aanbod; korte wachttijd",
		"taal":        "taal jonger dan 12 hiaat x 0 x x x 0 0 geen aanbod in de sociale kaart; hiaten gemeld aan overlegtafels",
	} {
		if l := find(prefix); l != want {
			t.Errorf("line %q, want %q\n%s", l, want, got)
		}
	}
	if find("gedrag") != "" {
		t.Errorf("a cell without demand or offer is printed:\n%s", got)
	}
	if !strings.HasPrefix(got, "Kernkwadrant Limburg, ") || !strings.Contains(got, "minstens 50%") || !strings.Contains(got, "boven 60 werkdagen") {
		t.Errorf("the heading and the rule:\n%s", got)
	}
}
