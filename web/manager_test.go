package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// managerCases are the cases the manager's tests look at, in
// Oost-Vlaanderen: a dozen in intake, two in consult, one declined, and
// one of those in intake on rung 3 of the ladder.
type managerCases struct {
	intake, consult []string
	declined        string
	rung3           string // its reference
}

var (
	managerOnce  sync.Once
	managerSetUp managerCases
)

func setUpManagerCases(t *testing.T, a *app) managerCases {
	t.Helper()
	managerOnce.Do(func() {
		var m managerCases
		tandem := a.as(t, "Tom Janssens")
		for i := range 15 {
			m.intake = append(m.intake, a.submit(t, "Sofie Peeters", fmt.Sprintf("Jongere %d", i)))
		}
		decide := func(id string, req *rotsv1.DecideIntakeRequest) {
			req.RequestId, req.Name = uuid.NewString(), "cases/"+id
			retry(t, func() error { _, err := a.Cases.DecideIntake(tandem, req); return err })
		}
		for _, id := range m.intake[:2] {
			decide(id, &rotsv1.DecideIntakeRequest{Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
		}
		decide(m.intake[2], &rotsv1.DecideIntakeRequest{Decision: rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE,
			DeclineReason: "Geen vastgelopen traject.", ReferralSuggestion: "Het CLB van de school."})
		m.consult, m.declined, m.intake = m.intake[:2], m.intake[2], m.intake[3:]
		// Every other case has entered intake, so the figures stand still.
		for _, id := range m.intake {
			waitForAPIStage(t, a, tandem, id, rotsv1.Stage_STAGE_INTAKE)
		}
		waitForAPIStage(t, a, tandem, m.declined, rotsv1.Stage_STAGE_CLOSED)
		// The ladder climbs in working days; the test writes rung 3 as the
		// workflow's escalation step does, through the store.
		id := m.intake[5]
		if err := a.DB.ApplyTransition(context.Background(), store.Transition{CaseID: id, Escalation: &store.Escalation{Rung: 3,
			Deadlines: []escalation.Deadline{{Kind: escalation.KindIntake, Due: time.Now().Add(48 * time.Hour), Rung: 3}}}}); err != nil {
			t.Fatal(err)
		}
		resp, err := a.Cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: "cases/" + id})
		c := resp.GetCase()
		if err != nil || c.GetRung() != 3 {
			t.Fatalf("the case on rung 3: %v, %v", c.GetRung(), err)
		}
		m.rung3 = c.GetReference()
		managerSetUp = m
	})
	if managerSetUp.rung3 == "" {
		t.Fatal("setting up the manager's cases failed in an earlier test")
	}
	return managerSetUp
}

func waitForAPIStage(t *testing.T, a *app, ctx context.Context, id string, stage rotsv1.Stage) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := a.Cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: "cases/" + id})
		if err != nil {
			t.Fatal(err)
		}
		c := resp.GetCase()
		if c.GetStage() == stage {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("case %s is in %s, want %s", id, c.GetStage(), stage)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lastYear is the dashboard's default period: the last twelve months.
func lastYear() (from, to string) {
	now := time.Now().In(calendar.Brussels)
	return time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), now.Format("2006-01")
}

// pageTable is the rows of the table in the section with the id, each the
// text of its header and cells.
func pageTable(t *testing.T, tab context.Context, id, part string) [][]string {
	t.Helper()
	return browser.Eval[[][]string](t, tab, fmt.Sprintf(`[...document.querySelectorAll("#%s table %s tr")].map(tr => [...tr.children].map(c => c.textContent.trim()))`, id, part))
}

func fig(f *rotsv1.Figure) string {
	if f.GetSuppressed() || f.Value == nil {
		return "x (verborgen)"
	}
	return fmt.Sprint(f.GetValue())
}

func countTable(d *rotsv1.Dashboard, kind rotsv1.ReportTable) *rotsv1.CountTable {
	for _, t := range d.GetTables() {
		if t.GetTable() == kind {
			return t
		}
	}
	return nil
}

// stageRows are the rows the page must show for the stage table of a
// dashboard of one region.
func stageRows(d *rotsv1.Dashboard) [][]string {
	var rows [][]string
	for _, r := range countTable(d, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE).GetRows() {
		rows = append(rows, []string{dutch.Stored(rotsv1.Stage(0).Descriptor(), r.GetLabel()), fig(r.GetCells()[0])})
	}
	return rows
}

// openStageCount counts, as the tandem sees them, the region's cases in a
// stage: the figure the dashboard must hide when it is small.
func openStageCount(t *testing.T, a *app, tandem context.Context, stage rotsv1.Stage) int {
	t.Helper()
	n, token := 0, ""
	for {
		resp, err := a.Cases.ListCases(tandem, &rotsv1.ListCasesRequest{Stage: stage, PageSize: 100, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		n += len(resp.GetCases())
		if token = resp.GetNextPageToken(); token == "" {
			return n
		}
	}
}

// The regional manager's dashboard shows the API's figures for the last
// twelve months, hides small counts as "x" with the reason, draws each
// table as a chart, and gives each table as a CSV file for Excel.
func TestManagerDashboard(t *testing.T) {
	a := startApp(t)
	setUpManagerCases(t, a)
	tab := a.signIn(t, "Pieter De Smet")
	if got := browser.URL(t, tab); got != a.URL+"/dashboard" {
		t.Fatalf("a manager's home is %s, want /dashboard", got)
	}
	manager := a.as(t, "Pieter De Smet")
	from, to := lastYear()

	// The page against the API, asked before and after so that a
	// workflow's step in between cannot make them differ.
	var dash *rotsv1.Dashboard
	var shown [][]string
	for attempt := 0; ; attempt++ {
		before, err := reportsAs(a, manager, 0, from, to)
		if err != nil {
			t.Fatal(err)
		}
		a.visit(t, tab, "/dashboard")
		shown = pageTable(t, tab, "fasen", "tbody")
		after, err := reportsAs(a, manager, 0, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if slices.EqualFunc(stageRows(before), stageRows(after), slices.Equal) || attempt == 3 {
			dash = after
			break
		}
	}
	wantText(t, tab, "Dashboard Oost-Vlaanderen", "Dossiers per fase", "Doorlooptijden", "Hiaten in het aanbod")
	if want := stageRows(dash); !slices.EqualFunc(shown, want, slices.Equal) {
		t.Fatalf("the stage table shows\n%q\nthe API says\n%q", shown, want)
	}
	if dash.GetThreshold() != 10 {
		t.Fatalf("threshold %d, want the default 10", dash.GetThreshold())
	}
	// The region has a few cases in consult, fewer than the threshold: the
	// API hides the count and the page says "x" and why.
	n := openStageCount(t, a, a.as(t, "Tom Janssens"), rotsv1.Stage_STAGE_CONSULT)
	if n < 1 || n > 9 {
		t.Fatalf("%d cases in consult; the test needs 1 to 9", n)
	}
	i := slices.IndexFunc(shown, func(r []string) bool { return r[0] == "consult" })
	if i < 0 || shown[i][1] != "x (verborgen)" {
		t.Fatalf("%d cases in consult show as %q, want x", n, shown)
	}
	if note := browser.Text(t, tab, "#fasen-voetnoot"); !strings.Contains(note, "Aantallen van 1 tot en met 9 tonen we niet") ||
		!strings.Contains(note, "secundaire onderdrukking") {
		t.Fatalf("the footnote: %q", note)
	}
	if got := browser.Eval[string](t, tab, `document.querySelector("#fasen table").getAttribute("aria-describedby")`); got != "fasen-voetnoot" {
		t.Errorf("the table does not point to its footnote: %q", got)
	}
	// The chart is a picture with a name; its numbers are those of the table.
	if name := browser.Eval[string](t, tab, `document.querySelector("#fasen svg[role=img]").getAttribute("aria-label")`); !strings.Contains(name, "dossiers per fase, Oost-Vlaanderen") {
		t.Errorf("the chart's name: %q", name)
	}
	bars := browser.Eval[int](t, tab, `document.querySelectorAll("#fasen svg rect").length`)
	visible := 0
	for _, r := range countTable(dash, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE).GetRows() {
		if f := r.GetCells()[0]; !f.GetSuppressed() && f.GetValue() > 0 {
			visible++
		}
	}
	if bars != visible {
		t.Errorf("the chart has %d bars, want one per shown count above 0 (%d)", bars, visible)
	}
	// Every table is there, the month rows in Dutch.
	months := pageTable(t, tab, "aangemeld-per-maand", "tbody")
	if len(months) != 12 || months[11][0] != dutch.Month(to) {
		t.Errorf("submitted by month: %q", months)
	}

	// The themes as a CSV file, asked with the browser's session.
	href := browser.Eval[string](t, tab, `document.querySelector("#themas a[download]").href`)
	resp, body := fetchAs(t, tab, href)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %s %s\n%s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	wantName := fmt.Sprintf(`attachment; filename="rots-dashboard-oost-vlaanderen-%s-%s-themas.csv"`, from, to)
	if got := resp.Header.Get("Content-Disposition"); got != wantName {
		t.Errorf("Content-Disposition %q, want %q", got, wantName)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("the CSV has no byte order mark: %q", body[:min(20, len(body))])
	}
	if !bytes.HasPrefix(body[3:], []byte("Thema;Aantal\r\n")) || bytes.Count(body, []byte("\n")) != bytes.Count(body, []byte("\r\n")) {
		t.Fatalf("the CSV's first line and line ends: %q", body)
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	themes := countTable(dash, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_THEME)
	want := [][]string{{"Thema", "Aantal"}}
	for _, row := range themes.GetRows() {
		want = append(want, []string{dutch.Stored(rotsv1.Theme(0).Descriptor(), row.GetLabel()), strings.TrimSuffix(fig(row.GetCells()[0]), " (verborgen)")})
	}
	want = append(want, []string{"Totaal", strings.TrimSuffix(fig(themes.GetColumnTotals()[0]), " (verborgen)")})
	if !slices.EqualFunc(records, want, slices.Equal) {
		t.Fatalf("the CSV holds\n%q\nthe API says\n%q", records, want)
	}
	if !slices.ContainsFunc(records, func(r []string) bool { return r[0] == "afwezigheid/thuiszitten" }) {
		t.Errorf("no row for the theme of the cases: %q", records)
	}

	// Another region is refused by the API, and the page says so.
	if status := browser.Navigate(t, tab, a.URL+"/dashboard?"+url.Values{"van": {from}, "tot": {to}, "regio": {"limburg"}}.Encode()); status != http.StatusForbidden {
		t.Errorf("another region: status %d, want 403", status)
	}
	wantText(t, tab, "U mag deze cijfers niet bekijken")
	b.CheckA11y(t, tab)

	// A period that ends before it starts comes back with the message at
	// the field, in Dutch.
	a.visit(t, tab, "/dashboard")
	browser.Fill(t, tab, "Eerste maand", to)
	browser.Fill(t, tab, "Laatste maand", from)
	browser.Click(t, tab, "Toon de cijfers")
	if got := browser.Text(t, tab, "#veld-to_month-fout"); !strings.Contains(got, "mag niet voor de eerste maand liggen") {
		t.Fatalf("message at the last month: %q", got)
	}
	if got := browser.Title(t, tab); !strings.HasPrefix(got, "Fout: ") {
		t.Errorf("title %q", got)
	}
	b.CheckA11y(t, tab)
}

// reportsAs asks the API for a dashboard.
func reportsAs(a *app, ctx context.Context, region rotsv1.Region, from, to string) (*rotsv1.Dashboard, error) {
	resp, err := rotsv1.NewReportServiceClient(a.Conn).GetDashboard(ctx, &rotsv1.GetDashboardRequest{Region: region, FromMonth: from, ToMonth: to})
	return resp.GetDashboard(), err
}

// fetchAs gets a URL with the session of the tab's browser, as a download
// would.
func fetchAs(t *testing.T, tab context.Context, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range browser.Cookies(t, tab) {
		if c.Name == "__Host-rots-sessie" {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// The Flemish manager chooses a region or all of Flanders; the tables of
// all of Flanders have a column per region and the totals.
func TestFlemishManagerDashboard(t *testing.T) {
	a := startApp(t)
	setUpManagerCases(t, a)
	tab := a.signIn(t, "An Claes")
	a.visit(t, tab, "/dashboard")
	browser.Fill(t, tab, "Regio", "Oost-Vlaanderen")
	browser.Click(t, tab, "Toon de cijfers")
	wantText(t, tab, "Dashboard Oost-Vlaanderen")
	b.CheckA11y(t, tab)

	browser.Fill(t, tab, "Regio", "Heel Vlaanderen")
	browser.Click(t, tab, "Toon de cijfers")
	wantText(t, tab, "Dashboard Vlaanderen")
	b.CheckA11y(t, tab)
	head := pageTable(t, tab, "fasen", "thead")
	want := []string{"Fase", "Antwerpen", "Brussel", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen", "Totaal"}
	if len(head) != 1 || !slices.Equal(head[0], want) {
		t.Fatalf("the columns of all of Flanders: %q, want %q", head, want)
	}
	from, to := lastYear()
	dash, err := reportsAs(a, a.as(t, "An Claes"), 0, from, to)
	if err != nil {
		t.Fatal(err)
	}
	foot := pageTable(t, tab, "fasen", "tfoot")
	stages := countTable(dash, rotsv1.ReportTable_REPORT_TABLE_CASES_BY_STAGE)
	wantFoot := []string{"Totaal"}
	for _, f := range stages.GetColumnTotals() {
		wantFoot = append(wantFoot, fig(f))
	}
	wantFoot = append(wantFoot, fig(stages.GetTotal()))
	if len(foot) != 1 || !slices.Equal(foot[0], wantFoot) {
		t.Fatalf("the totals of all of Flanders: %q, the API says %q", foot, wantFoot)
	}

	// The times of all of Flanders as CSV: a group of columns per region.
	href := browser.Eval[string](t, tab, `document.querySelector("#doorlooptijden a[download]").href`)
	resp, body := fetchAs(t, tab, href)
	if got := resp.Header.Get("Content-Disposition"); !strings.Contains(got, fmt.Sprintf("rots-dashboard-vlaanderen-%s-%s-doorlooptijden.csv", from, to)) {
		t.Errorf("Content-Disposition %q", got)
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(string(body), "\uFEFF"), "\r\n")
	if !strings.HasPrefix(first, "Fase;Antwerpen: Gemeten;Antwerpen: Mediaan;Antwerpen: 90e percentiel;Brussel: Gemeten") ||
		!strings.HasSuffix(first, ";Vlaanderen: 90e percentiel") {
		t.Errorf("the header of the times: %q", first)
	}
}

// The manager's Dossiers are the region's open cases in the werkbak's
// order, without personal data, with the rung each reached; filters and a
// reference lookup narrow them.
func TestManagerOverview(t *testing.T) {
	a := startApp(t)
	m := setUpManagerCases(t, a)
	tab := a.signIn(t, "Pieter De Smet")
	a.visit(t, tab, "/overzicht")

	// The order is the tandem's werkbak, as the API gives it.
	resp, err := a.Cases.ListCases(a.as(t, "Tom Janssens"), &rotsv1.ListCasesRequest{OrderBy: "urgency", OpenOnly: true, PageSize: 25})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range resp.GetCases() {
		want = append(want, c.GetReference())
	}
	rows := browser.Eval[[][]string](t, tab, `[...document.querySelectorAll("table.overzicht tbody tr")].map(tr => [...tr.children].map(c => c.textContent.trim()))`)
	var got []string
	for _, r := range rows {
		got = append(got, strings.TrimSuffix(r[0], " doorbraak"))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the overview's order\n%q\nthe werkbak's\n%q", got, want)
	}
	i := slices.Index(got, m.rung3)
	if i < 0 || rows[i][2] != "trede 3 (regionale manager)" {
		t.Fatalf("the case on rung 3 (%s): %q", m.rung3, rows)
	}
	for _, r := range rows[i+1:] {
		if r[2] == "trede 3 (regionale manager)" || strings.HasPrefix(r[2], "trede 4") {
			t.Errorf("a case on a rung as high after the case on rung 3: %q", r)
		}
	}
	if page := text(t, tab); strings.Contains(page, "Jongere ") || strings.Contains(page, "VCLB Gent") {
		t.Errorf("the overview shows personal data:\n%s", page)
	}

	// Filters: the stage.
	browser.Fill(t, tab, "Fase", "consult")
	browser.Click(t, tab, "Toon")
	if !strings.Contains(browser.URL(t, tab), "fase=CONSULT") {
		t.Errorf("the filters are not in the address: %s", browser.URL(t, tab))
	}
	b.CheckA11y(t, tab)
	for _, r := range browser.Eval[[][]string](t, tab, `[...document.querySelectorAll("table.overzicht tbody tr")].map(tr => [...tr.children].map(c => c.textContent.trim()))`) {
		if r[1] != "consult" {
			t.Errorf("filtered on consult, a row: %q", r)
		}
	}

	// A reference, among the closed cases too; the row opens the case.
	got2, err := a.Cases.GetCase(a.as(t, "Tom Janssens"), &rotsv1.GetCaseRequest{Name: "cases/" + m.declined})
	if err != nil {
		t.Fatal(err)
	}
	declined := got2.GetCase()
	a.visit(t, tab, "/overzicht")
	browser.Fill(t, tab, "Dossierreferentie (niet verplicht)", strings.ToLower(declined.GetReference()))
	browser.Click(t, tab, "Toon")
	rows = browser.Eval[[][]string](t, tab, `[...document.querySelectorAll("table.overzicht tbody tr")].map(tr => [...tr.children].map(c => c.textContent.trim()))`)
	if len(rows) != 1 || rows[0][0] != declined.GetReference() || rows[0][1] != "afgesloten" {
		t.Fatalf("looking up %s: %q", declined.GetReference(), rows)
	}
	b.CheckA11y(t, tab)
	browser.Click(t, tab, declined.GetReference())
	wantText(t, tab, "Dossier "+declined.GetReference())

	// A reference that is none comes back at the field.
	a.visit(t, tab, "/overzicht")
	browser.Fill(t, tab, "Dossierreferentie (niet verplicht)", "ROTS-XYZ")
	browser.Click(t, tab, "Toon")
	if got := browser.Text(t, tab, "#veld-reference-fout"); !strings.Contains(got, "geef een dossierreferentie zoals ROTS-1A2B3C4D") {
		t.Fatalf("message at the reference: %q", got)
	}
	b.CheckA11y(t, tab)
}
