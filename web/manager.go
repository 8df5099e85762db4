package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The manager's pages: the dashboard of ReportService, and the region's
// cases as the API shows them to a manager, without personal data. Both
// are GET forms: a period, a region, a stage are no personal data, and an
// address that says them can be bookmarked and sent to a colleague.

func (s *Server) managerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard", s.signedIn(s.dashboard))
	mux.HandleFunc("GET /dashboard/csv", s.signedIn(s.dashboardCSV))
	mux.HandleFunc("GET /overzicht", s.signedIn(s.overview))
}

// dashQuery is the dashboard's scope and period as the form sends them:
// months "2026-01", a region's slug or "vlaanderen".
type dashQuery struct{ From, To, Region string }

// readDashQuery reads the form; without a period it is the last twelve
// months, this one included.
func readDashQuery(r *http.Request, now time.Time) dashQuery {
	q := dashQuery{From: r.Form.Get("van"), To: r.Form.Get("tot"), Region: r.Form.Get("regio")}
	if !r.Form.Has("van") && !r.Form.Has("tot") {
		to := now.In(calendar.Brussels)
		q.To = to.Format("2006-01")
		q.From = time.Date(to.Year(), to.Month()-11, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	return q
}

func (q dashQuery) request() *rotsv1.GetDashboardRequest {
	return &rotsv1.GetDashboardRequest{FromMonth: q.From, ToMonth: q.To, Region: regionOfSlug(q.Region)}
}

func (q dashQuery) values() string { return urlValues("van", q.From, "tot", q.To, "regio", q.Region) }

// regionOfSlug is the region of a slug; "" and "vlaanderen" are none (the
// API reads that as the caller's own scope), an unknown slug a value the
// API refuses with the field.
func regionOfSlug(slug string) rotsv1.Region {
	if slug == "" || slug == vocab.Flanders {
		return rotsv1.Region_REGION_UNSPECIFIED
	}
	if stored := vocab.RegionFromSlug(slug); stored != "" {
		return vocab.FromStored[rotsv1.Region](stored)
	}
	return -1
}

// scopeSlug is a dashboard's scope for a file name: "oost-vlaanderen", or
// "vlaanderen" for all of Flanders.
func scopeSlug(r rotsv1.Region) string {
	if r == rotsv1.Region_REGION_UNSPECIFIED {
		return vocab.Flanders
	}
	return vocab.RegionSlug(vocab.Stored(r))
}

func scopeName(r rotsv1.Region) string {
	if r == rotsv1.Region_REGION_UNSPECIFIED {
		return "Vlaanderen"
	}
	return dutch.Enum(r)
}

// regionChoices are the scopes to choose from; selected is a slug.
func regionChoices(selected, all string) []choice {
	out := []choice{{Value: vocab.Flanders, Label: all, Checked: selected == "" || selected == vocab.Flanders}}
	for _, r := range vocab.Regions {
		slug := vocab.RegionSlug(r)
		out = append(out, choice{Value: slug, Label: vocab.RegionName(r), Checked: selected == slug})
	}
	return out
}

// countTable is how the page shows one of the API's count tables.
type countTable struct {
	Slug, Title, Note, RowHead string
	Now                        bool // counts as of now, whatever the period
	rows                       protoreflect.EnumDescriptor
}

// countTables are the API's tables in its order, by the slug of their
// CSV file.
var countTables = map[rotsv1.ReportTable]countTable{
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE: {"fasen", "Dossiers per fase",
		"De dossiers aangemeld in de periode, in de fase waarin ze nu zijn.", "Fase", false, rotsv1.Stage(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_AGE_BAND: {"leeftijd", "Dossiers per leeftijd",
		"De dossiers aangemeld in de periode, naar de leeftijd van de jongere bij de aanmelding.", "Leeftijd", false, rotsv1.AgeBand(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_SCHOOL_LEVEL: {"onderwijsniveau", "Dossiers per onderwijsniveau",
		"De dossiers aangemeld in de periode, naar het onderwijsniveau van de jongere.", "Onderwijsniveau", false, rotsv1.SchoolLevel(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME: {"themas", "Dossiers per thema",
		"De dossiers aangemeld in de periode, per thema. Een dossier telt bij elk van zijn thema's: de totalen tellen vermeldingen en zijn groter dan het aantal dossiers.",
		"Thema", false, rotsv1.Theme(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_ORGANISATION_KIND: {"aanmelders", "Dossiers per soort aanmelder",
		"De dossiers aangemeld in de periode, naar de soort organisatie die ze aanmeldde.", "Soort aanmelder", false, rotsv1.OrganisationKind(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_CASES_BY_CLOSURE_REASON: {"redenen", "Afgesloten dossiers per reden",
		"De dossiers aangemeld in de periode die intussen afgesloten zijn, per reden van afsluiten.", "Reden", false, rotsv1.ClosureReason(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH: {"aangemeld-per-maand", "Aanmeldingen per maand",
		"De dossiers aangemeld in elke maand van de periode.", "Maand", false, nil},
	rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH: {"afgesloten-per-maand", "Afgesloten dossiers per maand",
		"De dossiers afgesloten in elke maand van de periode, wanneer ze ook aangemeld zijn.", "Maand", false, nil},
	rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS: {"escalaties", "Lopende escalaties",
		"Nu, los van de gekozen periode: de open dossiers op elke trede van de escalatieladder. Trede 4 is een doorbraak.", "Trede", true, nil},
	rotsv1.ReportTable_REPORT_TABLE_OVERDUE_AGREEMENTS: {"afspraken", "Afspraken over hun termijn",
		"Nu, los van de gekozen periode: de afspraken van open dossiers die hun uiterste datum voorbij zijn en niet uitgevoerd, per stand.", "Stand", true, rotsv1.AgreementStatus(0).Descriptor()},
	rotsv1.ReportTable_REPORT_TABLE_GAPS: {"hiaten", "Hiaten in het aanbod",
		"De hiaten in het regionale aanbod vastgelegd in de periode, per thema en leeftijd.", "Thema", false, rotsv1.Theme(0).Descriptor()},
}

const durationsSlug = "doorlooptijden"

func knownTable(slug string) bool {
	if slug == durationsSlug {
		return true
	}
	for _, t := range countTables {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

// grid is a table as the page and the CSV file show it: every figure a
// number or "x", every label in Dutch.
type grid struct {
	Slug, Title, Note, Caption, RowHead string
	// Groups are column groups, each over all of Cols (the times per
	// region); nil for a table of one level.
	Groups   []string
	Cols     []string
	Rows     []gridRow
	Foot     *gridRow // the column totals
	Hidden   bool     // a figure is hidden: the footnote says why
	Footnote string
	Wide     bool // may need scrolling on a small screen
	Chart    template.HTML
	CSV      string
}

type gridRow struct {
	Label string
	Cells []string
}

func (g grid) groupNames() []string {
	if len(g.Groups) == 0 {
		return []string{""}
	}
	return g.Groups
}

// figure says a figure: its number, or "x" when it is hidden.
func figure(f *rotsv1.Figure) string {
	if f.GetSuppressed() || f.Value == nil {
		return "x"
	}
	return strconv.FormatInt(f.GetValue(), 10)
}

func figureBar(label string, f *rotsv1.Figure) bar {
	return bar{Label: label, Value: f.GetValue(), Hidden: f.GetSuppressed() || f.Value == nil}
}

// rowLabel says a row of a count table in Dutch.
func (t countTable) rowLabel(kind rotsv1.ReportTable, s string) string {
	switch {
	case s == "UNKNOWN":
		return "onbekend"
	case kind == rotsv1.ReportTable_REPORT_TABLE_SUBMITTED_BY_MONTH || kind == rotsv1.ReportTable_REPORT_TABLE_CLOSED_BY_MONTH:
		return dutch.Month(s)
	case kind == rotsv1.ReportTable_REPORT_TABLE_OPEN_ESCALATIONS:
		if n, err := strconv.Atoi(s); err == nil {
			return dutch.Rung(n)
		}
	case t.rows != nil:
		return dutch.Stored(t.rows, s)
	}
	return s
}

// columnLabel says a column in Dutch: a region, or an age band (gaps).
func columnLabel(kind rotsv1.ReportTable, s string) string {
	if kind == rotsv1.ReportTable_REPORT_TABLE_GAPS {
		return dutch.Stored(rotsv1.AgeBand(0).Descriptor(), s)
	}
	return dutch.Stored(rotsv1.Region(0).Descriptor(), s)
}

// footnote says why figures are hidden, with the dashboard's threshold.
func footnote(threshold int32, times bool) string {
	s := fmt.Sprintf("x: verborgen. Aantallen van 1 tot en met %d tonen we niet, zodat niemand een jongere kan herkennen. "+
		"Soms zijn ook andere cellen verborgen, zodat een verborgen aantal niet uit de andere cijfers en de totalen terug te rekenen is (secundaire onderdrukking).",
		threshold-1)
	if times {
		s += fmt.Sprintf(" Een mediaan of percentiel over minder dan %d verblijven is ook verborgen.", threshold)
	}
	return s
}

// dashboardGrids lays out every table of a dashboard, count tables first
// in the API's order, then the times; CSV links keep the scope and period.
func dashboardGrids(d *rotsv1.Dashboard) []grid {
	scope := scopeName(d.GetRegion())
	period := dutch.Month(d.GetFromMonth()) + " tot en met " + dutch.Month(d.GetToMonth())
	csvLink := func(slug string) string {
		return "/dashboard/csv?" + urlValues("tabel", slug, "van", d.GetFromMonth(), "tot", d.GetToMonth(), "regio", scopeSlug(d.GetRegion()))
	}
	var out []grid
	for _, t := range d.GetTables() {
		info, ok := countTables[t.GetTable()]
		if !ok {
			continue
		}
		when := period
		if info.Now {
			when = "nu"
		}
		g := grid{Slug: info.Slug, Title: info.Title, Note: info.Note, RowHead: info.RowHead, Caption: info.Title + ", " + scope + ", " + when,
			Footnote: footnote(d.GetThreshold(), false), CSV: csvLink(info.Slug)}
		// One column needs no totals beside it: the column is the total.
		single := len(t.GetColumns()) == 1
		if single {
			g.Cols = []string{"Aantal"}
		} else {
			for _, c := range t.GetColumns() {
				g.Cols = append(g.Cols, columnLabel(t.GetTable(), c))
			}
			g.Cols = append(g.Cols, "Totaal")
			g.Wide = len(g.Cols) > 3
		}
		var bars []bar
		line := func(label string, cells []*rotsv1.Figure, total *rotsv1.Figure) gridRow {
			r := gridRow{Label: label}
			for _, f := range cells {
				r.Cells = append(r.Cells, figure(f))
			}
			if !single {
				r.Cells = append(r.Cells, figure(total))
			}
			for _, c := range r.Cells {
				g.Hidden = g.Hidden || c == "x"
			}
			return r
		}
		for _, row := range t.GetRows() {
			label := info.rowLabel(t.GetTable(), row.GetLabel())
			g.Rows = append(g.Rows, line(label, row.GetCells(), row.GetTotal()))
			if single && len(row.GetCells()) == 1 {
				bars = append(bars, figureBar(label, row.GetCells()[0]))
			} else {
				bars = append(bars, figureBar(label, row.GetTotal()))
			}
		}
		foot := line("Totaal", t.GetColumnTotals(), t.GetTotal())
		g.Foot = &foot
		g.Chart = barChart(fmt.Sprintf("Staafdiagram: %s, %s, %s. De aantallen staan in de tabel ernaast.", strings.ToLower(info.Title[:1])+info.Title[1:], scope, when), bars)
		out = append(out, g)
	}
	return append(out, durationGrid(d, scope, period, csvLink(durationsSlug)))
}

// durationGrid is the table of times: per measure, how many stays were
// measured, their median and their 90th percentile, per region and for
// the whole scope.
func durationGrid(d *rotsv1.Dashboard, scope, period, csv string) grid {
	t := d.GetDurations()
	g := grid{Slug: durationsSlug, Title: "Doorlooptijden", RowHead: "Fase",
		Note: "Hoelang dossiers aangemeld in de periode in elke fase bleven, en hoelang het duurde van de aanmelding tot het eerste passende aanbod " +
			"(het advies van het consult of de uitkomst van de overlegtafel), in werkdagen. Een fase die een dossier twee keer doorliep, telt twee keer.",
		Caption:  "Doorlooptijden in werkdagen, " + scope + ", " + period,
		Cols:     []string{"Gemeten", "Mediaan", "90e percentiel"},
		Footnote: footnote(d.GetThreshold(), true), CSV: csv}
	single := len(t.GetColumns()) == 1
	if !single {
		for _, c := range t.GetColumns() {
			g.Groups = append(g.Groups, columnLabel(0, c))
		}
		g.Groups = append(g.Groups, "Vlaanderen")
		g.Wide = true
	}
	for _, row := range t.GetRows() {
		label := "tot een passend aanbod"
		if row.GetLabel() != "OFFER" {
			label = dutch.Stored(rotsv1.Stage(0).Descriptor(), row.GetLabel())
		}
		r := gridRow{Label: label}
		cells := row.GetCells()
		if !single {
			cells = append(cells, row.GetTotal())
		}
		for _, c := range cells {
			r.Cells = append(r.Cells, figure(c.GetCount()), figure(c.GetMedianDays()), figure(c.GetP90Days()))
		}
		for _, c := range r.Cells {
			g.Hidden = g.Hidden || c == "x"
		}
		g.Rows = append(g.Rows, r)
	}
	return g
}

type dashData struct {
	From, To, Region field
	Flemish          bool // may choose a region
	Shown            bool // the figures came
	Scope            string
	Period           string
	Computed         string
	Tables           []grid
}

// getField is a field of a GET form: param in the address, labelled and
// placed as the API's field path, so that a violation lands next to it.
func getField(f *form, path, param string, choices []choice, opts ...string) field {
	fl := makeField(f, path, opts...)
	fl.Name, fl.Choices = param, choices
	return fl
}

// dashboard shows the figures of a scope and period, each count table as
// a chart with its table beside it. Who may see which scope is the API's
// business; the region choice is offered to a manager for all of Flanders
// only because a regional one would be refused any other.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	s.countUnread(v)
	q := readDashQuery(r, s.now())
	f := &form{Values: url.Values{"from_month": {q.From}, "to_month": {q.To}, "region": {q.Region}}, Errors: map[string]string{}}
	d := dashData{Flemish: v.who.Region == ""}
	p := page{Title: "Dashboard", Nav: "dashboard", Form: f}
	resp, err := s.reports.GetDashboard(v.ctx, q.request())
	code := http.StatusOK
	switch problem, msg := classify(err, f); problem {
	case problemNone:
		dash := resp.GetDashboard()
		d.Shown, d.Scope, d.Tables = true, scopeName(dash.GetRegion()), dashboardGrids(dash)
		d.Period = dutch.Month(dash.GetFromMonth()) + " tot en met " + dutch.Month(dash.GetToMonth())
		d.Computed = onTime(dash.GetComputeTime(), dutch.DateTime)
		p.Title = "Dashboard " + d.Scope
	case problemFields:
		p.Title, p.Alert, code = "Fout: Dashboard", msg, http.StatusBadRequest
	case problemForbidden:
		p.Alert, code = "U mag deze cijfers niet bekijken. Een regionale manager ziet de cijfers van de eigen regio; "+
			"heel Vlaanderen en de andere regio's ziet de Vlaamse manager.", http.StatusForbidden
	default:
		if s.answerProblem(w, r, v, problem) {
			return
		}
		p.Alert, code = msg, http.StatusBadRequest
	}
	d.From = getField(f, "from_month", "van", nil, "required", "type:month", "help:Jaar en maand, bijvoorbeeld 2026-01.")
	d.To = getField(f, "to_month", "tot", nil, "required", "type:month", "help:Deze maand telt mee.")
	d.Region = getField(f, "region", "regio", regionChoices(q.Region, "Heel Vlaanderen"))
	p.Data = d
	s.render(w, r, v, code, "dashboard", p)
}

type overviewData struct {
	Stage, Rung, Region, Reference field
	Overdue, Flemish               bool
	Searching                      bool // a reference was asked for
	Scope                          string
	Rows                           []overviewRow
	Next, First                    string // links to the next and the first page
}

type overviewRow struct {
	caseRow
	Region, Escalation, Submitted, SubmittedISO string
}

// overview is the region's cases as the API gives them to a manager, in
// the werkbak's order. There is no search box: the API refuses a manager
// the alias search; a reference is looked up with the list's own filter,
// among the closed cases too.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	s.countUnread(v)
	stage, rung, region := r.Form.Get("fase"), r.Form.Get("trede"), r.Form.Get("regio")
	reference := strings.ToUpper(strings.TrimSpace(r.Form.Get("referentie")))
	overdue := r.Form.Get("achterstallig") == "ja"
	f := &form{Values: url.Values{"stage": {stage}, "min_rung": {rung}, "region": {region}, "reference": {reference}}, Errors: map[string]string{}}
	req := &rotsv1.ListCasesRequest{
		PageSize: 25, PageToken: r.Form.Get("pagina"), OrderBy: "urgency", OpenOnly: reference == "",
		Stage:       enumOf[rotsv1.Stage](stage),
		OverdueOnly: overdue, Reference: reference, Region: regionOfSlug(region),
	}
	if rung != "" {
		n, err := strconv.Atoi(rung)
		if err != nil {
			n = -1 // the API says what is wrong with it
		}
		req.MinRung = int32(n)
	}
	d := overviewData{Overdue: overdue, Flemish: v.who.Region == "", Searching: reference != "", Scope: vocab.RegionName(v.who.Region)}
	if chosen := regionOfSlug(region); d.Flemish && chosen > 0 {
		d.Scope = dutch.Enum(chosen)
	}
	p := page{Title: "Dossiers", Nav: "overzicht", Form: f}
	resp, err := s.cases.ListCases(v.ctx, req)
	code := http.StatusOK
	switch problem, msg := classify(err, f); problem {
	case problemNone:
		for _, c := range resp.GetCases() {
			row := overviewRow{caseRow: s.row(c), Region: dutch.Enum(c.GetRegion()), Escalation: dutch.Rung(int(c.GetRung()))}
			row.Submitted = onTime(c.GetSubmitTime(), dutch.ShortDate)
			row.SubmittedISO = onTime(c.GetSubmitTime(), func(t time.Time) string { return t.Format(time.RFC3339) })
			d.Rows = append(d.Rows, row)
		}
		filters := url.Values{}
		for k, val := range map[string]string{"fase": stage, "trede": rung, "regio": region, "referentie": reference} {
			if val != "" {
				filters.Set(k, val)
			}
		}
		if overdue {
			filters.Set("achterstallig", "ja")
		}
		if req.PageToken != "" {
			d.First = "/overzicht?" + filters.Encode()
		}
		if next := resp.GetNextPageToken(); next != "" {
			filters.Set("pagina", next)
			d.Next = "/overzicht?" + filters.Encode()
		}
	case problemFields:
		p.Title, p.Alert, code = "Fout: Dossiers", msg, http.StatusBadRequest
	case problemForbidden:
		p.Alert, code = "U mag deze dossiers niet bekijken. Een regionale manager ziet de dossiers van de eigen regio.", http.StatusForbidden
	default:
		if s.answerProblem(w, r, v, problem) {
			return
		}
		p.Alert, code = msg, http.StatusBadRequest
	}
	stages := []choice{{Value: "", Label: "Alle open fasen", Checked: stage == ""}}
	for _, c := range dutch.EnumValues(rotsv1.Stage(0).Descriptor()) {
		if c.Stored != vocab.StageClosed {
			stages = append(stages, choice{Value: c.Stored, Label: c.Dutch, Checked: c.Stored == stage})
		}
	}
	rungs := []choice{{Value: "", Label: "Alle, ook zonder escalatie", Checked: rung == ""}}
	for n := 1; n <= 4; n++ {
		rungs = append(rungs, choice{Value: strconv.Itoa(n), Label: "vanaf " + dutch.Rung(n), Checked: strconv.Itoa(n) == rung})
	}
	d.Stage = getField(f, "stage", "fase", stages)
	d.Rung = getField(f, "min_rung", "trede", rungs, "label:Escalatie")
	d.Region = getField(f, "region", "regio", regionChoices(region, "Heel Vlaanderen"))
	d.Reference = getField(f, "reference", "referentie", nil, "help:Bijvoorbeeld ROTS-1A2B3C4D. Zoekt ook bij de afgesloten dossiers.")
	p.Data = d
	s.render(w, r, v, code, "overzicht", p)
}
