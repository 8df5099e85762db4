// Package workflows holds the case workflow: one CaseWorkflow per case owns
// the case's process (stage, deadlines, rung) and is the only writer of it;
// its activities project it to PostgreSQL. The path is one table (path.go).
// Workflow code is deterministic: it must not import services/ or cmd/,
// and reads the store only through activities.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// TaskQueue is where case workflows and their activities run.
const TaskQueue = "rots-cases"

// Update, query and error type names.
const (
	UpdateDecideIntake       = "DecideIntake"
	UpdateAnswerQuestion     = "AnswerQuestion"
	UpdateRecordConsult      = "RecordConsult"
	UpdateRecordTableOutcome = "RecordTableOutcome"
	UpdateCloseCase          = "CloseCase"
	UpdateWithdrawCase       = "WithdrawCase"
	QueryState               = "state"
	// ErrWrongStage is the ApplicationError type of a command that does not
	// fit the case's current stage.
	ErrWrongStage = "WrongStage"
)

// WorkflowID is the case workflow's ID, derived from the case ID so that a
// repeated start finds the running workflow instead of making another.
func WorkflowID(caseID string) string { return "case-" + caseID }

// CaseInput starts a case workflow. It holds no personal data: the record
// lives in PostgreSQL.
type CaseInput struct {
	CaseID      string
	Region      string
	SubmittedAt time.Time
	// Resume carries the state over a continue-as-new; nil at the start.
	Resume *Resume
}

// Resume is the state a case workflow continues with after continue-as-new.
type Resume struct {
	Stage        string
	StageSeq     int
	EventSeq     int
	Stage0       *escalation.Deadline
	Offer        *escalation.Deadline
	Breakthrough bool
	// BreakthroughSeq is the StageSeq in which the case broke through;
	// 0 in resumes written before it was kept.
	BreakthroughSeq int `json:",omitempty"`
	Table           table
	Agreements      []*escalation.Deadline
}

// State is the answer to the state query.
type State struct {
	CaseID       string
	Stage        string
	Rung         int
	Breakthrough bool
	Deadlines    []escalation.Deadline
}

// Commands, one per update. Actor is who gives the command.
type (
	IntakeCommand struct {
		Actor              string
		Decision           string // ACCEPT, ASK_QUESTION or DECLINE
		Question           string
		DeclineReason      string
		ReferralSuggestion string
		Note               string
	}
	AnswerCommand struct {
		Actor  string
		Answer string
	}
	ConsultCommand struct {
		Actor    string
		Advice   string
		Decision string // ADVICE_ONLY or CONVENE_TABLE
		Experts  []string
		Date     *time.Time
	}
	TableOutcomeCommand struct {
		Actor      string
		Offer      string
		Agreements []vocab.Agreement
		OffersUsed []string
	}
	CloseCommand struct {
		Actor  string
		Reason string
		Note   string
	}
	WithdrawCommand struct {
		Actor  string
		Reason string
	}
)

type caseWorkflow struct {
	in    CaseInput
	stage string
	// Projections run one at a time, in the order the commands were taken,
	// so the timeline in PostgreSQL has the order of the workflow.
	nextTicket, serving int
	// escalating is false for cases started before deadlines existed
	// (workflow version DefaultVersion): they keep running without them.
	escalating bool
	// local: the short store activities run as local activities.
	local bool
	ladder
	table table
}

// CaseWorkflow carries one case from submission to closure.
func CaseWorkflow(ctx workflow.Context, in CaseInput) error {
	w := &caseWorkflow{in: in, stage: vocab.StageIntake}
	// Before the handlers: an update that came with the start runs as soon
	// as its handler is registered, and must see the version.
	w.escalating = workflow.GetVersion(ctx, versionEscalation, workflow.DefaultVersion, 1) >= 1
	w.local = workflow.GetVersion(ctx, versionLocal, workflow.DefaultVersion, 1) >= 1
	if r := in.Resume; r != nil {
		w.stage, w.stageSeq, w.handledSeq, w.eventSeq = r.Stage, r.StageSeq, r.StageSeq, r.EventSeq
		w.stageDeadline, w.offerDeadline, w.breakthrough, w.breakthroughSeq = r.Stage0, r.Offer, r.Breakthrough, r.BreakthroughSeq
		w.table, w.agreementDeadlines = r.Table, r.Agreements
	} else {
		w.stageSeq = 1 // entering INTAKE
	}
	// The first projection's ticket is taken before any update handler can
	// run: updates that came with the start must be projected after it.
	first := w.takeTicket()
	if err := w.register(ctx); err != nil {
		return err
	}
	if in.Resume == nil {
		if err := w.project(ctx, first, store.Transition{
			RequestID: "workflow:intake", Kind: "intake.started",
			FromStage: vocab.StageSubmitted, ToStage: vocab.StageIntake, Actor: "systeem",
			Summary: "Wacht op de intakebeslissing van de tandem",
		}); err != nil {
			return err
		}
	} else {
		w.serving++ // nothing to project for the resumed start
	}
	if w.escalating {
		return w.escalate(ctx)
	}
	return workflow.Await(ctx, func() bool {
		return w.stage == vocab.StageClosed && workflow.AllHandlersFinished(ctx)
	})
}

func (w *caseWorkflow) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) {
		return w.state(), nil
	}); err != nil {
		return err
	}
	return errors.Join(
		registerUpdate(ctx, w, UpdateDecideIntake, w.decideIntake),
		registerUpdate(ctx, w, UpdateAnswerQuestion, w.answerQuestion),
		registerUpdate(ctx, w, UpdateRecordConsult, w.recordConsult),
		registerUpdate(ctx, w, UpdateRecordTableOutcome, w.recordTableOutcome),
		registerUpdate(ctx, w, UpdateCloseCase, w.closeCase),
		registerUpdate(ctx, w, UpdateWithdrawCase, w.withdrawCase),
		registerUpdate(ctx, w, UpdateConveneTable, w.conveneTable),
		registerUpdate(ctx, w, UpdateScheduleTableMeeting, w.scheduleMeeting),
		registerUpdate(ctx, w, UpdateReconveneTable, w.reconveneTable),
		registerUpdate(ctx, w, UpdateAgreement, w.updateAgreement),
		registerUpdate(ctx, w, UpdateRecordAttendance, w.recordAttendance),
		registerUpdate(ctx, w, UpdateRecordGap, w.recordGap),
	)
}

// registerUpdate registers a stage command with a validator that rejects it
// when it does not fit the stage, so that it never enters the history.
func registerUpdate[C any](ctx workflow.Context, w *caseWorkflow, name string, handler func(workflow.Context, C) (State, error)) error {
	validator := func(workflow.Context, C) error { return w.checkStage(name) }
	return workflow.SetUpdateHandlerWithOptions(ctx, name, handler, workflow.UpdateHandlerOptions{Validator: validator})
}

func (w *caseWorkflow) checkStage(command string) error {
	allowed := fromStages(command)
	if slices.Contains(allowed, w.stage) {
		return nil
	}
	return temporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("case is in stage %s; %s needs %s", w.stage, command, strings.Join(allowed, " or ")),
		ErrWrongStage, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// transition moves the case to t.ToStage at once, so that commands that
// follow are validated against the new stage, then projects it and waits
// until the new stage's deadlines are set.
func (w *caseWorkflow) transition(ctx workflow.Context, command string, t store.Transition) (State, error) {
	// A second update may have been accepted before this one ran.
	if err := w.checkStage(command); err != nil {
		return State{}, err
	}
	t.RequestID = workflow.GetCurrentUpdateInfo(ctx).ID
	if err := w.changeStage(ctx, t); err != nil {
		return State{}, err
	}
	if w.escalating {
		seq := w.stageSeq
		if err := workflow.Await(ctx, func() bool { return w.handledSeq >= seq }); err != nil {
			return State{}, err
		}
	}
	return w.state(), nil
}

// changeStage moves the case to t.ToStage and projects the change.
func (w *caseWorkflow) changeStage(ctx workflow.Context, t store.Transition) error {
	t.FromStage = w.stage
	w.stage = t.ToStage
	w.stageSeq++
	if t.ClosureReason != nil {
		w.closedAs = *t.ClosureReason
	}
	if t.ToStage == vocab.StageClosed {
		w.stageDeadline, w.offerDeadline, w.agreementDeadlines = nil, nil, nil
	}
	return w.project(ctx, w.takeTicket(), t)
}

// takeTicket reserves the next place in the projection order.
func (w *caseWorkflow) takeTicket() int {
	w.nextTicket++
	return w.nextTicket - 1
}

// project writes a transition to PostgreSQL when its ticket's turn comes.
func (w *caseWorkflow) project(ctx workflow.Context, ticket int, t store.Transition) error {
	return w.inTurn(ctx, ticket, func() error {
		t.CaseID = w.in.CaseID
		t.At = workflow.Now(ctx)
		var a *Activities
		return w.short(ctx, a.ProjectTransition, t).Get(ctx, nil)
	})
}

// inTurn runs write when its ticket's turn comes, so that the store sees
// the workflow's changes in the order the workflow made them.
func (w *caseWorkflow) inTurn(ctx workflow.Context, ticket int, write func() error) error {
	defer func() { w.serving++ }()
	if err := workflow.Await(ctx, func() bool { return w.serving == ticket }); err != nil {
		return err
	}
	return write()
}

func (w *caseWorkflow) decideIntake(ctx workflow.Context, c IntakeCommand) (State, error) {
	if !slices.Contains([]string{"ACCEPT", "ASK_QUESTION", "DECLINE"}, c.Decision) {
		return State{}, temporal.NewNonRetryableApplicationError("unknown intake decision "+c.Decision, "BadCommand", nil)
	}
	t := w.stepTransition(UpdateDecideIntake, c.Decision, c.Actor)
	switch c.Decision {
	case "ACCEPT":
		t.Summary = "Intake aanvaard"
		if c.Note != "" {
			t.Summary += ": " + c.Note
		}
	case "ASK_QUESTION":
		t.Summary = "Vraag aan de aanmelder: " + c.Question
		t.OpenQuestion = &c.Question
	case "DECLINE":
		reason := vocab.ClosedDeclined
		note := strings.TrimRight(c.DeclineReason, ". ") + ". Doorverwijzing: " + c.ReferralSuggestion
		t.Summary = "Intake geweigerd: " + note
		t.ClosureReason, t.ClosureNote = &reason, &note
	}
	return w.transition(ctx, UpdateDecideIntake, t)
}

// stepTransition is the transition of a step of the path, by actor; the
// handler adds what the command says.
func (w *caseWorkflow) stepTransition(command, decision, actor string) store.Transition {
	s := pathStep(command, decision)
	return store.Transition{Actor: actor, Kind: s.Event, ToStage: s.To}
}

func (w *caseWorkflow) answerQuestion(ctx workflow.Context, c AnswerCommand) (State, error) {
	none := ""
	t := w.stepTransition(UpdateAnswerQuestion, "", c.Actor)
	t.Summary, t.OpenQuestion = "Antwoord van de aanmelder: "+c.Answer, &none
	return w.transition(ctx, UpdateAnswerQuestion, t)
}

func (w *caseWorkflow) recordConsult(ctx workflow.Context, c ConsultCommand) (State, error) {
	var summary string
	switch c.Decision {
	case "ADVICE_ONLY":
		summary = "Consult: advies aan de aanmelder"
	case "CONVENE_TABLE":
		summary = "Consult: overlegtafel bijeenroepen"
	default:
		return State{}, temporal.NewNonRetryableApplicationError("unknown consult decision "+c.Decision, "BadCommand", nil)
	}
	t := w.stepTransition(UpdateRecordConsult, c.Decision, c.Actor)
	t.Summary, t.Advice, t.ConsultExperts, t.ConsultDate = summary, &c.Advice, c.Experts, c.Date
	return w.transition(ctx, UpdateRecordConsult, t)
}

func (w *caseWorkflow) recordTableOutcome(ctx workflow.Context, c TableOutcomeCommand) (State, error) {
	if err := w.checkStage(UpdateRecordTableOutcome); err != nil {
		return State{}, err
	}
	w.table.AgreementDue, w.table.AgreementDone = nil, nil
	for _, a := range c.Agreements {
		w.table.AgreementDue = append(w.table.AgreementDue, a.DueDate)
		w.table.AgreementDone = append(w.table.AgreementDone, a.Status == vocab.AgreementDone)
	}
	t := w.stepTransition(UpdateRecordTableOutcome, "", c.Actor)
	t.Summary = "Aanbod op maat vastgelegd met " + dutch.Count(len(c.Agreements), "afspraak", "afspraken")
	t.Offer, t.Agreements, t.OffersUsed = &c.Offer, c.Agreements, c.OffersUsed
	return w.transition(ctx, UpdateRecordTableOutcome, t)
}

func (w *caseWorkflow) closeCase(ctx workflow.Context, c CloseCommand) (State, error) {
	t := w.stepTransition(UpdateCloseCase, "", c.Actor)
	t.Summary = "Afgesloten: " + vocab.ClosureReason(c.Reason)
	t.ClosureReason, t.ClosureNote = &c.Reason, &c.Note
	return w.transition(ctx, UpdateCloseCase, t)
}

func (w *caseWorkflow) withdrawCase(ctx workflow.Context, c WithdrawCommand) (State, error) {
	reason := vocab.ClosedWithdrawn
	t := w.stepTransition(UpdateWithdrawCase, "", c.Actor)
	t.Summary = "Ingetrokken: " + c.Reason
	t.ClosureReason, t.ClosureNote = &reason, &c.Reason
	return w.transition(ctx, UpdateWithdrawCase, t)
}
