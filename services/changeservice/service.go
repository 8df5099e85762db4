// Package changeservice implements rots.v1.ChangeService: the feed of
// changes to the cases a caller may see, for systems that mirror them. The
// store keeps the feed in commit order (internal/store/changes.go); who
// sees which case is decided by the interceptor of internal/authz, which
// narrows the request to the caller's scope as it does ListCases. It must
// not import cmd/ or the other services.
package changeservice

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.ChangeService.
type Server struct {
	rotsv1.UnimplementedChangeServiceServer
	db  *store.DB
	log *slog.Logger
}

var _ rotsv1.ChangeServiceServer = (*Server)(nil)

// New returns a ChangeService on the store.
func New(db *store.DB, log *slog.Logger) *Server { return &Server{db: db, log: log} }

// ListChanges returns a page of the feed and the token to resume from.
func (s *Server) ListChanges(ctx context.Context, req *rotsv1.ListChangesRequest) (*rotsv1.ListChangesResponse, error) {
	var v rpc.Violations
	f := store.ChangeFilter{Region: vocab.Stored(req.GetRegion()), OrgName: req.GetSubmittingOrganisation(), InvitedOrg: req.GetInvitedOrganisation()}
	if req.GetRegion() != 0 && f.Region == "" {
		v.Add("region", "unknown region %d", req.GetRegion())
	}
	// The token goes with the filters it was made for, the caller's scope
	// among them.
	page := rpc.ReadPage[store.ChangePosition](&v, req.GetPageSize(), req.GetPageToken(), "changes", f)
	if req.GetStartFromNow() && req.GetPageToken() != "" {
		v.Add("start_from_now", "goes without page_token: it starts a new reading")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if req.GetStartFromNow() {
		now, err := s.db.ChangesNow(ctx)
		if err != nil {
			return nil, rpc.Status(ctx, s.log, "ListChanges", "changes", err)
		}
		return &rotsv1.ListChangesResponse{NextPageToken: rpc.Token(now, "changes", f)}, nil
	}
	changes, next, err := s.db.ListChanges(ctx, f, page.After, page.Size)
	if errors.Is(err, store.ErrChangesPruned) {
		return nil, status.Error(codes.FailedPrecondition,
			"page_token is older than the changes kept: read the cases again (ListCases) and follow from a new token (start_from_now)")
	}
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "ListChanges", "changes", err)
	}
	resp := &rotsv1.ListChangesResponse{NextPageToken: rpc.Token(next, "changes", f)}
	for _, c := range changes {
		resp.Changes = append(resp.Changes, toProto(c))
	}
	return resp, nil
}

var kinds = map[string]rotsv1.ChangeKind{
	store.ChangeStage:      rotsv1.ChangeKind_CHANGE_KIND_STAGE,
	store.ChangeEscalation: rotsv1.ChangeKind_CHANGE_KIND_ESCALATION,
	store.ChangeAgreement:  rotsv1.ChangeKind_CHANGE_KIND_AGREEMENT,
	store.ChangeConsent:    rotsv1.ChangeKind_CHANGE_KIND_CONSENT,
}

func toProto(c store.CaseChange) *rotsv1.CaseChange {
	pc := &rotsv1.CaseChange{
		Case:             "cases/" + c.CaseID,
		Kind:             kinds[c.Kind],
		Stage:            vocab.FromStored[rotsv1.Stage](c.Stage),
		Rung:             int32(c.Escalation.Rung),
		Breakthrough:     c.Escalation.Breakthrough,
		ConsentWithdrawn: c.ConsentWithdrawn,
		ChangeTime:       timestamppb.New(c.At),
	}
	if c.Kind == store.ChangeAgreement {
		pc.AgreementIndex = int32(c.AgreementPosition)
		if c.AgreementStatus != "" {
			pc.AgreementStatus = vocab.FromStored[rotsv1.AgreementStatus](c.AgreementStatus)
		}
	}
	for _, d := range c.Escalation.Deadlines {
		pc.Deadlines = append(pc.Deadlines, &rotsv1.Deadline{Kind: d.Kind, DueTime: timestamppb.New(d.Due), Rung: int32(d.Rung)})
	}
	return pc
}
