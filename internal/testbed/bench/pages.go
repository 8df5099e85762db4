package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/web"
)

// pages measures two pages of the web application beside the bare API
// call each is built on, on the database of the reads (at the largest of
// cfg.readSizes) and the same API server:
//
//   - the werkbak, GET /werkbak, beside ListCases as the page makes it
//     (the region's open cases by urgency, 25 a page);
//   - a case page, GET /dossiers/{id}, beside GetCase of the same case.
//
// The web application runs in this process, as web.New and Handler on a
// real http.Server on loopback, a client of the API over its own gRPC
// connection, signed in as the Limburg tandem through the development
// issuer's code flow, as a browser would. The bare calls carry that
// session's own bearer token, so both sides are the same person. Each page
// answer must be 200 with the content expected, or the call failed.
//
// Besides its one call, a page makes others at the same time (the unread
// count for the header; on the case page the timeline too); the table
// gives those calls made bare and at once as well, so that what the web
// layer adds can be told from what the extra calls cost.
func (e *env) pages(ctx context.Context, cfg config, out io.Writer) error {
	// After the reads, their table; alone, the largest of their sizes in
	// one load (seed 1: seedgen's own million).
	if err := growCases(ctx, e.pool, e.dbURL, slices.Max(cfg.readSizes), 1); err != nil {
		return err
	}
	var size int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&size); err != nil {
		return err
	}
	w, err := e.startWeb(ctx)
	if err != nil {
		return err
	}
	defer w.close()
	tok := w.withToken(ctx)

	// The werkbak: what the page asks for, and what it must show.
	werkbak := &rotsv1.ListCasesRequest{Region: rotsv1.Region_REGION_LIMBURG, OrderBy: "urgency", OpenOnly: true, PageSize: 25}
	first, err := e.cases.ListCases(tok, werkbak)
	if err != nil {
		return fmt.Errorf("ListCases: %w", err)
	}
	if len(first.GetCases()) == 0 {
		return fmt.Errorf("no open Limburg cases among %d", size)
	}
	wantRows, wantFirst := len(first.GetCases()), ">"+first.GetCases()[0].GetReference()+"</a>"
	werkbakPage := func() error {
		body, err := w.get(ctx, "/werkbak")
		switch {
		case err != nil:
			return err
		case !bytes.Contains(body, []byte("<h1>Werkbak</h1>")):
			return errors.New("GET /werkbak: no heading Werkbak")
		case bytes.Count(body, []byte(`<td><a href="/dossiers/`)) != wantRows:
			return fmt.Errorf("GET /werkbak: %d cases, want %d", bytes.Count(body, []byte(`<td><a href="/dossiers/`)), wantRows)
		case !bytes.Contains(body, []byte(wantFirst)):
			return fmt.Errorf("GET /werkbak: the most urgent case %s is not on the page", first.GetCases()[0].GetReference())
		}
		return nil
	}

	// The cases: random Limburg cases, as in the reads; the page and the
	// call see the same ones in the same order.
	type sample struct{ id, reference string }
	var cases []sample
	rows, err := e.pool.Query(ctx, `SELECT id::text, reference FROM cases WHERE region = 'LIMBURG' ORDER BY random() LIMIT 2000`)
	if err == nil {
		for rows.Next() {
			var c sample
			if err := rows.Scan(&c.id, &c.reference); err != nil {
				return err
			}
			cases = append(cases, c)
		}
		err = rows.Err()
	}
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("no Limburg cases among %d", size)
	}
	casePage := func(i int) error {
		c := cases[i%len(cases)]
		body, err := w.get(ctx, "/dossiers/"+c.id)
		switch {
		case err != nil:
			return err
		case !bytes.Contains(body, []byte("<h1>Dossier "+c.reference+"</h1>")):
			return fmt.Errorf("GET /dossiers/%s: no heading Dossier %s", c.id, c.reference)
		case !bytes.Contains(body, []byte(`<ol class="tijdlijn">`)):
			return fmt.Errorf("GET /dossiers/%s: no timeline", c.id)
		}
		return nil
	}
	unread := func() error {
		_, err := e.inbox.ListNotifications(tok, &rotsv1.ListNotificationsRequest{UnreadOnly: true, PageSize: 100})
		return err
	}
	list := func(int) error {
		_, err := e.cases.ListCases(tok, werkbak)
		return err
	}
	getCase := func(i int) error {
		_, err := e.cases.GetCase(tok, &rotsv1.GetCaseRequest{Name: "cases/" + cases[i%len(cases)].id})
		return err
	}
	events := func(i int) error {
		_, err := e.cases.ListCaseEvents(tok, &rotsv1.ListCaseEventsRequest{Parent: "cases/" + cases[i%len(cases)].id, PageSize: 200})
		return err
	}
	together := func(calls ...func(int) error) func(int) error {
		return func(i int) error {
			var g errgroup.Group
			for _, call := range calls {
				g.Go(func() error { return call(i) })
			}
			return g.Wait()
		}
	}

	// Warm up both sides (connections, the provider's discovery, the
	// plans of the queries), unmeasured.
	warm := []result{
		load(1, 20, list), load(1, 20, func(int) error { return werkbakPage() }),
		load(1, 20, getCase), load(1, 20, casePage),
	}
	if err := failed("warming up", warm...); err != nil {
		return err
	}
	// growCases analysed the access log while it was empty, and this
	// machine's PostgreSQL may run without autovacuum (CI's does): every
	// connection would then keep the plan of an empty table for the chain's
	// head (SELECT hash … ORDER BY id DESC LIMIT 1, a sequential scan that
	// grows with every page), and the series would measure that. Analyse
	// it now that it has entries, as autovacuum would have; this replans.
	if _, err := e.pool.Exec(ctx, `ANALYZE access_log`); err != nil {
		return err
	}

	n := cfg.webCalls
	fmt.Fprintf(out, "\n### 6. Web pages against their API calls (%d cases, %d calls per series)\n\n", size, n)
	fmt.Fprintln(out, "| page, beside its API call | clients | API call p50 ms | p95 ms | p99 ms | page p50 ms | p95 ms | p99 ms | page ÷ API call at p95 | the page's calls at once, bare: p95 ms | page ÷ those at p95 |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range cfg.webConcurrency {
		for _, p := range []struct {
			name             string
			api, page, calls func(int) error
		}{
			{"`GET /werkbak`, `ListCases` (region, open, by urgency; 25)", list, func(int) error { return werkbakPage() },
				together(list, func(int) error { return unread() })},
			{"`GET /dossiers/{id}`, `GetCase`", getCase, casePage,
				together(getCase, events, func(int) error { return unread() })},
		} {
			// The three series interleaved, call by call.
			rs := interleave(c, n, p.api, p.page, p.calls)
			api, page, calls := rs[0], rs[1], rs[2]
			if err := failed(fmt.Sprintf("%s at %d clients", p.name, c), api, page, calls); err != nil {
				return err
			}
			fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p.name, c,
				ms(api.quantile(.5)), ms(api.quantile(.95)), ms(api.quantile(.99)),
				ms(page.quantile(.5)), ms(page.quantile(.95)), ms(page.quantile(.99)),
				ratio(float64(page.quantile(.95)), float64(api.quantile(.95))),
				ms(calls.quantile(.95)), ratio(float64(page.quantile(.95)), float64(calls.quantile(.95))))
		}
	}
	fmt.Fprintln(out, "\nThe page's calls at once: `ListCases` and `ListNotifications` (unread, for the header) for the werkbak;")
	fmt.Fprintln(out, "`GetCase`, `ListCaseEvents` and `ListNotifications` for a case page, made concurrently as the page makes them.")
	fmt.Fprintln(out, "Each row's three series run interleaved, call by call.")

	// What the pages add to their call, one by one.
	session := func(int) error {
		_, err := e.db.Session(ctx, w.cookie.Value, time.Now(), time.Hour)
		return err
	}
	parts := interleave(1, n, func(int) error { return unread() }, events, session)
	if err := failed("the pages' other calls", parts...); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe pages' other calls, bare, one at a time (%d calls each, interleaved):\n\n", n)
	fmt.Fprintln(out, "| call | p50 ms | p95 ms | p99 ms |")
	fmt.Fprintln(out, "|---|---:|---:|---:|")
	for k, name := range []string{"`ListNotifications` (unread, 100)", "`ListCaseEvents` (200)", "the session lookup (`store.Session`)"} {
		fmt.Fprintf(out, "| %s | %s | %s | %s |\n", name, ms(parts[k].quantile(.5)), ms(parts[k].quantile(.95)), ms(parts[k].quantile(.99)))
	}
	fmt.Fprintln(out, "\nTarget: a page at most 1.5 × its API call at p95.")

	if cfg.webProfile != "" {
		// An extra, unmeasured run of each page, one at a time, under the
		// CPU profiler: this process serves the pages.
		f, err := os.Create(cfg.webProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		prof := []result{load(1, n, func(int) error { return werkbakPage() }), load(1, n, casePage)}
		pprof.StopCPUProfile()
		if err := failed("profiling", prof...); err != nil {
			return err
		}
	}
	return nil
}

// webApp is the web application served from this process, and a session
// in it.
type webApp struct {
	url    string
	srv    *http.Server
	conn   *grpc.ClientConn
	client *http.Client // follows no redirect: a page that sends one elsewhere failed
	cookie *http.Cookie // the session
	token  string       // the session's bearer token
}

// tandemLimburg is the fictional Limburg coordinator of the development
// issuer's login page.
func tandemLimburg() (int, error) {
	for i, p := range devissuer.People {
		if p.Role == auth.Coordinator && p.Region == "limburg" {
			return i, nil
		}
	}
	return 0, errors.New("the development issuer has no Limburg coordinator")
}

// startWeb serves the web application on loopback, as a client of the
// cluster's API with its own connection, and signs in.
func (e *env) startWeb(ctx context.Context) (_ *webApp, err error) {
	w := &webApp{}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	w.url = "http://" + lis.Addr().String()
	if w.conn, err = e.cl.Dial(); err != nil {
		lis.Close()
		return nil, err
	}
	issuer := e.cl.IssuerURL()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := web.New(web.Config{BaseURL: w.url, Issuer: issuer, ClientID: "rots-web"}, w.conn, e.db,
		auth.NewVerifier(auth.Config{Issuer: issuer, Audience: "rots"}), log)
	if err != nil {
		lis.Close()
		return nil, err
	}
	w.srv = &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go w.srv.Serve(lis)
	w.client = &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
	if err := w.signIn(ctx, issuer); err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	// The session's own token, for the bare calls.
	raw, err := e.db.Session(ctx, w.cookie.Value, time.Now(), time.Hour)
	if err != nil {
		return nil, err
	}
	var sess struct{ Token string }
	if err := json.Unmarshal([]byte(raw), &sess); err != nil || sess.Token == "" {
		return nil, fmt.Errorf("the session holds no token (%v)", err)
	}
	w.token = sess.Token
	return w, nil
}

// sessionCookie is the web application's session cookie (web/session.go).
const sessionCookie = "__Host-rots-sessie"

// signIn signs in as a browser does: the application sends it to the
// issuer's login page, where it picks the Limburg tandem; the issuer sends
// it back with a code, and the application exchanges it and starts the
// session, then shows the werkbak.
func (w *webApp) signIn(ctx context.Context, issuer string) error {
	person, err := tandemLimburg()
	if err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil) // keeps Secure cookies for loopback over http, as browsers do
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	do := func(method, target string, form url.Values) (*http.Response, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, target, body)
		if err != nil {
			return nil, err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s %s: %s", method, resp.Request.URL.Path, resp.Status)
		}
		return resp, nil
	}
	resp, err := do(http.MethodGet, w.url+"/werkbak", nil)
	if err != nil {
		return err
	}
	login := resp.Request.URL
	if !strings.HasPrefix(login.String(), issuer+"/authorize?") {
		return fmt.Errorf("not sent to the issuer's login page but to %s", login.Redacted())
	}
	// The login form carries the authorization request's parameters.
	form := login.Query()
	form.Set("persoon", strconv.Itoa(person))
	if resp, err = do(http.MethodPost, issuer+"/authorize", form); err != nil {
		return err
	}
	if got := resp.Request.URL.String(); got != w.url+"/werkbak" {
		return fmt.Errorf("after signing in at %s, want the werkbak", resp.Request.URL.Redacted())
	}
	u, _ := url.Parse(w.url)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == sessionCookie {
			w.cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if w.cookie == nil {
		return errors.New("signed in without a session cookie")
	}
	return nil
}

// get is one page as the signed-in person: its body, if it answered 200.
func (w *webApp) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.url+path, nil)
	if err != nil {
		return nil, err
	}
	req.AddCookie(w.cookie)
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s (to %s)", routeOf(path), resp.Status, resp.Header.Get("Location"))
	}
	return body, nil
}

// routeOf is a path with the case ID left out, for errors.
func routeOf(path string) string {
	if strings.HasPrefix(path, "/dossiers/") {
		return "/dossiers/{id}"
	}
	return path
}

func (w *webApp) withToken(ctx context.Context) context.Context {
	return rotsdproc.WithToken(ctx, w.token)
}

func (w *webApp) close() {
	if w.srv != nil {
		w.srv.Close()
	}
	if w.client != nil {
		w.client.CloseIdleConnections()
	}
	if w.conn != nil {
		w.conn.Close()
	}
}
