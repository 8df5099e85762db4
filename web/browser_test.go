package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/encryption"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services"
	"github.com/rots-vlaanderen/roundtable/web"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// The browser tests run the whole service on loopback: PostgreSQL, an
// in-process Temporal server, the worker, the gRPC API, the development
// issuer with its login page, and the web application, driven by one
// headless Chromium for the package.

var (
	dbURL string
	b     *browser.Browser
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	u, drop, err := storetest.NewDatabase(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		os.Exit(1)
	}
	dbURL = u
	code := browser.Main(m, &b)
	drop()
	os.Exit(code)
}

// app is the running service, once for the package.
type app struct {
	URL    string // the web application, http://localhost:port
	Issuer string
	DB     *store.DB
	Logs   *syncBuffer
	// Cases is the API itself, for setting a case up without the pages.
	Cases  rotsv1.CaseServiceClient
	Conn   grpc.ClientConnInterface // the API, for the other services' clients
	issuer *devissuer.Issuer
}

// as is a call context of a fictional person of the login page.
func (a *app) as(t *testing.T, person string) context.Context {
	t.Helper()
	p := devissuer.People[personIndex(t, person)]
	tok, err := a.issuer.Token(devissuer.Claims{Subject: p.Email, Email: p.Email, Name: p.Name, Role: p.Role, Region: p.Region, Organisation: p.Organisation}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// submit submits a case through the API as a fictional submitter and
// returns its ID.
func (a *app) submit(t *testing.T, person, alias string) string {
	t.Helper()
	p := devissuer.People[personIndex(t, person)]
	resp, err := a.Cases.SubmitCase(a.as(t, person), &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region(rotsv1.Region_value["REGION_"+strings.ToUpper(strings.ReplaceAll(p.Region, "-", "_"))]),
		SubmittingOrganisation: &rotsv1.Organisation{Name: p.Organisation, Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: p.Name, Email: p.Email},
		YoungPerson: &rotsv1.YoungPerson{Alias: alias, BirthYear: 2012, BirthMonth: 5, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			School: "Atheneum Gentbrugge", Municipality: "Gentbrugge"},
		Blocked:     "Komt al weken niet meer naar school.",
		Tried:       []string{"Begeleiding door het CLB"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(resp.GetCase().GetName(), "cases/")
}

var (
	appOnce sync.Once
	theApp  *app
	appErr  error
)

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startApp starts the service the first time a test asks; the Temporal
// test server lives as long as the test that started it, so it is started
// from a test-independent context.
func startApp(t *testing.T) *app {
	t.Helper()
	appOnce.Do(func() { theApp, appErr = newApp() })
	if appErr != nil {
		t.Fatal(appErr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			lines := strings.Split(theApp.Logs.String(), "\n")
			t.Logf("the service's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-15):], "\n"))
		}
	})
	return theApp
}

func newApp() (*app, error) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := encryption.ParseKeyring([]byte(encryption.NewKeyLine("test-1")))
	if err != nil {
		return nil, err
	}
	codec := encryption.Codec{Keys: keys}
	// Without WithT the server outlives the first test; it panics on a
	// failure to start.
	ts := temporaltest.NewServer(temporaltest.WithBaseClientOptions(client.Options{DataConverter: codec.DataConverter()}))
	tc := ts.GetDefaultClient()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		return nil, err
	}
	db.SealTexts(keys)

	webLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// localhost, not 127.0.0.1: the browser keeps Secure cookies for it
	// over plain http.
	webURL := "http://localhost:" + fmt.Sprint(webLis.Addr().(*net.TCPAddr).Port)
	w := workflows.NewWorker(tc, &workflows.Activities{DB: db, WebBaseURL: webURL}, 0)
	if err := w.Start(); err != nil {
		return nil, err
	}
	issLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "rots-web-test")
	if err != nil {
		return nil, err
	}
	issuer, _, err := devissuer.Serve(issLis, "rots", filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, err
	}
	control, err := disclosure.New(0)
	if err != nil {
		return nil, err
	}
	verifier := auth.NewVerifier(auth.Config{Issuer: issuer.URL, Audience: "rots"})
	apiLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv, _ := services.New(services.Deps{DB: db, Temporal: tc, Verifier: verifier, Control: control, Log: log})
	go srv.Serve(apiLis)
	conn, err := grpc.NewClient(apiLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	wa, err := web.New(web.Config{BaseURL: webURL, Issuer: issuer.URL, ClientID: "rots-web"}, conn, db, verifier, log)
	if err != nil {
		return nil, err
	}
	go (&http.Server{Handler: wa.Handler(), ReadHeaderTimeout: 5 * time.Second}).Serve(webLis)
	return &app{URL: webURL, Issuer: issuer.URL, DB: db, Logs: logs, Cases: rotsv1.NewCaseServiceClient(conn), Conn: conn, issuer: issuer}, nil
}

// signIn opens the application in a new browser context and signs in on
// the development issuer's login page as the fictional person named.
func (a *app) signIn(t *testing.T, person string) context.Context {
	t.Helper()
	tab := b.NewTab(t)
	browser.Navigate(t, tab, a.URL+"/")
	if !strings.HasPrefix(browser.URL(t, tab), a.Issuer+"/authorize") {
		t.Fatalf("not sent to the issuer's login page but to %s", browser.URL(t, tab))
	}
	b.CheckA11y(t, tab)
	browser.ClickCSS(t, tab, fmt.Sprintf(`input[name=persoon][value="%d"]`, personIndex(t, person)))
	browser.Click(t, tab, "Aanmelden")
	if u := browser.URL(t, tab); !strings.HasPrefix(u, a.URL+"/") {
		t.Fatalf("after signing in at %s, want the application", u)
	}
	return tab
}

func personIndex(t *testing.T, name string) int {
	for i, p := range devissuer.People {
		if p.Name == name {
			return i
		}
	}
	t.Fatalf("no fictional person %q", name)
	return -1
}

// visit opens a page and checks it with axe-core.
func (a *app) visit(t *testing.T, tab context.Context, path string) {
	t.Helper()
	browser.Navigate(t, tab, a.URL+path)
	b.CheckA11y(t, tab)
}

// text is the visible text of the page's main part.
func text(t *testing.T, tab context.Context) string {
	t.Helper()
	return browser.Text(t, tab, "main")
}

func wantText(t *testing.T, tab context.Context, parts ...string) {
	t.Helper()
	got := text(t, tab)
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Fatalf("page %s does not say %q; it says:\n%s", browser.URL(t, tab), p, got)
		}
	}
}

// tabTo presses Tab until the focused element matches, at most max times,
// and fails the test naming the stops it passed.
func tabTo(t *testing.T, tab context.Context, what string, max int, match func(browser.Element) bool) {
	t.Helper()
	var passed []string
	for range max {
		browser.Keys(t, tab, browser.Tab)
		f := browser.Focused(t, tab)
		if match(f) {
			return
		}
		passed = append(passed, f.String())
	}
	t.Fatalf("no %s within %d Tab stops; passed %s", what, max, strings.Join(passed, ", "))
}
