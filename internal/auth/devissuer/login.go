package devissuer

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// The authorization code flow with PKCE, as a web application signs in
// with it: GET /authorize shows a page where one picks a fictional person,
// POST /authorize hands out a code, POST /token exchanges it for an ID
// token and an access token, GET /logout ends the session. The issuer
// keeps no session of its own, so every sign-in asks again who one is.

// Person is a fictional person to sign in as.
type Person struct {
	Name, Email, Role, Region, Organisation string
}

// People are the fictional persons of the login page: one for every role,
// in two regions, so a newcomer reaches every screen.
var People = []Person{
	{"Sofie Peeters", "sofie.peeters@vclb-gent.be", "submitter", "oost-vlaanderen", "VCLB Gent"},
	{"Karim El Amrani", "karim.elamrani@jeugdhulp-ovl.be", "submitter", "oost-vlaanderen", "Jeugdhulp Oost-Vlaanderen"},
	{"Tom Janssens", "tandem.oost-vlaanderen@rots.local", "coordinator", "oost-vlaanderen", ""},
	{"Lotte Maes", "tandem.limburg@rots.local", "coordinator", "limburg", ""},
	{"Annelies Vandersmissen", "annelies.vandersmissen@vclb-limburg.be", "submitter", "limburg", "VCLB Limburg"},
	{"Ines Willems", "ines.willems@timeout-debrug.be", "partner", "oost-vlaanderen", "Time-out De Brug"},
	{"Pieter De Smet", "manager.oost-vlaanderen@rots.local", "manager", "oost-vlaanderen", ""},
	{"An Claes", "an.claes@vlaanderen.be", "manager", "vlaanderen", ""},
	{"Bart Wouters", "bart.wouters@vlaanderen.be", "admin", "vlaanderen", ""},
	{"Els Vermeulen", "els.vermeulen@vlaanderen.be", "auditor", "vlaanderen", ""},
	// A second manager of a region: the four eyes that approve a signal.
	{"Hilde Verbeke", "manager2.oost-vlaanderen@rots.local", "manager", "oost-vlaanderen", ""},
	// A submitter of a region no other browser test uses: the admin's test
	// changes that region's policy.
	{"Wout Declercq", "wout.declercq@vclb-brugge.be", "submitter", "west-vlaanderen", "VCLB Brugge"},
}

// roleNames are the roles for the login page's choice, in Dutch.
var roleNames = func() map[string]string {
	m := map[string]string{}
	for _, r := range auth.Roles {
		m[r] = dutch.Role(r)
	}
	return m
}()

// grant is a code handed out and not yet exchanged.
type grant struct {
	claims                                  Claims
	clientID, redirectURI, nonce, challenge string
	expires                                 time.Time
}

type codes struct {
	mu sync.Mutex
	m  map[string]grant
}

// take returns the grant of a code once; a code is single use.
func (c *codes) take(code string) (grant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.m[code]
	delete(c.m, code)
	for k, v := range c.m {
		if time.Now().After(v.expires) {
			delete(c.m, k)
		}
	}
	return g, ok && time.Now().Before(g.expires)
}

func (c *codes) put(g grant) string {
	code := randomString()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]grant{}
	}
	c.m[code] = g
	return code
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loopback reports whether a redirect goes back to this machine: the dev
// issuer hands codes only to applications on it.
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aanmelden bij de ontwikkelomgeving – ROTS roundtable</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
fieldset{border:1px solid #767676;margin:1rem 0;padding:1rem}
label{display:block;margin:.25rem 0}
input[type=text],input[type=email],select{font:inherit;padding:.3rem;border:1px solid #595959;min-width:18rem}
button{font:inherit;padding:.5rem 1.2rem;background:#0b5394;color:#fff;border:0;border-radius:3px;cursor:pointer}
:focus-visible{outline:3px solid #c05600;outline-offset:2px}
.waarschuwing{background:#fff4d6;border-left:6px solid #8a5a00;padding:.5rem 1rem}
</style>
</head>
<body>
<main>
<h1>Aanmelden bij de ontwikkelomgeving</h1>
<p class="waarschuwing">Dit is de aanmeldpagina van <code>rotsd dev</code>. Iedereen kan hier elke rol kiezen; in productie meldt u zich aan bij de identiteitsprovider van de Vlaamse overheid (ACM/IDM).</p>
{{if .Error}}<p role="alert"><strong>{{.Error}}</strong></p>{{end}}
<form method="post" action="authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}
<fieldset>
<legend>Kies een fictieve persoon</legend>
{{range $i, $p := .People}}<label><input type="radio" name="persoon" value="{{$i}}"{{if eq $i 0}} checked{{end}}> {{$p.Name}}, {{index $.RoleNames $p.Role}}{{if $p.Organisation}} bij {{$p.Organisation}}{{end}} ({{$p.Region}})</label>
{{end}}<label><input type="radio" name="persoon" value="zelf"> Iemand anders, zoals hieronder ingevuld</label>
</fieldset>
<fieldset>
<legend>Iemand anders</legend>
<label for="naam">Naam</label><input type="text" id="naam" name="naam" autocomplete="off">
<label for="email">E-mailadres</label><input type="email" id="email" name="email" autocomplete="off">
<label for="rol">Rol</label><select id="rol" name="rol">{{range $r, $n := .RoleNames}}<option value="{{$r}}">{{$n}}</option>{{end}}</select>
<label for="regio">Regio (bv. oost-vlaanderen, limburg, of vlaanderen)</label><input type="text" id="regio" name="regio" autocomplete="off">
<label for="organisatie">Organisatie (voor aanmelders en partners)</label><input type="text" id="organisatie" name="organisatie" autocomplete="off">
</fieldset>
<button type="submit">Aanmelden</button>
</form>
</main>
</body>
</html>
`))

// authorizeParams are the query parameters of an authorization request
// that the login form carries along.
var authorizeParams = []string{"client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method", "response_type"}

func (is *Issuer) showLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if msg := checkAuthorize(q); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	params := map[string]string{}
	for _, p := range authorizeParams {
		params[p] = q.Get(p)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The form's answer redirects to the application, which form-action
	// must allow as well.
	back, _ := url.Parse(q.Get("redirect_uri"))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+back.Scheme+"://"+back.Host+"; frame-ancestors 'none'")
	loginPage.Execute(w, map[string]any{"Params": params, "People": People, "RoleNames": roleNames})
}

// checkAuthorize says what is wrong with an authorization request, or "".
func checkAuthorize(q url.Values) string {
	switch {
	case q.Get("response_type") != "code":
		return "response_type must be code"
	case q.Get("client_id") == "":
		return "client_id is required"
	case !loopback(q.Get("redirect_uri")):
		return "redirect_uri must point to this machine"
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		return "PKCE with S256 is required"
	case q.Get("state") == "":
		return "state is required"
	}
	return ""
}

func (is *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	if msg := checkAuthorize(f); msg != "" {
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	var p Person
	if choice := f.Get("persoon"); choice == "zelf" {
		p = Person{Name: strings.TrimSpace(f.Get("naam")), Email: strings.TrimSpace(f.Get("email")), Role: f.Get("rol"),
			Region: strings.TrimSpace(f.Get("regio")), Organisation: strings.TrimSpace(f.Get("organisatie"))}
	} else {
		for i, person := range People {
			if choice == strconv.Itoa(i) {
				p = person
			}
		}
	}
	if p.Email == "" || p.Role == "" || p.Region == "" {
		http.Error(w, "choose a person, or give at least an e-mail address, a role and a region", http.StatusBadRequest)
		return
	}
	code := is.codes.put(grant{
		claims:   Claims{Subject: p.Email, Email: p.Email, Name: p.Name, Role: p.Role, Region: p.Region, Organisation: p.Organisation},
		clientID: f.Get("client_id"), redirectURI: f.Get("redirect_uri"), nonce: f.Get("nonce"), challenge: f.Get("code_challenge"),
		expires: time.Now().Add(time.Minute),
	})
	back, _ := url.Parse(f.Get("redirect_uri"))
	q := back.Query()
	q.Set("code", code)
	q.Set("state", f.Get("state"))
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

// exchange is the token endpoint of the code flow.
func (is *Issuer) exchange(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	fail := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": code, "error_description": desc})
	}
	if f.Get("grant_type") != "authorization_code" {
		fail("unsupported_grant_type", "only authorization_code")
		return
	}
	clientID := f.Get("client_id")
	if id, _, ok := r.BasicAuth(); ok {
		clientID = id
	}
	g, ok := is.codes.take(f.Get("code"))
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	switch {
	case !ok:
		fail("invalid_grant", "unknown, used or expired code")
	case g.clientID != clientID || g.redirectURI != f.Get("redirect_uri"):
		fail("invalid_grant", "code was issued to another client or redirect_uri")
	case subtle.ConstantTimeCompare([]byte(challenge), []byte(g.challenge)) != 1:
		fail("invalid_grant", "code_verifier does not match the code_challenge")
	default:
		access, err1 := is.Token(g.claims, is.SignInTTL)
		id, err2 := is.sign(g.claims, g.clientID, g.nonce, is.SignInTTL)
		if err1 != nil || err2 != nil {
			http.Error(w, "signing failed", http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"access_token": access, "token_type": "Bearer", "id_token": id,
			"expires_in": int(is.SignInTTL.Seconds())})
	}
}

// sign signs an ID token for a client.
func (is *Issuer) sign(c Claims, audience, nonce string, ttl time.Duration) (string, error) {
	now := time.Now()
	std := jwt.Claims{
		Issuer: is.URL, Audience: jwt.Audience{audience}, Subject: c.Subject,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(ttl)),
	}
	return jwt.Signed(is.signer).Claims(std).Claims(c).Claims(map[string]any{"nonce": nonce}).Serialize()
}

// logout ends the session at the issuer (it keeps none) and sends the
// browser back where the application asked, if that is on this machine.
func (is *Issuer) logout(w http.ResponseWriter, r *http.Request) {
	back := r.URL.Query().Get("post_logout_redirect_uri")
	if !loopback(back) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("U bent afgemeld.\n"))
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
