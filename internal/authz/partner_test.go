package authz

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// TestPartnerListScope runs ListCases requests through the interceptor: a
// partner's listing always reaches the handler narrowed to their own
// organisation's tables in their region, and a request for another
// organisation's or region's is refused. (services/caseservice tests what
// the narrowed listing returns, on PostgreSQL.)
func TestPartnerListScope(t *testing.T) {
	t.Parallel()
	principals := tokenPrincipals{
		"partner":        {Subject: "p", Email: "jo@arktos.be", Role: auth.Partner, Region: "LIMBURG", Organisation: "Arktos"},
		"partner-no-org": {Subject: "q", Email: "q@elders.be", Role: auth.Partner, Region: "LIMBURG"},
		"tandem":         {Subject: "c", Role: auth.Coordinator, Region: "LIMBURG"},
	}
	i := &Interceptor{Verifier: principals, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	info := &grpc.UnaryServerInfo{FullMethod: "/rots.v1.CaseService/ListCases"}
	for _, tt := range []struct {
		token    string
		req      *rotsv1.ListCasesRequest
		wantCode codes.Code
		wantOrg  string // invited_organisation as the handler sees it
	}{
		{"partner", &rotsv1.ListCasesRequest{}, codes.OK, "Arktos"},
		{"partner", &rotsv1.ListCasesRequest{InvitedOrganisation: "Arktos"}, codes.OK, "Arktos"},
		{"partner", &rotsv1.ListCasesRequest{Query: "noor"}, codes.OK, "Arktos"},
		{"partner", &rotsv1.ListCasesRequest{InvitedOrganisation: "CGG Lichtpunt"}, codes.PermissionDenied, ""},
		{"partner", &rotsv1.ListCasesRequest{Region: rotsv1.Region_REGION_ANTWERPEN}, codes.PermissionDenied, ""},
		{"partner-no-org", &rotsv1.ListCasesRequest{}, codes.PermissionDenied, ""},
		{"tandem", &rotsv1.ListCasesRequest{}, codes.OK, ""},
		{"tandem", &rotsv1.ListCasesRequest{InvitedOrganisation: "Arktos"}, codes.OK, "Arktos"},
	} {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tt.token))
		var seen *rotsv1.ListCasesRequest
		_, err := i.Unary()(ctx, tt.req, info, func(ctx context.Context, req any) (any, error) {
			seen = req.(*rotsv1.ListCasesRequest)
			return &rotsv1.ListCasesResponse{}, nil
		})
		if got := status.Code(err); got != tt.wantCode {
			t.Errorf("%s lists %v: %v, want %s", tt.token, tt.req, err, tt.wantCode)
			continue
		}
		if tt.wantCode != codes.OK {
			if seen != nil {
				t.Errorf("%s lists %v: the handler ran", tt.token, tt.req)
			}
			continue
		}
		if seen.GetInvitedOrganisation() != tt.wantOrg || seen.GetRegion() != rotsv1.Region_REGION_LIMBURG {
			t.Errorf("%s lists %v: the handler saw organisation %q in %s, want %q in LIMBURG", tt.token, tt.req,
				seen.GetInvitedOrganisation(), seen.GetRegion(), tt.wantOrg)
		}
	}
}
