package practiceservice

import (
	"slices"
	"strings"
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
)

func weeks(n int) *int { return &n }

// The rule on fixed data, each score worked out by hand.
func TestRankOnFixedData(t *testing.T) {
	need := Need{Themes: []string{"ABSENCE", "MENTAL_HEALTH"}, AgeBand: "TWELVE_AND_OVER", SchoolLevel: "SECUNDAIR", Region: "LIMBURG"}
	offers := []*directory.Offer{
		// 2 themes 6 + band 2 + level 2 + no wait 2 = 12
		{ID: "a", Name: "Time-out", Themes: []string{"ABSENCE", "MENTAL_HEALTH"}, AgeBand: "TWELVE_AND_OVER", SchoolLevels: []string{"SECUNDAIR"}, WaitingWeeks: weeks(0)},
		// 1 theme 3 + all ages 1 + every level 1 + 3 weeks 1 = 6
		{ID: "b", Name: "Gezinsbegeleiding", Themes: []string{"ABSENCE", "FAMILY_CONTEXT"}, AgeBand: "ALL", WaitingWeeks: weeks(3)},
		// 1 theme 3 + band 2 + level 2 + 20 weeks -2 = 5
		{ID: "c", Name: "Jeugdhulp ambulant", Themes: []string{"MENTAL_HEALTH"}, AgeBand: "TWELVE_AND_OVER", SchoolLevels: []string{"SECUNDAIR"}, WaitingWeeks: weeks(20)},
		// 1 theme 3 + all ages 1 + every level 1 + unknown wait 0 = 5
		{ID: "d", Name: "Anders leren", Themes: []string{"ABSENCE"}, AgeBand: "ALL"},
		// Not suggested: no shared theme; another age band; only another level.
		{ID: "e", Name: "Taalbad", Themes: []string{"LANGUAGE"}, AgeBand: "ALL"},
		{ID: "f", Name: "Kleuterwerking", Themes: []string{"ABSENCE"}, AgeBand: "UNDER_12"},
		{ID: "g", Name: "Lager op maat", Themes: []string{"ABSENCE"}, AgeBand: "ALL", SchoolLevels: []string{"LAGER"}},
	}
	published := []*practices.Practice{
		// 2 themes 6 + band 2 + level 2 + own region 1 = 11
		{ID: "p1", Title: "Terug naar school", Themes: []string{"ABSENCE", "MENTAL_HEALTH"}, AgeBand: "TWELVE_AND_OVER", SchoolLevel: "SECUNDAIR", Region: "LIMBURG"},
		// 1 theme 3 + band 2 + another level 0 + another region 0 = 5
		{ID: "p2", Title: "Deeltijds leren", Themes: []string{"ABSENCE"}, AgeBand: "TWELVE_AND_OVER", SchoolLevel: "BUITENGEWOON_SECUNDAIR", Region: "ANTWERPEN"},
		// Not suggested: another age band.
		{ID: "p3", Title: "Speelse start", Themes: []string{"ABSENCE"}, AgeBand: "UNDER_12", SchoolLevel: "LAGER", Region: "LIMBURG"},
	}
	got := Rank(need, offers, published)
	var order []string
	var scores []int
	for _, s := range got {
		order = append(order, s.id())
		scores = append(scores, s.Score)
	}
	// Among the fives: the offers first (c waits 20 weeks, d an unknown
	// time, which counts last), then the practice.
	wantOrder := []string{"a", "p1", "b", "c", "d", "p2"}
	wantScores := []int{12, 11, 6, 5, 5, 5}
	if !slices.Equal(order, wantOrder) || !slices.Equal(scores, wantScores) {
		t.Errorf("order %v scores %v, want %v %v", order, scores, wantOrder, wantScores)
	}
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"a", []string{"afwezigheid/thuiszitten, psychisch welzijn", "voor 12 en ouder", "voor secundair onderwijs", "geen wachtlijst"}},
		{"b", []string{"thema afwezigheid/thuiszitten", "voor alle leeftijden", "voor elk onderwijsniveau", "3 weken wachten"}},
		{"c", []string{"lange wachttijd: 20 weken"}},
		{"d", []string{"wachttijd onbekend"}},
		{"p1", []string{"goede praktijk", "ook secundair onderwijs", "uit uw regio"}},
		{"p2", []string{"uit de regio Antwerpen"}},
	} {
		i := slices.Index(order, tc.id)
		for _, w := range tc.want {
			if !strings.Contains(got[i].Reason, w) {
				t.Errorf("reason of %s = %q, want it to say %q", tc.id, got[i].Reason, w)
			}
		}
	}
}

// A case without a known age band or school level is not held against an
// offer; it gains nothing for them either.
func TestRankWithoutAgeOrLevel(t *testing.T) {
	need := Need{Themes: []string{"BEHAVIOUR"}, Region: "LIMBURG"}
	f := &directory.Offer{ID: "x", Name: "Time-out", Themes: []string{"BEHAVIOUR"}, AgeBand: "UNDER_12", SchoolLevels: []string{"LAGER"}}
	s, ok := ScoreOffer(need, f)
	if !ok || s.Score != perTheme {
		t.Errorf("ScoreOffer = %d, %v; want %d, true", s.Score, ok, perTheme)
	}
}
