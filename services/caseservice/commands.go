package caseservice

import (
	"context"
	"fmt"
	"strings"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

const dateLayout = "2006-01-02"

// brussels is where dates are counted: "today" is a Flemish today.
var brussels = mustLocation("Europe/Brussels")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func (s *Server) validateSubmit(req *rotsv1.SubmitCaseRequest) error {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	if vocab.Stored(req.GetRegion()) == "" {
		v.Add("region", "must be one of antwerpen, brussel, limburg, oost-vlaanderen, vlaams-brabant, west-vlaanderen")
	}
	org := req.GetSubmittingOrganisation()
	v.Text("submitting_organisation.name", org.GetName(), true, 200)
	if vocab.Stored(org.GetKind()) == "" {
		v.Add("submitting_organisation.kind", "must be CLB or YOUTH_CARE")
	}
	v.Text("contact.name", req.GetContact().GetName(), true, 200)
	v.Email("contact.email", req.GetContact().GetEmail())
	phone(&v, "contact.phone", req.GetContact().GetPhone())

	yp := req.GetYoungPerson()
	v.Text("young_person.alias", yp.GetAlias(), true, 40)
	if len(strings.Fields(yp.GetAlias())) > 2 {
		v.Add("young_person.alias", "must be a first name or initials, not a full name")
	}
	year := s.now().In(brussels).Year()
	if y := int(yp.GetBirthYear()); y < year-26 || y > year-2 {
		v.Add("young_person.birth_year", "must be between %d and %d, got %d", year-26, year-2, y)
	}
	if m := yp.GetBirthMonth(); m < 1 || m > 12 {
		v.Add("young_person.birth_month", "must be 1 to 12, got %d", m)
	}
	if vocab.Stored(yp.GetSchoolLevel()) == "" {
		v.Add("young_person.school_level", "is required")
	}
	if g := yp.GetGrade(); g < 0 || g > 7 {
		v.Add("young_person.grade", "must be 0 to 7, got %d", g)
	}
	v.Text("young_person.school", yp.GetSchool(), yp.GetSchoolLevel() != rotsv1.SchoolLevel_SCHOOL_LEVEL_NONE, 200)
	v.Text("young_person.municipality", yp.GetMunicipality(), true, 100)

	v.Text("blocked", req.GetBlocked(), true, 4000)
	switch n := len(req.GetTried()); {
	case n == 0:
		v.Add("tried", "must list at least one step tried already")
	case n > 20:
		v.Add("tried", "must have at most 20 steps, got %d", n)
	}
	for i, t := range req.GetTried() {
		v.Text(fmt.Sprintf("tried[%d]", i), t, true, 1000)
	}
	if len(req.GetThemes()) == 0 {
		v.Add("themes", "must have at least one theme")
	}
	seen := map[rotsv1.Theme]bool{}
	for i, t := range req.GetThemes() {
		if vocab.Stored(t) == "" {
			v.Add(fmt.Sprintf("themes[%d]", i), "unknown theme %d", t)
		} else if seen[t] {
			v.Add(fmt.Sprintf("themes[%d]", i), "%s is listed twice", t)
		}
		seen[t] = true
	}
	att := req.GetAttestation()
	if !att.GetClbStuck() {
		v.Add("attestation.clb_stuck", "ROTS takes a case only when the CLB is stuck")
	}
	if !att.GetYouthCareStuck() {
		v.Add("attestation.youth_care_stuck", "ROTS takes a case only when youth care is stuck")
	}
	if !att.GetYoungPersonAndParentsInformed() {
		v.Add("attestation.young_person_and_parents_informed", "the young person and the parents must be told before submitting")
	}
	return v.Err()
}

// DecideIntake accepts, questions or declines a case in INTAKE.
func (s *Server) DecideIntake(ctx context.Context, req *rotsv1.DecideIntakeRequest) (*rotsv1.DecideIntakeResponse, error) {
	var v rpc.Violations
	d := req.GetDecision()
	switch d {
	case rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT:
		v.Text("note", req.GetNote(), false, 2000)
	case rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION:
		v.Text("question", req.GetQuestion(), true, 2000)
	case rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE:
		v.Text("decline_reason", req.GetDeclineReason(), true, 2000)
		v.Text("referral_suggestion", req.GetReferralSuggestion(), true, 1000)
	default:
		v.Add("decision", "must be ACCEPT, ASK_QUESTION or DECLINE")
	}
	if d != rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION {
		v.Forbidden("question", req.GetQuestion(), "unless the decision is ASK_QUESTION")
	}
	if d != rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE {
		v.Forbidden("decline_reason", req.GetDeclineReason(), "unless the decision is DECLINE")
		v.Forbidden("referral_suggestion", req.GetReferralSuggestion(), "unless the decision is DECLINE")
	}
	c, err := s.command(ctx, workflows.UpdateDecideIntake, req.GetName(), req.GetRequestId(), v, workflows.IntakeCommand{
		Actor: rpc.Actor(ctx), Decision: vocab.Stored(d), Question: req.GetQuestion(),
		DeclineReason: req.GetDeclineReason(), ReferralSuggestion: req.GetReferralSuggestion(), Note: req.GetNote(),
	})
	if err != nil {
		return nil, err
	}
	return &rotsv1.DecideIntakeResponse{Case: c}, nil
}

// AnswerQuestion answers the tandem's open question.
func (s *Server) AnswerQuestion(ctx context.Context, req *rotsv1.AnswerQuestionRequest) (*rotsv1.AnswerQuestionResponse, error) {
	var v rpc.Violations
	v.Text("answer", req.GetAnswer(), true, 4000)
	c, err := s.command(ctx, workflows.UpdateAnswerQuestion, req.GetName(), req.GetRequestId(), v,
		workflows.AnswerCommand{Actor: rpc.Actor(ctx), Answer: req.GetAnswer()})
	if err != nil {
		return nil, err
	}
	return &rotsv1.AnswerQuestionResponse{Case: c}, nil
}

// RecordConsult records the consult's advice and decision.
func (s *Server) RecordConsult(ctx context.Context, req *rotsv1.RecordConsultRequest) (*rotsv1.RecordConsultResponse, error) {
	var v rpc.Violations
	v.Text("advice", req.GetAdvice(), true, 8000)
	if vocab.Stored(req.GetDecision()) == "" {
		v.Add("decision", "must be ADVICE_ONLY or CONVENE_TABLE")
	}
	if n := len(req.GetExperts()); n > 20 {
		v.Add("experts", "at most 20, got %d", n)
	}
	for i, e := range req.GetExperts() {
		v.Text(fmt.Sprintf("experts[%d]", i), e, true, 200)
	}
	now := s.now().In(brussels)
	date := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if d := req.GetConsultDate(); d != "" {
		parsed, err := time.Parse(dateLayout, d)
		switch {
		case err != nil:
			v.Add("consult_date", "must be a date like 2027-03-29, got %q", d)
		case d > now.Format(dateLayout):
			v.Add("consult_date", "must not be in the future, got %s", d)
		case parsed.Before(date.AddDate(-1, 0, 0)):
			v.Add("consult_date", "must be within the last year, got %s", d)
		}
		date = parsed
	}
	c, err := s.command(ctx, workflows.UpdateRecordConsult, req.GetName(), req.GetRequestId(), v, workflows.ConsultCommand{
		Actor: rpc.Actor(ctx), Advice: req.GetAdvice(), Decision: vocab.Stored(req.GetDecision()), Experts: req.GetExperts(), Date: &date,
	})
	if err != nil {
		return nil, err
	}
	return &rotsv1.RecordConsultResponse{Case: c}, nil
}

// RecordTableOutcome records the tailored offer and its agreements.
func (s *Server) RecordTableOutcome(ctx context.Context, req *rotsv1.RecordTableOutcomeRequest) (*rotsv1.RecordTableOutcomeResponse, error) {
	var v rpc.Violations
	v.Text("offer", req.GetOffer(), true, 8000)
	switch n := len(req.GetAgreements()); {
	case n == 0:
		v.Add("agreements", "must have at least one agreement")
	case n > 50:
		v.Add("agreements", "must have at most 50 agreements, got %d", n)
	}
	// Both bounds are dates in Brussels, compared as YYYY-MM-DD strings.
	now := s.now().In(brussels)
	today, limit := now.Format(dateLayout), now.AddDate(2, 0, 0).Format(dateLayout)
	var agreements []vocab.Agreement
	for i, a := range req.GetAgreements() {
		field := fmt.Sprintf("agreements[%d].", i)
		v.Text(field+"action", a.GetAction(), true, 1000)
		v.Text(field+"owner_organisation", a.GetOwnerOrganisation(), true, 200)
		due, err := time.Parse(dateLayout, a.GetDueDate())
		switch {
		case err != nil:
			v.Add(field+"due_date", "must be a date like 2027-03-29, got %q", a.GetDueDate())
		case a.GetDueDate() < today:
			v.Add(field+"due_date", "must not be before today (%s), got %s", today, a.GetDueDate())
		case a.GetDueDate() > limit:
			v.Add(field+"due_date", "must be within two years, got %s", a.GetDueDate())
		}
		v.Text(field+"person", a.GetPerson(), false, 200)
		agreements = append(agreements, vocab.Agreement{Action: a.GetAction(), OwnerOrganisation: a.GetOwnerOrganisation(), DueDate: due, Person: a.GetPerson()})
	}
	if n := len(req.GetOffers()); n > 20 {
		v.Add("offers", "at most 20, got %d", n)
	}
	for i, o := range req.GetOffers() {
		if !rpc.IsOfferName(o) {
			v.Add(fmt.Sprintf("offers[%d]", i), "must be a directory offer like organisations/…/offers/…, got %q", o)
		}
	}
	c, err := s.command(ctx, workflows.UpdateRecordTableOutcome, req.GetName(), req.GetRequestId(), v,
		workflows.TableOutcomeCommand{Actor: rpc.Actor(ctx), Offer: req.GetOffer(), Agreements: agreements, OffersUsed: req.GetOffers()})
	if err != nil {
		return nil, err
	}
	return &rotsv1.RecordTableOutcomeResponse{Case: c}, nil
}

// CloseCase closes a case in FOLLOW_UP.
func (s *Server) CloseCase(ctx context.Context, req *rotsv1.CloseCaseRequest) (*rotsv1.CloseCaseResponse, error) {
	var v rpc.Violations
	switch req.GetReason() {
	case rotsv1.ClosureReason_CLOSURE_REASON_UNSPECIFIED:
		v.Add("reason", "is required")
	case rotsv1.ClosureReason_CLOSURE_REASON_DECLINED, rotsv1.ClosureReason_CLOSURE_REASON_WITHDRAWN:
		v.Add("reason", "%s is set by DecideIntake or WithdrawCase, not by CloseCase", req.GetReason())
	default:
		if vocab.Stored(req.GetReason()) == "" {
			v.Add("reason", "unknown closure reason %d", req.GetReason())
		}
	}
	v.Text("note", req.GetNote(), req.GetReason() == rotsv1.ClosureReason_CLOSURE_REASON_OTHER, 4000)
	c, err := s.command(ctx, workflows.UpdateCloseCase, req.GetName(), req.GetRequestId(), v,
		workflows.CloseCommand{Actor: rpc.Actor(ctx), Reason: vocab.Stored(req.GetReason()), Note: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &rotsv1.CloseCaseResponse{Case: c}, nil
}

// WithdrawCase withdraws an open case.
func (s *Server) WithdrawCase(ctx context.Context, req *rotsv1.WithdrawCaseRequest) (*rotsv1.WithdrawCaseResponse, error) {
	var v rpc.Violations
	v.Text("reason", req.GetReason(), true, 2000)
	c, err := s.command(ctx, workflows.UpdateWithdrawCase, req.GetName(), req.GetRequestId(), v,
		workflows.WithdrawCommand{Actor: rpc.Actor(ctx), Reason: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &rotsv1.WithdrawCaseResponse{Case: c}, nil
}
