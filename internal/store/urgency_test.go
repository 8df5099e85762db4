package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// escalate projects a ladder's state onto a case, as the workflow does.
func escalate(t *testing.T, db *store.DB, id string, e store.Escalation) {
	t.Helper()
	if err := db.ApplyTransition(context.Background(), store.Transition{CaseID: id, Escalation: &e}); err != nil {
		t.Fatal(err)
	}
}

// closeCase moves a case to CLOSED, ending its deadlines as the workflow does.
func closeCase(t *testing.T, db *store.DB, c *store.Case, at time.Time) {
	t.Helper()
	err := db.ApplyTransition(context.Background(), store.Transition{
		CaseID: c.ID, RequestID: uuid.NewString(), Kind: "closed", FromStage: c.Stage, ToStage: "CLOSED", Actor: "tandem", At: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	escalate(t, db, c.ID, store.Escalation{Breakthrough: c.Escalation.Breakthrough})
}

// listAll pages through ListCases with the given page size and returns
// every case's ID in the order the pages gave them, failing on a case seen
// twice.
func listAll(t *testing.T, db *store.DB, f store.CaseFilter, limit int) []string {
	t.Helper()
	var (
		got    []string
		seen   = map[string]bool{}
		cursor *store.Cursor
	)
	for pages := 0; ; pages++ {
		page, err := db.ListCases(context.Background(), f, cursor, limit)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if seen[c.ID] {
				t.Fatalf("page %d: case %s seen twice", pages, c.ID)
			}
			seen[c.ID] = true
			got = append(got, c.ID)
		}
		if len(page) < limit {
			return got
		}
		if pages > 10_000 {
			t.Fatal("paging does not end")
		}
		cur := store.CursorOf(page[len(page)-1], f.Order)
		cursor = &cur
	}
}

// The werkbak's order, checked exactly on a table of cases: breakthrough
// first, then higher rung, then the earliest next deadline (a passed one
// first, none last), then the oldest submission, then the ID; closed cases
// after every open one, and left out with OpenOnly.
func TestListCasesUrgencyOrder(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	region := "URGENCY-" + tag()
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	due := func(offsets ...time.Duration) []escalation.Deadline {
		var ds []escalation.Deadline
		for i, o := range offsets {
			ds = append(ds, escalation.Deadline{Kind: []string{"intake", "offer", "agreement"}[i], Due: now.Add(o)})
		}
		return ds
	}
	// In the order the werkbak must show them.
	cases := []struct {
		name         string
		breakthrough bool
		rung         int
		deadlines    []escalation.Deadline
		submitted    time.Duration // before now
		closed       bool
	}{
		{name: "doorbraak, trede 4", breakthrough: true, rung: 4, submitted: 10 * day},
		{name: "doorbraak, nieuwe fase op trede 1", breakthrough: true, rung: 1, deadlines: due(3 * day), submitted: 40 * day},
		{name: "doorbraak, nieuwe fase, vroege termijn", breakthrough: true, deadlines: due(2 * time.Hour), submitted: 30 * day},
		{name: "doorbraak, nieuwe fase, late termijn", breakthrough: true, deadlines: due(20 * day), submitted: 50 * day},
		{name: "trede 3", rung: 3, deadlines: due(9 * day), submitted: 5 * day},
		{name: "trede 2, verstreken termijn", rung: 2, deadlines: due(4*day, -time.Hour), submitted: 1 * day},
		{name: "trede 2, termijn morgen", rung: 2, deadlines: due(day), submitted: 60 * day},
		{name: "trede 1", rung: 1, deadlines: due(30 * day), submitted: 2 * day},
		{name: "trede 0, termijn verstreken, nog niet geklommen", deadlines: due(-2 * day), submitted: 3 * day},
		{name: "trede 0, termijn morgen, oudste", deadlines: due(day, 40*day), submitted: 20 * day},
		{name: "trede 0, termijn morgen, gelijk A", deadlines: due(day), submitted: 19 * day},
		{name: "trede 0, termijn morgen, gelijk B", deadlines: due(day), submitted: 19 * day},
		{name: "trede 0, termijn binnen een week", deadlines: due(6 * day), submitted: 70 * day},
		{name: "trede 0, geen termijn, oudste", submitted: 80 * day},
		{name: "trede 0, geen termijn", submitted: 8 * day},
		{name: "afgesloten na een doorbraak", breakthrough: true, submitted: 90 * day, closed: true},
		{name: "afgesloten", submitted: 45 * day, closed: true},
	}
	// The two that tie on everything else come in ID order.
	tieIDs := []string{uuid.NewString(), uuid.NewString()}
	slices.Sort(tieIDs)
	var want, wantOpen []string
	names := map[string]string{}
	created := make([]*store.Case, len(cases))
	// Created in reverse, so that creation order cannot pass for the order.
	for i := len(cases) - 1; i >= 0; i-- {
		tc := cases[i]
		c := validCase("CLB Urgentie", region, now.Add(-tc.submitted))
		switch {
		case strings.HasSuffix(tc.name, "gelijk A"):
			c.ID = tieIDs[0]
		case strings.HasSuffix(tc.name, "gelijk B"):
			c.ID = tieIDs[1]
		}
		c = mustCreate(t, db, c)
		c.Escalation = store.Escalation{Rung: tc.rung, Breakthrough: tc.breakthrough, Deadlines: tc.deadlines}
		escalate(t, db, c.ID, c.Escalation)
		if tc.closed {
			closeCase(t, db, c, now)
		}
		created[i], names[c.ID] = c, tc.name
	}
	for _, tc := range cases {
		want = append(want, tc.name)
		if !tc.closed {
			wantOpen = append(wantOpen, tc.name)
		}
	}
	nameList := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = names[id]
		}
		return out
	}

	for _, limit := range []int{1, 2, 5, 100} {
		t.Run(fmt.Sprintf("all cases, pages of %d", limit), func(t *testing.T) {
			got := listAll(t, db, store.CaseFilter{Region: region, Order: store.ByUrgency}, limit)
			if diff := gocmp.Diff(want, nameList(got)); diff != "" {
				t.Errorf("urgency order (-want +got):\n%s", diff)
			}
		})
		t.Run(fmt.Sprintf("open only, pages of %d", limit), func(t *testing.T) {
			got := listAll(t, db, store.CaseFilter{Region: region, Order: store.ByUrgency, OpenOnly: true}, limit)
			if diff := gocmp.Diff(wantOpen, nameList(got)); diff != "" {
				t.Errorf("urgency order, open only (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("filters still apply", func(t *testing.T) {
		got, err := db.ListCases(ctx, store.CaseFilter{Region: region, Order: store.ByUrgency, MinRung: 2}, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		wantRung := []string{"doorbraak, trede 4", "trede 3", "trede 2, verstreken termijn", "trede 2, termijn morgen"}
		if diff := gocmp.Diff(wantRung, nameList(ids(got))); diff != "" {
			t.Errorf("urgency order, rung 2 or higher (-want +got):\n%s", diff)
		}
	})

	t.Run("newest first, open only", func(t *testing.T) {
		got, err := db.ListCases(ctx, store.CaseFilter{Region: region, OpenOnly: true}, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		var open []*store.Case
		for i, c := range created {
			if !cases[i].closed {
				open = append(open, c)
			}
		}
		newestFirst(open)
		if diff := gocmp.Diff(ids(open), ids(got)); diff != "" {
			t.Errorf("newest first, open only (-want +got):\n%s", diff)
		}
	})
}

// Paging through the urgency order returns every case exactly once, in
// order, whatever the page size: with ties on every key but the ID, and
// deadlines with nanoseconds, which PostgreSQL keeps to the microsecond.
func TestListCasesUrgencyPaging(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	region := "URGENCY-PAGING-" + tag()
	r := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	var all []*store.Case
	for range 150 {
		// Few distinct values, so that many cases tie.
		c := mustCreate(t, db, validCase("CLB Paging", region, base.Add(-time.Duration(r.IntN(4))*time.Hour)))
		e := store.Escalation{Rung: r.IntN(4), Breakthrough: r.IntN(6) == 0}
		if e.Breakthrough && r.IntN(2) == 0 {
			e.Rung = 4
		}
		for range r.IntN(3) {
			e.Deadlines = append(e.Deadlines, escalation.Deadline{Kind: "agreement",
				Due: base.Add(time.Duration(r.IntN(3))*24*time.Hour + time.Duration(r.IntN(2))*999_999_999)})
		}
		escalate(t, db, c.ID, e)
		c.Escalation = e
		if r.IntN(5) == 0 {
			closeCase(t, db, c, base)
			c.Stage, c.Escalation = "CLOSED", store.Escalation{Breakthrough: e.Breakthrough}
		}
		all = append(all, c)
	}
	mustCreate(t, db, validCase("CLB Paging", "OTHER-"+tag(), base))

	key := func(c *store.Case) store.Cursor { return store.CursorOf(c, store.ByUrgency) }
	slices.SortFunc(all, func(a, b *store.Case) int {
		ka, kb := key(a), key(b)
		if c := cmp.Compare(ka.Urgency, kb.Urgency); c != 0 {
			return c
		}
		switch {
		case ka.NextDeadline == nil && kb.NextDeadline != nil:
			return 1
		case ka.NextDeadline != nil && kb.NextDeadline == nil:
			return -1
		case ka.NextDeadline != nil:
			if c := ka.NextDeadline.Compare(*kb.NextDeadline); c != 0 {
				return c
			}
		}
		if c := a.SubmittedAt.Compare(b.SubmittedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, openOnly := range []bool{false, true} {
		var want []string
		for _, c := range all {
			if !openOnly || c.Stage != "CLOSED" {
				want = append(want, c.ID)
			}
		}
		for _, limit := range []int{1, 7, 25, 1000} {
			t.Run(fmt.Sprintf("open only %v, pages of %d", openOnly, limit), func(t *testing.T) {
				t.Parallel()
				got := listAll(t, db, store.CaseFilter{Region: region, Order: store.ByUrgency, OpenOnly: openOnly}, limit)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("all pages (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// Query finds a case by its reference, with or without "ROTS-", in any
// case, or by part of the young person's alias in any case; the other
// filters (the caller's scope) still hold.
func TestListCasesQuery(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	ctx := context.Background()
	tg := tag()
	region, other := "QUERY-"+tg, "QUERY-OTHER-"+tg
	at := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	byAlias := map[string]*store.Case{}
	for i, alias := range []string{"Noor", "noortje", "Jonas", "J.", "50%_af", "Eline", ""} {
		c := validCase("CLB Zoek "+tg, region, at.Add(time.Duration(i)*time.Minute))
		c.YoungPerson.Alias = alias
		byAlias[alias] = mustCreate(t, db, c)
	}
	// A minute before Noor's, so that no two of the Noors tie.
	theirs := validCase("CLB Ander "+tg, region, at.Add(-time.Minute))
	theirs.YoungPerson.Alias = "Noor"
	theirs = mustCreate(t, db, theirs)
	elsewhere := validCase("CLB Zoek "+tg, other, at)
	elsewhere.YoungPerson.Alias = "Noor"
	elsewhere = mustCreate(t, db, elsewhere)

	ref := byAlias["Jonas"].Reference
	closeCase(t, db, byAlias["Eline"], at.Add(time.Hour))
	tests := []struct {
		name   string
		filter store.CaseFilter
		want   []*store.Case
	}{
		{"alias prefix, any case", store.CaseFilter{Region: region, Query: "noor"}, []*store.Case{byAlias["noortje"], byAlias["Noor"], theirs}},
		{"alias contains", store.CaseFilter{Region: region, Query: "OORT"}, []*store.Case{byAlias["noortje"]}},
		{"reference", store.CaseFilter{Region: region, Query: ref}, []*store.Case{byAlias["Jonas"]}},
		{"reference in lower case", store.CaseFilter{Region: region, Query: strings.ToLower(ref)}, []*store.Case{byAlias["Jonas"]}},
		{"reference without ROTS-", store.CaseFilter{Region: region, Query: " " + strings.ToLower(strings.TrimPrefix(ref, "ROTS-")) + " "}, []*store.Case{byAlias["Jonas"]}},
		{"part of a reference is no reference", store.CaseFilter{Region: region, Query: ref[:8]}, nil},
		{"% is a character", store.CaseFilter{Region: region, Query: "%"}, []*store.Case{byAlias["50%_af"]}},
		{"_ is a character", store.CaseFilter{Region: region, Query: "0%_"}, []*store.Case{byAlias["50%_af"]}},
		{"the organisation's cases only", store.CaseFilter{Region: region, OrgName: "CLB Zoek " + tg, Query: "Noor"}, []*store.Case{byAlias["noortje"], byAlias["Noor"]}},
		{"the region's cases only", store.CaseFilter{Region: other, Query: "noor"}, []*store.Case{elsewhere}},
		{"the reference in another region", store.CaseFilter{Region: other, Query: ref}, nil},
		{"open only", store.CaseFilter{Region: region, Query: "line", OpenOnly: true}, nil},
		{"closed too", store.CaseFilter{Region: region, Query: "line"}, []*store.Case{byAlias["Eline"]}},
		{"in urgency order", store.CaseFilter{Region: region, Query: "noor", Order: store.ByUrgency, OpenOnly: true},
			[]*store.Case{theirs, byAlias["Noor"], byAlias["noortje"]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := db.ListCases(ctx, tt.filter, nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(ids(tt.want), ids(got)); diff != "" {
				t.Errorf("ListCases(%+v) (-want +got):\n%s", tt.filter, diff)
			}
		})
	}
}

// The column next_deadline is what NextDeadline says of the deadlines, to
// the microsecond; 'infinity' when none runs.
func TestNextDeadline(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 4, 30, 21, 59, 59, 999_999_999, time.UTC)
	ds := []escalation.Deadline{{Due: end.Add(time.Hour)}, {Due: end}, {Due: end.Add(time.Minute)}}
	if got, want := store.NextDeadline(ds), end.Truncate(time.Microsecond); got == nil || !got.Equal(want) {
		t.Errorf("NextDeadline = %v, want %v", got, want)
	}
	if got := store.NextDeadline(nil); got != nil {
		t.Errorf("NextDeadline(none) = %v, want nil", got)
	}
	db := openDB(t)
	c := mustCreate(t, db, validCase("CLB Termijn "+tag(), "LIMBURG", end))
	conn := connect(t)
	var stored time.Time
	read := func() string {
		var s string
		err := conn.QueryRow(context.Background(),
			`SELECT next_deadline::text FROM cases WHERE id = $1`, c.ID).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := read(); got != "infinity" {
		t.Errorf("a new case's next_deadline = %s, want infinity", got)
	}
	escalate(t, db, c.ID, store.Escalation{Deadlines: ds})
	if err := conn.QueryRow(context.Background(), `SELECT next_deadline FROM cases WHERE id = $1`, c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if want := end.Truncate(time.Microsecond); !stored.Equal(want) {
		t.Errorf("next_deadline = %v, want %v", stored, want)
	}
	escalate(t, db, c.ID, store.Escalation{})
	if got := read(); got != "infinity" {
		t.Errorf("next_deadline once no deadline runs = %s, want infinity", got)
	}
}
