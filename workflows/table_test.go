package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The table from convening to closing: the meeting passes without an
// outcome and escalates; an agreement passes its due date and escalates,
// then is done; the table is reconvened and the meeting moved; invitations
// go to the partners with an .ics that keeps its UID.
func TestTablePath(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 1, 4, 9, 0) // Monday
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	day := 24 * time.Hour
	meeting := brussels(2027, 1, 12, 14, 0) // Tuesday
	partner := vocab.Participant{Kind: "PARTNER", Organisation: "Vzw Arktos", Name: "Bram", Email: "bram@arktos.example", Role: "time-out"}
	mother := vocab.Participant{Kind: "PARENTS", Role: "moeder"}
	steps := []struct {
		at     time.Duration
		update string
		cmd    any
	}{
		{time.Hour, UpdateDecideIntake, IntakeCommand{Actor: "tandem", Decision: "ACCEPT"}},
		{2 * time.Hour, UpdateRecordConsult, ConsultCommand{Actor: "tandem", Advice: "tafel", Decision: "CONVENE_TABLE"}},
		{3 * time.Hour, UpdateConveneTable, ConveneCommand{Actor: "tandem", Participants: []vocab.Participant{partner, mother}}},
		{4 * time.Hour, UpdateScheduleTableMeeting, ScheduleCommand{Actor: "tandem", Start: meeting, Minutes: 90, Location: "CLB Genk"}},
		// The meeting is on 12 January; the outcome is due two working days
		// later (end of Thursday 14 January) and comes on the 18th.
		{14 * day, UpdateRecordTableOutcome, TableOutcomeCommand{Actor: "tandem", Offer: "aanbod", Agreements: []vocab.Agreement{
			{Action: "time-out", OwnerOrganisation: "Vzw Arktos", DueDate: time.Date(2027, 1, 22, 0, 0, 0, 0, time.UTC)},
			{Action: "gesprek", OwnerOrganisation: "CLB", DueDate: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
		}}},
		// Agreement 0 is due end of Friday 22 January, done on the 28th.
		{24 * day, UpdateAgreement, AgreementCommand{Actor: "bram@arktos.example", Index: 0, Status: "DONE"}},
		{26 * day, UpdateReconveneTable, ReconveneCommand{Actor: "tandem", Reason: "nieuwe vraag"}},
		{26*day + time.Hour, UpdateScheduleTableMeeting, ScheduleCommand{Actor: "tandem", Start: brussels(2027, 2, 9, 10, 0), Minutes: 60, Location: "online", Reason: "eerste datum"}},
		{26*day + 2*time.Hour, UpdateScheduleTableMeeting, ScheduleCommand{Actor: "tandem", Start: brussels(2027, 2, 10, 10, 0), Minutes: 60, Location: "online", Reason: "ziekte"}},
		{37 * day, UpdateRecordTableOutcome, TableOutcomeCommand{Actor: "tandem", Offer: "aanbod 2", Agreements: []vocab.Agreement{
			{Action: "stage", OwnerOrganisation: "School", DueDate: time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)},
		}}},
		{38 * day, UpdateCloseCase, CloseCommand{Actor: "tandem", Reason: "BACK_AT_SCHOOL"}},
	}
	for i, st := range steps {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflowNoRejection(st.update, "step"+string(rune('a'+i)), t, st.cmd)
		}, st.at)
	}
	partnerInbox := inboxAt(t, env, db, "bram@arktos.example", 60*day)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	events, err := db.ListEvents(context.Background(), caseID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if strings.HasPrefix(e.Kind, "table.") || strings.HasPrefix(e.Kind, "escalation.") || strings.HasPrefix(e.Kind, "agreement.") {
			got = append(got, e.Kind+" @ "+e.At.In(calendar.Brussels).Format("01-02 15:04"))
		}
	}
	want := []string{
		"table.convened @ 01-04 12:00",
		"table.scheduled @ 01-04 13:00",
		"escalation.rung1 @ 01-15 00:00", // no outcome by the end of 14 January
		"table.outcome @ 01-18 09:00",
		"escalation.rung1 @ 01-23 00:00", // agreement 0 due end of 22 January
		"agreement.updated @ 01-28 09:00",
		"table.reconvened @ 01-30 09:00",
		"table.scheduled @ 01-30 10:00", // a new round: a new event
		"table.rescheduled @ 01-30 11:00",
		"table.outcome @ 02-10 09:00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table timeline (-want +got):\n%s", diff)
	}
	inbox := *partnerInbox
	if len(inbox) != 3 {
		t.Fatalf("partner got %d invitations, want 3", len(inbox))
	}
	var uids []string
	for k, n := range inbox { // newest first: the move, the reconvened table's meeting, the first
		seq := []string{"SEQUENCE:1", "SEQUENCE:0", "SEQUENCE:0"}[k]
		if n.Kind != "invitation" || !strings.Contains(n.Attachment, seq) || !strings.Contains(n.Attachment, "BEGIN:VEVENT") {
			t.Errorf("invitation %d: kind %s, attachment %q", k, n.Kind, n.Attachment)
		}
		line := n.Attachment[strings.Index(n.Attachment, "UID:"):]
		uids = append(uids, line[:strings.Index(line, "\r\n")])
	}
	if uids[0] != uids[1] || uids[1] == uids[2] {
		t.Errorf("UIDs %v: a move keeps the event, a reconvened table gets a new one", uids)
	}
	if strings.Contains(inbox[0].Body, "J.") || strings.Contains(inbox[0].Attachment, "Sint-Jan") {
		t.Errorf("invitation carries personal data: %s", inbox[0].Body)
	}
	c, err := db.GetCase(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Participants) != 2 || c.Meeting.Sequence != 2 || c.Meeting.At == nil || !c.Meeting.At.Equal(brussels(2027, 2, 10, 10, 0)) {
		t.Errorf("stored table: participants %v, meeting %+v", c.Participants, c.Meeting)
	}
}
