package web

import "testing"

// Every page's template parses with the layout and the shared parts.
func TestPagesParse(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fout", "afgemeld", "verlopen", "toegankelijkheid", "aanmeldingen", "werkbak", "nieuw", "dossier", "berichten",
		"dashboard", "overzicht", "signalen", "signaal", "signaal_nieuw", "beleid", "beleid_regio", "sociale_kaart", "organisatie", "aanbod",
		"tafels", "tafel", "toegangslog", "inzage"} {
		if p.byName[name] == nil {
			t.Errorf("no page %q", name)
		}
	}
}
