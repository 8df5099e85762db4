package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// The second manager opens a signal from the list and approves it with
// the keyboard alone: Tab to the signal's link and Enter, Tab to the
// approval button, which shows its focus, and Space.
func TestSignalApprovedWithTheKeyboardAlone(t *testing.T) {
	a := startApp(t)
	title := "Wachten op een time-out " + uuid.NewString()[:8]
	id := draftSignalAPI(t, a, "Pieter De Smet", title)

	hilde := a.signIn(t, "Hilde Verbeke")
	browser.Do(t, hilde, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return chromedp.Void{}, err
	})
	a.visit(t, hilde, "/signalen")

	tabTo(t, hilde, "link to the signal", 60, func(e browser.Element) bool { return e.Tag == "a" && e.Text == title })
	browser.Keys(t, hilde, browser.Enter)
	if got := browser.URL(t, hilde); got != a.URL+"/signalen/"+id {
		t.Fatalf("Enter on the link opened %s, want the signal's page", got)
	}
	wantText(t, hilde, title, "concept")
	b.CheckA11y(t, hilde)

	tabTo(t, hilde, "approval button", 60, func(e browser.Element) bool { return e.Tag == "button" && e.Text == "Signaal goedkeuren" })
	if msg := focusShown(t, hilde); msg != "" {
		t.Errorf("the approval button with the focus: %s", msg)
	}
	browser.Keys(t, hilde, browser.Space)
	wantText(t, hilde, "Het signaal is goedgekeurd.", "Goedgekeurd", "manager2.oost-vlaanderen@rots.local")
	if got := browser.Text(t, hilde, ".signaalstatus"); got != "goedgekeurd" {
		t.Errorf("after the approval the page says the state is %q", got)
	}
	b.CheckA11y(t, hilde)
	if sig, err := signals.New(a.DB).GetSignal(t.Context(), id); err != nil || sig.State != signals.SignalApproved ||
		sig.Approver != "manager2.oost-vlaanderen@rots.local" {
		t.Errorf("stored after the keyboard's approval: %+v, %v", sig, err)
	}
}
