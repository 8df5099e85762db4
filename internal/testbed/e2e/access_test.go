package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// testAccess tries every kind of caller against one Limburg case over real
// gRPC: who gets in, who sees what, and what the access log keeps.
func (s *stack) testAccess(t *testing.T) {
	const org = "CLB access"
	own := s.submitter(org)
	c := must(t)(s.cases.SubmitCase(own, submitRequest(org)))
	get := &rotsv1.GetCaseRequest{Name: c.GetName()}
	tandem := s.as(auth.Coordinator, "limburg", "")
	must(t)(s.cases.GetCase(tandem, get))

	// Without a valid token, nothing.
	_, err := s.cases.GetCase(context.Background(), get)
	wantCode(t, err, codes.Unauthenticated, "bearer token")
	_, err = s.cases.GetCase(metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer abc.def.ghi"), get)
	wantCode(t, err, codes.Unauthenticated, "not valid")

	// Outside one's scope the case does not exist: a coordinator of
	// Antwerpen, another CLB in Limburg, a partner not invited, a manager
	// of Antwerpen.
	for _, ctx := range []context.Context{
		s.as(auth.Coordinator, "antwerpen", ""),
		s.submitter("CLB elders"),
		s.as(auth.Partner, "limburg", "Vzw Arktos"),
		s.as(auth.Manager, "antwerpen", ""),
	} {
		_, err := s.cases.GetCase(ctx, get)
		wantCode(t, err, codes.NotFound, "case not found")
		_, err = s.cases.ListCaseEvents(ctx, &rotsv1.ListCaseEventsRequest{Parent: c.GetName()})
		wantCode(t, err, codes.NotFound, "case not found")
	}
	// Roles that may not act at all are told so.
	_, err = s.cases.DecideIntake(own, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
	wantCode(t, err, codes.PermissionDenied, "a submitter may not call DecideIntake")
	_, err = s.cases.SubmitCase(own, submitRequest("Een andere organisatie"))
	wantCode(t, err, codes.PermissionDenied, "outside your scope")
	_, err = s.admin.UpdateEscalationPolicy(tandem, &rotsv1.UpdateEscalationPolicyRequest{RequestId: "x", Policy: &rotsv1.EscalationPolicy{Name: "regions/limburg/escalationPolicy"}})
	wantCode(t, err, codes.PermissionDenied, "may not call UpdateEscalationPolicy")
	_, err = s.audit.ListAccessLog(tandem, &rotsv1.ListAccessLogRequest{Case: c.GetName()})
	wantCode(t, err, codes.PermissionDenied, "may not call ListAccessLog")
	_, err = s.audit.VerifyAccessLog(tandem, &rotsv1.VerifyAccessLogRequest{})
	wantCode(t, err, codes.PermissionDenied, "may not call VerifyAccessLog")

	// A manager sees figures, not children.
	manager := s.as(auth.Manager, "limburg", "")
	seen := must(t)(s.cases.GetCase(manager, get))
	if seen.GetYoungPerson().GetAlias() != "" || seen.GetContact() != nil || seen.GetBlocked() != "" || seen.GetYoungPerson().GetSchool() != "" {
		t.Errorf("a manager sees personal data: %v", seen)
	}
	if seen.GetYoungPerson().GetBirthYear() != 2013 || len(seen.GetThemes()) != 2 {
		t.Errorf("a manager misses the statistical fields: %v", seen)
	}
	list, err := s.cases.ListCases(manager, &rotsv1.ListCasesRequest{SubmittingOrganisation: org})
	if err != nil || len(list.GetCases()) != 1 || list.GetCases()[0].GetYoungPerson().GetAlias() != "" {
		t.Errorf("manager's list: %v, %v", list.GetCases(), err)
	}
	// A Flemish manager sees every region.
	if _, err := s.cases.GetCase(s.as(auth.Manager, "vlaanderen", ""), get); err != nil {
		t.Errorf("a Flemish manager: %v", err)
	}

	// The auditor finds the coordinator's read, not the manager's (who saw no
	// personal data), and exports the case.
	auditor := s.as(auth.Auditor, "vlaanderen", "")
	entries, err := s.audit.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries.GetEntries() {
		actions = append(actions, e.GetRole()+":"+e.GetAction()+":"+e.GetPurpose())
		if e.GetRole() == auth.Manager {
			t.Errorf("a statistical view was logged as an access to personal data: %v", e)
		}
	}
	for _, want := range []string{"submitter:SubmitCase:behandeling", "coordinator:GetCase:opvolging"} {
		if !slices.Contains(actions, want) {
			t.Errorf("access log of the case %v lacks %s", actions, want)
		}
	}
	// By reference and purpose, as the auditor's page asks; the chain holds.
	reads, err := s.audit.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: "cases/" + c.GetReference(), Purpose: "opvolging"})
	if err != nil || len(reads.GetEntries()) == 0 {
		t.Fatalf("reads by reference: %v, %v", reads, err)
	}
	for _, e := range reads.GetEntries() {
		if e.GetPurpose() != "opvolging" || e.GetReference() != c.GetReference() || e.GetCase() != c.GetName() {
			t.Errorf("a read by reference and purpose: %v", e)
		}
	}
	if v, err := s.audit.VerifyAccessLog(auditor, &rotsv1.VerifyAccessLogRequest{}); err != nil || v.GetFirstBreak() != nil || v.GetVerifiedEntries() < int64(len(entries.GetEntries())) {
		t.Errorf("the chain: %v, %v", v, err)
	}
	// Consent withdrawn by the parents: recorded once, however often sent.
	consent := &rotsv1.WithdrawConsentRequest{RequestId: uuid.NewString(), Name: c.GetName(), By: rotsv1.ConsentBy_CONSENT_BY_PARENTS, Note: "Telefonisch gemeld"}
	for range 2 {
		if got := must(t)(s.cases.WithdrawConsent(own, consent)); got.GetConsentWithdrawTime() == nil {
			t.Error("consent withdrawal not shown on the case")
		}
	}
	if n := strings.Count(strings.Join(s.timeline(t, c.GetName()), ","), "consent.withdrawn"); n != 1 {
		t.Errorf("%d consent.withdrawn events, want 1", n)
	}

	export, err := s.cases.ExportCase(auditor, &rotsv1.ExportCaseRequest{Name: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Case      map[string]any   `json:"case"`
		Events    []map[string]any `json:"events"`
		AccessLog []map[string]any `json:"access_log"`
	}
	if err := json.Unmarshal([]byte(export.GetJson()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Case["name"] != c.GetName() || len(doc.Events) < 2 || len(doc.AccessLog) < 2 || !strings.Contains(export.GetJson(), alias) {
		t.Errorf("export: case %v, %d events, %d access entries", doc.Case["name"], len(doc.Events), len(doc.AccessLog))
	}
	// One key style throughout, the API's own: snake_case.
	var whole any
	if err := json.Unmarshal([]byte(export.GetJson()), &whole); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k != strings.ToLower(k) || strings.ContainsAny(k, "- ") {
					t.Errorf("export key %q is not snake_case", k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(whole)
}
