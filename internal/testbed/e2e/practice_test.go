package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
)

// testPracticeSurvivesRetention writes up a case closed back at school as a
// good practice, has a second coordinator publish it, and waits for the
// case workflow to anonymise the case at the end of a short retention: the
// practice a coordinator of another region reads is the same before and
// after.
func (s *stack) testPracticeSurvivesRetention(t *testing.T) {
	p, _, err := s.db.GetPolicy(context.Background(), "VLAAMS_BRABANT")
	if err != nil {
		t.Fatal(err)
	}
	// A month of 500 ms working days: the case is anonymised some ten
	// seconds after it closes, long after the practice is published.
	p.RetentionMonths, p.DayLength = 1, 500*time.Millisecond
	if err := s.db.PutPolicy(context.Background(), "VLAAMS_BRABANT", uuid.NewString(), p, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	req := submitRequest("CLB praktijk")
	req.Region = rotsv1.Region_REGION_VLAAMS_BRABANT
	c := must(t)(s.cases.SubmitCase(s.as(auth.Submitter, "vlaams-brabant", "CLB praktijk"), req))
	author := s.asEmail(auth.Coordinator, "vlaams-brabant", "", "tandem1@rots-vlaams-brabant.be")
	reviewer := s.asEmail(auth.Coordinator, "vlaams-brabant", "", "tandem2@rots-vlaams-brabant.be")
	s.waitFor(t, "vlaams-brabant", c.GetName(), "intake", func(c *rotsv1.Case) bool { return c.GetStage() == rotsv1.Stage_STAGE_INTAKE })
	must(t)(s.cases.DecideIntake(author, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(),
		Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	must(t)(s.cases.RecordConsult(author, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: c.GetName(),
		Decision: rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY, Advice: "Een time-out, dan terug naar school."}))
	must(t)(s.cases.CloseCase(author, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(),
		Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL}))

	practices := rotsv1.NewPracticeServiceClient(s.conn)
	created, err := practices.CreatePractice(author, &rotsv1.CreatePracticeRequest{RequestId: uuid.NewString(), Case: c.GetName(),
		Practice: &rotsv1.Practice{Title: "Een time-out als adempauze", Offer: "Twee weken time-out, dan halve dagen op school.",
			Agreements: "Wekelijks overleg tussen school en CLB.", Difference: "De school hield de plaats vrij."}})
	if err != nil {
		t.Fatal(err)
	}
	name := created.GetPractice().GetName()
	if _, err := practices.ReviewPractice(reviewer, &rotsv1.ReviewPracticeRequest{RequestId: uuid.NewString(), Name: name,
		Decision: rotsv1.PracticeDecision_PRACTICE_DECISION_PUBLISH}); err != nil {
		t.Fatal(err)
	}
	other := s.as(auth.Coordinator, "limburg", "")
	before, err := practices.GetPractice(other, &rotsv1.GetPracticeRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if got := must(t)(s.cases.GetCase(author, &rotsv1.GetCaseRequest{Name: c.GetName()})); got.GetYoungPerson().GetAlias() == "" {
		t.Fatal("the case was anonymised before the practice was published; the test shows nothing")
	}
	eventually.Until(t, 60*time.Second, func() (bool, string) {
		got := must(t)(s.cases.GetCase(author, &rotsv1.GetCaseRequest{Name: c.GetName()}))
		return got.GetYoungPerson().GetAlias() == "", "the closed case was not anonymised"
	})
	after, err := practices.GetPractice(other, &rotsv1.GetPracticeRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(before.GetPractice(), after.GetPractice()) {
		t.Errorf("the practice changed with its case's anonymisation:\nbefore %v\nafter  %v", before.GetPractice(), after.GetPractice())
	}
}
