package web_test

import (
	"context"
	"testing"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// The new-case form sent twice at once (a double click, a browser's
// retry) makes one case: both posts carry the form's request_id.
func TestNewCaseSentTwiceMakesOneCase(t *testing.T) {
	a := startApp(t)
	tab := a.signIn(t, "Karim El Amrani")
	a.visit(t, tab, "/aanmeldingen/nieuw")
	browser.Click(t, tab, "jeugdhulp")
	for id, v := range map[string]string{
		"#veld-young_person-alias": "Mats", "#veld-young_person-birth_year": "2014", "#veld-young_person-birth_month": "juni",
		"#veld-young_person-school_level": "lager onderwijs", "#veld-young_person-school": "Basisschool De Regenboog",
		"#veld-young_person-municipality": "Lokeren", "#veld-blocked": "Durft niet meer naar school.", "#veld-tried-0": "Thuisbegeleiding",
	} {
		browser.FillCSS(t, tab, id, v)
	}
	for _, label := range []string{"afwezigheid/thuiszitten", "Het CLB loopt vast", "De jeugdhulp loopt vast", "De jongere en de ouders zijn ingelicht"} {
		browser.Click(t, tab, label)
	}
	statuses := browser.Eval[[]string](t, tab, `(async () => {
		const form = document.querySelector("form[action='/aanmeldingen/nieuw']");
		const send = () => fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)), redirect: "manual"}).then(r => r.type + " " + r.status);
		return await Promise.all([send(), send()]);
	})()`)
	if len(statuses) != 2 || statuses[0] != "opaqueredirect 0" || statuses[1] != "opaqueredirect 0" {
		t.Fatalf("the two posts answered %v, want two redirects to the case", statuses)
	}
	cases, err := a.DB.ListCases(t.Context(), store.CaseFilter{OrgName: "Jeugdhulp Oost-Vlaanderen"}, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if c.YoungPerson.Alias == "Mats" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d cases for Mats, want 1", n)
	}
}

// A step sent from two tabs is done once: the second tab's page was made
// before the first step, and gets the Dutch message that the step no
// longer fits, with the case as it stands now.
func TestStepFromTwoTabsIsDoneOnce(t *testing.T) {
	a := startApp(t)
	id := a.submit(t, "Sofie Peeters", "Lien")
	first, second := a.signIn(t, "Tom Janssens"), a.signIn(t, "Tom Janssens")
	a.visit(t, first, "/dossiers/"+id)
	waitForStage(t, first, "intake")
	a.visit(t, second, "/dossiers/"+id)
	for _, tab := range []context.Context{first, second} {
		browser.Click(t, tab, "aanvaarden")
		browser.Click(t, tab, "Beslissing vastleggen")
	}
	wantText(t, first, "De intakebeslissing is vastgelegd")
	wantText(t, second, "Deze stap past niet (meer) bij de fase van het dossier")
	b.CheckA11y(t, second)
	if got := browser.Text(t, second, ".fase"); got != "consult" {
		t.Errorf("the second tab shows stage %q, want consult", got)
	}
	events, err := a.Cases.ListCaseEvents(a.as(t, "Tom Janssens"), &rotsv1.ListCaseEventsRequest{Parent: "cases/" + id, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, e := range events.GetEvents() {
		if e.GetKind() == "intake.accepted" {
			accepted++
		}
	}
	if accepted != 1 {
		t.Errorf("%d intake.accepted events, want 1", accepted)
	}
}
