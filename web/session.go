package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"google.golang.org/grpc/metadata"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// The cookies. __Host- makes the browser refuse them unless they are
// Secure, for this host only and for every path, so no other site or
// subdomain can set or read them.
const (
	sessionCookie = "__Host-rots-sessie"
	loginCookie   = "__Host-rots-aanmelding"
	loginTimeout  = 10 * time.Minute
)

// session is what the server keeps of a signed-in person.
type session struct {
	Token   string         // the bearer token the API gets
	IDToken string         // for ending the session at the provider
	Expiry  time.Time      // when the token expires
	Who     auth.Principal // who the token is for, as the API reads it
}

// login is a sign-in under way.
type login struct {
	Nonce, Verifier, Return string
}

// visit is one request of a signed-in person.
type visit struct {
	who    auth.Principal
	ctx    context.Context // carries the bearer token to the API
	secret string          // the session cookie's value
	unread int             // unread messages, for the header; -1 unknown
	// unreadDone closes when unread is counted.
	unreadDone chan struct{}
}

// signIn talks to the OpenID Connect provider, found on first use so that
// the application starts while the provider is still starting.
type signIn struct {
	cfg      Config
	mu       sync.Mutex
	provider *oidc.Provider
	oauth    oauth2.Config
	endURL   string
}

func newSignIn(cfg Config) *signIn { return &signIn{cfg: cfg} }

func (si *signIn) discover(ctx context.Context) (*oidc.Provider, oauth2.Config, string, error) {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.provider == nil {
		p, err := oidc.NewProvider(context.WithoutCancel(ctx), si.cfg.Issuer)
		if err != nil {
			return nil, oauth2.Config{}, "", fmt.Errorf("web: issuer %s: %w", si.cfg.Issuer, err)
		}
		var meta struct {
			EndSession string `json:"end_session_endpoint"`
		}
		p.Claims(&meta)
		si.provider, si.endURL = p, meta.EndSession
		si.oauth = oauth2.Config{
			ClientID: si.cfg.ClientID, ClientSecret: si.cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: si.cfg.BaseURL + "/aanmelden/terug", Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
		}
	}
	return si.provider, si.oauth, si.endURL, nil
}

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// localPath is p if it is a path on this site, else "/": a return address
// never leads elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

// startSignIn sends the browser to the provider, with a state bound to
// this browser by a cookie, a nonce and a PKCE challenge.
func (s *Server) startSignIn(w http.ResponseWriter, r *http.Request) {
	_, oc, _, err := s.signIn.discover(r.Context())
	if err != nil {
		s.log.Error("sign-in: the identity provider does not answer", "err", err)
		s.unavailable(w, r, nil)
		return
	}
	state, l := randomSecret(), login{Nonce: randomSecret(), Verifier: oauth2.GenerateVerifier(), Return: localPath(r.URL.Query().Get("terug"))}
	data, _ := json.Marshal(l)
	if err := s.db.StartLogin(r.Context(), state, string(data), s.now()); err != nil {
		s.log.Error("sign-in: keeping the state", "err", err)
		s.unavailable(w, r, nil)
		return
	}
	s.setCookie(w, loginCookie, state, loginTimeout)
	http.Redirect(w, r, oc.AuthCodeURL(state, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)), http.StatusSeeOther)
}

// finishSignIn is the provider's callback: it checks the state against the
// cookie, exchanges the code with the PKCE verifier, checks the ID token
// and its nonce, and starts a session.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	refuse := func(reason string, err error) {
		s.log.Warn("sign-in refused", "reason", reason, "err", err)
		s.errorPage(w, r, nil, http.StatusBadRequest, "Aanmelden mislukt",
			"Het aanmelden is niet gelukt of duurde te lang. Probeer opnieuw.")
	}
	cookie, err := r.Cookie(loginCookie)
	if err != nil || q.Get("state") == "" || cookie.Value != q.Get("state") {
		refuse("state does not match this browser's", err)
		return
	}
	s.clearCookie(w, loginCookie)
	raw, err := s.db.TakeLogin(r.Context(), q.Get("state"), s.now().Add(-loginTimeout))
	if err != nil {
		refuse("unknown or expired state", err)
		return
	}
	var l login
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		refuse("state data", err)
		return
	}
	if e := q.Get("error"); e != "" {
		refuse("the provider answered "+e, nil)
		return
	}
	p, oc, _, err := s.signIn.discover(r.Context())
	if err != nil {
		s.unavailable(w, r, nil)
		return
	}
	tok, err := oc.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		refuse("code exchange", err)
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idTok, err := p.Verifier(&oidc.Config{ClientID: s.cfg.ClientID}).Verify(r.Context(), rawID)
	if err != nil || idTok.Nonce != l.Nonce {
		refuse("ID token or its nonce", err)
		return
	}
	bearer, expiry := tok.AccessToken, tok.Expiry
	if s.cfg.Bearer == "id_token" {
		bearer, expiry = rawID, idTok.Expiry
	}
	who, err := s.verifier.Verify(r.Context(), bearer)
	if err != nil {
		s.log.Warn("sign-in: token without a role here", "err", err)
		s.errorPage(w, r, nil, http.StatusForbidden, "Geen toegang",
			"U bent aangemeld, maar uw account heeft geen rol in ROTS roundtable. Vraag de functioneel beheerder van uw regio om toegang.")
		return
	}
	if expiry.IsZero() {
		expiry = s.now().Add(time.Hour)
	}
	// A new sign-in ends the session this browser had, and never reuses
	// its secret.
	if old, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.EndSession(r.Context(), old.Value); err != nil {
			s.log.Warn("sign-in: ending the previous session", "err", err)
		}
	}
	secret := randomSecret()
	data, _ := json.Marshal(session{Token: bearer, IDToken: rawID, Expiry: expiry, Who: who})
	if err := s.db.CreateSession(r.Context(), secret, string(data), s.now(), s.now().Add(s.cfg.Lifetime)); err != nil {
		s.log.Error("sign-in: storing the session", "err", err)
		s.unavailable(w, r, nil)
		return
	}
	s.setCookie(w, sessionCookie, secret, s.cfg.Lifetime)
	s.log.Info("signed in", "role", who.Role)
	http.Redirect(w, r, l.Return, http.StatusSeeOther)
}

// signOut ends the session here and, where the provider supports it,
// there too.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	back := "/afgemeld"
	if c, err := r.Cookie(sessionCookie); err == nil {
		if raw, err := s.db.Session(r.Context(), c.Value, s.now(), s.cfg.IdleTimeout); err == nil {
			var sess session
			json.Unmarshal([]byte(raw), &sess)
			if _, _, end, err := s.signIn.discover(r.Context()); err == nil && end != "" {
				back = end + "?" + urlValues("id_token_hint", sess.IDToken, "post_logout_redirect_uri", s.cfg.BaseURL+"/afgemeld", "client_id", s.cfg.ClientID)
			}
		}
		if err := s.db.EndSession(r.Context(), c.Value); err != nil {
			s.log.Error("sign-out: ending the session", "err", err)
			s.unavailable(w, r, nil)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// signedIn runs h for a person with a live session, and otherwise sends
// them to sign in (or, for a form post, to the page that says their
// session ended: what they typed cannot be kept across the sign-in).
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/aanmelden?"+urlValues("terug", r.URL.Path), http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/verlopen", http.StatusSeeOther)
			return
		}
		raw, err := s.db.Session(r.Context(), c.Value, s.now(), s.cfg.IdleTimeout)
		var sess session
		if err == nil {
			err = json.Unmarshal([]byte(raw), &sess)
		}
		switch {
		case errors.Is(err, store.ErrSessionEnded):
			s.clearCookie(w, sessionCookie)
			http.Redirect(w, r, "/verlopen", http.StatusSeeOther)
			return
		case err != nil:
			s.log.Error("reading the session", "err", err)
			s.unavailable(w, r, nil)
			return
		case !s.now().Before(sess.Expiry):
			s.expired(w, r, c.Value)
			return
		}
		v := &visit{who: sess.Who, secret: c.Value, unread: -1,
			ctx: metadata.AppendToOutgoingContext(r.Context(), "authorization", "Bearer "+sess.Token)}
		h(w, r, v)
	}
}

// expired ends a session whose token the API no longer takes, and says so.
func (s *Server) expired(w http.ResponseWriter, r *http.Request, secret string) {
	if err := s.db.EndSession(r.Context(), secret); err != nil {
		s.log.Error("ending an expired session", "err", err)
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/verlopen", http.StatusSeeOther)
}

// RunPruner forgets ended sessions and abandoned sign-ins every interval
// until ctx ends.
func (s *Server) RunPruner(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := s.now()
		if err := s.db.PruneSessions(ctx, now, now.Add(-s.cfg.IdleTimeout), now.Add(-loginTimeout)); err != nil && ctx.Err() == nil {
			s.log.Warn("pruning web sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
