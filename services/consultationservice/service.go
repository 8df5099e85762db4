// Package consultationservice implements rots.v1.ConsultationService: who
// sits at a case's table, when it meets, who came, what gaps it met and
// how its agreements go. Every command goes to the case's workflow through
// the case service, so the workflow stays the only writer of the process.
// It must not import cmd/.
package consultationservice

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/caseservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"github.com/rots-vlaanderen/roundtable/workflows"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Server implements rots.v1.ConsultationService.
type Server struct {
	rotsv1.UnimplementedConsultationServiceServer
	cases *caseservice.Server
	db    *store.DB
	log   *slog.Logger
	now   func() time.Time
}

var _ rotsv1.ConsultationServiceServer = (*Server)(nil)

// New returns a ConsultationService that sends its commands through the
// case service.
func New(cases *caseservice.Server, db *store.DB, log *slog.Logger) *Server {
	return &Server{cases: cases, db: db, log: log, now: time.Now}
}

func kind(k rotsv1.ParticipantKind) string {
	return strings.TrimPrefix(k.String(), "PARTICIPANT_KIND_")
}

// ConveneTable sets the table's participants: partner contacts with their
// organisation, name and e-mail; the young person and their context by role.
func (s *Server) ConveneTable(ctx context.Context, req *rotsv1.ConveneTableRequest) (*rotsv1.ConveneTableResponse, error) {
	var v rpc.Violations
	switch n := len(req.GetParticipants()); {
	case n == 0:
		v.Add("participants", "must invite at least one participant")
	case n > 30:
		v.Add("participants", "at most 30, got %d", n)
	}
	var ps []vocab.Participant
	for i, p := range req.GetParticipants() {
		f := fmt.Sprintf("participants[%d].", i)
		switch p.GetKind() {
		case rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER:
			v.Text(f+"organisation", p.GetOrganisation(), true, 200)
			v.Text(f+"name", p.GetName(), true, 200)
			v.Email(f+"email", p.GetEmail())
		case rotsv1.ParticipantKind_PARTICIPANT_KIND_YOUNG_PERSON, rotsv1.ParticipantKind_PARTICIPANT_KIND_PARENTS, rotsv1.ParticipantKind_PARTICIPANT_KIND_CONTEXT:
			// By role only: no names or addresses of the young person's
			// circle are kept.
			v.Forbidden(f+"name", p.GetName(), "for the young person and their context (by role only)")
			v.Forbidden(f+"email", p.GetEmail(), "for the young person and their context (by role only)")
			v.Forbidden(f+"organisation", p.GetOrganisation(), "for the young person and their context")
		default:
			v.Add(f+"kind", "must be PARTNER, YOUNG_PERSON, PARENTS or CONTEXT")
		}
		v.Text(f+"role", p.GetRole(), false, 100)
		ps = append(ps, vocab.Participant{Kind: kind(p.GetKind()), Organisation: p.GetOrganisation(), Name: p.GetName(), Email: p.GetEmail(), Role: p.GetRole()})
	}
	c, err := s.cases.Command(ctx, workflows.UpdateConveneTable, req.GetName(), req.GetRequestId(), v,
		workflows.ConveneCommand{Actor: rpc.Actor(ctx), Participants: ps})
	if err != nil {
		return nil, err
	}
	return &rotsv1.ConveneTableResponse{Case: c, Participants: req.GetParticipants()}, nil
}

// ScheduleTableMeeting sets or moves the meeting; the workflow sends the
// invitations.
func (s *Server) ScheduleTableMeeting(ctx context.Context, req *rotsv1.ScheduleTableMeetingRequest) (*rotsv1.ScheduleTableMeetingResponse, error) {
	var v rpc.Violations
	start := req.GetStartTime().AsTime()
	switch {
	case req.GetStartTime() == nil:
		v.Add("start_time", "is required")
	case start.Before(s.now()):
		v.Add("start_time", "must be in the future")
	case start.After(s.now().AddDate(1, 0, 0)):
		v.Add("start_time", "must be within a year")
	}
	if m := req.GetDurationMinutes(); m < 15 || m > 480 {
		v.Add("duration_minutes", "must be 15 to 480, got %d", m)
	}
	v.Text("location", req.GetLocation(), true, 300)
	v.Text("reason", req.GetReason(), false, 1000)
	c, err := s.cases.Command(ctx, workflows.UpdateScheduleTableMeeting, req.GetName(), req.GetRequestId(), v, workflows.ScheduleCommand{
		Actor: rpc.Actor(ctx), Start: start.UTC(), Minutes: int(req.GetDurationMinutes()), Location: req.GetLocation(), Reason: req.GetReason(),
	})
	if err != nil {
		return nil, err
	}
	return &rotsv1.ScheduleTableMeetingResponse{Case: c}, nil
}

// ReconveneTable brings a case in follow-up back to the table.
func (s *Server) ReconveneTable(ctx context.Context, req *rotsv1.ReconveneTableRequest) (*rotsv1.ReconveneTableResponse, error) {
	var v rpc.Violations
	v.Text("reason", req.GetReason(), true, 2000)
	c, err := s.cases.Command(ctx, workflows.UpdateReconveneTable, req.GetName(), req.GetRequestId(), v,
		workflows.ReconveneCommand{Actor: rpc.Actor(ctx), Reason: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &rotsv1.ReconveneTableResponse{Case: c}, nil
}

// UpdateAgreement sets an agreement's status; done stops its deadline.
func (s *Server) UpdateAgreement(ctx context.Context, req *rotsv1.UpdateAgreementRequest) (*rotsv1.UpdateAgreementResponse, error) {
	var v rpc.Violations
	if req.GetIndex() < 0 || req.GetIndex() > 49 {
		v.Add("index", "must be 0 to 49, got %d", req.GetIndex())
	}
	status := strings.TrimPrefix(req.GetStatus().String(), "AGREEMENT_STATUS_")
	switch req.GetStatus() {
	case rotsv1.AgreementStatus_AGREEMENT_STATUS_BLOCKED:
		v.Text("blocked_reason", req.GetBlockedReason(), true, 1000)
	case rotsv1.AgreementStatus_AGREEMENT_STATUS_OPEN, rotsv1.AgreementStatus_AGREEMENT_STATUS_IN_PROGRESS, rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE:
		v.Forbidden("blocked_reason", req.GetBlockedReason(), "unless the status is BLOCKED")
	default:
		v.Add("status", "must be OPEN, IN_PROGRESS, DONE or BLOCKED")
	}
	c, err := s.cases.Command(ctx, workflows.UpdateAgreement, req.GetName(), req.GetRequestId(), v, workflows.AgreementCommand{
		Actor: rpc.Actor(ctx), Index: int(req.GetIndex()), Status: status, BlockedReason: req.GetBlockedReason(),
	})
	if err != nil {
		return nil, err
	}
	return &rotsv1.UpdateAgreementResponse{Case: c}, nil
}

// RecordAttendance records who came to the meeting, through the case's
// workflow. Setting it again replaces it, so a retry changes nothing.
func (s *Server) RecordAttendance(ctx context.Context, req *rotsv1.RecordAttendanceRequest) (*rotsv1.RecordAttendanceResponse, error) {
	var v rpc.Violations
	c, err := s.caseIn(ctx, &v, req.GetName(), "RecordAttendance")
	if err != nil {
		return nil, err
	}
	var present []int
	for i, p := range req.GetPresent() {
		if p < 0 || int(p) >= len(c.Participants) && len(c.Participants) > 0 {
			v.Add(fmt.Sprintf("present[%d]", i), "the table has no participant %d", p)
		}
		present = append(present, int(p))
	}
	if _, err := s.cases.Command(ctx, workflows.UpdateRecordAttendance, req.GetName(), req.GetRequestId(), v,
		workflows.AttendanceCommand{Actor: rpc.Actor(ctx), Present: present}); err != nil {
		return nil, err
	}
	ps, came, err := s.db.Attendance(ctx, c.ID)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "RecordAttendance", "case", err)
	}
	resp := &rotsv1.RecordAttendanceResponse{Present: came}
	for _, p := range ps {
		resp.Participants = append(resp.Participants, caseservice.ParticipantToProto(p))
	}
	return resp, nil
}

// RecordGap records a gap in the regional offer through the case's
// workflow, once per request ID.
func (s *Server) RecordGap(ctx context.Context, req *rotsv1.RecordGapRequest) (*rotsv1.RecordGapResponse, error) {
	var v rpc.Violations
	g := req.GetGap()
	theme := vocab.Stored(g.GetTheme())
	if theme == "" {
		v.Add("gap.theme", "is required")
	}
	band := g.GetAgeBand()
	if band != rotsv1.AgeBand_AGE_BAND_UNDER_12 && band != rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER {
		v.Add("gap.age_band", "must be UNDER_12 or TWELVE_AND_OVER")
	}
	v.Text("gap.needed", g.GetNeeded(), true, 300)
	if w := g.GetWaitingWeeks(); w < 0 || w > 260 {
		v.Add("gap.waiting_weeks", "must be 0 to 260, got %d", w)
	}
	c, err := s.caseIn(ctx, &v, req.GetName(), "RecordGap")
	if err != nil {
		return nil, err
	}
	if _, err := s.cases.Command(ctx, workflows.UpdateRecordGap, req.GetName(), req.GetRequestId(), v, workflows.GapCommand{
		Actor: rpc.Actor(ctx), Theme: theme, AgeBand: vocab.Stored(band), Needed: g.GetNeeded(), WaitingWeeks: int(g.GetWaitingWeeks()),
	}); err != nil {
		return nil, err
	}
	got, err := s.db.GapByRequest(ctx, c.ID, req.GetRequestId())
	if err != nil {
		return nil, rpc.Status(ctx, s.log, "RecordGap", "case", err)
	}
	return &rotsv1.RecordGapResponse{Gap: &rotsv1.Gap{
		Name: fmt.Sprintf("%s/gaps/%d", req.GetName(), got.ID), Theme: g.GetTheme(), AgeBand: band,
		Needed: got.Needed, WaitingWeeks: int32(got.WaitingWeeks), RecordTime: timestamppb.New(got.RecordedAt),
	}}, nil
}

// caseIn loads the named case; a bad name is added to v. The workflow
// decides whether the command fits the case's stage.
func (s *Server) caseIn(ctx context.Context, v *rpc.Violations, name, method string) (*store.Case, error) {
	id := rpc.CaseID(v, "name", name)
	if id == "" {
		return nil, v.Err()
	}
	c, err := s.db.GetCase(ctx, id)
	if err != nil {
		return nil, rpc.Status(ctx, s.log, method, "case", err)
	}
	return c, nil
}
