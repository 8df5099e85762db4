// Package caseservice implements rots.v1.CaseService: validate, then read
// from the store or send the command to the case's workflow. Who may call
// is decided before, by the interceptor of internal/authz; this package
// has no access rules. It must not import cmd/ or the other services.
package caseservice

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// commandTimeout bounds how long a stage command waits for its workflow.
const commandTimeout = 30 * time.Second

// startTimeout bounds starting a submitted case's workflow; after it the
// relay takes over.
const startTimeout = 3 * time.Second

// Server implements rots.v1.CaseService.
type Server struct {
	rotsv1.UnimplementedCaseServiceServer
	db       *store.DB
	temporal client.Client
	log      *slog.Logger
	now      func() time.Time
}

var _ rotsv1.CaseServiceServer = (*Server)(nil)

// New returns a CaseService on the given store and Temporal client.
func New(db *store.DB, tc client.Client, log *slog.Logger) *Server {
	return &Server{db: db, temporal: tc, log: log, now: time.Now}
}

// SubmitCase records the case, then starts its workflow. The record commits
// first; a start that fails is retried by the outbox relay, so an
// acknowledged case is never lost. A repeated request_id returns the case
// the first request made.
func (s *Server) SubmitCase(ctx context.Context, req *rotsv1.SubmitCaseRequest) (*rotsv1.SubmitCaseResponse, error) {
	if err := s.validateSubmit(req); err != nil {
		return nil, err
	}
	yp := req.GetYoungPerson()
	c := &store.Case{
		ID:           uuid.NewString(),
		RequestID:    req.GetRequestId(),
		Region:       vocab.Stored(req.GetRegion()),
		Stage:        vocab.StageSubmitted,
		OrgName:      strings.TrimSpace(req.GetSubmittingOrganisation().GetName()),
		OrgKind:      vocab.Stored(req.GetSubmittingOrganisation().GetKind()),
		ContactName:  strings.TrimSpace(req.GetContact().GetName()),
		ContactEmail: req.GetContact().GetEmail(),
		ContactPhone: req.GetContact().GetPhone(),
		YoungPerson: store.YoungPerson{
			Alias: strings.TrimSpace(yp.GetAlias()), BirthYear: int(yp.GetBirthYear()), BirthMonth: int(yp.GetBirthMonth()),
			SchoolLevel: vocab.Stored(yp.GetSchoolLevel()), Grade: int(yp.GetGrade()),
			School: strings.TrimSpace(yp.GetSchool()), Municipality: strings.TrimSpace(yp.GetMunicipality()),
		},
		Blocked:        req.GetBlocked(),
		Tried:          req.GetTried(),
		CLBStuck:       req.GetAttestation().GetClbStuck(),
		YouthCareStuck: req.GetAttestation().GetYouthCareStuck(),
		Informed:       req.GetAttestation().GetYoungPersonAndParentsInformed(),
		SubmittedAt:    s.now().UTC().Truncate(time.Microsecond),
	}
	for _, t := range req.GetThemes() {
		c.Themes = append(c.Themes, vocab.Stored(t))
	}
	got, created, err := s.db.CreateCase(ctx, c)
	if err == nil && !created && (got.OrgName != c.OrgName || got.Region != c.Region) {
		// The interceptor binds request_ids to their caller; this keeps a
		// key used before it existed from answering with another
		// organisation's case.
		err = store.ErrRequestIDReused
	}
	if err != nil {
		return nil, s.toStatus(ctx, "SubmitCase", err)
	}
	if created {
		s.log.InfoContext(ctx, "case submitted", "case", got.ID, "region", got.Region)
	}
	// A Temporal server that is away must not hold up the answer: the case
	// is recorded, and the relay starts its workflow later.
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := workflows.Start(startCtx, s.temporal, got); err != nil {
		s.log.WarnContext(ctx, "case workflow not started yet; the relay will", "case", got.ID, "err", err)
	} else if err := s.db.MarkWorkflowStarted(ctx, got.ID); err != nil {
		s.log.WarnContext(ctx, "marking workflow started", "case", got.ID, "err", err)
	}
	return &rotsv1.SubmitCaseResponse{Case: toProto(got)}, nil
}

// GetCase returns one case from the store.
func (s *Server) GetCase(ctx context.Context, req *rotsv1.GetCaseRequest) (*rotsv1.GetCaseResponse, error) {
	c, err := s.getCase(ctx, "name", req.GetName())
	if err != nil {
		return nil, err
	}
	return &rotsv1.GetCaseResponse{Case: toProto(c)}, nil
}

// ListCases pages through cases newest first, or by urgency for the
// tandem's werkbak.
func (s *Server) ListCases(ctx context.Context, req *rotsv1.ListCasesRequest) (*rotsv1.ListCasesResponse, error) {
	var v rpc.Violations
	f := store.CaseFilter{
		Region: vocab.Stored(req.GetRegion()), Stage: vocab.Stored(req.GetStage()), OrgName: req.GetSubmittingOrganisation(),
		OverdueOnly: req.GetOverdueOnly(), MinRung: int(req.GetMinRung()),
		Reference: strings.ToUpper(strings.TrimSpace(req.GetReference())),
		OpenOnly:  req.GetOpenOnly(), Query: strings.TrimSpace(req.GetQuery()),
		InvitedOrg: req.GetInvitedOrganisation(),
	}
	if f.Reference != "" && !vocab.IsReference(f.Reference) {
		v.Add("reference", "must be a case reference like ROTS-1A2B3C4D, got %q", req.GetReference())
	}
	if r := req.GetMinRung(); r < 0 || r > 4 {
		v.Add("min_rung", "must be 0 to 4, got %d", r)
	}
	if req.GetRegion() != 0 && f.Region == "" {
		v.Add("region", "unknown region %d", req.GetRegion())
	}
	if req.GetStage() != 0 && f.Stage == "" {
		v.Add("stage", "unknown stage %d", req.GetStage())
	}
	f.Order = caseOrder(&v, req.GetOrderBy())
	searchQuery(&v, req.GetQuery())
	// The token remembers the filters and the order (the query only as part
	// of a digest): a token goes with the listing it was made for.
	page := rpc.ReadPage[store.Cursor](&v, req.GetPageSize(), req.GetPageToken(), "cases", f)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// One extra row tells whether there is a next page.
	cases, err := s.db.ListCases(ctx, f, page.After, page.Size+1)
	if err != nil {
		return nil, s.toStatus(ctx, "ListCases", err)
	}
	resp := &rotsv1.ListCasesResponse{}
	cases, resp.NextPageToken = rpc.Trim(page, cases, func(c *store.Case) store.Cursor { return store.CursorOf(c, f.Order) })
	for _, c := range cases {
		resp.Cases = append(resp.Cases, toProto(c))
	}
	return resp, nil
}

// ListCaseEvents pages through a case's timeline, oldest first.
func (s *Server) ListCaseEvents(ctx context.Context, req *rotsv1.ListCaseEventsRequest) (*rotsv1.ListCaseEventsResponse, error) {
	var v rpc.Violations
	id := rpc.CaseID(&v, "parent", req.GetParent())
	page := rpc.ReadPage[int64](&v, req.GetPageSize(), req.GetPageToken(), "events", id)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.db.GetCase(ctx, id); err != nil {
		return nil, s.toStatus(ctx, "ListCaseEvents", err)
	}
	var after int64
	if page.After != nil {
		after = *page.After
	}
	events, err := s.db.ListEvents(ctx, id, after, page.Size+1)
	if err != nil {
		return nil, s.toStatus(ctx, "ListCaseEvents", err)
	}
	resp := &rotsv1.ListCaseEventsResponse{}
	events, resp.NextPageToken = rpc.Trim(page, events, func(e store.Event) int64 { return e.ID })
	for _, e := range events {
		resp.Events = append(resp.Events, eventToProto(e))
	}
	return resp, nil
}

// getCase validates a case name and loads the case.
func (s *Server) getCase(ctx context.Context, field, name string) (*store.Case, error) {
	var v rpc.Violations
	id := rpc.CaseID(&v, field, name)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.db.GetCase(ctx, id)
	if err != nil {
		return nil, s.toStatus(ctx, "GetCase", err)
	}
	return c, nil
}

// command sends a validated stage command to the case's workflow and returns
// the case as the workflow left it. A request_id that was carried out
// already returns the case without doing anything again.
//
// Command is also how other services (the consultation service) send
// stage commands.
func (s *Server) Command(ctx context.Context, method, name, requestID string, v rpc.Violations, cmd any) (*rotsv1.Case, error) {
	return s.command(ctx, method, name, requestID, v, cmd)
}

func (s *Server) command(ctx context.Context, method, name, requestID string, v rpc.Violations, cmd any) (*rotsv1.Case, error) {
	id := rpc.CaseID(&v, "name", name)
	v.RequestID(requestID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Whether the command was carried out comes first: a case read before
	// a concurrent retry's event would answer with the stage before it.
	done, err := s.db.HasEvent(ctx, id, requestID)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	c, err := s.db.GetCase(ctx, id)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	if !done {
		if c.Stage == vocab.StageClosed {
			return nil, status.Errorf(codes.FailedPrecondition, "case is in stage %s; %s is not possible", c.Stage, method)
		}
		ctx, cancel := context.WithTimeout(ctx, commandTimeout)
		defer cancel()
		if _, err := workflows.Command(ctx, s.temporal, c, requestID, method, cmd); err != nil {
			return nil, s.toStatus(ctx, method, err)
		}
		s.log.InfoContext(ctx, "command done", "method", method, "case", id)
		if c, err = s.db.GetCase(ctx, id); err != nil {
			return nil, s.toStatus(ctx, method, err)
		}
	}
	return toProto(c), nil
}

// toStatus maps an error to a gRPC status: a command out of stage is
// FailedPrecondition, the rest as every service maps them.
func (s *Server) toStatus(ctx context.Context, method string, err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == workflows.ErrWrongStage {
		return status.Error(codes.FailedPrecondition, appErr.Message())
	}
	return rpc.Status(ctx, s.log, method, "case", err)
}
