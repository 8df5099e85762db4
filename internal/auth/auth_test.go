package auth_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
)

// startIssuer serves a development issuer and returns it with its URL.
func startIssuer(t *testing.T) (*devissuer.Issuer, string) {
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
	return is, is.URL
}

var coordinator = devissuer.Claims{Subject: "an", Email: "an@rots.be", Role: "coordinator", Region: "oost-vlaanderen"}

func TestVerify(t *testing.T) {
	is, url := startIssuer(t)
	v := auth.NewVerifier(auth.Config{Issuer: url, Audience: "rots"})
	ctx := context.Background()

	good, err := is.Token(coordinator, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Principal{Subject: "an", Email: "an@rots.be", Role: auth.Coordinator, Region: "OOST_VLAANDEREN"}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("principal (-want +got):\n%s", diff)
	}

	// Same URL and key ID, another key: as a forger would sign.
	forger, err := devissuer.New(url, "rots", filepath.Join(t.TempDir(), "other.pem"))
	if err != nil {
		t.Fatal(err)
	}
	otherAudience, err := devissuer.New(url, "someone-else", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	token := func(is *devissuer.Issuer, c devissuer.Claims, ttl time.Duration) string {
		tok, err := is.Token(c, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	parts := strings.Split(good, ".")
	manager := payload(t, is, devissuer.Claims{Subject: "an", Role: "manager", Region: "vlaanderen"})
	tests := []struct {
		name  string
		token string
	}{
		{"expired", token(is, coordinator, -time.Minute)},
		{"signed with another key", token(forger, coordinator, time.Hour)},
		{"for another audience", token(otherAudience, coordinator, time.Hour)},
		{"claims tampered with", parts[0] + "." + manager + "." + parts[2]},
		{"not a token", "abc"},
		{"unknown role", token(is, devissuer.Claims{Subject: "x", Role: "director", Region: "limburg"}, time.Hour)},
		{"unknown region", token(is, devissuer.Claims{Subject: "x", Role: "coordinator", Region: "gent"}, time.Hour)},
		{"coordinator of all Flanders", token(is, devissuer.Claims{Subject: "x", Role: "coordinator", Region: "vlaanderen"}, time.Hour)},
		{"submitter without organisation", token(is, devissuer.Claims{Subject: "x", Role: "submitter", Region: "limburg"}, time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.Verify(ctx, tt.token); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("Verify = %v, want ErrUnauthenticated", err)
			}
		})
	}
}

// payload returns the payload part of a token with other claims, to splice
// into a validly signed token.
func payload(t *testing.T, is *devissuer.Issuer, c devissuer.Claims) string {
	t.Helper()
	tok, err := is.Token(c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(tok, ".")[1]
}

func TestUnreachableIssuerIsNotUnauthenticated(t *testing.T) {
	v := auth.NewVerifier(auth.Config{Issuer: "http://127.0.0.1:1", Audience: "rots"})
	_, err := v.Verify(context.Background(), "x.y.z")
	if err == nil || errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("Verify against an unreachable issuer = %v, want an error that is not ErrUnauthenticated", err)
	}
}

// With ACM/IDM's roles claim, the role and organisation come from the
// first value "RoleName:OrgCode" the mapping knows, and the region from
// the mapping or else the region claim.
func TestVerifyACMRoles(t *testing.T) {
	is, url := startIssuer(t)
	roles, err := auth.ParseACMRoles("ROTSAanmelder=submitter, ROTSTandemOVL=coordinator@oost-vlaanderen,ROTSManagerVL=manager@vlaanderen")
	if err != nil {
		t.Fatal(err)
	}
	v := auth.NewVerifier(auth.Config{Issuer: url, Audience: "rots", ACMRolesClaim: "iv_rots_rol_3d", ACMRoles: roles})
	token := func(region string, values any) string {
		tok, err := is.Token(devissuer.Claims{Subject: "x", Email: "x@vlaanderen.be", Region: region,
			Extra: map[string]any{"iv_rots_rol_3d": values}}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, c := range []struct {
		name   string
		region string
		values any
		want   auth.Principal
		err    bool
	}{
		{"submitter, region from its claim", "limburg", []any{"AndereApp:OVO1", "ROTSAanmelder:VCLB Limburg"},
			auth.Principal{Role: "submitter", Region: "LIMBURG", Organisation: "VCLB Limburg"}, false},
		{"a single string", "", "ROTSTandemOVL:OVO002", auth.Principal{Role: "coordinator", Region: "OOST_VLAANDEREN", Organisation: "OVO002"}, false},
		{"all of Flanders from the mapping", "", []any{"ROTSManagerVL:OVO003"}, auth.Principal{Role: "manager", Organisation: "OVO003"}, false},
		{"no role of this application", "limburg", []any{"AndereApp:OVO1"}, auth.Principal{}, true},
		{"submitter without a region", "", []any{"ROTSAanmelder:VCLB"}, auth.Principal{}, true},
	} {
		p, err := v.Verify(context.Background(), token(c.region, c.values))
		if c.err {
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("%s: err = %v, want unauthenticated", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := auth.Principal{Role: p.Role, Region: p.Region, Organisation: p.Organisation}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	for _, bad := range []string{"ROTSAanmelder", "ROTSAanmelder=chef", "X=coordinator@atlantis", "=submitter"} {
		if _, err := auth.ParseACMRoles(bad); err == nil {
			t.Errorf("ParseACMRoles(%q) accepted", bad)
		}
	}
}
