package caseservice

import (
	"context"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// WithdrawConsent records that the young person or the parents withdrew
// consent. It is not a stage change, so it is written directly, once per
// request ID.
func (s *Server) WithdrawConsent(ctx context.Context, req *rotsv1.WithdrawConsentRequest) (*rotsv1.WithdrawConsentResponse, error) {
	var v rpc.Violations
	id := rpc.CaseID(&v, "name", req.GetName())
	v.RequestID(req.GetRequestId())
	summary := map[rotsv1.ConsentBy]string{
		rotsv1.ConsentBy_CONSENT_BY_YOUNG_PERSON: "Toestemming ingetrokken door de jongere",
		rotsv1.ConsentBy_CONSENT_BY_PARENTS:      "Toestemming ingetrokken door de ouders",
	}[req.GetBy()]
	if summary == "" {
		v.Add("by", "must be YOUNG_PERSON or PARENTS")
	}
	v.Text("note", req.GetNote(), false, 2000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if req.GetNote() != "" {
		summary += ": " + req.GetNote()
	}
	if err := s.db.WithdrawConsent(ctx, id, req.GetRequestId(), rpc.Actor(ctx), summary, s.now().UTC()); err != nil {
		return nil, s.toStatus(ctx, "WithdrawConsent", err)
	}
	s.log.InfoContext(ctx, "consent withdrawn", "case", id)
	c, err := s.db.GetCase(ctx, id)
	if err != nil {
		return nil, s.toStatus(ctx, "WithdrawConsent", err)
	}
	return &rotsv1.WithdrawConsentResponse{Case: toProto(c)}, nil
}
