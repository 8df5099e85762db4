package store_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func openDB(t *testing.T) *store.DB { return storetest.Open(t, dbURL) }

// tag returns a short unique string that keeps one test's rows apart from
// the rows of tests running in parallel.
func tag() string { return uuid.NewString()[:8] }

// validCase builds a complete case as SubmitCase would, with fresh IDs.
func validCase(org, region string, submittedAt time.Time) *store.Case {
	submittedAt = submittedAt.UTC().Truncate(time.Microsecond)
	return &store.Case{
		ID:           uuid.NewString(),
		RequestID:    uuid.NewString(),
		Region:       region,
		Stage:        "SUBMITTED",
		OrgName:      org,
		OrgKind:      "CLB",
		ContactName:  "An Peeters",
		ContactEmail: "an@vclb.be",
		ContactPhone: "+32 11 22 33 44",
		YoungPerson: store.YoungPerson{
			Alias: "J.", BirthYear: 2012, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 1,
			School: "Sint-Jan", Municipality: "Hasselt",
		},
		Blocked:        "thuiszitter sinds september",
		Tried:          []string{"gesprekken", "time-out"},
		Themes:         []string{"ABSENCE", "WELLBEING"},
		CLBStuck:       true,
		YouthCareStuck: true,
		Informed:       true,
		SubmittedAt:    submittedAt,
		UpdatedAt:      submittedAt,
	}
}

// stored is what GetCase returns for a case just made from c.
func stored(c *store.Case) *store.Case {
	want := *c
	want.SubmittedAt = c.SubmittedAt.Truncate(time.Microsecond)
	want.UpdatedAt = want.SubmittedAt
	want.Agreements = []vocab.Agreement{}
	want.Escalation = store.Escalation{Deadlines: []escalation.Deadline{}}
	return &want
}

func mustCreate(t *testing.T, db *store.DB, c *store.Case) *store.Case {
	t.Helper()
	got, created, err := db.CreateCase(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatalf("CreateCase(%s): created = false, want true", c.ID)
	}
	return got
}

func mustGet(t *testing.T, db *store.DB, id string) *store.Case {
	t.Helper()
	got, err := db.GetCase(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustEvents(t *testing.T, db *store.DB, caseID string) []store.Event {
	t.Helper()
	events, err := db.ListEvents(context.Background(), caseID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func ids(cases []*store.Case) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.ID
	}
	return out
}

// newestFirst sorts cases the way ListCases pages them. PostgreSQL orders
// uuids bytewise, which is the order of their lowercase text form.
func newestFirst(cases []*store.Case) {
	slices.SortFunc(cases, func(a, b *store.Case) int {
		if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

func ptr(s string) *string { return &s }

// ignoreEventID leaves out the serial event ID, which depends on what else
// the database holds.
var ignoreEventID = cmpopts.IgnoreFields(store.Event{}, "ID")

func TestCreateCase(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	base := time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)

	tests := []struct {
		name   string
		modify func(c *store.Case)
	}{
		{name: "all fields", modify: func(*store.Case) {}},
		{name: "empty lists and flags", modify: func(c *store.Case) {
			c.Tried, c.Themes = []string{}, []string{}
			c.CLBStuck, c.YouthCareStuck, c.Informed = false, false, false
			c.ContactPhone = ""
		}},
		{name: "quotes and unicode", modify: func(c *store.Case) {
			c.OrgName += ` 'Sint-Truiden' "Ré"`
			c.Blocked = "weigert school; ' OR 1=1 --\nnieuwe lijn ✓"
			c.Tried = []string{`a,b`, `"quoted"`, `{brace}`, "NULL", ""}
		}},
		{name: "submitted time in another zone", modify: func(c *store.Case) {
			c.SubmittedAt = time.Date(2025, 7, 1, 23, 59, 59, 999999000, time.FixedZone("CEST", 2*3600))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := validCase("CLB Create "+tag(), "LIMBURG", base)
			tt.modify(c)
			want := stored(c)

			got, created, err := db.CreateCase(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if !created {
				t.Error("CreateCase: created = false, want true")
			}
			want.Reference = c.Reference // drawn by CreateCase
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("CreateCase returned (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(want, mustGet(t, db, c.ID)); diff != "" {
				t.Errorf("GetCase (-want +got):\n%s", diff)
			}

			wantEvents := []store.Event{{
				CaseID: c.ID, RequestID: c.RequestID, Kind: "submitted", FromStage: "", ToStage: c.Stage,
				Actor: c.ContactName, Summary: "Aangemeld door " + c.OrgName, At: want.SubmittedAt,
			}}
			if diff := gocmp.Diff(wantEvents, mustEvents(t, db, c.ID), ignoreEventID); diff != "" {
				t.Errorf("ListEvents (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateCaseSameRequestID(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	org := "CLB Retry " + tag()

	first := validCase(org, "LIMBURG", time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC))
	want := stored(first)
	want.Reference = mustCreate(t, db, first).Reference

	// A retried submission: same request_id, a new ID and other values.
	retry := validCase(org+" (retry)", "ANTWERPEN", first.SubmittedAt.Add(time.Hour))
	retry.RequestID = first.RequestID
	retry.Stage = "INTAKE"
	retry.Blocked = "iets anders"
	retry.Tried = []string{"niets"}

	for i := range 2 {
		got, created, err := db.CreateCase(ctx, retry)
		if err != nil {
			t.Fatalf("retry %d: %v", i, err)
		}
		if created {
			t.Errorf("retry %d: created = true, want false", i)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("retry %d: CreateCase returned (-want +got):\n%s", i, diff)
		}
	}
	if diff := gocmp.Diff(want, mustGet(t, db, first.ID)); diff != "" {
		t.Errorf("GetCase (-want +got):\n%s", diff)
	}
	if _, err := db.GetCase(ctx, retry.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetCase(retry ID) error = %v, want ErrNotFound", err)
	}
	if events := mustEvents(t, db, first.ID); len(events) != 1 {
		t.Errorf("ListEvents: got %d events, want 1: %+v", len(events), events)
	}
	if events := mustEvents(t, db, retry.ID); len(events) != 0 {
		t.Errorf("ListEvents(retry ID): got %d events, want 0: %+v", len(events), events)
	}
	for _, f := range []store.CaseFilter{{OrgName: org}, {OrgName: retry.OrgName}} {
		list, err := db.ListCases(ctx, f, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs := []string{first.ID}
		if f.OrgName == retry.OrgName {
			wantIDs = []string{}
		}
		if diff := gocmp.Diff(wantIDs, ids(list)); diff != "" {
			t.Errorf("ListCases(%+v) IDs (-want +got):\n%s", f, diff)
		}
	}
}

func TestCreateCaseConcurrentSameRequestID(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	requestID := uuid.NewString()
	org := "CLB Race " + tag()

	const n = 8
	var (
		wg      sync.WaitGroup
		results [n]*store.Case
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() {
			c := validCase(org, "LIMBURG", time.Date(2025, 5, 1, 0, 0, i, 0, time.UTC))
			c.RequestID = requestID
			results[i], created[i], errs[i] = db.CreateCase(ctx, c)
		})
	}
	wg.Wait()
	var nCreated int
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("CreateCase %d: %v", i, errs[i])
		}
		if created[i] {
			nCreated++
		}
		if results[i].ID != results[0].ID {
			t.Errorf("CreateCase %d returned case %s, want %s", i, results[i].ID, results[0].ID)
		}
	}
	if nCreated != 1 {
		t.Errorf("%d calls reported created, want 1", nCreated)
	}
	list, err := db.ListCases(ctx, store.CaseFilter{OrgName: org}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("ListCases: got %d cases, want 1", len(list))
	}
	if events := mustEvents(t, db, results[0].ID); len(events) != 1 {
		t.Errorf("ListEvents: got %d events, want 1", len(events))
	}
}

func TestGetCaseNotFound(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	mustCreate(t, db, validCase("CLB NotFound "+tag(), "LIMBURG", time.Now()))

	for _, id := range []string{uuid.NewString(), uuid.Nil.String(), "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		t.Run(id, func(t *testing.T) {
			got, err := db.GetCase(ctx, id)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetCase(%q) error = %v, want ErrNotFound", id, err)
			}
			if got != nil {
				t.Errorf("GetCase(%q) = %+v, want nil", id, got)
			}
		})
	}
}

func TestListCasesFilters(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	tg := tag()
	regions := []string{"LIMBURG-" + tg, "ANTWERPEN-" + tg}
	stages := []string{"SUBMITTED-" + tg, "INTAKE-" + tg}
	orgs := []string{"CLB A " + tg, "CLB B " + tg}

	// Two cases per combination; the second of each pair shares the first's
	// SubmittedAt, so ties are broken by ID.
	base := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	var all []*store.Case
	n := 0
	for _, r := range regions {
		for _, s := range stages {
			for _, o := range orgs {
				at := base.Add(time.Duration(n) * time.Minute)
				for range 2 {
					c := validCase(o, r, at)
					c.Stage = s
					all = append(all, mustCreate(t, db, c))
				}
				n++
			}
		}
	}

	tests := []struct {
		name   string
		filter store.CaseFilter
	}{
		{"region", store.CaseFilter{Region: regions[0]}},
		{"other region", store.CaseFilter{Region: regions[1]}},
		{"stage", store.CaseFilter{Stage: stages[1]}},
		{"org", store.CaseFilter{OrgName: orgs[0]}},
		{"region and stage", store.CaseFilter{Region: regions[1], Stage: stages[0]}},
		{"region and org", store.CaseFilter{Region: regions[0], OrgName: orgs[1]}},
		{"stage and org", store.CaseFilter{Stage: stages[0], OrgName: orgs[1]}},
		{"region, stage and org", store.CaseFilter{Region: regions[1], Stage: stages[1], OrgName: orgs[0]}},
		{"unknown region", store.CaseFilter{Region: "NOWHERE-" + tg}},
		{"region of one, org of none", store.CaseFilter{Region: regions[0], OrgName: "CLB C " + tg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var want []*store.Case
			for _, c := range all {
				f := tt.filter
				if (f.Region == "" || c.Region == f.Region) && (f.Stage == "" || c.Stage == f.Stage) &&
					(f.OrgName == "" || c.OrgName == f.OrgName) {
					w := *c
					w.Agreements = nil // ListCases does not load them
					want = append(want, &w)
				}
			}
			newestFirst(want)
			if want == nil {
				want = []*store.Case{}
			}
			got, err := db.ListCases(ctx, tt.filter, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("ListCases(%+v) (-want +got):\n%s", tt.filter, diff)
			}
		})
	}

	t.Run("no filter", func(t *testing.T) {
		t.Parallel()
		// Other tests add cases too: check that ours come in order and the
		// whole list is newest first.
		got, err := db.ListCases(ctx, store.CaseFilter{}, nil, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(all)
		newestFirst(want)
		ours := map[string]bool{}
		for _, c := range all {
			ours[c.ID] = true
		}
		var gotOurs []string
		for _, c := range got {
			if ours[c.ID] {
				gotOurs = append(gotOurs, c.ID)
			}
		}
		if diff := gocmp.Diff(ids(want), gotOurs); diff != "" {
			t.Errorf("ListCases({}) our IDs (-want +got):\n%s", diff)
		}
		if !slices.IsSortedFunc(got, func(a, b *store.Case) int {
			if c := b.SubmittedAt.Compare(a.SubmittedAt); c != 0 {
				return c
			}
			return cmp.Compare(b.ID, a.ID)
		}) {
			t.Error("ListCases({}) is not newest first by (SubmittedAt, ID)")
		}
	})

	t.Run("limit", func(t *testing.T) {
		t.Parallel()
		want := slices.Clone(all)
		newestFirst(want)
		got, err := db.ListCases(ctx, store.CaseFilter{Stage: stages[0]}, nil, 3)
		if err != nil {
			t.Fatal(err)
		}
		var wantIDs []string
		for _, c := range want {
			if c.Stage == stages[0] && len(wantIDs) < 3 {
				wantIDs = append(wantIDs, c.ID)
			}
		}
		if diff := gocmp.Diff(wantIDs, ids(got)); diff != "" {
			t.Errorf("ListCases limit 3 IDs (-want +got):\n%s", diff)
		}
	})
}

func TestListCasesPaging(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	tg := tag()
	region := "PAGING-" + tg
	stages := []string{"SUBMITTED-" + tg, "INTAKE-" + tg}

	// 250 cases over 10 distinct submission times: about 25 share each time.
	base := time.Date(2025, 9, 1, 12, 0, 0, 123456000, time.UTC)
	var all []*store.Case
	for i := range 250 {
		c := validCase("CLB Paging "+tg, region, base.Add(time.Duration(i%10)*time.Second))
		c.Stage = stages[i%3%2]
		all = append(all, mustCreate(t, db, c))
	}
	// A case of another region between them must not show.
	mustCreate(t, db, validCase("CLB Paging "+tg, "OTHER-"+tg, base.Add(5*time.Second)))

	filters := []struct {
		name   string
		filter store.CaseFilter
	}{
		{"region", store.CaseFilter{Region: region}},
		{"region and stage", store.CaseFilter{Region: region, Stage: stages[1]}},
	}
	for _, f := range filters {
		var want []string
		sorted := slices.Clone(all)
		newestFirst(sorted)
		for _, c := range sorted {
			if f.filter.Stage == "" || c.Stage == f.filter.Stage {
				want = append(want, c.ID)
			}
		}
		for _, limit := range []int{1, 7, 25, 100, 250, 1000} {
			t.Run(fmt.Sprintf("%s/limit %d", f.name, limit), func(t *testing.T) {
				t.Parallel()
				var (
					got    []string
					seen   = map[string]bool{}
					cursor *store.Cursor
					pages  int
				)
				for {
					page, err := db.ListCases(ctx, f.filter, cursor, limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > limit {
						t.Fatalf("page %d has %d cases, limit %d", pages, len(page), limit)
					}
					for _, c := range page {
						if seen[c.ID] {
							t.Fatalf("page %d: case %s seen twice", pages, c.ID)
						}
						seen[c.ID] = true
						got = append(got, c.ID)
					}
					pages++
					if len(page) < limit {
						break
					}
					if pages > len(want)+2 {
						t.Fatalf("paging does not end after %d pages", pages)
					}
					last := page[len(page)-1]
					cursor = &store.Cursor{SubmittedAt: last.SubmittedAt, ID: last.ID}
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("all pages (-want +got):\n%s", diff)
				}
				if wantPages := len(want)/limit + 1; pages != wantPages {
					t.Errorf("walked %d pages, want %d", pages, wantPages)
				}
			})
		}
	}

	t.Run("cursor after the last case", func(t *testing.T) {
		t.Parallel()
		sorted := slices.Clone(all)
		newestFirst(sorted)
		last := sorted[len(sorted)-1]
		got, err := db.ListCases(ctx, store.CaseFilter{Region: region}, &store.Cursor{SubmittedAt: last.SubmittedAt, ID: last.ID}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("ListCases after the last case: got %d cases, want none", len(got))
		}
	})
}

func TestApplyTransition(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	submitted := time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC)
	at := submitted.Add(26*time.Hour + 123456789) // not on a microsecond
	due1 := time.Date(2025, 11, 15, 0, 0, 0, 0, time.UTC)
	due2 := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name  string
		tr    store.Transition
		apply func(want *store.Case) // the expected change to the stored case
	}{
		{
			name: "stage only",
			tr:   store.Transition{Kind: "intake_started", FromStage: "SUBMITTED", ToStage: "INTAKE"},
		},
		{
			name: "open question",
			tr: store.Transition{Kind: "question_asked", FromStage: "SUBMITTED", ToStage: "QUESTION",
				OpenQuestion: ptr("Welke school volgt J. nu?")},
			apply: func(w *store.Case) { w.OpenQuestion = "Welke school volgt J. nu?" },
		},
		{
			name: "advice, offer and agreements",
			tr: store.Transition{Kind: "offer_made", FromStage: "SUBMITTED", ToStage: "OFFER",
				Advice: ptr("Traject op maat"), Offer: ptr("Halve dagen school, halve dagen zorg"),
				Agreements: []vocab.Agreement{
					{Action: "Intake met ouders", OwnerOrganisation: "CLB", DueDate: due2, Status: "OPEN"},
					{Action: "Plan opmaken", OwnerOrganisation: "OCJ", DueDate: due1, Status: "OPEN"},
					{Action: "Evaluatie", OwnerOrganisation: "School", DueDate: due2, Status: "OPEN"},
				}},
			apply: func(w *store.Case) {
				w.Advice, w.Offer = "Traject op maat", "Halve dagen school, halve dagen zorg"
				w.Agreements = []vocab.Agreement{
					{Action: "Intake met ouders", OwnerOrganisation: "CLB", DueDate: due2, Status: "OPEN"},
					{Action: "Plan opmaken", OwnerOrganisation: "OCJ", DueDate: due1, Status: "OPEN"},
					{Action: "Evaluatie", OwnerOrganisation: "School", DueDate: due2, Status: "OPEN"},
				}
			},
		},
		{
			name: "close",
			tr: store.Transition{Kind: "closed", FromStage: "SUBMITTED", ToStage: "CLOSED",
				ClosureReason: ptr("RESOLVED"), ClosureNote: ptr("Terug naar school")},
			apply: func(w *store.Case) {
				w.ClosureReason, w.ClosureNote = "RESOLVED", "Terug naar school"
				closed := at.Truncate(time.Microsecond)
				w.ClosedAt = &closed
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCreate(t, db, validCase("CLB Transition "+tag(), "LIMBURG", submitted))
			tr := tt.tr
			tr.CaseID, tr.RequestID, tr.Actor, tr.Summary, tr.At = c.ID, uuid.NewString(), "Els Janssens", "Samenvatting "+tt.name, at

			if err := db.ApplyTransition(ctx, tr); err != nil {
				t.Fatal(err)
			}
			want := *c
			want.Stage = tr.ToStage
			want.UpdatedAt = at.Truncate(time.Microsecond)
			if tt.apply != nil {
				tt.apply(&want)
			}
			if diff := gocmp.Diff(&want, mustGet(t, db, c.ID)); diff != "" {
				t.Errorf("GetCase after ApplyTransition (-want +got):\n%s", diff)
			}

			wantEvents := []store.Event{
				{CaseID: c.ID, RequestID: c.RequestID, Kind: "submitted", ToStage: c.Stage,
					Actor: c.ContactName, Summary: "Aangemeld door " + c.OrgName, At: c.SubmittedAt},
				{CaseID: c.ID, RequestID: tr.RequestID, Kind: tr.Kind, FromStage: tr.FromStage, ToStage: tr.ToStage,
					Actor: tr.Actor, Summary: tr.Summary, At: at.Truncate(time.Microsecond)},
			}
			if diff := gocmp.Diff(wantEvents, mustEvents(t, db, c.ID), ignoreEventID); diff != "" {
				t.Errorf("ListEvents (-want +got):\n%s", diff)
			}

			// The same request again, even with other values, changes nothing.
			again := tr
			again.ToStage, again.Kind, again.At = "ELSEWHERE", "other", at.Add(time.Hour)
			again.Advice, again.Agreements = ptr("ander advies"), []vocab.Agreement{}
			if err := db.ApplyTransition(ctx, again); err != nil {
				t.Fatalf("repeated ApplyTransition: %v", err)
			}
			if diff := gocmp.Diff(&want, mustGet(t, db, c.ID)); diff != "" {
				t.Errorf("GetCase after repeated ApplyTransition (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(wantEvents, mustEvents(t, db, c.ID), ignoreEventID); diff != "" {
				t.Errorf("ListEvents after repeated ApplyTransition (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyTransitionSequence runs transitions one after the other on one
// case: fields not named stay, agreements are replaced only when given.
func TestApplyTransitionSequence(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	submitted := time.Date(2025, 10, 2, 9, 0, 0, 0, time.UTC)
	c := mustCreate(t, db, validCase("CLB Sequence "+tag(), "LIMBURG", submitted))
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	a := vocab.Agreement{Action: "A", OwnerOrganisation: "CLB", DueDate: day(1, 10), Status: "OPEN"}
	b := vocab.Agreement{Action: "B", OwnerOrganisation: "OCJ", DueDate: day(1, 20), Status: "OPEN"}
	d := vocab.Agreement{Action: "D", OwnerOrganisation: "School", DueDate: day(3, 1), Status: "OPEN"}

	want := *c
	steps := []struct {
		name  string
		tr    store.Transition
		apply func(w *store.Case)
	}{
		{"question", store.Transition{ToStage: "QUESTION", OpenQuestion: ptr("Vraag?")},
			func(w *store.Case) { w.OpenQuestion = "Vraag?" }},
		{"offer with agreements", store.Transition{ToStage: "OFFER", Advice: ptr("Advies"), Offer: ptr("Aanbod"),
			Agreements: []vocab.Agreement{a, b}},
			func(w *store.Case) { w.Advice, w.Offer, w.Agreements = "Advies", "Aanbod", []vocab.Agreement{a, b} }},
		{"nil agreements keep them", store.Transition{ToStage: "RUNNING"}, nil},
		{"agreements replaced", store.Transition{ToStage: "RUNNING", Agreements: []vocab.Agreement{d, a}},
			func(w *store.Case) { w.Agreements = []vocab.Agreement{d, a} }},
		{"empty string clears a field", store.Transition{ToStage: "RUNNING", OpenQuestion: ptr("")},
			func(w *store.Case) { w.OpenQuestion = "" }},
		{"empty agreements clear them", store.Transition{ToStage: "RUNNING", Agreements: []vocab.Agreement{}},
			func(w *store.Case) { w.Agreements = []vocab.Agreement{} }},
		{"close", store.Transition{ToStage: "CLOSED", ClosureReason: ptr("NO_LONGER_NEEDED")},
			func(w *store.Case) { w.ClosureReason = "NO_LONGER_NEEDED"; w.ClosedAt = new(w.UpdatedAt) }},
		{"reopen keeps closed_at", store.Transition{ToStage: "RUNNING"}, nil},
	}
	var wantKinds []string
	wantKinds = append(wantKinds, "submitted")
	for i, step := range steps {
		tr := step.tr
		tr.CaseID, tr.RequestID, tr.Kind = c.ID, uuid.NewString(), fmt.Sprintf("step%d", i)
		tr.FromStage, tr.At = want.Stage, submitted.Add(time.Duration(i+1)*time.Hour)
		if err := db.ApplyTransition(ctx, tr); err != nil {
			t.Fatalf("step %q: %v", step.name, err)
		}
		want.Stage, want.UpdatedAt = tr.ToStage, tr.At
		if step.apply != nil {
			step.apply(&want)
		}
		wantKinds = append(wantKinds, tr.Kind)
		if diff := gocmp.Diff(&want, mustGet(t, db, c.ID)); diff != "" {
			t.Errorf("step %q: GetCase (-want +got):\n%s", step.name, diff)
		}
	}

	events := mustEvents(t, db, c.ID)
	var gotKinds []string
	for i, e := range events {
		gotKinds = append(gotKinds, e.Kind)
		if i > 0 && e.ID <= events[i-1].ID {
			t.Errorf("event %d has ID %d after %d", i, e.ID, events[i-1].ID)
		}
	}
	if diff := gocmp.Diff(wantKinds, gotKinds); diff != "" {
		t.Errorf("event kinds (-want +got):\n%s", diff)
	}

	t.Run("ListEvents paging", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, len(events), len(events) + 5} {
			var (
				got     []store.Event
				afterID int64
			)
			for range len(events) + 2 {
				page, err := db.ListEvents(ctx, c.ID, afterID, limit)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				afterID = page[len(page)-1].ID
			}
			if diff := gocmp.Diff(events, got); diff != "" {
				t.Errorf("limit %d: all pages (-want +got):\n%s", limit, diff)
			}
		}
		page, err := db.ListEvents(ctx, c.ID, events[len(events)-1].ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 0 {
			t.Errorf("ListEvents after the last event: got %d, want none", len(page))
		}
		page, err = db.ListEvents(ctx, c.ID, events[2].ID, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(events[3:5], page); diff != "" {
			t.Errorf("ListEvents after event 2, limit 2 (-want +got):\n%s", diff)
		}
	})
}

func TestApplyTransitionUnknownCase(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	id, requestID := uuid.NewString(), uuid.NewString()

	err := db.ApplyTransition(ctx, store.Transition{
		CaseID: id, RequestID: requestID, Kind: "closed", FromStage: "RUNNING", ToStage: "CLOSED",
		Actor: "Els", Summary: "Afgesloten", At: time.Now(), ClosureReason: ptr("RESOLVED"),
		Agreements: []vocab.Agreement{{Action: "A", OwnerOrganisation: "CLB", DueDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}},
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ApplyTransition on an unknown case: error = %v, want ErrNotFound", err)
	}
	if events := mustEvents(t, db, id); len(events) != 0 {
		t.Errorf("ListEvents: got %d events, want none: %+v", len(events), events)
	}
	if ok, err := db.HasEvent(ctx, id, requestID); err != nil || ok {
		t.Errorf("HasEvent = %v, %v; want false, nil", ok, err)
	}
	if _, err := db.GetCase(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetCase error = %v, want ErrNotFound", err)
	}
}

func TestHasEvent(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	c := mustCreate(t, db, validCase("CLB HasEvent "+tag(), "LIMBURG", time.Now()))
	other := mustCreate(t, db, validCase("CLB HasEvent "+tag(), "LIMBURG", time.Now()))
	transition := uuid.NewString()
	if err := db.ApplyTransition(ctx, store.Transition{CaseID: c.ID, RequestID: transition, Kind: "intake",
		FromStage: "SUBMITTED", ToStage: "INTAKE", At: time.Now()}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name              string
		caseID, requestID string
		want              bool
	}{
		{"submission", c.ID, c.RequestID, true},
		{"transition", c.ID, transition, true},
		{"unknown request", c.ID, uuid.NewString(), false},
		{"request of another case", c.ID, other.RequestID, false},
		{"transition on another case", other.ID, transition, false},
		{"unknown case", uuid.NewString(), transition, false},
		{"empty request", c.ID, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.HasEvent(ctx, tt.caseID, tt.requestID)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("HasEvent(%q, %q) = %v, want %v", tt.caseID, tt.requestID, got, tt.want)
			}
		})
	}
}

// TestUnstartedCases uses submission times in 1971, which no other test
// uses, so that UnstartedCases sees only its cases.
func TestUnstartedCases(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	t0 := time.Date(1971, 2, 3, 4, 5, 6, 0, time.UTC)
	org := "CLB Outbox " + tag()
	var cs []*store.Case
	for i := range 5 {
		cs = append(cs, mustCreate(t, db, validCase(org, "LIMBURG", t0.Add(time.Duration(i)*time.Hour))))
	}
	end := t0.Add(24 * time.Hour)

	check := func(t *testing.T, before time.Time, limit int, want ...*store.Case) {
		t.Helper()
		got, err := db.UnstartedCases(ctx, before, limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(ids(want), ids(got), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("UnstartedCases(%v, %d) IDs (-want +got):\n%s", before, limit, diff)
		}
	}

	t.Run("new cases are unstarted, oldest first", func(t *testing.T) {
		check(t, end, 100, cs...)
		got, err := db.UnstartedCases(ctx, end, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := *cs[0]
		want.Agreements = nil
		if diff := gocmp.Diff([]*store.Case{&want}, got); diff != "" {
			t.Errorf("UnstartedCases (-want +got):\n%s", diff)
		}
	})
	t.Run("before", func(t *testing.T) {
		tests := []struct {
			name   string
			before time.Time
			want   []*store.Case
		}{
			{"before all", t0, nil},
			{"before the third", cs[2].SubmittedAt, cs[:2]},
			{"just after the third", cs[2].SubmittedAt.Add(time.Microsecond), cs[:3]},
			{"after all", end, cs},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { check(t, tt.before, 100, tt.want...) })
		}
	})
	t.Run("limit", func(t *testing.T) { check(t, end, 2, cs[:2]...) })

	if err := db.MarkWorkflowStarted(ctx, cs[1].ID); err != nil {
		t.Fatal(err)
	}
	t.Run("after MarkWorkflowStarted", func(t *testing.T) {
		check(t, end, 100, cs[0], cs[2], cs[3], cs[4])
	})
	if err := db.MarkWorkflowStarted(ctx, cs[1].ID); err != nil {
		t.Fatalf("MarkWorkflowStarted twice: %v", err)
	}
	if err := db.ApplyTransition(ctx, store.Transition{CaseID: cs[3].ID, RequestID: uuid.NewString(),
		Kind: "intake", FromStage: "SUBMITTED", ToStage: "INTAKE", At: end}); err != nil {
		t.Fatal(err)
	}
	t.Run("after ApplyTransition", func(t *testing.T) {
		check(t, end, 100, cs[0], cs[2], cs[4])
	})
	for _, c := range cs {
		if err := db.MarkWorkflowStarted(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("all started", func(t *testing.T) { check(t, end, 100) })
	// MarkWorkflowStarted leaves the case record alone.
	got := mustGet(t, db, cs[0].ID)
	if diff := gocmp.Diff(cs[0], got); diff != "" {
		t.Errorf("GetCase after MarkWorkflowStarted (-want +got):\n%s", diff)
	}
}

func TestOpenMigratedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := openDB(t)
	second := openDB(t) // the database is migrated already: a no-op
	if err := second.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	c := mustCreate(t, first, validCase("CLB Open "+tag(), "LIMBURG", time.Now()))
	if diff := gocmp.Diff(c, mustGet(t, second, c.ID)); diff != "" {
		t.Errorf("GetCase through the second DB (-want +got):\n%s", diff)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			want = append(want, "migrations/"+e.Name())
		}
	}
	if len(want) == 0 {
		t.Fatal("no migrations found")
	}
	if diff := gocmp.Diff(want, names); diff != "" {
		t.Errorf("schema_migrations (-want +got):\n%s", diff)
	}
}

// newDatabaseURL returns the URL of a database on the test server that does
// not exist yet, and drops it when the test ends.
func newDatabaseURL(t *testing.T, prefix string) (string, string) {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	server, err := url.Parse(storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	u := *server
	u.Path = "/" + name
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server.String())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return u.String(), name
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestEnsureDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// A mixed-case name with a hyphen needs quoting.
	for _, prefix := range []string{"rots_ensure_", "Rots-Ensure-"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			u, name := newDatabaseURL(t, prefix)
			if databaseExists(t, name) {
				t.Fatalf("database %s exists before the test", name)
			}
			if err := store.EnsureDatabase(ctx, u); err != nil {
				t.Fatalf("EnsureDatabase on a missing database: %v", err)
			}
			if !databaseExists(t, name) {
				t.Fatalf("database %s not created", name)
			}
			if err := store.EnsureDatabase(ctx, u); err != nil {
				t.Fatalf("EnsureDatabase on an existing database: %v", err)
			}

			// The new database takes the migrations, once, even when
			// several processes open it together.
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					db, err := store.Open(ctx, u)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					_, _, errs[i] = db.CreateCase(ctx, validCase("CLB Ensure", "LIMBURG", time.Now()))
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("Open %d: %v", i, err)
				}
			}
		})
	}

	t.Run("no database name", func(t *testing.T) {
		t.Parallel()
		u, err := url.Parse(storetest.ServerURL())
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/"
		if err := store.EnsureDatabase(ctx, u.String()); err == nil {
			t.Error("EnsureDatabase without a database name: no error")
		}
	})
}
