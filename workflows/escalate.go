package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// ladder is the escalation state of a case workflow.
type ladder struct {
	// stageSeq counts stage changes; handledSeq is the last one whose
	// deadlines and notifications are done.
	stageSeq, handledSeq int
	// eventSeq numbers the workflow's own events, for idempotent keys.
	eventSeq      int
	stageDeadline *escalation.Deadline
	offerDeadline *escalation.Deadline
	// agreementDeadlines has a slot per agreement, nil when none runs.
	agreementDeadlines []*escalation.Deadline
	// deadlineSeq counts changes of running deadlines other than by a
	// stage change, so that the waiting timer is set again.
	deadlineSeq  int
	breakthrough bool
	// breakthroughSeq is the stageSeq of the stage in which the case broke
	// through: the current rung is 4 only while the case stays there.
	breakthroughSeq int
	// mailing counts mails being sent, which must finish before the end.
	mailing  int
	closedAs string
}

// rung is the rung of the current stage: the highest any running deadline
// has climbed, or breakthrough while the case is still in the stage where
// it broke through. That it once broke through stays in breakthrough.
func (l *ladder) rung() int {
	if l.breakthrough && l.breakthroughSeq == l.stageSeq {
		return escalation.RungBreakthrough
	}
	r := 0
	for _, d := range l.deadlines() {
		r = max(r, d.Rung)
	}
	return r
}

func (l *ladder) deadlines() []escalation.Deadline {
	var ds []escalation.Deadline
	for _, d := range append([]*escalation.Deadline{l.stageDeadline, l.offerDeadline}, l.agreementDeadlines...) {
		if d != nil {
			ds = append(ds, *d)
		}
	}
	return ds
}

func (l *ladder) escalationState() *store.Escalation {
	return &store.Escalation{Rung: l.rung(), Breakthrough: l.breakthrough, Deadlines: l.deadlines()}
}

func (l *ladder) nextEventID() string {
	l.eventSeq++
	return fmt.Sprintf("workflow:%d", l.eventSeq)
}

// stageKinds is the deadline that starts when a case enters a stage.
var stageKinds = map[string]string{
	vocab.StageIntake:    escalation.KindIntake,
	vocab.StageNeedsInfo: escalation.KindAnswer,
	vocab.StageConsult:   escalation.KindConsult,
	vocab.StageTable:     escalation.KindTable,
	vocab.StageFollowUp:  escalation.KindReview,
}

// stageAudience is who must act when a case enters a stage.
var stageAudience = map[string][]string{
	vocab.StageIntake:    {escalation.Tandem},
	vocab.StageNeedsInfo: {escalation.Submitter},
	vocab.StageConsult:   {escalation.Tandem},
	vocab.StageTable:     {escalation.Tandem},
	vocab.StageFollowUp:  {escalation.Tandem, escalation.Submitter},
}

// escalate runs the case's deadlines until it is closed: each stage change
// sets the stage's deadline; a deadline that passes climbs the ladder; a
// decision in time (a stage change) cancels the waiting timer.
func (w *caseWorkflow) escalate(ctx workflow.Context) error {
	for {
		if w.handledSeq != w.stageSeq {
			if err := w.enterStage(ctx); err != nil {
				return err
			}
			continue
		}
		if w.stage == vocab.StageClosed {
			break
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, func() bool { return w.mailing == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
				return err
			}
			if w.handledSeq == w.stageSeq {
				return workflow.NewContinueAsNewError(ctx, CaseWorkflow, w.resumeInput())
			}
			continue
		}
		seq, dseq := w.stageSeq, w.deadlineSeq
		changed := func() bool { return w.stageSeq != seq || w.deadlineSeq != dseq }
		due, ok := w.nextDue()
		if !ok {
			if err := workflow.Await(ctx, changed); err != nil {
				return err
			}
			continue
		}
		if wait := due.Sub(workflow.Now(ctx)); wait > 0 {
			decided, err := workflow.AwaitWithTimeout(ctx, wait, changed)
			if err != nil {
				return err
			}
			if decided {
				continue
			}
		}
		if err := w.fire(ctx); err != nil {
			return err
		}
	}
	if err := workflow.Await(ctx, func() bool { return w.mailing == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	if workflow.GetVersion(ctx, versionRetention, workflow.DefaultVersion, 1) >= 1 {
		return w.retain(ctx)
	}
	return nil
}

// retain waits out the region's retention period after closure, then
// anonymises the case. Temporal deletes the ended workflow's history after
// the namespace's retention period, and its payloads are encrypted until
// then.
func (w *caseWorkflow) retain(ctx workflow.Context) error {
	policy, err := w.loadPolicy(ctx)
	if err != nil {
		return err
	}
	closed := workflow.Now(ctx)
	if wait := policy.RetentionEnd(closed).Sub(closed); wait > 0 {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	var a *Activities
	if err := w.short(ctx, a.Anonymise, w.in.CaseID).Get(ctx, nil); err != nil {
		return err
	}
	return w.projectEscalation(ctx, store.Transition{
		RequestID: w.nextEventID(), Kind: "anonymised", Actor: "systeem",
		Summary: "Persoonsgegevens verwijderd na de bewaartermijn",
	})
}

func (w *caseWorkflow) resumeInput() CaseInput {
	in := w.in
	in.Resume = &Resume{
		Stage: w.stage, StageSeq: w.stageSeq, EventSeq: w.eventSeq,
		Stage0: w.stageDeadline, Offer: w.offerDeadline, Breakthrough: w.breakthrough, BreakthroughSeq: w.breakthroughSeq,
		Table: w.table, Agreements: w.agreementDeadlines,
	}
	return in
}

// nextDue is the earliest running deadline.
func (w *caseWorkflow) nextDue() (time.Time, bool) {
	var due time.Time
	for _, d := range w.deadlines() {
		if due.IsZero() || d.Due.Before(due) {
			due = d.Due
		}
	}
	return due, !due.IsZero()
}

// enterStage sets the deadlines of the stage the case just entered, projects
// them and tells whoever must act.
func (w *caseWorkflow) enterStage(ctx workflow.Context) error {
	seq := w.stageSeq
	policy, err := w.loadPolicy(ctx)
	if err != nil {
		return err
	}
	if w.stageSeq != seq {
		return nil // changed again meanwhile: the loop handles the newest stage
	}
	now := workflow.Now(ctx)
	w.stageDeadline = nil
	if kind, ok := stageKinds[w.stage]; ok {
		from := now
		if seq == 1 && !w.in.SubmittedAt.IsZero() {
			from = w.in.SubmittedAt // the intake deadline counts from submission
		}
		d := policy.Start(kind, from)
		w.stageDeadline = &d
	}
	if seq == 1 && !w.in.SubmittedAt.IsZero() {
		d := policy.Start(escalation.KindOffer, w.in.SubmittedAt)
		w.offerDeadline = &d
	}
	if w.stage == vocab.StageFollowUp || w.stage == vocab.StageClosed {
		w.offerDeadline = nil // advice or an offer is in place
	}
	if w.stage == vocab.StageFollowUp {
		w.startAgreementDeadlines(ctx)
	} else {
		w.agreementDeadlines = nil
	}
	if err := w.projectEscalation(ctx, store.Transition{}); err != nil {
		return err
	}
	// Only now: the command that changed the stage answers once its
	// deadlines can be read from the store.
	w.handledSeq = seq
	switch {
	case w.stage == vocab.StageClosed && w.closedAs == vocab.ClosedDeclined:
		return w.notify(ctx, "declined", escalation.Deadline{}, []string{escalation.Submitter})
	case w.stage == vocab.StageClosed && w.closedAs == vocab.ClosedWithdrawn:
		return w.notify(ctx, "withdrawn", escalation.Deadline{}, []string{escalation.Tandem})
	case w.stage == vocab.StageClosed && w.closedAs == autoWithdrawn:
		return w.notify(ctx, "withdrawn", escalation.Deadline{}, []string{escalation.Submitter, escalation.Tandem})
	case w.stageDeadline != nil:
		return w.notify(ctx, "stage", *w.stageDeadline, stageAudience[w.stage])
	}
	return nil
}

// fire climbs the ladder for every deadline that has passed.
func (w *caseWorkflow) fire(ctx workflow.Context) error {
	seq := w.stageSeq
	policy, err := w.loadPolicy(ctx)
	if err != nil || w.stageSeq != seq {
		return err
	}
	now := workflow.Now(ctx)
	slots := []**escalation.Deadline{&w.stageDeadline, &w.offerDeadline}
	for i := range w.agreementDeadlines {
		slots = append(slots, &w.agreementDeadlines[i])
	}
	for _, slot := range slots {
		d := *slot
		if d == nil || d.Due.After(now) {
			continue
		}
		if d.Kind == escalation.KindWithdraw {
			return w.autoWithdraw(ctx)
		}
		rung, audience, next, ok := policy.Climb(*d)
		passed := *d
		passed.Rung = rung
		*slot = nil
		if ok {
			*slot = &next
		}
		if rung == escalation.RungBreakthrough {
			w.breakthrough, w.breakthroughSeq = true, w.stageSeq
		}
		kind := fmt.Sprintf("rung%d", rung)
		summary := fmt.Sprintf("Termijn voor %s verstreken: trede %d, %s", dutch.DeadlineName(passed.Kind), rung, dutch.RungName(rung))
		if passed.Kind == escalation.KindAnswer {
			kind, passed = "warning", next
			summary = "Termijn voor het antwoord verstreken: herinnering en waarschuwing voor intrekking op " + dutch.DueDate(next.Due)
		}
		if err := w.projectEscalation(ctx, store.Transition{
			RequestID: w.nextEventID(), Kind: "escalation." + kind, Actor: "systeem", Summary: summary,
		}); err != nil {
			return err
		}
		if err := w.notify(ctx, kind, passed, audience); err != nil {
			return err
		}
	}
	return nil
}

// autoWithdrawn marks a case the workflow withdrew itself.
const autoWithdrawn = "WITHDRAWN_AUTO"

// autoWithdraw closes a case whose submitter never answered the question.
func (w *caseWorkflow) autoWithdraw(ctx workflow.Context) error {
	reason, note := vocab.ClosedWithdrawn, "Automatisch ingetrokken: het antwoord op de vraag van de tandem bleef uit."
	if err := w.changeStage(ctx, store.Transition{
		RequestID: w.nextEventID(), Kind: "withdrawn.auto", ToStage: vocab.StageClosed, Actor: "systeem",
		Summary: note, ClosureReason: &reason, ClosureNote: &note,
	}); err != nil {
		return err
	}
	w.closedAs = autoWithdrawn
	return nil
}

// projectEscalation writes the ladder's state, with an event when t has a
// kind, in ticket order after everything the workflow did before.
func (w *caseWorkflow) projectEscalation(ctx workflow.Context, t store.Transition) error {
	t.FromStage, t.ToStage = w.stage, w.stage
	t.Escalation = w.escalationState()
	return w.project(ctx, w.takeTicket(), t)
}

var shortActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: 30 * time.Second},
}

var shortLocalActivity = workflow.LocalActivityOptions{
	StartToCloseTimeout: shortActivity.StartToCloseTimeout,
	RetryPolicy:         shortActivity.RetryPolicy,
}

// short runs a short store activity (a projection, a policy read, an inbox
// write). In the worker itself, as a local activity, it costs no round trip
// through the Temporal server; workflows started before that change keep
// the regular activities their histories hold.
func (w *caseWorkflow) short(ctx workflow.Context, activity any, args ...any) workflow.Future {
	if w.local {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, shortLocalActivity), activity, args...)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, shortActivity), activity, args...)
}

func (w *caseWorkflow) loadPolicy(ctx workflow.Context) (escalation.Policy, error) {
	var p escalation.Policy
	var a *Activities
	err := w.short(ctx, a.LoadPolicy, w.in.Region).Get(ctx, &p)
	return p, err
}

// notify records the notifications and sends their mails in the
// background; the workflow ends only when every mail is sent.
func (w *caseWorkflow) notify(ctx workflow.Context, kind string, d escalation.Deadline, audience []string) error {
	return w.sendNotifications(ctx, NotifyInput{Kind: kind, Deadline: d, Audience: audience})
}

// notifyRecipients notifies the given addresses, with a meeting's
// invitation when there is one.
func (w *caseWorkflow) notifyRecipients(ctx workflow.Context, kind string, emails []string, m *vocab.Meeting) error {
	return w.sendNotifications(ctx, NotifyInput{Kind: kind, Recipients: emails, Meeting: m})
}

func (w *caseWorkflow) sendNotifications(ctx workflow.Context, in NotifyInput) error {
	in.CaseID, in.Region, in.Stage, in.Key, in.At = w.in.CaseID, w.in.Region, w.stage, w.nextEventID(), workflow.Now(ctx)
	var a *Activities
	var ids []int64
	err := w.short(ctx, a.Notify, in).Get(ctx, &ids)
	if err != nil {
		return err
	}
	mailCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		// A mail server that is down delays the mail; after a week it is
		// given up (the notification stays in the inbox).
		ScheduleToCloseTimeout: 7 * 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 5 * time.Minute},
	})
	for _, id := range ids {
		w.mailing++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { w.mailing-- }()
			if err := workflow.ExecuteActivity(mailCtx, a.SendMail, id).Get(ctx, nil); err != nil {
				workflow.GetLogger(ctx).Error("mail not sent", "notification", id, "err", err)
			}
		})
	}
	return nil
}
