package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// isolate gives a test its own configuration directory and no token from
// the environment.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	t.Setenv("ROTS_TOKEN", "")
	t.Setenv("ROTS_TOKEN_FILE", "")
	t.Setenv("ROTS_ADDR", "")
	return dir
}

func rotsctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	isolate(t)
	// No API is needed for help: a dial would fail the test.
	defer func(d func(string) (grpc.ClientConnInterface, io.Closer, error)) { dial = d }(dial)
	dial = func(string) (grpc.ClientConnInterface, io.Closer, error) {
		t.Error("help dialled the API")
		return nil, nil, io.EOF
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errOut := rotsctl(t, args...)
		if code != 0 || !strings.Contains(out, "submit ") || !strings.Contains(out, "signal ") || errOut != "" {
			t.Errorf("rotsctl %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	for _, args := range [][]string{
		{"submit", "-h"}, {"help", "submit"}, {"show", "-h"}, {"intake", "ROTS-1A2B3C4D", "-h"}, {"list", "-help"},
		{"login", "-h"}, {"inbox", "-h"}, {"report", "-h"}, {"kernkwadrant", "-h"}, {"signal", "help"}, {"signal", "approve", "-h"},
		{"help", "signal", "create"}, {"policy", "-h"}, {"policy", "set", "limburg", "-h"}, {"audit", "-h"}, {"export", "-h"},
	} {
		code, out, errOut := rotsctl(t, args...)
		if code != 0 || !strings.HasPrefix(out, "Gebruik: rotsctl ") || errOut != "" {
			t.Errorf("rotsctl %v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	// The help of a changing command names -request-id without a random
	// default.
	_, out, _ := rotsctl(t, "intake", "-h")
	lines := strings.Split(out, "\n")
	found := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "-request-id") && i+1 < len(lines) {
			found = true
			if desc := lines[i+1]; strings.Contains(desc, "(standaard ") || strings.Contains(desc, "default") {
				t.Errorf("-request-id shows a default: %q", desc)
			}
		}
	}
	if !found {
		t.Errorf("intake -h has no -request-id:\n%s", out)
	}
	if !strings.Contains(out, "-decision tekst") || !strings.Contains(out, "accept (aanvaarden)") {
		t.Errorf("intake -h:\n%s", out)
	}
}

func TestWrongCommands(t *testing.T) {
	isolate(t)
	code, out, errOut := rotsctl(t, "nope")
	if code != 2 || out != "" || errOut != "rotsctl: onbekende opdracht \"nope\". De opdrachten: rotsctl help\n" {
		t.Errorf("unknown command: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := rotsctl(t); code != 2 || !strings.Contains(errOut, "Gebruik:") {
		t.Errorf("no command: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := rotsctl(t, "-nope", "list"); code != 2 || !strings.Contains(errOut, "onbekende optie -nope") {
		t.Errorf("unknown global flag: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = rotsctl(t, "signal", "frobnicate")
	if code != 2 || !strings.Contains(errOut, `onbekende opdracht "frobnicate"`) {
		t.Errorf("unknown signal command: exit %d, stderr %q", code, errOut)
	}
}

func TestLoginRefusesUnknownRoleOrRegion(t *testing.T) {
	isolate(t)
	var calls int
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer issuer.Close()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-role", "boss", "-region", "limburg"}, []string{`-role "boss" bestaat niet`}},
		{[]string{"-role", "coordinator", "-region", "gent"}, []string{`-region "gent" bestaat niet`}},
		{[]string{"-role", "director", "-region", "gent"}, []string{`-role "director"`, `-region "gent"`}},
		{[]string{"-region", "limburg"}, []string{"-role ontbreekt"}},
		{[]string{"-role", "coordinator"}, []string{"-region ontbreekt"}},
		{[]string{"-role", "coordinator", "-region", "vlaanderen"}, []string{"-region vlaanderen: een coordinator hoort bij één regio"}},
		{[]string{"-role", "submitter", "-region", "limburg"}, []string{"-org ontbreekt"}},
	} {
		args := append([]string{"login", "-dev", "-issuer", issuer.URL}, tc.args...)
		code, out, errOut := rotsctl(t, args...)
		if code != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q", tc.args, code, out)
		}
		for _, w := range tc.want {
			if strings.Count(errOut, w) != 1 {
				t.Errorf("%v: want %q once in %q", tc.args, w, errOut)
			}
		}
	}
	if calls != 0 {
		t.Errorf("the issuer was asked %d times for identities that cannot work", calls)
	}
}

// devIssuer hands out unsigned tokens with the claims it is sent, like
// rotsd dev's issuer (which signs them).
func devIssuer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		payload := base64.RawURLEncoding.EncodeToString(body)
		json.NewEncoder(w).Encode(map[string]string{"access_token": "e30." + payload + ".sig"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func whoIs(t *testing.T) string {
	t.Helper()
	tok, _ := currentToken()
	c, err := readClaims(tok)
	if err != nil {
		t.Fatalf("token %q: %v", tok, err)
	}
	return c.Role + " " + c.Email
}

func TestTokenPerIdentity(t *testing.T) {
	dir := isolate(t)
	issuer := devIssuer(t).URL
	login := func(args ...string) string {
		t.Helper()
		code, out, errOut := rotsctl(t, append([]string{"login", "-dev", "-issuer", issuer}, args...)...)
		if code != 0 {
			t.Fatalf("login %v: exit %d, %s", args, code, errOut)
		}
		return out
	}
	submitter := []string{"-role", "submitter", "-region", "limburg", "-org", "Vrij CLB Limburg", "-email", "an.peeters@vclb-limburg.be"}
	out := login(submitter...)
	anFile := filepath.Join(dir, "rots", "tokens", "submitter_limburg_vrij-clb-limburg_an.peeters@vclb-limburg.be")
	if !strings.Contains(out, "export ROTS_TOKEN_FILE="+anFile) {
		t.Errorf("login does not say how to keep the terminal:\n%s", out)
	}
	if got := whoIs(t); got != "submitter an.peeters@vclb-limburg.be" {
		t.Errorf("after the submitter's login: %s", got)
	}
	// Another terminal logs in as the tandem: the submitter's file stays.
	login("-role", "coordinator", "-region", "limburg")
	tandemFile := filepath.Join(dir, "rots", "tokens", "coordinator_limburg_tandem.limburg@rots.local")
	for _, f := range []string{anFile, tandemFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v", f, st, err)
		}
	}
	if got := whoIs(t); got != "coordinator tandem.limburg@rots.local" {
		t.Errorf("a terminal without ROTS_TOKEN_FILE follows the last login: %s", got)
	}
	// A terminal pinned to the submitter stays the submitter, whatever is
	// logged in elsewhere or here.
	t.Setenv("ROTS_TOKEN_FILE", anFile)
	if got := whoIs(t); got != "submitter an.peeters@vclb-limburg.be" {
		t.Errorf("pinned terminal: %s", got)
	}
	out = login("-role", "manager", "-region", "limburg")
	if got := whoIs(t); got != "submitter an.peeters@vclb-limburg.be" {
		t.Errorf("pinned terminal after another login: %s", got)
	}
	if b, _ := os.ReadFile(anFile); !strings.Contains(claimsOf(t, string(b)), "submitter") {
		t.Error("a login overwrote another identity's token")
	}
	if !strings.Contains(out, "Let op: deze terminal blijft") || !strings.Contains(out, "manager_limburg_manager.limburg@rots.local") {
		t.Errorf("pinned login does not say how to switch:\n%s", out)
	}
	// -terminal prints just the line for eval.
	code, out, _ := rotsctl(t, "login", "-dev", "-issuer", issuer, "-terminal", "-role", "auditor", "-region", "vlaanderen")
	if code != 0 || out != "export ROTS_TOKEN_FILE="+filepath.Join(dir, "rots", "tokens", "auditor_vlaanderen_auditor@rots.local")+"\n" {
		t.Errorf("login -terminal: exit %d, %q", code, out)
	}
	// A file of the terminal's own (outside tokens/) takes the login.
	own := filepath.Join(dir, "my-terminal")
	t.Setenv("ROTS_TOKEN_FILE", own)
	login("-role", "partner", "-region", "limburg", "-org", "Vzw Arktos", "-email", "bram@arktos.example")
	if got := whoIs(t); got != "partner bram@arktos.example" {
		t.Errorf("own token file: %s", got)
	}
	// ROTS_TOKEN comes first.
	t.Setenv("ROTS_TOKEN", "abc")
	if tok, src := currentToken(); tok != "abc" || src != "ROTS_TOKEN" {
		t.Errorf("ROTS_TOKEN: %q from %q", tok, src)
	}
}

func claimsOf(t *testing.T, token string) string {
	c, err := readClaims(strings.TrimSpace(token))
	if err != nil {
		t.Fatal(err)
	}
	return c.Role
}

func TestIdentityFile(t *testing.T) {
	for _, tc := range []struct{ role, region, org, email, want string }{
		{"coordinator", "limburg", "", "tandem.limburg@rots.local", "coordinator_limburg_tandem.limburg@rots.local"},
		{"submitter", "oost-vlaanderen", "Vrij CLB Gent / Eeklo", "An.Peeters@clb.be", "submitter_oost-vlaanderen_vrij-clb-gent-eeklo_an.peeters@clb.be"},
		{"partner", "limburg", "../../etc", "x@y.be", "partner_limburg_etc_x@y.be"},
	} {
		got := filepath.Base(identityFile("/c", tc.role, tc.region, tc.org, tc.email))
		if got != tc.want || filepath.Dir(identityFile("/c", tc.role, tc.region, tc.org, tc.email)) != "/c/tokens" {
			t.Errorf("identityFile(%q, %q, %q, %q) = %q, want %q", tc.role, tc.region, tc.org, tc.email, got, tc.want)
		}
	}
}

// fakeAPI is an in-process API behind bufconn: no network.
type fakeAPI struct {
	rotsv1.UnimplementedCaseServiceServer
	rotsv1.UnimplementedSignalServiceServer
	rotsv1.UnimplementedNotificationServiceServer

	mu        sync.Mutex
	cases     []*rotsv1.Case
	events    []*rotsv1.CaseEvent
	etags     []string
	inboxes   []string
	tokens    []string
	decisions []*rotsv1.DecideIntakeRequest
	lists     []*rotsv1.ListCasesRequest
}

func (f *fakeAPI) note(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = append(f.tokens, strings.Join(md.Get("authorization"), ","))
}

func (f *fakeAPI) ListCases(ctx context.Context, req *rotsv1.ListCasesRequest) (*rotsv1.ListCasesResponse, error) {
	f.note(ctx)
	f.mu.Lock()
	f.lists = append(f.lists, req)
	f.mu.Unlock()
	var out []*rotsv1.Case
	for _, c := range f.cases {
		if req.GetReference() == "" || strings.EqualFold(c.GetReference(), req.GetReference()) {
			out = append(out, c)
		}
	}
	return &rotsv1.ListCasesResponse{Cases: out}, nil
}

func (f *fakeAPI) GetCase(ctx context.Context, req *rotsv1.GetCaseRequest) (*rotsv1.GetCaseResponse, error) {
	f.note(ctx)
	for _, c := range f.cases {
		// As the API, it takes a case by name or by reference.
		if c.GetName() == req.GetName() || req.GetName() == "cases/"+c.GetReference() {
			return &rotsv1.GetCaseResponse{Case: c}, nil
		}
	}
	return nil, status.Error(codes.NotFound, "case not found")
}

func (f *fakeAPI) ListCaseEvents(ctx context.Context, req *rotsv1.ListCaseEventsRequest) (*rotsv1.ListCaseEventsResponse, error) {
	f.note(ctx)
	return &rotsv1.ListCaseEventsResponse{Events: f.events}, nil
}

func (f *fakeAPI) DecideIntake(ctx context.Context, req *rotsv1.DecideIntakeRequest) (*rotsv1.DecideIntakeResponse, error) {
	f.note(ctx)
	f.mu.Lock()
	f.decisions = append(f.decisions, req)
	f.mu.Unlock()
	if req.GetQuestion() == "" && req.GetDecision() == rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION {
		return nil, invalid([2]string{"question", "is required with ASK_QUESTION"}, [2]string{"request_id", "was used for a different request"})
	}
	c := f.cases[0]
	return &rotsv1.DecideIntakeResponse{Case: c}, nil
}

func (f *fakeAPI) ApproveSignal(ctx context.Context, req *rotsv1.ApproveSignalRequest) (*rotsv1.ApproveSignalResponse, error) {
	f.mu.Lock()
	f.etags = append(f.etags, req.GetEtag())
	f.mu.Unlock()
	if req.GetEtag() != "" && req.GetEtag() != `"3"` {
		return nil, status.Error(codes.Aborted, "the signal changed since you read it")
	}
	return &rotsv1.ApproveSignalResponse{Signal: &rotsv1.Signal{Name: req.GetName(), State: rotsv1.SignalState_SIGNAL_STATE_APPROVED, Etag: `"4"`}}, nil
}

func (f *fakeAPI) ListNotifications(ctx context.Context, req *rotsv1.ListNotificationsRequest) (*rotsv1.ListNotificationsResponse, error) {
	f.mu.Lock()
	f.inboxes = append(f.inboxes, req.GetRecipient())
	f.mu.Unlock()
	return &rotsv1.ListNotificationsResponse{Notifications: []*rotsv1.Notification{{
		Name: "notifications/7", Case: f.cases[0].GetName(), Recipient: "an.peeters@vclb-limburg.be",
		Subject: "[ROTS Limburg] ROTS-1A2B3C4D: actie gevraagd", CreateTime: timestamppb.New(utc("2026-12-15T13:03:00Z")),
	}}}, nil
}

func startFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	api := &fakeAPI{
		cases: []*rotsv1.Case{{
			Name: "cases/" + testID, Reference: "ROTS-1A2B3C4D", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_INTAKE,
			YoungPerson: &rotsv1.YoungPerson{Alias: "J.", BirthYear: 2012, BirthMonth: 5}, Rung: 1,
			SubmitTime: timestamppb.New(utc("2026-12-15T13:03:00Z")),
		}},
		events: timeline,
	}
	l := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	rotsv1.RegisterCaseServiceServer(srv, api)
	rotsv1.RegisterSignalServiceServer(srv, api)
	rotsv1.RegisterNotificationServiceServer(srv, api)
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	old := dial
	dial = func(string) (grpc.ClientConnInterface, io.Closer, error) {
		conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }))
		return conn, conn, err
	}
	t.Cleanup(func() { dial = old })
	return api
}

func TestCommandsAgainstAnAPI(t *testing.T) {
	isolate(t)
	t.Setenv("ROTS_TOKEN", "tok-1")
	api := startFakeAPI(t)

	// show by reference, in any case: the API takes "cases/ROTS-…".
	code, out, errOut := rotsctl(t, "show", "rots-1a2b3c4d")
	if code != 0 {
		t.Fatalf("show: exit %d, %s", code, errOut)
	}
	for _, want := range []string{"Dossier    ROTS-1A2B3C4D (cases/" + testID + ")\n", "Fase       intake\n", "Escalatie  trede 1 (herinnering)\n",
		"Jongere    J., geboren mei 2012\n", "Aangemeld  di 15 dec 2026 14:03\n", "\nTijdlijn\n", "aangemeld → intake"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if api.tokens[0] != "Bearer tok-1" {
		t.Errorf("authorization = %q", api.tokens[0])
	}

	// -json, before or after the case: snake_case.
	for _, args := range [][]string{{"show", "ROTS-1A2B3C4D", "-json"}, {"-json", "show", "ROTS-1A2B3C4D"}} {
		_, out, _ = rotsctl(t, args...)
		var doc struct {
			Case   map[string]any   `json:"case"`
			Events []map[string]any `json:"events"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Case["reference"] != "ROTS-1A2B3C4D" || doc.Case["young_person"] == nil ||
			len(doc.Events) != 3 || doc.Events[1]["from_stage"] != "STAGE_SUBMITTED" {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}

	// The werkbak: open cases by urgency, with a search.
	if code, _, errOut := rotsctl(t, "list", "-order", "urgency", "-open", "-query", " Noor "); code != 0 {
		t.Errorf("list -order urgency: exit %d, %s", code, errOut)
	} else if l := api.lists[len(api.lists)-1]; l.GetOrderBy() != "urgency" || !l.GetOpenOnly() || l.GetQuery() != "Noor" {
		t.Errorf("list -order urgency -open -query sent %v", l)
	}
	if code, _, _ := rotsctl(t, "list"); code != 0 || api.lists[len(api.lists)-1].GetOrderBy() != "" {
		t.Errorf("list: exit %d, sent %v", code, api.lists[len(api.lists)-1])
	}
	if code, _, errOut := rotsctl(t, "list", "-order", "rung"); code != 2 || !strings.Contains(errOut, "kies newest of urgency") {
		t.Errorf("list -order rung: exit %d, %s", code, errOut)
	}

	// A changing command by reference; the server's violations by flag,
	// each once.
	code, _, errOut = rotsctl(t, "intake", "ROTS-1A2B3C4D", "-decision", "ask", "-request-id", "r-7")
	if code != 1 {
		t.Errorf("intake with violations: exit %d", code)
	}
	want := "rotsctl intake: ongeldige invoer (InvalidArgument):\n  -question: is required with ASK_QUESTION  [question]\n  -request-id: was used for a different request  [request_id]\n"
	if errOut != want {
		t.Errorf("intake errors:\n%s\nwant\n%s", errOut, want)
	}
	if d := api.decisions[len(api.decisions)-1]; d.GetName() != "cases/ROTS-1A2B3C4D" || d.GetRequestId() != "r-7" {
		t.Errorf("DecideIntake got %v", d)
	}
	code, out, _ = rotsctl(t, "intake", "-decision", "accept", "cases/"+testID)
	if code != 0 || !strings.Contains(out, "Fase") {
		t.Errorf("intake accept: exit %d\n%s", code, out)
	}
	if d := api.decisions[len(api.decisions)-1]; len(d.GetRequestId()) != 36 {
		t.Errorf("default request ID %q is not a UUID", d.GetRequestId())
	}

	// -etag 3 and -etag '"3"' are the same version.
	for _, etag := range []string{"3", `"3"`} {
		if code, out, errOut := rotsctl(t, "signal", "approve", "signals/s1", "-etag", etag); code != 0 || !strings.Contains(out, "goedgekeurd") {
			t.Errorf("signal approve -etag %s: exit %d, %s%s", etag, code, out, errOut)
		}
	}
	if api.etags[0] != `"3"` || api.etags[1] != `"3"` {
		t.Errorf("etags sent: %q", api.etags)
	}

	// inbox without an address asks for the caller's own.
	code, out, _ = rotsctl(t, "inbox")
	if code != 0 || api.inboxes[0] != "" || !strings.Contains(out, "Inbox van an.peeters@vclb-limburg.be") || !strings.Contains(out, "ROTS-1A2B3C4D: actie gevraagd") {
		t.Errorf("inbox: exit %d, recipient asked %q\n%s", code, api.inboxes, out)
	}

	// A reference nobody has.
	code, _, errOut = rotsctl(t, "show", "ROTS-FFFFFFFF")
	if code != 1 || errOut != "rotsctl show: niet gevonden (NotFound): case not found\n" {
		t.Errorf("unknown reference: exit %d, %q", code, errOut)
	}
	// A name that is neither, or a flag given wrongly: refused before any
	// call (a lookup would be in the access log).
	n := len(api.tokens)
	code, _, errOut = rotsctl(t, "show", "1A2B3C4D")
	if code != 2 || len(api.tokens) != n || !strings.Contains(errOut, "Zie: rotsctl show -h") {
		t.Errorf("bad case name: exit %d, %d calls, %q", code, len(api.tokens)-n, errOut)
	}
	code, _, errOut = rotsctl(t, "intake", "ROTS-1A2B3C4D", "-decision", "maybe")
	if code != 2 || len(api.tokens) != n || errOut != "rotsctl intake: -decision \"maybe\": kies accept, ask of decline\nZie: rotsctl intake -h\n" {
		t.Errorf("bad flag: exit %d, %d calls, %q", code, len(api.tokens)-n, errOut)
	}
}
