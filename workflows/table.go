package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Consultation table updates.
const (
	UpdateConveneTable         = "ConveneTable"
	UpdateScheduleTableMeeting = "ScheduleTableMeeting"
	UpdateReconveneTable       = "ReconveneTable"
	UpdateAgreement            = "UpdateAgreement"
	UpdateRecordAttendance     = "RecordAttendance"
	UpdateRecordGap            = "RecordGap"
)

// Table commands.
type (
	ConveneCommand struct {
		Actor        string
		Participants []vocab.Participant
	}
	ScheduleCommand struct {
		Actor    string
		Start    time.Time
		Minutes  int
		Location string
		Reason   string
	}
	ReconveneCommand struct {
		Actor  string
		Reason string
	}
	AttendanceCommand struct {
		Actor string
		// Present are the positions of the participants who came.
		Present []int
	}
	GapCommand struct {
		Actor        string
		Theme        string
		AgeBand      string
		Needed       string
		WaitingWeeks int
	}
	AgreementCommand struct {
		Actor         string
		Index         int
		Status        string // OPEN, IN_PROGRESS, DONE or BLOCKED
		BlockedReason string
	}
)

// table is what the workflow keeps of the consultation table.
type table struct {
	Participants []vocab.Participant
	Meeting      vocab.Meeting
	// Round counts reconvenings: each round's meeting is its own event.
	Round int
	// Agreements' due dates and whether each is done.
	AgreementDue  []time.Time
	AgreementDone []bool
}

func (w *caseWorkflow) conveneTable(ctx workflow.Context, c ConveneCommand) (State, error) {
	if err := w.checkStage(UpdateConveneTable); err != nil {
		return State{}, err
	}
	w.table.Participants = c.Participants
	t := w.stepTransition(UpdateConveneTable, "", c.Actor)
	t.Participants = c.Participants
	t.Summary = "Overlegtafel samengeroepen met " + dutch.Count(len(c.Participants), "deelnemer", "deelnemers")
	return w.record(ctx, t)
}

func (w *caseWorkflow) scheduleMeeting(ctx workflow.Context, c ScheduleCommand) (State, error) {
	if err := w.checkStage(UpdateScheduleTableMeeting); err != nil {
		return State{}, err
	}
	if len(w.table.Participants) == 0 {
		return State{}, wrongStage("the table has no participants yet; ConveneTable first")
	}
	t := w.stepTransition(UpdateScheduleTableMeeting, "", c.Actor)
	t.Summary = "Overlegtafel gepland op " + dutch.DateTime(c.Start)
	if w.table.Meeting.Sequence > 0 {
		t = w.stepTransition(UpdateScheduleTableMeeting, "MOVE", c.Actor)
		t.Summary = "Overlegtafel verplaatst naar " + dutch.DateTime(c.Start) + ": " + c.Reason
	}
	start := c.Start
	w.table.Meeting = vocab.Meeting{At: &start, Minutes: c.Minutes, Location: c.Location, Sequence: w.table.Meeting.Sequence + 1, Round: w.table.Round}
	meeting := w.table.Meeting
	t.Meeting = &meeting
	if _, err := w.record(ctx, t); err != nil {
		return State{}, err
	}
	// From now on the deadline is the outcome, after the meeting.
	policy, err := w.loadPolicy(ctx)
	if err != nil {
		return State{}, err
	}
	if w.stage == vocab.StageTable {
		d := policy.Start(escalation.KindOutcome, start.Add(time.Duration(c.Minutes)*time.Minute))
		w.stageDeadline = &d
		w.deadlineSeq++
		if err := w.projectEscalation(ctx, store.Transition{}); err != nil {
			return State{}, err
		}
	}
	var emails []string
	for _, p := range w.table.Participants {
		if p.Email != "" {
			emails = append(emails, p.Email)
		}
	}
	if err := w.notifyRecipients(ctx, "invitation", emails, &meeting); err != nil {
		return State{}, err
	}
	return w.state(), nil
}

func (w *caseWorkflow) reconveneTable(ctx workflow.Context, c ReconveneCommand) (State, error) {
	if err := w.checkStage(UpdateReconveneTable); err != nil {
		return State{}, err
	}
	w.table.Round++
	w.table.Meeting = vocab.Meeting{}
	t := w.stepTransition(UpdateReconveneTable, "", c.Actor)
	t.Summary = "Overlegtafel opnieuw samengeroepen: " + c.Reason
	return w.transition(ctx, UpdateReconveneTable, t)
}

func (w *caseWorkflow) updateAgreement(ctx workflow.Context, c AgreementCommand) (State, error) {
	if err := w.checkStage(UpdateAgreement); err != nil {
		return State{}, err
	}
	if c.Index < 0 || c.Index >= len(w.table.AgreementDue) {
		return State{}, wrongStage(fmt.Sprintf("the case has no agreement %d", c.Index))
	}
	w.table.AgreementDone[c.Index] = c.Status == vocab.AgreementDone
	if c.Status == vocab.AgreementDone && c.Index < len(w.agreementDeadlines) && w.agreementDeadlines[c.Index] != nil {
		w.agreementDeadlines[c.Index] = nil
		w.deadlineSeq++
	}
	summary := fmt.Sprintf("Afspraak %d: %s", c.Index+1, vocab.AgreementStatus(c.Status))
	if c.BlockedReason != "" {
		summary += " (" + c.BlockedReason + ")"
	}
	t := w.stepTransition(UpdateAgreement, "", c.Actor)
	t.Summary = summary
	t.Agreement = &store.AgreementUpdate{Index: c.Index, Status: c.Status, BlockedReason: c.BlockedReason}
	if w.escalating {
		t.Escalation = w.escalationState()
	}
	return w.record(ctx, t)
}

// record projects an event that does not change the stage, in order.
func (w *caseWorkflow) record(ctx workflow.Context, t store.Transition) (State, error) {
	t.RequestID = workflow.GetCurrentUpdateInfo(ctx).ID
	t.FromStage, t.ToStage = w.stage, w.stage
	if err := w.project(ctx, w.takeTicket(), t); err != nil {
		return State{}, err
	}
	return w.state(), nil
}

func (w *caseWorkflow) state() State {
	return State{CaseID: w.in.CaseID, Stage: w.stage, Rung: w.rung(), Breakthrough: w.breakthrough, Deadlines: w.deadlines()}
}

func wrongStage(msg string) error {
	return temporal.NewApplicationErrorWithOptions(msg, ErrWrongStage, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// startAgreementDeadlines gives every open agreement a deadline at the end
// of its due date, when the case enters follow-up after a table.
func (w *caseWorkflow) startAgreementDeadlines(ctx workflow.Context) {
	w.agreementDeadlines = nil
	if len(w.table.AgreementDue) == 0 || workflow.GetVersion(ctx, versionTables, workflow.DefaultVersion, 1) < 1 {
		return
	}
	for i, due := range w.table.AgreementDue {
		var d *escalation.Deadline
		if !w.table.AgreementDone[i] {
			end := calendar.EndOfDay(time.Date(due.Year(), due.Month(), due.Day(), 12, 0, 0, 0, calendar.Brussels))
			d = &escalation.Deadline{Kind: escalation.KindAgreement, Due: end, Agreement: i}
		}
		w.agreementDeadlines = append(w.agreementDeadlines, d)
	}
}

// recordAttendance records who came to the meeting, in turn with the
// table's other changes; recording it again replaces it.
func (w *caseWorkflow) recordAttendance(ctx workflow.Context, c AttendanceCommand) (State, error) {
	if err := w.checkStage(UpdateRecordAttendance); err != nil {
		return State{}, err
	}
	if len(w.table.Participants) == 0 {
		return State{}, wrongStage("the table has no participants yet; ConveneTable first")
	}
	for _, i := range c.Present {
		if i < 0 || i >= len(w.table.Participants) {
			return State{}, wrongStage(fmt.Sprintf("the table has no participant %d", i))
		}
	}
	var a *Activities
	err := w.inTurn(ctx, w.takeTicket(), func() error {
		return w.short(ctx, a.RecordAttendance, AttendanceInput{CaseID: w.in.CaseID, Present: c.Present}).Get(ctx, nil)
	})
	return w.state(), err
}

// recordGap records a gap in the regional offer the case ran into, once
// per update (its ID is the gap's request ID).
func (w *caseWorkflow) recordGap(ctx workflow.Context, c GapCommand) (State, error) {
	if err := w.checkStage(UpdateRecordGap); err != nil {
		return State{}, err
	}
	in := GapInput{Gap: store.Gap{
		CaseID: w.in.CaseID, Theme: c.Theme, AgeBand: c.AgeBand, Needed: c.Needed, WaitingWeeks: c.WaitingWeeks,
		RecordedAt: workflow.Now(ctx), RecordedBy: c.Actor,
	}, RequestID: workflow.GetCurrentUpdateInfo(ctx).ID}
	var a *Activities
	err := w.inTurn(ctx, w.takeTicket(), func() error {
		return w.short(ctx, a.RecordGap, in).Get(ctx, nil)
	})
	return w.state(), err
}
