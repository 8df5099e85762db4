package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
)

// command sends one step of the case path to the API. It may find
// problems in the form itself first (f.fail), and then sends nothing.
type command func(s *Server, ctx context.Context, name string, f *form) error

// commands are the steps, by the last part of their address.
var commands = map[string]command{
	"antwoord": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.cases.AnswerQuestion(ctx, &rotsv1.AnswerQuestionRequest{RequestId: f.RequestID, Name: name, Answer: f.Get("answer")})
		return err
	},
	"intrekken": func(s *Server, ctx context.Context, name string, f *form) error {
		if !confirmed(f, "Bevestig dat u de aanmelding wilt intrekken.") {
			return nil
		}
		_, err := s.cases.WithdrawCase(ctx, &rotsv1.WithdrawCaseRequest{RequestId: f.RequestID, Name: name, Reason: f.Get("reason")})
		return err
	},
	"toestemming": func(s *Server, ctx context.Context, name string, f *form) error {
		if !confirmed(f, "Bevestig dat de toestemming is ingetrokken.") {
			return nil
		}
		_, err := s.cases.WithdrawConsent(ctx, &rotsv1.WithdrawConsentRequest{RequestId: f.RequestID, Name: name,
			By: enumOf[rotsv1.ConsentBy](f.Get("by")), Note: f.Get("note")})
		return err
	},
	"intake": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.cases.DecideIntake(ctx, &rotsv1.DecideIntakeRequest{RequestId: f.RequestID, Name: name,
			Decision: enumOf[rotsv1.IntakeDecision](f.Get("decision")),
			Question: f.Get("question"), DeclineReason: f.Get("decline_reason"), ReferralSuggestion: f.Get("referral_suggestion"), Note: f.Get("note")})
		return err
	},
	"consult": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.cases.RecordConsult(ctx, &rotsv1.RecordConsultRequest{RequestId: f.RequestID, Name: name,
			Decision: enumOf[rotsv1.ConsultDecision](f.Get("decision")),
			Advice:   f.Get("advice"), Experts: f.list("experts"), ConsultDate: f.Get("consult_date")})
		return err
	},
	"tafel": func(s *Server, ctx context.Context, name string, f *form) error {
		req := &rotsv1.ConveneTableRequest{RequestId: f.RequestID, Name: name}
		for i := range f.Rows("participants", 0) {
			at := func(field string) string {
				return strings.TrimSpace(f.Get("participants[" + strconv.Itoa(i) + "]." + field))
			}
			if at("name") == "" && at("organisation") == "" && at("email") == "" && at("role") == "" {
				continue // an empty row left over
			}
			req.Participants = append(req.Participants, &rotsv1.Participant{
				Kind:         enumOf[rotsv1.ParticipantKind](at("kind")),
				Organisation: at("organisation"), Name: at("name"), Email: at("email"), Role: at("role"),
			})
		}
		_, err := s.tables.ConveneTable(ctx, req)
		return err
	},
	"planning": func(s *Server, ctx context.Context, name string, f *form) error {
		start, ok := meetingStart(f)
		const message = "Vul de duur in minuten in, bijvoorbeeld 90."
		minutes, given := f.number("duration_minutes", message)
		if !given {
			f.fail("duration_minutes", message)
		}
		if !ok || f.Err("duration_minutes") != "" {
			return nil
		}
		_, err := s.tables.ScheduleTableMeeting(ctx, &rotsv1.ScheduleTableMeetingRequest{RequestId: f.RequestID, Name: name,
			StartTime: timestamppb.New(start), DurationMinutes: minutes, Location: f.Get("location"), Reason: f.Get("reason")})
		return err
	},
	"aanwezigheid": func(s *Server, ctx context.Context, name string, f *form) error {
		req := &rotsv1.RecordAttendanceRequest{RequestId: f.RequestID, Name: name}
		for _, v := range f.Values["present"] {
			i, err := strconv.Atoi(v)
			if err != nil {
				f.fail("present", "Kies de deelnemers die er waren.")
				return nil
			}
			req.Present = append(req.Present, int32(i))
		}
		_, err := s.tables.RecordAttendance(ctx, req)
		return err
	},
	"uitkomst": func(s *Server, ctx context.Context, name string, f *form) error {
		req := &rotsv1.RecordTableOutcomeRequest{RequestId: f.RequestID, Name: name, Offer: f.Get("offer"), Offers: f.Values["offers"]}
		for i := range f.Rows("agreements", 0) {
			at := func(field string) string {
				return strings.TrimSpace(f.Get("agreements[" + strconv.Itoa(i) + "]." + field))
			}
			if at("action") == "" && at("owner_organisation") == "" && at("due_date") == "" {
				continue
			}
			req.Agreements = append(req.Agreements, &rotsv1.Agreement{Action: at("action"), OwnerOrganisation: at("owner_organisation"),
				DueDate: at("due_date"), Person: at("person")})
		}
		_, err := s.cases.RecordTableOutcome(ctx, req)
		return err
	},
	"afspraak": func(s *Server, ctx context.Context, name string, f *form) error {
		index, _ := strconv.Atoi(f.Get("index"))
		_, err := s.tables.UpdateAgreement(ctx, &rotsv1.UpdateAgreementRequest{RequestId: f.RequestID, Name: name, Index: int32(index),
			Status:        enumOf[rotsv1.AgreementStatus](f.Get("status")),
			BlockedReason: f.Get("blocked_reason")})
		return err
	},
	"heropenen": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.tables.ReconveneTable(ctx, &rotsv1.ReconveneTableRequest{RequestId: f.RequestID, Name: name, Reason: f.Get("reason")})
		return err
	},
	"afsluiten": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.cases.CloseCase(ctx, &rotsv1.CloseCaseRequest{RequestId: f.RequestID, Name: name,
			Reason: enumOf[rotsv1.ClosureReason](f.Get("reason")), Note: f.Get("note")})
		return err
	},
	"praktijk": writePractice,
	"hiaat": func(s *Server, ctx context.Context, name string, f *form) error {
		weeks, _ := f.number("gap.waiting_weeks", "Vul een aantal weken in, bijvoorbeeld 12.")
		if f.Err("gap.waiting_weeks") != "" {
			return nil
		}
		_, err := s.tables.RecordGap(ctx, &rotsv1.RecordGapRequest{RequestId: f.RequestID, Name: name, Gap: &rotsv1.Gap{
			Theme:   enumOf[rotsv1.Theme](f.Get("gap.theme")),
			AgeBand: enumOf[rotsv1.AgeBand](f.Get("gap.age_band")),
			Needed:  f.Get("gap.needed"), WaitingWeeks: weeks}})
		return err
	},
}

// confirmed reports whether the person ticked the confirmation of a step
// that cannot be undone.
func confirmed(f *form, message string) bool {
	if f.Get("bevestig") != "ja" {
		f.fail("bevestig", message)
		return false
	}
	return true
}

// meetingStart reads the meeting's day and hour, in Brussels.
func meetingStart(f *form) (time.Time, bool) {
	day, hour := strings.TrimSpace(f.Get("start_time")), strings.TrimSpace(f.Get("start_hour"))
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hour, calendar.Brussels)
	if err != nil {
		if _, dayErr := time.Parse("2006-01-02", day); dayErr != nil {
			f.fail("start_time", "Vul de datum van de overlegtafel in.")
		} else {
			f.fail("start_hour", "Vul het beginuur in als uu:mm, bijvoorbeeld 14:00.")
		}
		return time.Time{}, false
	}
	return t, true
}

// caseCommand runs a step from a form on the case page, then shows the
// case again: after success by a redirect (so a reload sends nothing), with
// problems the page again with the form as typed.
func (s *Server) caseCommand(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	name, cmd := "cases/"+r.PathValue("id"), r.PathValue("command")
	f := readForm(r, cmd)
	if cmd == "tafel" && (f.addRow() || f.Values.Get("zoek") != "" || f.Values.Get("partner-erbij") != "") {
		s.conveneFormAgain(w, r, v, f)
		return
	}
	if f.addRow() {
		s.showCase(w, r, v, http.StatusOK, f, "", "", nil)
		return
	}
	if f.Values.Get("overnemen") != "" {
		// A suggestion taken into the consult's or the table's form.
		s.takeSuggestion(v.ctx, f, name)
		s.showCase(w, r, v, http.StatusOK, f, "", "", nil)
		return
	}
	run, ok := commands[cmd]
	if !ok {
		s.notFound(w, r, v)
		return
	}
	err := run(s, v.ctx, name, f)
	if len(f.Order) > 0 && err == nil {
		s.showCase(w, r, v, http.StatusUnprocessableEntity, f, "", "", nil)
		return
	}
	problem, msg := classify(err, f)
	switch problem {
	case problemNone:
		s.log.Info("case step", "step", cmd, "case", r.PathValue("id"))
		http.Redirect(w, r, "/dossiers/"+r.PathValue("id")+"?gedaan="+cmd, http.StatusSeeOther)
	case problemFields:
		s.showCase(w, r, v, http.StatusUnprocessableEntity, f, "", msg, nil)
	case problemStage:
		s.showCase(w, r, v, http.StatusConflict, nil, "", msg, nil)
	case problemForbidden:
		s.showCase(w, r, v, http.StatusForbidden, nil, "", msg, nil)
	default:
		s.answerProblem(w, r, v, problem)
	}
}

// conveneFormAgain shows the table's form again: with one row more, with
// the directory's offers for a search, or with an organisation found there
// added as a partner.
func (s *Server) conveneFormAgain(w http.ResponseWriter, r *http.Request, v *visit, f *form) {
	if org := f.Values.Get("partner-erbij"); org != "" {
		i := strconv.Itoa(f.Rows("participants", 0))
		f.Values.Set("participants["+i+"].kind", "PARTNER")
		f.Values.Set("participants["+i+"].organisation", org)
	}
	q := strings.TrimSpace(f.Values.Get("zoekterm"))
	s.showCase(w, r, v, http.StatusOK, f, "", "", func(d *caseData) {
		if q == "" && f.Values.Get("zoek") == "" {
			return
		}
		// The offers of the case's region, which the page has read.
		d.Searched = true
		resp, err := s.directory.SearchOffers(v.ctx, &rotsv1.SearchOffersRequest{Query: q, Region: d.C.GetRegion(), PageSize: 10})
		if err == nil {
			d.Offers = resp.GetOffers()
		}
	})
}
