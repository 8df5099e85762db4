package browser

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var b *Browser

func TestMain(m *testing.M) { os.Exit(Main(m, &b)) }

// dutchPage is a Dutch page with the layout the application's pages share.
func dutchPage(title, body string) string {
	return `<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>` + title + ` – ROTS</title>
<style>body { font: 16px sans-serif; color: #1a1a1a; background: #fff; }
.skip { position: absolute; left: -10000px; } .skip:focus { position: static; }</style></head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header><nav aria-label="Hoofdmenu"><a href="/">Start</a></nav></header>
<main id="inhoud" tabindex="-1">
<h1>` + title + `</h1>
` + body + `
</main>
</body>
</html>`
}

const form = `<form method="post" action="/aanmelden">
<p><label for="voornaam">Voornaam</label> <input id="voornaam" name="voornaam" autocomplete="given-name"></p>
<p><label for="gemeente">Gemeente</label> <input id="gemeente" name="gemeente"></p>
<p><label for="niveau">Onderwijsniveau</label>
<select id="niveau" name="niveau"><option value="">Kies</option><option value="lager">Lager onderwijs</option><option value="secundair">Secundair onderwijs</option></select></p>
<p><label for="geboren">Geboren in</label> <input id="geboren" name="geboren" type="month"></p>
<p><label for="toelichting">Toelichting</label> <textarea id="toelichting" name="toelichting"></textarea></p>
<p><input type="checkbox" id="attest" name="attest" value="ja"> <label for="attest">Ik heb toestemming</label></p>
<p><button type="submit">Versturen</button> <button type="button" id="meer" onclick="this.textContent='Minder tonen'">Meer tonen</button></p>
</form>`

// app serves the pages of the tests. Its pages but the form forbid every
// script, as the application's will, to show that the audit needs none.
func app(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	send := func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		fmt.Fprint(w, s)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		send(w, dutchPage("Start", `<p>Welkom.</p>`))
	})
	mux.HandleFunc("GET /aanmelden", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, dutchPage("Aanmelden", form)) // its button has a script
	})
	mux.HandleFunc("POST /aanmelden", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		q := r.PostForm
		q.Set("x", "1")
		http.Redirect(w, r, "/bedankt?"+q.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /bedankt", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		send(w, dutchPage("Bedankt", fmt.Sprintf(`<p id="uitkomst">Dank je, %s uit %s (%s, %s, %q, attest %s).</p>`,
			html.EscapeString(q.Get("voornaam")), html.EscapeString(q.Get("gemeente")), html.EscapeString(q.Get("niveau")),
			html.EscapeString(q.Get("geboren")), html.EscapeString(q.Get("toelichting")), html.EscapeString(q.Get("attest")))))
	})
	mux.HandleFunc("GET /slecht", func(w http.ResponseWriter, r *http.Request) {
		send(w, `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Slecht</title></head><body>
<main><h1>Slecht</h1>
<p class="vaag" style="color: #bbb; background: #fff">Deze tekst is bijna onleesbaar.</p>
<form><input id="naamloos" name="naamloos" type="text"></form>
</main></body></html>`)
	})
	mux.HandleFunc("GET /inloggen", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "rots_sessie", Value: "geheim", Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
		http.SetCookie(w, &http.Cookie{Name: "voorkeur", Value: "nl", Path: "/", MaxAge: 3600, SameSite: http.SameSiteLaxMode})
		send(w, dutchPage("Ingelogd", `<p>U bent ingelogd.</p>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAccessiblePagePasses(t *testing.T) {
	srv := app(t)
	tab := b.NewTab(t)
	if status := Navigate(t, tab, srv.URL+"/aanmelden"); status != http.StatusOK {
		t.Errorf("status %d", status)
	}
	b.CheckA11y(t, tab)
	if got := Title(t, tab); got != "Aanmelden – ROTS" {
		t.Errorf("title %q", got)
	}
	Navigate(t, tab, srv.URL+"/") // Content-Security-Policy: default-src 'none'
	b.CheckA11y(t, tab)
	for _, path := range []string{"/", "/aanmelden"} {
		if !slices.Contains(b.Checked(), srv.URL+path) {
			t.Errorf("Checked() = %q, without %s%s", b.Checked(), srv.URL, path)
		}
	}
}

func TestInaccessiblePageViolates(t *testing.T) {
	srv := app(t)
	tab := b.NewTab(t)
	Navigate(t, tab, srv.URL+"/slecht")
	a, err := b.Audit(tab)
	if err != nil {
		t.Fatal(err)
	}
	ids := a.RuleIDs()
	for _, want := range []string{"label", "color-contrast"} {
		if !slices.Contains(ids, want) {
			t.Errorf("rules %q, without %q", ids, want)
		}
	}
	report := a.String()
	for _, want := range []string{srv.URL + "/slecht", `"Slecht"`, "#naamloos", `<input id="naamloos"`, `class="vaag"`, "critical", "contrast"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q:\n%s", want, report)
		}
	}
	if a.Axe != AxeVersion {
		t.Logf("axe-core %s, not %s as .ci/run installs", a.Axe, AxeVersion)
	}
	if slices.Contains(b.Checked(), srv.URL+"/slecht") {
		t.Errorf("Audit recorded %s/slecht as checked", srv.URL)
	}
}

func TestFillAndClick(t *testing.T) {
	srv := app(t)
	tab := b.NewTab(t)
	Navigate(t, tab, srv.URL+"/aanmelden")
	Fill(t, tab, "Voornaam", "Wrong")
	Fill(t, tab, "Voornaam", "Jana") // replaces
	FillCSS(t, tab, "#gemeente", "Hasselt")
	Fill(t, tab, "Onderwijsniveau", "Secundair onderwijs")
	Fill(t, tab, "Geboren in", "2012-05")
	Fill(t, tab, "Toelichting", "Thuiszitter\nsinds september")
	Click(t, tab, "Ik heb toestemming")

	Click(t, tab, "Meer tonen") // no page load: Click returns at once
	if got := Text(t, tab, "#meer"); got != "Minder tonen" {
		t.Errorf("the button says %q", got)
	}

	Click(t, tab, "Versturen") // POST, 303, GET: Click waits for the last
	if got := URL(t, tab); !strings.HasPrefix(got, srv.URL+"/bedankt?") {
		t.Errorf("URL %s", got)
	}
	want := `Dank je, Jana uit Hasselt (secundair, 2012-05, "Thuiszitter\r\nsinds september", attest ja).`
	if got := Text(t, tab, "#uitkomst"); got != want {
		t.Errorf("page says %q, want %q", got, want)
	}
	b.CheckA11y(t, tab)
}

func TestKeyboardOnly(t *testing.T) {
	srv := app(t)
	tab := b.NewTab(t)
	Navigate(t, tab, srv.URL+"/aanmelden")

	Keys(t, tab, Tab)
	if f := Focused(t, tab); f.Tag != "a" || f.Text != "Naar de inhoud" {
		t.Fatalf("the first Tab focuses %s, not the skip link", f)
	}
	Keys(t, tab, Enter) // the skip link: the same page, focus on <main>
	if f := Focused(t, tab); f.ID != "inhoud" {
		t.Errorf("the skip link moved focus to %s, not to main#inhoud", f)
	}
	Keys(t, tab, Tab)
	if f := Focused(t, tab); f.ID != "voornaam" {
		t.Fatalf("Tab after the skip link focuses %s, not the first field", f)
	}
	Keys(t, tab, "Jan Peeters", Tab, "Genk", ShiftTab)
	if f := Focused(t, tab); f.ID != "voornaam" || f.Text != "Jan Peeters" {
		t.Errorf("Shift+Tab focuses %s", f)
	}
	Keys(t, tab, Enter) // submits the form from a field
	if got := Text(t, tab, "#uitkomst"); !strings.HasPrefix(got, "Dank je, Jan Peeters uit Genk") {
		t.Errorf("after Enter the page says %q", got)
	}
}

func TestCookiesAndIsolatedUsers(t *testing.T) {
	srv := app(t)
	submitter, coordinator := b.NewTab(t), b.NewTab(t)
	Navigate(t, submitter, srv.URL+"/inloggen")
	Navigate(t, coordinator, srv.URL+"/")

	cookies := map[string]Cookie{}
	for _, c := range Cookies(t, submitter) {
		cookies[c.Name] = c
	}
	s, ok := cookies["rots_sessie"]
	if !ok {
		t.Fatalf("cookies %+v, without rots_sessie", cookies)
	}
	if !s.HTTPOnly || !s.Secure || s.SameSite != "Strict" || !s.Expires.IsZero() || s.Value != "geheim" {
		t.Errorf("rots_sessie %+v, want HttpOnly, Secure, SameSite=Strict, a session cookie", s)
	}
	if v := cookies["voorkeur"]; v.HTTPOnly || v.Secure || v.SameSite != "Lax" || v.Expires.IsZero() {
		t.Errorf("voorkeur %+v", v)
	}
	if got := Cookies(t, coordinator); len(got) != 0 {
		t.Errorf("the second user's tab has the first one's cookies: %+v", got)
	}
	if got := Eval[string](t, submitter, `document.cookie`); got != "voorkeur=nl" {
		t.Errorf("the page's script sees %q; HttpOnly hides rots_sessie", got)
	}
}

func TestScreenshot(t *testing.T) {
	srv := app(t)
	tab := b.NewTab(t)
	Navigate(t, tab, srv.URL+"/aanmelden")
	path := filepath.Join(t.TempDir(), "shots", "aanmelden.png")
	Screenshot(t, tab, path)
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 1000 {
		t.Errorf("%s is not a PNG of the page (%d bytes)", path, len(png))
	}
}

// fakeTB records a Skip or a Fatal and stops, as testing.T does.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()                      {}
func (f *fakeTB) Skip(args ...any)             { f.skipped = fmt.Sprint(args...); panic(f) }
func (f *fakeTB) Fatal(args ...any)            { f.failed = fmt.Sprint(args...); panic(f) }
func (f *fakeTB) Fatalf(s string, args ...any) { f.Fatal(fmt.Sprintf(s, args...)) }

func requireWith(f *fakeTB, b *Browser) {
	defer func() {
		if r := recover(); r != nil && r != f {
			panic(r)
		}
	}()
	b.require(f)
}

// Without Chromium or axe-core a test skips saying what to install, and
// under CI=true it fails.
func TestMissingChromiumOrAxe(t *testing.T) {
	none := &Browser{chromium: "/nonexistent/chromium", axeJS: "/nonexistent/axe.min.js"}
	axeOnly := &Browser{chromium: b.chromium, axeJS: "/nonexistent/axe.min.js"}
	if b.chromiumMissing() != "" {
		axeOnly.chromium = "/bin/sh" // an executable, for this test
	}

	t.Setenv("CI", "")
	f := &fakeTB{TB: t}
	requireWith(f, none)
	for _, want := range []string{"/nonexistent/chromium", "apt-get install chromium", "ROTS_CHROMIUM",
		"/nonexistent/axe.min.js", "npm install --prefix", "axe-core@" + AxeVersion, "ROTS_AXE_JS"} {
		if !strings.Contains(f.skipped, want) {
			t.Errorf("the skip does not say %q: %s", want, f.skipped)
		}
	}
	if f.failed != "" {
		t.Errorf("failed without CI: %s", f.failed)
	}
	f = &fakeTB{TB: t}
	requireWith(f, axeOnly)
	if strings.Contains(f.skipped, "Chromium") || !strings.Contains(f.skipped, "axe-core") {
		t.Errorf("with Chromium there, the skip says %q", f.skipped)
	}

	t.Setenv("CI", "true")
	f = &fakeTB{TB: t}
	requireWith(f, none)
	if f.skipped != "" || !strings.Contains(f.failed, "Chromium not found") || !strings.Contains(f.failed, "CI=true") {
		t.Errorf("under CI=true: skipped %q, failed %q", f.skipped, f.failed)
	}
}
