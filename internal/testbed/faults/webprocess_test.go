package faults

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
)

// TestWebProcess runs the web application as a process of its own, as
// deploy/systemd/rotsd-web@.service does: `rotsd serve -role web`, a
// client of an API process, signing people in at the development issuer.
// Its probes answer, a page asks for a sign-in at the issuer, a person
// signed in through the issuer's login form sees a case submitted through
// the API, and SIGTERM stops it cleanly.
func TestWebProcess(t *testing.T) {
	h := start(t, 0, nil)
	ctx := context.Background()
	t.Setenv("ROTS_WEB_CLIENT_SECRET", "web-secret")
	web, err := h.cl.StartWeb(ctx, h.cl.APIAddr)
	if err != nil {
		t.Fatal(err)
	}

	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		code, body, err := get(http.DefaultClient, web.HealthURL+path)
		if err != nil || code != http.StatusOK || body != want {
			t.Errorf("GET %s = %d %q, %v; want 200 %q", path, code, body, err, want)
		}
	}

	// Not signed in: the sign-in goes to the issuer's login page.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(web.URL + "/aanmelden?terug=/werkbak")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 != 3 || !strings.HasPrefix(loc, h.cl.IssuerURL()+"/authorize?") {
		t.Errorf("GET /aanmelden = %d to %q; want a redirect to %s/authorize", resp.StatusCode, loc, h.cl.IssuerURL())
	}

	id, _, err := h.submit()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.moveTo(id, rotsv1.Stage_STAGE_INTAKE); err != nil {
		t.Fatal(err)
	}
	got, err := h.cases.GetCase(rotsdproc.WithToken(ctx, h.coordinator), &rotsv1.GetCaseRequest{Name: "cases/" + id})
	if err != nil {
		t.Fatal(err)
	}
	c := got.GetCase()
	browser := signIn(t, web.URL, h.cl.IssuerURL(), "tandem.limburg@rots.local")
	code, body, err := get(browser, web.URL+"/werkbak")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /werkbak signed in = %d, %v", code, err)
	}
	if !strings.Contains(body, ">"+c.GetReference()+"</a>") {
		t.Errorf("the Limburg tandem's werkbak does not list case %s, submitted through the API", c.GetReference())
	}

	// SIGTERM: the server finishes what it has within the shutdown
	// timeout (30 s) and exits 0.
	stopped := time.Now()
	if err := web.Terminate(); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second+10*time.Second)
	defer cancel()
	exit, err := web.Wait(wctx)
	if err != nil || exit != 0 {
		t.Fatalf("after SIGTERM: exit %d, %v; want 0 within the shutdown timeout\n%s", exit, err, web.Tail(2000))
	}
	if errs := web.Errors(5); errs != "" {
		t.Errorf("the web process logged errors:\n%s", errs)
	}
	t.Logf("the web process stopped on SIGTERM in %s, exit 0", time.Since(stopped).Round(time.Millisecond))
}

// signIn signs in at the web application as the development issuer's
// person with this e-mail address, as a browser does: the application
// sends it to the issuer's login form, whose answer sends it back with a
// code. It returns a client that carries the session's cookie.
func signIn(t *testing.T, webURL, issuer, email string) *http.Client {
	t.Helper()
	person := slices.IndexFunc(devissuer.People, func(p devissuer.Person) bool { return p.Email == email })
	if person < 0 {
		t.Fatalf("the development issuer has no person %s", email)
	}
	jar, _ := cookiejar.New(nil) // keeps __Host- cookies for loopback over http, as browsers do
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	resp, err := c.Get(webURL + "/werkbak")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	login := resp.Request.URL
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(login.String(), issuer+"/authorize?") {
		t.Fatalf("GET /werkbak: %d at %s, want the issuer's login page", resp.StatusCode, login.Redacted())
	}
	// The login form carries the authorization request's parameters.
	form := login.Query()
	form.Set("persoon", strconv.Itoa(person))
	resp, err = c.PostForm(issuer+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != webURL+"/werkbak" {
		t.Fatalf("after the login form: %d at %s, want the werkbak", resp.StatusCode, resp.Request.URL.Redacted())
	}
	u, _ := url.Parse(webURL)
	if len(jar.Cookies(u)) == 0 {
		t.Fatal("signed in without a cookie")
	}
	return c
}

// get is a page's status and body.
func get(c *http.Client, target string) (int, string, error) {
	resp, err := c.Get(target)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
