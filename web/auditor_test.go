package web_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// The auditor finds the tandem's read of a case in the access log by the
// case's reference, with who, what and why; narrows it by person and
// purpose; checks that the chain is intact; and gives the case's export,
// readable and as the JSON document to download.
func TestAuditorFindsTheRead(t *testing.T) {
	a := startApp(t)
	id := a.submit(t, "Sofie Peeters", "Lina")
	tom := a.signIn(t, "Tom Janssens")
	a.visit(t, tom, "/dossiers/"+id)
	reference := strings.TrimPrefix(browser.Text(t, tom, "h1"), "Dossier ")

	els := a.signIn(t, "Els Vermeulen")
	if !strings.HasSuffix(browser.URL(t, els), "/toegangslog") {
		t.Fatalf("the auditor's home is %s, want /toegangslog", browser.URL(t, els))
	}
	b.CheckA11y(t, els)
	// A reference as people write it: without ROTS-, in lower case.
	browser.Fill(t, els, "Dossierreferentie (niet verplicht)", strings.ToLower(strings.TrimPrefix(reference, "ROTS-")))
	browser.Click(t, els, "Zoeken")
	wantText(t, els, "Gevonden vermeldingen", "tandem.oost-vlaanderen@rots.local", "dossier bekeken GetCase", "opvolging",
		"sofie.peeters@vclb-gent.be", "SubmitCase", "behandeling")
	if strings.Contains(browser.URL(t, els), "rots.local") || strings.Contains(browser.URL(t, els), "?") {
		t.Errorf("the search is in the address: %s", browser.URL(t, els))
	}
	b.CheckA11y(t, els)
	rows := browser.Eval[[]string](t, els, `[...document.querySelectorAll("tbody tr")].map(tr => tr.cells[2].textContent.trim())`)
	for _, r := range rows {
		if !strings.HasPrefix(r, reference) {
			t.Errorf("an entry of another case %q among those of %s", r, reference)
		}
	}

	// The tandem's reads only: by person and purpose.
	browser.Fill(t, els, "Persoon (e-mailadres) (niet verplicht)", "tandem.oost-vlaanderen@rots.local")
	browser.Fill(t, els, "Waarom", "opvolging (het dossier gelezen)")
	browser.Click(t, els, "Zoeken")
	entries := browser.Eval[[]string](t, els, `[...document.querySelectorAll("tbody tr")].map(tr => [1, 3, 4].map(i => tr.cells[i].textContent.trim()).join(" | "))`)
	if len(entries) == 0 || !slices.Contains(entries, "tandem.oost-vlaanderen@rots.local (tandem) | dossier bekeken GetCase | opvolging") {
		t.Errorf("by person and purpose, no GetCase by the tandem: %q", entries)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e, "tandem.oost-vlaanderen@rots.local (tandem) | ") || !strings.HasSuffix(e, " | opvolging") {
			t.Errorf("by person and purpose, entry %q", e)
		}
	}
	// A period that ends before it starts: the API's objection next to the field.
	browser.Fill(t, els, "Vanaf (dag) (niet verplicht)", "2026-12-10")
	browser.Fill(t, els, "Tot en met (dag) (niet verplicht)", "2026-12-01")
	browser.Click(t, els, "Zoeken")
	if msg := browser.Text(t, els, "#veld-zoek-to_time-fout"); !strings.Contains(msg, "na het begin van de periode") {
		t.Errorf("the message next to the period's end: %q", msg)
	}
	b.CheckA11y(t, els)

	browser.Click(t, els, "Keten nakijken")
	wantText(t, els, "De keten is intact.")
	b.CheckA11y(t, els)

	// The subject-access export, from the log's link to it.
	a.visit(t, els, "/inzage")
	browser.Fill(t, els, "Dossierreferentie", reference)
	browser.Click(t, els, "Dossier opvragen")
	wantText(t, els, "Inzage in dossier "+reference, "Het dossier", "Roepnaam of alias van de jongere", "Lina",
		"Tijdlijn", "Toegangslog", "tandem.oost-vlaanderen@rots.local", "Aangemeld")
	b.CheckA11y(t, els)
	got := browser.Eval[[]string](t, els, `(async () => {
		const r = await fetch(document.querySelector("a[href$='export.json']").href);
		return [String(r.status), r.headers.get("content-type"), r.headers.get("content-disposition"), await r.text()];
	})()`)
	if got[0] != "200" || !strings.HasPrefix(got[1], "application/json") || got[2] != `attachment; filename="inzage-`+reference+`.json"` {
		t.Fatalf("the download: %q", got[:3])
	}
	var doc struct {
		Case struct {
			Reference string `json:"reference"`
		} `json:"case"`
		AccessLog []struct {
			Actor, Action string
		} `json:"access_log"`
	}
	if err := json.Unmarshal([]byte(got[3]), &doc); err != nil {
		t.Fatalf("the download is not JSON: %v", err)
	}
	if doc.Case.Reference != reference || len(doc.AccessLog) < 2 {
		t.Errorf("the download is of case %q with %d access-log entries, want %s", doc.Case.Reference, len(doc.AccessLog), reference)
	}
	// An unknown reference is said next to the field.
	browser.Fill(t, els, "Dossierreferentie", "ROTS-00000000")
	browser.Click(t, els, "Dossier opvragen")
	wantText(t, els, "Er is geen dossier met deze referentie")
	b.CheckA11y(t, els)
}
