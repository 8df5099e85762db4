// Package adminservice implements rots.v1.AdminService: the regions'
// escalation policies.
//
// It must not import the other services or cmd/.
package adminservice

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.AdminService.
type Server struct {
	rotsv1.UnimplementedAdminServiceServer
	db  *store.DB
	log *slog.Logger
	now func() time.Time
}

var _ rotsv1.AdminServiceServer = (*Server)(nil)

// New returns an AdminService on the store.
func New(db *store.DB, log *slog.Logger) *Server {
	return &Server{db: db, log: log, now: time.Now}
}

// region parses "regions/{region}/escalationPolicy" into the stored region
// name, e.g. "oost-vlaanderen" into OOST_VLAANDEREN.
func region(v *rpc.Violations, field, name string) string {
	slug, ok := strings.CutPrefix(name, "regions/")
	slug, ok2 := strings.CutSuffix(slug, "/escalationPolicy")
	r := strings.ToUpper(strings.ReplaceAll(slug, "-", "_"))
	if _, known := rotsv1.Region_value["REGION_"+r]; !ok || !ok2 || !known || r == "UNSPECIFIED" {
		v.Add(field, "must be regions/{region}/escalationPolicy with region one of antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen; got %q", name)
		return ""
	}
	return r
}

func policyName(region string) string {
	return "regions/" + strings.ToLower(strings.ReplaceAll(region, "_", "-")) + "/escalationPolicy"
}

func toProto(region string, p escalation.Policy, updated time.Time) *rotsv1.EscalationPolicy {
	pp := &rotsv1.EscalationPolicy{
		Name: policyName(region), IntakeDays: int32(p.IntakeDays), AnswerDays: int32(p.AnswerDays),
		AutoWithdrawDays: int32(p.AutoWithdrawDays), ConsultDays: int32(p.ConsultDays), TableDateDays: int32(p.TableDateDays),
		TableOutcomeDays: int32(p.TableOutcomeDays), AgreementGraceDays: int32(p.AgreementGraceDays), ReviewDays: int32(p.ReviewDays),
		OfferMonths: int32(p.OfferMonths), RetentionMonths: int32(p.RetentionMonths), RungIntervalDays: int32(p.RungIntervalDays), SkipSchoolHolidays: p.SkipSchoolHolidays,
		TandemEmails: p.TandemEmails, ManagerEmails: p.ManagerEmails,
	}
	if !updated.IsZero() {
		pp.UpdateTime = timestamppb.New(updated)
	}
	return pp
}

func fromProto(pp *rotsv1.EscalationPolicy) escalation.Policy {
	return escalation.Policy{
		IntakeDays: int(pp.GetIntakeDays()), AnswerDays: int(pp.GetAnswerDays()), AutoWithdrawDays: int(pp.GetAutoWithdrawDays()),
		ConsultDays: int(pp.GetConsultDays()), TableDateDays: int(pp.GetTableDateDays()), TableOutcomeDays: int(pp.GetTableOutcomeDays()),
		AgreementGraceDays: int(pp.GetAgreementGraceDays()), ReviewDays: int(pp.GetReviewDays()), OfferMonths: int(pp.GetOfferMonths()), RetentionMonths: int(pp.GetRetentionMonths()),
		RungIntervalDays: int(pp.GetRungIntervalDays()), SkipSchoolHolidays: pp.GetSkipSchoolHolidays(),
		TandemEmails: pp.GetTandemEmails(), ManagerEmails: pp.GetManagerEmails(),
	}
}

// GetEscalationPolicy returns a region's policy, the defaults until changed.
func (s *Server) GetEscalationPolicy(ctx context.Context, req *rotsv1.GetEscalationPolicyRequest) (*rotsv1.GetEscalationPolicyResponse, error) {
	var v rpc.Violations
	r := region(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, updated, err := s.db.GetPolicy(ctx, r)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "GetEscalationPolicy", "policy", err)
	}
	return &rotsv1.GetEscalationPolicyResponse{Policy: toProto(r, p, updated)}, nil
}

// UpdateEscalationPolicy replaces a region's policy, once per request_id:
// a late retry answers with the policy as it is now and puts back nothing.
func (s *Server) UpdateEscalationPolicy(ctx context.Context, req *rotsv1.UpdateEscalationPolicyRequest) (*rotsv1.UpdateEscalationPolicyResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	r := region(&v, "policy.name", req.GetPolicy().GetName())
	p := fromProto(req.GetPolicy())
	for _, problem := range p.Validate() {
		v.Add("policy."+problem.Field, "%s", problem.Message)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.db.PutPolicy(ctx, r, req.GetRequestId(), p, rpc.Actor(ctx), s.now().UTC()); err != nil {
		return nil, rpc.Status(ctx, s.log, "UpdateEscalationPolicy", "policy", err)
	}
	s.log.InfoContext(ctx, "escalation policy changed", "region", r, "by", rpc.Actor(ctx))
	p, updated, err := s.db.GetPolicy(ctx, r)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "UpdateEscalationPolicy", "policy", err)
	}
	return &rotsv1.UpdateEscalationPolicyResponse{Policy: toProto(r, p, updated)}, nil
}
