package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// intakeDue waits for a case's intake deadline, which its workflow sets a
// moment after the submission, and returns it with the submission time.
func intakeDue(t *testing.T, a *app, ctx context.Context, id string) (submitted, due time.Time) {
	t.Helper()
	until := time.Now().Add(15 * time.Second)
	for {
		resp, err := a.Cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: "cases/" + id})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range resp.GetCase().GetDeadlines() {
			if d.GetKind() == "intake" {
				return resp.GetCase().GetSubmitTime().AsTime(), d.GetDueTime().AsTime()
			}
		}
		if time.Now().After(until) {
			t.Fatalf("case %s has no intake deadline after 15 s: %v", id, resp.GetCase().GetDeadlines())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The administrator changes West-Vlaanderen's intake decision from 5 to 7
// working days, after the API refused a 0, a negative number and an
// address that is not one, each next to its field. A case submitted
// afterwards gets 7 working days; one submitted before keeps its date.
// West-Vlaanderen is this test's alone, and its policy is put back after.
func TestAdminChangesARegionsDeadline(t *testing.T) {
	a := startApp(t)
	const region = "WEST_VLAANDEREN"
	ctx := context.Background()
	original, _, err := a.DB.GetPolicy(ctx, region)
	if err != nil {
		t.Fatal(err)
	}
	if original.IntakeDays != 5 {
		t.Fatalf("West-Vlaanderen starts with %d days for the intake, want the default 5", original.IntakeDays)
	}
	t.Cleanup(func() {
		if err := a.DB.PutPolicy(context.Background(), region, uuid.NewString(), original, "admin_test", time.Now()); err != nil {
			t.Errorf("putting West-Vlaanderen's policy back: %v", err)
		}
	})
	submitter := a.as(t, "Wout Declercq")
	before := a.submit(t, "Wout Declercq", "Mila")
	beforeSubmitted, beforeDue := intakeDue(t, a, submitter, before)
	cal := calendar.Calendar{}
	if want := cal.AddWorkingDays(beforeSubmitted, 5); !beforeDue.Equal(want) {
		t.Fatalf("intake due %s before the change, want 5 working days: %s", beforeDue, want)
	}

	tab := a.signIn(t, "Bart Wouters")
	wantText(t, tab, "Termijnen per regio", "Oost-Vlaanderen", "West-Vlaanderen")
	b.CheckA11y(t, tab)
	browser.Click(t, tab, "West-Vlaanderen")
	wantText(t, tab, "Termijnen van West-Vlaanderen", "Nog nooit gewijzigd",
		"Termijnen die al lopen, behouden hun datum", "De adressen van de tandem en de regionale manager gelden meteen")
	b.CheckA11y(t, tab)
	if got := browser.Eval[string](t, tab, `document.querySelector("#veld-policy-intake_days").value`); got != "5" {
		t.Fatalf("the form shows %q days for the intake, want the policy's 5", got)
	}

	browser.FillCSS(t, tab, "#veld-policy-intake_days", "0")
	browser.FillCSS(t, tab, "#veld-policy-consult_days", "-2")
	browser.FillCSS(t, tab, "#veld-policy-tandem_emails-0", "tandem@vclb-brugge.be")
	browser.Click(t, tab, "Nog een adres voor de tandem")
	browser.FillCSS(t, tab, "#veld-policy-tandem_emails-1", "tandem-vclb-brugge")
	browser.Click(t, tab, "Beleid opslaan")
	if got := browser.Title(t, tab); !strings.HasPrefix(got, "Fout: ") {
		t.Errorf("title after the mistakes %q, want it to start with Fout:", got)
	}
	wantText(t, tab, "3 problemen met wat u invulde")
	for css, want := range map[string]string{
		"#veld-policy-intake_days-fout":     "Intakebeslissing na de aanmelding (werkdagen): moet van 1 tot 60 zijn (nu 0)",
		"#veld-policy-consult_days-fout":    "moet van 1 tot 60 zijn (nu -2)",
		"#veld-policy-tandem_emails-1-fout": `"tandem-vclb-brugge" is geen gewoon e-mailadres`,
	} {
		if got := browser.Text(t, tab, css); !strings.Contains(got, want) {
			t.Errorf("%s says %q, want %q", css, got, want)
		}
	}
	if got := browser.Eval[string](t, tab, `document.querySelector("#veld-policy-tandem_emails-0").value`); got != "tandem@vclb-brugge.be" {
		t.Errorf("what was typed is not kept: the first address is %q", got)
	}
	b.CheckA11y(t, tab)
	if p, _, _ := a.DB.GetPolicy(ctx, region); p.IntakeDays != 5 || p.ConsultDays != 10 {
		t.Fatalf("a refused form changed the policy: %+v", p)
	}

	browser.FillCSS(t, tab, "#veld-policy-intake_days", "7")
	browser.FillCSS(t, tab, "#veld-policy-consult_days", "10")
	browser.FillCSS(t, tab, "#veld-policy-tandem_emails-1", "")
	browser.Click(t, tab, "Beleid opslaan")
	wantText(t, tab, "Het beleid is opgeslagen", "Laatst gewijzigd op")
	if got := browser.Eval[string](t, tab, `document.querySelector("#veld-policy-intake_days").value`); got != "7" {
		t.Errorf("after saving the form shows %q days for the intake, want 7", got)
	}
	b.CheckA11y(t, tab)
	p, _, err := a.DB.GetPolicy(ctx, region)
	if err != nil || p.IntakeDays != 7 || p.ConsultDays != 10 || !slices.Equal(p.TandemEmails, []string{"tandem@vclb-brugge.be"}) {
		t.Fatalf("stored policy %+v (%v), want 7 days for the intake and the one address", p, err)
	}

	after := a.submit(t, "Wout Declercq", "Noor")
	afterSubmitted, afterDue := intakeDue(t, a, submitter, after)
	if want := cal.AddWorkingDays(afterSubmitted, 7); !afterDue.Equal(want) {
		t.Errorf("intake of a case submitted after the change due %s, want 7 working days: %s", afterDue, want)
	}
	if _, due := intakeDue(t, a, submitter, before); !due.Equal(beforeDue) {
		t.Errorf("the running intake deadline moved from %s to %s", beforeDue, due)
	}
}

// The administrator adds an organisation with an offer to the sociale
// kaart (the API's objections next to the fields first), finds the offer
// by a search, edits it and the organisation, and deactivates the
// organisation after confirming: then only the filter for inactive ones
// finds the offer, marked as such, until the organisation is made active
// again.
func TestAdminKeepsTheSocialeKaart(t *testing.T) {
	a := startApp(t)
	tab := a.signIn(t, "Bart Wouters")
	a.visit(t, tab, "/sociale-kaart")
	browser.Click(t, tab, "Nieuwe organisatie toevoegen")
	b.CheckA11y(t, tab)
	browser.FillCSS(t, tab, "#veld-organisation-display_name", "Jongerenwerking De Vuurtoren")
	browser.FillCSS(t, tab, "#veld-organisation-kind", "schoolexterne interventie (time-out, NAFT)")
	browser.FillCSS(t, tab, "#veld-organisation-contacts-0-display_name", "Lies Vandamme")
	browser.FillCSS(t, tab, "#veld-organisation-contacts-0-role", "trajectbegeleider")
	browser.FillCSS(t, tab, "#veld-organisation-contacts-0-email", "lies.vandamme-vuurtoren")
	browser.Click(t, tab, "Organisatie toevoegen")
	wantText(t, tab, "2 problemen met wat u invulde")
	for css, want := range map[string]string{
		"#veld-organisation-regions-fout":          "Regio's waarin de organisatie werkt: kies minstens één regio",
		"#veld-organisation-contacts-0-email-fout": "E-mailadres van de contactpersoon (1): geef een gewoon e-mailadres",
	} {
		if got := browser.Text(t, tab, css); !strings.Contains(got, want) {
			t.Errorf("%s says %q, want %q", css, got, want)
		}
	}
	b.CheckA11y(t, tab)
	browser.Click(t, tab, "West-Vlaanderen")
	browser.FillCSS(t, tab, "#veld-organisation-contacts-0-email", "lies.vandamme@vuurtoren-brugge.be")
	browser.Click(t, tab, "Organisatie toevoegen")
	wantText(t, tab, "De organisatie staat in de sociale kaart", "Jongerenwerking De Vuurtoren",
		"schoolexterne interventie", "West-Vlaanderen", "Lies Vandamme", "Nog geen aanbod")
	b.CheckA11y(t, tab)
	orgPage := strings.TrimPrefix(strings.SplitN(browser.URL(t, tab), "?", 2)[0], a.URL)

	browser.Click(t, tab, "Nieuw aanbod toevoegen")
	b.CheckA11y(t, tab)
	browser.FillCSS(t, tab, "#veld-offer-display_name", "Zeilproject voor thuiszitters")
	browser.FillCSS(t, tab, "#veld-offer-description", "Tien weken zeilen en boten herstellen met een vaste begeleider, als brug terug naar school.")
	browser.Click(t, tab, "12 en ouder")
	browser.Click(t, tab, "afwezigheid/thuiszitten")
	browser.FillCSS(t, tab, "#veld-offer-waiting_weeks", "4")
	browser.Click(t, tab, "Aanbod toevoegen")
	wantText(t, tab, "Het aanbod staat in de sociale kaart", "Zeilproject voor thuiszitters", "4 weken", "12 en ouder")
	b.CheckA11y(t, tab)

	a.visit(t, tab, "/sociale-kaart")
	browser.FillCSS(t, tab, "#zoek", "zeilproject")
	browser.FillCSS(t, tab, "#regio", "West-Vlaanderen")
	browser.Click(t, tab, "Zoeken")
	wantText(t, tab, "Zeilproject voor thuiszitters", "Jongerenwerking De Vuurtoren")
	b.CheckA11y(t, tab)
	browser.FillCSS(t, tab, "#zoek", "spijbelaars")
	browser.Click(t, tab, "Zoeken")
	wantText(t, tab, "Geen aanbod gevonden voor deze zoekopdracht")

	browser.FillCSS(t, tab, "#zoek", "zeilproject")
	browser.Click(t, tab, "Zoeken")
	browser.Click(t, tab, "Zeilproject voor thuiszitters")
	browser.FillCSS(t, tab, "#veld-offer-waiting_weeks", "-1")
	browser.Click(t, tab, "Wijzigingen opslaan")
	if got := browser.Text(t, tab, "#veld-offer-waiting_weeks-fout"); !strings.Contains(got, "Wachttijd in weken: moet van 0 tot 520 weken zijn (nu -1)") {
		t.Errorf("message next to the waiting time %q", got)
	}
	b.CheckA11y(t, tab)
	browser.FillCSS(t, tab, "#veld-offer-waiting_weeks", "6")
	browser.FillCSS(t, tab, "#veld-offer-display_name", "Zeilproject voor thuiszitters en spijbelaars")
	browser.Click(t, tab, "Wijzigingen opslaan")
	wantText(t, tab, "De wijzigingen aan het aanbod zijn opgeslagen", "Zeilproject voor thuiszitters en spijbelaars", "6 weken")
	b.CheckA11y(t, tab)

	browser.Click(t, tab, "Jongerenwerking De Vuurtoren")
	browser.FillCSS(t, tab, "#veld-organisation-display_name", "Jongerenwerking De Vuurtoren Brugge")
	browser.Click(t, tab, "Wijzigingen opslaan")
	wantText(t, tab, "De wijzigingen aan de organisatie zijn opgeslagen", "Jongerenwerking De Vuurtoren Brugge", "Lies Vandamme")
	browser.Click(t, tab, "Organisatie deactiveren")
	if got := browser.Text(t, tab, "#veld-deactiveren-bevestig-fout"); !strings.Contains(got, "Bevestig") {
		t.Fatalf("message next to the confirmation %q", got)
	}
	if h := browser.Text(t, tab, "h1"); strings.Contains(h, "niet actief") {
		t.Fatalf("deactivated without the confirmation: %q", h)
	}
	b.CheckA11y(t, tab)
	browser.Click(t, tab, "Ja, deactiveer deze organisatie en haar aanbod.")
	browser.Click(t, tab, "Organisatie deactiveren")
	wantText(t, tab, "De organisatie is gedeactiveerd", "niet actief", "Weer actief maken")
	b.CheckA11y(t, tab)

	a.visit(t, tab, "/sociale-kaart?zoek=zeilproject&regio=WEST_VLAANDEREN")
	wantText(t, tab, "Geen aanbod gevonden voor deze zoekopdracht")
	if strings.Contains(text(t, tab), "De Vuurtoren") {
		t.Fatalf("the deactivated organisation is still listed:\n%s", text(t, tab))
	}
	browser.Click(t, tab, "Toon ook niet-actieve")
	browser.Click(t, tab, "Zoeken")
	wantText(t, tab, "Zeilproject voor thuiszitters en spijbelaars", "niet actief: de organisatie is gedeactiveerd",
		"Jongerenwerking De Vuurtoren Brugge")
	b.CheckA11y(t, tab)

	a.visit(t, tab, orgPage)
	browser.Click(t, tab, "Weer actief maken")
	wantText(t, tab, "De organisatie is weer actief", "Organisatie deactiveren")
	if h := browser.Text(t, tab, "h1"); strings.Contains(h, "niet actief") {
		t.Errorf("still marked inactive after reactivating: %q", h)
	}
}
