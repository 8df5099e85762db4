package web_test

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// TestScreenshots writes full-page PNGs (1280 pixels wide) of the main
// pages, with fictional Dutch cases, and checks that each is a picture of
// that width. With ROTS_SCREENSHOTS=<dir> they go to dir, for the
// documentation and for reviewing the design; without it to a temporary
// folder. For the documentation, run it alone, so that the werkbak shows
// only its cases:
//
//	ROTS_SCREENSHOTS=docs/screenshots go test ./web/ -run TestScreenshots -count=1
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("ROTS_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if !filepath.IsAbs(dir) {
		// go test runs in the package's directory; a relative dir is
		// meant from the module's root, where go test was started.
		dir = filepath.Join("..", dir)
	}
	a := startApp(t)
	shot := func(tab context.Context, name string) {
		t.Helper()
		// No caret blinking in a field, nothing half-scrolled.
		browser.Eval[bool](t, tab, `(document.activeElement && document.activeElement.blur(), scrollTo(0, 0), true)`)
		path := filepath.Join(dir, name+".png")
		browser.Screenshot(t, tab, path)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg, err := png.DecodeConfig(f)
		if err != nil || cfg.Width != 1280 || cfg.Height < 200 {
			t.Errorf("%s: %dx%d (%v), want a PNG 1280 pixels wide", name, cfg.Width, cfg.Height, err)
		}
	}

	// The issuer's login page; Sofie's cases (her list is taken last, when
	// the tandem has moved them on).
	sub := b.NewTab(t)
	browser.Navigate(t, sub, a.URL+"/")
	shot(sub, "01-aanmelden")
	sub = a.signInOn(t, sub, "Sofie Peeters")
	intake, _ := a.submitForm(t, sub, aCase{
		Alias: "Jorre", BirthYear: "2011", BirthMonth: "maart", School: "Sint-Barbaracollege Gent", Municipality: "Gent",
		Contact: "Sofie Peeters",
		Blocked: "Jorre komt sinds de herfstvakantie niet meer naar school. Hij zegt dat hij buikpijn heeft als hij aan school denkt; thuis speelt hij 's nachts games.",
		Tried:   []string{"Gesprekken met de leerlingbegeleiding en het CLB", "Aangepast lesrooster (halve dagen)", "Aanmelding bij het Centrum voor Geestelijke Gezondheidszorg (wachtlijst)"},
		Themes:  []string{"afwezigheid/thuiszitten", "psychisch welzijn"},
	})
	followUp, followUpRef := a.submitForm(t, sub, aCase{
		Alias: "Amira", BirthYear: "2010", BirthMonth: "juni", School: "Atheneum Voskenslaan Gent", Municipality: "Gent",
		Blocked: "Amira is na een conflict met een leerkracht twee keer geschorst. Ze wil een andere school, maar geen enkele school in de buurt heeft plaats.",
		Tried:   []string{"Begeleidingscontract met de school", "Bemiddeling door het CLB tussen school en ouders"},
		Themes:  []string{"gedrag", "geen passend schoolextern aanbod"},
	})
	question, _ := a.submitForm(t, sub, aCase{
		Alias: "Senne", BirthYear: "2013", BirthMonth: "januari", SchoolLevel: "lager onderwijs", School: "Basisschool De Regenboog Gentbrugge",
		Municipality: "Gentbrugge", Blocked: "Senne heeft een grote leerachterstand en weigert 's ochtends mee te gaan naar school.",
		Tried:  []string{"Zorgoverleg op school", "Logopedie buiten de school"},
		Themes: []string{"leerachterstand", "afwezigheid/thuiszitten"},
	})
	karim := a.signIn(t, "Karim El Amrani")
	a.submitForm(t, karim, aCase{
		Kind: "jeugdhulp", Alias: "Lina", BirthYear: "2009", BirthMonth: "september", School: "Sint-Lodewijkscollege Lokeren",
		Municipality: "Lokeren", Blocked: "Lina woont sinds kort in een leefgroep en is er nog niet in geslaagd om naar haar nieuwe school te gaan.",
		Tried:  []string{"Contextbegeleiding", "Gesprekken met de leerlingbegeleiding van de nieuwe school"},
		Themes: []string{"gezinscontext", "afwezigheid/thuiszitten"},
	})

	// A new case sent half filled in: the error summary.
	a.visit(t, sub, "/aanmeldingen/nieuw")
	browser.Click(t, sub, "CLB")
	browser.FillCSS(t, sub, "#veld-young_person-alias", "Mauro")
	browser.FillCSS(t, sub, "#veld-young_person-birth_year", "2012")
	browser.FillCSS(t, sub, "#veld-blocked", "Mauro gaat sinds januari nog maar twee dagen per week naar school. RRN 12.05.03-123.52")
	browser.Click(t, sub, "Aanmelding versturen")
	wantText(t, sub, "met wat u invulde")
	shot(sub, "03-nieuwe-aanmelding-met-fouten")

	// The tandem: a case in intake, a question, a case taken to follow-up.
	tandem := a.signIn(t, "Tom Janssens")
	a.visit(t, tandem, intake)
	waitForStage(t, tandem, "intake")
	shot(tandem, "04-dossier-intake")

	a.visit(t, tandem, question)
	waitForStage(t, tandem, "intake")
	browser.Click(t, tandem, "een vraag stellen")
	browser.FillCSS(t, tandem, "#veld-intake-question", "Is er al een onderzoek naar leerstoornissen gebeurd, en zo ja, met welk resultaat?")
	browser.Click(t, tandem, "Beslissing vastleggen")
	wantText(t, tandem, "De intakebeslissing is vastgelegd")

	a.visit(t, tandem, followUp)
	waitForStage(t, tandem, "intake")
	browser.Click(t, tandem, "aanvaarden")
	browser.Click(t, tandem, "Beslissing vastleggen")
	waitForStage(t, tandem, "consult")
	today := time.Now().In(calendar.Brussels)
	browser.FillCSS(t, tandem, "#veld-consult-consult_date", today.Format("2006-01-02"))
	browser.FillCSS(t, tandem, "#veld-consult-experts-0", "Orthopedagoog van het CLB")
	browser.FillCSS(t, tandem, "#veld-consult-experts-1", "Consulent onderwijs van de jeugdhulp")
	browser.FillCSS(t, tandem, "#veld-consult-advice", "Een overlegtafel met de school, het CLB en een time-outproject, om een overstap naar een andere school voor te bereiden.")
	browser.Click(t, tandem, "overlegtafel")
	browser.Click(t, tandem, "Consult vastleggen")
	waitForStage(t, tandem, "overlegtafel")
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-organisation", "Time-out De Brug")
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-name", "Ines Willems")
	browser.FillCSS(t, tandem, "#veld-tafel-participants-0-email", "ines.willems@timeout-debrug.be")
	browser.Click(t, tandem, "Deelnemers vastleggen")
	wantText(t, tandem, "De deelnemers van de overlegtafel zijn vastgelegd")
	browser.FillCSS(t, tandem, "#veld-planning-start_time", today.AddDate(0, 0, 7).Format("2006-01-02"))
	browser.FillCSS(t, tandem, "#veld-planning-start_hour", "14:00")
	browser.FillCSS(t, tandem, "#veld-planning-location", "CLB Gent, Kortrijksesteenweg, zaal 2")
	browser.Click(t, tandem, "Plannen en uitnodigingen versturen")
	wantText(t, tandem, "De overlegtafel is gepland")
	browser.Click(t, tandem, "Ines Willems (Time-out De Brug)")
	browser.Click(t, tandem, "Aanwezigheid vastleggen")
	wantText(t, tandem, "De aanwezigheid op de overlegtafel is vastgelegd")
	browser.FillCSS(t, tandem, "#veld-uitkomst-offer", "Zes weken halftijds time-out bij De Brug, daarna een proefperiode in een andere school in Gent met begeleiding door het CLB.")
	due := today.AddDate(0, 1, 0).Format("2006-01-02")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-action", "Time-outtraject starten")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-owner_organisation", "Time-out De Brug")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-0-due_date", due)
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-action", "Een school voor de proefperiode zoeken")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-owner_organisation", "VCLB Gent")
	browser.FillCSS(t, tandem, "#veld-uitkomst-agreements-1-due_date", due)
	browser.Click(t, tandem, "Uitkomst vastleggen")
	waitForStage(t, tandem, "opvolging")
	shot(tandem, "06-dossier-opvolging")

	a.visit(t, tandem, "/werkbak")
	shot(tandem, "05-werkbak")

	a.visit(t, sub, "/aanmeldingen")
	shot(sub, "02-mijn-aanmeldingen")

	// The tandem's messages, one of them opened.
	deadline := time.Now().Add(10 * time.Second)
	for a.visit(t, tandem, "/berichten"); browser.Eval[int](t, tandem, `document.querySelectorAll("main li").length`) < 3 && time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		a.visit(t, tandem, "/berichten")
	}
	browser.Eval[bool](t, tandem, `(document.querySelector("main details").open = true, true)`)
	shot(tandem, "07-berichten")

	// Enough cases for figures above the threshold: the dashboard's charts
	// have bars, and a signal's frozen tables have numbers.
	seedDashboard(t, a)

	// The partner at Amira's table: their list, and the table's page with
	// the form of their agreement (there once the case is in follow-up).
	ines := a.signIn(t, "Ines Willems")
	a.visit(t, ines, "/tafels")
	shot(ines, "08-overlegtafels")
	table := "/tafels/" + strings.TrimPrefix(followUp, "/dossiers/")
	until := time.Now().Add(15 * time.Second)
	for a.visit(t, ines, table); !strings.Contains(text(t, ines), "Nieuwe stand van afspraak 1") && time.Now().Before(until); {
		time.Sleep(300 * time.Millisecond)
		a.visit(t, ines, table)
	}
	shot(ines, "09-overlegtafel")

	pieter := a.signIn(t, "Pieter De Smet")
	a.visit(t, pieter, "/dashboard")
	shot(pieter, "10-dashboard")
	from, to := lastYear()
	resp, err := rotsv1.NewSignalServiceClient(a.Conn).CreateSignal(a.as(t, "Pieter De Smet"), &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(),
		Signal: &rotsv1.Signal{Title: "Thuiszitters wachten op een passend aanbod", Region: rotsv1.Region_REGION_OOST_VLAANDEREN, FromMonth: from, ToMonth: to,
			Text:           "Dit jaar meldden de CLB's en de jeugdhulp van Oost-Vlaanderen meer thuiszitters aan dan vorig jaar. Voor jongeren jonger dan 12 is er in de regio geen time-outaanbod; zij wachten het langst op een passend aanbod.",
			FigureSections: []rotsv1.SignalFigureSection{rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_AGE_BAND, rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_THEME}}})
	if err != nil {
		t.Fatal(err)
	}
	a.visit(t, pieter, "/signalen/"+strings.TrimPrefix(resp.GetSignal().GetName(), "signals/"))
	shot(pieter, "11-signaal")

	// The administrator's policy of a region, and the auditor's log of
	// Amira's case: who read and changed it, from the submission on.
	bart := a.signIn(t, "Bart Wouters")
	a.visit(t, bart, "/beleid/oost-vlaanderen")
	shot(bart, "12-termijnen-regio")
	els := a.signIn(t, "Els Vermeulen")
	browser.Fill(t, els, "Dossierreferentie (niet verplicht)", followUpRef)
	browser.Click(t, els, "Zoeken")
	wantText(t, els, "Gevonden vermeldingen")
	shot(els, "13-toegangslog")
}

// seedDashboard submits two dozen cases in Oost-Vlaanderen through the
// API, varied so that several figures pass the threshold of 10, and waits
// until each has entered intake.
func seedDashboard(t *testing.T, a *app) {
	t.Helper()
	names := []string{"Arne", "Bo", "Cas", "Dries", "Emma", "Fleur", "Gust", "Hanne", "Ilias", "Jana", "Kobe", "Lore",
		"Milan", "Nina", "Omar", "Pien", "Quinten", "Rune", "Saar", "Tuur", "Ute", "Vic", "Wout", "Yasmine"}
	tandem := a.as(t, "Tom Janssens")
	for i, alias := range names {
		person, org, kind := "Sofie Peeters", "VCLB Gent", rotsv1.OrganisationKind_ORGANISATION_KIND_CLB
		if i%3 == 2 {
			person, org, kind = "Karim El Amrani", "Jeugdhulp Oost-Vlaanderen", rotsv1.OrganisationKind_ORGANISATION_KIND_YOUTH_CARE
		}
		p := devissuer.People[personIndex(t, person)]
		year, level := int32(2011), rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR
		if i%2 == 1 {
			year, level = 2016, rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER
		}
		themes := []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE}
		if i%2 == 0 {
			themes = append(themes, rotsv1.Theme_THEME_MENTAL_HEALTH)
		}
		resp, err := a.Cases.SubmitCase(a.as(t, person), &rotsv1.SubmitCaseRequest{
			RequestId: uuid.NewString(), Region: rotsv1.Region_REGION_OOST_VLAANDEREN,
			SubmittingOrganisation: &rotsv1.Organisation{Name: org, Kind: kind},
			Contact:                &rotsv1.ContactPerson{Name: p.Name, Email: p.Email},
			YoungPerson: &rotsv1.YoungPerson{Alias: alias, BirthYear: year, BirthMonth: int32(i%12 + 1), SchoolLevel: level,
				School: "Sint-Lievenscollege Gent", Municipality: "Gent"},
			Blocked:     "Komt al weken niet meer naar school.",
			Tried:       []string{"Begeleiding door het CLB"},
			Themes:      themes,
			Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		waitForAPIStage(t, a, tandem, strings.TrimPrefix(resp.GetCase().GetName(), "cases/"), rotsv1.Stage_STAGE_INTAKE)
	}
}
