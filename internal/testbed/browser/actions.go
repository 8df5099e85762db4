package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Keys for [Keys]; any other string is typed as it is.
const (
	Tab      = kb.Tab
	ShiftTab = "\x00shift+tab" // Tab with Shift held: focus moves back
	Enter    = kb.Enter
	Space    = " "
	Escape   = kb.Escape
)

// retry is how often a query asks the page again for an element.
const retry = 50 * time.Millisecond

// run runs a on the tab within ActionTimeout and fails t with what on an
// error.
func run[T any](t testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := try(ctx, a)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// try runs a on the tab within ActionTimeout; an error says on which page.
func try[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	tctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("not within %s: %w", ActionTimeout, err)
		}
		uctx, ucancel := context.WithTimeout(ctx, 2*time.Second)
		defer ucancel()
		if url, uerr := chromedp.Run(uctx, chromedp.Location()); uerr == nil {
			err = fmt.Errorf("%w (on %s)", err, url)
		}
	}
	return v, err
}

// Do runs chromedp actions on the tab within ActionTimeout, for what the
// helpers do not cover.
func Do(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	run(t, ctx, "actions", chromedp.Steps(actions...))
}

// Eval evaluates a JavaScript expression in the page, awaits it when it is a
// promise, and returns its value decoded from JSON into a T.
func Eval[T any](t testing.TB, ctx context.Context, expression string) T {
	t.Helper()
	return run(t, ctx, "evaluating "+short(expression, 60), chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
}

// Navigate loads url in the tab, waits until the page has loaded and returns
// the HTTP status of the document (0 when there was no HTTP response).
func Navigate(t testing.TB, ctx context.Context, url string) int {
	t.Helper()
	resp := run(t, ctx, "navigating to "+url, chromedp.NavigateResponse(url))
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// URL is the address of the page in the tab.
func URL(t testing.TB, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, "reading the URL", chromedp.Location())
}

// Title is the title of the page in the tab.
func Title(t testing.TB, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, "reading the title", chromedp.Title())
}

// Text waits for the element that the CSS selector selects and returns its
// visible text (innerText), trimmed.
func Text(t testing.TB, ctx context.Context, css string) string {
	t.Helper()
	s := run(t, ctx, "reading the text of "+css, chromedp.Text(chromedp.CSS(css), chromedp.RetryInterval(retry)))
	return strings.TrimSpace(s)
}

// fieldRoles are the roles of the form fields that Fill finds by name; the
// capitalised ones are Chromium's for <input type=date>, month, week,
// datetime-local, time and color.
var fieldRoles = []string{"textbox", "searchbox", "combobox", "listbox", "spinbutton", "slider", "Date", "DateTime", "InputTime", "ColorWell"}

// clickRoles are the roles of what Click finds by name.
var clickRoles = []string{"button", "link", "checkbox", "radio", "switch", "tab", "menuitem", "option"}

// Fill puts value into the form field whose accessible name is label, as a
// screen reader names it: the text of its <label>, or its aria-label or
// aria-labelledby (exact, whitespace collapsed). A text field is cleared and
// gets the text as typed input; a <select> gets the option whose text or
// value is value; a date, time or range field gets value set.
func Fill(t testing.TB, ctx context.Context, label, value string) {
	t.Helper()
	what := fmt.Sprintf("the field labelled %q", label)
	if err := fill(ctx, "", value, byName(label, fieldRoles)); err != nil {
		t.Fatalf("browser: filling %s: %v%s", what, err, whatThereIs(ctx, err, "fields", fieldRoles))
	}
}

// FillCSS is Fill for the field that a CSS selector selects, such as
// "#voornaam" or "[name=email]".
func FillCSS(t testing.TB, ctx context.Context, css, value string) {
	t.Helper()
	if err := fill(ctx, chromedp.CSS(css), value); err != nil {
		t.Fatalf("browser: filling %s: %v", css, err)
	}
}

// fillJS readies the field this for value: it sets a select, a date or a
// range, or clears a text field and focuses it for the text to be typed.
const fillJS = `function(value) {
	const fire = () => {
		this.dispatchEvent(new Event('input', {bubbles: true}));
		this.dispatchEvent(new Event('change', {bubbles: true}));
	};
	const tag = this.tagName.toLowerCase(), type = (this.type || '').toLowerCase();
	if (this.disabled || this.readOnly) return {error: tag + ' is disabled or read-only'};
	if (tag === 'select') {
		const o = [...this.options].find(o => o.label.trim() === value || o.value === value);
		if (!o) return {error: 'no option ' + JSON.stringify(value) + ' among ' + JSON.stringify([...this.options].map(o => o.label.trim()))};
		this.focus(); this.value = o.value; fire();
		return {set: true};
	}
	if (tag === 'input' && ['checkbox', 'radio', 'file', 'submit', 'button', 'reset', 'image', 'hidden'].includes(type))
		return {error: 'an input of type ' + type + ' is not filled but clicked'};
	if (tag !== 'input' && tag !== 'textarea') return {error: 'a ' + tag + ' is not a form field'};
	this.focus();
	const proto = tag === 'input' ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
	const set = Object.getOwnPropertyDescriptor(proto, 'value').set;
	if (['date', 'month', 'week', 'time', 'datetime-local', 'color', 'range'].includes(type)) {
		set.call(this, value); fire();
		return {set: true};
	}
	set.call(this, '');
	this.dispatchEvent(new Event('input', {bubbles: true}));
	return {set: false};
}`

func fill[S chromedp.Selectable](ctx context.Context, sel S, value string, opts ...chromedp.QueryOption) error {
	_, err := try(ctx, chromedp.QueryAfter(sel, func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		var res struct {
			Set   bool
			Error string
		}
		if err := callOn(ctx, tg, nodes[0], fillJS, &res, value); err != nil {
			return chromedp.Void{}, err
		}
		if res.Error != "" {
			return chromedp.Void{}, errors.New(res.Error)
		}
		if !res.Set {
			// Typed, as a paste or an input method does: one input event.
			if _, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: value}); err != nil {
				return chromedp.Void{}, err
			}
			var got string
			if err := callOn(ctx, tg, nodes[0], `function() { return this.value; }`, &got); err != nil {
				return chromedp.Void{}, err
			}
			if got != value && strings.ReplaceAll(got, "\r\n", "\n") != value {
				return chromedp.Void{}, fmt.Errorf("typed %q, but the field holds %q", value, got)
			}
		}
		return chromedp.Void{}, nil
	}, append(opts, chromedp.NodeVisible, chromedp.RetryInterval(retry))...))
	return err
}

// Click clicks, with the mouse, the button, link, checkbox or radio button
// whose accessible name is name (its text, label or aria-label; exact,
// whitespace collapsed). When the click starts loading another page, Click
// returns once that page has loaded.
func Click(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	if err := click(ctx, "", byName(name, clickRoles)); err != nil {
		t.Fatalf("browser: clicking %q: %v%s", name, err, whatThereIs(ctx, err, "buttons and links", clickRoles))
	}
}

// ClickCSS is Click for the element that a CSS selector selects.
func ClickCSS(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	if err := click(ctx, chromedp.CSS(css)); err != nil {
		t.Fatalf("browser: clicking %s: %v", css, err)
	}
}

func click[S chromedp.Selectable](ctx context.Context, sel S, opts ...chromedp.QueryOption) error {
	_, err := try(ctx, settle(chromedp.Click(sel, append(opts, chromedp.NodeVisible, chromedp.RetryInterval(retry))...)))
	return err
}

// Keys presses keys, in order, on the element that has focus: Tab,
// ShiftTab, Enter, Space, Escape, or any other string, which is typed one
// character at a time (key down, character, key up). When Enter or Space
// starts loading another page, Keys waits until it has loaded.
func Keys(t testing.TB, ctx context.Context, keys ...string) {
	t.Helper()
	for _, k := range keys {
		var a chromedp.Action[chromedp.Void]
		switch {
		case k == ShiftTab:
			a = chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
		case strings.ContainsAny(k, "\r\n "):
			a = settle(chromedp.KeyEvent(k))
		default:
			a = chromedp.KeyEvent(k)
		}
		name := k
		if k == ShiftTab {
			name = "Shift+Tab"
		}
		run(t, ctx, fmt.Sprintf("pressing %q", name), a)
	}
}

// Element describes an element of the page.
type Element struct {
	Tag  string // lower case: "input", "a"; "body" when nothing has focus
	ID   string
	Name string // the name attribute
	Type string // the type attribute
	Text string // innerText, else the value, else the aria-label; whitespace collapsed, at most 80 characters
}

func (e Element) String() string {
	s := "<" + e.Tag
	if e.ID != "" {
		s += " id=" + e.ID
	}
	if e.Name != "" {
		s += " name=" + e.Name
	}
	if e.Type != "" {
		s += " type=" + e.Type
	}
	s += ">"
	if e.Text != "" {
		s += " " + fmt.Sprintf("%q", e.Text)
	}
	return s
}

// Focused describes the element that has keyboard focus
// (document.activeElement).
func Focused(t testing.TB, ctx context.Context) Element {
	t.Helper()
	return run(t, ctx, "reading the focused element", chromedp.Evaluate[Element](`(() => {
		const e = document.activeElement || document.body;
		const text = (e === document.body ? '' : (e.innerText || e.value || e.getAttribute('aria-label') || ''));
		return {Tag: e.tagName.toLowerCase(), ID: e.id, Name: e.getAttribute('name') || '',
			Type: e.getAttribute('type') || '', Text: text.replace(/\s+/g, ' ').trim().slice(0, 80)};
	})()`))
}

// Screenshot writes a PNG of the whole page, beyond the window, to path.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png := run(t, ctx, "taking a screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Cookie is a cookie of the tab's browser context, with its flags.
type Cookie struct {
	Name, Value  string
	Domain, Path string
	Expires      time.Time // zero for a session cookie
	HTTPOnly     bool
	Secure       bool
	SameSite     string // "Strict", "Lax", "None", or "" when not set
}

// Cookies are the cookies that the browser would send to the page in the
// tab.
func Cookies(t testing.TB, ctx context.Context) []Cookie {
	t.Helper()
	res := run(t, ctx, "reading the cookies", func(ctx context.Context, tg *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{})
	})
	var out []Cookie
	for _, c := range res.Cookies {
		k := Cookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			HTTPOnly: c.HTTPOnly, Secure: c.Secure, SameSite: string(c.SameSite)}
		if !c.Session && c.Expires > 0 {
			k.Expires = time.UnixMilli(int64(c.Expires * 1000))
		}
		out = append(out, k)
	}
	return out
}

// callOn calls the JavaScript function on the node as this, with args, and
// decodes its JSON result into res.
func callOn(ctx context.Context, tg *chromedp.Target, n *chromedp.Node, function string, res any, args ...any) error {
	obj, err := cdp.Call(ctx, tg, dom.ResolveNode, dom.ResolveNodeParams{NodeID: n.NodeID})
	if err != nil {
		return err
	}
	defer func() {
		_, _ = cdp.Call(ctx, tg, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: obj.Object.ObjectID})
	}()
	var callArgs []*runtime.CallArgument
	for _, a := range args {
		v, err := json.Marshal(a)
		if err != nil {
			return err
		}
		callArgs = append(callArgs, &runtime.CallArgument{Value: v})
	}
	r, err := cdp.Call(ctx, tg, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: function,
		ObjectID:            obj.Object.ObjectID,
		Arguments:           callArgs,
		ReturnByValue:       new(true),
	})
	if err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return &chromedp.ExceptionError{ExceptionDetails: r.ExceptionDetails}
	}
	return json.Unmarshal(r.Result.Value, res)
}

// byName is a query option that finds, with Chromium's accessibility tree,
// the elements whose accessible name is name and whose role is one of roles.
func byName(name string, roles []string) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, tg *chromedp.Target, root *chromedp.Node) ([]cdp.NodeID, error) {
		ids, err := queryAX(ctx, tg, root.NodeID, name, roles)
		if err != nil || len(ids) == 0 {
			return []cdp.NodeID{}, err
		}
		res, err := cdp.Call(ctx, tg, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: ids})
		if err != nil {
			return nil, err
		}
		return res.NodeIDs, nil
	})
}

// queryAX returns the backend ids of the elements under root with the
// accessible name and one of the roles, in document order.
func queryAX(ctx context.Context, tg *chromedp.Target, root cdp.NodeID, name string, roles []string) ([]cdp.BackendNodeID, error) {
	res, err := cdp.Call(ctx, tg, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: root, AccessibleName: name})
	if err != nil {
		return nil, err
	}
	var ids []cdp.BackendNodeID
	for _, n := range res.Nodes {
		if !n.Ignored && n.BackendDOMNodeID != 0 && slices.Contains(roles, axString(n.Role)) {
			ids = append(ids, n.BackendDOMNodeID)
		}
	}
	return ids, nil
}

func axString(v *accessibility.Value) string {
	if v == nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(v.Value, &s)
	return s
}

// whatThereIs, after a query by name ran out of time, lists the accessible
// names of the page's elements of the roles, as ": the page has ...".
func whatThereIs(ctx context.Context, err error, kind string, roles []string) string {
	if !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return ""
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	there, err := chromedp.Run(tctx, func(ctx context.Context, tg *chromedp.Target) ([]string, error) {
		// Not DOM.getDocument: it would renumber the nodes that chromedp
		// knows, and every later query would fail.
		doc, err := chromedp.Evaluate[*runtime.RemoteObject](`document`)(ctx, tg)
		if err != nil {
			return nil, err
		}
		defer func() {
			_, _ = cdp.Call(ctx, tg, runtime.ReleaseObject, runtime.ReleaseObjectParams{ObjectID: doc.ObjectID})
		}()
		var there []string
		for _, role := range roles {
			res, err := cdp.Call(ctx, tg, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{ObjectID: doc.ObjectID, Role: role})
			if err != nil {
				return nil, err
			}
			for _, n := range res.Nodes {
				if !n.Ignored {
					there = append(there, fmt.Sprintf("%s %q", role, axString(n.Name)))
				}
			}
		}
		return there, nil
	})
	switch {
	case err != nil:
		return ""
	case len(there) == 0:
		return "; the page has no " + kind
	}
	return "; the page has " + strings.Join(there, ", ")
}

// settle runs the action, and when it starts a navigation of the page, waits
// until the new page has loaded.
//
// A click or a key press only queues a form's submission or a link's
// navigation, so after the action a short timer in the page lets queued
// tasks run; Chromium reports the navigation request on the same channel
// before it answers, so a navigation that the action caused is seen by then.
func settle(action chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return chromedp.Void{}, err
		}
		main := tree.FrameTree.Frame.ID

		lctx, lcancel := context.WithCancel(ctx)
		defer lcancel()
		started := make(chan struct{})
		var once sync.Once
		if err := chromedp.Listen(lctx, func(ev any) {
			switch ev := ev.(type) {
			case *page.EventFrameRequestedNavigation:
				if ev.FrameID != main || ev.Disposition != page.ClientNavigationDispositionCurrentTab {
					return
				}
			case *page.EventFrameStartedNavigating:
				if ev.FrameID != main || ev.NavigationType == page.FrameStartedNavigatingNavigationTypeSameDocument ||
					ev.NavigationType == page.FrameStartedNavigatingNavigationTypeHistorySameDocument {
					return
				}
			case *page.EventFrameStartedLoading:
				if ev.FrameID != main {
					return
				}
			default:
				return
			}
			once.Do(func() { close(started) })
		}); err != nil {
			return chromedp.Void{}, err
		}

		// RunResponse waits for the load of the page that the action
		// starts, or, when there is none, for ever: it stops when a quiet
		// page shows there is none.
		rctx, rcancel := context.WithCancel(ctx)
		defer rcancel()
		quiet := false
		acted := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if _, err := action(ctx, tg); err != nil {
				return chromedp.Void{}, err
			}
			_, err := chromedp.Evaluate[chromedp.Void](`new Promise(r => setTimeout(r, 50))`, chromedp.EvalAwaitPromise)(ctx, tg)
			wait := time.Duration(0)
			if err != nil {
				// The page went away under the timer, or is busy.
				wait = time.Second
			}
			select {
			case <-started:
				return chromedp.Void{}, nil
			default:
			}
			select {
			case <-started:
			case <-time.After(wait):
				quiet = true
				rcancel()
			}
			return chromedp.Void{}, nil
		}
		_, err = chromedp.RunResponse(rctx, acted)
		if quiet && ctx.Err() == nil {
			return chromedp.Void{}, nil
		}
		return chromedp.Void{}, err
	}
}

func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
