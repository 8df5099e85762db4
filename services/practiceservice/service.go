// Package practiceservice implements rots.v1.PracticeService: the library
// of good practices (goede praktijken) across the regions, reviewed by a
// second coordinator, and the suggestions of offers and practices for a
// case.
//
// It must not import the other services or cmd/.
package practiceservice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.PracticeService.
type Server struct {
	rotsv1.UnimplementedPracticeServiceServer
	db        *store.DB
	practices *practices.Store
	directory *directory.Store
	log       *slog.Logger
	now       func() time.Time
}

var _ rotsv1.PracticeServiceServer = (*Server)(nil)

// New returns a PracticeService on the store.
func New(db *store.DB, log *slog.Logger) *Server {
	return &Server{db: db, practices: practices.New(db), directory: directory.New(db), log: log, now: time.Now}
}

// Limits of a practice's texts.
const (
	maxTitle   = 200
	maxText    = 4000
	maxNote    = 2000
	maxOffers  = 20
	maxKinds   = 7
	maxSuggest = 50
)

// goodOutcomes are the closure reasons a practice can be written for.
var goodOutcomes = []string{vocab.ClosedBackAtSchool, vocab.ClosedAlternativeTrajectory}

func (s *Server) status(ctx context.Context, method string, err error) error {
	if errors.Is(err, practices.ErrCaseHasPractice) {
		return status.Error(codes.AlreadyExists, "the case has a practice already")
	}
	return rpc.Status(ctx, s.log, method, "practice", err)
}

// CreatePractice writes up a closed case with a good outcome; it waits for
// another coordinator's review.
func (s *Server) CreatePractice(ctx context.Context, req *rotsv1.CreatePracticeRequest) (*rotsv1.CreatePracticeResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	caseID := rpc.CaseID(&v, "case", req.GetCase())
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.db.GetCase(ctx, caseID)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "CreatePractice", "case", err)
	}
	if c.Stage != vocab.StageClosed || !slices.Contains(goodOutcomes, c.ClosureReason) {
		return nil, status.Error(codes.FailedPrecondition, "a practice is written for a case closed with a good outcome: back at school or an alternative trajectory")
	}
	in := req.GetPractice()
	band, err := s.practices.CaseAgeBand(ctx, caseID)
	if err != nil {
		return nil, s.status(ctx, "CreatePractice", err)
	}
	// What the write-up leaves out comes from the case: none of it
	// identifies anybody.
	p := &practices.Practice{Region: c.Region, CreatedAt: s.now()}
	fromProto(p, in)
	if len(p.Themes) == 0 {
		p.Themes = c.Themes
	}
	if p.AgeBand == "" {
		p.AgeBand = band
	}
	if p.SchoolLevel == "" {
		p.SchoolLevel = c.YoungPerson.SchoolLevel
	}
	if len(p.DirectoryOffers) == 0 {
		p.DirectoryOffers = slices.Clone(c.OffersUsed)
	}
	if err := s.check(ctx, "practice.", p, c); err != nil {
		return nil, err
	}
	who, _ := auth.FromContext(ctx)
	p.AuthorSubject = who.Subject
	got, created, err := s.practices.Create(ctx, req.GetRequestId(), caseID, p)
	if err != nil {
		return nil, s.status(ctx, "CreatePractice", err)
	}
	if created {
		s.log.InfoContext(ctx, "practice written", "practice", got.ID, "by", rpc.Actor(ctx))
	}
	return &rotsv1.CreatePracticeResponse{Practice: toProto(got)}, nil
}

// check validates a practice's write-up as it would be stored; c is the
// case it comes from, whose people and places it must not name.
func (s *Server) check(ctx context.Context, prefix string, p *practices.Practice, c *store.Case) error {
	people, err := s.practices.DirectoryPeople(ctx)
	if err != nil {
		return s.status(ctx, "check", err)
	}
	id := identifiersOf(c, people)
	var v rpc.Violations
	checkText(&v, prefix+"title", p.Title, true, maxTitle, id)
	checkText(&v, prefix+"offer", p.Offer, true, maxText, id)
	checkText(&v, prefix+"agreements", p.Agreements, true, maxText, id)
	checkText(&v, prefix+"difference", p.Difference, true, maxText, id)
	if len(p.Themes) == 0 {
		v.Add(prefix+"themes", "choose at least one theme")
	}
	if p.AgeBand != "UNDER_12" && p.AgeBand != "TWELVE_AND_OVER" {
		v.Add(prefix+"age_band", "must be UNDER_12 or TWELVE_AND_OVER")
	}
	if p.SchoolLevel == "" {
		v.Add(prefix+"school_level", "is required")
	}
	if len(p.OrganisationKinds) > maxKinds {
		v.Add(prefix+"organisation_kinds", "at most %d kinds", maxKinds)
	}
	if len(p.DirectoryOffers) > maxOffers {
		v.Add(prefix+"directory_offers", "at most %d offers", maxOffers)
	}
	for i, o := range p.DirectoryOffers {
		if !rpc.IsOfferName(o) {
			v.Add(fmt.Sprintf("%sdirectory_offers[%d]", prefix, i), "must name a directory offer like organisations/…/offers/…")
		}
	}
	return v.Err()
}

// GetPractice returns one practice.
func (s *Server) GetPractice(ctx context.Context, req *rotsv1.GetPracticeRequest) (*rotsv1.GetPracticeResponse, error) {
	var v rpc.Violations
	id := rpc.ID(&v, "name", "practice", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.practices.Get(ctx, id)
	if err != nil {
		return nil, s.status(ctx, "GetPractice", err)
	}
	return &rotsv1.GetPracticeResponse{Practice: toProto(p)}, nil
}

// ListPractices searches the published practices, or lists those in
// review.
func (s *Server) ListPractices(ctx context.Context, req *rotsv1.ListPracticesRequest) (*rotsv1.ListPracticesResponse, error) {
	var v rpc.Violations
	q := practices.Query{Text: req.GetQuery(), Themes: vocab.StoredAll(req.GetThemes()), AgeBand: vocab.Stored(req.GetAgeBand()),
		SchoolLevel: vocab.Stored(req.GetSchoolLevel()), InReview: req.GetInReview(), Region: vocab.Stored(req.GetRegion())}
	v.Text("query", req.GetQuery(), false, maxTitle)
	if !q.InReview && q.Region != "" {
		v.Add("region", "goes only with in_review: published practices are for every region")
	}
	page := rpc.ReadPage[practices.Cursor](&v, req.GetPageSize(), req.GetPageToken(), "practices", q)
	if err := v.Err(); err != nil {
		return nil, err
	}
	found, err := s.practices.Search(ctx, q, page.After, page.Size+1)
	if err != nil {
		return nil, s.status(ctx, "ListPractices", err)
	}
	resp := &rotsv1.ListPracticesResponse{}
	found, resp.NextPageToken = rpc.Trim(page, found, func(p *practices.Practice) practices.Cursor {
		return practices.Cursor{Rank: p.Rank, ID: p.ID}
	})
	for _, p := range found {
		resp.Practices = append(resp.Practices, toProto(p))
	}
	return resp, nil
}

// UpdatePractice replaces the author's write-up; the practice goes (back)
// to review.
func (s *Server) UpdatePractice(ctx context.Context, req *rotsv1.UpdatePracticeRequest) (*rotsv1.UpdatePracticeResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := rpc.ID(&v, "practice.name", "practice", req.GetPractice().GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	who, _ := auth.FromContext(ctx)
	p, err := s.practices.Change(ctx, "UpdatePractice", id, req.GetRequestId(), s.now(), func(p *practices.Practice) error {
		switch {
		case p.AuthorSubject != who.Subject:
			return status.Error(codes.PermissionDenied, "only the author changes a practice's write-up")
		case p.State == practices.Published:
			return status.Error(codes.FailedPrecondition, "a published practice does not change")
		}
		fromProto(p, req.GetPractice())
		// The case may be anonymised by now: its identifiers are gone from
		// it, and the texts are checked against what is left.
		c, err := s.practiceCase(ctx, p)
		if err != nil {
			return err
		}
		if err := s.check(ctx, "practice.", p, c); err != nil {
			return err
		}
		p.State, p.ReviewNote = practices.InReview, ""
		return nil
	})
	if err != nil {
		return nil, s.status(ctx, "UpdatePractice", err)
	}
	return &rotsv1.UpdatePracticeResponse{Practice: toProto(p)}, nil
}

// practiceCase is the case a practice was written from, for the check of
// its texts; an empty case once the link is cleared.
func (s *Server) practiceCase(ctx context.Context, p *practices.Practice) (*store.Case, error) {
	caseID, err := s.practices.CaseOf(ctx, p.ID)
	if err != nil || caseID == "" {
		return &store.Case{}, err
	}
	return s.db.GetCase(ctx, caseID)
}

// ReviewPractice publishes a practice or sends it back; the author cannot
// review their own.
func (s *Server) ReviewPractice(ctx context.Context, req *rotsv1.ReviewPracticeRequest) (*rotsv1.ReviewPracticeResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := rpc.ID(&v, "name", "practice", req.GetName())
	decision := req.GetDecision()
	switch decision {
	case rotsv1.PracticeDecision_PRACTICE_DECISION_PUBLISH:
		v.Text("note", req.GetNote(), false, maxNote)
	case rotsv1.PracticeDecision_PRACTICE_DECISION_SEND_BACK:
		v.Text("note", req.GetNote(), true, maxNote)
	default:
		v.Add("decision", "must be PUBLISH or SEND_BACK")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who, _ := auth.FromContext(ctx)
	now := s.now()
	p, err := s.practices.Change(ctx, "ReviewPractice", id, req.GetRequestId(), now, func(p *practices.Practice) error {
		switch {
		case who.Subject == "" || p.AuthorSubject == who.Subject:
			return status.Error(codes.PermissionDenied, "the author of a practice cannot review it: another coordinator does (four eyes)")
		case p.State != practices.InReview:
			return status.Errorf(codes.FailedPrecondition, "the practice is %s, not in review", strings.ToLower(p.State))
		}
		p.ReviewerSubject = who.Subject
		if decision == rotsv1.PracticeDecision_PRACTICE_DECISION_SEND_BACK {
			p.State, p.ReviewNote = practices.SentBack, strings.TrimSpace(req.GetNote())
			return nil
		}
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.State, p.ReviewNote, p.PublishMonth = practices.Published, "", &month
		return nil
	})
	if err != nil {
		return nil, s.status(ctx, "ReviewPractice", err)
	}
	s.log.InfoContext(ctx, "practice reviewed", "practice", id, "state", p.State, "by", rpc.Actor(ctx))
	return &rotsv1.ReviewPracticeResponse{Practice: toProto(p)}, nil
}
