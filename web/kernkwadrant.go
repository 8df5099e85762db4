package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// The kernkwadrant page: ReportService.GetKernkwadrant for a year, for the
// managers and the tandem. A GET form, as the dashboard: a year and a
// region are no personal data.

func (s *Server) kernkwadrantRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /kernkwadrant", s.signedIn(s.kernkwadrant))
	mux.HandleFunc("GET /kernkwadrant/csv", s.signedIn(s.kernkwadrantCSV))
}

// yearsShown is how many years back the year choice goes.
const yearsShown = 6

// kkQuery is the page's year ("2026") and region slug ("" or "vlaanderen":
// the caller's own scope).
type kkQuery struct{ Year, Region string }

func readKKQuery(r *http.Request, now time.Time) kkQuery {
	q := kkQuery{Year: r.Form.Get("jaar"), Region: r.Form.Get("regio")}
	if q.Year == "" {
		q.Year = strconv.Itoa(now.In(calendar.Brussels).Year())
	}
	return q
}

// request asks for the year's twelve months; a year that is not one is
// sent as it is, and the API says what is wrong with from_month.
func (q kkQuery) request() *rotsv1.GetKernkwadrantRequest {
	return &rotsv1.GetKernkwadrantRequest{FromMonth: q.Year + "-01", ToMonth: q.Year + "-12", Region: regionOfSlug(q.Region)}
}

func (q kkQuery) values() string { return urlValues("jaar", q.Year, "regio", q.Region) }

// kkRow is one theme and age band as the page shows it.
type kkRow struct {
	Theme, AgeBand, Verdict, Reasons string
	Class                            string // the verdict's style
	Cells                            []string
}

// kkColumns are the figures of a row, in the order of kkCells.
var kkColumns = []string{"Vraag", "Met gebruikt aanbod", "Zonder gebruikt aanbod", "Mediane wachttijd (werkdagen)",
	"Hiaten", "Aanbod in de sociale kaart", "Gebruikt aanbod"}

func kkCells(c *rotsv1.KernkwadrantCell) []string {
	return []string{figure(c.GetDemand()), figure(c.GetMet()), figure(c.GetNotMet()), figure(c.GetMedianWaitDays()),
		figure(c.GetGaps()), figure(c.GetOffers()), figure(c.GetOffersUsed())}
}

// kkRows are the cells with demand or offer; the rest (nobody asked,
// nothing offered) say nothing and are left out.
func kkRows(k *rotsv1.Kernkwadrant) []kkRow {
	var out []kkRow
	for _, c := range k.GetCells() {
		if c.GetVerdict() == rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE {
			continue
		}
		var reasons []string
		for _, r := range c.GetReasons() {
			reasons = append(reasons, dutch.Enum(r))
		}
		out = append(out, kkRow{
			Theme:   dutch.Stored(rotsv1.Theme(0).Descriptor(), c.GetTheme()),
			AgeBand: dutch.Stored(rotsv1.AgeBand(0).Descriptor(), c.GetAgeBand()),
			Verdict: dutch.Enum(c.GetVerdict()), Reasons: strings.Join(reasons, "; "),
			Class: "oordeel-" + strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(c.GetVerdict().String(), "KERNKWADRANT_VERDICT_"), "_", "-")),
			Cells: kkCells(c),
		})
	}
	return out
}

// kkGrid is the kernkwadrant as a CSV file lays it out: the row label is
// theme and age band, the verdict and its reasons are columns.
func kkGrid(k *rotsv1.Kernkwadrant) grid {
	g := grid{RowHead: "Thema en leeftijd", Cols: append([]string{"Oordeel", "Waarom"}, kkColumns...)}
	for _, r := range kkRows(k) {
		g.Rows = append(g.Rows, gridRow{Label: r.Theme + ", " + r.AgeBand, Cells: append([]string{r.Verdict, r.Reasons}, r.Cells...)})
	}
	return g
}

type kkData struct {
	Year, Region  field
	Flemish       bool // may choose a region
	Shown         bool
	Scope, Period string
	Computed      string
	Rule          string
	Rows          []kkRow
	Columns       []string
	Hidden        bool
	Footnote      string
	CSV           string
	Signal        bool // a manager may put it in a signal
	LevelCols     []string
	Levels        []gridRow
	LevelsHidden  bool
	LevelsCaption string
}

// kernkwadrant shows the kernkwadrant of a year: the rule, then per theme
// and age band the verdict in words with the figures behind it, then the
// demand by school level.
func (s *Server) kernkwadrant(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	s.countUnread(v)
	q := readKKQuery(r, s.now())
	f := &form{Values: url.Values{"from_month": {q.Year}, "region": {q.Region}}, Errors: map[string]string{}}
	d := kkData{Flemish: v.who.Region == "", Columns: kkColumns, Signal: v.who.Role == "manager"}
	p := page{Title: "Kernkwadrant", Nav: "kernkwadrant", Form: f}
	resp, err := s.reports.GetKernkwadrant(v.ctx, q.request())
	code := http.StatusOK
	switch problem, msg := classify(err, f); problem {
	case problemNone:
		k := resp.GetKernkwadrant()
		d.Shown, d.Scope, d.Rows = true, scopeName(k.GetRegion()), kkRows(k)
		d.Period = dutch.Month(k.GetFromMonth()) + " tot en met " + dutch.Month(k.GetToMonth())
		d.Computed = onTime(k.GetComputeTime(), dutch.DateTime)
		d.Rule = fmt.Sprintf("Een sterkte: minstens %d%% van de vraag kreeg aanbod uit de sociale kaart dat een overlegtafel gebruikte, "+
			"en de helft van de jongeren had binnen %d werkdagen na de aanmelding een passend aanbod, zonder hiaten. "+
			"Een hiaat: er is vraag maar geen actief aanbod, of overlegtafels meldden een hiaat, of de mediane wachttijd is meer dan %d werkdagen. "+
			"Een blinde vlek: aanbod in de sociale kaart waar in de periode niemand om vroeg. "+
			"Gemengd: vraag en aanbod, maar geen sterkte en geen hiaat. Is een cijfer verborgen dat het oordeel nodig heeft, dan geven we geen oordeel.",
			k.GetMinMetPercent(), k.GetShortWaitDays(), k.GetLongWaitDays())
		d.Footnote = footnote(k.GetThreshold(), true)
		d.CSV = "/kernkwadrant/csv?" + urlValues("jaar", strings.TrimSuffix(k.GetFromMonth(), "-01"), "regio", scopeSlug(k.GetRegion()))
		for _, row := range d.Rows {
			for _, c := range row.Cells {
				d.Hidden = d.Hidden || c == "x"
			}
		}
		lv := k.GetSchoolLevels()
		for _, c := range lv.GetColumns() {
			d.LevelCols = append(d.LevelCols, dutch.Stored(rotsv1.SchoolLevel(0).Descriptor(), c))
		}
		for _, row := range lv.GetRows() {
			gr := gridRow{Label: dutch.Stored(rotsv1.Theme(0).Descriptor(), row.GetLabel())}
			for _, c := range row.GetCells() {
				gr.Cells = append(gr.Cells, figure(c))
			}
			gr.Cells = append(gr.Cells, figure(row.GetTotal()))
			for _, c := range gr.Cells {
				d.LevelsHidden = d.LevelsHidden || c == "x"
			}
			d.Levels = append(d.Levels, gr)
		}
		d.LevelsCaption = "Vraag per thema en onderwijsniveau, " + d.Scope + ", " + d.Period
		p.Title = "Kernkwadrant " + d.Scope
	case problemFields:
		p.Title, p.Alert, code = "Fout: Kernkwadrant", msg, http.StatusBadRequest
	case problemForbidden:
		p.Alert, code = "U mag deze cijfers niet bekijken. Een manager of tandem ziet het kernkwadrant van de eigen regio; "+
			"heel Vlaanderen en de andere regio's ziet de Vlaamse manager.", http.StatusForbidden
	default:
		if s.answerProblem(w, r, v, problem) {
			return
		}
		p.Alert, code = msg, http.StatusBadRequest
	}
	d.Year = getField(f, "from_month", "jaar", yearChoices(s.now(), q.Year), "label:Jaar")
	d.Region = getField(f, "region", "regio", regionChoices(q.Region, "Heel Vlaanderen"))
	p.Data = d
	s.render(w, r, v, code, "kernkwadrant", p)
}

// yearChoices are this year and the years before it.
func yearChoices(now time.Time, selected string) []choice {
	this := now.In(calendar.Brussels).Year()
	var out []choice
	for y := this; y > this-yearsShown; y-- {
		s := strconv.Itoa(y)
		out = append(out, choice{Value: s, Label: s, Checked: s == selected})
	}
	return out
}

// kernkwadrantCSV is the kernkwadrant as a CSV file, asked of the API
// again, named after its scope and year.
func (s *Server) kernkwadrantCSV(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	q := readKKQuery(r, s.now())
	resp, err := s.reports.GetKernkwadrant(v.ctx, q.request())
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			http.Redirect(w, r, "/kernkwadrant?"+q.values(), http.StatusSeeOther)
		}
		return
	}
	k := resp.GetKernkwadrant()
	name := fmt.Sprintf("rots-kernkwadrant-%s-%s.csv", scopeSlug(k.GetRegion()), strings.TrimSuffix(k.GetFromMonth(), "-01"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(writeCSV(kkGrid(k)))
}
