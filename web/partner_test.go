package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// A partner at the table finds the case among their organisation's
// tables, with the meeting and its invitation to download, marks their
// agreement done (after a blocked one without a reason came back with the
// message next to the field), and the tandem's case page shows it done.
// Once the consent is withdrawn the partner's door is closed at once.
func TestPartnerMarksAgreementDone(t *testing.T) {
	a := startApp(t)
	id := a.submit(t, "Sofie Peeters", "Mila")
	name := "cases/" + id
	tandem := a.as(t, "Tom Janssens")
	a.toTable(t, tandem, name,
		&rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: "Time-out De Brug", Name: "Ines Willems",
			Email: "ines.willems@timeout-debrug.be", Role: "time-outcoach"},
		&rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARENTS, Role: "moeder"},
	)
	day := time.Now().In(calendar.Brussels).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, calendar.Brussels)
	due := time.Now().AddDate(0, 0, 21).Format("2006-01-02")
	a.toFollowUp(t, tandem, name, start, "VCLB Gent, Overpoortstraat", "Halve dagen school met een time-outtraject",
		&rotsv1.Agreement{Action: "Gesprek met de school", OwnerOrganisation: "VCLB Gent", DueDate: due},
		&rotsv1.Agreement{Action: "Time-outtraject starten", OwnerOrganisation: "Time-out De Brug", DueDate: due},
	)

	partner := a.signIn(t, "Ines Willems")
	if !strings.HasSuffix(browser.URL(t, partner), "/tafels") {
		t.Fatalf("the partner's home is %s, want /tafels", browser.URL(t, partner))
	}
	b.CheckA11y(t, partner)
	reference := browser.Text(t, partner, `a[href="/tafels/`+id+`"]`)
	wantText(t, partner, "Mijn overlegtafels", "Mila", dutch.DateTime(start))
	browser.Click(t, partner, reference)
	// The agreement's form is there once the workflow is in follow-up, and
	// the invitation once its notification is written.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(text(t, partner), "De uitnodiging in uw agenda zetten") || !strings.Contains(text(t, partner), "Nieuwe stand van afspraak 2") {
		if time.Now().After(deadline) {
			t.Fatalf("no invitation or agreement form on the partner's page:\n%s", text(t, partner))
		}
		time.Sleep(200 * time.Millisecond)
		browser.Navigate(t, partner, a.URL+"/tafels/"+id)
	}
	wantText(t, partner, "Overlegtafel "+reference, "Komt al weken niet meer naar school", dutch.DateTime(start), "VCLB Gent, Overpoortstraat",
		"Halve dagen school met een time-outtraject", "Afspraak 2: Time-outtraject starten", "Andere afspraken", "Gesprek met de school")
	if page := text(t, partner); strings.Contains(page, "sofie.peeters") || strings.Contains(page, "Begeleiding door het CLB") {
		t.Errorf("the partner sees more than the need-to-know view:\n%s", page)
	}
	if n := browser.Eval[int](t, partner, `document.querySelectorAll("form[action*='/afspraken/']").length`); n != 1 {
		t.Errorf("%d agreement forms, want 1: the other organisation's agreement is not the partner's to change", n)
	}
	b.CheckA11y(t, partner)
	ics := browser.Eval[[]string](t, partner, `(async () => {
		const r = await fetch(document.querySelector("a[href$='uitnodiging.ics']").href);
		return [String(r.status), r.headers.get("content-type"), r.headers.get("content-disposition"), await r.text()];
	})()`)
	if ics[0] != "200" || !strings.HasPrefix(ics[1], "text/calendar") || !strings.HasPrefix(ics[2], "attachment") ||
		!strings.Contains(ics[3], "BEGIN:VCALENDAR") || !strings.Contains(ics[3], "DTSTART:"+start.UTC().Format("20060102T150405Z")) {
		t.Errorf("the invitation download: %q", ics)
	}

	// Blocked without saying why: the API's objection, in Dutch, next to
	// the field.
	browser.Click(t, partner, "geblokkeerd")
	browser.Click(t, partner, "Opslaan voor afspraak 2")
	if msg := browser.Text(t, partner, "#veld-afspraak-1-blocked_reason-fout"); !strings.Contains(msg, "verplicht") {
		t.Errorf("the message next to the reason: %q", msg)
	}
	if got := browser.Title(t, partner); !strings.HasPrefix(got, "Fout: ") {
		t.Errorf("title %q, want it to start with Fout:", got)
	}
	b.CheckA11y(t, partner)
	browser.Click(t, partner, "uitgevoerd")
	browser.Click(t, partner, "Opslaan voor afspraak 2")
	wantText(t, partner, "De afspraak is bijgewerkt")
	if got := browser.Text(t, partner, ".afspraak-stand"); got != "uitgevoerd" {
		t.Errorf("the agreement stands %q, want uitgevoerd", got)
	}
	b.CheckA11y(t, partner)

	// The tandem sees it done.
	tom := a.signIn(t, "Tom Janssens")
	a.visit(t, tom, "/dossiers/"+id)
	row := browser.Eval[string](t, tom, `[...document.querySelectorAll("tr")].find(tr => tr.textContent.includes("Time-outtraject starten"))?.cells[3]?.textContent ?? ""`)
	if strings.TrimSpace(row) != "uitgevoerd" {
		t.Errorf("the tandem sees the agreement as %q, want uitgevoerd", row)
	}

	// Consent withdrawn: the partner's page and invitation are gone, and so
	// is the table from their list.
	if _, err := a.Cases.WithdrawConsent(a.as(t, "Sofie Peeters"), &rotsv1.WithdrawConsentRequest{RequestId: uuid.NewString(), Name: name,
		By: rotsv1.ConsentBy_CONSENT_BY_PARENTS}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/tafels/" + id, "/tafels/" + id + "/uitnodiging.ics"} {
		if status := browser.Navigate(t, partner, a.URL+path); status != http.StatusNotFound {
			t.Errorf("%s after the consent was withdrawn: status %d, want 404", path, status)
		}
	}
	wantText(t, partner, "Niet gevonden")
	a.visit(t, partner, "/tafels")
	if strings.Contains(text(t, partner), reference) {
		t.Errorf("the partner's list still shows %s after the consent was withdrawn", reference)
	}
}
