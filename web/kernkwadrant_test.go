package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// seedKernkwadrantYear puts, two years back in Oost-Vlaanderen (a year no
// other test uses), twelve young people of 13 asking about language, closed
// since, and a gap a table recorded for them: the verdict is a gap
// whatever the directory holds.
func seedKernkwadrantYear(t *testing.T, a *app) int {
	t.Helper()
	ctx := context.Background()
	year := time.Now().In(calendar.Brussels).Year() - 2
	at := time.Date(year, 3, 3, 10, 0, 0, 0, calendar.Brussels)
	for i := range 12 {
		c := &store.Case{
			ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "OOST_VLAANDEREN", Stage: "SUBMITTED",
			OrgName: "Vrij CLB Gent", OrgKind: "CLB", ContactName: "Sofie Peeters", ContactEmail: "sofie@vclb-gent.be",
			YoungPerson: store.YoungPerson{Alias: "Taal " + strconv.Itoa(i), BirthYear: year - 13, BirthMonth: 1, SchoolLevel: "SECUNDAIR", Grade: 1,
				School: "Atheneum", Municipality: "Gent"},
			Blocked: "b", Tried: []string{"t"}, Themes: []string{"LANGUAGE"}, SubmittedAt: at, UpdatedAt: at,
		}
		if _, _, err := a.DB.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		// No workflow for a case of years ago, and closed: no list of open
		// cases of another test shows it.
		if err := a.DB.MarkWorkflowStarted(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		reason := "WITHDRAWN"
		if err := a.DB.ApplyTransition(ctx, store.Transition{CaseID: c.ID, RequestID: "closed", Kind: "closed", FromStage: "SUBMITTED",
			ToStage: "CLOSED", Actor: "tandem", At: at.Add(48 * time.Hour), ClosureReason: &reason}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := a.DB.RecordGap(ctx, "gap", store.Gap{CaseID: c.ID, Region: "OOST_VLAANDEREN", Theme: "LANGUAGE",
				AgeBand: "TWELVE_AND_OVER", Needed: "n", WaitingWeeks: 10, RecordedAt: at.Add(24 * time.Hour), RecordedBy: "tandem"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return year
}

// The regional manager opens the kernkwadrant from the menu, chooses a
// year, and sees each theme and age band with its verdict in words and the
// figures the API published; the table comes as a CSV file too.
func TestManagerKernkwadrant(t *testing.T) {
	a := startApp(t)
	year := seedKernkwadrantYear(t, a)
	tab := a.signIn(t, "Pieter De Smet")
	browser.Click(t, tab, "Kernkwadrant")
	b.CheckA11y(t, tab)
	wantText(t, tab, "Kernkwadrant Oost-Vlaanderen", "Hoe we oordelen")
	browser.Fill(t, tab, "Jaar", strconv.Itoa(year))
	browser.Click(t, tab, "Toon het kernkwadrant")
	b.CheckA11y(t, tab)
	wantText(t, tab, "januari "+strconv.Itoa(year)+" tot en met december "+strconv.Itoa(year))

	resp, err := rotsv1.NewReportServiceClient(a.Conn).GetKernkwadrant(a.as(t, "Pieter De Smet"), &rotsv1.GetKernkwadrantRequest{
		FromMonth: strconv.Itoa(year) + "-01", ToMonth: strconv.Itoa(year) + "-12"})
	if err != nil {
		t.Fatal(err)
	}
	// The API's cells with demand or offer, as the page must say them.
	var want [][]string
	for _, c := range resp.GetKernkwadrant().GetCells() {
		if c.GetVerdict() == rotsv1.KernkwadrantVerdict_KERNKWADRANT_VERDICT_NONE {
			continue
		}
		var reasons []string
		for _, r := range c.GetReasons() {
			reasons = append(reasons, dutch.Enum(r))
		}
		row := []string{dutch.Stored(rotsv1.Theme(0).Descriptor(), c.GetTheme()), dutch.Stored(rotsv1.AgeBand(0).Descriptor(), c.GetAgeBand()),
			dutch.Enum(c.GetVerdict()) + strings.Join(reasons, "; ")}
		for _, f := range []*rotsv1.Figure{c.GetDemand(), c.GetMet(), c.GetNotMet(), c.GetMedianWaitDays(), c.GetGaps(), c.GetOffers(), c.GetOffersUsed()} {
			row = append(row, fig(f))
		}
		want = append(want, row)
	}
	shown := pageTable(t, tab, "kernkwadrant", "tbody")
	if len(shown) != len(want) {
		t.Fatalf("the page shows\n%q\nthe API says\n%q", shown, want)
	}
	found := false
	for i := range want {
		if strings.Join(shown[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: the page shows %q, the API says %q", i, shown[i], want[i])
		}
		// Language, 12 and over: 12 asked, a gap recorded (hidden: 1).
		if shown[i][0] == "taal" && shown[i][1] == "12 en ouder" {
			found = true
			if !strings.HasPrefix(shown[i][2], "hiaat") || !strings.Contains(shown[i][2], "hiaten gemeld aan overlegtafels") ||
				shown[i][3] != "12" || shown[i][7] != "x (verborgen)" {
				t.Errorf("language, 12 and over: %q; want a gap with its recorded gaps, 12 asking, the 1 gap hidden", shown[i])
			}
		}
	}
	if !found {
		t.Errorf("no row for language, 12 and over: %q", shown)
	}

	// The CSV file: the verdict in words beside the figures.
	href := browser.Eval[string](t, tab, `document.querySelector("#kernkwadrant a[download]").href`)
	r, body := fetchAs(t, tab, href)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %s\n%s", r.Status, body)
	}
	if got, w := r.Header.Get("Content-Disposition"), `attachment; filename="rots-kernkwadrant-oost-vlaanderen-`+strconv.Itoa(year)+`.csv"`; got != w {
		t.Errorf("Content-Disposition %q, want %q", got, w)
	}
	if !bytes.Contains(body, []byte("taal, 12 en ouder;hiaat;")) || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBFThema en leeftijd;Oordeel;Waarom;Vraag;")) {
		t.Errorf("the CSV file:\n%s", body)
	}

	// Into a signal: the table frozen with its verdicts.
	browser.Click(t, tab, "Zet het kernkwadrant in een signaal")
	b.CheckA11y(t, tab)
	title := "Vraag en aanbod " + uuid.NewString()[:8]
	browser.Fill(t, tab, "Titel", title)
	browser.Fill(t, tab, "Eerste maand", strconv.Itoa(year)+"-01")
	browser.Fill(t, tab, "Laatste maand", strconv.Itoa(year)+"-12")
	browser.Click(t, tab, "kernkwadrant (vraag en aanbod)")
	browser.Click(t, tab, "Signaal opstellen")
	b.CheckA11y(t, tab)
	wantText(t, tab, "Het signaal is opgesteld", title, "Kernkwadrant: vraag en aanbod", "Taal, 12 en ouder: hiaat")

	// The tandem of the region has the page in its menu too.
	tandem := a.signIn(t, "Tom Janssens")
	browser.Click(t, tandem, "Kernkwadrant")
	b.CheckA11y(t, tandem)
	wantText(t, tandem, "Kernkwadrant Oost-Vlaanderen", "Vraag en aanbod per thema en leeftijd")
}
