package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
)

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	fields := rpctest.Violated(t, err)
	for _, f := range fields {
		if f == field {
			return
		}
	}
	t.Fatalf("InvalidArgument names %v, want %s (%v)", fields, field, err)
}

// testRequestIDs: a request_id belongs to the call that first used it.
func (s *stack) testRequestIDs(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")

	// Another organisation's submitter who sends a request_id already used
	// is refused, and learns nothing of the first case.
	first := s.submitter("CLB sleutel A")
	req := submitRequest("CLB sleutel A")
	c := must(t)(s.cases.SubmitCase(first, req))
	other := proto.Clone(req).(*rotsv1.SubmitCaseRequest)
	other.SubmittingOrganisation.Name = "CLB sleutel B"
	other.Contact.Name = "Iemand Anders"
	_, err := s.cases.SubmitCase(s.submitter("CLB sleutel B"), other)
	wantField(t, err, "request_id")
	if msg := status.Convert(err).Message(); strings.Contains(msg, c.GetName()) || strings.Contains(msg, alias) || strings.Contains(msg, contactName) {
		t.Errorf("the refusal tells of the first case: %s", msg)
	}
	if list, err := s.cases.ListCases(s.submitter("CLB sleutel B"), &rotsv1.ListCasesRequest{}); err != nil || len(list.GetCases()) != 0 {
		t.Errorf("organisation B has cases %v (%v)", list.GetCases(), err)
	}

	// The same caller, the same request_id, a different submission.
	changed := proto.Clone(req).(*rotsv1.SubmitCaseRequest)
	changed.Blocked = "Iets anders"
	_, err = s.cases.SubmitCase(first, changed)
	wantField(t, err, "request_id")
	// The same request once more is a retry: the first case.
	if again := must(t)(s.cases.SubmitCase(first, req)); again.GetName() != c.GetName() {
		t.Errorf("a retry answered %s, want %s", again.GetName(), c.GetName())
	}

	// A question under X, then an answer under X: the answer is refused,
	// not dropped while answering OK.
	x := uuid.NewString()
	must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: x, Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION, Question: "Welke klas?"}))
	_, err = s.cases.AnswerQuestion(first, &rotsv1.AnswerQuestionRequest{RequestId: x, Name: c.GetName(), Answer: "Het eerste jaar"})
	wantField(t, err, "request_id")
	if got := must(t)(s.cases.GetCase(first, &rotsv1.GetCaseRequest{Name: c.GetName()})); got.GetStage() != rotsv1.Stage_STAGE_NEEDS_INFO {
		t.Fatalf("stage %s after a refused answer", got.GetStage())
	}
	// A request refused for its content leaves its request_id free for the
	// corrected request, as a form sent again would.
	y := uuid.NewString()
	_, err = s.cases.AnswerQuestion(first, &rotsv1.AnswerQuestionRequest{RequestId: y, Name: c.GetName()})
	wantField(t, err, "answer")
	answered := must(t)(s.cases.AnswerQuestion(first, &rotsv1.AnswerQuestionRequest{RequestId: y, Name: c.GetName(), Answer: "Het eerste jaar"}))
	if answered.GetStage() != rotsv1.Stage_STAGE_INTAKE {
		t.Errorf("stage %s after the answer, want INTAKE", answered.GetStage())
	}
	// The workflow's own event keys are not the caller's to take.
	_, err = s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: "workflow:1", Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
	wantField(t, err, "request_id")
	if diff := strings.Join(s.timeline(t, c.GetName()), ","); diff != "submitted,intake.started,intake.question_asked,question.answered" {
		t.Errorf("timeline %s", diff)
	}
}

// testViews: every RPC that returns case data holds the same fields for a
// partner and for a manager; the timeline names nobody to them.
func (s *stack) testViews(t *testing.T) {
	const org = "CLB zichten"
	own := s.submitter(org)
	tandem := s.as(auth.Coordinator, "limburg", "")
	c := must(t)(s.cases.SubmitCase(own, submitRequest(org)))
	name := c.GetName()
	must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	must(t)(s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: name, Advice: "Tafel",
		Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE}))
	if _, err := s.consult.ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: uuid.NewString(), Name: name, Participants: []*rotsv1.Participant{
		{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER, Organisation: "Vzw Zicht", Name: "Lotte Claes", Email: "lotte@zicht.example", Role: "coach"},
	}}); err != nil {
		t.Fatal(err)
	}
	partner := s.asEmail(auth.Partner, "limburg", "Vzw Zicht", "lotte@zicht.example")
	manager := s.as(auth.Manager, "limburg", "")
	for who, ctx := range map[string]context.Context{"partner": partner, "manager": manager} {
		got := must(t)(s.cases.GetCase(ctx, &rotsv1.GetCaseRequest{Name: name}))
		events, err := s.cases.ListCaseEvents(ctx, &rotsv1.ListCaseEventsRequest{Parent: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(events.GetEvents()) < 4 {
			t.Fatalf("%s sees %d events", who, len(events.GetEvents()))
		}
		text := prototext.Format(got) + prototext.Format(events)
		for _, secret := range []string{contactName, contactEmail, municipality, "tandem", "coordinator.limburg", "Tafel"} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s sees %q:\n%s", who, secret, text)
			}
		}
		if got.GetReference() == "" || got.GetReference() != c.GetReference() {
			t.Errorf("the %s sees reference %q, want %q", who, got.GetReference(), c.GetReference())
		}
	}
}

// rawCodec sends bytes as they are, to put on the wire what a well-behaved
// client never would.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }
func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(v.([]byte))}, nil
}
func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return proto.Unmarshal(data.Materialize(), v.(proto.Message))
}

// testMalformed: bad input is the client's fault, named by field, whatever
// exists on the server.
func (s *stack) testMalformed(t *testing.T) {
	clb := s.submitter("CLB misvormd")
	req := submitRequest("CLB misvormd")
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), alias)
	if i < 0 {
		t.Fatal("alias not in the encoding")
	}
	b[i] = 0xff // no longer UTF-8
	var resp rotsv1.SubmitCaseResponse
	err = s.conn.Invoke(clb, "/rots.v1.CaseService/SubmitCase", b, &resp, grpc.ForceCodecV2(rawCodec{}))
	wantField(t, err, "young_person.alias")
	if strings.Contains(status.Convert(err).Message(), "unmarshalling") {
		t.Errorf("the answer is grpc's own: %v", err)
	}
	tried := proto.Clone(req).(*rotsv1.SubmitCaseRequest)
	tried.Tried = []string{"eerst", "tweede " + alias}
	b, _ = proto.Marshal(tried)
	b[strings.LastIndex(string(b), alias)] = 0xc3
	err = s.conn.Invoke(clb, "/rots.v1.CaseService/SubmitCase", b, &resp, grpc.ForceCodecV2(rawCodec{}))
	wantField(t, err, "tried[1]")

	// An enum value the API does not have is InvalidArgument, for a
	// submitter as for anyone, not PermissionDenied.
	bad := submitRequest("CLB misvormd")
	bad.Region = 99
	_, err = s.cases.SubmitCase(clb, bad)
	wantField(t, err, "region")
	_, err = s.cases.ListCases(clb, &rotsv1.ListCasesRequest{Region: 99})
	wantField(t, err, "region")
	_, err = s.cases.ListCases(s.as(auth.Coordinator, "limburg", ""), &rotsv1.ListCasesRequest{Stage: 42})
	wantField(t, err, "stage")
	bad = submitRequest("CLB misvormd")
	bad.Themes = append(bad.Themes, 77)
	_, err = s.cases.SubmitCase(clb, bad)
	wantField(t, err, "themes[2]")
}

// testReferences: a case's reference names it in every RPC, for everyone
// who may see it, and for nobody else.
func (s *stack) testReferences(t *testing.T) {
	const org = "CLB referentie"
	own := s.submitter(org)
	c := must(t)(s.cases.SubmitCase(own, submitRequest(org)))
	ref := c.GetReference()
	if !strings.HasPrefix(ref, "ROTS-") || len(ref) != len("ROTS-1A2B3C4D") {
		t.Fatalf("reference %q", ref)
	}
	byRef := "cases/" + ref
	if got := must(t)(s.cases.GetCase(own, &rotsv1.GetCaseRequest{Name: byRef})); got.GetName() != c.GetName() {
		t.Errorf("GetCase by reference gave %s, want %s", got.GetName(), c.GetName())
	}
	tandem := s.as(auth.Coordinator, "limburg", "")
	accepted := must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(),
		Name: "cases/" + strings.ToLower(ref), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	if accepted.GetStage() != rotsv1.Stage_STAGE_CONSULT {
		t.Errorf("accepted by reference: stage %s", accepted.GetStage())
	}
	if ev, err := s.cases.ListCaseEvents(tandem, &rotsv1.ListCaseEventsRequest{Parent: byRef}); err != nil || len(ev.GetEvents()) < 3 {
		t.Errorf("timeline by reference: %v, %v", ev.GetEvents(), err)
	}
	list, err := s.cases.ListCases(tandem, &rotsv1.ListCasesRequest{Reference: ref})
	if err != nil || len(list.GetCases()) != 1 || list.GetCases()[0].GetName() != c.GetName() {
		t.Errorf("ListCases by reference: %v, %v", list.GetCases(), err)
	}
	auditor := s.as(auth.Auditor, "vlaanderen", "")
	if log, err := s.audit.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: byRef}); err != nil || len(log.GetEntries()) == 0 {
		t.Errorf("the auditor's access log by reference: %v, %v", log.GetEntries(), err)
	}
	if _, err := s.cases.ExportCase(auditor, &rotsv1.ExportCaseRequest{Name: byRef}); err != nil {
		t.Errorf("export by reference: %v", err)
	}
	// Out of scope, or unknown: not found alike.
	_, err = s.cases.GetCase(s.as(auth.Coordinator, "antwerpen", ""), &rotsv1.GetCaseRequest{Name: byRef})
	wantCode(t, err, codes.NotFound, "case not found")
	_, err = s.cases.GetCase(own, &rotsv1.GetCaseRequest{Name: "cases/ROTS-00000000"})
	wantCode(t, err, codes.NotFound, "case not found")
}
