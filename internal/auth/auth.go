// Package auth verifies bearer tokens (JWT) against an OpenID Connect
// issuer and carries the caller, a Principal, through the request context.
//
// It must not import the services, the workflows or the store.
package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Roles, as DESIGN.md names them.
const (
	Submitter   = "submitter"
	Coordinator = "coordinator"
	Partner     = "partner"
	Manager     = "manager"
	Admin       = "admin"
	Auditor     = "auditor"
)

// Roles lists every role.
var Roles = []string{Submitter, Coordinator, Partner, Manager, Admin, Auditor}

// Flanders is the region claim of someone whose scope is all of Flanders
// (a Flemish manager, an admin, an auditor).
const Flanders = vocab.Flanders

// Principal is the authenticated caller.
type Principal struct {
	Subject      string
	Email        string
	Role         string
	Region       string // stored form, e.g. OOST_VLAANDEREN; "" for all of Flanders
	Organisation string
	DisplayName  string // the name claim, for greeting the person on a page
}

// Name is how the caller appears on timelines and in the access log.
func (p Principal) Name() string {
	if p.Email != "" {
		return p.Email
	}
	return p.Subject
}

type ctxKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the caller, if authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// Config says which issuer to trust and where the claims are.
type Config struct {
	Issuer      string
	Audience    string
	RoleClaim   string
	RegionClaim string
	OrgClaim    string
	// ACMRolesClaim, when set, names a claim of application roles as the
	// Flemish government's ACM/IDM gives them: values "RoleName:OrgCode".
	// The first value whose RoleName ACMRoles knows gives the role, its
	// OrgCode the organisation, and the region unless the claim for the
	// region says it.
	ACMRolesClaim string
	ACMRoles      map[string]ACMRole
}

// ACMRole is what an ACM/IDM role name stands for here.
type ACMRole struct {
	Role   string
	Region string // a slug, "vlaanderen" for all of Flanders; "" takes the region claim
}

// ParseACMRoles reads a mapping "RoleName=role[@region],…", e.g.
// "ROTSAanmelder=submitter,ROTSTandemOVL=coordinator@oost-vlaanderen".
func ParseACMRoles(s string) (map[string]ACMRole, error) {
	m := map[string]ACMRole{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, target, ok := strings.Cut(item, "=")
		role, region, _ := strings.Cut(target, "@")
		if !ok || strings.TrimSpace(name) == "" || !slices.Contains(Roles, role) {
			return nil, fmt.Errorf("ACM/IDM role %q: want RoleName=role or RoleName=role@region, role one of %s", item, strings.Join(Roles, ", "))
		}
		if region != "" && region != Flanders && vocab.RegionFromSlug(region) == "" {
			return nil, fmt.Errorf("ACM/IDM role %q: unknown region %q", item, region)
		}
		m[strings.TrimSpace(name)] = ACMRole{Role: role, Region: region}
	}
	return m, nil
}

// acmRole finds the first value of the roles claim that the mapping
// knows: its role, region slug (may be "") and organisation code.
func (c Config) acmRole(claim any) (role, region, org string, ok bool) {
	var values []string
	switch v := claim.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, isString := x.(string); isString {
				values = append(values, s)
			}
		}
	}
	for _, v := range values {
		name, code, _ := strings.Cut(strings.TrimSpace(v), ":")
		if r, known := c.ACMRoles[name]; known {
			return r.Role, r.Region, code, true
		}
	}
	return "", "", "", false
}

// DefaultClaims fills in the claim names not set.
func (c Config) withDefaults() Config {
	if c.RoleClaim == "" {
		c.RoleClaim = "rots_role"
	}
	if c.RegionClaim == "" {
		c.RegionClaim = "rots_region"
	}
	if c.OrgClaim == "" {
		c.OrgClaim = "rots_org"
	}
	return c
}

// Verifier checks tokens. It fetches the issuer's discovery document and
// keys on first use and caches them; unknown key IDs trigger a refetch, so
// the issuer can rotate its keys.
type Verifier struct {
	cfg      Config
	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

// NewVerifier returns a verifier for the issuer in cfg.
func NewVerifier(cfg Config) *Verifier {
	return &Verifier{cfg: cfg.withDefaults()}
}

// ErrUnauthenticated wraps every reason a token is refused.
var ErrUnauthenticated = errors.New("unauthenticated")

func (v *Verifier) idVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	// The provider's key set outlives this request.
	p, err := oidc.NewProvider(context.WithoutCancel(ctx), v.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: issuer %s: %w", v.cfg.Issuer, err)
	}
	v.verifier = p.Verifier(&oidc.Config{ClientID: v.cfg.Audience})
	return v.verifier, nil
}

// Verify checks a raw token (signature, issuer, audience, expiry) and reads
// the caller from its claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (Principal, error) {
	iv, err := v.idVerifier(ctx)
	if err != nil {
		return Principal{}, err
	}
	tok, err := iv.Verify(ctx, raw)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	str := func(name string) string { s, _ := claims[name].(string); return strings.TrimSpace(s) }
	role, region, org := str(v.cfg.RoleClaim), str(v.cfg.RegionClaim), str(v.cfg.OrgClaim)
	if v.cfg.ACMRolesClaim != "" {
		acmRole, acmRegion, code, ok := v.cfg.acmRole(claims[v.cfg.ACMRolesClaim])
		if !ok {
			return Principal{}, fmt.Errorf("%w: no role of this application in claim %s", ErrUnauthenticated, v.cfg.ACMRolesClaim)
		}
		role, org = acmRole, code
		if acmRegion != "" {
			region = acmRegion
		}
	}
	p := Principal{
		Subject: tok.Subject, Email: str("email"), DisplayName: str("name"), Role: role,
		Region: vocab.RegionFromSlug(region), Organisation: org,
	}
	if err := p.validate(region); err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrUnauthenticated, err)
	}
	return p, nil
}

// validate refuses a token whose claims do not make a usable caller.
func (p Principal) validate(regionSlug string) error {
	known := false
	for _, r := range Roles {
		known = known || r == p.Role
	}
	switch {
	case !known:
		return fmt.Errorf("unknown role %q", p.Role)
	case p.Region == "" && regionSlug != Flanders:
		return fmt.Errorf("unknown region %q", regionSlug)
	case p.Region == "" && (p.Role == Submitter || p.Role == Coordinator || p.Role == Partner):
		return fmt.Errorf("a %s belongs to one region", p.Role)
	case (p.Role == Submitter || p.Role == Partner) && p.Organisation == "":
		return fmt.Errorf("a %s needs an organisation", p.Role)
	}
	return nil
}
