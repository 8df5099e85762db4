package auditservice_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/auditservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// The access log is one chain for the whole database, so every test logs
// under fresh case IDs and actor names and lists only by those.

func newServer(t *testing.T) (*auditservice.Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, dbURL)
	return auditservice.New(db, slog.New(slog.DiscardHandler)), db
}

// auditor is the context of a call by the data-protection officer.
var auditor = auth.NewContext(context.Background(), auth.Principal{Subject: "dpo", Email: "dpo@rots-vlaanderen.be", Role: auth.Auditor})

func person(who string) string { return who + "-" + uuid.NewString()[:8] + "@rots.example" }

// logEach writes the entries one call at a time, as separate requests do,
// and returns them as stored (times in microseconds).
func logEach(t *testing.T, db *store.DB, entries ...store.Access) []store.Access {
	t.Helper()
	for i := range entries {
		if err := db.LogAccess(context.Background(), entries[i:i+1]); err != nil {
			t.Fatal(err)
		}
		entries[i].At = entries[i].At.UTC().Truncate(time.Microsecond)
	}
	return entries
}

func list(t *testing.T, s *auditservice.Server, req *rotsv1.ListAccessLogRequest) *rotsv1.ListAccessLogResponse {
	t.Helper()
	resp, err := s.ListAccessLog(auditor, req)
	if err != nil {
		t.Fatalf("ListAccessLog(%v): %v", req, err)
	}
	return resp
}

// summary is what a test compares of an entry: who did what to which case
// when.
func summary(e *rotsv1.AccessLogEntry) string {
	return fmt.Sprintf("%s %s %s %s %s %s", e.GetAccessTime().AsTime().UTC().Format(time.RFC3339Nano), e.GetActor(), e.GetRole(), e.GetCase(), e.GetAction(), e.GetPurpose())
}

func summaries(es []*rotsv1.AccessLogEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, summary(e))
	}
	return out
}

// newestFirst is how the API lists the entries: the last logged first.
func newestFirst(entries ...store.Access) []string {
	var out []string
	for _, a := range slices.Backward(entries) {
		name := ""
		if a.CaseID != "" {
			name = "cases/" + a.CaseID
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", a.At.Format(time.RFC3339Nano), a.Actor, a.Role, name, a.Action, a.Purpose))
	}
	return out
}

func TestByCaseAndActor(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseA, caseB := uuid.NewString(), uuid.NewString()
	tandem, clb := person("tandem"), person("clb")
	base := time.Now().Add(-time.Hour)
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	e := logEach(t, db,
		store.Access{At: at(1), Actor: clb, Role: auth.Submitter, CaseID: caseA, Action: "SubmitCase", Purpose: "behandeling"},
		store.Access{At: at(2), Actor: tandem, Role: auth.Coordinator, CaseID: caseA, Action: "GetCase", Purpose: "opvolging"},
		store.Access{At: at(3), Actor: tandem, Role: auth.Coordinator, CaseID: caseB, Action: "DecideIntake", Purpose: "behandeling"},
		// A call that read no one case (a listing that came back empty).
		store.Access{At: at(4), Actor: tandem, Role: auth.Coordinator, Action: "ListCases", Purpose: "opvolging"},
		store.Access{At: at(5), Actor: clb, Role: auth.Submitter, CaseID: caseA, Action: "ExportCase", Purpose: "inzage"},
	)

	cases := []struct {
		name string
		req  *rotsv1.ListAccessLogRequest
		want []string
	}{
		{"case A", &rotsv1.ListAccessLogRequest{Case: "cases/" + caseA}, newestFirst(e[0], e[1], e[4])},
		{"case B", &rotsv1.ListAccessLogRequest{Case: "cases/" + caseB}, newestFirst(e[2])},
		{"the tandem", &rotsv1.ListAccessLogRequest{Actor: tandem}, newestFirst(e[1], e[2], e[3])},
		{"the tandem on case A", &rotsv1.ListAccessLogRequest{Case: "cases/" + caseA, Actor: tandem}, newestFirst(e[1])},
		{"the CLB on case B", &rotsv1.ListAccessLogRequest{Case: "cases/" + caseB, Actor: clb}, nil},
		{"a case never read", &rotsv1.ListAccessLogRequest{Case: "cases/" + uuid.NewString()}, nil},
	}
	for _, c := range cases {
		resp := list(t, s, c.req)
		if got := summaries(resp.GetEntries()); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if resp.GetNextPageToken() != "" {
			t.Errorf("%s: next_page_token %q on the only page", c.name, resp.GetNextPageToken())
		}
	}

	// Sequence numbers fall as the list goes back in time, and each entry
	// carries its own SHA-256 chain hash.
	all := list(t, s, &rotsv1.ListAccessLogRequest{Actor: tandem}).GetEntries()
	seen := map[string]bool{}
	for i, entry := range all {
		if i > 0 && entry.GetSequence() >= all[i-1].GetSequence() {
			t.Errorf("sequence %d after %d: not newest first", entry.GetSequence(), all[i-1].GetSequence())
		}
		if b, err := hex.DecodeString(entry.GetHash()); err != nil || len(b) != 32 || seen[entry.GetHash()] {
			t.Errorf("entry %d: hash %q is not a fresh hex SHA-256", entry.GetSequence(), entry.GetHash())
		}
		seen[entry.GetHash()] = true
	}
}

func TestNewestFirstWithinOneWrite(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, actor := uuid.NewString(), person("tandem")
	start := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
	var entries []store.Access
	for i := range 3 {
		entries = append(entries, store.Access{At: start.Add(time.Duration(i) * time.Second), Actor: actor, Role: auth.Coordinator,
			CaseID: caseID, Action: fmt.Sprintf("Call%d", i), Purpose: "behandeling"})
	}
	// One call that logs several entries (a page of cases) keeps their order.
	if err := db.LogAccess(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	got := list(t, s, &rotsv1.ListAccessLogRequest{Case: "cases/" + caseID}).GetEntries()
	if want := newestFirst(entries...); !slices.Equal(summaries(got), want) {
		t.Errorf("got %q\nwant %q", summaries(got), want)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].GetAccessTime().AsTime().Before(got[i-1].GetAccessTime().AsTime()) {
			t.Errorf("entry %d at %v is not older than the one before it at %v", i, got[i].GetAccessTime().AsTime(), got[i-1].GetAccessTime().AsTime())
		}
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, other, actor := uuid.NewString(), uuid.NewString(), person("tandem")
	var entries []store.Access
	for i := range 5 {
		entries = append(entries, store.Access{At: time.Now().Add(time.Duration(i-10) * time.Minute), Actor: actor, Role: auth.Coordinator,
			CaseID: caseID, Action: "GetCase", Purpose: "opvolging"})
	}
	entries = logEach(t, db, entries...)
	logEach(t, db, store.Access{At: time.Now(), Actor: actor, Role: auth.Coordinator, CaseID: other, Action: "GetCase", Purpose: "opvolging"})

	// Pages of two: 5 4 | 3 2 | 1.
	name := "cases/" + caseID
	var got []string
	var tokens []string
	var last int64 // the sequence the first page ends with
	token := ""
	for page := 0; ; page++ {
		resp := list(t, s, &rotsv1.ListAccessLogRequest{Case: name, PageSize: 2, PageToken: token})
		if n := len(resp.GetEntries()); n != min(2, 5-2*page) {
			t.Fatalf("page %d has %d entries", page, n)
		}
		if page == 0 {
			last = resp.GetEntries()[1].GetSequence()
		}
		got = append(got, summaries(resp.GetEntries())...)
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		tokens = append(tokens, token)
	}
	if want := newestFirst(entries...); !slices.Equal(got, want) {
		t.Errorf("paged through\n got %q\nwant %q", got, want)
	}
	if len(tokens) != 2 {
		t.Fatalf("%d next-page tokens, want 2", len(tokens))
	}

	// A token is bound to the filters it was made for.
	refused := []struct {
		name string
		req  *rotsv1.ListAccessLogRequest
	}{
		{"another case", &rotsv1.ListAccessLogRequest{Case: "cases/" + other, PageToken: tokens[0]}},
		{"an actor added", &rotsv1.ListAccessLogRequest{Case: name, Actor: actor, PageToken: tokens[0]}},
		{"the case dropped", &rotsv1.ListAccessLogRequest{PageToken: tokens[0]}},
		{"the case dropped for its actor", &rotsv1.ListAccessLogRequest{Actor: actor, PageToken: tokens[0]}},
		{"another listing's token", &rotsv1.ListAccessLogRequest{Case: name, PageToken: rpc.Token(last, "inbox", name, "")}},
		{"not a token", &rotsv1.ListAccessLogRequest{Case: name, PageToken: "bm90IGEgdG9rZW4"}},
	}
	for _, c := range refused {
		_, err := s.ListAccessLog(auditor, c.req)
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"page_token"}) {
			t.Errorf("%s: fields %v, want [page_token]", c.name, got)
		}
	}
	// The same filters again take it.
	if resp := list(t, s, &rotsv1.ListAccessLogRequest{Case: name, PageSize: 2, PageToken: tokens[1]}); len(resp.GetEntries()) != 1 {
		t.Errorf("last page again: %d entries, want 1", len(resp.GetEntries()))
	}
}

func TestPageSize(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID := uuid.NewString()
	entries := make([]store.Access, 101)
	for i := range entries {
		entries[i] = store.Access{At: time.Now(), Actor: "systeem", Role: auth.Coordinator, CaseID: caseID, Action: "GetCase", Purpose: "opvolging"}
	}
	if err := db.LogAccess(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	name := "cases/" + caseID
	for _, c := range []struct {
		size int32
		want int
	}{{0, 20}, {7, 7}, {100, 100}, {1000, 100}} {
		resp := list(t, s, &rotsv1.ListAccessLogRequest{Case: name, PageSize: c.size})
		if len(resp.GetEntries()) != c.want || resp.GetNextPageToken() == "" {
			t.Errorf("page_size %d: %d entries, next %q; want %d and a next page", c.size, len(resp.GetEntries()), resp.GetNextPageToken(), c.want)
		}
	}
	_, err := s.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: name, PageSize: -1})
	if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"page_size"}) {
		t.Errorf("negative page_size: fields %v", got)
	}
}

func TestMalformedCase(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	id := uuid.NewString()
	for _, bad := range []string{id, "cases/", "cases/123", "case/" + id, "signals/" + id, "cases/" + id + "/events"} {
		_, err := s.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: bad})
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"case"}) {
			t.Errorf("case %q: fields %v, want [case]", bad, got)
		}
	}
	// Every problem at once.
	_, err := s.ListAccessLog(auditor, &rotsv1.ListAccessLogRequest{Case: "cases/123", PageSize: -3, PageToken: "%%"})
	if got, want := rpctest.Violated(t, err), []string{"case", "page_size", "page_token"}; !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

// By purpose and by period, alone and with the case or the actor; the
// period's start is inclusive, its end exclusive.
func TestByPurposeAndPeriod(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	caseID, tandem, dpo := uuid.NewString(), person("tandem"), person("dpo")
	base := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Microsecond)
	at := func(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }
	e := logEach(t, db,
		store.Access{At: at(0), Actor: tandem, Role: auth.Coordinator, CaseID: caseID, Action: "GetCase", Purpose: "opvolging"},
		store.Access{At: at(10), Actor: tandem, Role: auth.Coordinator, CaseID: caseID, Action: "DecideIntake", Purpose: "behandeling"},
		store.Access{At: at(20), Actor: dpo, Role: auth.Auditor, CaseID: caseID, Action: "ExportCase", Purpose: "inzage"},
		store.Access{At: at(30), Actor: tandem, Role: auth.Coordinator, CaseID: caseID, Action: "GetCase", Purpose: "opvolging"},
	)
	name := "cases/" + caseID
	for _, c := range []struct {
		name string
		req  *rotsv1.ListAccessLogRequest
		want []string
	}{
		{"reads for follow-up", &rotsv1.ListAccessLogRequest{Case: name, Purpose: "opvolging"}, newestFirst(e[0], e[3])},
		{"subject access", &rotsv1.ListAccessLogRequest{Case: name, Purpose: "inzage"}, newestFirst(e[2])},
		{"from the second to the last, exclusive", &rotsv1.ListAccessLogRequest{Case: name,
			FromTime: timestamppb.New(at(10)), ToTime: timestamppb.New(at(30))}, newestFirst(e[1], e[2])},
		{"from only", &rotsv1.ListAccessLogRequest{Case: name, FromTime: timestamppb.New(at(11))}, newestFirst(e[2], e[3])},
		{"to only", &rotsv1.ListAccessLogRequest{Case: name, ToTime: timestamppb.New(at(10))}, newestFirst(e[0])},
		{"the tandem, for follow-up, in the period", &rotsv1.ListAccessLogRequest{Actor: tandem, Purpose: "opvolging",
			FromTime: timestamppb.New(at(1)), ToTime: timestamppb.New(at(31))}, newestFirst(e[3])},
		{"the auditor, for treatment", &rotsv1.ListAccessLogRequest{Actor: dpo, Purpose: "behandeling"}, nil},
	} {
		if got := summaries(list(t, s, c.req).GetEntries()); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}

	// Pages keep the filters; a token does not go with another purpose or period.
	first := list(t, s, &rotsv1.ListAccessLogRequest{Case: name, Purpose: "opvolging", PageSize: 1})
	if len(first.GetEntries()) != 1 || first.GetNextPageToken() == "" {
		t.Fatalf("first page: %v", first)
	}
	second := list(t, s, &rotsv1.ListAccessLogRequest{Case: name, Purpose: "opvolging", PageSize: 1, PageToken: first.GetNextPageToken()})
	if got := summaries(second.GetEntries()); !slices.Equal(got, newestFirst(e[0])) || second.GetNextPageToken() != "" {
		t.Errorf("second page %q, next %q", got, second.GetNextPageToken())
	}
	for _, req := range []*rotsv1.ListAccessLogRequest{
		{Case: name, Purpose: "behandeling", PageToken: first.GetNextPageToken()},
		{Case: name, Purpose: "opvolging", FromTime: timestamppb.New(at(0)), PageToken: first.GetNextPageToken()},
	} {
		_, err := s.ListAccessLog(auditor, req)
		if got := rpctest.Violated(t, err); !slices.Equal(got, []string{"page_token"}) {
			t.Errorf("%v: fields %v, want [page_token]", req, got)
		}
	}
}

func TestBadPurposeAndPeriod(t *testing.T) {
	t.Parallel()
	s, _ := newServer(t)
	now := time.Now()
	for _, c := range []struct {
		req  *rotsv1.ListAccessLogRequest
		want []string
	}{
		{&rotsv1.ListAccessLogRequest{Purpose: "nieuwsgierigheid"}, []string{"purpose"}},
		{&rotsv1.ListAccessLogRequest{Purpose: "Opvolging"}, []string{"purpose"}},
		{&rotsv1.ListAccessLogRequest{FromTime: timestamppb.New(now), ToTime: timestamppb.New(now)}, []string{"to_time"}},
		{&rotsv1.ListAccessLogRequest{FromTime: timestamppb.New(now), ToTime: timestamppb.New(now.Add(-time.Hour))}, []string{"to_time"}},
		{&rotsv1.ListAccessLogRequest{FromTime: &timestamppb.Timestamp{Seconds: 1, Nanos: -1}}, []string{"from_time"}},
		{&rotsv1.ListAccessLogRequest{Purpose: "x", ToTime: &timestamppb.Timestamp{Nanos: 2e9}, PageSize: -1}, []string{"page_size", "purpose", "to_time"}},
	} {
		_, err := s.ListAccessLog(auditor, c.req)
		if got := rpctest.Violated(t, err); !slices.Equal(got, c.want) {
			t.Errorf("%v: fields %v, want %v", c.req, got, c.want)
		}
	}
}

// The entries of a stored case carry its reference.
func TestEntryReference(t *testing.T) {
	t.Parallel()
	s, db := newServer(t)
	at := time.Now().UTC().Truncate(time.Microsecond)
	c, _, err := db.CreateCase(context.Background(), &store.Case{ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG",
		Stage: "INTAKE", OrgName: "CLB", OrgKind: "CLB", YoungPerson: store.YoungPerson{Alias: "J."}, Tried: []string{"x"}, Themes: []string{"ABSENCE"}, SubmittedAt: at, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	logEach(t, db, store.Access{At: at, Actor: person("tandem"), Role: auth.Coordinator, CaseID: c.ID, Action: "GetCase", Purpose: "opvolging"})
	got := list(t, s, &rotsv1.ListAccessLogRequest{Case: "cases/" + c.ID}).GetEntries()
	if len(got) != 1 || got[0].GetReference() != c.Reference {
		t.Errorf("entries %v, want one with reference %s", got, c.Reference)
	}
}

// VerifyAccessLog says how many entries it checked, and where a changed
// or removed entry breaks the chain, as rotsd verify-access-log does.
func TestVerifyAccessLog(t *testing.T) {
	t.Parallel()
	// A database of its own: the test breaks the chain.
	url, drop, err := storetest.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	s := auditservice.New(db, slog.New(slog.DiscardHandler))
	verify := func() *rotsv1.VerifyAccessLogResponse {
		t.Helper()
		resp, err := s.VerifyAccessLog(auditor, &rotsv1.VerifyAccessLogRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := verify(); resp.GetVerifiedEntries() != 0 || resp.GetFirstBreak() != nil {
		t.Errorf("an empty log: %v", resp)
	}
	caseID := uuid.NewString()
	var entries []store.Access
	for i := range 4 {
		entries = append(entries, store.Access{At: time.Now().Add(time.Duration(i) * time.Second), Actor: "tandem", Role: auth.Coordinator,
			CaseID: caseID, Action: "GetCase", Purpose: "opvolging"})
	}
	logEach(t, db, entries...)
	if resp := verify(); resp.GetVerifiedEntries() != 4 || resp.GetFirstBreak() != nil {
		t.Errorf("an intact log of 4: %v", resp)
	}
	logged := list(t, s, &rotsv1.ListAccessLogRequest{Case: "cases/" + caseID}).GetEntries()
	third := logged[1].GetSequence()

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tamper := func(sql string) {
		t.Helper()
		for _, stmt := range []string{`ALTER TABLE access_log DISABLE TRIGGER access_log_no_update`,
			fmt.Sprintf(sql, third), `ALTER TABLE access_log ENABLE TRIGGER access_log_no_update`} {
			if _, err := conn.Exec(context.Background(), stmt); err != nil {
				t.Fatal(err)
			}
		}
	}
	tamper(`UPDATE access_log SET purpose = 'audit' WHERE id = %d`)
	resp := verify()
	if b := resp.GetFirstBreak(); resp.GetVerifiedEntries() != 2 || b.GetSequence() != third || !b.GetChanged() || !strings.Contains(b.GetDescription(), "changed") {
		t.Errorf("a changed third entry: %v", resp)
	}
	tamper(`DELETE FROM access_log WHERE id = %d`)
	resp = verify()
	if b := resp.GetFirstBreak(); resp.GetVerifiedEntries() != 2 || b.GetSequence() != logged[0].GetSequence() || b.GetChanged() || !strings.Contains(b.GetDescription(), "removed") {
		t.Errorf("the third entry removed: %v", resp)
	}
}
