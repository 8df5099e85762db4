package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
)

// testRetention closes a case in a region whose retention is one month of
// 100 ms working days: two seconds later its personal data is gone, and it
// still counts for the manager.
func (s *stack) testRetention(t *testing.T) {
	p, _, err := s.db.GetPolicy(context.Background(), "ANTWERPEN")
	if err != nil {
		t.Fatal(err)
	}
	p.RetentionMonths, p.DayLength = 1, 100*time.Millisecond
	if err := s.db.PutPolicy(context.Background(), "ANTWERPEN", uuid.NewString(), p, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	req := submitRequest("CLB retention")
	req.Region = rotsv1.Region_REGION_ANTWERPEN
	c := must(t)(s.cases.SubmitCase(s.as(auth.Submitter, "antwerpen", "CLB retention"), req))
	tandem := s.as(auth.Coordinator, "antwerpen", "")
	must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{
		RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE,
		DeclineReason: "Jeugdhulp is nog niet betrokken.", ReferralSuggestion: "Intersectorale Toegangspoort",
	}))
	var got *rotsv1.Case
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		got = must(t)(s.cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: c.GetName()}))
		return got.GetYoungPerson().GetAlias() == "", "the closed case was not anonymised"
	})
	if got.GetContact().GetName() != "" || got.GetBlocked() != "" || got.GetYoungPerson().GetSchool() != "" || len(got.GetTried()) != 0 || got.GetClosureNote() != "" {
		t.Errorf("partly anonymised: %v", got)
	}
	if got.GetYoungPerson().GetBirthYear() != 2013 || got.GetClosureReason() != rotsv1.ClosureReason_CLOSURE_REASON_DECLINED || len(got.GetThemes()) != 2 {
		t.Errorf("statistical fields lost: %v", got)
	}
	list, err := s.cases.ListCases(s.as(auth.Manager, "antwerpen", ""), &rotsv1.ListCasesRequest{Stage: rotsv1.Stage_STAGE_CLOSED})
	if err != nil || len(list.GetCases()) == 0 {
		t.Errorf("the anonymised case no longer counts for the manager: %v, %v", list.GetCases(), err)
	}
}
