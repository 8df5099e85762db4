package signalservice

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/authz"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// tokens verifies a token by looking it up.
type tokens map[string]auth.Principal

func (v tokens) Verify(_ context.Context, raw string) (auth.Principal, error) {
	p, ok := v[raw]
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return p, nil
}

// through calls a handler of s the way rotsd does: through the access
// policy's interceptor, with token as the bearer token.
type through struct {
	t  *testing.T
	ic grpc.UnaryServerInterceptor
	s  *Server
}

func (c through) call(token, method string, req any) (any, error) {
	c.t.Helper()
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
	handlers := map[string]func(context.Context, any) (any, error){
		"CreateSignal": func(ctx context.Context, r any) (any, error) {
			return c.s.CreateSignal(ctx, r.(*rotsv1.CreateSignalRequest))
		},
		"GetSignal": func(ctx context.Context, r any) (any, error) { return c.s.GetSignal(ctx, r.(*rotsv1.GetSignalRequest)) },
		"ListSignals": func(ctx context.Context, r any) (any, error) {
			return c.s.ListSignals(ctx, r.(*rotsv1.ListSignalsRequest))
		},
		"UpdateSignal": func(ctx context.Context, r any) (any, error) {
			return c.s.UpdateSignal(ctx, r.(*rotsv1.UpdateSignalRequest))
		},
		"ApproveSignal": func(ctx context.Context, r any) (any, error) {
			return c.s.ApproveSignal(ctx, r.(*rotsv1.ApproveSignalRequest))
		},
		"MarkSignalSent": func(ctx context.Context, r any) (any, error) {
			return c.s.MarkSignalSent(ctx, r.(*rotsv1.MarkSignalSentRequest))
		},
		"ExportSignal": func(ctx context.Context, r any) (any, error) {
			return c.s.ExportSignal(ctx, r.(*rotsv1.ExportSignalRequest))
		},
	}
	return c.ic(ctx, req, &grpc.UnaryServerInfo{FullMethod: "/rots.v1.SignalService/" + method}, handlers[method])
}

func (c through) create(token string, region rotsv1.Region) (string, error) {
	in := validSignal()
	in.Region = region
	resp, err := c.call(token, "CreateSignal", &rotsv1.CreateSignalRequest{RequestId: uuid.NewString(), Signal: in})
	if err != nil {
		return "", err
	}
	return resp.(*rotsv1.CreateSignalResponse).GetSignal().GetName(), nil
}

// every request of the service about the signal name, each with a fresh
// request ID.
func everyCallOn(name string) map[string]any {
	return map[string]any{
		"GetSignal": &rotsv1.GetSignalRequest{Name: name},
		"UpdateSignal": &rotsv1.UpdateSignalRequest{RequestId: uuid.NewString(), Signal: &rotsv1.Signal{Name: name, Text: "Aangepast."},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"text"}}},
		"ApproveSignal":  &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: name},
		"MarkSignalSent": &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: name, Recipient: "Departement Onderwijs"},
		"ExportSignal":   &rotsv1.ExportSignalRequest{Name: name, Format: rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV},
	}
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	id := uuid.NewString()[:8]
	principal := func(role, region, org string) auth.Principal {
		return auth.Principal{Subject: role + "-" + region + "-" + id, Email: role + "." + region + "." + id + "@rots.be", Role: role, Region: region, Organisation: org}
	}
	tok := tokens{
		"els":         principal(auth.Manager, "LIMBURG", ""),
		"antwerpen":   principal(auth.Manager, "ANTWERPEN", ""),
		"vlaanderen":  principal(auth.Manager, "", ""),
		"coordinator": principal(auth.Coordinator, "LIMBURG", ""),
		"submitter":   principal(auth.Submitter, "LIMBURG", "Vrij CLB Limburg"),
		"partner":     principal(auth.Partner, "LIMBURG", "Vzw Arktos"),
		"admin":       principal(auth.Admin, "", ""),
		"auditor":     principal(auth.Auditor, "", ""),
	}
	// Another manager of Limburg.
	tok["jan"] = auth.Principal{Subject: "jan-" + id, Email: "jan." + id + "@rots-limburg.be", Role: auth.Manager, Region: "LIMBURG"}
	ic := &authz.Interceptor{Verifier: tok, DB: storetest.Open(t, dbURL), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := through{t: t, ic: ic.Unary(), s: s}

	limburgSignal, err := c.create("els", limburg)
	if err != nil {
		t.Fatalf("a Limburg manager drafts for Limburg: %v", err)
	}
	flandersSignal, err := c.create("vlaanderen", 0)
	if err != nil {
		t.Fatalf("a Flemish manager drafts for Flanders: %v", err)
	}
	if _, err := c.create("vlaanderen", rotsv1.Region_REGION_ANTWERPEN); err != nil {
		t.Errorf("a Flemish manager drafts for Antwerpen: %v", err)
	}

	// Only managers.
	for _, role := range []string{"coordinator", "submitter", "partner", "admin", "auditor"} {
		_, err := c.create(role, limburg)
		wantCode(t, role+" creates", err, codes.PermissionDenied)
		for method, req := range everyCallOn(limburgSignal) {
			_, err := c.call(role, method, req)
			wantCode(t, role+" "+method, err, codes.PermissionDenied)
		}
		_, err = c.call(role, "ListSignals", &rotsv1.ListSignalsRequest{})
		wantCode(t, role+" lists", err, codes.PermissionDenied)
	}
	_, err = c.call("nobody", "GetSignal", &rotsv1.GetSignalRequest{Name: limburgSignal})
	wantCode(t, "unknown token", err, codes.Unauthenticated)

	// A regional manager: only their region.
	_, err = c.create("els", rotsv1.Region_REGION_ANTWERPEN)
	wantCode(t, "Limburg manager drafts for Antwerpen", err, codes.PermissionDenied)
	_, err = c.create("els", 0)
	wantCode(t, "Limburg manager drafts for Flanders", err, codes.PermissionDenied)
	for method, req := range everyCallOn(limburgSignal) {
		_, err := c.call("antwerpen", method, req)
		wantCode(t, "Antwerpen manager "+method+" on a Limburg signal", err, codes.PermissionDenied)
	}
	for method, req := range everyCallOn(flandersSignal) {
		_, err := c.call("els", method, req)
		wantCode(t, "Limburg manager "+method+" on a Flanders signal", err, codes.PermissionDenied)
	}
	_, err = c.call("els", "GetSignal", &rotsv1.GetSignalRequest{Name: "signals/" + uuid.NewString()})
	wantCode(t, "an unknown signal", err, codes.NotFound)
	_, err = c.call("els", "GetSignal", &rotsv1.GetSignalRequest{Name: "cases/" + uuid.NewString()})
	wantCode(t, "a case's name", err, codes.InvalidArgument)

	// Lists are narrowed to the caller's region.
	resp, err := c.call("els", "ListSignals", &rotsv1.ListSignalsRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, sig := range resp.(*rotsv1.ListSignalsResponse).GetSignals() {
		seen[sig.GetName()] = true
		if sig.GetRegion() != limburg {
			t.Errorf("a Limburg manager lists a signal about %v", sig.GetRegion())
		}
	}
	if !seen[limburgSignal] {
		t.Error("a Limburg manager does not see their region's signal")
	}
	_, err = c.call("els", "ListSignals", &rotsv1.ListSignalsRequest{Region: rotsv1.Region_REGION_ANTWERPEN})
	wantCode(t, "Limburg manager lists Antwerpen", err, codes.PermissionDenied)
	_, err = c.call("els", "ListSignals", &rotsv1.ListSignalsRequest{FlandersOnly: true})
	wantCode(t, "Limburg manager lists Flanders", err, codes.PermissionDenied)
	resp, err = c.call("vlaanderen", "ListSignals", &rotsv1.ListSignalsRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen = map[string]bool{}
	for _, sig := range resp.(*rotsv1.ListSignalsResponse).GetSignals() {
		seen[sig.GetName()] = true
	}
	if !seen[limburgSignal] || !seen[flandersSignal] {
		t.Error("a Flemish manager does not see every signal")
	}

	// The whole path, through the policy: the author cannot approve, a
	// colleague of the region can, and a Flemish manager may approve too.
	_, err = c.call("els", "ApproveSignal", &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: limburgSignal})
	wantCode(t, "author approves", err, codes.PermissionDenied)
	if _, err := c.call("jan", "ApproveSignal", &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: limburgSignal}); err != nil {
		t.Errorf("a colleague approves: %v", err)
	}
	if _, err := c.call("els", "MarkSignalSent", &rotsv1.MarkSignalSentRequest{RequestId: uuid.NewString(), Name: limburgSignal, Recipient: "Departement Onderwijs"}); err != nil {
		t.Errorf("the author marks it sent: %v", err)
	}
	if _, err := c.call("vlaanderen", "ExportSignal", &rotsv1.ExportSignalRequest{Name: limburgSignal, Format: rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML}); err != nil {
		t.Errorf("a Flemish manager exports a Limburg signal: %v", err)
	}
	other, err := c.create("els", limburg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.call("vlaanderen", "ApproveSignal", &rotsv1.ApproveSignalRequest{RequestId: uuid.NewString(), Name: other}); err != nil {
		t.Errorf("a Flemish manager approves a Limburg signal: %v", err)
	}
}
