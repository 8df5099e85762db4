package changeservice_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/disclosure"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/eventually"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services"
	"github.com/rots-vlaanderen/roundtable/workflows"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// stack is the API, a worker and a real Temporal server on one database.
type stack struct {
	db      *store.DB
	issuer  *devissuer.Issuer
	cases   rotsv1.CaseServiceClient
	consult rotsv1.ConsultationServiceClient
	feed    rotsv1.ChangeServiceClient
}

func startStack(t *testing.T) *stack {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	tc := ts.GetDefaultClient()
	db := storetest.Open(t, dbURL)
	w := workflows.NewWorker(tc, &workflows.Activities{DB: db}, 0)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer, issuerSrv, err := devissuer.Serve(l, "rots", filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { issuerSrv.Close() })
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
	return &stack{db: db, issuer: issuer, cases: rotsv1.NewCaseServiceClient(conn),
		consult: rotsv1.NewConsultationServiceClient(conn), feed: rotsv1.NewChangeServiceClient(conn)}
}

func (s *stack) as(role, region, org string) context.Context {
	email := role + "." + region + "@test.rots"
	tok, err := s.issuer.Token(devissuer.Claims{Subject: email, Email: email, Role: role, Region: region, Organisation: org}, time.Hour)
	if err != nil {
		panic(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

func submitRequest(org string) *rotsv1.SubmitCaseRequest {
	return &rotsv1.SubmitCaseRequest{
		RequestId:              uuid.NewString(),
		Region:                 rotsv1.Region_REGION_LIMBURG,
		SubmittingOrganisation: &rotsv1.Organisation{Name: org, Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: "An Peeters", Email: "an.peeters@vclb-limburg.be"},
		YoungPerson: &rotsv1.YoungPerson{
			Alias: "J.", BirthYear: 2013, BirthMonth: 3, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR,
			Grade: 1, School: "Sint-Jan Hasselt", Municipality: "Hasselt",
		},
		Blocked:     "Thuiszitter sinds september",
		Tried:       []string{"Trajectbegeleiding CLB"},
		Themes:      []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		Attestation: &rotsv1.Attestation{ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true},
	}
}

// change is what a mirror learns from one change.
type change struct {
	Kind      string
	Stage     string
	Rung      int32
	Deadlines int
	Agreement string
	Consent   bool
}

func fromProto(c *rotsv1.CaseChange) change {
	ch := change{Kind: c.GetKind().String(), Stage: c.GetStage().String(), Rung: c.GetRung(), Deadlines: len(c.GetDeadlines()), Consent: c.GetConsentWithdrawn()}
	if c.GetKind() == rotsv1.ChangeKind_CHANGE_KIND_AGREEMENT {
		ch.Agreement = fmt.Sprintf("%d:%s", c.GetAgreementIndex(), c.GetAgreementStatus())
	}
	return ch
}

// follower follows the feed as an integration does: small pages, each
// from the token of the one before.
type follower struct {
	s     *stack
	ctx   context.Context
	req   *rotsv1.ListChangesRequest
	token string
	got   map[string][]change // by case, in feed order
	n     int
}

func (f *follower) read(t *testing.T) error {
	for {
		req := proto.CloneOf(f.req)
		req.PageToken = f.token
		resp, err := f.s.feed.ListChanges(f.ctx, req)
		if err != nil {
			return err
		}
		if resp.GetNextPageToken() == "" {
			t.Fatal("ListChanges gave no token to resume from")
		}
		f.token = resp.GetNextPageToken()
		for _, c := range resp.GetChanges() {
			f.got[c.GetCase()] = append(f.got[c.GetCase()], fromProto(c))
			f.n++
		}
		if len(resp.GetChanges()) < int(f.req.GetPageSize()) {
			return nil
		}
	}
}

func newFollower(s *stack, ctx context.Context, pageSize int32) *follower {
	return &follower{s: s, ctx: ctx, req: &rotsv1.ListChangesRequest{PageSize: pageSize}, got: map[string][]change{}}
}

// stored is what the feed holds for each case, in its order, read from
// the table itself.
func (s *stack) stored(t *testing.T) (map[string][]change, int) {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT 'cases/' || case_id, kind, stage, rung, jsonb_array_length(deadlines),
			agreement_position, agreement_status, consent_withdrawn FROM case_changes ORDER BY position, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kinds := map[string]string{"stage": "CHANGE_KIND_STAGE", "escalation": "CHANGE_KIND_ESCALATION", "agreement": "CHANGE_KIND_AGREEMENT", "consent": "CHANGE_KIND_CONSENT"}
	m, n := map[string][]change{}, 0
	for rows.Next() {
		var (
			name, kind, stage, status string
			rung, deadlines, pos      int32
			consent                   bool
		)
		if err := rows.Scan(&name, &kind, &stage, &rung, &deadlines, &pos, &status, &consent); err != nil {
			t.Fatal(err)
		}
		c := change{Kind: kinds[kind], Stage: "STAGE_" + stage, Rung: rung, Deadlines: int(deadlines), Consent: consent}
		if kind == "agreement" {
			if status == "" {
				status = "UNSPECIFIED"
			}
			c.Agreement = fmt.Sprintf("%d:AGREEMENT_STATUS_%s", pos, status)
		}
		m[name] = append(m[name], c)
		n++
	}
	return m, n
}

// stagesFromTimeline is a case's stages in the order its timeline says.
func (s *stack) stagesFromTimeline(t *testing.T, name string) []string {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT to_stage FROM case_events WHERE 'cases/' || case_id = $1 ORDER BY id`, name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stages []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			t.Fatal(err)
		}
		if len(stages) == 0 || stages[len(stages)-1] != "STAGE_"+st {
			stages = append(stages, "STAGE_"+st)
		}
	}
	return stages
}

// TestFeedUnderConcurrentWriters: writers carry cases through their
// stages, agreements and consent while an integration follows the feed in
// pages of three, resuming from each token. In the end it has every
// change once, each case's in the order they were made, and nothing of
// what it may not see.
func TestFeedUnderConcurrentWriters(t *testing.T) {
	s := startStack(t)
	tandem := s.as(auth.Coordinator, "limburg", "")
	const writers, casesEach = 6, 3
	// agreements[case] is what each writer did to the agreements, in order.
	var mu sync.Mutex
	agreements := map[string][]string{}
	withdrawn := map[string]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org := fmt.Sprintf("CLB %d", w)
			clb := s.as(auth.Submitter, "limburg", org)
			for i := range casesEach {
				if err := s.carry(clb, tandem, org, w*casesEach+i, &mu, agreements, withdrawn); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	mirror := newFollower(s, tandem, 3)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		case <-time.After(20 * time.Millisecond):
		}
		if err := mirror.read(t); err != nil {
			t.Fatal(err)
		}
	}
	if t.Failed() {
		return
	}
	want, total := s.stored(t)
	eventually.Until(t, time.Minute, func() (bool, string) {
		if err := mirror.read(t); err != nil {
			t.Fatal(err)
		}
		want, total = s.stored(t)
		return mirror.n >= total, fmt.Sprintf("%d of %d changes", mirror.n, total)
	})
	t.Logf("%d changes of %d cases, read in pages of three while they were written", total, len(want))
	if mirror.n != total || len(want) != writers*casesEach {
		t.Fatalf("the mirror read %d changes of %d cases; the feed holds %d of %d", mirror.n, len(mirror.got), total, len(want))
	}
	for name, changes := range want {
		if !slices.Equal(mirror.got[name], changes) {
			t.Errorf("%s: read\n%v\nstored\n%v", name, mirror.got[name], changes)
		}
		var stages, agreed []string
		var consent int
		for _, c := range mirror.got[name] {
			switch c.Kind {
			case "CHANGE_KIND_STAGE":
				stages = append(stages, c.Stage)
			case "CHANGE_KIND_AGREEMENT":
				agreed = append(agreed, c.Agreement)
			case "CHANGE_KIND_CONSENT":
				consent++
			}
		}
		if tl := s.stagesFromTimeline(t, name); !slices.Equal(stages, tl) {
			t.Errorf("%s: stages in the feed %v, on the timeline %v", name, stages, tl)
		}
		if !slices.Equal(agreed, agreements[name]) {
			t.Errorf("%s: agreements in the feed %v, done %v", name, agreed, agreements[name])
		}
		if consent != map[bool]int{true: 1}[withdrawn[name]] {
			t.Errorf("%s: %d consent changes, withdrawn: %v", name, consent, withdrawn[name])
		}
	}
	s.checkScope(t, writers*casesEach)
}

// carry takes one case from submission to closure, recording what it did
// to the agreements and the consent.
func (s *stack) carry(clb, tandem context.Context, org string, n int, mu *sync.Mutex, agreements map[string][]string, withdrawn map[string]bool) error {
	resp, err := s.cases.SubmitCase(clb, submitRequest(org))
	if err != nil {
		return err
	}
	name := resp.GetCase().GetName()
	if _, err := s.cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT}); err != nil {
		return err
	}
	if _, err := s.cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: name, Advice: "Overlegtafel", Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE}); err != nil {
		return err
	}
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	if _, err := s.cases.RecordTableOutcome(tandem, &rotsv1.RecordTableOutcomeRequest{RequestId: uuid.NewString(), Name: name, Offer: "Halve dagen school",
		Agreements: []*rotsv1.Agreement{
			{Action: "Time-out", OwnerOrganisation: "Vzw Arktos", DueDate: due},
			{Action: "Thuisbegeleiding", OwnerOrganisation: "Jeugdhulp Limburg", DueDate: due},
		}}); err != nil {
		return err
	}
	done := []string{"0:AGREEMENT_STATUS_OPEN", "1:AGREEMENT_STATUS_OPEN"}
	for _, u := range []struct {
		index  int32
		status rotsv1.AgreementStatus
	}{{0, rotsv1.AgreementStatus_AGREEMENT_STATUS_IN_PROGRESS}, {1, rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE}, {0, rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE}} {
		if _, err := s.consult.UpdateAgreement(tandem, &rotsv1.UpdateAgreementRequest{RequestId: uuid.NewString(), Name: name, Index: u.index, Status: u.status}); err != nil {
			return err
		}
		done = append(done, fmt.Sprintf("%d:%s", u.index, u.status))
	}
	withdraw := n%3 == 0
	if withdraw {
		if _, err := s.cases.WithdrawConsent(tandem, &rotsv1.WithdrawConsentRequest{RequestId: uuid.NewString(), Name: name, By: rotsv1.ConsentBy_CONSENT_BY_PARENTS}); err != nil {
			return err
		}
	}
	mu.Lock()
	agreements[name], withdrawn[name] = done, withdraw
	mu.Unlock()
	_, err = s.cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: name, Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
	return err
}

// checkScope: the feed shows each caller the cases they may see, reads are
// in the access log, a forged token is refused naming page_token, and
// start_from_now starts at the end.
func (s *stack) checkScope(t *testing.T, cases int) {
	t.Helper()
	for who, ctx := range map[string]context.Context{
		"another region's tandem": s.as(auth.Coordinator, "antwerpen", ""),
		"a partner not invited":   s.as(auth.Partner, "limburg", "Vzw Nergens"),
	} {
		f := newFollower(s, ctx, 100)
		if err := f.read(t); err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		if f.n != 0 {
			t.Errorf("%s read %d changes, want none", who, f.n)
		}
	}
	own := newFollower(s, s.as(auth.Submitter, "limburg", "CLB 0"), 100)
	if err := own.read(t); err != nil {
		t.Fatal(err)
	}
	if len(own.got) != cases/6 {
		t.Errorf("a submitter read changes of %d cases, want their own %d", len(own.got), cases/6)
	}
	var logged int
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT count(DISTINCT case_id) FROM access_log WHERE action = 'ListChanges'`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if logged != cases {
		t.Errorf("the access log has ListChanges reads of %d cases, want %d", logged, cases)
	}
	tandem := s.as(auth.Coordinator, "limburg", "")
	_, err := s.feed.ListChanges(tandem, &rotsv1.ListChangesRequest{PageToken: "eyJhIjp7IngiOjB9fQ"})
	if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"page_token"}) {
		t.Errorf("a forged token: violations %v, want page_token", got)
	}
	now, err := s.feed.ListChanges(tandem, &rotsv1.ListChangesRequest{StartFromNow: true})
	if err != nil || len(now.GetChanges()) != 0 || now.GetNextPageToken() == "" {
		t.Fatalf("start_from_now: %v, %v", now, err)
	}
	fresh := newFollower(s, tandem, 10)
	fresh.token = now.GetNextPageToken()
	c, err := s.cases.SubmitCase(s.as(auth.Submitter, "limburg", "CLB 0"), submitRequest("CLB 0"))
	if err != nil {
		t.Fatal(err)
	}
	eventually.Until(t, 30*time.Second, func() (bool, string) {
		if err := fresh.read(t); err != nil {
			t.Fatal(err)
		}
		return len(fresh.got[c.GetCase().GetName()]) > 0, "the new case's changes"
	})
	if len(fresh.got) != 1 {
		t.Errorf("from start_from_now the feed gave changes of %d cases, want only the new one", len(fresh.got))
	}
}
