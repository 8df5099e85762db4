package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
)

const partnerEmail = "bram.peeters@arktos.example"

// testTable convenes a table with a partner over gRPC: the invitation
// reaches the SMTP server with an .ics that parses back; the partner sees
// the need-to-know view of the case and updates their agreement; once
// consent is withdrawn the partner no longer sees the case.
func (s *stack) testTable(t *testing.T) {
	const org = "CLB tafel"
	own := s.submitter(org)
	tandem := s.as(auth.Coordinator, "limburg", "")
	c := must(t)(s.cases.SubmitCase(own, submitRequest(org)))
	name := c.GetName()
	must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	consulted := must(t)(s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: name, Advice: "Tafel",
		Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE, Experts: []string{"CGG Lichtpunt", "Vzw Arktos"}}))
	if !slices.Equal(consulted.GetConsultExperts(), []string{"CGG Lichtpunt", "Vzw Arktos"}) || consulted.GetConsultDate() != time.Now().Format("2006-01-02") {
		t.Errorf("consult: experts %v on %s", consulted.GetConsultExperts(), consulted.GetConsultDate())
	}

	partner := s.asEmail(auth.Partner, "limburg", "Vzw Arktos", partnerEmail)
	_, err := s.cases.GetCase(partner, &rotsv1.GetCaseRequest{Name: name})
	wantCode(t, err, codes.NotFound, "case not found") // not invited yet

	_, err = s.consult.ScheduleTableMeeting(tandem, &rotsv1.ScheduleTableMeetingRequest{
		RequestId: uuid.NewString(), Name: name, StartTime: timestamppb.New(time.Now().Add(48 * time.Hour)), DurationMinutes: 90, Location: "CLB Genk",
	})
	wantCode(t, err, codes.FailedPrecondition, "no participants")
	_, err = s.consult.ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: uuid.NewString(), Name: name, Participants: []*rotsv1.Participant{
		{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARENTS, Name: "Els Jacobs", Role: "moeder"},
	}})
	wantCode(t, err, codes.InvalidArgument, "by role only")

	convened, err := s.consult.ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: uuid.NewString(), Name: name, Participants: []*rotsv1.Participant{
		{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: "Vzw Arktos", Name: "Bram Peeters", Email: partnerEmail, Role: "time-outcoach"},
		{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARENTS, Role: "moeder"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(convened.GetCase().GetInvitedOrganisations(), "Vzw Arktos") {
		t.Errorf("invited organisations %v", convened.GetCase().GetInvitedOrganisations())
	}
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	for i, reason := range []string{"", "De school kan pas later"} {
		sched, err := s.consult.ScheduleTableMeeting(tandem, &rotsv1.ScheduleTableMeetingRequest{
			RequestId: uuid.NewString(), Name: name, StartTime: timestamppb.New(start.Add(time.Duration(i) * time.Hour)),
			DurationMinutes: 90, Location: "CLB Genk, Stalenstraat", Reason: reason,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !sched.GetCase().GetMeetingTime().AsTime().Equal(start.Add(time.Duration(i) * time.Hour)) {
			t.Errorf("meeting time %v", sched.GetCase().GetMeetingTime().AsTime())
		}
	}

	att, err := s.consult.RecordAttendance(tandem, &rotsv1.RecordAttendanceRequest{RequestId: uuid.NewString(), Name: name, Present: []int32{0}})
	if err != nil || !slices.Equal(att.GetPresent(), []bool{true, false}) {
		t.Errorf("attendance: %v, %v", att.GetPresent(), err)
	}
	gapReq := &rotsv1.RecordGapRequest{RequestId: uuid.NewString(), Name: name, Gap: &rotsv1.Gap{
		Theme: rotsv1.Theme_THEME_MENTAL_HEALTH, AgeBand: rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER, Needed: "Kinderpsychiatrische opvang", WaitingWeeks: 26,
	}}
	first, err := s.consult.RecordGap(tandem, gapReq)
	again, err2 := s.consult.RecordGap(tandem, gapReq)
	if err != nil || err2 != nil || first.GetGap().GetName() != again.GetGap().GetName() {
		t.Errorf("gap recorded twice or not at all: %v %v, %v %v", first.GetGap().GetName(), again.GetGap().GetName(), err, err2)
	}

	// The partner sees what the table needs, not the contact person, and
	// finds the case among their organisation's tables.
	seen := must(t)(s.cases.GetCase(partner, &rotsv1.GetCaseRequest{Name: name}))
	listed := func() bool {
		t.Helper()
		list, err := s.cases.ListCases(partner, &rotsv1.ListCasesRequest{PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list.GetCases(), func(c *rotsv1.Case) bool { return c.GetName() == name && c.GetContact() == nil })
	}
	if !listed() {
		t.Errorf("the partner's tables lack %s", name)
	}
	if seen.GetYoungPerson().GetAlias() != alias || seen.GetContact() != nil || len(seen.GetTried()) != 0 {
		t.Errorf("partner's view: %v", seen)
	}
	due := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
	must(t)(s.cases.RecordTableOutcome(tandem, &rotsv1.RecordTableOutcomeRequest{RequestId: uuid.NewString(), Name: name, Offer: "Time-out en halve dagen school",
		Agreements: []*rotsv1.Agreement{
			{Action: "Time-outtraject starten", OwnerOrganisation: "Vzw Arktos", DueDate: due},
			{Action: "Gesprek met de school", OwnerOrganisation: "CLB tafel", DueDate: due},
		}}))
	_, err = s.consult.UpdateAgreement(partner, &rotsv1.UpdateAgreementRequest{RequestId: uuid.NewString(), Name: name, Index: 1, Status: rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE})
	wantCode(t, err, codes.PermissionDenied, "another organisation")
	updated, err := s.consult.UpdateAgreement(partner, &rotsv1.UpdateAgreementRequest{RequestId: uuid.NewString(), Name: name, Index: 0, Status: rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE})
	if err != nil {
		t.Fatal(err)
	}
	if got := updated.GetCase().GetAgreements()[0].GetStatus(); got != rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE {
		t.Errorf("agreement status %s", got)
	}
	_, err = s.consult.UpdateAgreement(partner, &rotsv1.UpdateAgreementRequest{RequestId: uuid.NewString(), Name: name, Index: 3, Status: rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE})
	wantCode(t, err, codes.FailedPrecondition, "no agreement 3")

	// Consent withdrawn: the partner is out at once.
	must(t)(s.cases.WithdrawConsent(own, &rotsv1.WithdrawConsentRequest{RequestId: uuid.NewString(), Name: name, By: rotsv1.ConsentBy_CONSENT_BY_YOUNG_PERSON}))
	_, err = s.cases.GetCase(partner, &rotsv1.GetCaseRequest{Name: name})
	wantCode(t, err, codes.NotFound, "case not found")
	if listed() {
		t.Errorf("the partner's tables still list %s after the consent was withdrawn", name)
	}

	// Two invitations arrive: one event, SEQUENCE 0 then 1.
	var icss []string
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		icss = icss[:0]
		for _, m := range s.mail.received() {
			if m.To == partnerEmail {
				icss = append(icss, calendarPart(m.Body))
			}
		}
		return len(icss) >= 2, fmt.Sprintf("%d invitations reached the mail server, want 2", len(icss))
	})
	if len(icss) != 2 {
		t.Fatalf("%d invitations reached the mail server, want 2", len(icss))
	}
	var uids []string
	for _, ics := range icss {
		ev := parseICS(t, ics)
		uids = append(uids, ev["UID"])
		if ev["METHOD"] != "REQUEST" || !strings.HasPrefix(ev["DTSTART"], start.UTC().Format("20060102")) || !strings.Contains(ev["ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE"], partnerEmail) {
			t.Errorf("invitation %v", ev)
		}
		if strings.Contains(ics, alias) {
			t.Errorf("the invitation names the young person")
		}
	}
	seqs := []string{parseICS(t, icss[0])["SEQUENCE"], parseICS(t, icss[1])["SEQUENCE"]}
	slices.Sort(seqs)
	if uids[0] != uids[1] || !slices.Equal(seqs, []string{"0", "1"}) {
		t.Errorf("UIDs %v, sequences %v: want one event, updated once", uids, seqs)
	}
}

// calendarPart returns the text/calendar part of a multipart mail body.
func calendarPart(body string) string {
	i := strings.Index(body, "BEGIN:VCALENDAR")
	j := strings.Index(body, "END:VCALENDAR")
	if i < 0 || j < i {
		return ""
	}
	return body[i : j+len("END:VCALENDAR")]
}

// parseICS reads an iCalendar text back into its properties (one VEVENT),
// checking the structure on the way.
func parseICS(t *testing.T, ics string) map[string]string {
	t.Helper()
	props := map[string]string{}
	var stack []string
	for _, line := range strings.Split(strings.ReplaceAll(ics, "\r\n", "\n"), "\n") {
		if line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("iCalendar line without a colon: %q", line)
		}
		switch key {
		case "BEGIN":
			stack = append(stack, value)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
		default:
			props[key] = value
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed %v", stack)
	}
	for _, required := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "VERSION", "PRODID"} {
		if props[required] == "" {
			t.Errorf("iCalendar lacks %s", required)
		}
	}
	return props
}
