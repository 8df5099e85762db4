package web_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
	"github.com/rots-vlaanderen/roundtable/web"
)

// The security of the web application as a browser and an attacker's
// client see it: cross-site form posts, other people's cases, markup in
// what people type, the session cookie and its end, the response headers,
// and personal data kept out of addresses, titles and logs.

const sessionCookieName = "__Host-rots-sessie"

// A form post from a page of another origin is refused with the Dutch
// refusal page before it reaches a handler: neither a new case nor a step
// of a case (here: the withdrawal of a case) is made. The same for a
// client that is not a browser but carries the session cookie; the same
// post with same-origin headers goes through, so the refusal is the
// origin's doing.
func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caseID := a.submit(t, "Sofie Peeters", "Mats")
	target := "/dossiers/" + caseID
	sub := a.signIn(t, "Sofie Peeters")

	const alias = "Lowie"
	fields := url.Values{
		"request_id": {uuid.NewString()}, "submitting_organisation.kind": {"CLB"},
		"contact.name": {"Sofie Peeters"}, "contact.email": {"sofie.peeters@vclb-gent.be"},
		"young_person.alias": {alias}, "young_person.birth_year": {"2011"}, "young_person.birth_month": {"5"},
		"young_person.school_level": {"SECUNDAIR"}, "young_person.school": {"Atheneum Gentbrugge"},
		"young_person.municipality": {"Gentbrugge"}, "blocked": {"Komt al twee maanden niet meer naar school."},
		"tried[0]": {"Gesprekken met het CLB"}, "themes": {"ABSENCE"},
		"attestation.clb_stuck": {"ja"}, "attestation.youth_care_stuck": {"ja"}, "attestation.young_person_and_parents_informed": {"ja"},
	}
	withdraw := url.Values{"request_id": {uuid.NewString()}, "reason": {"Dubbele aanmelding"}, "bevestig": {"ja"}}
	before := casesWithAlias(t, a, alias)

	// The attacker's page, on http://127.0.0.1:port: another origin (and
	// site) than the application's http://localhost:port.
	evilPage := template.Must(template.New("").Parse(`<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Gratis bijscholing</title></head>
<body><main><h1>Schrijf u in voor de gratis bijscholing</h1>
<form method="post" action="{{.App}}/aanmeldingen/nieuw">{{range $k, $vs := .New}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<button type="submit">Inschrijven</button></form>
<form method="post" action="{{.App}}/dossiers/{{.Case}}/intrekken">{{range $k, $vs := .Withdraw}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<button type="submit">Bekijk het programma</button></form>
</main></body></html>`))
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		evilPage.Execute(w, map[string]any{"App": a.URL, "Case": caseID, "New": fields, "Withdraw": withdraw})
	}))
	defer evil.Close()
	if !strings.HasPrefix(evil.URL, "http://127.0.0.1:") {
		t.Fatalf("the attacker's page is at %s, want another origin than %s", evil.URL, a.URL)
	}

	for _, c := range []struct{ button, path string }{
		{"Inschrijven", "/aanmeldingen/nieuw"},
		{"Bekijk het programma", target + "/intrekken"},
	} {
		browser.Navigate(t, sub, evil.URL)
		browser.Click(t, sub, c.button)
		if got := browser.URL(t, sub); got != a.URL+c.path {
			t.Fatalf("the cross-origin post of %q ended on %s, want %s", c.button, got, a.URL+c.path)
		}
		if got := browser.Eval[int](t, sub, `performance.getEntriesByType("navigation")[0].responseStatus`); got != http.StatusForbidden {
			t.Errorf("the cross-origin post of %q answered %d, want 403", c.button, got)
		}
		if got := browser.Title(t, sub); got != "Verzoek geweigerd – ROTS roundtable" {
			t.Errorf("the cross-origin post of %q has the title %q", c.button, got)
		}
		wantText(t, sub, "Verzoek geweigerd", "niet verwerkt")
		b.CheckA11y(t, sub)
	}

	// Not a browser: the session cookie taken from the browser, and the
	// headers a browser sends for a post from another site.
	cookie := sessionCookieOf(t, sub).Value
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "http://evil.example"},                           // a browser without Sec-Fetch-*
		{"Origin": evil.URL, "Sec-Fetch-Site": "same-site"},         // a neighbour is not the site itself
		{"Sec-Fetch-Site": "cross-site", "Referer": evil.URL + "/"}, // no Origin at all
	} {
		for path, form := range map[string]url.Values{"/aanmeldingen/nieuw": fields, target + "/intrekken": withdraw} {
			resp, body := httpDo(t, http.MethodPost, a.URL+path, cookie, form, h)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Verzoek geweigerd") {
				t.Errorf("POST %s with %v: %s, want 403 Verzoek geweigerd; body:\n%s", path, h, resp.Status, startOf(body))
			}
		}
	}
	if got := casesWithAlias(t, a, alias); got != before {
		t.Fatalf("the refused posts made %d case(s)", got-before)
	}
	if got := storedStage(t, a, caseID); got == "CLOSED" {
		t.Fatalf("the refused withdrawal closed the case")
	}

	// The control: the very same post from the application's own origin
	// makes the case.
	resp, body := httpDo(t, http.MethodPost, a.URL+"/aanmeldingen/nieuw", cookie, fields,
		map[string]string{"Origin": a.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/dossiers/") {
		t.Fatalf("the same-origin post: %s to %q, want 303 to the new case; body:\n%s", resp.Status, resp.Header.Get("Location"), startOf(body))
	}
	if got := casesWithAlias(t, a, alias); got != before+1 {
		t.Fatalf("the same-origin post made %d case(s), want 1", got-before)
	}
}

// A case of another region, a case of another organisation, a case ID that
// does not exist and an address that is no case ID all give the one
// not-found page: the same status, title and text, so that an address
// tells nothing about other people's cases.
func TestOtherPeoplesCasesAreNotFound(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	path := "/dossiers/" + a.submit(t, "Sofie Peeters", "Jente")

	type seen struct {
		status      int
		title, text string
	}
	open := func(tab context.Context, path string) seen {
		t.Helper()
		status := browser.Navigate(t, tab, a.URL+path)
		return seen{status, browser.Title(t, tab), text(t, tab)}
	}

	// The control: the tandem of the region sees the case.
	tandem := a.signIn(t, "Tom Janssens")
	if got := open(tandem, path); got.status != http.StatusOK || !strings.Contains(got.text, "Jente") {
		t.Fatalf("the tandem of the case's region gets %d %q for it", got.status, got.title)
	}

	for _, person := range []string{"Lotte Maes", "Karim El Amrani"} {
		tab := a.signIn(t, person)
		missing := open(tab, "/dossiers/"+uuid.NewString())
		if missing.status != http.StatusNotFound || missing.title != "Niet gevonden – ROTS roundtable" {
			t.Fatalf("%s: a case that does not exist gives %d %q", person, missing.status, missing.title)
		}
		b.CheckA11y(t, tab)
		for _, p := range []string{path, "/dossiers/geen-dossier", path + "/"} {
			got := open(tab, p)
			if got != missing {
				t.Errorf("%s: %s gives %d %q:\n%s\nwant what a case that does not exist gives, %d %q:\n%s",
					person, p, got.status, got.title, got.text, missing.status, missing.title, missing.text)
			}
			if strings.Contains(got.text, "Jente") || strings.Contains(got.title, "ROTS-") {
				t.Errorf("%s: the not-found page of %s shows the case", person, p)
			}
		}
	}

	// A step sent for another organisation's case: the not-found page,
	// and nothing happens to the case.
	karim := a.signIn(t, "Karim El Amrani")
	resp, body := httpDo(t, http.MethodPost, a.URL+path+"/intrekken", sessionCookieOf(t, karim).Value,
		url.Values{"request_id": {uuid.NewString()}, "reason": {"Foutief aangemeld"}, "bevestig": {"ja"}},
		map[string]string{"Origin": a.URL, "Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Niet gevonden") {
		t.Errorf("another organisation's withdrawal: %s, want 404 Niet gevonden; body:\n%s", resp.Status, startOf(body))
	}
	if got := storedStage(t, a, strings.TrimPrefix(path, "/dossiers/")); got == "CLOSED" {
		t.Fatalf("another organisation withdrew the case")
	}
}

// Markup in what a submitter types (the contact's name, a step tried, the
// description) shows as text on the case page, for the submitter and for
// the tandem: no element is made of it.
func TestMarkupInCaseTextsShowsAsText(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	const attack = `"><img src=x onerror=alert(1)>`
	sub := a.signIn(t, "Sofie Peeters")
	path, _ := a.submitForm(t, sub, aCase{
		Alias: "Yana", Contact: "Sofie " + attack, School: "Sint-Pietersinstituut Gent", Municipality: "Gent",
		Blocked: blocked, Tried: []string{"Gesprek met de leerlingbegeleiding " + attack, "Time-out van twee weken"},
	})
	tandem := a.signIn(t, "Tom Janssens")
	a.visit(t, tandem, path)
	for who, tab := range map[string]context.Context{"the submitter": sub, "the tandem": tandem} {
		if n := browser.Eval[int](t, tab, `document.querySelectorAll("main img, [onerror], main script").length`); n != 0 {
			t.Errorf("for %s the case texts made %d img, script or onerror element(s)", who, n)
		}
		wantText(t, tab, "Sofie "+attack, "Gesprek met de leerlingbegeleiding "+attack, blocked)
	}
}

// The session cookie is __Host-: HttpOnly, Secure, SameSite=Lax, for the
// path / and this host only. After signing out, its old value opens
// nothing, and the browser is sent to sign in again.
func TestSessionCookieAndSignOut(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	sub := a.signIn(t, "Sofie Peeters")
	c := sessionCookieOf(t, sub)
	if !c.HTTPOnly || !c.Secure || c.SameSite != "Lax" || c.Path != "/" || c.Domain != "localhost" {
		t.Errorf("the session cookie is %+v; want HttpOnly, Secure, SameSite=Lax, Path=/, for the host localhost only", c)
	}
	// As the application sends it: a host-only cookie has no Domain.
	_, set := goSignIn(t, a.URL, a.Issuer, "Sofie Peeters")
	attrs := strings.ToLower(set)
	for _, want := range []string{"; path=/", "; httponly", "; secure", "; samesite=lax"} {
		if !strings.Contains(attrs, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if strings.Contains(attrs, "domain=") {
		t.Errorf("Set-Cookie %q names a domain", set)
	}

	// The header's button.
	browser.Click(t, sub, "Afmelden")
	if got := browser.URL(t, sub); got != a.URL+"/afgemeld" {
		t.Fatalf("after Afmelden at %s, want /afgemeld", got)
	}
	wantText(t, sub, "U bent afgemeld")
	b.CheckA11y(t, sub)
	for _, k := range browser.Cookies(t, sub) {
		if k.Name == sessionCookieName {
			t.Errorf("the browser still holds the session cookie after signing out")
		}
	}

	// The old value, replayed: a GET is sent away from the page, a form
	// post is not processed.
	resp, body := httpDo(t, http.MethodGet, a.URL+"/aanmeldingen", c.Value, nil, nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !endedSession(loc) {
		t.Errorf("the old session cookie on /aanmeldingen: %s to %q, want 303 to sign in (or to /verlopen); body:\n%s",
			resp.Status, loc, startOf(body))
	}
	if strings.Contains(body, "Mijn aanmeldingen") {
		t.Errorf("the old session cookie still opens the list")
	}
	resp, _ = httpDo(t, http.MethodPost, a.URL+"/aanmeldingen/nieuw", c.Value, url.Values{"young_person.alias": {"Roos"}},
		map[string]string{"Origin": a.URL, "Sec-Fetch-Site": "same-origin"})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !endedSession(loc) {
		t.Errorf("a form post with the old session cookie: %s to %q, want 303 to /verlopen", resp.Status, loc)
	}

	// The browser is sent to the issuer again.
	browser.Navigate(t, sub, a.URL+"/aanmeldingen")
	if got := browser.URL(t, sub); !strings.HasPrefix(got, a.Issuer+"/authorize?") {
		t.Errorf("after signing out, /aanmeldingen is %s, want the issuer's login page", got)
	}
}

// endedSession reports whether a redirect leads to signing in again: to
// the issuer through /aanmelden, or to the page that says the session
// ended, which links there.
func endedSession(location string) bool {
	return location == "/verlopen" || strings.HasPrefix(location, "/aanmelden?")
}

// Every response has the security headers: a Content-Security-Policy that
// allows no inline script, no framing, no content sniffing, a referrer
// policy, and no caching of pages; and the browser enforces the policy.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	cookie, _ := goSignIn(t, a.URL, a.Issuer, "Sofie Peeters")
	for _, p := range []struct {
		method, path, cookie string
		status               int
	}{
		{"GET", "/aanmeldingen", cookie, http.StatusOK},
		{"GET", "/aanmeldingen/nieuw", cookie, http.StatusOK},
		{"GET", "/dossiers/" + uuid.NewString(), cookie, http.StatusNotFound},
		{"GET", "/verlopen", "", http.StatusOK},
		{"GET", "/aanmeldingen", "", http.StatusSeeOther},
		{"POST", "/aanmeldingen/nieuw", cookie, http.StatusForbidden},
	} {
		var h map[string]string
		if p.method == "POST" {
			h = map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
		}
		resp, _ := httpDo(t, p.method, a.URL+p.path, p.cookie, url.Values{}, h)
		what := p.method + " " + p.path
		if resp.StatusCode != p.status {
			t.Errorf("%s: %s, want %d", what, resp.Status, p.status)
		}
		csp := directives(resp.Header.Get("Content-Security-Policy"))
		script, ok := csp["script-src"]
		if !ok {
			script = csp["default-src"]
		}
		if len(script) == 0 || slices.ContainsFunc(script, func(s string) bool {
			return s == "'unsafe-inline'" || s == "'unsafe-eval'" || s == "*" || s == "data:" || s == "http:" || s == "https:"
		}) {
			t.Errorf("%s: scripts may come from %q (Content-Security-Policy %q)", what, script, resp.Header.Get("Content-Security-Policy"))
		}
		if got := csp["frame-ancestors"]; !slices.Equal(got, []string{"'none'"}) {
			t.Errorf("%s: frame-ancestors %q, want 'none'", what, got)
		}
		if got := csp["default-src"]; !slices.Equal(got, []string{"'none'"}) {
			t.Errorf("%s: default-src %q, want 'none'", what, got)
		}
		for name, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
			if got := resp.Header.Get(name); !strings.EqualFold(got, want) {
				t.Errorf("%s: %s %q, want %q", what, name, got, want)
			}
		}
		if got := resp.Header.Get("Referrer-Policy"); !slices.Contains([]string{"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}, got) {
			t.Errorf("%s: Referrer-Policy %q, want one that keeps the path out of other sites' referrers", what, got)
		}
	}

	// The browser enforces the policy: an inline script does not run.
	tab := b.NewTab(t)
	browser.Navigate(t, tab, a.URL+"/verlopen")
	ran := browser.Eval[bool](t, tab, `(() => {
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.head.append(s);
		return window.inlineRan === true;
	})()`)
	if ran {
		t.Errorf("an inline script ran on a page of the application")
	}
}

// directives splits a Content-Security-Policy into its directives.
func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// A submitter submits a case (with a mistake first), the tandem searches
// for it in the werkbak and asks a question, the submitter answers, and
// both read their messages: the alias, the school and the contact's name
// typed are in none of the addresses the browser asked for, in no page
// title and in none of the service's log lines.
func TestNoPersonalDataInAddressesTitlesOrLogs(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	personal := []string{"Wannes", "Koninklijk Atheneum Etterbeek", "Veerle Declercq"}
	var (
		mu     sync.Mutex
		urls   []string
		titles []string
	)
	record := func(tab context.Context) {
		if err := chromedp.Listen(tab, func(ev any) {
			if e, ok := ev.(*network.EventRequestWillBeSent); ok {
				mu.Lock()
				urls = append(urls, e.Request.URL+e.Request.URLFragment)
				mu.Unlock()
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	title := func(tab context.Context) {
		t.Helper()
		titles = append(titles, browser.Title(t, tab))
	}

	sub := b.NewTab(t)
	record(sub)
	sub = a.signInOn(t, sub, "Sofie Peeters")
	browser.Click(t, sub, "Nieuwe aanmelding")
	browser.FillCSS(t, sub, "#veld-young_person-alias", personal[0])
	browser.FillCSS(t, sub, "#veld-young_person-school", personal[1])
	browser.FillCSS(t, sub, "#veld-contact-name", personal[2])
	browser.Click(t, sub, "Aanmelding versturen")
	wantText(t, sub, "met wat u invulde")
	title(sub)
	path, reference := a.submitForm(t, sub, aCase{Alias: personal[0], School: personal[1], Contact: personal[2], Municipality: "Etterbeek", keep: true})
	title(sub)
	a.visit(t, sub, "/aanmeldingen")
	wantText(t, sub, personal[0])
	title(sub)

	tandem := b.NewTab(t)
	record(tandem)
	tandem = a.signInOn(t, tandem, "Tom Janssens")
	browser.FillCSS(t, tandem, "#zoek", personal[0])
	browser.Click(t, tandem, "Toon")
	wantText(t, tandem, "Zoekresultaten", reference)
	title(tandem)
	browser.Click(t, tandem, reference)
	waitForStage(t, tandem, "intake")
	title(tandem)
	browser.Click(t, tandem, "een vraag stellen")
	browser.FillCSS(t, tandem, "#veld-intake-question", "Volgt "+personal[0]+" nog les in het "+personal[1]+"?")
	browser.Click(t, tandem, "Beslissing vastleggen")
	wantText(t, tandem, "De intakebeslissing is vastgelegd")
	title(tandem)

	a.visit(t, sub, path)
	browser.FillCSS(t, sub, "#veld-antwoord-answer", personal[0]+" is sinds oktober niet meer in het "+personal[1]+" geweest.")
	browser.Click(t, sub, "Antwoord versturen")
	wantText(t, sub, "Uw antwoord is verstuurd")
	title(sub)
	for _, tab := range []context.Context{sub, tandem} {
		a.visit(t, tab, "/berichten")
		title(tab)
	}

	mu.Lock()
	visited := append(slices.Clone(urls), b.Checked()...)
	mu.Unlock()
	if !slices.ContainsFunc(visited, func(u string) bool { return strings.HasPrefix(u, a.URL+path) }) {
		t.Fatalf("the addresses recorded do not include the case's %s: %q", path, visited)
	}
	logs := a.Logs.String()
	for _, p := range personal {
		for _, u := range visited {
			if plain, err := url.QueryUnescape(u); strings.Contains(u, p) || err == nil && strings.Contains(plain, p) {
				t.Errorf("the address %s holds %q", u, p)
			}
		}
		for _, tl := range titles {
			if strings.Contains(tl, p) {
				t.Errorf("the title %q holds %q", tl, p)
			}
		}
		if i := strings.Index(logs, p); i >= 0 {
			t.Errorf("the service's log holds %q: …%s…", p, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
}

// A session nobody used for longer than the idle timeout (30 minutes) has
// ended: the form sent then lands on "Uw sessie is verlopen", is not
// processed, and the browser signs in again. A session used within the
// timeout lives on. The test ages the session in the store rather than
// waiting half an hour.
func TestIdleSessionEnds(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	sub := a.signIn(t, "Sofie Peeters")
	secret := sessionCookieOf(t, sub).Value
	age := func(d time.Duration) {
		t.Helper()
		h := sha256.Sum256([]byte(secret))
		tag, err := a.DB.Pool().Exec(t.Context(), `UPDATE web_sessions SET seen_at = seen_at - $2::interval WHERE id_hash = $1`,
			h[:], fmt.Sprintf("%d seconds", int(d.Seconds())))
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("ageing the session: %v (%d rows)", err, tag.RowsAffected())
		}
	}

	age(29 * time.Minute)
	a.visit(t, sub, "/aanmeldingen/nieuw")
	wantText(t, sub, "Nieuwe aanmelding")

	const alias = "Ferre"
	before := casesWithAlias(t, a, alias)
	browser.FillCSS(t, sub, "#veld-young_person-alias", alias)
	age(31 * time.Minute)
	browser.Click(t, sub, "Aanmelding versturen")
	if got := browser.URL(t, sub); got != a.URL+"/verlopen" {
		t.Fatalf("a form sent after 31 idle minutes ended on %s, want /verlopen", got)
	}
	if got := browser.Title(t, sub); got != "Uw sessie is verlopen – ROTS roundtable" {
		t.Errorf("title %q", got)
	}
	wantText(t, sub, "Uw sessie is verlopen", "niet verwerkt")
	b.CheckA11y(t, sub)
	if got := casesWithAlias(t, a, alias); got != before {
		t.Errorf("the form sent in an ended session made %d case(s)", got-before)
	}
	browser.Click(t, sub, "Opnieuw aanmelden")
	if got := browser.URL(t, sub); !strings.HasPrefix(got, a.Issuer+"/authorize?") {
		t.Errorf("Opnieuw aanmelden leads to %s, want the issuer's login page", got)
	}
}

// A session whose token has expired has ended too: a second instance of
// the web application, on the same store, signs in at an issuer whose
// tokens last five seconds. It needs no API: the session is checked
// before a page asks the API anything, and the pages used here ask it
// nothing.
func TestExpiredTokenEndsTheSession(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	issLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is, err := devissuer.New("http://"+issLis.Addr().String(), "rots", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	const ttl = 5 * time.Second
	is.SignInTTL = ttl
	issSrv := &http.Server{Handler: is.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go issSrv.Serve(issLis)
	t.Cleanup(func() { issSrv.Close() })

	webLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	webURL := "http://localhost:" + strconv.Itoa(webLis.Addr().(*net.TCPAddr).Port)
	noAPI, err := grpc.NewClient("passthrough:///127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { noAPI.Close() })
	wa, err := web.New(web.Config{BaseURL: webURL, Issuer: is.URL, ClientID: "rots-web"}, noAPI, a.DB,
		auth.NewVerifier(auth.Config{Issuer: is.URL, Audience: "rots"}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	webSrv := &http.Server{Handler: wa.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go webSrv.Serve(webLis)
	t.Cleanup(func() { webSrv.Close() })

	tab := b.NewTab(t)
	browser.Navigate(t, tab, webURL+"/aanmelden?terug=/toegankelijkheid")
	browser.ClickCSS(t, tab, fmt.Sprintf(`input[name=persoon][value="%d"]`, personIndex(t, "Sofie Peeters")))
	clicked := time.Now() // the token is made after this…
	browser.Click(t, tab, "Aanmelden")
	signedIn := time.Now() // …and before this
	if got := browser.URL(t, tab); got != webURL+"/toegankelijkheid" {
		t.Fatalf("after signing in at %s, want /toegankelijkheid", got)
	}
	secret := sessionCookieOf(t, tab).Value
	// The control: while the token lasts, the session is live.
	if resp, _ := httpDo(t, http.MethodGet, webURL+"/", secret, nil, nil); resp.Header.Get("Location") != "/aanmeldingen" {
		if time.Since(clicked) < ttl {
			t.Fatalf("a fresh session: %s to %q, want 303 to /aanmeldingen", resp.Status, resp.Header.Get("Location"))
		}
		t.Skipf("the machine is too slow for a token of %s", ttl)
	}

	time.Sleep(time.Until(signedIn.Add(ttl + 100*time.Millisecond)))
	browser.Navigate(t, tab, webURL+"/")
	if got := browser.URL(t, tab); got != webURL+"/verlopen" {
		t.Fatalf("with an expired token, / is %s, want /verlopen", got)
	}
	wantText(t, tab, "Uw sessie is verlopen")
	for _, k := range browser.Cookies(t, tab) {
		if k.Name == sessionCookieName {
			t.Errorf("the browser still holds the session cookie of an expired token")
		}
	}
	if _, err := a.DB.Session(t.Context(), secret, time.Now(), time.Hour); !errors.Is(err, store.ErrSessionEnded) {
		t.Errorf("the session of an expired token is still in the store: %v", err)
	}
}

// aCase is what a submitter types in the new-case form; empty fields get
// plausible values.
type aCase struct {
	Kind                                                            string // "CLB" or "jeugdhulp"
	Contact                                                         string // "" keeps the signed-in person's name
	Alias, BirthYear, BirthMonth, SchoolLevel, School, Municipality string
	Blocked                                                         string
	Tried                                                           []string
	Themes                                                          []string // as labelled
	// keep is for a tab already on the form with what it holds: submit
	// fills every field it names anyway.
	keep bool
}

// submitForm opens the new-case form in the tab of a signed-in submitter (or,
// with keep, uses the one there), fills it in by typing and clicking,
// sends it, and returns the case's path (/dossiers/{id}) and reference.
func (a *app) submitForm(t *testing.T, tab context.Context, c aCase) (path, reference string) {
	t.Helper()
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	if !c.keep {
		a.visit(t, tab, "/aanmeldingen/nieuw")
	}
	browser.Click(t, tab, or(c.Kind, "CLB"))
	if c.Contact != "" {
		browser.FillCSS(t, tab, "#veld-contact-name", c.Contact)
	}
	browser.FillCSS(t, tab, "#veld-young_person-alias", or(c.Alias, "Noor"))
	browser.FillCSS(t, tab, "#veld-young_person-birth_year", or(c.BirthYear, "2012"))
	browser.FillCSS(t, tab, "#veld-young_person-birth_month", or(c.BirthMonth, "oktober"))
	browser.FillCSS(t, tab, "#veld-young_person-school_level", or(c.SchoolLevel, "secundair onderwijs"))
	browser.FillCSS(t, tab, "#veld-young_person-school", or(c.School, "Sint-Lodewijkscollege Lokeren"))
	browser.FillCSS(t, tab, "#veld-young_person-municipality", or(c.Municipality, "Lokeren"))
	browser.FillCSS(t, tab, "#veld-blocked", or(c.Blocked, "Komt sinds de kerstvakantie nog maar af en toe naar school; de gesprekken met school en CLB lopen vast."))
	tried := c.Tried
	if len(tried) == 0 {
		tried = []string{"Begeleiding door het CLB", "Aanmelding bij de jeugdhulp"}
	}
	for i, s := range tried {
		if i >= 2 {
			browser.Click(t, tab, "Nog een stap toevoegen")
		}
		browser.FillCSS(t, tab, fmt.Sprintf("#veld-tried-%d", i), s)
	}
	themes := c.Themes
	if len(themes) == 0 {
		themes = []string{"afwezigheid/thuiszitten"}
	}
	for _, th := range themes {
		browser.Click(t, tab, th)
	}
	for _, s := range []string{"Het CLB loopt vast", "De jeugdhulp loopt vast", "De jongere en de ouders zijn ingelicht"} {
		if !browser.Eval[bool](t, tab, fmt.Sprintf(`[...document.querySelectorAll("input[type=checkbox]")].some(e => e.labels[0].innerText.trim() === %q && e.checked)`, s)) {
			browser.Click(t, tab, s)
		}
	}
	browser.Click(t, tab, "Aanmelding versturen")
	u, _ := url.Parse(browser.URL(t, tab))
	if !strings.HasPrefix(u.Path, "/dossiers/") {
		t.Fatalf("submitting the case ended on %s:\n%s", u, text(t, tab))
	}
	wantText(t, tab, "Uw aanmelding is ontvangen")
	return u.Path, strings.TrimPrefix(browser.Text(t, tab, "h1"), "Dossier ")
}

// signInOn is app.signIn in a tab the test opened itself.
func (a *app) signInOn(t *testing.T, tab context.Context, person string) context.Context {
	t.Helper()
	browser.Navigate(t, tab, a.URL+"/")
	if !strings.HasPrefix(browser.URL(t, tab), a.Issuer+"/authorize") {
		t.Fatalf("not sent to the issuer's login page but to %s", browser.URL(t, tab))
	}
	browser.ClickCSS(t, tab, fmt.Sprintf(`input[name=persoon][value="%d"]`, personIndex(t, person)))
	browser.Click(t, tab, "Aanmelden")
	if u := browser.URL(t, tab); !strings.HasPrefix(u, a.URL+"/") {
		t.Fatalf("after signing in at %s, want the application", u)
	}
	return tab
}

// sessionCookieOf is the session cookie in the tab's browser context.
func sessionCookieOf(t *testing.T, tab context.Context) browser.Cookie {
	t.Helper()
	for _, c := range browser.Cookies(t, tab) {
		if c.Name == sessionCookieName {
			return c
		}
	}
	t.Fatalf("no %s cookie in the browser", sessionCookieName)
	return browser.Cookie{}
}

// casesWithAlias counts the cases whose young person has the alias.
func casesWithAlias(t *testing.T, a *app, alias string) int {
	t.Helper()
	cs, err := a.DB.ListCases(t.Context(), store.CaseFilter{Query: alias}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		if c.YoungPerson.Alias == alias {
			n++
		}
	}
	return n
}

// storedStage is the stage of the case as stored.
func storedStage(t *testing.T, a *app, id string) string {
	t.Helper()
	c, err := a.DB.GetCase(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Stage
}

// noRedirects is a client that is not a browser: it follows no redirect
// and keeps no cookies.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// httpDo sends a request with the session cookie (when not ""), the form
// (for a POST) and the headers, and returns the response and its body.
func httpDo(t *testing.T, method, u, session string, form url.Values, headers map[string]string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: session})
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// goSignIn signs in as the fictional person without a browser, through
// the whole code flow, and returns the session cookie's value and the
// Set-Cookie header that set it.
func goSignIn(t *testing.T, appURL, issuer, person string) (value, setCookie string) {
	t.Helper()
	resp, _ := httpDo(t, http.MethodGet, appURL+"/aanmelden", "", nil, nil)
	authz, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(authz.String(), issuer+"/authorize?") {
		t.Fatalf("/aanmelden: %s to %q, want the issuer", resp.Status, resp.Header.Get("Location"))
	}
	var login *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-rots-aanmelding" {
			login = c
		}
	}
	if login == nil {
		t.Fatal("/aanmelden set no sign-in cookie")
	}
	form := authz.Query()
	form.Set("persoon", strconv.Itoa(personIndex(t, person)))
	resp, body := httpDo(t, http.MethodPost, issuer+"/authorize", "", form, nil)
	back := resp.Header.Get("Location")
	if !strings.HasPrefix(back, appURL+"/aanmelden/terug?") {
		t.Fatalf("the issuer answered %s to %q: %s", resp.Status, back, body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, back, nil)
	req.AddCookie(&http.Cookie{Name: login.Name, Value: login.Value})
	resp, err = noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, h := range resp.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(h, sessionCookieName+"="); ok {
			return v[:strings.IndexByte(v+";", ';')], h
		}
	}
	t.Fatalf("the sign-in's callback answered %s without a session cookie", resp.Status)
	return "", ""
}

// startOf is the start of a page, for a failure message.
func startOf(body string) string {
	if len(body) > 1500 {
		return body[:1500] + "…"
	}
	return body
}
