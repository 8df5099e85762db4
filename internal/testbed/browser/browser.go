// Package browser drives a headless Chromium from go test, for the tests of
// the server-rendered web application: one Chromium for a whole test
// package, an isolated browser context (its own cookies, as an incognito
// window) for each test user, thin helpers for what a web test does, and an
// axe-core check of every page for WCAG 2.1 A and AA. Only tests import it.
//
// A test package starts the browser from TestMain; Chromium starts lazily, at
// the first [Browser.NewTab], so a run of only the other tests costs nothing,
// and it stops when the package's tests are done:
//
//	var b *browser.Browser
//
//	func TestMain(m *testing.M) { os.Exit(browser.Main(m, &b)) }
//
//	func TestAanmelden(t *testing.T) {
//		submitter, coordinator := b.NewTab(t), b.NewTab(t) // separate cookies
//		browser.Navigate(t, submitter, srv.URL+"/aanmelden")
//		browser.Fill(t, submitter, "Voornaam", "Jana")
//		browser.Click(t, submitter, "Versturen")
//		b.CheckA11y(t, submitter)
//		...
//	}
//
// The helpers take the test and the tab's context, fail the test on an error,
// and give each action [ActionTimeout]. Tests may run in parallel, each with
// its own tabs; the actions of one tab must not run concurrently.
//
// # What it needs
//
// Chromium at /usr/bin/chromium (Debian's package chromium), or at the path in
// ROTS_CHROMIUM; and axe-core's axe.min.js at the path in ROTS_AXE_JS, else at
// ${ROTS_CACHE:-$HOME/.cache/rots}/npm/node_modules/axe-core/axe.min.js, where
// .ci/run installs axe-core@[AxeVersion] with npm (it is not committed):
//
//	apt-get install chromium
//	npm install --prefix ~/.cache/rots/npm axe-core@4.14.1
//
// When either is missing, [Browser.NewTab] skips the test saying what is
// missing and how to install it; with CI=true it fails the test instead, so
// CI cannot pass without the browser tests.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the axe-core that .ci/run installs (keep the two equal).
const AxeVersion = "4.14.1"

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// ActionTimeout bounds each helper's action: a navigation with its page load,
// a click with the page it loads, a wait for an element, an axe-core run.
const ActionTimeout = 20 * time.Second

// startTimeout bounds the start of Chromium and the opening of a tab.
const startTimeout = time.Minute

// Browser is one Chromium process shared by the tests of a package.
type Browser struct {
	chromium string // the executable
	axeJS    string // path of axe.min.js

	once     sync.Once
	startErr error
	ctx      context.Context // the chromedp context that owns the browser
	stop     func()

	axeOnce sync.Once
	axeSrc  string
	axeErr  error

	mu      sync.Mutex
	checked map[string]bool
}

// Main is TestMain's body: it sets *b to a Browser that starts Chromium at the
// first NewTab, runs the tests, stops Chromium and returns the exit code.
func Main(m *testing.M, b **Browser) int {
	*b = newBrowser()
	code := m.Run()
	if err := (*b).Close(); err != nil {
		fmt.Fprintf(os.Stderr, "browser: stopping Chromium: %v\n", err)
	}
	return code
}

// Start starts Chromium now, for a caller that does not use Main; Close stops
// it. It fails when Chromium is missing or does not start.
func Start() (*Browser, error) {
	b := newBrowser()
	if msg := b.chromiumMissing(); msg != "" {
		return nil, errors.New("browser: " + msg)
	}
	if err := b.start(); err != nil {
		return nil, err
	}
	return b, nil
}

func newBrowser() *Browser {
	chromium := DefaultChromium
	if p := os.Getenv("ROTS_CHROMIUM"); p != "" {
		chromium = p
		if full, err := exec.LookPath(p); err == nil {
			chromium = full
		}
	}
	return &Browser{chromium: chromium, axeJS: axePath(), checked: map[string]bool{}}
}

// axePath is ROTS_AXE_JS, else axe.min.js in the npm folder of the cache.
func axePath() string {
	if p := os.Getenv("ROTS_AXE_JS"); p != "" {
		return p
	}
	return filepath.Join(npmDir(), "node_modules", "axe-core", "axe.min.js")
}

// npmDir is ${ROTS_CACHE:-$HOME/.cache/rots}/npm, as in .ci/run.
func npmDir() string {
	cache := os.Getenv("ROTS_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		cache = filepath.Join(home, ".cache", "rots")
	}
	return filepath.Join(cache, "npm")
}

// start starts Chromium once; later calls return the first call's error.
func (b *Browser) start() error {
	b.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(b.chromium),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("lang", "nl-BE"),
			chromedp.WindowSize(1280, 1024),
			// No UserDataDir: chromedp gives each browser a fresh
			// temporary --user-data-dir and removes it when it stops.
		)
		allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		b.ctx = ctx
		b.stop = func() {
			cancel()
			allocCancel()
		}
		// The first Run starts the browser and binds it to ctx, so it
		// gets no deadline of its own; a timer cancels a start that hangs.
		err := withWatchdog(cancel, startTimeout, func() error { return chromedp.Do(ctx) })
		if err != nil {
			b.stop()
			b.startErr = fmt.Errorf("browser: starting Chromium %s: %w", b.chromium, err)
		}
	})
	return b.startErr
}

// withWatchdog runs f, and calls cancel when f has not returned within d.
func withWatchdog(cancel func(), d time.Duration, f func() error) error {
	timer := time.AfterFunc(d, cancel)
	err := f()
	if !timer.Stop() {
		return fmt.Errorf("not within %s (%v)", d, err)
	}
	return err
}

// Close stops Chromium, if it runs, and removes its profile. Main calls it.
func (b *Browser) Close() error {
	if b == nil {
		return nil
	}
	b.once.Do(func() { b.startErr = errors.New("browser: closed") })
	if b.stop == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	err := chromedp.Cancel(ctx)
	cancel()
	b.stop()
	b.stop = nil
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// missing says what of Chromium and axe-core is not there, and how to
// install it.
func (b *Browser) missing() []string {
	var out []string
	if msg := b.chromiumMissing(); msg != "" {
		out = append(out, msg)
	}
	if _, err := os.Stat(b.axeJS); err != nil {
		out = append(out, fmt.Sprintf("axe-core not found at %s (set ROTS_AXE_JS for another path); "+
			"install it with: npm install --prefix %s axe-core@%s", b.axeJS, npmDir(), AxeVersion))
	}
	return out
}

// chromiumMissing says, when b.chromium is not an executable file, so.
func (b *Browser) chromiumMissing() string {
	if fi, err := os.Stat(b.chromium); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return ""
	}
	return fmt.Sprintf("Chromium not found at %s (set ROTS_CHROMIUM for another path); "+
		"install it with: sudo apt-get install chromium", b.chromium)
}

// require skips the test, or fails it under CI=true, when Chromium or
// axe-core is missing.
func (b *Browser) require(t testing.TB) {
	t.Helper()
	missing := b.missing()
	if len(missing) == 0 {
		return
	}
	msg := "browser test: " + strings.Join(missing, "; ")
	if inCI() {
		t.Fatal(msg + " (CI=true: browser tests may not be skipped; .ci/run installs both)")
	}
	t.Skip(msg)
}

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// NewTab opens a tab in a new browser context of its own, so each test user
// (a submitter, a coordinator) has separate cookies and storage, and returns
// its context for the helpers. The tab and its browser context close when the
// test ends; when the test failed, its last URL and title are logged.
func (b *Browser) NewTab(t testing.TB) context.Context {
	t.Helper()
	if b == nil {
		t.Fatal("browser: no Browser; call browser.Main(m, &b) from TestMain")
	}
	b.require(t)
	if err := b.start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	// As for the browser, the first Run binds the tab to ctx.
	if err := withWatchdog(cancel, startTimeout, func() error { return chromedp.Do(ctx) }); err != nil {
		cancel()
		t.Fatalf("browser: opening a tab: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
			url, _ := chromedp.Run(tctx, chromedp.Location())
			title, _ := chromedp.Run(tctx, chromedp.Title())
			tcancel()
			t.Logf("browser: the tab was at %s (title %q)", url, title)
		}
		cancel()
	})
	return ctx
}
