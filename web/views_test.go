package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// The pages show what the API gives the person, never more: a manager's
// token opens a case without personal data, a partner not invited to its
// table gets the not-found page, and neither gets the tandem's forms.
func TestPagesShowThePersonsView(t *testing.T) {
	a := startApp(t)
	id := a.submit(t, "Sofie Peeters", "Noor")

	manager := a.signIn(t, "Pieter De Smet")
	a.visit(t, manager, "/dossiers/"+id)
	page := text(t, manager)
	if !strings.Contains(page, "Dossier ROTS-") {
		t.Fatalf("the manager's case page:\n%s", page)
	}
	for _, personal := range []string{"Noor", "Atheneum Gentbrugge", "Gentbrugge", "Komt al weken niet meer naar school", "Begeleiding door het CLB", "sofie.peeters"} {
		if strings.Contains(page, personal) {
			t.Errorf("the manager's page shows %q", personal)
		}
	}
	if strings.Contains(page, "Intake beslissen") || strings.Contains(page, "De aanmelding intrekken") {
		t.Errorf("the manager's page offers steps that are not theirs:\n%s", page)
	}

	partner := a.signIn(t, "Ines Willems")
	if status := browser.Navigate(t, partner, a.URL+"/dossiers/"+id); status != http.StatusNotFound {
		t.Errorf("a partner not invited: status %d, want 404", status)
	}
	wantText(t, partner, "Niet gevonden")
	b.CheckA11y(t, partner)
}
