package authz

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/signals"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// TokenVerifier checks a bearer token.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (auth.Principal, error)
}

// Interceptor authenticates every call, applies the policy to it, shapes
// the answer to the caller's view and writes the access log.
type Interceptor struct {
	Verifier TokenVerifier
	DB       *store.DB
	Log      *slog.Logger
}

// PurposeHeader is the gRPC metadata key that says why personal data is
// read; without it the purpose follows from the call.
const PurposeHeader = "rots-purpose"

var purposes = map[string]bool{"behandeling": true, "opvolging": true, "inzage": true, "audit": true}

// Unary is the interceptor. Calls outside rots.v1 (health, reflection)
// pass without a token.
func (i *Interceptor) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !strings.HasPrefix(info.FullMethod, svc) {
			return handler(ctx, req)
		}
		p, err := i.authenticate(ctx)
		if err != nil {
			return nil, err
		}
		if d := Decide(info.FullMethod, p, Relation{}); !d.Known {
			return nil, status.Errorf(codes.PermissionDenied, "%s has no access rule", info.FullMethod)
		} else if !d.Role {
			return nil, status.Errorf(codes.PermissionDenied, "a %s may not call %s", p.Role, rpc.ShortMethod(info.FullMethod))
		}
		if err := i.resolveReferences(ctx, req); err != nil {
			return nil, err
		}
		rel, caseID, err := i.relate(ctx, p, req)
		if err != nil {
			return nil, err
		}
		d := Decide(info.FullMethod, p, rel)
		if !d.Allow {
			if caseID != "" {
				// Out of scope looks like absent: a case's existence does
				// not leak.
				return nil, status.Error(codes.NotFound, "case not found")
			}
			return nil, status.Errorf(codes.PermissionDenied, "%s is outside your scope", rpc.ShortMethod(info.FullMethod))
		}
		if err := checkSearch(req, d.View); err != nil {
			return nil, err
		}
		resp, err := handler(auth.NewContext(ctx, p), req)
		if err != nil {
			return nil, err
		}
		Redact(resp, d.View)
		if d.View != Statistical {
			if err := i.logAccess(ctx, p, info.FullMethod, caseID, resp); err != nil {
				i.Log.ErrorContext(ctx, "access log", "err", err)
				return nil, status.Error(codes.Unavailable, "the access log cannot be written; retry with the same request_id")
			}
		}
		return resp, nil
	}
}

func (i *Interceptor) authenticate(ctx context.Context) (auth.Principal, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	var raw string
	for _, v := range md.Get("authorization") {
		if t, ok := strings.CutPrefix(v, "Bearer "); ok {
			raw = strings.TrimSpace(t)
		}
	}
	if raw == "" {
		return auth.Principal{}, status.Error(codes.Unauthenticated, "a bearer token is required (rotsctl login)")
	}
	p, err := i.Verifier.Verify(ctx, raw)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return auth.Principal{}, status.Error(codes.Unauthenticated, "the token is not valid: "+strings.TrimPrefix(err.Error(), "unauthenticated: "))
	}
	if err != nil {
		i.Log.WarnContext(ctx, "token verification", "err", err)
		return auth.Principal{}, status.Error(codes.Unavailable, "the identity provider cannot be reached")
	}
	return p, nil
}

// resolveReferences turns a case named by its reference, "cases/ROTS-1A2B3C4D",
// into its canonical name "cases/{id}" in the request's name, parent or
// case, so that every RPC takes a person's name for a case and everything
// after (access rules, request_id, services) sees the one name. An unknown
// reference is NotFound, as an unknown or out-of-scope case is.
func (i *Interceptor) resolveReferences(ctx context.Context, req any) error {
	m, ok := req.(proto.Message)
	if !ok {
		return nil
	}
	r := m.ProtoReflect()
	for _, field := range []protoreflect.Name{"name", "parent", "case"} {
		fd := r.Descriptor().Fields().ByName(field)
		if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
			continue
		}
		ref, isCase := strings.CutPrefix(r.Get(fd).String(), "cases/")
		if ref = strings.ToUpper(ref); !isCase || !strings.HasPrefix(ref, "ROTS-") {
			continue
		}
		id, err := i.DB.CaseIDByReference(ctx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return status.Error(codes.NotFound, "case not found")
		}
		if err != nil {
			return rpc.Status(ctx, i.Log, "access check", "case", err)
		}
		r.Set(fd, protoreflect.ValueOfString("cases/"+id))
	}
	return nil
}

// relate works out how the caller stands to what the request is about. It
// narrows list requests to the caller's scope, and returns the case ID when
// the request names one case.
func (i *Interceptor) relate(ctx context.Context, p auth.Principal, req any) (Relation, string, error) {
	inRegion := func(region string) bool { return p.Region == "" || p.Region == region }
	switch r := req.(type) {
	case *rotsv1.SubmitCaseRequest:
		if r.GetRegion() == 0 || strings.TrimSpace(r.GetSubmittingOrganisation().GetName()) == "" {
			// Incomplete: validation refuses it with the fields to fix.
			return Relation{SameRegion: true, SameOrg: true}, "", nil
		}
		region := strings.TrimPrefix(r.GetRegion().String(), "REGION_")
		same := inRegion(region) && p.Region != ""
		return Relation{SameRegion: same, SameOrg: same && strings.TrimSpace(r.GetSubmittingOrganisation().GetName()) == p.Organisation}, "", nil
	case *rotsv1.ListCasesRequest:
		return narrowCases(p, &r.Region, &r.SubmittingOrganisation, &r.InvitedOrganisation), "", nil
	case *rotsv1.ListChangesRequest:
		// The feed of the cases ListCases would list.
		return narrowCases(p, &r.Region, &r.SubmittingOrganisation, &r.InvitedOrganisation), "", nil
	case *rotsv1.ListCaseEventsRequest:
		return i.relateCase(ctx, p, "parent", r.GetParent())
	case *rotsv1.UpdateAgreementRequest:
		rel, id, err := i.relateCase(ctx, p, "name", r.GetName())
		if err != nil || !rel.Invited {
			return rel, id, err
		}
		// A partner updates only the agreements their organisation owns.
		c, err := i.DB.GetCase(ctx, id)
		if err != nil {
			return Relation{}, id, status.Error(codes.Unavailable, "a backend is unavailable; retry")
		}
		if idx := int(r.GetIndex()); idx >= 0 && idx < len(c.Agreements) && c.Agreements[idx].OwnerOrganisation != p.Organisation {
			return Relation{}, id, status.Error(codes.PermissionDenied, "the agreement belongs to another organisation")
		}
		return rel, id, nil
	case *rotsv1.GetEscalationPolicyRequest:
		return Relation{SameRegion: inRegion(policyRegion(r.GetName()))}, "", nil
	case *rotsv1.UpdateEscalationPolicyRequest:
		return Relation{SameRegion: inRegion(policyRegion(r.GetPolicy().GetName()))}, "", nil
	case *rotsv1.ListNotificationsRequest:
		if r.GetRecipient() == "" {
			r.Recipient = p.Email
		}
		return Relation{Self: p.Email != "" && strings.EqualFold(r.GetRecipient(), p.Email)}, "", nil
	case *rotsv1.MarkNotificationReadRequest:
		id, err := strconv.ParseInt(strings.TrimPrefix(r.GetName(), "notifications/"), 10, 64)
		if err != nil {
			return Relation{}, "", nil // the handler says what is wrong with the name
		}
		n, err := i.DB.GetNotification(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !strings.EqualFold(n.Recipient, p.Email)) {
			return Relation{}, "", status.Error(codes.NotFound, "notification not found")
		}
		if err != nil {
			return Relation{}, "", status.Error(codes.Unavailable, "a backend is unavailable")
		}
		return Relation{Self: true}, "", nil
	case *rotsv1.ListOrganisationsRequest:
		return Relation{SameRegion: narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.GetDashboardRequest:
		// A regional manager's dashboard is of their region; no region means
		// theirs, and all of Flanders only for a Flemish manager.
		return Relation{SameRegion: narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.GetKernkwadrantRequest:
		// As the dashboard: a regional caller's own region.
		return Relation{SameRegion: narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.SearchOffersRequest:
		return Relation{SameRegion: narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.GetOrganisationRequest:
		return i.relateOrganisation(ctx, p, r.GetName())
	case *rotsv1.GetOfferRequest:
		return i.relateOrganisation(ctx, p, r.GetName())
	case *rotsv1.CreateOrganisationRequest, *rotsv1.UpdateOrganisationRequest, *rotsv1.DeactivateOrganisationRequest,
		*rotsv1.CreateOfferRequest, *rotsv1.UpdateOfferRequest, *rotsv1.DeactivateOfferRequest:
		// Admins only, for all of Flanders: no relation needed. These must
		// come before the GetName case, which expects a case.
		return Relation{}, "", nil
	case *rotsv1.CreateSignalRequest:
		// About one region, or (unset) all of Flanders: Flemish managers only.
		region := r.GetSignal().GetRegion()
		return Relation{SameRegion: p.Region == "" || region != 0 && strings.TrimPrefix(region.String(), "REGION_") == p.Region}, "", nil
	case *rotsv1.ListSignalsRequest:
		if p.Region != "" && r.GetFlandersOnly() {
			return Relation{}, "", nil
		}
		return Relation{SameRegion: narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.CreatePracticeRequest:
		return i.relateCase(ctx, p, "case", r.GetCase())
	case *rotsv1.ListPracticesRequest:
		// Published practices are for all of Flanders; those in review for
		// their region's coordinators.
		return Relation{SameRegion: !r.GetInReview() || narrowRegion(p, &r.Region)}, "", nil
	case *rotsv1.GetPracticeRequest:
		return i.relatePractice(ctx, p, "name", r.GetName(), true)
	case *rotsv1.UpdatePracticeRequest:
		return i.relatePractice(ctx, p, "practice.name", r.GetPractice().GetName(), false)
	case *rotsv1.ReviewPracticeRequest:
		return i.relatePractice(ctx, p, "name", r.GetName(), false)
	case *rotsv1.UpdateSignalRequest:
		return i.relateSignal(ctx, p, "signal.name", r.GetSignal().GetName())
	case *rotsv1.GetSignalRequest, *rotsv1.ApproveSignalRequest, *rotsv1.MarkSignalSentRequest, *rotsv1.ExportSignalRequest:
		return i.relateSignal(ctx, p, "name", r.(interface{ GetName() string }).GetName())
	case interface{ GetName() string }:
		return i.relateCase(ctx, p, "name", r.GetName())
	}
	return Relation{}, "", nil
}

// narrowCases limits a listing of cases to the caller's scope: their
// region; a submitter's own organisation; for a partner, the cases their
// organisation is invited to while the consent holds, what relateCase lets
// them open one by one. A listing that asks for more relates to nothing.
func narrowCases(p auth.Principal, region *rotsv1.Region, submitting, invited *string) Relation {
	if !narrowRegion(p, region) {
		return Relation{}
	}
	switch p.Role {
	case auth.Submitter:
		if *submitting != "" && *submitting != p.Organisation {
			return Relation{}
		}
		*submitting = p.Organisation
	case auth.Partner:
		if p.Organisation == "" || *invited != "" && *invited != p.Organisation {
			return Relation{}
		}
		*invited = p.Organisation
	}
	return Relation{SameRegion: true, SameOrg: true, Invited: true}
}

// relateSignal relates the caller to the signal named "signals/{id}": in
// scope when it is about the caller's region, or the caller's scope is all
// of Flanders. A signal about all of Flanders is for Flemish managers only.
func (i *Interceptor) relateSignal(ctx context.Context, p auth.Principal, field, name string) (Relation, string, error) {
	_, region, err := lookUp(ctx, i.Log, field, name, "signal", signals.New(i.DB).SignalRegion)
	if err != nil {
		return Relation{}, "", err
	}
	return Relation{SameRegion: p.Region == "" || p.Region == region}, "", nil
}

// relatePractice relates the caller to the practice named
// "practices/{id}": in scope in its region, or anywhere once published
// when published counts (reading it).
func (i *Interceptor) relatePractice(ctx context.Context, p auth.Principal, field, name string, published bool) (Relation, string, error) {
	_, scope, err := lookUp(ctx, i.Log, field, name, "practice", practices.New(i.DB).ScopeOf)
	if err != nil {
		return Relation{}, "", err
	}
	return Relation{SameRegion: p.Region == "" || p.Region == scope.Region || published && scope.State == practices.Published}, "", nil
}

// lookUp reads what read gives for the resource named "{kind}s/{uuid}" in
// field: a malformed name is InvalidArgument naming the field, and the
// store's errors are mapped as every service maps them.
func lookUp[T any](ctx context.Context, log *slog.Logger, field, name, kind string, read func(context.Context, string) (T, error)) (string, T, error) {
	var zero T
	var v rpc.Violations
	id := rpc.ID(&v, field, kind, name)
	if err := v.Err(); err != nil {
		return "", zero, err
	}
	got, err := read(ctx, id)
	if err != nil {
		return "", zero, rpc.Status(ctx, log, "access check", kind, err)
	}
	return id, got, nil
}

// relateOrganisation relates the caller to the directory organisation
// named by "organisations/{id}" or "organisations/{id}/offers/{offer}": in
// scope when it serves the caller's region. A malformed or unknown name is
// left to the handler (InvalidArgument, NotFound): the directory is not
// secret, so its existence may show.
func (i *Interceptor) relateOrganisation(ctx context.Context, p auth.Principal, name string) (Relation, string, error) {
	id, _, _ := strings.Cut(strings.TrimPrefix(name, "organisations/"), "/")
	regions, err := directory.New(i.DB).OrganisationRegions(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Relation{SameRegion: true}, "", nil
	}
	if err != nil {
		return Relation{}, "", status.Error(codes.Unavailable, "a backend is unavailable; retry")
	}
	return Relation{SameRegion: p.Region == "" || slices.Contains(regions, p.Region)}, "", nil
}

// relateCase relates the caller to the case named "cases/{id}".
func (i *Interceptor) relateCase(ctx context.Context, p auth.Principal, field, name string) (Relation, string, error) {
	id, scope, err := lookUp(ctx, i.Log, field, name, "case", i.DB.Scope)
	if err != nil {
		return Relation{}, "", err
	}
	same := p.Region == "" || p.Region == scope.Region
	// A partner is invited through their organisation, and only while the
	// young person and the parents consent.
	invited := p.Role == auth.Partner && same && !scope.ConsentWithdrawn && slices.Contains(scope.InvitedOrgs, p.Organisation)
	return Relation{SameRegion: same, SameOrg: same && p.Role == auth.Submitter && p.Organisation == scope.Org, Invited: invited}, id, nil
}

// checkSearch refuses ListCases' query to a view that does not show the
// young person's alias: which cases a search on it finds would tell the
// alias, one probe at a time. Such a caller finds a case by its reference
// with the reference filter.
func checkSearch(req any, v View) error {
	r, ok := req.(*rotsv1.ListCasesRequest)
	if !ok || strings.TrimSpace(r.GetQuery()) == "" || showsAlias(v) {
		return nil
	}
	return status.Error(codes.PermissionDenied, "query searches the young person's alias, which your view does not show; find a case with reference")
}

// showsAlias reports whether the view shows the young person's alias.
func showsAlias(v View) bool {
	if v == Full {
		return true
	}
	return contains(shown[v]["rots.v1.Case"], "young_person") && contains(shown[v]["rots.v1.YoungPerson"], "alias")
}

// narrowRegion limits a listing to the caller's region, or reports false
// when it asks for another one. Callers for all of Flanders are not limited.
func narrowRegion(p auth.Principal, region *rotsv1.Region) bool {
	if p.Region == "" {
		return true
	}
	mine := rotsv1.Region(rotsv1.Region_value["REGION_"+p.Region])
	if *region != 0 && *region != mine {
		return false
	}
	*region = mine
	return true
}

func policyRegion(name string) string {
	slug := strings.TrimSuffix(strings.TrimPrefix(name, "regions/"), "/escalationPolicy")
	return vocab.RegionFromSlug(slug)
}

// logAccess appends one entry per case whose personal data the call read
// or changed.
func (i *Interceptor) logAccess(ctx context.Context, p auth.Principal, method, caseID string, resp any) error {
	var ids []string
	switch r := resp.(type) {
	case *rotsv1.ListCasesResponse:
		for _, c := range r.GetCases() {
			ids = append(ids, strings.TrimPrefix(c.GetName(), "cases/"))
		}
	case *rotsv1.ListChangesResponse:
		// One entry per case the page read, as a listing of cases.
		for _, c := range r.GetChanges() {
			if id := strings.TrimPrefix(c.GetCase(), "cases/"); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	case interface{ GetCase() *rotsv1.Case }:
		ids = []string{strings.TrimPrefix(r.GetCase().GetName(), "cases/")}
	}
	if caseID != "" && len(ids) == 0 {
		ids = []string{caseID}
	}
	if len(ids) == 0 {
		return nil
	}
	purpose := defaultPurpose(method)
	if md, _ := metadata.FromIncomingContext(ctx); len(md.Get(PurposeHeader)) > 0 && purposes[md.Get(PurposeHeader)[0]] {
		purpose = md.Get(PurposeHeader)[0]
	}
	now := time.Now()
	entries := make([]store.Access, len(ids))
	for k, id := range ids {
		entries[k] = store.Access{At: now, Actor: p.Name(), Role: p.Role, CaseID: id, Action: rpc.ShortMethod(method), Purpose: purpose}
	}
	return i.DB.LogAccess(ctx, entries)
}

func defaultPurpose(method string) string {
	switch name := rpc.ShortMethod(method); {
	case name == "ExportCase":
		return "inzage"
	case strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List"):
		return "opvolging"
	}
	return "behandeling"
}
