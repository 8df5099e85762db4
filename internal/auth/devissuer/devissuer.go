// Package devissuer is the OpenID Connect issuer of `rotsd dev`: it
// publishes a discovery document and its keys, and hands out tokens for any
// role on request, so that a developer can act as a coordinator, a submitter
// or a manager: as JSON for rotsctl and the tests, and through a login page
// where one picks a fictional person for a browser (login.go). It must never run in production, which has a real identity
// provider instead.
package devissuer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer signs development tokens.
type Issuer struct {
	URL      string
	Audience string
	key      *ecdsa.PrivateKey
	keyID    string
	signer   jose.Signer
	// SignInTTL is how long the tokens of a sign-in in a browser last.
	SignInTTL time.Duration
	codes     codes
}

// New returns an issuer at url whose signing key is kept in keyFile
// (created when missing), so that tokens stay valid across restarts.
func New(url, audience, keyFile string) (*Issuer, error) {
	key, err := loadOrCreateKey(keyFile)
	if err != nil {
		return nil, fmt.Errorf("devissuer.New: %w", err)
	}
	is := &Issuer{URL: url, Audience: audience, key: key, keyID: "dev-1", SignInTTL: 8 * time.Hour}
	is.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: is.keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("devissuer.New: %w", err)
	}
	return is, nil
}

func loadOrCreateKey(file string) (*ecdsa.PrivateKey, error) {
	if b, err := os.ReadFile(file); err == nil {
		block, _ := pem.Decode(b)
		if block == nil {
			return nil, errors.New("no PEM block in " + file)
		}
		return x509.ParseECPrivateKey(block.Bytes)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return key, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

// Claims are what a development token says about its holder.
type Claims struct {
	Subject      string `json:"sub"`
	Email        string `json:"email,omitempty"`
	Name         string `json:"name,omitempty"`
	Role         string `json:"rots_role"`
	Region       string `json:"rots_region"`
	Organisation string `json:"rots_org,omitempty"`
	// Extra claims, as another identity provider would send them (the
	// roles claim of ACM/IDM, say).
	Extra map[string]any `json:"-"`
}

// Token signs a token with the claims, valid for ttl.
func (is *Issuer) Token(c Claims, ttl time.Duration) (string, error) {
	now := time.Now()
	std := jwt.Claims{
		Issuer: is.URL, Audience: jwt.Audience{is.Audience}, Subject: c.Subject,
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)), Expiry: jwt.NewNumericDate(now.Add(ttl)),
	}
	b := jwt.Signed(is.signer).Claims(std).Claims(c)
	if c.Extra != nil {
		b = b.Claims(c.Extra)
	}
	return b.Serialize()
}

// Handler serves discovery, the key set and POST /token.
func (is *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": is.URL, "jwks_uri": is.URL + "/keys", "token_endpoint": is.URL + "/token",
			"authorization_endpoint": is.URL + "/authorize", "end_session_endpoint": is.URL + "/logout",
			"id_token_signing_alg_values_supported": []string{"ES256"}, "code_challenge_methods_supported": []string{"S256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"grant_types_supported": []string{"authorization_code"}, "scopes_supported": []string{"openid", "email", "profile"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.key.PublicKey, KeyID: is.keyID, Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", is.showLogin)
	mux.HandleFunc("POST /authorize", is.authorize)
	mux.HandleFunc("GET /logout", is.logout)
	// POST /token: the code flow's exchange, or a JSON body of Claims for
	// rotsctl login and the tests; development only.
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "bad form", http.StatusBadRequest)
				return
			}
			is.exchange(w, r)
			return
		}
		var c Claims
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&c); err != nil || c.Subject == "" || c.Role == "" {
			http.Error(w, "body must be JSON with sub, rots_role, rots_region and, for submitters and partners, rots_org", http.StatusBadRequest)
			return
		}
		tok, err := is.Token(c, 12*time.Hour)
		if err != nil {
			http.Error(w, "signing failed", http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]string{"access_token": tok, "token_type": "Bearer"})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Serve starts an issuer on the listener, at http://<listener address>,
// and returns it with its server for shutting down.
func Serve(l net.Listener, audience, keyFile string) (*Issuer, *http.Server, error) {
	is, err := New("http://"+l.Addr().String(), audience, keyFile)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: is.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	return is, srv, nil
}
