package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/testbed/rotsdproc"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

// rotsd dev serves the API as JSON over HTTP: a whole case path, from
// submission through a question, the consult, the table and follow-up to
// closure, over plain net/http with tokens of the development issuer, each
// call found by its operationId in the OpenAPI document that rotsd serves.
// Errors come back as google.rpc.Status with the HTTP status of their code.
func TestHTTPCasePath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dbURL, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	temporalPort, err := rotsdproc.FreePortRange(8)
	if err != nil {
		t.Fatal(err)
	}
	var ports [2]int
	for i := range ports {
		if ports[i], err = rotsdproc.FreePort(); err != nil {
			t.Fatal(err)
		}
	}
	issuerAddr, httpAddr := "127.0.0.1:"+strconv.Itoa(ports[0]), "127.0.0.1:"+strconv.Itoa(ports[1])
	cfg, err := loadConfig("dev", []string{"-listen", "127.0.0.1:0", "-dev-issuer", issuerAddr, "-database-url", dbURL,
		"-data-dir", t.TempDir(), "-temporal-port", strconv.Itoa(temporalPort), "-web-listen", "", "-http-listen", httpAddr}, lookupIn(nil))
	if err != nil {
		t.Fatal(err)
	}
	logs := runUntilReady(ctx, t, cfg, func() {
		api := openAPIClient(t, "http://"+httpAddr)
		tokens := devTokens{t: t, issuer: "http://" + issuerAddr}
		replayCasePath(t, api, tokens)
	})
	if !strings.Contains(logs, `"http":"http://`+httpAddr+`"`) {
		t.Errorf("the ready line does not name the HTTP address %s:\n%s", httpAddr, logs)
	}
	// The JSON bodies held personal data; the log holds none of it.
	for _, secret := range []string{httpAlias, httpSchool, httpBlocked} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// Personal data of the case sent over HTTP; none of it may reach the log.
const (
	httpAlias   = "Wannes"
	httpSchool  = "Sint-Lodewijkscollege Lier"
	httpBlocked = "Durft sinds de paasvakantie niet meer naar school"
)

func replayCasePath(t *testing.T, api *httpAPI, tokens devTokens) {
	org := "Vrij CLB Kempen"
	clb := tokens.get("submitter", "limburg", org)
	tandem := tokens.get("coordinator", "limburg", "")
	elsewhere := tokens.get("coordinator", "oost-vlaanderen", "")
	auditor := tokens.get("auditor", "vlaanderen", "")

	submit := map[string]any{
		"request_id":              uuid.NewString(),
		"region":                  "REGION_LIMBURG",
		"submitting_organisation": map[string]any{"name": org, "kind": "ORGANISATION_KIND_CLB"},
		"contact":                 map[string]any{"name": "Els Wouters", "email": "els.wouters@vclb-kempen.be"},
		"young_person": map[string]any{"alias": httpAlias, "birth_year": 2012, "birth_month": 9,
			"school_level": "SCHOOL_LEVEL_SECUNDAIR", "grade": 2, "school": httpSchool, "municipality": "Lier"},
		"blocked":     httpBlocked,
		"tried":       []string{"Gesprekken met de leerlingenbegeleiding"},
		"themes":      []string{"THEME_ABSENCE"},
		"attestation": map[string]any{"clb_stuck": true, "youth_care_stuck": true, "young_person_and_parents_informed": true},
	}

	// No token: 401, as a google.rpc.Status.
	code, st := api.call("CaseService_SubmitCase", "", nil, submit)
	wantStatus(t, "no token", code, st, http.StatusUnauthorized, 16)
	if got := api.lastHeader.Get("WWW-Authenticate"); got != `Bearer realm="rots"` {
		t.Errorf("no token: WWW-Authenticate %q", got)
	}

	// Bad input: 400 with a BadRequest naming each field.
	bad := with(submit, "attestation", map[string]any{"clb_stuck": true})
	bad["request_id"] = uuid.NewString()
	code, st = api.call("CaseService_SubmitCase", clb, nil, bad)
	wantStatus(t, "no attestation", code, st, http.StatusBadRequest, 3)
	if got := violations(st); !slices.Contains(got, "attestation.youth_care_stuck") || !slices.Contains(got, "attestation.young_person_and_parents_informed") {
		t.Errorf("no attestation: field violations %v, want attestation.youth_care_stuck and attestation.young_person_and_parents_informed:\n%v", got, st)
	}
	// A field the API does not know is refused, not dropped.
	code, st = api.call("CaseService_SubmitCase", clb, nil, with(submit, "young_persn", map[string]any{}))
	wantStatus(t, "unknown field", code, st, http.StatusBadRequest, 3)

	// Submitted twice with the same request_id: one case.
	c := api.ok("CaseService_SubmitCase", clb, nil, submit)["case"].(map[string]any)
	again := api.ok("CaseService_SubmitCase", clb, nil, submit)["case"].(map[string]any)
	name, _ := c["name"].(string)
	id, found := strings.CutPrefix(name, "cases/")
	if !found || again["name"] != name {
		t.Fatalf("submitted %q, again %q", name, again["name"])
	}
	list := api.ok("CaseService_ListCases", clb, nil, url.Values{"submitting_organisation": {org}})
	if cases, _ := list["cases"].([]any); len(cases) != 1 {
		t.Errorf("the organisation's cases after a retried submission: %d, want 1", len(cases))
	}
	caseParam := map[string]string{"case": id}

	// Another region's tandem: the case does not exist for them.
	code, st = api.call("CaseService_GetCase", elsewhere, caseParam, nil)
	wantStatus(t, "another region", code, st, http.StatusNotFound, 5)

	// The coordinator's search by alias, posted so that it stays out of the
	// address.
	found2 := api.ok("CaseService_ListCases2", tandem, nil, map[string]any{"query": httpAlias})
	if cases, _ := found2["cases"].([]any); len(cases) != 1 {
		t.Errorf("search by alias: %d cases, want 1", len(cases))
	}

	step := func(op, token string, body map[string]any, wantStage string) map[string]any {
		t.Helper()
		body["request_id"] = uuid.NewString()
		resp := api.ok(op, token, caseParam, body)
		got, _ := resp["case"].(map[string]any)
		if got["stage"] != wantStage {
			t.Fatalf("%s: stage %v, want %s", op, got["stage"], wantStage)
		}
		return got
	}
	// A stage command at the wrong stage: FAILED_PRECONDITION is 400.
	code, st = api.call("CaseService_CloseCase", tandem, caseParam, map[string]any{"request_id": uuid.NewString(), "reason": "CLOSURE_REASON_BACK_AT_SCHOOL"})
	wantStatus(t, "close in intake", code, st, http.StatusBadRequest, 9)

	step("CaseService_DecideIntake", tandem, map[string]any{"decision": "INTAKE_DECISION_ASK_QUESTION", "question": "Is de jeugdhulp al betrokken?"}, "STAGE_NEEDS_INFO")
	step("CaseService_AnswerQuestion", clb, map[string]any{"answer": "Ja, sinds maart"}, "STAGE_INTAKE")
	step("CaseService_DecideIntake", tandem, map[string]any{"decision": "INTAKE_DECISION_ACCEPT"}, "STAGE_CONSULT")
	step("CaseService_RecordConsult", tandem, map[string]any{"advice": "Overlegtafel met school en jeugdhulp", "decision": "CONSULT_DECISION_CONVENE_TABLE"}, "STAGE_TABLE")
	convened := api.ok("ConsultationService_ConveneTable", tandem, caseParam, map[string]any{"request_id": uuid.NewString(),
		"participants": []any{map[string]any{"kind": "PARTICIPANT_KIND_PARTNER", "organisation": "Vzw Arktos", "name": "Pieter Claes", "email": "pieter.claes@arktos.be"}}})
	if p, _ := convened["participants"].([]any); len(p) != 1 {
		t.Errorf("ConveneTable: participants %v", convened["participants"])
	}
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	step("CaseService_RecordTableOutcome", tandem, map[string]any{"offer": "Halve dagen school met time-out",
		"agreements": []any{map[string]any{"action": "Time-outtraject starten", "owner_organisation": "Vzw Arktos", "due_date": due}}}, "STAGE_FOLLOW_UP")
	updated := api.ok("ConsultationService_UpdateAgreement", tandem, caseParam, map[string]any{"request_id": uuid.NewString(), "index": 0, "status": "AGREEMENT_STATUS_DONE"})
	if a, _ := updated["case"].(map[string]any)["agreements"].([]any); len(a) != 1 || a[0].(map[string]any)["status"] != "AGREEMENT_STATUS_DONE" {
		t.Errorf("UpdateAgreement: agreements %v", updated["case"].(map[string]any)["agreements"])
	}
	closeReq := map[string]any{"reason": "CLOSURE_REASON_BACK_AT_SCHOOL", "note": "Volledig terug op school"}
	closed := step("CaseService_CloseCase", tandem, closeReq, "STAGE_CLOSED")
	if closed["closure_reason"] != "CLOSURE_REASON_BACK_AT_SCHOOL" {
		t.Errorf("closed case: closure_reason %v", closed["closure_reason"])
	}

	// The submitter reads it back with a purpose other than a read's
	// default (opvolging); the timeline has every step; the auditor finds
	// the read under that purpose.
	got := api.ok("CaseService_GetCase", clb, caseParam, nil, "Rots-Purpose", "behandeling")["case"].(map[string]any)
	if got["stage"] != "STAGE_CLOSED" || got["reference"] != c["reference"] {
		t.Errorf("GetCase: stage %v reference %v", got["stage"], got["reference"])
	}
	events := api.ok("CaseService_ListCaseEvents", tandem, caseParam, url.Values{"page_size": {"100"}})
	var kinds []string
	for _, e := range events["events"].([]any) {
		kinds = append(kinds, fmt.Sprint(e.(map[string]any)["kind"]))
	}
	for _, want := range []string{"submitted", "intake.question_asked", "question.answered", "intake.accepted", "consult.convene_table", "table.convened", "table.outcome", "agreement.updated", "closed"} {
		if !slices.Contains(kinds, want) {
			t.Errorf("timeline %v lacks %s", kinds, want)
		}
	}
	entries := api.ok("AuditService_ListAccessLog2", auditor, nil, map[string]any{"case": name, "purpose": "behandeling"})
	var reads []string
	for _, e := range entries["entries"].([]any) {
		if e := e.(map[string]any); e["action"] == "GetCase" {
			reads = append(reads, fmt.Sprint(e["actor"]))
		}
	}
	if !slices.Equal(reads, []string{"submitter.limburg@http.test"}) {
		t.Errorf("GetCase in the access log under purpose behandeling, by %v; want the submitter's one", reads)
	}
}

// httpAPI calls the API over HTTP by the routes of its OpenAPI document.
type httpAPI struct {
	t      *testing.T
	base   string
	routes map[string]route // by operationId
	// lastHeader is the header of the latest answer.
	lastHeader http.Header
}

type route struct{ method, path string }

// openAPIClient reads the document rotsd serves, without a token.
func openAPIClient(t *testing.T, base string) *httpAPI {
	t.Helper()
	resp, err := http.Get(base + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.yaml: %d %v", resp.StatusCode, err)
	}
	var doc openapi2.T
	if err := openapi2.UnmarshalFromData(b, &doc); err != nil {
		t.Fatalf("GET /openapi.yaml: %v", err)
	}
	api := &httpAPI{t: t, base: base + doc.BasePath, routes: map[string]route{}}
	for path, item := range doc.Paths {
		for method, op := range item.Operations() {
			api.routes[op.OperationID] = route{method, path}
		}
	}
	return api
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// call sends body (JSON, or url.Values as the query) to the operation,
// with the path's parameters from params and extra headers as name, value
// pairs, and returns the status and the decoded JSON answer.
func (a *httpAPI) call(operationID, token string, params map[string]string, body any, header ...string) (int, map[string]any) {
	a.t.Helper()
	r, ok := a.routes[operationID]
	if !ok {
		a.t.Fatalf("the OpenAPI document has no operation %s", operationID)
	}
	path := pathParam.ReplaceAllStringFunc(r.path, func(p string) string {
		v, ok := params[p[1:len(p)-1]]
		if !ok {
			a.t.Fatalf("%s: no value for %s of %s", operationID, p, r.path)
		}
		return url.PathEscape(v)
	})
	var reqBody io.Reader
	switch b := body.(type) {
	case nil:
	case url.Values:
		path += "?" + b.Encode()
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		reqBody = bytes.NewReader(j)
	}
	req, err := http.NewRequest(r.method, a.base+path, reqBody)
	if err != nil {
		a.t.Fatal(err)
	}
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", r.method, path, err)
	}
	defer resp.Body.Close()
	a.lastHeader = resp.Header
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatalf("%s %s: %d, not JSON: %v", r.method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// ok is call that fails the test unless the answer is 200.
func (a *httpAPI) ok(operationID, token string, params map[string]string, body any, header ...string) map[string]any {
	a.t.Helper()
	code, out := a.call(operationID, token, params, body, header...)
	if code != http.StatusOK {
		a.t.Fatalf("%s: %d %v", operationID, code, out)
	}
	return out
}

// wantStatus checks an error answer: the HTTP status and the
// google.rpc.Status code and message.
func wantStatus(t *testing.T, what string, code int, st map[string]any, wantHTTP int, wantCode float64) {
	t.Helper()
	if code != wantHTTP || st["code"] != wantCode || st["message"] == "" {
		t.Errorf("%s: %d %v, want %d with a google.rpc.Status of code %v", what, code, st, wantHTTP, wantCode)
	}
}

// violations are the fields a google.rpc.Status's BadRequest names.
func violations(st map[string]any) []string {
	var fields []string
	details, _ := st["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		if d["@type"] != "type.googleapis.com/google.rpc.BadRequest" {
			continue
		}
		fvs, _ := d["field_violations"].([]any)
		for _, fv := range fvs {
			fields = append(fields, fmt.Sprint(fv.(map[string]any)["field"]))
		}
	}
	return fields
}

// with is a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	c := maps.Clone(m)
	c[key] = v
	return c
}

// devTokens gets tokens from the development issuer's token endpoint, as
// the README's curl does.
type devTokens struct {
	t      *testing.T
	issuer string
}

func (d devTokens) get(role, region, org string) string {
	d.t.Helper()
	email := role + "." + region + "@http.test"
	body, _ := json.Marshal(map[string]string{"sub": email, "email": email, "rots_role": role, "rots_region": region, "rots_org": org})
	resp, err := http.Post(d.issuer+"/token", "application/json", bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		d.t.Fatalf("token for %s: %d %v", role, resp.StatusCode, err)
	}
	return tok.AccessToken
}
