package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// A submitter and the tandem take a case from submission to closed in the
// browser, by clicking and typing: the submitter makes a mistake and
// corrects it, the tandem asks a question and the submitter answers, then
// the tandem accepts, holds the consult, convenes and plans a table,
// records the outcome with two agreements and closes the case. Every page
// reached is checked with axe-core.
func TestCasePathInTheBrowser(t *testing.T) {
	a := startApp(t)
	sub := a.signIn(t, "Sofie Peeters")
	wantText(t, sub, "Mijn aanmeldingen")
	b.CheckA11y(t, sub)

	browser.Click(t, sub, "Nieuwe aanmelding")
	b.CheckA11y(t, sub)
	browser.Click(t, sub, "CLB")
	browser.FillCSS(t, sub, "#veld-young_person-alias", "Jorre")
	browser.FillCSS(t, sub, "#veld-young_person-birth_year", "2013")
	browser.FillCSS(t, sub, "#veld-young_person-birth_month", "maart")
	browser.FillCSS(t, sub, "#veld-young_person-school_level", "secundair onderwijs")
	browser.FillCSS(t, sub, "#veld-young_person-school", "Sint-Jozefsinstituut Genk")
	browser.FillCSS(t, sub, "#veld-young_person-municipality", "Zutendaal")
	// The mistake: a national register number (valid, born in 2013) in
	// the description.
	browser.FillCSS(t, sub, "#veld-blocked", blocked+" RRN 13.03.15-123.41")
	browser.FillCSS(t, sub, "#veld-tried-0", "Trajectbegeleiding door het CLB")
	browser.Click(t, sub, "Nog een stap toevoegen")
	browser.FillCSS(t, sub, "#veld-tried-2", "Aanmelding bij de ITP")
	browser.Click(t, sub, "afwezigheid/thuiszitten")
	browser.Click(t, sub, "Het CLB loopt vast")
	browser.Click(t, sub, "De jeugdhulp loopt vast")
	browser.Click(t, sub, "De jongere en de ouders zijn ingelicht")
	browser.Click(t, sub, "Aanmelding versturen")

	if got := browser.Title(t, sub); !strings.HasPrefix(got, "Fout: ") {
		t.Errorf("title after a mistake %q, want it to start with Fout:", got)
	}
	wantText(t, sub, "1 probleem met wat u invulde", "Waar het vastloopt")
	if msg := browser.Text(t, sub, "#veld-blocked-fout"); !strings.Contains(strings.ToLower(msg), "rijksregisternummer") {
		t.Errorf("message next to the description %q, want one about the national register number", msg)
	}
	if got := browser.Eval[string](t, sub, `document.querySelector("#veld-tried-1").value`); got != "Aanmelding bij de ITP" {
		t.Errorf("what was typed is not kept: the second step is %q", got)
	}
	b.CheckA11y(t, sub)
	browser.FillCSS(t, sub, "#veld-blocked", blocked)
	browser.Click(t, sub, "Aanmelding versturen")
	wantText(t, sub, "Uw aanmelding is ontvangen", blocked, "Trajectbegeleiding door het CLB", "Aanmelding bij de ITP")
	if n := browser.Eval[int](t, sub, `document.querySelectorAll("main script").length`); n != 0 {
		t.Errorf("the case text became %d script elements", n)
	}
	b.CheckA11y(t, sub)
	caseURL := strings.SplitN(browser.URL(t, sub), "?", 2)[0]
	reference := strings.TrimPrefix(browser.Text(t, sub, "h1"), "Dossier ")

	// The tandem finds it in the werkbak and asks a question.
	tandem := a.signIn(t, "Tom Janssens")
	wantText(t, tandem, "Werkbak", reference)
	b.CheckA11y(t, tandem)
	browser.Click(t, tandem, reference)
	waitForStage(t, tandem, "intake")
	browser.Click(t, tandem, "een vraag stellen")
	browser.FillCSS(t, tandem, "#veld-intake-question", "Welke school volgde de jongere vorig schooljaar?")
	browser.Click(t, tandem, "Beslissing vastleggen")
	wantText(t, tandem, "De intakebeslissing is vastgelegd")
	b.CheckA11y(t, tandem)

	// The submitter answers.
	a.visit(t, sub, strings.TrimPrefix(caseURL, a.URL))
	wantText(t, sub, "Welke school volgde de jongere vorig schooljaar?")
	browser.FillCSS(t, sub, "#veld-antwoord-answer", "Het Sint-Jozefsinstituut in Genk.")
	browser.Click(t, sub, "Antwoord versturen")
	wantText(t, sub, "Uw antwoord is verstuurd")

	// The tandem accepts and holds the consult.
	a.visit(t, tandem, strings.TrimPrefix(caseURL, a.URL))
	waitForStage(t, tandem, "intake")
	browser.Click(t, tandem, "aanvaarden")
	browser.Click(t, tandem, "Beslissing vastleggen")
	waitForStage(t, tandem, "consult")
	b.CheckA11y(t, tandem)
	today := time.Now().In(calendar.Brussels)
	browser.FillCSS(t, tandem, "#veld-consult-consult_date", today.Format("2006-01-02"))
	browser.FillCSS(t, tandem, "#veld-consult-experts-0", "Orthopedagoog CLB")
	browser.FillCSS(t, tandem, "#veld-consult-advice", "Een overlegtafel met school, CLB en jeugdhulp.")
	browser.Click(t, tandem, "overlegtafel")
	browser.Click(t, tandem, "Consult vastleggen")
	waitForStage(t, tandem, "overlegtafel")
	b.CheckA11y(t, tandem)

	// The table: who comes, when, and what was agreed.
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-organisation", "Time-out De Brug")
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-name", "Ines Willems")
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-email", "ines.willems@timeout-debrug.be")
	browser.Click(t, tandem, "Deelnemers vastleggen")
	wantText(t, tandem, "De deelnemers van de overlegtafel zijn vastgelegd")
	meeting := today.AddDate(0, 0, 7)
	browser.FillCSS(t, tandem, "#veld-planning-start_time", meeting.Format("2006-01-02"))
	browser.FillCSS(t, tandem, "#veld-planning-start_hour", "14:00")
	browser.FillCSS(t, tandem, "#veld-planning-location", "CLB Gent, zaal 2")
	browser.Click(t, tandem, "Plannen en uitnodigingen versturen")
	wantText(t, tandem, "De overlegtafel is gepland", "CLB Gent, zaal 2")
	browser.Click(t, tandem, "Ines Willems (Time-out De Brug)")
	browser.Click(t, tandem, "Aanwezigheid vastleggen")
	wantText(t, tandem, "De aanwezigheid op de overlegtafel is vastgelegd")
	browser.FillCSS(t, tandem, "#veld-uitkomst-offer", "Halftijds time-out, daarna geleidelijk terug naar school.")
	due := today.AddDate(0, 1, 0).Format("2006-01-02")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-action", "Time-outtraject starten")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-owner_organisation", "Time-out De Brug")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-due_date", due)
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-action", "Terugkeerplan met de school")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-owner_organisation", "VCLB Gent")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-due_date", due)
	browser.Click(t, tandem, "Uitkomst vastleggen")
	waitForStage(t, tandem, "opvolging")
	wantText(t, tandem, "Time-outtraject starten", "Terugkeerplan met de school")
	b.CheckA11y(t, tandem)

	browser.FillCSS(t, tandem, "#veld-afsluiten-reason", "terug naar school")
	browser.Click(t, tandem, "Dossier afsluiten")
	waitForStage(t, tandem, "afgesloten")
	wantText(t, tandem, "Het dossier is afgesloten", "terug naar school")
	b.CheckA11y(t, tandem)

	// The submitter sees it closed too.
	a.visit(t, sub, "/aanmeldingen")
	wantText(t, sub, reference, "afgesloten")
}

// blocked is a case text with markup and quotes: it must show as text.
const blocked = `Weigert sinds de herfstvakantie naar school te gaan <script>alert("x")</script> en zegt: "'t is gedaan".`

// waitForStage reloads the case page until it shows the stage: the
// projection follows the workflow within moments.
func waitForStage(t *testing.T, tab context.Context, stage string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := browser.Text(t, tab, ".fase")
		if got == stage {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stage %q, want %q; page:\n%s", got, stage, browser.Text(t, tab, "main"))
		}
		time.Sleep(200 * time.Millisecond)
		browser.Navigate(t, tab, browser.URL(t, tab))
	}
}
