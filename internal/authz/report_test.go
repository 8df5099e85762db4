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

// tokenPrincipals verifies a token by looking it up.
type tokenPrincipals map[string]auth.Principal

func (t tokenPrincipals) Verify(_ context.Context, raw string) (auth.Principal, error) {
	p, ok := t[raw]
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return p, nil
}

// TestDashboardScope runs GetDashboard requests through the interceptor:
// only managers, a regional manager only their own region.
func TestDashboardScope(t *testing.T) {
	t.Parallel()
	const (
		limburg   = rotsv1.Region_REGION_LIMBURG
		antwerpen = rotsv1.Region_REGION_ANTWERPEN
		flanders  = rotsv1.Region_REGION_UNSPECIFIED
	)
	principals := tokenPrincipals{
		"manager-limburg":  {Subject: "m1", Role: auth.Manager, Region: "LIMBURG"},
		"manager-flanders": {Subject: "m2", Role: auth.Manager},
		"coordinator":      {Subject: "c", Role: auth.Coordinator, Region: "LIMBURG"},
		"admin":            {Subject: "a", Role: auth.Admin},
		"auditor":          {Subject: "d", Role: auth.Auditor},
		"submitter":        {Subject: "s", Role: auth.Submitter, Region: "LIMBURG", Organisation: "CLB"},
		"partner":          {Subject: "p", Role: auth.Partner, Region: "LIMBURG", Organisation: "Arktos"},
	}
	i := &Interceptor{Verifier: principals, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	info := &grpc.UnaryServerInfo{FullMethod: "/rots.v1.ReportService/GetDashboard"}
	for _, tt := range []struct {
		token      string
		region     rotsv1.Region
		wantCode   codes.Code
		wantRegion rotsv1.Region // as the handler sees it
	}{
		{"manager-limburg", limburg, codes.OK, limburg},
		{"manager-limburg", flanders, codes.OK, limburg}, // no region: their own
		{"manager-limburg", antwerpen, codes.PermissionDenied, 0},
		{"manager-flanders", flanders, codes.OK, flanders},
		{"manager-flanders", antwerpen, codes.OK, antwerpen},
		{"coordinator", limburg, codes.PermissionDenied, 0},
		{"admin", flanders, codes.PermissionDenied, 0},
		{"auditor", flanders, codes.PermissionDenied, 0},
		{"submitter", limburg, codes.PermissionDenied, 0},
		{"partner", limburg, codes.PermissionDenied, 0},
		{"nobody", limburg, codes.Unauthenticated, 0},
	} {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tt.token))
		req := &rotsv1.GetDashboardRequest{Region: tt.region, FromMonth: "2026-01", ToMonth: "2026-12"}
		var seen *rotsv1.Region
		_, err := i.Unary()(ctx, req, info, func(ctx context.Context, req any) (any, error) {
			r := req.(*rotsv1.GetDashboardRequest).GetRegion()
			seen = &r
			return &rotsv1.GetDashboardResponse{Dashboard: &rotsv1.Dashboard{Region: r}}, nil
		})
		if got := status.Code(err); got != tt.wantCode {
			t.Errorf("%s asks for %s: %v, want %s", tt.token, tt.region, err, tt.wantCode)
			continue
		}
		if tt.wantCode != codes.OK {
			if seen != nil {
				t.Errorf("%s asks for %s: the handler ran", tt.token, tt.region)
			}
			continue
		}
		if seen == nil || *seen != tt.wantRegion {
			t.Errorf("%s asks for %s: the handler saw region %v, want %s", tt.token, tt.region, seen, tt.wantRegion)
		}
	}
}
