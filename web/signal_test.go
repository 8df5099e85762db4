package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// A manager drafts a signal and cannot approve it; a second manager of the
// region approves it and marks it sent; the frozen figures show a hidden
// figure as "x"; the exports download as attachments.
func TestSignalDraftedApprovedAndSent(t *testing.T) {
	a := startApp(t)
	// A youth-care case of this month: a count below the threshold, so the
	// table by kind of submitter has a hidden figure.
	submitYouthCare(t, a)

	pieter := a.signIn(t, "Pieter De Smet")
	a.visit(t, pieter, "/signalen")
	browser.Click(t, pieter, "Nieuw signaal opstellen")
	b.CheckA11y(t, pieter)
	title := "Thuiszitters zonder aanbod " + uuid.NewString()[:8]
	browser.Fill(t, pieter, "Titel", title)
	browser.FillCSS(t, pieter, "#veld-signal-text", "Jongeren wachten maanden op een aanbod buiten de school.")
	browser.Click(t, pieter, "Signaal opstellen")
	// No table chosen: the API's objection next to the field, in Dutch,
	// with what was typed kept.
	wantText(t, pieter, "Tabellen met cijfers: kies minstens één tabel")
	b.CheckA11y(t, pieter)
	if got := browser.Eval[string](t, pieter, `document.querySelector("#veld-signal-title").value`); got != title {
		t.Errorf("the title came back as %q", got)
	}
	if !strings.HasPrefix(browser.Title(t, pieter), "Fout: ") {
		t.Errorf("the title of the form with a problem is %q", browser.Title(t, pieter))
	}
	browser.Click(t, pieter, "soort aanmelder")
	browser.Click(t, pieter, "fase")
	browser.Click(t, pieter, "Signaal opstellen")
	wantText(t, pieter, "Het signaal is opgesteld", title, "concept", "Dossiers per aanmelder", "Dossiers per fase",
		"Jongeren wachten maanden op een aanbod buiten de school.", "Een x is een verborgen cijfer")
	b.CheckA11y(t, pieter)
	id := signalID(t, pieter, a)

	// The page shows the figures as they were frozen, hidden ones as x.
	sig, err := signals.New(a.DB).GetSignal(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	shown := browser.Eval[[][][]string](t, pieter, `[...document.querySelectorAll("table.signaalcijfers")].map(t =>
		[...t.querySelectorAll("tbody tr, tfoot tr")].map(r => [...r.querySelectorAll("td")].map(td => td.textContent.trim())))`)
	hidden := 0
	if len(shown) != len(sig.Figures) {
		t.Fatalf("%d tables shown, %d frozen", len(shown), len(sig.Figures))
	}
	for i, ft := range sig.Figures {
		want := frozenCells(ft)
		if fmt.Sprint(shown[i]) != fmt.Sprint(want) {
			t.Errorf("table %s shows %v, frozen %v", ft.Title, shown[i], want)
		}
		hidden += strings.Count(fmt.Sprint(want), "x (verborgen)")
	}
	if hidden == 0 {
		t.Errorf("no hidden figure in %v", shown)
	}

	// Four eyes: the author's approval is refused, in Dutch.
	browser.Click(t, pieter, "Signaal goedkeuren")
	wantText(t, pieter, "U hebt dit signaal zelf opgesteld en kunt het dus niet goedkeuren")
	b.CheckA11y(t, pieter)
	if got := browser.Text(t, pieter, ".signaalstatus"); got != "concept" {
		t.Errorf("after the author's approval the state is %q", got)
	}

	hilde := a.signIn(t, "Hilde Verbeke")
	a.visit(t, hilde, "/signalen")
	wantText(t, hilde, title, "concept", "manager.oost-vlaanderen@rots.local")
	browser.Click(t, hilde, title)
	b.CheckA11y(t, hilde)
	browser.Click(t, hilde, "Signaal goedkeuren")
	wantText(t, hilde, "Het signaal is goedgekeurd.", "Goedgekeurd", "manager2.oost-vlaanderen@rots.local")
	b.CheckA11y(t, hilde)
	if got := browser.Text(t, hilde, ".signaalstatus"); got != "goedgekeurd" {
		t.Errorf("after the approval the state is %q", got)
	}

	browser.Click(t, hilde, "Vastleggen als verzonden")
	wantText(t, hilde, "Verzonden aan: dit is verplicht")
	b.CheckA11y(t, hilde)
	browser.Fill(t, hilde, "Verzonden aan", "Vlaams minister van Onderwijs")
	browser.Click(t, hilde, "Vastleggen als verzonden")
	wantText(t, hilde, "Het signaal is als verzonden vastgelegd.", "Verzonden aan Vlaams minister van Onderwijs")
	b.CheckA11y(t, hilde)
	if got := browser.Text(t, hilde, ".signaalstatus"); got != "verzonden" {
		t.Errorf("after sending the state is %q", got)
	}
	if sig, err := signals.New(a.DB).GetSignal(t.Context(), id); err != nil || sig.State != signals.SignalSent ||
		sig.Approver != "manager2.oost-vlaanderen@rots.local" || sig.Recipient != "Vlaams minister van Onderwijs" {
		t.Errorf("stored: %+v, %v", sig, err)
	}

	// The exports, as a browser downloads them.
	type download struct {
		Status                  int
		Type, Disposition, Body string
	}
	downloads := browser.Eval[[]download](t, hilde, `Promise.all([...document.querySelectorAll("a[href*='/download/']")].map(async a => {
		const r = await fetch(a.href);
		return {status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition"), body: await r.text()};
	}))`)
	if len(downloads) != 2 {
		t.Fatalf("%d downloads, want HTML and CSV", len(downloads))
	}
	for i, want := range []struct{ typ, ext, body string }{
		{"text/html; charset=utf-8", ".html", title},
		{"text/csv; charset=utf-8", ".csv", "Dossiers per aanmelder"},
	} {
		d := downloads[i]
		if d.Status != 200 || d.Type != want.typ || !strings.Contains(d.Body, want.body) {
			t.Errorf("download %d: %d %q, body %.200q", i, d.Status, d.Type, d.Body)
		}
		name, ok := strings.CutPrefix(d.Disposition, "attachment; filename=")
		if !ok || !strings.HasPrefix(name, "signaal-oost-vlaanderen-") || !strings.HasSuffix(name, want.ext) || strings.Contains(name, "manager") {
			t.Errorf("download %d: Content-Disposition %q", i, d.Disposition)
		}
	}

	a.visit(t, hilde, "/signalen?status=SENT")
	wantText(t, hilde, title, "verzonden", "manager2.oost-vlaanderen@rots.local, ")
	a.visit(t, hilde, "/signalen?status=DRAFT")
	if strings.Contains(text(t, hilde), title) {
		t.Errorf("the sent signal is listed among the drafts")
	}
}

// An approval names the version the approver read: an edit in another tab
// between reading and approving gets the approval refused, with the new
// version shown to read again.
func TestStaleSignalApprovalIsRefused(t *testing.T) {
	a := startApp(t)
	pieter := a.signIn(t, "Pieter De Smet")
	title := "Wachtlijsten jeugdhulp " + uuid.NewString()[:8]
	id := draftSignal(t, a, pieter, title)

	// A refresh of the figures on a draft.
	browser.Click(t, pieter, "Cijfers opnieuw nemen")
	wantText(t, pieter, "De cijfers zijn opnieuw genomen.", "Cijfers opnieuw genomen")

	hilde := a.signIn(t, "Hilde Verbeke")
	a.visit(t, hilde, "/signalen/"+id)

	edited := title + " (herwerkt)"
	a.visit(t, pieter, "/signalen/"+id)
	browser.FillCSS(t, pieter, "#veld-wijzigen-signal-title", edited)
	browser.Click(t, pieter, "Wijzigingen opslaan")
	wantText(t, pieter, "Het signaal is gewijzigd.", edited)

	browser.Click(t, hilde, "Signaal goedkeuren")
	wantText(t, hilde, "Iemand heeft het signaal gewijzigd nadat u het opende. Het is niet goedgekeurd.", edited)
	b.CheckA11y(t, hilde)
	if sig, err := signals.New(a.DB).GetSignal(t.Context(), id); err != nil || sig.State != signals.SignalDraft {
		t.Fatalf("after a stale approval: %+v, %v", sig, err)
	}
	// Read again, approved.
	browser.Click(t, hilde, "Signaal goedkeuren")
	wantText(t, hilde, "Het signaal is goedgekeurd.")
	if sig, err := signals.New(a.DB).GetSignal(t.Context(), id); err != nil || sig.State != signals.SignalApproved || sig.Title != edited {
		t.Errorf("after the approval: %+v, %v", sig, err)
	}
	// An approved signal is no longer edited.
	if strings.Contains(text(t, hilde), "Wijzigingen opslaan") {
		t.Errorf("the approved signal still offers the edit form")
	}

	// Signals are the managers': the tandem gets the same page as for a
	// signal that does not exist, and no list.
	tom := a.signIn(t, "Tom Janssens")
	for _, path := range []string{"/signalen/" + id, "/signalen/" + id + "/download/csv"} {
		if status := browser.Navigate(t, tom, a.URL+path); status != http.StatusNotFound {
			t.Errorf("the tandem at %s: status %d, want 404", path, status)
		}
		wantText(t, tom, "Niet gevonden")
	}
	b.CheckA11y(t, tom)
	if status := browser.Navigate(t, tom, a.URL+"/signalen"); status != http.StatusForbidden {
		t.Errorf("the tandem's list of signals: status %d, want 403", status)
	}
	wantText(t, tom, "Geen toegang")
}

// The draft form sent twice at once is one signal: both posts carry the
// form's request_id.
func TestNewSignalSentTwiceMakesOne(t *testing.T) {
	a := startApp(t)
	an := a.signIn(t, "An Claes")
	a.visit(t, an, "/signalen/nieuw")
	title := "Vlaanderen: doorbraken " + uuid.NewString()[:8]
	browser.Click(t, an, "Limburg")
	browser.Click(t, an, "lopende escalaties")
	browser.Fill(t, an, "Titel", title)
	statuses := browser.Eval[[]string](t, an, `(async () => {
		const form = document.querySelector("form[action='/signalen/nieuw']");
		const send = () => fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)), redirect: "manual"}).then(r => r.type + " " + r.status);
		return await Promise.all([send(), send()]);
	})()`)
	if len(statuses) != 2 || statuses[0] != "opaqueredirect 0" || statuses[1] != "opaqueredirect 0" {
		t.Fatalf("the two posts answered %v, want two redirects to the signal", statuses)
	}
	all, err := signals.New(a.DB).ListSignals(t.Context(), signals.SignalFilter{AnyRegion: true}, nil, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range all {
		if s.Title == title {
			n++
			if s.Region != "LIMBURG" {
				t.Errorf("the signal is about %q, want LIMBURG", s.Region)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d signals titled %q, want 1", n, title)
	}
}

// draftSignal drafts a signal on the form and returns its ID.
func draftSignal(t *testing.T, a *app, tab context.Context, title string) string {
	t.Helper()
	a.visit(t, tab, "/signalen/nieuw")
	browser.Fill(t, tab, "Titel", title)
	browser.Click(t, tab, "thema")
	browser.Click(t, tab, "Signaal opstellen")
	wantText(t, tab, "Het signaal is opgesteld", title)
	return signalID(t, tab, a)
}

// signalID is the ID of the signal whose page the tab shows; the address
// holds nothing else.
func signalID(t *testing.T, tab context.Context, a *app) string {
	t.Helper()
	u, err := url.Parse(browser.URL(t, tab))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := strings.CutPrefix(u.Path, "/signalen/")
	if _, err := uuid.Parse(id); !ok || err != nil || (u.RawQuery != "" && u.RawQuery != "gedaan=opgesteld") {
		t.Fatalf("the signal's address is %s", u)
	}
	return id
}

// frozenCells are a frozen table's cells as the page should show them,
// row by row, the column totals last.
func frozenCells(t signals.FigureTable) [][]string {
	rowTotals := false
	for _, r := range t.Rows {
		rowTotals = rowTotals || r.Total != nil
	}
	var out [][]string
	for _, r := range t.Rows {
		var row []string
		for _, c := range r.Cells {
			row = append(row, shownFigure(&c))
		}
		if rowTotals {
			row = append(row, shownFigure(r.Total))
		}
		out = append(out, row)
	}
	if len(t.ColumnTotals) > 0 {
		var row []string
		for _, c := range t.ColumnTotals {
			row = append(row, shownFigure(&c))
		}
		if rowTotals {
			row = append(row, shownFigure(t.Total))
		}
		out = append(out, row)
	}
	return out
}

func shownFigure(f *signals.Figure) string {
	switch {
	case f == nil:
		return ""
	case f.Suppressed:
		return "x (verborgen)"
	case f.Count != nil:
		return strconv.FormatInt(*f.Count, 10) // the test's counts are below 1.000
	case f.Measure != nil:
		return strings.Replace(strconv.FormatFloat(*f.Measure, 'f', -1, 64), ".", ",", 1)
	}
	return "–"
}

// submitYouthCare submits a case of youth care in Oost-Vlaanderen through
// the API.
func submitYouthCare(t *testing.T, a *app) {
	t.Helper()
	_, err := a.Cases.SubmitCase(a.as(t, "Karim El Amrani"), &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region_REGION_OOST_VLAANDEREN,
		SubmittingOrganisation: &rotsv1.Organisation{Name: "Jeugdhulp Oost-Vlaanderen", Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_YOUTH_CARE},
		Contact:                &rotsv1.ContactPerson{Name: "Karim El Amrani", Email: "karim.elamrani@jeugdhulp-ovl.be"},
		YoungPerson: &rotsv1.YoungPerson{Alias: "Yara", BirthYear: 2011, BirthMonth: 3, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			School: "Sint-Lodewijkscollege", Municipality: "Lokeren"},
		Blocked:     "Wacht al maanden op een plaats in de jeugdhulp.",
		Tried:       []string{"Aanmelding bij de jeugdhulp"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_WAITING_LIST_YOUTH_CARE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
}
