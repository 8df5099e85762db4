package devissuer_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
)

func serve(t *testing.T) *devissuer.Issuer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is, srv, err := devissuer.Serve(l, "rots", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return is
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

const verifier = "a-verifier-of-enough-length-for-pkce-0123456789"

// authorize posts the login form as a browser would and returns the code.
func authorize(t *testing.T, is *devissuer.Issuer, redirect string) (code string, status int) {
	t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	form := url.Values{"client_id": {"rots-web"}, "redirect_uri": {redirect}, "state": {"s1"}, "nonce": {"n1"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"response_type": {"code"}, "persoon": {"2"}}
	resp, err := noRedirects.PostForm(is.URL+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", resp.StatusCode
	}
	back, _ := url.Parse(resp.Header.Get("Location"))
	if back.Query().Get("state") != "s1" {
		t.Errorf("state not sent back: %s", back)
	}
	return back.Query().Get("code"), resp.StatusCode
}

func exchange(t *testing.T, is *devissuer.Issuer, code, verifier string) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(is.URL+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://localhost:8080/aanmelden/terug"}, "client_id": {"rots-web"}, "code_verifier": {verifier}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// The code flow checks PKCE, hands a code out once, and signs an ID token
// for the client with the nonce, beside an access token for the API.
func TestCodeFlow(t *testing.T) {
	is := serve(t)
	if _, status := authorize(t, is, "https://evil.example/terug"); status != http.StatusBadRequest {
		t.Errorf("a redirect off this machine: status %d, want 400", status)
	}
	code, _ := authorize(t, is, "http://localhost:8080/aanmelden/terug")
	if status, _ := exchange(t, is, code, "the-wrong-verifier-0123456789-0123456789-abc"); status != http.StatusBadRequest {
		t.Errorf("a wrong verifier: status %d, want 400", status)
	}
	code, _ = authorize(t, is, "http://localhost:8080/aanmelden/terug")
	status, body := exchange(t, is, code, verifier)
	if status != http.StatusOK {
		t.Fatalf("exchange: status %d, %v", status, body)
	}
	id, err := jwt.ParseSigned(body["id_token"].(string), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		jwt.Claims
		Nonce string `json:"nonce"`
		Role  string `json:"rots_role"`
		Name  string `json:"name"`
	}
	id.UnsafeClaimsWithoutVerification(&claims)
	if claims.Nonce != "n1" || !claims.Audience.Contains("rots-web") || claims.Role != devissuer.People[2].Role || claims.Name != devissuer.People[2].Name {
		t.Errorf("ID token claims %+v", claims)
	}
	if tok, _ := body["access_token"].(string); strings.Count(tok, ".") != 2 {
		t.Errorf("access token %q is not a JWT", tok)
	}
	if status, _ := exchange(t, is, code, verifier); status != http.StatusBadRequest {
		t.Errorf("a code used twice: status %d, want 400", status)
	}
}
