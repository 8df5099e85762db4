// Package caseservice implements rots.v1.CaseService: authenticate (later),
// validate, then read from the store or send the command to the case's
// workflow.
package caseservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/store"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

// ActorHeader is the gRPC metadata key that names who gives a command,
// until authentication replaces it with the token's subject.
const ActorHeader = "rots-actor"

// commandTimeout bounds how long a stage command waits for its workflow.
const commandTimeout = 30 * time.Second

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
		Region:       stored(req.GetRegion()),
		Stage:        workflows.StageSubmitted,
		OrgName:      strings.TrimSpace(req.GetSubmittingOrganisation().GetName()),
		OrgKind:      stored(req.GetSubmittingOrganisation().GetKind()),
		ContactName:  strings.TrimSpace(req.GetContact().GetName()),
		ContactEmail: req.GetContact().GetEmail(),
		ContactPhone: req.GetContact().GetPhone(),
		YoungPerson: store.YoungPerson{
			Alias: strings.TrimSpace(yp.GetAlias()), BirthYear: int(yp.GetBirthYear()), BirthMonth: int(yp.GetBirthMonth()),
			SchoolLevel: stored(yp.GetSchoolLevel()), Grade: int(yp.GetGrade()),
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
		c.Themes = append(c.Themes, stored(t))
	}
	got, created, err := s.db.CreateCase(ctx, c)
	if err != nil {
		return nil, s.toStatus(ctx, "SubmitCase", err)
	}
	if created {
		s.log.InfoContext(ctx, "case submitted", "case", got.ID, "region", got.Region)
	}
	if err := workflows.Start(ctx, s.temporal, got); err != nil {
		// The case is recorded; the relay starts its workflow later.
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

type casesToken struct {
	SubmittedAt time.Time `json:"t"`
	ID          string    `json:"id"`
	Filter      string    `json:"f"`
}

// ListCases pages through cases newest first.
func (s *Server) ListCases(ctx context.Context, req *rotsv1.ListCasesRequest) (*rotsv1.ListCasesResponse, error) {
	var v violations
	size := v.pageSize(req.GetPageSize())
	f := store.CaseFilter{
		Region: stored(req.GetRegion()), Stage: stored(req.GetStage()), OrgName: req.GetSubmittingOrganisation(),
		OverdueOnly: req.GetOverdueOnly(), MinRung: int(req.GetMinRung()),
	}
	if r := req.GetMinRung(); r < 0 || r > 4 {
		v.add("min_rung", "must be 0 to 4, got %d", r)
	}
	if req.GetRegion() != 0 && f.Region == "" {
		v.add("region", "unknown region %d", req.GetRegion())
	}
	if req.GetStage() != 0 && f.Stage == "" {
		v.add("stage", "unknown stage %d", req.GetStage())
	}
	filterKey := fmt.Sprintf("%s|%s|%s|%t|%d", f.Region, f.Stage, f.OrgName, f.OverdueOnly, f.MinRung)
	var after *store.Cursor
	if req.GetPageToken() != "" {
		var tok casesToken
		if !decodeToken(req.GetPageToken(), &tok) || tok.Filter != filterKey {
			v.add("page_token", "is not a token from this listing with these filters")
		}
		after = &store.Cursor{SubmittedAt: tok.SubmittedAt, ID: tok.ID}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// One extra row tells whether there is a next page.
	cases, err := s.db.ListCases(ctx, f, after, size+1)
	if err != nil {
		return nil, s.toStatus(ctx, "ListCases", err)
	}
	resp := &rotsv1.ListCasesResponse{}
	if len(cases) > size {
		cases = cases[:size]
		last := cases[size-1]
		resp.NextPageToken = encodeToken(casesToken{SubmittedAt: last.SubmittedAt, ID: last.ID, Filter: filterKey})
	}
	for _, c := range cases {
		resp.Cases = append(resp.Cases, toProto(c))
	}
	return resp, nil
}

type eventsToken struct {
	After  int64  `json:"a"`
	CaseID string `json:"c"`
}

// ListCaseEvents pages through a case's timeline, oldest first.
func (s *Server) ListCaseEvents(ctx context.Context, req *rotsv1.ListCaseEventsRequest) (*rotsv1.ListCaseEventsResponse, error) {
	var v violations
	size := v.pageSize(req.GetPageSize())
	id := v.caseID("parent", req.GetParent())
	var tok eventsToken
	if req.GetPageToken() != "" && (!decodeToken(req.GetPageToken(), &tok) || tok.CaseID != id) {
		v.add("page_token", "is not a token from this case's timeline")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if _, err := s.db.GetCase(ctx, id); err != nil {
		return nil, s.toStatus(ctx, "ListCaseEvents", err)
	}
	events, err := s.db.ListEvents(ctx, id, tok.After, size+1)
	if err != nil {
		return nil, s.toStatus(ctx, "ListCaseEvents", err)
	}
	resp := &rotsv1.ListCaseEventsResponse{}
	if len(events) > size {
		events = events[:size]
		resp.NextPageToken = encodeToken(eventsToken{After: events[size-1].ID, CaseID: id})
	}
	for _, e := range events {
		resp.Events = append(resp.Events, eventToProto(e))
	}
	return resp, nil
}

func (v *violations) pageSize(n int32) int {
	switch {
	case n < 0:
		v.add("page_size", "must not be negative")
		return 0
	case n == 0:
		return 20
	case n > 100:
		return 100
	}
	return int(n)
}

// caseID parses a resource name "cases/{case_id}".
func (v *violations) caseID(field, name string) string {
	id, ok := strings.CutPrefix(name, caseNamePrefix)
	if _, err := uuid.Parse(id); !ok || err != nil {
		v.add(field, "must be a case name like cases/0b9e3a5c-…, got %q", name)
		return ""
	}
	return id
}

// getCase validates a case name and loads the case.
func (s *Server) getCase(ctx context.Context, field, name string) (*store.Case, error) {
	var v violations
	id := v.caseID(field, name)
	if err := v.err(); err != nil {
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
func (s *Server) command(ctx context.Context, method, name, requestID string, v violations, cmd any) (*rotsv1.Case, error) {
	id := v.caseID("name", name)
	v.requestID(requestID)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.db.GetCase(ctx, id)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	done, err := s.db.HasEvent(ctx, id, requestID)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	if !done {
		if c.Stage == workflows.StageClosed {
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

// actor is who gives the command, from the request's metadata.
func actor(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	if a := md.Get(ActorHeader); len(a) > 0 && strings.TrimSpace(a[0]) != "" {
		return strings.TrimSpace(a[0])
	}
	return "onbekend"
}

// toStatus maps an error to a gRPC status and logs what the client does not
// see. Messages carry IDs and stages, never personal data.
func (s *Server) toStatus(ctx context.Context, method string, err error) error {
	var (
		appErr   *temporal.ApplicationError
		pgErr    *pgconn.PgError
		unavail  *serviceerror.Unavailable
		notFound *serviceerror.NotFound
	)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return status.Error(codes.NotFound, "case not found")
	case errors.As(err, &appErr) && appErr.Type() == workflows.ErrWrongStage:
		return status.Error(codes.FailedPrecondition, appErr.Message())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "the case workflow did not answer in time; retry with the same request_id")
	case errors.As(err, &unavail), errors.As(err, &notFound),
		pgconn.SafeToRetry(err), pgconn.Timeout(err), !errors.As(err, &pgErr) && isConnError(err):
		s.log.WarnContext(ctx, "backend unavailable", "method", method, "err", err)
		return status.Error(codes.Unavailable, "a backend is unavailable; retry with the same request_id")
	}
	s.log.ErrorContext(ctx, "internal error", "method", method, "err", err)
	return status.Error(codes.Internal, "internal error")
}

func isConnError(err error) bool {
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || slices.ContainsFunc([]string{"connection refused", "closed pool", "conn closed"},
		func(s string) bool { return strings.Contains(err.Error(), s) })
}
