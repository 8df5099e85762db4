package workflows

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func openDB(t *testing.T) *store.DB { return storetest.Open(t, dbURL) }

// newCase records a submitted case, as SubmitCase would, submitted now.
func newCase(t *testing.T, db *store.DB) string {
	t.Helper()
	return newCaseAt(t, db, vocab.RegionLimburg, time.Now().UTC().Truncate(time.Microsecond))
}

// step is one update sent to the workflow; wantErr is the ApplicationError
// type expected ("" for success).
type step struct {
	id, update string
	cmd        any
	wantErr    string
}

// outcome is what a step did.
type outcome struct {
	stage    string
	errType  string
	rejected bool
}

// runSteps runs the workflow and sends the steps one after the other, each a
// minute apart, and returns what each one did.
func runSteps(t *testing.T, db *store.DB, caseID string, steps []step) (*testsuite.TestWorkflowEnvironment, []outcome) {
	t.Helper()
	env := newTestEnv()
	env.RegisterActivity(&Activities{DB: db})
	got := make([]outcome, len(steps))
	for i, st := range steps {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(st.update, st.id, &testsuite.TestUpdateCallback{
				OnAccept: func() {},
				OnReject: func(err error) { got[i] = outcome{errType: errType(err), rejected: true} },
				OnComplete: func(v any, err error) {
					if err != nil {
						got[i] = outcome{errType: errType(err)}
						return
					}
					got[i] = outcome{stage: v.(State).Stage}
				},
			}, st.cmd)
		}, time.Duration(i+1)*time.Minute)
	}
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG"})
	return env, got
}

// newTestEnv is a time-skipping test environment that logs warnings only.
func newTestEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	return s.NewTestWorkflowEnvironment()
}

func errType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return err.Error()
}

func TestCaseWorkflowPaths(t *testing.T) {
	db := openDB(t)
	accept := IntakeCommand{Actor: "tandem", Decision: "ACCEPT"}
	close := CloseCommand{Actor: "tandem", Reason: "BACK_AT_SCHOOL"}
	agreements := []vocab.Agreement{{Action: "time-out", OwnerOrganisation: "Arktos", DueDate: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)}}
	tests := []struct {
		name      string
		steps     []step
		want      []outcome
		wantKinds []string
	}{{
		name: "accept, advice only, close",
		steps: []step{
			{id: "1", update: UpdateDecideIntake, cmd: accept},
			{id: "2", update: UpdateRecordConsult, cmd: ConsultCommand{Actor: "tandem", Advice: "advies", Decision: "ADVICE_ONLY"}},
			{id: "3", update: UpdateCloseCase, cmd: close},
		},
		want:      []outcome{{stage: vocab.StageConsult}, {stage: vocab.StageFollowUp}, {stage: vocab.StageClosed}},
		wantKinds: []string{"submitted", "intake.started", "intake.accepted", "consult.advice", "closed"},
	}, {
		name: "accept, table, follow-up, close",
		steps: []step{
			{id: "1", update: UpdateDecideIntake, cmd: accept},
			{id: "2", update: UpdateRecordConsult, cmd: ConsultCommand{Actor: "tandem", Advice: "tafel", Decision: "CONVENE_TABLE"}},
			{id: "3", update: UpdateRecordTableOutcome, cmd: TableOutcomeCommand{Actor: "tandem", Offer: "aanbod", Agreements: agreements}},
			{id: "4", update: UpdateCloseCase, cmd: close},
		},
		want:      []outcome{{stage: vocab.StageConsult}, {stage: vocab.StageTable}, {stage: vocab.StageFollowUp}, {stage: vocab.StageClosed}},
		wantKinds: []string{"submitted", "intake.started", "intake.accepted", "consult.convene_table", "table.outcome", "closed"},
	}, {
		name: "question, answer, accept, withdraw",
		steps: []step{
			{id: "1", update: UpdateDecideIntake, cmd: IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "welke hulp?"}},
			{id: "2", update: UpdateAnswerQuestion, cmd: AnswerCommand{Actor: "clb", Answer: "thuisbegeleiding"}},
			{id: "3", update: UpdateDecideIntake, cmd: accept},
			{id: "4", update: UpdateWithdrawCase, cmd: WithdrawCommand{Actor: "clb", Reason: "verhuisd"}},
		},
		want:      []outcome{{stage: vocab.StageNeedsInfo}, {stage: vocab.StageIntake}, {stage: vocab.StageConsult}, {stage: vocab.StageClosed}},
		wantKinds: []string{"submitted", "intake.started", "intake.question_asked", "question.answered", "intake.accepted", "withdrawn"},
	}, {
		name:      "decline",
		steps:     []step{{id: "1", update: UpdateDecideIntake, cmd: IntakeCommand{Actor: "tandem", Decision: "DECLINE", DeclineReason: "geen ROTS-vraag", ReferralSuggestion: "ITP"}}},
		want:      []outcome{{stage: vocab.StageClosed}},
		wantKinds: []string{"submitted", "intake.started", "intake.declined"},
	}, {
		name: "commands out of stage are rejected and leave no trace",
		steps: []step{
			{id: "1", update: UpdateCloseCase, cmd: close},
			{id: "2", update: UpdateAnswerQuestion, cmd: AnswerCommand{Actor: "clb", Answer: "x"}},
			{id: "3", update: UpdateDecideIntake, cmd: accept},
			{id: "4", update: UpdateDecideIntake, cmd: accept},
			{id: "5", update: UpdateRecordTableOutcome, cmd: TableOutcomeCommand{Actor: "tandem", Offer: "x", Agreements: agreements}},
			{id: "6", update: UpdateWithdrawCase, cmd: WithdrawCommand{Actor: "clb", Reason: "x"}},
		},
		want: []outcome{
			{errType: ErrWrongStage, rejected: true}, {errType: ErrWrongStage, rejected: true},
			{stage: vocab.StageConsult}, {errType: ErrWrongStage, rejected: true}, {errType: ErrWrongStage, rejected: true},
			{stage: vocab.StageClosed},
		},
		wantKinds: []string{"submitted", "intake.started", "intake.accepted", "withdrawn"},
	}, {
		name: "a repeated update ID is answered once",
		steps: []step{
			{id: "same", update: UpdateDecideIntake, cmd: IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "q"}},
			{id: "same", update: UpdateDecideIntake, cmd: IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "q"}},
			{id: "w", update: UpdateWithdrawCase, cmd: WithdrawCommand{Actor: "clb", Reason: "x"}},
		},
		want:      []outcome{{stage: vocab.StageNeedsInfo}, {stage: vocab.StageNeedsInfo}, {stage: vocab.StageClosed}},
		wantKinds: []string{"submitted", "intake.started", "intake.question_asked", "withdrawn"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caseID := newCase(t, db)
			env, got := runSteps(t, db, caseID, tt.steps)
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(outcome{})); diff != "" {
				t.Errorf("step outcomes (-want +got):\n%s", diff)
			}
			events, err := db.ListEvents(context.Background(), caseID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, e.Kind)
			}
			// Two years after closure the case is anonymised.
			if diff := cmp.Diff(append(tt.wantKinds, "anonymised"), kinds); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
			c, err := db.GetCase(context.Background(), caseID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Stage != vocab.StageClosed || c.ClosedAt == nil {
				t.Errorf("stored case: stage %s, closed at %v; want CLOSED with a closing time", c.Stage, c.ClosedAt)
			}
		})
	}
}

func TestCaseWorkflowQueryAndProjection(t *testing.T) {
	db := openDB(t)
	caseID := newCase(t, db)
	env := newTestEnv()
	env.RegisterActivity(&Activities{DB: db})
	env.RegisterDelayedCallback(func() {
		st := queryState(t, env)
		if st.Stage != vocab.StageIntake || st.CaseID != caseID {
			t.Errorf("query = %+v, want stage INTAKE of case %s", st, caseID)
		}
		c, err := db.GetCase(context.Background(), caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != vocab.StageIntake {
			t.Errorf("projected stage = %s, want INTAKE", c.Stage)
		}
		env.UpdateWorkflowNoRejection(UpdateDecideIntake, "q", t, IntakeCommand{Actor: "tandem", Decision: "ASK_QUESTION", Question: "welke school?"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		c, err := db.GetCase(context.Background(), caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != vocab.StageNeedsInfo || c.OpenQuestion != "welke school?" {
			t.Errorf("after question: stage %s, open question %q", c.Stage, c.OpenQuestion)
		}
		env.UpdateWorkflowNoRejection(UpdateAnswerQuestion, "a", t, AnswerCommand{Actor: "clb", Answer: "Sint-Jan"})
	}, 2*time.Minute)
	env.RegisterDelayedCallback(func() {
		c, err := db.GetCase(context.Background(), caseID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != vocab.StageIntake || c.OpenQuestion != "" {
			t.Errorf("after answer: stage %s, open question %q; want INTAKE and none", c.Stage, c.OpenQuestion)
		}
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "w", t, WithdrawCommand{Actor: "clb", Reason: "opgelost"})
	}, 3*time.Minute)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	c, err := db.GetCase(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	// The retention period passed too: the reason stays, the note is gone.
	if c.ClosureReason != "WITHDRAWN" || c.ClosureNote != "" {
		t.Errorf("closure = %s %q, want WITHDRAWN without a note", c.ClosureReason, c.ClosureNote)
	}
}

// An update that arrives with the workflow's start (UpdateWithStart, or a
// command right after SubmitCase) is projected after the intake started.
func TestUpdateWithStartIsProjectedInOrder(t *testing.T) {
	db := openDB(t)
	caseID := newCase(t, db)
	env := newTestEnv()
	env.RegisterActivity(&Activities{DB: db})
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateDecideIntake, "accept", t, IntakeCommand{Actor: "tandem", Decision: "ACCEPT"})
	}, 0)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflowNoRejection(UpdateWithdrawCase, "withdraw", t, WithdrawCommand{Actor: "clb", Reason: "x"})
	}, time.Minute)
	env.ExecuteWorkflow(CaseWorkflow, CaseInput{CaseID: caseID, Region: "LIMBURG"})
	events, err := db.ListEvents(context.Background(), caseID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.FromStage+"→"+e.ToStage)
	}
	want := []string{"→SUBMITTED", "SUBMITTED→INTAKE", "INTAKE→CONSULT", "CONSULT→CLOSED", "CLOSED→CLOSED"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

// queryState asks the test environment's workflow for its state.
func queryState(t *testing.T, env *testsuite.TestWorkflowEnvironment) State {
	t.Helper()
	v, err := env.QueryWorkflow(QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
