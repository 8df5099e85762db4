package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// tableCase submits a case as the person, for the young person and school
// given, and takes it through intake and consult to a table where Time-out
// De Brug (Ines Willems) is invited and owns the second agreement, in
// follow-up. It returns the case's ID.
func tableCase(t *testing.T, a *app, person, alias, school string) string {
	t.Helper()
	resp, err := a.Cases.SubmitCase(a.as(t, person), &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region_REGION_OOST_VLAANDEREN,
		SubmittingOrganisation: &rotsv1.Organisation{Name: "Jeugdhulp Oost-Vlaanderen", Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: "Karim El Amrani", Email: "karim.elamrani@jeugdhulp-ovl.be"},
		YoungPerson: &rotsv1.YoungPerson{Alias: alias, BirthYear: 2011, BirthMonth: 9, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			School: school, Municipality: "Zele"},
		Blocked:     "Gaat sinds de krokusvakantie niet meer naar school.",
		Tried:       []string{"Gesprekken met de leerlingbegeleiding"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	name := resp.GetCase().GetName()
	tandem := a.as(t, "Tom Janssens")
	a.toTable(t, tandem, name,
		&rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: "Time-out De Brug", Name: "Ines Willems",
			Email: "ines.willems@timeout-debrug.be", Role: "time-outcoach"},
	)
	day := time.Now().In(calendar.Brussels).AddDate(0, 0, 5)
	due := time.Now().AddDate(0, 0, 28).Format("2006-01-02")
	a.toFollowUp(t, tandem, name, time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, calendar.Brussels), "CLB Dendermonde, zaal 1", "Een time-outtraject van zes weken, daarna een proefperiode op school",
		&rotsv1.Agreement{Action: "Een school voor de proefperiode zoeken", OwnerOrganisation: "Jeugdhulp Oost-Vlaanderen", DueDate: due},
		&rotsv1.Agreement{Action: "Time-outtraject starten", OwnerOrganisation: "Time-out De Brug", DueDate: due},
	)
	id := strings.TrimPrefix(name, "cases/")
	waitForAPIStage(t, a, tandem, id, rotsv1.Stage_STAGE_FOLLOW_UP)
	return id
}

// draftSignalAPI drafts a signal about Oost-Vlaanderen as the manager,
// through the API, and returns its ID.
func draftSignalAPI(t *testing.T, a *app, manager, title string) string {
	t.Helper()
	from, to := lastYear()
	resp, err := rotsv1.NewSignalServiceClient(a.Conn).CreateSignal(a.as(t, manager), &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(),
		Signal: &rotsv1.Signal{Title: title, Text: "Jongeren wachten te lang op een time-out.", Region: rotsv1.Region_REGION_OOST_VLAANDEREN,
			FromMonth: from, ToMonth: to, FigureSections: []rotsv1.SignalFigureSection{rotsv1.SignalFigureSection_SIGNAL_FIGURE_SECTION_STAGE}}})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(resp.GetSignal().GetName(), "signals/")
}

// pageView is what a role got at an address.
type pageView struct {
	Path   string // where the browser ended, after redirects
	Title  string
	H1     string
	Alert  string
	Text   string // the main part's visible text
	Forms  int    // forms that change something (the werkbak's search does not)
	Create int    // links to a form for something new
}

const readPage = `(() => {
	const main = document.querySelector("main"), q = s => main ? main.querySelectorAll(s) : [];
	const text = e => e ? e.innerText.replace(/\s+/g, " ").trim() : "";
	return {Path: location.pathname, Title: document.title, H1: text(main && main.querySelector("h1")),
		Alert: text(main && main.querySelector("[role=alert]")), Text: text(main || document.body),
		Forms: [...q("form[method=post]")].filter(f => f.getAttribute("action") !== "/werkbak").length,
		Create: q("a[href$='/nieuw']").length};
})()`

// Each role opening another role's pages by their address gets "Niet
// gevonden" or "Geen toegang" (or the page's own refusal, "U mag …
// niet"), with none of the data the policy keeps from that role; where
// the policy lets the role read what a page shows, the page shows it
// without the forms that change it. The other roles' forms, sent with a
// real request_id taken from the page of the role they belong to, change
// nothing; sent by that role they do.
func TestRolesOnOtherRolesPages(t *testing.T) {
	a := startApp(t)
	alias, school := "Jarne", "Sint-Rombautscollege Zele"
	id := tableCase(t, a, "Karim El Amrani", alias, school)
	tandem := a.as(t, "Tom Janssens")
	got, err := a.Cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: "cases/" + id})
	if err != nil {
		t.Fatal(err)
	}
	ref := got.GetCase().GetReference()
	signalTitle := "Time-outs in Oost-Vlaanderen " + uuid.NewString()[:8]
	sig := draftSignalAPI(t, a, "Pieter De Smet", signalTitle)
	// Entries of the access log that no page of Oost-Vlaanderen shows: a
	// case of Limburg, submitted and read there.
	limburg := a.submit(t, "Annelies Vandersmissen", "Fien")
	if _, err := a.Cases.GetCase(a.as(t, "Lotte Maes"), &rotsv1.GetCaseRequest{Name: "cases/" + limburg}); err != nil {
		t.Fatal(err)
	}

	// What the policy keeps from one role or another: the case (from a
	// submitter of another organisation, from a manager; a partner's view
	// keeps the contact and what was tried), the signal (the managers'),
	// the policy's addresses, the access log (a tandem's export of a case
	// holds that case's entries only).
	var (
		caseData    = []string{alias, school, "karim.elamrani@jeugdhulp-ovl.be", "Gaat sinds de krokusvakantie", "Gesprekken met de leerlingbegeleiding"}
		partnerData = []string{caseData[2], caseData[4]}
		signalData  = []string{signalTitle}
		policyData  = []string{"tandem.oost-vlaanderen@rots.local", "manager.oost-vlaanderen@rots.local"}
		accessData  = []string{"tandem.limburg@rots.local", "annelies.vandersmissen@vclb-limburg.be", "dossier bekeken", "in een lijst van dossiers getoond"}
		notForRoles = map[string][][]string{
			"Sofie Peeters":  {caseData, signalData, policyData, accessData},
			"Tom Janssens":   {signalData, accessData[:2]},
			"Ines Willems":   {partnerData, signalData, policyData, accessData},
			"Pieter De Smet": {caseData, accessData},
			"Bart Wouters":   {caseData, signalData, accessData},
			"Els Vermeulen":  {caseData, signalData, policyData},
		}
	)

	// One tab per role. The data shows on the pages of those whose data it
	// is, so that its absence elsewhere means something: the access log
	// first, while the Limburg entries are among its newest fifty (every
	// list a person opens adds an entry per case it shows). The login page
	// and the owners' pages are checked with axe-core by their own tests.
	people := []string{"Els Vermeulen", "Sofie Peeters", "Tom Janssens", "Ines Willems", "Pieter De Smet", "Bart Wouters"}
	tabs := map[string]context.Context{"Els Vermeulen": a.signInOn(t, b.NewTab(t), "Els Vermeulen")}
	browser.Navigate(t, tabs["Els Vermeulen"], a.URL+"/toegangslog")
	wantText(t, tabs["Els Vermeulen"], accessData[:3]...) // lists are shown later
	for _, p := range people[1:] {
		tabs[p] = a.signInOn(t, b.NewTab(t), p)
	}
	for _, own := range []struct {
		person, path string
		data         []string
	}{
		{"Tom Janssens", "/dossiers/" + id, caseData},
		{"Pieter De Smet", "/signalen/" + sig, signalData},
		{"Bart Wouters", "/beleid/oost-vlaanderen", policyData},
	} {
		tab := tabs[own.person]
		browser.Navigate(t, tab, a.URL+own.path)
		wantText(t, tab, own.data...)
	}

	// Each page, whose it is, and who else the policy lets read it.
	type row struct {
		path   string
		owners []string // its own roles: not tried for them
	}
	const (
		submitter, coordinator, partner = "Sofie Peeters", "Tom Janssens", "Ines Willems"
		manager, admin, auditor         = "Pieter De Smet", "Bart Wouters", "Els Vermeulen"
	)
	rows := []row{
		{"/aanmeldingen", []string{submitter}},
		{"/aanmeldingen/nieuw", []string{submitter}},
		{"/werkbak", []string{coordinator}},
		{"/dossiers/" + id, []string{submitter, coordinator}},
		{"/tafels", []string{partner}},
		{"/tafels/" + id, []string{partner}},
		{"/dashboard", []string{manager}},
		{"/dashboard/csv?tabel=fasen", []string{manager}},
		{"/overzicht", []string{manager}},
		{"/signalen", []string{manager}},
		{"/signalen/nieuw", []string{manager}},
		{"/signalen/" + sig, []string{manager}},
		{"/beleid", []string{admin}},
		{"/beleid/oost-vlaanderen", []string{admin}},
		{"/sociale-kaart", []string{admin}},
		{"/toegangslog", []string{auditor}},
		{"/inzage?referentie=" + ref, []string{auditor}},
	}
	// reads are the pages a role may read as internal/authz has it: the
	// lists give a submitter their organisation's cases, a partner their
	// tables, a tandem and a manager the region's (the manager's without
	// personal data); a tandem and a manager read their region's policy,
	// and with a partner the sociale kaart; a tandem exports its region's
	// cases. A partner's case page is their table's.
	reads := map[string]map[string]string{
		submitter: {"/werkbak": "", "/tafels": "", "/overzicht": ""},
		coordinator: {"/aanmeldingen": "", "/tafels": "", "/tafels/" + id: "", "/overzicht": "", "/beleid": "",
			"/beleid/oost-vlaanderen": "", "/sociale-kaart": "", "/inzage?referentie=" + ref: ""},
		partner: {"/aanmeldingen": "", "/werkbak": "", "/overzicht": "", "/sociale-kaart": "", "/dossiers/" + id: "/tafels/" + id},
		manager: {"/aanmeldingen": "", "/werkbak": "", "/dossiers/" + id: "", "/tafels": "", "/tafels/" + id: "",
			"/beleid": "", "/beleid/oost-vlaanderen": "", "/sociale-kaart": ""},
	}
	leaks := func(person, where, text string) {
		t.Helper()
		for _, list := range notForRoles[person] {
			for _, s := range list {
				if strings.Contains(text, s) {
					t.Errorf("%s at %s sees %q:\n%.600s", person, where, s, text)
				}
			}
		}
	}
	tried, checked := 0, map[string]bool{}
	for _, person := range people {
		tab := tabs[person]
		for _, r := range rows {
			if slices.Contains(r.owners, person) {
				continue
			}
			tried++
			status := browser.Navigate(t, tab, a.URL+r.path)
			v := browser.Eval[pageView](t, tab, readPage)
			// Each read page with axe-core, and each kind of refusal once.
			if kind := fmt.Sprint(status, v.H1, v.Alert); status == http.StatusOK || !checked[kind] {
				checked[kind] = true
				b.CheckA11y(t, tab)
			}
			leaks(person, r.path, v.Title+"\n"+v.Text)
			if landing, ok := reads[person][r.path]; ok {
				if landing == "" {
					landing, _, _ = strings.Cut(r.path, "?")
				}
				if status != http.StatusOK || v.Path != landing {
					t.Errorf("%s at %s: status %d at %s, want 200 at %s (the policy lets them read it)", person, r.path, status, v.Path, landing)
				}
				if landing == strings.Split(r.path, "?")[0] && (v.Forms > 0 || v.Create > 0) {
					t.Errorf("%s at %s: %d forms and %d links to new things that are not theirs to use", person, r.path, v.Forms, v.Create)
				}
				continue
			}
			refused := status == http.StatusNotFound && v.H1 == "Niet gevonden" ||
				status == http.StatusForbidden && (v.H1 == "Geen toegang" || strings.HasPrefix(v.Alert, "U mag "))
			if !refused {
				t.Errorf("%s at %s: status %d, heading %q, alert %q; want Niet gevonden (404) or Geen toegang (403):\n%.300s",
					person, r.path, status, v.H1, v.Alert, v.Text)
			}
			if v.Forms > 0 {
				t.Errorf("%s at %s: refused, yet %d forms", person, r.path, v.Forms)
			}
		}
	}
	if tried < 70 {
		t.Fatalf("only %d pages tried", tried)
	}

	// The forms of a step, as the page of its role has them, with a real
	// request_id; each sent by the roles it is not for, then by its own.
	formOf := func(tab context.Context, path, js string) url.Values {
		t.Helper()
		browser.Navigate(t, tab, a.URL+path)
		m := browser.Eval[map[string]string](t, tab, `(() => { `+js+`; const d = Object.fromEntries(new FormData(f)); `+
			`if (typeof change === "function") change(d); d["@action"] = f.getAttribute("action"); return d; })()`)
		if m["request_id"] == "" {
			t.Fatalf("the form at %s has no request_id: %v", path, m)
		}
		out := url.Values{}
		for k, v := range m {
			out.Set(k, v)
		}
		return out
	}
	posts := []struct {
		what    string
		form    url.Values
		mayPost []string // the roles the step is for, first the one whose page has the form
		same    func() string
	}{
		{"an agreement marked done", formOf(tabs[partner], "/tafels/"+id, `const f = document.querySelector("form[action*='/afspraken/']");
			const change = d => { d[f.querySelector("input[type=radio][value=DONE]").name] = "DONE"; }`),
			[]string{partner, coordinator}, func() string {
				c, err := a.Cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: "cases/" + id})
				if err != nil {
					t.Fatal(err)
				}
				return c.GetCase().GetAgreements()[1].GetStatus().String()
			}},
		{"the case closed", formOf(tabs[coordinator], "/dossiers/"+id, `const f = document.querySelector("form[action$='/afsluiten']");
			const change = d => { const s = f.querySelector("select[name=reason]"); d[s.name] = [...s.options].find(o => o.value).value; }`),
			[]string{coordinator}, func() string { return storedStage(t, a, id) }},
		{"the signal approved", formOf(tabs[manager], "/signalen/"+sig, `const f = document.querySelector("form[action$='/goedkeuren']")`),
			[]string{manager}, func() string {
				s, err := signals.New(a.DB).GetSignal(t.Context(), sig)
				if err != nil {
					t.Fatal(err)
				}
				return string(s.State)
			}},
		{"the policy changed", formOf(tabs[admin], "/beleid/oost-vlaanderen", `const f = document.querySelector("main form[method=post][action='/beleid/oost-vlaanderen']");
			const change = d => { d["policy.intake_days"] = String(Number(d["policy.intake_days"]) + 3); }`),
			[]string{admin}, func() string {
				p, err := rotsv1.NewAdminServiceClient(a.Conn).GetEscalationPolicy(a.as(t, admin),
					&rotsv1.GetEscalationPolicyRequest{Name: "regions/oost-vlaanderen/escalationPolicy"})
				if err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(p.GetPolicy().GetIntakeDays(), p.GetPolicy().GetUpdateTime().AsTime())
			}},
	}
	for _, p := range posts {
		action := p.form.Get("@action")
		p.form.Del("@action")
		before := p.same()
		for _, person := range people {
			if slices.Contains(p.mayPost, person) {
				continue
			}
			resp, body := httpDo(t, http.MethodPost, a.URL+action, sessionCookieOf(t, tabs[person]).Value, p.form, nil)
			if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s sent the form for %s: %s, want 403 or 404", person, p.what, resp.Status)
			}
			leaks(person, "POST "+action, body)
			if now := p.same(); now != before {
				t.Errorf("%s sent the form for %s, and it changed: %s, was %s", person, p.what, now, before)
			}
		}
		// The policy is left alone: other tests count on its deadlines.
		if p.what == "the policy changed" {
			continue
		}
		// The form was a real one: sent by its role it does the step (the
		// signal by the second manager: its author may not approve it).
		owner := sessionCookieOf(t, tabs[p.mayPost[0]]).Value
		if p.what == "the signal approved" {
			owner, _ = goSignIn(t, a.URL, a.Issuer, "Hilde Verbeke")
		}
		resp, body := httpDo(t, http.MethodPost, a.URL+action, owner, p.form, nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the form for %s, sent by its own role after the others: %s\n%.600s", p.what, resp.Status, body)
		}
		deadline := time.Now().Add(10 * time.Second)
		for p.same() == before && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if p.same() == before {
			t.Errorf("the form for %s, sent by its own role, changed nothing", p.what)
		}
	}
}

// A list filter the API refuses comes back as the list's page with the
// message, not as an error of the application.
func TestRefusedListFilterIsSaid(t *testing.T) {
	a := startApp(t)
	tab := a.signIn(t, "Tom Janssens")
	if status := browser.Navigate(t, tab, a.URL+"/werkbak?fase=GEEN"); status != http.StatusBadRequest {
		t.Errorf("a stage that is none: status %d, want 400", status)
	}
	wantText(t, tab, "Werkbak", "Het formulier is niet volledig of niet juist ingevuld.")
	b.CheckA11y(t, tab)
}
