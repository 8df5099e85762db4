package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A11yTags are the axe-core tags of the rules that an audit runs: WCAG 2.0
// and 2.1, levels A and AA.
var A11yTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Audit is what axe-core found on a page.
type Audit struct {
	URL, Title string
	Axe        string // axe-core's version
	Violations []Violation
}

// Violation is a rule that the page breaks, with the elements that break it.
type Violation struct {
	ID      string // the rule: "label", "color-contrast", "html-has-lang", ...
	Impact  string // "minor", "moderate", "serious" or "critical"
	Help    string // what the rule asks
	HelpURL string
	Nodes   []ViolationNode
}

// ViolationNode is an element that breaks a rule.
type ViolationNode struct {
	Target  string // a CSS selector of the element (" >>> " into frames and shadow roots)
	HTML    string // the element's HTML
	Summary string // what to fix
}

// RuleIDs are the ids of the rules broken, in axe-core's order.
func (a *Audit) RuleIDs() []string {
	var ids []string
	for _, v := range a.Violations {
		ids = append(ids, v.ID)
	}
	return ids
}

// String lists every violation with its elements, as CheckA11y reports them.
func (a *Audit) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "axe-core %s: %d WCAG 2.1 A/AA violation(s) on %s (title %q)", a.Axe, len(a.Violations), a.URL, a.Title)
	for _, v := range a.Violations {
		fmt.Fprintf(&s, "\n  %s (%s): %s\n    %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&s, "\n    - %s: %s", n.Target, short(n.HTML, 200))
			if n.Summary != "" {
				fmt.Fprintf(&s, "\n      %s", short(n.Summary, 300))
			}
		}
	}
	return s.String()
}

// auditJS runs axe-core on the loaded page; %s is the tags, as JSON.
const auditJS = `(async () => {
	if (document.readyState !== 'complete') await new Promise(r => addEventListener('load', r, {once: true}));
	const r = await axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']});
	const target = t => t.map(s => Array.isArray(s) ? s.join(' >>> ') : s).join(' >>> ');
	return {URL: location.href, Title: document.title, Axe: axe.version, Violations: r.violations.map(v => ({
		ID: v.id, Impact: v.impact || '', Help: v.help, HelpURL: v.helpUrl,
		Nodes: v.nodes.map(n => ({Target: target(n.target), HTML: n.html, Summary: n.failureSummary || ''})),
	}))};
})()`

// Audit injects axe-core into the page in the tab and runs the WCAG 2.1 A
// and AA rules (A11yTags). It returns what axe-core found and fails nothing;
// CheckA11y is the check that tests call.
func (b *Browser) Audit(ctx context.Context) (*Audit, error) {
	b.axeOnce.Do(func() {
		src, err := os.ReadFile(b.axeJS)
		b.axeSrc, b.axeErr = string(src), err
	})
	if b.axeErr != nil {
		return nil, fmt.Errorf("reading axe-core: %w", b.axeErr)
	}
	tags, _ := json.Marshal(A11yTags)
	return try(ctx, func(ctx context.Context, tg *chromedp.Target) (*Audit, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe === 'object'`)(ctx, tg)
		if err != nil {
			return nil, err
		}
		if !loaded {
			if _, err := chromedp.Evaluate[chromedp.Void](b.axeSrc)(ctx, tg); err != nil {
				return nil, fmt.Errorf("injecting axe-core: %w", err)
			}
		}
		return chromedp.Evaluate[*Audit](fmt.Sprintf(auditJS, tags), chromedp.EvalAwaitPromise)(ctx, tg)
	})
}

// CheckA11y checks the page in the tab with axe-core for WCAG 2.1 A and AA,
// and fails the test, listing every violation with its elements, the URL and
// the title, when there is one. It records the URL for Checked.
func (b *Browser) CheckA11y(t testing.TB, ctx context.Context) {
	t.Helper()
	a, err := b.Audit(ctx)
	if err != nil {
		t.Fatalf("browser: accessibility check: %v", err)
	}
	b.mu.Lock()
	b.checked[a.URL] = true
	b.mu.Unlock()
	if len(a.Violations) > 0 {
		t.Error(a)
	}
}

// Checked are the URLs of the pages that CheckA11y checked, by any test of
// this Browser so far, sorted.
func (b *Browser) Checked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var urls []string
	for u := range b.checked {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	return urls
}
