// Package e2e drives the whole service over gRPC: the API on a loopback
// port, the worker, a real Temporal server in-process and PostgreSQL.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/encryption"
	"github.com/rots-vlaanderen/roundtable/internal/notify"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// startIssuer serves a development issuer on a loopback port.
func startIssuer(t *testing.T) *devissuer.Issuer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	is, srv, err := devissuer.Serve(l, "rots", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return is
}

// syncBuffer collects the service's logs so the test can read them.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type stack struct {
	codec    encryption.Codec
	issuer   *devissuer.Issuer
	cases    rotsv1.CaseServiceClient
	admin    rotsv1.AdminServiceClient
	inbox    rotsv1.NotificationServiceClient
	audit    rotsv1.AuditServiceClient
	consult  rotsv1.ConsultationServiceClient
	reports  rotsv1.ReportServiceClient
	signals  rotsv1.SignalServiceClient
	mail     *mailServer
	conn     *grpc.ClientConn
	db       *store.DB
	temporal client.Client
	logs     *syncBuffer
}

// startStack starts the Temporal server, the worker and the API once for
// the whole package's end-to-end test.
func startStack(t *testing.T) *stack {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := encryption.ParseKeyring([]byte(encryption.NewKeyLine("test-1")))
	if err != nil {
		t.Fatal(err)
	}
	codec := encryption.Codec{Keys: keys}
	ts := temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseClientOptions(client.Options{DataConverter: codec.DataConverter()}))
	tc := ts.GetDefaultClient()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.SealTexts(keys)
	mail := startMailServer(t)
	w := workflows.NewWorker(tc, &workflows.Activities{DB: db, Mailer: &notify.Mailer{
		Host: "127.0.0.1", Port: mail.port(), From: "rots@rots.local", TLS: "none",
	}}, 0)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// The development issuer stands in for the identity provider.
	issuer := startIssuer(t)
	control, err := disclosure.New(0)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := services.New(services.Deps{
		DB: db, Temporal: tc, Verifier: auth.NewVerifier(auth.Config{Issuer: issuer.URL, Audience: "rots"}), Control: control, Log: log,
	})
	go srv.Serve(lis)
	t.Cleanup(srv.GracefulStop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &stack{
		cases: rotsv1.NewCaseServiceClient(conn), admin: rotsv1.NewAdminServiceClient(conn), inbox: rotsv1.NewNotificationServiceClient(conn),
		audit: rotsv1.NewAuditServiceClient(conn), consult: rotsv1.NewConsultationServiceClient(conn),
		reports: rotsv1.NewReportServiceClient(conn), signals: rotsv1.NewSignalServiceClient(conn),
		mail: mail, conn: conn, db: db, temporal: tc, logs: logs, issuer: issuer, codec: codec,
	}
}

// as is a call context with a token of the development issuer for a role,
// a region ("vlaanderen" for all) and an organisation.
func (s *stack) as(role, region, org string) context.Context {
	return s.asEmail(role, region, org, role+"."+region+"@test.rots")
}

func (s *stack) asEmail(role, region, org, email string) context.Context {
	tok, err := s.issuer.Token(devissuer.Claims{Subject: email, Email: email, Role: role, Region: region, Organisation: org}, time.Hour)
	if err != nil {
		panic(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// submitter is a CLB worker in Limburg of the organisation.
func (s *stack) submitter(org string) context.Context { return s.as(auth.Submitter, "limburg", org) }

// Personal data in the submitted cases; none of it may reach the logs.
const (
	alias        = "Jorre"
	school       = "Sint-Jozefsinstituut Genk"
	municipality = "Zutendaal"
	blocked      = "Weigert sinds de herfstvakantie naar school te gaan"
	contactName  = "Annelies Vandersmissen"
	contactEmail = "annelies.vandersmissen@vclb-limburg.be"
)

func submitRequest(org string) *rotsv1.SubmitCaseRequest {
	return &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region_REGION_LIMBURG,
		SubmittingOrganisation: &rotsv1.Organisation{Name: org, Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: contactName, Email: contactEmail},
		YoungPerson: &rotsv1.YoungPerson{
			Alias: alias, BirthYear: 2013, BirthMonth: 3, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			Grade: 1, School: school, Municipality: municipality,
		},
		Blocked:     blocked,
		Tried:       []string{"Trajectbegeleiding door het CLB", "Aanmelding bij de ITP"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme_THEME_MENTAL_HEALTH},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	}
}

type caseResponse interface{ GetCase() *rotsv1.Case }

// must returns a function that fails the test on an error and returns the
// case from a response: must(t)(s.cases.GetCase(ctx, req)).
func must(t *testing.T) func(caseResponse, error) *rotsv1.Case {
	return func(resp caseResponse, err error) *rotsv1.Case {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return resp.GetCase()
	}
}

func wantCode(t *testing.T, err error, code codes.Code, msgPart string) {
	t.Helper()
	if status.Code(err) != code || !strings.Contains(status.Convert(err).Message(), msgPart) {
		t.Fatalf("got %v, want %s containing %q", err, code, msgPart)
	}
}

func (s *stack) timeline(t *testing.T, name string) []string {
	t.Helper()
	resp, err := s.cases.ListCaseEvents(s.as(auth.Coordinator, "limburg", ""), &rotsv1.ListCaseEventsRequest{Parent: name, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range resp.GetEvents() {
		kinds = append(kinds, e.GetKind())
	}
	return kinds
}

func TestEndToEnd(t *testing.T) {
	s := startStack(t)
	// Every path of a case and every rule, each on cases of its own, side
	// by side on the one stack.
	for _, tc := range []struct {
		name string
		run  func(*stack, *testing.T)
	}{
		{"accept, consult advice only, close", (*stack).testAdviceOnly},
		{"accept, table, follow-up, close", (*stack).testTablePath},
		{"ask a question, answer, accept", (*stack).testQuestion},
		{"decline", (*stack).testDecline},
		{"withdraw", (*stack).testWithdraw},
		{"retries with the same request_id do the work once", (*stack).testRetries},
		{"bad input and wrong stage", (*stack).testBadInput},
		{"a recorded case whose start got lost is started by the relay", (*stack).testRelayStartsLostCase},
		{"a command on a case whose start got lost starts it", (*stack).testCommandStartsLostCase},
		{"list pages newest first with filters", (*stack).testListPages},
		{"a case left alone climbs the ladder; mail survives a mail server outage", (*stack).testLadder},
		{"a request_id is its caller's own, for one request", (*stack).testRequestIDs},
		{"partners and managers see the same fields in every RPC", (*stack).testViews},
		{"a reference names a case in every RPC", (*stack).testReferences},
		{"malformed input is InvalidArgument naming the field", (*stack).testMalformed},
		{"access control and the access log", (*stack).testAccess},
		{"retention anonymises a closed case", (*stack).testRetention},
		{"a good practice survives its case's anonymisation", (*stack).testPracticeSurvivesRetention},
		{"a consultation table with a partner", (*stack).testTable},
		{"a manager's dashboard and a signal to government", (*stack).dashboardAndSignal},
		{"health and reflection", (*stack).testHealth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(s, t)
		})
	}

	// After every path: each case's workflow is in the stage its events say,
	// and nothing about a young person reached the logs.
	t.Cleanup(func() {
		if dir := os.Getenv("ROTS_RECORD_HISTORIES"); dir != "" {
			s.recordHistories(t, dir)
		}
		s.checkConsistency(t)
		s.checkMails(t)
		s.checkHistoriesEncrypted(t)
		s.checkTextsSealed(t)
		logs := s.logs.String()
		for _, secret := range []string{alias, school, municipality, blocked, contactName, contactEmail, "Wallonië", "Is de ITP"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the logs contain personal data %q", secret)
			}
		}
		if !strings.Contains(logs, "case submitted") {
			t.Errorf("the logs were not captured: %.200s", logs)
		}
	})
}

// checkConsistency compares every case's stored stage with its timeline and
// with its workflow's state query.
func (s *stack) checkConsistency(t *testing.T) {
	ctx := context.Background()
	cases, err := s.db.ListCases(ctx, store.CaseFilter{}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		events, err := s.db.ListEvents(ctx, c.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.ToStage != c.Stage {
			t.Errorf("case %s: stored stage %s, last event says %s", c.ID, c.Stage, last.ToStage)
		}
		if c.Stage == vocab.StageClosed {
			continue // the workflow has completed
		}
		stage, err := workflows.QueryStage(ctx, s.temporal, c.ID)
		if err != nil {
			t.Errorf("case %s: query: %v", c.ID, err)
			continue
		}
		if stage != c.Stage {
			t.Errorf("case %s: workflow stage %s, stored stage %s", c.ID, stage, c.Stage)
		}
	}
	fmt.Fprintf(os.Stderr, "consistency checked on %d cases\n", len(cases))
}

// recordHistories writes the workflow histories of the cases above to dir,
// for the replay test in workflows/ (see workflows/testdata/README.md).
func (s *stack) recordHistories(t *testing.T, dir string) {
	ctx := context.Background()
	files := map[string]string{
		"CLB advice": "closed-advice-only", "CLB table": "closed-table", "CLB decline": "closed-declined",
		"CLB withdraw": "closed-withdrawn", "CLB retries": "closed-retries",
		"CLB question": "open-consult", "CLB stages": "open-intake", "CLB ladder": "closed-ladder",
		"CLB tafel": "follow-up-table",
	}
	for org, file := range files {
		cases, err := s.db.ListCases(ctx, store.CaseFilter{OrgName: org}, nil, 1)
		if err != nil || len(cases) == 0 {
			t.Fatalf("recording %s: %v", org, err)
		}
		var hist historypb.History
		it := s.temporal.GetWorkflowHistory(ctx, workflows.WorkflowID(cases[0].ID), "", false, 0)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, e)
		}
		// Recorded in plain text, so that the replay test needs no key.
		if err := proxy.VisitPayloads(ctx, &hist, proxy.VisitPayloadsOptions{
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				return s.codec.Decode(ps)
			},
		}); err != nil {
			t.Fatal(err)
		}
		b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkHistoriesEncrypted reads every case's history as stored by Temporal
// and checks that each payload is encrypted and none holds the seeded
// personal data or free texts.
func (s *stack) checkHistoriesEncrypted(t *testing.T) {
	ctx := context.Background()
	cases, err := s.db.ListCases(ctx, store.CaseFilter{}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{alias, school, municipality, blocked, contactName, contactEmail, "Is de ITP al ingeschakeld?", "Start een NAFT-traject", "Wallonië"}
	payloads := 0
	for _, c := range cases {
		it := s.temporal.GetWorkflowHistory(ctx, workflows.WorkflowID(c.ID), "", false, 0)
		var hist historypb.History
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, e)
		}
		err := proxy.VisitPayloads(ctx, &hist, proxy.VisitPayloadsOptions{
			SkipSearchAttributes: true,
			Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
				for _, p := range ps {
					payloads++
					if enc := string(p.GetMetadata()["encoding"]); enc != "binary/encrypted" {
						t.Errorf("case %s: a payload with encoding %q in the history", c.ID, enc)
					}
					for _, secret := range secrets {
						if bytes.Contains(p.GetData(), []byte(secret)) {
							t.Errorf("case %s: %q in plain text in the history", c.ID, secret)
						}
					}
				}
				return ps, nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if payloads < 100 {
		t.Errorf("only %d payloads in %d histories", payloads, len(cases))
	}
}

// checkTextsSealed reads the free texts as PostgreSQL holds them: none of
// the seeded texts about the young people may be there in plain.
func (s *stack) checkTextsSealed(t *testing.T) {
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var dump string
	err = conn.QueryRow(context.Background(), `SELECT
		(SELECT string_agg(blocked || array_to_string(tried, '|') || open_question || advice || offer || closure_note, '|') FROM cases) ||
		(SELECT string_agg(summary, '|') FROM case_events) ||
		(SELECT string_agg(action, '|') FROM agreements)`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{blocked, "Trajectbegeleiding door het CLB", "Is de ITP al ingeschakeld?", "Ja, sinds oktober",
		"Start een NAFT-traject", "Wallonië", "Time-outtraject starten", "Volledig terug op school"} {
		if strings.Contains(dump, secret) {
			t.Errorf("%q is in PostgreSQL in plain text", secret)
		}
	}
	if !strings.Contains(dump, "enc1:") {
		t.Error("no sealed text in PostgreSQL at all")
	}
}

// testAdviceOnly: accept, consult advice only, close.
func (s *stack) testAdviceOnly(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB advice")
	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB advice")))
	if c.GetStage() != rotsv1.Stage_STAGE_SUBMITTED && c.GetStage() != rotsv1.Stage_STAGE_INTAKE {
		t.Fatalf("new case stage %s", c.GetStage())
	}
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	c = must(t)(s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: c.GetName(), Advice: "Start een NAFT-traject", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY}))
	if c.GetStage() != rotsv1.Stage_STAGE_FOLLOW_UP || c.GetAdvice() != "Start een NAFT-traject" {
		t.Fatalf("after consult: %s %q", c.GetStage(), c.GetAdvice())
	}
	c = must(t)(s.cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: rotsv1.ClosureReason_CLOSURE_REASON_ALTERNATIVE_TRAJECTORY}))
	if c.GetStage() != rotsv1.Stage_STAGE_CLOSED || c.GetCloseTime() == nil {
		t.Fatalf("after close: %s, close time %v", c.GetStage(), c.GetCloseTime())
	}
	want := []string{"submitted", "intake.started", "intake.accepted", "consult.advice", "closed"}
	if diff := cmp.Diff(want, s.timeline(t, c.GetName())); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

// testTablePath: accept, table, follow-up, close.
func (s *stack) testTablePath(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB table")
	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB table")))
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	c = must(t)(s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: c.GetName(), Advice: "Overlegtafel nodig", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE}))
	if c.GetStage() != rotsv1.Stage_STAGE_TABLE {
		t.Fatalf("after consult: %s", c.GetStage())
	}
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	agreements := []*rotsv1.Agreement{
		{Action: "Time-outtraject starten", OwnerOrganisation: "Vzw Arktos", DueDate: due},
		{Action: "Thuisbegeleiding opstarten", OwnerOrganisation: "Jeugdhulp Limburg", DueDate: due},
	}
	c = must(t)(s.cases.RecordTableOutcome(tandem, &rotsv1.RecordTableOutcomeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Offer: "Halve dagen school met time-out", Agreements: agreements}))
	if c.GetStage() != rotsv1.Stage_STAGE_FOLLOW_UP {
		t.Fatalf("after outcome: %s", c.GetStage())
	}
	for _, a := range agreements {
		a.Status = rotsv1.AgreementStatus_AGREEMENT_STATUS_OPEN
	}
	if diff := cmp.Diff(agreements, c.GetAgreements(), protocmp.Transform()); diff != "" {
		t.Errorf("agreements (-want +got):\n%s", diff)
	}
	c = must(t)(s.cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL, Note: "Volledig terug op school"}))
	want := []string{"submitted", "intake.started", "intake.accepted", "consult.convene_table", "table.outcome", "closed"}
	if diff := cmp.Diff(want, s.timeline(t, c.GetName())); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	got := must(t)(s.cases.GetCase(clb, &rotsv1.GetCaseRequest{Name: c.GetName()}))
	if got.GetClosureReason() != rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL || got.GetClosureNote() != "Volledig terug op school" {
		t.Errorf("GetCase closure = %s %q", got.GetClosureReason(), got.GetClosureNote())
	}
}

// testQuestion: ask a question, answer, accept.
func (s *stack) testQuestion(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB question")
	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB question")))
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION, Question: "Is de ITP al ingeschakeld?"}))
	if c.GetStage() != rotsv1.Stage_STAGE_NEEDS_INFO || c.GetOpenQuestion() != "Is de ITP al ingeschakeld?" {
		t.Fatalf("after question: %s %q", c.GetStage(), c.GetOpenQuestion())
	}
	c = must(t)(s.cases.AnswerQuestion(clb, &rotsv1.AnswerQuestionRequest{RequestId: uuid.NewString(), Name: c.GetName(), Answer: "Ja, sinds oktober"}))
	if c.GetStage() != rotsv1.Stage_STAGE_INTAKE || c.GetOpenQuestion() != "" {
		t.Fatalf("after answer: %s %q", c.GetStage(), c.GetOpenQuestion())
	}
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	if c.GetStage() != rotsv1.Stage_STAGE_CONSULT {
		t.Fatalf("after accept: %s", c.GetStage())
	}
	events, err := s.cases.ListCaseEvents(clb, &rotsv1.ListCaseEventsRequest{Parent: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	last := events.GetEvents()[len(events.GetEvents())-1]
	if last.GetActor() != "coordinator.limburg@test.rots" || last.GetFromStage() != rotsv1.Stage_STAGE_INTAKE || last.GetToStage() != rotsv1.Stage_STAGE_CONSULT {
		t.Errorf("last event = %v", last)
	}
}

// testDecline: decline.
func (s *stack) testDecline(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB decline")
	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB decline")))
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE, DeclineReason: "Jeugdhulp is nog niet betrokken.", ReferralSuggestion: "Intersectorale Toegangspoort"}))
	if c.GetStage() != rotsv1.Stage_STAGE_CLOSED || c.GetClosureReason() != rotsv1.ClosureReason_CLOSURE_REASON_DECLINED {
		t.Fatalf("after decline: %s %s", c.GetStage(), c.GetClosureReason())
	}
}

// testWithdraw: withdraw.
func (s *stack) testWithdraw(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB withdraw")
	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB withdraw")))
	c = must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: c.GetName(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	c = must(t)(s.cases.WithdrawCase(clb, &rotsv1.WithdrawCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: "Gezin verhuist naar Wallonië"}))
	if c.GetStage() != rotsv1.Stage_STAGE_CLOSED || c.GetClosureReason() != rotsv1.ClosureReason_CLOSURE_REASON_WITHDRAWN {
		t.Fatalf("after withdraw: %s %s", c.GetStage(), c.GetClosureReason())
	}
	_, err := s.cases.WithdrawCase(clb, &rotsv1.WithdrawCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: "nogmaals"})
	wantCode(t, err, codes.FailedPrecondition, "CLOSED")
}

// testRetries: retries with the same request_id do the work once.
func (s *stack) testRetries(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB retries")
	req := submitRequest("CLB retries")
	first := must(t)(s.cases.SubmitCase(clb, req))
	again := must(t)(s.cases.SubmitCase(clb, req))
	if first.GetName() != again.GetName() {
		t.Fatalf("retried SubmitCase made a second case: %s and %s", first.GetName(), again.GetName())
	}
	name := first.GetName()
	// Each command twice (the second as a client retry would send it),
	// and a concurrent burst of the same command.
	commands := []func(id string) (proto.Message, error){
		func(id string) (proto.Message, error) {
			return s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: id, Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION, Question: "Welke school?"})
		},
		func(id string) (proto.Message, error) {
			return s.cases.AnswerQuestion(clb, &rotsv1.AnswerQuestionRequest{RequestId: id, Name: name, Answer: "Sint-Jan"})
		},
		func(id string) (proto.Message, error) {
			return s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: id, Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
		},
		func(id string) (proto.Message, error) {
			return s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: id, Name: name, Advice: "Tafel", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE})
		},
		func(id string) (proto.Message, error) {
			return s.cases.RecordTableOutcome(tandem, &rotsv1.RecordTableOutcomeRequest{RequestId: id, Name: name, Offer: "Aanbod", Agreements: []*rotsv1.Agreement{{Action: "Actie", OwnerOrganisation: "CLB", DueDate: time.Now().AddDate(0, 0, 14).Format("2006-01-02")}}})
		},
		func(id string) (proto.Message, error) {
			return s.cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: id, Name: name, Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
		},
	}
	for i, command := range commands {
		id := uuid.NewString()
		var wg sync.WaitGroup
		stages := make([]rotsv1.Stage, 4)
		for j := range stages {
			wg.Go(func() {
				resp, err := command(id)
				if err != nil {
					t.Errorf("command %d, try %d: %v", i, j, err)
					return
				}
				stages[j] = resp.(caseResponse).GetCase().GetStage()
			})
		}
		wg.Wait()
		for j := range stages {
			if stages[j] != stages[0] {
				t.Errorf("command %d: tries answered with different stages %v", i, stages)
			}
		}
		// A retry after the fact still answers, and changes nothing.
		if _, err := command(id); err != nil {
			t.Errorf("command %d, late retry: %v", i, err)
		}
	}
	want := []string{"submitted", "intake.started", "intake.question_asked", "question.answered", "intake.accepted", "consult.convene_table", "table.outcome", "closed"}
	if diff := cmp.Diff(want, s.timeline(t, name)); diff != "" {
		t.Errorf("timeline after retries (-want +got):\n%s", diff)
	}
	list, err := s.cases.ListCases(clb, &rotsv1.ListCasesRequest{SubmittingOrganisation: "CLB retries"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.GetCases()) != 1 {
		t.Errorf("ListCases for the organisation: %d cases, want 1", len(list.GetCases()))
	}
}

// testBadInput: bad input and wrong stage.
func (s *stack) testBadInput(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	clb := s.submitter("CLB stages")
	_, err := s.cases.SubmitCase(clb, &rotsv1.SubmitCaseRequest{RequestId: "x"})
	wantCode(t, err, codes.InvalidArgument, "region")
	var fields []string
	for _, d := range status.Convert(err).Details() {
		for _, v := range d.(*errdetails.BadRequest).GetFieldViolations() {
			fields = append(fields, v.GetField())
		}
	}
	if len(fields) < 10 {
		t.Errorf("an empty submission reported only %v", fields)
	}
	_, err = s.cases.GetCase(clb, &rotsv1.GetCaseRequest{Name: "cases/" + uuid.NewString()})
	wantCode(t, err, codes.NotFound, "not found")
	_, err = s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: "cases/" + uuid.NewString(), Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
	wantCode(t, err, codes.NotFound, "not found")

	c := must(t)(s.cases.SubmitCase(clb, submitRequest("CLB stages")))
	_, err = s.cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: c.GetName(), Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
	wantCode(t, err, codes.FailedPrecondition, "case is in stage INTAKE; CloseCase needs FOLLOW_UP")
	_, err = s.cases.AnswerQuestion(clb, &rotsv1.AnswerQuestionRequest{RequestId: uuid.NewString(), Name: c.GetName(), Answer: "x"})
	wantCode(t, err, codes.FailedPrecondition, "NEEDS_INFO")
	_, err = s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: c.GetName(), Advice: "x", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_ADVICE_ONLY})
	wantCode(t, err, codes.FailedPrecondition, "CONSULT")
	if diff := cmp.Diff([]string{"submitted", "intake.started"}, s.timeline(t, c.GetName())); diff != "" {
		t.Errorf("refused commands left a trace (-want +got):\n%s", diff)
	}
}

// testRelayStartsLostCase: a recorded case whose start got lost is started by the relay.
func (s *stack) testRelayStartsLostCase(t *testing.T) {
	// As if the process died between the commit and the workflow start.
	id := uuid.NewString()
	_, _, err := s.db.CreateCase(context.Background(), &store.Case{
		ID: id, RequestID: uuid.NewString(), Region: "LIMBURG", Stage: vocab.StageSubmitted,
		OrgName: "CLB relay", OrgKind: "CLB", ContactName: "x", ContactEmail: "x@clb.be",
		YoungPerson: store.YoungPerson{Alias: "K.", BirthYear: 2012, BirthMonth: 1, SchoolLevel: "LAGER", Grade: 6, School: "s", Municipality: "m"},
		Blocked:     "b", Tried: []string{"t"}, Themes: []string{"OTHER"}, CLBStuck: true, YouthCareStuck: true, Informed: true,
		SubmittedAt: time.Now().Add(-time.Minute).UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go workflows.RunRelay(ctx, s.db, s.temporal, 100*time.Millisecond, slog.New(slog.NewTextHandler(s.logs, nil)))
	eventually.Until(t, 20*time.Second, func() (bool, string) {
		c, err := s.db.GetCase(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Stage == vocab.StageIntake, "case still in " + c.Stage + ": the relay did not start its workflow"
	})
}

// testCommandStartsLostCase: a command on a case whose start got lost starts it.
func (s *stack) testCommandStartsLostCase(t *testing.T) {
	tandem := s.as(auth.Coordinator, "limburg", "")
	id := uuid.NewString()
	_, _, err := s.db.CreateCase(context.Background(), &store.Case{
		ID: id, RequestID: uuid.NewString(), Region: "LIMBURG", Stage: vocab.StageSubmitted,
		OrgName: "CLB lost start", OrgKind: "CLB", ContactName: "x", ContactEmail: "x@clb.be",
		YoungPerson: store.YoungPerson{Alias: "K.", BirthYear: 2012, BirthMonth: 1, SchoolLevel: "LAGER", Grade: 6, School: "s", Municipality: "m"},
		Blocked:     "b", Tried: []string{"t"}, Themes: []string{"OTHER"}, CLBStuck: true, YouthCareStuck: true, Informed: true,
		SubmittedAt: time.Now().UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := must(t)(s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: "cases/" + id, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}))
	if c.GetStage() != rotsv1.Stage_STAGE_CONSULT {
		t.Fatalf("stage %s, want CONSULT", c.GetStage())
	}
}

// testListPages: list pages newest first with filters.
func (s *stack) testListPages(t *testing.T) {
	const org = "CLB paging"
	clb := s.submitter(org)
	var want []string
	for range 7 {
		c := must(t)(s.cases.SubmitCase(clb, submitRequest(org)))
		want = append([]string{c.GetName()}, want...)
	}
	var got []string
	token := ""
	for {
		resp, err := s.cases.ListCases(clb, &rotsv1.ListCasesRequest{PageSize: 3, PageToken: token, SubmittingOrganisation: org, Region: rotsv1.Region_REGION_LIMBURG})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range resp.GetCases() {
			got = append(got, c.GetName())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged list (-want +got):\n%s", diff)
	}
	// A submitter in Limburg may not list another region's cases.
	_, err := s.cases.ListCases(clb, &rotsv1.ListCasesRequest{SubmittingOrganisation: org, Region: rotsv1.Region_REGION_ANTWERPEN})
	wantCode(t, err, codes.PermissionDenied, "outside your scope")
}

// testHealth: health and reflection.
func (s *stack) testHealth(t *testing.T) {
	resp, err := healthpb.NewHealthClient(s.conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: rotsv1.CaseService_ServiceDesc.ServiceName})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health = %v, %v; want SERVING", resp.GetStatus(), err)
	}
	stream, err := reflectionpb.NewServerReflectionClient(s.conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stream.CloseSend()
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	list, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, svc := range list.GetListServicesResponse().GetService() {
		names = append(names, svc.GetName())
	}
	if !slices.Contains(names, "rots.v1.CaseService") {
		t.Errorf("reflection lists %v, want rots.v1.CaseService among them", names)
	}
}
