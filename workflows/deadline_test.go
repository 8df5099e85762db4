package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"go.temporal.io/sdk/testsuite"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// brussels returns a time on the Brussels clock.
func brussels(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Brussels)
}

// newCaseAt records a case submitted at the given time in a region.
func newCaseAt(t *testing.T, db *store.DB, region string, at time.Time) string {
	t.Helper()
	c := &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: region, Stage: vocab.StageSubmitted,
		OrgName: "CLB deadlines", OrgKind: "CLB", ContactName: "An Peeters", ContactEmail: "an.deadlines@clb.be",
		YoungPerson: store.YoungPerson{Alias: "J.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1, School: "Sint-Jan", Municipality: "Hasselt"},
		Blocked:     "thuiszitter", Tried: []string{"gesprekken"}, Themes: []string{"ABSENCE"},
		CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: at.UTC(),
	}
	if _, _, err := db.CreateCase(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// escalationEvents lists the case's events of the ladder and closure as
// "kind @ Brussels time".
func escalationEvents(t *testing.T, db *store.DB, caseID string) []string {
	t.Helper()
	events, err := db.ListEvents(context.Background(), caseID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if strings.HasPrefix(e.Kind, "escalation.") || strings.HasPrefix(e.Kind, "withdrawn") {
			got = append(got, e.Kind+" @ "+e.At.In(calendar.Brussels).Format("2006-01-02 15:04"))
		}
	}
	return got
}

// deadlineEnv is a time-skipping environment starting at the given time.
func deadlineEnv(db *store.DB, start time.Time) *testsuite.TestWorkflowEnvironment {
	env := newTestEnv()
	env.SetStartTime(start)
	env.RegisterActivity(&Activities{DB: db})
	return env
}

// inboxAt reads an inbox at a moment of the workflow's time, as the test
// environment runs it: after a closed case's retention its notifications
// are gone.
func inboxAt(t *testing.T, env *testsuite.TestWorkflowEnvironment, db *store.DB, address string, at time.Duration) *[]*store.Notification {
	var inbox []*store.Notification
	env.RegisterDelayedCallback(func() {
		var err error
		if inbox, err = db.ListNotifications(context.Background(), address, false, 0, 100); err != nil {
			t.Error(err)
		}
	}, at)
	return &inbox
}

// A case submitted on the Friday before Easter 2027 and left alone: its
// intake deadline falls after Easter Monday, then it climbs rung after rung
// every five working days up to the breakthrough.
func TestIntakeDeadlineClimbsTheLadder(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 3, 26, 10, 0) // Good Friday, a working day
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	var state State
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&state); err != nil {
			t.Fatal(err)
		}
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "stop", t, WithdrawCommand{Actor: "clb", Reason: "klaar"})
	}, 40*24*time.Hour)
	tandemInbox := inboxAt(t, env, db, "tandem.limburg@rots.local", 60*24*time.Hour)
	managerInbox := inboxAt(t, env, db, "manager.limburg@rots.local", 60*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"escalation.rung1 @ 2027-04-06 00:00", // end of Mon 5 April: Easter Monday 29 March does not count
		"escalation.rung2 @ 2027-04-13 00:00",
		"escalation.rung3 @ 2027-04-20 00:00",
		"escalation.rung4 @ 2027-04-27 00:00",
		"withdrawn @ 2027-05-05 11:00", // 40 days after submission, summer time
	}
	if diff := cmp.Diff(want, escalationEvents(t, db, caseID)); diff != "" {
		t.Errorf("ladder (-want +got):\n%s", diff)
	}
	if state.Rung != escalation.RungBreakthrough || !state.Breakthrough {
		t.Errorf("state before closing: rung %d, breakthrough %v; want 4, true", state.Rung, state.Breakthrough)
	}
	c, err := db.GetCase(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Escalation.Breakthrough {
		t.Error("breakthrough not projected to the store")
	}
	// The tandem heard about the new case and rungs 1, 2, 3 and 4; the
	// manager from rung 3.
	tandem, manager := *tandemInbox, *managerInbox
	if got := kindsFor(tandem, caseID); !cmp.Equal(got, []string{"withdrawn", "rung4", "rung3", "rung2", "rung1", "stage"}) {
		t.Errorf("tandem notifications, newest first: %v", got)
	}
	if got := kindsFor(manager, caseID); !cmp.Equal(got, []string{"rung4", "rung3"}) {
		t.Errorf("manager notifications, newest first: %v", got)
	}
	for _, n := range tandem {
		if strings.Contains(n.Body, "J.") || strings.Contains(n.Body, "Sint-Jan") || strings.Contains(n.Body, "Hasselt") {
			t.Errorf("notification %d carries personal data: %s", n.ID, n.Body)
		}
	}
}

func kindsFor(ns []*store.Notification, caseID string) []string {
	var kinds []string
	for _, n := range ns {
		if n.CaseID == caseID {
			kinds = append(kinds, n.Kind)
		}
	}
	return kinds
}

// A decision before the deadline cancels its timer; the next stage's
// deadline starts from the decision.
func TestTimelyDecisionCancelsTheDeadline(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 1, 11, 9, 0) // a Monday
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	var afterAccept State
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateDecideIntake, "accept", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Error(err) },
			OnComplete: func(v any, err error) {
				if err != nil {
					t.Error(err)
					return
				}
				afterAccept = v.(State)
			},
		}, IntakeCommand{Actor: "tandem", Decision: "ACCEPT"})
	}, 3*24*time.Hour) // Thursday, within five working days
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateRecordConsult, "consult", t, ConsultCommand{Actor: "tandem", Advice: "a", Decision: "ADVICE_ONLY"})
	}, 10*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateCloseCase, "close", t, CloseCommand{Actor: "tandem", Reason: "BACK_AT_SCHOOL"})
	}, 20*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := escalationEvents(t, db, caseID); len(got) != 0 {
		t.Errorf("escalations after timely decisions: %v", got)
	}
	// Accepted Thursday 14 January: the consult is due ten working days
	// later, at the end of Thursday 28 January; the offer deadline runs on.
	want := []escalation.Deadline{
		{Kind: escalation.KindConsult, Due: brussels(2027, 1, 29, 0, 0)},
		{Kind: escalation.KindOffer, Due: brussels(2027, 4, 12, 0, 0)},
	}
	if diff := cmp.Diff(want, afterAccept.Deadlines, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("deadlines after accepting (-want +got):\n%s", diff)
	}
}

// An unanswered question reminds and warns the submitter, then withdraws
// the case twenty working days later.
func TestUnansweredQuestionWithdrawsTheCase(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 9, 6, 9, 0) // Monday
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateDecideIntake, "ask", t, IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "Welke school?"})
	}, time.Hour)
	submitterInbox := inboxAt(t, env, db, "an.deadlines@clb.be", 90*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	// Asked Monday 6 September: answer due end of Monday 20 September;
	// withdrawn twenty working days later, at the end of Monday 18 October.
	want := []string{"escalation.warning @ 2027-09-21 00:00", "withdrawn.auto @ 2027-10-19 00:00"}
	if diff := cmp.Diff(want, escalationEvents(t, db, caseID)); diff != "" {
		t.Errorf("ladder (-want +got):\n%s", diff)
	}
	c, err := db.GetCase(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != vocab.StageClosed || c.ClosureReason != "WITHDRAWN" {
		t.Errorf("case %s %s, want CLOSED WITHDRAWN", c.Stage, c.ClosureReason)
	}
	if got := kindsFor(*submitterInbox, caseID); !cmp.Equal(got, []string{"withdrawn", "warning", "stage"}) {
		t.Errorf("submitter's notifications, newest first: %v", got)
	}
}

// Three months after submission without an offer in place, the case goes to
// rung 3 at once, whatever the stage deadline's rung.
func TestOfferDeadlineGoesToRungThree(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 1, 4, 9, 0)
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	// Accepted, then answered and re-asked so the stage deadline never
	// climbs far: only the offer deadline reaches rung 3.
	for i, at := range []time.Duration{24, 30 * 24, 60 * 24} {
		id := []string{"a", "b", "c"}[i]
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflowNoRejection(UpdateDecideIntake, "ask"+id, t, IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "?"})
		}, at*time.Hour)
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflowNoRejection(UpdateAnswerQuestion, "answer"+id, t, AnswerCommand{Actor: "clb", Answer: "!"})
		}, (at+48)*time.Hour)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "stop", t, WithdrawCommand{Actor: "clb", Reason: "x"})
	}, 100*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	events, err := db.ListEvents(context.Background(), caseID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// The stage deadline climbs at most to rung 3 before each new
	// question; at the end of 4 April the offer deadline adds its own rung 3.
	found := false
	for _, e := range events {
		found = found || e.Kind == "escalation.rung3" && e.At.Equal(brussels(2027, 4, 5, 0, 0))
	}
	if !found {
		t.Errorf("no rung-3 escalation of the offer deadline in %v", escalationEvents(t, db, caseID))
	}
}

// A region's policy applies to deadlines set after it changed.
func TestRegionPolicyAppliesToNewDeadlines(t *testing.T) {
	db := openDB(t)
	p := escalation.Default()
	p.IntakeDays = 2
	if err := db.PutPolicy(context.Background(), "WEST_VLAANDEREN", uuid.NewString(), p, "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	submitted := brussels(2027, 1, 11, 9, 0) // Monday
	caseID := newCaseAt(t, db, "WEST_VLAANDEREN", submitted)
	env := deadlineEnv(db, submitted)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "stop", t, WithdrawCommand{Actor: "clb", Reason: "x"})
	}, 3*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "WEST_VLAANDEREN", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	want := []string{"escalation.rung1 @ 2027-01-14 00:00", "withdrawn @ 2027-01-14 09:00"}
	got := escalationEvents(t, db, caseID)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with a two-day intake (-want +got):\n%s", diff)
	}
}

// Two years after closure the case's personal data is removed; what reports
// need stays.
func TestRetentionAnonymisesTheClosedCase(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 1, 4, 9, 0)
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateDecideIntake, "decline", t, IntakeCommand{
			Actor: "tandem", Decision: "DECLINE", DeclineReason: "Geen ROTS-vraag", ReferralSuggestion: "ITP",
		})
	}, time.Hour)
	var before *store.Case
	env.RegisterDelayedCallback(func() {
		var err error
		if before, err = db.GetCase(context.Background(), caseID); err != nil {
			t.Fatal(err)
		}
	}, 700*24*time.Hour) // within two years
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if before == nil || before.YoungPerson.Alias != "J." || before.ClosureNote == "" {
		t.Fatalf("personal data gone before the retention ended: %+v", before)
	}
	c, err := db.GetCase(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	gone := []string{c.ContactName, c.ContactEmail, c.YoungPerson.Alias, c.YoungPerson.School, c.YoungPerson.Municipality, c.Blocked, c.ClosureNote}
	for _, v := range gone {
		if v != "" {
			t.Errorf("still held after retention: %q", v)
		}
	}
	if len(c.Tried) != 0 || c.YoungPerson.BirthMonth != 0 {
		t.Errorf("still held after retention: tried %v, birth month %d", c.Tried, c.YoungPerson.BirthMonth)
	}
	if c.Region != "LIMBURG" || c.YoungPerson.BirthYear != 2012 || c.YoungPerson.SchoolLevel != "SECUNDAIR" ||
		len(c.Themes) != 1 || c.ClosureReason != "DECLINED" || c.ClosedAt == nil || c.Stage != vocab.StageClosed {
		t.Errorf("statistical fields lost: %+v", c)
	}
	events, err := db.ListEvents(context.Background(), caseID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Kind != "anonymised" || !last.At.After(c.ClosedAt.AddDate(2, 0, 0).Add(-24*time.Hour)) {
		t.Errorf("last event %s at %s, want anonymised two years after closure (%s)", last.Kind, last.At, c.ClosedAt)
	}
	for _, e := range events[:len(events)-1] {
		if e.Summary != "" {
			t.Errorf("event %s keeps its summary %q", e.Kind, e.Summary)
		}
	}
}

// After a breakthrough a decision moves the case on: the new stage starts
// at rung 0, and the case stays flagged as having broken through.
func TestRungAfterBreakthroughIsTheNewStages(t *testing.T) {
	db := openDB(t)
	submitted := brussels(2027, 3, 26, 10, 0)
	caseID := newCaseAt(t, db, "LIMBURG", submitted)
	env := deadlineEnv(db, submitted)
	var broken, accepted State
	var stored *store.Case
	env.RegisterDelayedCallback(func() { broken = queryState(t, env) }, 35*24*time.Hour) // rung 4 on 27 April
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateDecideIntake, "accept", t, IntakeCommand{Actor: "tandem", Decision: "ACCEPT"})
	}, 36*24*time.Hour)
	env.RegisterDelayedCallback(func() {
		accepted = queryState(t, env)
		var err error
		if stored, err = db.GetCase(context.Background(), caseID); err != nil {
			t.Error(err)
		}
	}, 36*24*time.Hour+time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "stop", t, WithdrawCommand{Actor: "clb", Reason: "klaar"})
	}, 37*24*time.Hour)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG", SubmittedAt: submitted})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if broken.Stage != vocab.StageIntake || broken.Rung != escalation.RungBreakthrough || !broken.Breakthrough {
		t.Errorf("before the decision: %s rung %d breakthrough %v; want INTAKE, 4, true", broken.Stage, broken.Rung, broken.Breakthrough)
	}
	if accepted.Stage != vocab.StageConsult || accepted.Rung != 0 || !accepted.Breakthrough {
		t.Errorf("after accepting: %s rung %d breakthrough %v; want CONSULT, 0, true", accepted.Stage, accepted.Rung, accepted.Breakthrough)
	}
	if stored == nil || stored.Escalation.Rung != 0 || !stored.Escalation.Breakthrough {
		t.Errorf("projected after accepting: %+v; want rung 0, breakthrough", stored)
	}
}
