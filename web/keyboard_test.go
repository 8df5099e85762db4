package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// A submitter fills in and sends the new-case form with the keyboard
// alone: Tab to move, typing in the fields and on the selects, arrow keys
// in the radio group, Space on the checkboxes, Enter on the send button.
// The skip link is the first Tab stop and moves the focus to the main
// part, and every element that takes the focus, from the skip link to the
// footer, shows an outline that stands out against what is around it.
func TestNewCaseWithTheKeyboardAlone(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	sub := a.signIn(t, "Sofie Peeters")
	// The page counts as focused whichever tab of the shared browser is
	// in front, as :focus-visible needs (headless Chromium does so now;
	// the test does not depend on it).
	browser.Do(t, sub, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return chromedp.Void{}, err
	})
	a.visit(t, sub, "/aanmeldingen/nieuw")

	// Every Tab stop of the page, in order, until the focus leaves it.
	var stops []browser.Element
	for range 80 {
		browser.Keys(t, sub, browser.Tab)
		f := browser.Focused(t, sub)
		if f.Tag == "body" || len(stops) > 0 && f == stops[0] {
			break
		}
		stops = append(stops, f)
		if msg := focusShown(t, sub); msg != "" {
			t.Errorf("Tab stop %d, %s: %s", len(stops), f, msg)
		}
	}
	if len(stops) < 20 || stops[len(stops)-1].Text != "Toegankelijkheidsverklaring" {
		t.Fatalf("the Tab stops of the form end with %v, want the footer's link after the form's %d+ fields", stops[max(0, len(stops)-3):], 20)
	}
	if first := stops[0]; first.Tag != "a" || first.Text != "Naar de inhoud" {
		t.Fatalf("the first Tab stop is %s, want the skip link", first)
	}

	// From the top again: the skip link, then the form.
	a.visit(t, sub, "/aanmeldingen/nieuw")
	browser.Keys(t, sub, browser.Tab)
	if f := browser.Focused(t, sub); f.Text != "Naar de inhoud" {
		t.Fatalf("the first Tab stop is %s, want the skip link", f)
	}
	if !browser.Eval[bool](t, sub, `(() => { const r = document.activeElement.getBoundingClientRect();
		return r.left >= 0 && r.top >= 0 && r.width > 0 && r.right <= innerWidth; })()`) {
		t.Errorf("the skip link is not visible when it has the focus")
	}
	browser.Keys(t, sub, browser.Enter)
	if f := browser.Focused(t, sub); f.Tag != "main" {
		t.Fatalf("after the skip link the focus is on %s, want main", f)
	}

	field := func(id string) {
		t.Helper()
		tabTo(t, sub, "#"+id, 10, func(e browser.Element) bool { return e.ID == id })
	}
	typeIn := func(id, s string) {
		t.Helper()
		field(id)
		browser.Keys(t, sub, s)
	}

	// The radio group is one Tab stop; the arrow key chooses the next.
	field("veld-submitting_organisation-kind-0")
	browser.Keys(t, sub, kb.ArrowDown)
	typeIn("veld-young_person-alias", "Lars")
	typeIn("veld-young_person-birth_year", "2012")
	typeIn("veld-young_person-birth_month", "feb")        // typed on the select: februari
	typeIn("veld-young_person-school_level", "secundair") // secundair onderwijs
	typeIn("veld-young_person-grade", "3")
	typeIn("veld-young_person-school", "Sint-Janscollege Sint-Niklaas")
	typeIn("veld-young_person-municipality", "Sint-Niklaas")
	typeIn("veld-blocked", "Blijft sinds de paasvakantie thuis en wil niet meer naar school.")
	typeIn("veld-tried-0", "Trajectbegeleiding door het CLB")
	typeIn("veld-tried-1", "Wachtlijst voor de contextbegeleiding")
	for _, id := range []string{"veld-themes-0", "veld-attestation-clb_stuck", "veld-attestation-youth_care_stuck", "veld-attestation-young_person_and_parents_informed"} {
		field(id)
		browser.Keys(t, sub, browser.Space)
	}
	for id, want := range map[string]string{
		"veld-young_person-birth_month": "2", "veld-young_person-school_level": "SECUNDAIR",
		"veld-submitting_organisation-kind-1": "on-checked",
	} {
		got := browser.Eval[string](t, sub, `(e => e.type === "radio" ? (e.checked ? "on-checked" : "unchecked") : e.value)(document.getElementById("`+id+`"))`)
		if got != want {
			t.Errorf("#%s is %q after the keys, want %q", id, got, want)
		}
	}
	tabTo(t, sub, "the send button", 10, func(e browser.Element) bool { return e.Tag == "button" && e.Text == "Aanmelding versturen" })
	browser.Keys(t, sub, browser.Enter)
	wantText(t, sub, "Uw aanmelding is ontvangen", "Lars", "02/2012", "secundair onderwijs, 3e leerjaar", "Sint-Janscollege Sint-Niklaas", "afwezigheid/thuiszitten")
	b.CheckA11y(t, sub)
}

// focusShown says what is wrong with how the focused element shows its
// focus, or "": it must match :focus-visible and have an outline at least
// 2px wide whose colour has a contrast of 3:1 with the background around
// it (WCAG 2.1, 1.4.11 and 2.4.7).
func focusShown(t *testing.T, tab context.Context) string {
	t.Helper()
	return browser.Eval[string](t, tab, `(() => {
		const e = document.activeElement, s = getComputedStyle(e);
		if (!e.matches(":focus-visible")) return "it does not match :focus-visible";
		if (s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2) return "outline " + s.outlineStyle + " " + s.outlineWidth;
		const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
		const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
			return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
		let bg = "rgb(255, 255, 255)";
		for (let p = e.parentElement; p; p = p.parentElement) {
			const c = getComputedStyle(p).backgroundColor, v = rgb(c);
			if (v.length === 3 || v[3] > 0) { bg = c; break; }
		}
		const [hi, lo] = [lum(s.outlineColor), lum(bg)].sort((x, y) => y - x);
		const ratio = (hi + 0.05) / (lo + 0.05);
		return ratio >= 3 ? "" : "the outline " + s.outlineColor + " has a contrast of " + ratio.toFixed(2) + ":1 with " + bg;
	})()`)
}

// Enter in a field sends the form: it does not press the first button of
// the form, which would only add a row to a list.
func TestEnterInAFieldSendsTheForm(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	tab := a.signIn(t, "Karim El Amrani")
	a.visit(t, tab, "/aanmeldingen/nieuw")
	rows := browser.Eval[int](t, tab, `document.querySelectorAll("input[name^='tried[']").length`)
	browser.ClickCSS(t, tab, "#veld-young_person-alias")
	browser.Keys(t, tab, "Fenne", browser.Enter)
	wantText(t, tab, "met wat u invulde")
	if got := browser.Eval[int](t, tab, `document.querySelectorAll("input[name^='tried[']").length`); got != rows {
		t.Errorf("Enter added a row (%d rows, had %d) instead of sending the form", got, rows)
	}
	if got := browser.Eval[string](t, tab, `document.querySelector("#veld-young_person-alias").value`); got != "Fenne" {
		t.Errorf("what was typed is not kept: %q", got)
	}
}
