package caseservice_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/authz"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/caseservice"
)

// principals verifies a token by looking it up.
type principals map[string]auth.Principal

func (p principals) Verify(_ context.Context, raw string) (auth.Principal, error) {
	if got, ok := p[raw]; ok {
		return got, nil
	}
	return auth.Principal{}, auth.ErrUnauthenticated
}

// werkbak is ListCases behind the access interceptor, on PostgreSQL, as
// rotsd serves it (without Temporal: ListCases does not need it).
type werkbak struct {
	t       *testing.T
	db      *store.DB
	call    func(token string, req *rotsv1.ListCasesRequest) (*rotsv1.ListCasesResponse, error)
	handled int // calls that reached the handler
}

func newWerkbak(t *testing.T) *werkbak {
	t.Helper()
	// A database of its own: the werkbak lists whole regions.
	url, drop, err := storetest.NewDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db := storetest.Open(t, url)
	log := slog.New(slog.DiscardHandler)
	s := caseservice.New(db, nil, log)
	i := &authz.Interceptor{DB: db, Log: log, Verifier: principals{
		"tandem-limburg":    {Subject: "tandem", Email: "tandem.limburg@rots.local", Role: auth.Coordinator, Region: vocab.RegionLimburg},
		"tandem-antwerpen":  {Subject: "tandem-a", Email: "tandem.antwerpen@rots.local", Role: auth.Coordinator, Region: vocab.RegionAntwerpen},
		"manager-limburg":   {Subject: "manager", Email: "manager.limburg@rots.local", Role: auth.Manager, Region: vocab.RegionLimburg},
		"manager-flanders":  {Subject: "manager-vl", Email: "manager@rots.local", Role: auth.Manager},
		"clb-a":             {Subject: "clb-a", Email: "an@clb-a.be", Role: auth.Submitter, Region: vocab.RegionLimburg, Organisation: "CLB Werkbak A"},
		"partner-limburg":   {Subject: "partner", Email: "jo@arktos.be", Role: auth.Partner, Region: vocab.RegionLimburg, Organisation: "Arktos"},
		"partner-no-org":    {Subject: "partner-x", Email: "x@partner.be", Role: auth.Partner, Region: vocab.RegionLimburg},
		"auditor-flanders":  {Subject: "auditor", Email: "audit@rots.local", Role: auth.Auditor},
		"admin-of-flanders": {Subject: "admin", Email: "admin@rots.local", Role: auth.Admin},
	}}
	w := &werkbak{t: t, db: db}
	info := &grpc.UnaryServerInfo{FullMethod: rotsv1.CaseService_ListCases_FullMethodName}
	w.call = func(token string, req *rotsv1.ListCasesRequest) (*rotsv1.ListCasesResponse, error) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
		resp, err := i.Unary()(ctx, req, info, func(ctx context.Context, req any) (any, error) {
			w.handled++
			return s.ListCases(ctx, req.(*rotsv1.ListCasesRequest))
		})
		if err != nil {
			return nil, err
		}
		return resp.(*rotsv1.ListCasesResponse), nil
	}
	return w
}

// add records a case with its ladder's state, closed when closed is set.
func (w *werkbak) add(region, org, alias string, submitted time.Time, e store.Escalation, closed bool) *store.Case {
	w.t.Helper()
	ctx := context.Background()
	c, _, err := w.db.CreateCase(ctx, &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: region, Stage: vocab.StageIntake,
		OrgName: org, OrgKind: "CLB", ContactName: "An Peeters", ContactEmail: "an@clb.be",
		YoungPerson: store.YoungPerson{Alias: alias, BirthYear: 2011, BirthMonth: 3, SchoolLevel: "SECUNDAIR", Grade: 2, School: "Sint-Jan", Municipality: "Genk"},
		Blocked:     "thuiszitter", Tried: []string{"gesprekken"}, Themes: []string{"ABSENCE"},
		SubmittedAt: submitted, UpdatedAt: submitted,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.ApplyTransition(ctx, store.Transition{CaseID: c.ID, Escalation: &e}); err != nil {
		w.t.Fatal(err)
	}
	if closed {
		err := w.db.ApplyTransition(ctx, store.Transition{CaseID: c.ID, RequestID: uuid.NewString(), Kind: "closed",
			FromStage: c.Stage, ToStage: vocab.StageClosed, Actor: "tandem", At: submitted.Add(time.Hour)})
		if err != nil {
			w.t.Fatal(err)
		}
	}
	return c
}

// names lists a page's references.
func refs(cases []*rotsv1.Case) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.GetReference())
	}
	return out
}

// walk pages through a listing with the tokens the API hands out.
func (w *werkbak) walk(token string, req *rotsv1.ListCasesRequest) []string {
	w.t.Helper()
	var got []string
	for range 100 {
		resp, err := w.call(token, req)
		if err != nil {
			w.t.Fatalf("ListCases(%v): %v", req, err)
		}
		got = append(got, refs(resp.GetCases())...)
		if resp.GetNextPageToken() == "" {
			return got
		}
		req.PageToken = resp.GetNextPageToken()
	}
	w.t.Fatal("paging does not end")
	return nil
}

func TestWerkbak(t *testing.T) {
	w := newWerkbak(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	deadline := func(in time.Duration) []escalation.Deadline {
		return []escalation.Deadline{{Kind: escalation.KindIntake, Due: now.Add(in)}}
	}
	const orgA, orgB = "CLB Werkbak A", "CLB Werkbak B"
	lim, ant := vocab.RegionLimburg, vocab.RegionAntwerpen
	// Limburg's cases in the werkbak's order, then a closed one and one of
	// Antwerpen that it must not show.
	open := []*store.Case{
		w.add(lim, orgB, "Yusuf", now.Add(-9*day), store.Escalation{Rung: 4, Breakthrough: true}, false),
		w.add(lim, orgA, "Noor", now.Add(-8*day), store.Escalation{Rung: 2, Deadlines: deadline(2 * day)}, false),
		w.add(lim, orgB, "Noor B.", now.Add(-3*day), store.Escalation{Rung: 1, Deadlines: deadline(-time.Hour)}, false),
		w.add(lim, orgA, "Emma", now.Add(-7*day), store.Escalation{Rung: 1, Deadlines: deadline(day)}, false),
		w.add(lim, orgB, "Lotte", now.Add(-1*day), store.Escalation{Deadlines: deadline(3 * day)}, false),
		w.add(lim, orgA, "J.", now.Add(-2*day), store.Escalation{Deadlines: deadline(4 * day)}, false),
	}
	closed := w.add(lim, orgA, "Noortje", now.Add(-30*day), store.Escalation{Breakthrough: true}, true)
	antwerpen := w.add(ant, orgA, "Noor", now.Add(-10*day), store.Escalation{Rung: 4, Breakthrough: true}, false)
	var wantOpen []string
	for _, c := range open {
		wantOpen = append(wantOpen, c.Reference)
	}

	t.Run("urgency order, open only, across pages", func(t *testing.T) {
		for _, size := range []int32{1, 2, 4, 100} {
			got := w.walk("tandem-limburg", &rotsv1.ListCasesRequest{OrderBy: "urgency", OpenOnly: true, PageSize: size})
			if diff := cmp.Diff(wantOpen, got); diff != "" {
				t.Errorf("pages of %d (-want +got):\n%s", size, diff)
			}
		}
		got := w.walk("tandem-limburg", &rotsv1.ListCasesRequest{OrderBy: "  urgency ", PageSize: 3})
		if diff := cmp.Diff(append(slices.Clone(wantOpen), closed.Reference), got); diff != "" {
			t.Errorf("with the closed cases, last (-want +got):\n%s", diff)
		}
	})

	t.Run("newest first, open only", func(t *testing.T) {
		byTime := slices.Clone(open)
		slices.SortFunc(byTime, func(a, b *store.Case) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
		var want []string
		for _, c := range byTime {
			want = append(want, c.Reference)
		}
		for _, orderBy := range []string{"", "submit_time desc", "submit_time  desc"} {
			got := w.walk("tandem-limburg", &rotsv1.ListCasesRequest{OrderBy: orderBy, OpenOnly: true, PageSize: 4})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("order_by %q (-want +got):\n%s", orderBy, diff)
			}
		}
	})

	t.Run("a token goes with its order and filters", func(t *testing.T) {
		first, err := w.call("tandem-limburg", &rotsv1.ListCasesRequest{OrderBy: "urgency", OpenOnly: true, PageSize: 2})
		if err != nil || first.GetNextPageToken() == "" {
			t.Fatalf("first page: %v, %v", first, err)
		}
		for name, req := range map[string]*rotsv1.ListCasesRequest{
			"newest first":      {OpenOnly: true},
			"with closed cases": {OrderBy: "urgency"},
			"with a query":      {OrderBy: "urgency", OpenOnly: true, Query: "noor"},
		} {
			req.PageToken, req.PageSize = first.GetNextPageToken(), 2
			_, err := w.call("tandem-limburg", req)
			if diff := cmp.Diff([]string{"page_token"}, rpctest.Violated(t, err)); diff != "" {
				t.Errorf("%s: violations (-want +got):\n%s", name, diff)
			}
		}
		if strings.Contains(first.GetNextPageToken(), "urgency") {
			t.Errorf("the token shows its filters: %s", first.GetNextPageToken())
		}
	})

	t.Run("query", func(t *testing.T) {
		for _, tt := range []struct {
			token, query string
			open         bool
			want         []*store.Case
		}{
			// Limburg's Noors, not Antwerpen's; closed ones unless open_only.
			{"tandem-limburg", "noor", true, []*store.Case{open[1], open[2]}},
			{"tandem-limburg", "NOOR", false, []*store.Case{open[1], open[2], closed}},
			{"tandem-limburg", strings.ToLower(open[3].Reference), false, []*store.Case{open[3]}},
			{"tandem-limburg", strings.TrimPrefix(open[3].Reference, "ROTS-"), false, []*store.Case{open[3]}},
			{"tandem-limburg", antwerpen.Reference, false, nil},
			{"tandem-antwerpen", "noor", false, []*store.Case{antwerpen}},
			// A submitter finds their own organisation's cases only.
			{"clb-a", "noor", false, []*store.Case{open[1], closed}},
			{"clb-a", open[2].Reference, false, nil},
		} {
			resp, err := w.call(tt.token, &rotsv1.ListCasesRequest{OrderBy: "urgency", OpenOnly: tt.open, Query: tt.query})
			if err != nil {
				t.Errorf("%s searches %q: %v", tt.token, tt.query, err)
				continue
			}
			var want []string
			for _, c := range tt.want {
				want = append(want, c.Reference)
			}
			if diff := cmp.Diff(want, refs(resp.GetCases())); diff != "" {
				t.Errorf("%s searches %q (-want +got):\n%s", tt.token, tt.query, diff)
			}
		}
	})

	t.Run("no probing of aliases", func(t *testing.T) {
		// A manager's view hides the alias: a search on it is refused
		// before anything is read, whether it would match or not, and
		// whether it is a reference or not; reference is the way.
		for _, tt := range []struct {
			token, query string
			want         codes.Code
		}{
			{"manager-limburg", "noor", codes.PermissionDenied},
			{"manager-limburg", "xyz", codes.PermissionDenied},
			{"manager-limburg", open[0].Reference, codes.PermissionDenied},
			{"manager-flanders", "noor", codes.PermissionDenied},
			{"auditor-flanders", "noor", codes.PermissionDenied},
			{"admin-of-flanders", "noor", codes.PermissionDenied},
		} {
			before := w.handled
			_, err := w.call(tt.token, &rotsv1.ListCasesRequest{OrderBy: "urgency", Query: tt.query})
			if got := status.Code(err); got != tt.want {
				t.Errorf("%s searches %q: %v, want %s", tt.token, tt.query, err, tt.want)
			}
			if w.handled != before {
				t.Errorf("%s searches %q: the handler ran", tt.token, tt.query)
			}
		}
		// The manager's werkbak itself: in order, without the alias.
		resp, err := w.call("manager-limburg", &rotsv1.ListCasesRequest{OrderBy: "urgency", OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantOpen, refs(resp.GetCases())); diff != "" {
			t.Errorf("manager's werkbak (-want +got):\n%s", diff)
		}
		for _, c := range resp.GetCases() {
			if c.GetYoungPerson().GetAlias() != "" {
				t.Errorf("the manager sees alias %q", c.GetYoungPerson().GetAlias())
			}
		}
		resp, err = w.call("manager-limburg", &rotsv1.ListCasesRequest{Reference: open[2].Reference, Query: "  "})
		if err != nil || len(resp.GetCases()) != 1 {
			t.Errorf("manager by reference: %v, %v", resp.GetCases(), err)
		}
	})

	t.Run("bad order_by and query", func(t *testing.T) {
		for _, tt := range []struct {
			req  *rotsv1.ListCasesRequest
			want []string
		}{
			{&rotsv1.ListCasesRequest{OrderBy: "submit_time"}, []string{"order_by"}},
			{&rotsv1.ListCasesRequest{OrderBy: "urgency desc"}, []string{"order_by"}},
			{&rotsv1.ListCasesRequest{OrderBy: "rung desc"}, []string{"order_by"}},
			{&rotsv1.ListCasesRequest{Query: strings.Repeat("é", 101)}, []string{"query"}},
			{&rotsv1.ListCasesRequest{Query: "noor\n"}, []string{"query"}},
			{&rotsv1.ListCasesRequest{OrderBy: "x", Query: "a\x00b", PageSize: -1}, []string{"order_by", "page_size", "query"}},
		} {
			_, err := w.call("tandem-limburg", tt.req)
			if diff := cmp.Diff(tt.want, rpctest.Violated(t, err)); diff != "" {
				t.Errorf("ListCases(%v) violations (-want +got):\n%s", tt.req, diff)
			}
			if strings.Contains(tt.req.GetQuery(), "noor") && strings.Contains(err.Error(), "noor") {
				t.Errorf("the error quotes the query: %v", err)
			}
		}
		if _, err := w.call("tandem-limburg", &rotsv1.ListCasesRequest{Query: strings.Repeat("é", 100)}); err != nil {
			t.Errorf("a query of 100 characters: %v", err)
		}
	})
}

// invite sets who is invited to a case's table: a partner of each
// organisation named, and the parents by role.
func (w *werkbak) invite(c *store.Case, orgs ...string) {
	w.t.Helper()
	ps := []vocab.Participant{{Kind: "PARENTS", Role: "moeder"}}
	for _, org := range orgs {
		ps = append(ps, vocab.Participant{Kind: "PARTNER", Organisation: org, Name: "Jo", Email: "jo@" + strings.ReplaceAll(org, " ", "") + ".be"})
	}
	if err := w.db.ApplyTransition(context.Background(), store.Transition{CaseID: c.ID, Participants: ps}); err != nil {
		w.t.Fatal(err)
	}
}

// A partner lists exactly the cases their organisation is invited to in
// their region, in the need-to-know view, and a case whose consent is
// withdrawn drops out of the list at once.
func TestPartnerListsInvitedCases(t *testing.T) {
	w := newWerkbak(t)
	now := time.Now().Add(-time.Hour)
	lim, ant := vocab.RegionLimburg, vocab.RegionAntwerpen
	add := func(region, alias string, age time.Duration, orgs ...string) *store.Case {
		c := w.add(region, "CLB Partner", alias, now.Add(-age), store.Escalation{}, false)
		if orgs != nil {
			w.invite(c, orgs...)
		}
		return c
	}
	noor := add(lim, "Noor", 1*time.Hour, "Arktos", "CGG Lichtpunt")
	emma := add(lim, "Emma", 2*time.Hour, "CGG Lichtpunt") // another organisation's table
	lotte := add(lim, "Lotte", 3*time.Hour, "Arktos")      // invited
	add(lim, "Yusuf", 4*time.Hour)                         // no table
	add(ant, "Noor", 5*time.Hour, "Arktos")                // invited, in another region
	withdrawn := add(lim, "Sam", 6*time.Hour, "Arktos")    // invited, consent withdrawn before
	if err := w.db.WithdrawConsent(context.Background(), withdrawn.ID, uuid.NewString(), "clb", "", now); err != nil {
		t.Fatal(err)
	}

	list := func(token string, req *rotsv1.ListCasesRequest) []string {
		t.Helper()
		resp, err := w.call(token, req)
		if err != nil {
			t.Fatalf("%s lists %v: %v", token, req, err)
		}
		for _, c := range resp.GetCases() {
			if token == "partner-limburg" && (c.GetContact() != nil || len(c.GetTried()) > 0 || c.GetYoungPerson().GetMunicipality() != "") {
				t.Errorf("the partner's list shows more than the need-to-know view: %v", c)
			}
		}
		return refs(resp.GetCases())
	}
	want := []string{noor.Reference, lotte.Reference}
	if diff := cmp.Diff(want, list("partner-limburg", &rotsv1.ListCasesRequest{})); diff != "" {
		t.Errorf("the partner's tables (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, w.walk("partner-limburg", &rotsv1.ListCasesRequest{PageSize: 1})); diff != "" {
		t.Errorf("page by page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, list("partner-limburg", &rotsv1.ListCasesRequest{InvitedOrganisation: "Arktos"})); diff != "" {
		t.Errorf("naming their own organisation (-want +got):\n%s", diff)
	}
	// A search finds only among the invited cases: Noor of Antwerpen and
	// Emma's table stay out.
	if diff := cmp.Diff([]string{noor.Reference}, list("partner-limburg", &rotsv1.ListCasesRequest{Query: "noor"})); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if got := list("partner-limburg", &rotsv1.ListCasesRequest{Reference: emma.Reference}); len(got) != 0 {
		t.Errorf("a case of another table by its reference: %v", got)
	}
	// Another organisation's tables, another region, or no organisation at
	// all: refused before anything is read.
	for _, tt := range []struct {
		token string
		req   *rotsv1.ListCasesRequest
	}{
		{"partner-limburg", &rotsv1.ListCasesRequest{InvitedOrganisation: "CGG Lichtpunt"}},
		{"partner-limburg", &rotsv1.ListCasesRequest{Region: rotsv1.Region_REGION_ANTWERPEN}},
		{"partner-no-org", &rotsv1.ListCasesRequest{}},
	} {
		before := w.handled
		if _, err := w.call(tt.token, tt.req); status.Code(err) != codes.PermissionDenied {
			t.Errorf("%s lists %v: %v, want PermissionDenied", tt.token, tt.req, err)
		}
		if w.handled != before {
			t.Errorf("%s lists %v: the handler ran", tt.token, tt.req)
		}
	}
	// The tandem may use the filter too, in their own region.
	if diff := cmp.Diff(want, list("tandem-limburg", &rotsv1.ListCasesRequest{InvitedOrganisation: "Arktos"})); diff != "" {
		t.Errorf("the tandem's list of Arktos' tables (-want +got):\n%s", diff)
	}

	// Consent withdrawn: the case is gone from the very next listing.
	if err := w.db.WithdrawConsent(context.Background(), noor.ID, uuid.NewString(), "clb", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{lotte.Reference}, list("partner-limburg", &rotsv1.ListCasesRequest{})); diff != "" {
		t.Errorf("after the consent for Noor was withdrawn (-want +got):\n%s", diff)
	}

	// Every case the partner listed is in the access log under their name.
	entries, err := w.db.ListAccess(context.Background(), store.AccessFilter{Actor: "jo@arktos.be"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, e := range entries {
		read[e.Reference] = true
		if e.Action != "ListCases" || e.Purpose != "opvolging" {
			t.Errorf("access log entry %+v", e)
		}
	}
	if !read[noor.Reference] || !read[lotte.Reference] || len(read) != 2 {
		t.Errorf("the access log has the partner reading %v, want %s and %s", read, noor.Reference, lotte.Reference)
	}
}
