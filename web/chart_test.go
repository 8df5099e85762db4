package web_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// drawnBar is one row of a chart as the SVG draws it.
type drawnBar struct {
	Label, Text string // the row's label, and the figure written after the bar
	Bar         bool   // a rect is drawn
	Width       float64
	Value       string // the rect's data-waarde
}

// The dashboard's charts draw the API's figures: a bar per shown count
// above 0 with its length in proportion to the count, no bar for a zero
// (labelled 0) and none for a hidden figure (labelled x), in the order and
// with the labels of the table beside the chart.
func TestDashboardChartsDrawTheAPIsFigures(t *testing.T) {
	a := startApp(t)
	setUpManagerCases(t, a)
	// Ten younger pupils in primary school: the age and school-level
	// tables get a second figure above the threshold, so that the bars
	// have two lengths to compare.
	tandem := a.as(t, "Tom Janssens")
	for i := range 10 {
		id := submitPupil(t, a, fmt.Sprintf("Kind %d", i))
		waitForAPIStage(t, a, tandem, id, rotsv1.Stage_STAGE_INTAKE)
	}

	tables := []struct {
		kind rotsv1.ReportTable
		slug string
	}{
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE, "fasen"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND, "leeftijd"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL, "onderwijsniveau"},
		{rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME, "themas"},
		{rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH, "aangemeld-per-maand"},
	}
	var slugs []string
	for _, tb := range tables {
		slugs = append(slugs, strconv.Quote(tb.slug))
	}
	readCharts := fmt.Sprintf(`Object.fromEntries([%s].map(s => [s, [...document.querySelectorAll("#" + s + " svg g.rij")].map(g => {
		const texts = g.querySelectorAll("text"), r = g.querySelector("rect");
		return {Label: texts[0].textContent, Text: texts[texts.length - 1].textContent, Bar: !!r,
			Width: r ? Number(r.getAttribute("width")) : 0, Value: r ? r.dataset.waarde : ""};
	})]))`, strings.Join(slugs, ", "))

	tab := a.signIn(t, "Pieter De Smet")
	manager := a.as(t, "Pieter De Smet")
	from, to := lastYear()
	// The page against the API, asked before and after, so that a
	// workflow's step in between cannot make them differ.
	var (
		dash  *rotsv1.Dashboard
		drawn map[string][]drawnBar
		rows  map[string][][]string
	)
	for attempt := 0; ; attempt++ {
		before, err := reportsAs(a, manager, 0, from, to)
		if err != nil {
			t.Fatal(err)
		}
		a.visit(t, tab, "/dashboard")
		drawn = browser.Eval[map[string][]drawnBar](t, tab, readCharts)
		rows = map[string][][]string{}
		for _, tb := range tables {
			rows[tb.slug] = pageTable(t, tab, tb.slug, "tbody")
		}
		after, err := reportsAs(a, manager, 0, from, to)
		if err != nil {
			t.Fatal(err)
		}
		same := true
		for _, tb := range tables {
			same = same && proto.Equal(countTable(before, tb.kind), countTable(after, tb.kind))
		}
		if same || attempt == 3 {
			dash = after
			break
		}
	}

	var hidden, zero, compared int
	for _, tb := range tables {
		api := countTable(dash, tb.kind)
		if api == nil {
			t.Fatalf("the API gives no table %s", tb.kind)
		}
		if len(api.GetColumns()) != 1 {
			t.Fatalf("%s: a regional manager's table has %d columns, want 1", tb.slug, len(api.GetColumns()))
		}
		bars, shown := drawn[tb.slug], rows[tb.slug]
		if len(bars) != len(api.GetRows()) || len(shown) != len(api.GetRows()) {
			t.Fatalf("%s: %d rows drawn and %d in the table, the API has %d", tb.slug, len(bars), len(shown), len(api.GetRows()))
		}
		// The longest bar is the largest figure shown; the others are in
		// proportion to it.
		var top int64
		topWidth := 0.0
		for i, r := range api.GetRows() {
			if f := r.GetCells()[0]; !f.GetSuppressed() && f.Value != nil && f.GetValue() > top {
				top, topWidth = f.GetValue(), bars[i].Width
			}
		}
		for i, r := range api.GetRows() {
			f, d := r.GetCells()[0], bars[i]
			if d.Label != shown[i][0] {
				t.Errorf("%s row %d: the chart says %q, the table %q", tb.slug, i, d.Label, shown[i][0])
			}
			switch {
			case f.GetSuppressed() || f.Value == nil:
				hidden++
				if d.Bar || d.Text != "x" {
					t.Errorf("%s, %s: hidden by the API, drawn as %+v; want no bar and x", tb.slug, d.Label, d)
				}
			case f.GetValue() == 0:
				zero++
				if d.Bar || d.Text != "0" {
					t.Errorf("%s, %s: 0 in the API, drawn as %+v; want no bar and 0", tb.slug, d.Label, d)
				}
			default:
				v := f.GetValue()
				if !d.Bar || d.Value != strconv.FormatInt(v, 10) || d.Text != d.Value {
					t.Errorf("%s, %s: %d in the API, drawn as %+v", tb.slug, d.Label, v, d)
					continue
				}
				want := max(float64(v)*topWidth/float64(top), 2)
				if math.Abs(d.Width-want) > 1 {
					t.Errorf("%s, %s: %d drawn %.0f wide; the largest, %d, is %.0f wide, so want %.1f", tb.slug, d.Label, v, d.Width, top, topWidth, want)
				}
				if v < top {
					compared++
				}
			}
		}
		// Ordering: a larger figure never has a shorter bar.
		for i := range bars {
			for j := range bars {
				vi, vj := api.GetRows()[i].GetCells()[0].GetValue(), api.GetRows()[j].GetCells()[0].GetValue()
				if bars[i].Bar && bars[j].Bar && vi > vj && bars[i].Width < bars[j].Width {
					t.Errorf("%s: %s (%d) is drawn shorter than %s (%d)", tb.slug, bars[i].Label, vi, bars[j].Label, vj)
				}
			}
		}
		if top > 0 && topWidth < 200 {
			t.Errorf("%s: the longest bar is %.0f wide; it should use the chart's width", tb.slug, topWidth)
		}
	}
	// The set-up gives every kind of cell: hidden (two cases in consult),
	// zeros (months before this one), and bars shorter than the longest.
	if hidden == 0 || zero == 0 || compared == 0 {
		t.Fatalf("the charts have %d hidden figures, %d zeros and %d bars shorter than the longest; the test needs each", hidden, zero, compared)
	}
	b.CheckA11y(t, tab)
}

// submitPupil submits a case of a ten-year-old in primary school through
// the API, as Sofie Peeters, and returns its ID.
func submitPupil(t *testing.T, a *app, alias string) string {
	t.Helper()
	resp, err := a.Cases.SubmitCase(a.as(t, "Sofie Peeters"), &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region_REGION_OOST_VLAANDEREN,
		SubmittingOrganisation: &rotsv1.Organisation{Name: "VCLB Gent", Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: "Sofie Peeters", Email: "sofie.peeters@vclb-gent.be"},
		YoungPerson: &rotsv1.YoungPerson{Alias: alias, BirthYear: 2016, BirthMonth: 2, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER,
			School: "Basisschool De Boomgaard", Municipality: "Gent"},
		Blocked:     "Wil 's ochtends niet meer mee naar school.",
		Tried:       []string{"Gesprekken met de zorgcoördinator"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(resp.GetCase().GetName(), "cases/")
}
