package practiceservice

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/authz"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

// tokens verifies a token by looking it up.
type tokens map[string]auth.Principal

func (v tokens) Verify(_ context.Context, raw string) (auth.Principal, error) {
	p, ok := v[raw]
	if !ok {
		return auth.Principal{}, auth.ErrUnauthenticated
	}
	return p, nil
}

// world is one test's service behind the access policy, with its people:
// two coordinators of Limburg (the tandem), one of Antwerpen, a manager.
type world struct {
	t   *testing.T
	db  *store.DB
	s   *Server
	ic  grpc.UnaryServerInterceptor
	tag string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := storetest.Open(t, dbURL)
	tag := uuid.NewString()[:8]
	person := func(name, role, region string) auth.Principal {
		return auth.Principal{Subject: name + "-" + tag, Email: name + "." + tag + "@rots.be", Role: role, Region: region}
	}
	tok := tokens{
		"els":     person("els", auth.Coordinator, "LIMBURG"),
		"jan":     person("jan", auth.Coordinator, "LIMBURG"),
		"anouk":   person("anouk", auth.Coordinator, "ANTWERPEN"),
		"manager": person("mia", auth.Manager, "LIMBURG"),
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ic := &authz.Interceptor{Verifier: tok, DB: db, Log: log}
	return &world{t: t, db: db, s: New(db, log), ic: ic.Unary(), tag: tag}
}

// call calls the service the way rotsd does: through the access policy,
// with token as the bearer token.
func (w *world) call(token, method string, req any) (any, error) {
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+token))
	handlers := map[string]func(context.Context, any) (any, error){
		"CreatePractice": func(ctx context.Context, r any) (any, error) {
			return w.s.CreatePractice(ctx, r.(*rotsv1.CreatePracticeRequest))
		},
		"GetPractice": func(ctx context.Context, r any) (any, error) {
			return w.s.GetPractice(ctx, r.(*rotsv1.GetPracticeRequest))
		},
		"ListPractices": func(ctx context.Context, r any) (any, error) {
			return w.s.ListPractices(ctx, r.(*rotsv1.ListPracticesRequest))
		},
		"UpdatePractice": func(ctx context.Context, r any) (any, error) {
			return w.s.UpdatePractice(ctx, r.(*rotsv1.UpdatePracticeRequest))
		},
		"ReviewPractice": func(ctx context.Context, r any) (any, error) {
			return w.s.ReviewPractice(ctx, r.(*rotsv1.ReviewPracticeRequest))
		},
		"SuggestOffers": func(ctx context.Context, r any) (any, error) {
			return w.s.SuggestOffers(ctx, r.(*rotsv1.SuggestOffersRequest))
		},
	}
	return w.ic(ctx, req, &grpc.UnaryServerInfo{FullMethod: "/rots.v1.PracticeService/" + method}, handlers[method])
}

// closedCase is a case of Limburg closed back at school, with a table
// whose people have names, as the case path leaves it.
func (w *world) closedCase(reason string) *store.Case {
	w.t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &store.Case{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Region: "LIMBURG", Stage: "SUBMITTED",
		OrgName: "Vrij CLB Limburg " + w.tag, OrgKind: "CLB", ContactName: "An Peeters", ContactEmail: "an@vclb.be",
		YoungPerson: store.YoungPerson{Alias: "Noor", BirthYear: 2011, BirthMonth: 5, SchoolLevel: "SECUNDAIR", Grade: 2,
			School: "Sint-Jansinstituut", Municipality: "Hasselt"},
		Blocked: "Zit thuis sinds de herfstvakantie.", Themes: []string{"ABSENCE", "MENTAL_HEALTH"},
		CLBStuck: true, YouthCareStuck: true, Informed: true, SubmittedAt: at, UpdatedAt: at,
	}
	if _, _, err := w.db.CreateCase(ctx, c); err != nil {
		w.t.Fatal(err)
	}
	steps := []store.Transition{
		{Kind: "table_convened", FromStage: "SUBMITTED", ToStage: "TABLE", Participants: []vocab.Participant{
			{Kind: "PARTNER", Organisation: "Time-out vzw", Name: "Bart Claes", Email: "bart@timeout.be", Role: "begeleider"},
			{Kind: "PARENTS"},
		}},
		{Kind: "offer_made", FromStage: "TABLE", ToStage: "FOLLOW_UP", Offer: ptr("Deeltijds terug naar school."),
			OffersUsed: []string{}, Agreements: []vocab.Agreement{
				{Action: "Wekelijks gesprek", OwnerOrganisation: "CLB", DueDate: at.AddDate(0, 2, 0), Status: "OPEN", Person: "Griet Wouters"},
			}},
		{Kind: "closed", FromStage: "FOLLOW_UP", ToStage: "CLOSED", ClosureReason: ptr(reason), ClosureNote: ptr("Noor is terug.")},
	}
	for i, tr := range steps {
		tr.CaseID, tr.RequestID, tr.Actor, tr.At = c.ID, uuid.NewString(), "els@rots.be", at.Add(time.Duration(i+1)*time.Hour)
		if err := w.db.ApplyTransition(ctx, tr); err != nil {
			w.t.Fatal(err)
		}
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// writeUp is a practice that names nobody.
func writeUp() *rotsv1.Practice {
	return &rotsv1.Practice{
		Title:             "Stap voor stap terug naar school na lange afwezigheid",
		Offer:             "Een kort time-outtraject, daarna halve dagen op school met een vaste vertrouwenspersoon.",
		Agreements:        "Wekelijks overleg tussen school, CLB en time-outbegeleider; de ouders tekenden mee.",
		Difference:        "Eén aanspreekpunt voor het gezin, en de school hield de plaats vrij. Gestart in maart 2026.",
		OrganisationKinds: []rotsv1.PartnerOrganisationKind{rotsv1.PartnerOrganisationKind_PARTNER_ORGANISATION_KIND_CLB, rotsv1.PartnerOrganisationKind_PARTNER_ORGANISATION_KIND_SCHOOL},
	}
}

func (w *world) create(token string, c *store.Case, p *rotsv1.Practice) (*rotsv1.Practice, error) {
	resp, err := w.call(token, "CreatePractice", &rotsv1.CreatePracticeRequest{RequestId: uuid.NewString(), Case: "cases/" + c.ID, Practice: p})
	if err != nil {
		return nil, err
	}
	return resp.(*rotsv1.CreatePracticeResponse).GetPractice(), nil
}

func (w *world) review(token, name string, d rotsv1.PracticeDecision, note string) (*rotsv1.Practice, error) {
	resp, err := w.call(token, "ReviewPractice", &rotsv1.ReviewPracticeRequest{RequestId: uuid.NewString(), Name: name, Decision: d, Note: note})
	if err != nil {
		return nil, err
	}
	return resp.(*rotsv1.ReviewPracticeResponse).GetPractice(), nil
}

func (w *world) get(token, name string) (*rotsv1.Practice, error) {
	resp, err := w.call(token, "GetPractice", &rotsv1.GetPracticeRequest{Name: name})
	if err != nil {
		return nil, err
	}
	return resp.(*rotsv1.GetPracticeResponse).GetPractice(), nil
}

func wantCode(t *testing.T, what string, err error, want codes.Code) {
	t.Helper()
	if status.Code(err) != want {
		t.Errorf("%s: %v, want %s", what, err, want)
	}
}

const publish = rotsv1.PracticeDecision_PRACTICE_DECISION_PUBLISH

// Each kind of identifying content is refused, naming the field; a month
// passes.
func TestIdentifyingContentIsRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	org := &directory.Organisation{ID: uuid.NewString(), RequestID: uuid.NewString(), Name: "Time-out vzw " + w.tag, Kind: "SCHOOL_EXTERNAL_PROGRAMME",
		Regions: []string{"LIMBURG"}, Contacts: []directory.OrganisationContact{{Name: "Pieter Vranken", Role: "coördinator", Email: "p@t.be"}}}
	if _, _, err := directory.New(w.db).CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	c := w.closedCase("BACK_AT_SCHOOL")
	for _, tc := range []struct{ kind, field, text string }{
		{"the alias", "practice.difference", "Noor wilde zelf terug."},
		{"the alias in another case", "practice.title", "NOOR terug op school"},
		{"the school", "practice.offer", "Halve dagen in het Sint-Jansinstituut."},
		{"the municipality", "practice.agreements", "Overleg op het stadhuis van Hasselt."},
		{"the contact person", "practice.difference", "An Peeters bleef het aanspreekpunt."},
		{"a participant's surname", "practice.difference", "De begeleider, Claes, kwam aan huis."},
		{"an agreement's person", "practice.agreements", "Griet volgde de gesprekken op."},
		{"a person of the directory", "practice.offer", "Een traject bij Vranken."},
		{"an ISO date", "practice.difference", "Gestart op 2026-03-14."},
		{"a Belgian date", "practice.difference", "Gestart op 14/03/2026."},
		{"a short date", "practice.agreements", "Evaluatie op 3-4-26."},
		{"a written date", "practice.difference", "Sinds 14 maart halve dagen."},
		{"an abbreviated date", "practice.title", "Terug op school vanaf 1ste sept. 2026"},
		{"a national register number", "practice.difference", "Dossier 85.07.30-033.28 afgesloten."},
	} {
		p := writeUp()
		switch tc.field {
		case "practice.title":
			p.Title = tc.text
		case "practice.offer":
			p.Offer = tc.text
		case "practice.agreements":
			p.Agreements = tc.text
		case "practice.difference":
			p.Difference = tc.text
		}
		_, err := w.create("els", c, p)
		if got := rpctest.Violated(t, err); len(got) != 1 || got[0] != tc.field {
			t.Errorf("%s: violated %v, want [%s]", tc.kind, got, tc.field)
		}
	}
	// The same write-up without them is accepted, and only once per case.
	p, err := w.create("els", c, writeUp())
	if err != nil {
		t.Fatalf("a clean write-up: %v", err)
	}
	if p.GetState() != rotsv1.PracticeState_PRACTICE_STATE_IN_REVIEW {
		t.Errorf("state = %v, want IN_REVIEW", p.GetState())
	}
	_, err = w.create("jan", c, writeUp())
	wantCode(t, "a second practice for the case", err, codes.AlreadyExists)
}

// Only a case closed with a good outcome is written up.
func TestOnlyAGoodOutcome(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, err := w.create("els", w.closedCase("MOVED_OUT_OF_REGION"), writeUp())
	wantCode(t, "moved out of region", err, codes.FailedPrecondition)
	_, err = w.create("anouk", w.closedCase("ALTERNATIVE_TRAJECTORY"), writeUp())
	wantCode(t, "a coordinator of another region", err, codes.NotFound)
	_, err = w.create("manager", w.closedCase("ALTERNATIVE_TRAJECTORY"), writeUp())
	wantCode(t, "a manager", err, codes.PermissionDenied)
}

// The author alone cannot publish; another coordinator of the region
// reviews; until then nobody else sees it.
func TestFourEyes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p, err := w.create("els", w.closedCase("BACK_AT_SCHOOL"), writeUp())
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.review("els", p.GetName(), publish, "")
	wantCode(t, "the author publishes", err, codes.PermissionDenied)
	_, err = w.review("anouk", p.GetName(), publish, "")
	wantCode(t, "a coordinator of another region reviews", err, codes.PermissionDenied)
	_, err = w.get("anouk", p.GetName())
	wantCode(t, "another region reads it in review", err, codes.PermissionDenied)
	if got, err := w.get("els", p.GetName()); err != nil || got.GetState() != rotsv1.PracticeState_PRACTICE_STATE_IN_REVIEW {
		t.Fatalf("after the author's try: %v, %v; want it still in review", got.GetState(), err)
	}

	// Sent back, changed by the author (only), reviewed again.
	back, err := w.review("jan", p.GetName(), rotsv1.PracticeDecision_PRACTICE_DECISION_SEND_BACK, "Zeg meer over de school.")
	if err != nil || back.GetState() != rotsv1.PracticeState_PRACTICE_STATE_SENT_BACK || back.GetReviewNote() == "" {
		t.Fatalf("sent back: %v, %v", back, err)
	}
	changed := writeUp()
	changed.Name = p.GetName()
	changed.Difference = "De school hield de plaats vrij en paste het lesrooster aan."
	changed.Themes = p.GetThemes()
	changed.AgeBand, changed.SchoolLevel = p.GetAgeBand(), p.GetSchoolLevel()
	_, err = w.call("jan", "UpdatePractice", &rotsv1.UpdatePracticeRequest{RequestId: uuid.NewString(), Practice: changed})
	wantCode(t, "the reviewer edits", err, codes.PermissionDenied)
	_, err = w.call("els", "UpdatePractice", &rotsv1.UpdatePracticeRequest{RequestId: uuid.NewString(), Practice: changed})
	if err != nil {
		t.Fatalf("the author edits: %v", err)
	}
	published, err := w.review("jan", p.GetName(), publish, "")
	if err != nil {
		t.Fatalf("the second coordinator publishes: %v", err)
	}
	if published.GetState() != rotsv1.PracticeState_PRACTICE_STATE_PUBLISHED || published.GetDifference() != changed.Difference ||
		len(published.GetPublishMonth()) != len("2006-01") {
		t.Errorf("published = %v", published)
	}
	_, err = w.call("els", "UpdatePractice", &rotsv1.UpdatePracticeRequest{RequestId: uuid.NewString(), Practice: changed})
	wantCode(t, "editing a published practice", err, codes.FailedPrecondition)
}

// A coordinator of another region finds a published practice by Dutch
// full text and by theme and age band, and nothing in it leads to the
// case.
func TestReaderOfAnotherRegionCannotReachTheCase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.closedCase("BACK_AT_SCHOOL")
	p, err := w.create("els", c, writeUp())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.review("jan", p.GetName(), publish, ""); err != nil {
		t.Fatal(err)
	}
	got, err := w.get("anouk", p.GetName())
	if err != nil {
		t.Fatalf("a coordinator of Antwerpen reads a published practice of Limburg: %v", err)
	}
	if got.GetRegion() != rotsv1.Region_REGION_LIMBURG || got.GetAgeBand() != rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER ||
		got.GetSchoolLevel() != rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR || len(got.GetThemes()) != 2 {
		t.Errorf("the case's facts were not filled in: %v", got)
	}
	// No field of a practice is about a case, and no value names it.
	md := got.ProtoReflect().Descriptor()
	for i := range md.Fields().Len() {
		if f := md.Fields().Get(i); strings.Contains(string(f.Name()), "case") {
			t.Errorf("Practice has a field %s", f.Name())
		}
	}
	reference, _ := w.db.GetCase(context.Background(), c.ID)
	for _, s := range stringsOf(got.ProtoReflect()) {
		if strings.Contains(s, c.ID) || strings.Contains(s, "cases/") || reference.Reference != "" && strings.Contains(s, reference.Reference) {
			t.Errorf("the practice holds %q, which names the case", s)
		}
	}

	for _, q := range []*rotsv1.ListPracticesRequest{
		{Query: "afwezigheden vertrouwenspersonen"}, // stemmed: afwezigheid, vertrouwenspersoon
		{Themes: []rotsv1.Theme{rotsv1.Theme_THEME_MENTAL_HEALTH}, AgeBand: rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER},
	} {
		resp, err := w.call("anouk", "ListPractices", q)
		if err != nil {
			t.Fatal(err)
		}
		if !listed(resp.(*rotsv1.ListPracticesResponse), p.GetName()) {
			t.Errorf("ListPractices(%v) does not find the practice", q)
		}
	}
	for _, q := range []*rotsv1.ListPracticesRequest{
		{Query: "wachtlijst jeugdhulp"},
		{Themes: []rotsv1.Theme{rotsv1.Theme_THEME_MENTAL_HEALTH}, AgeBand: rotsv1.AgeBand_AGE_BAND_UNDER_12},
	} {
		resp, err := w.call("anouk", "ListPractices", q)
		if err != nil {
			t.Fatal(err)
		}
		if listed(resp.(*rotsv1.ListPracticesResponse), p.GetName()) {
			t.Errorf("ListPractices(%v) finds a practice that does not match", q)
		}
	}
	_, err = w.call("anouk", "ListPractices", &rotsv1.ListPracticesRequest{InReview: true, Region: rotsv1.Region_REGION_LIMBURG})
	wantCode(t, "Antwerpen lists Limburg's practices in review", err, codes.PermissionDenied)
}

func listed(resp *rotsv1.ListPracticesResponse, name string) bool {
	for _, p := range resp.GetPractices() {
		if p.GetName() == name {
			return true
		}
	}
	return false
}

// stringsOf lists every string value in m, nested messages included.
func stringsOf(m protoreflect.Message) []string {
	var out []string
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Kind() == protoreflect.StringKind && fd.IsList():
			for i := range v.List().Len() {
				out = append(out, v.List().Get(i).String())
			}
		case fd.Kind() == protoreflect.StringKind:
			out = append(out, v.String())
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap():
			out = append(out, stringsOf(v.Message())...)
		}
		return true
	})
	return out
}

// The case's anonymisation, run for real, leaves a published practice as
// it was, and takes away its link to the case.
func TestPublishedPracticeSurvivesAnonymisation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	c := w.closedCase("ALTERNATIVE_TRAJECTORY")
	p, err := w.create("els", c, writeUp())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.review("jan", p.GetName(), publish, ""); err != nil {
		t.Fatal(err)
	}
	before, err := w.get("anouk", p.GetName())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(p.GetName(), "practices/")
	if linked, err := practices.New(w.db).CaseOf(ctx, id); err != nil || linked != c.ID {
		t.Fatalf("before: the practice's link is %q, %v; want the case", linked, err)
	}

	if err := w.db.Anonymise(ctx, c.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if gone, err := w.db.GetCase(ctx, c.ID); err != nil || gone.YoungPerson.Alias != "" {
		t.Fatalf("the case was not anonymised: %v, %v", gone.YoungPerson.Alias, err)
	}
	after, err := w.get("anouk", p.GetName())
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(before, after) {
		t.Errorf("the practice changed with the anonymisation:\nbefore %v\nafter  %v", before, after)
	}
	if linked, err := practices.New(w.db).CaseOf(ctx, id); err != nil || linked != "" {
		t.Errorf("after: the practice's link is %q, %v; want none", linked, err)
	}
}

// SuggestOffers finds the region's directory offer and another region's
// published practice for a case of the same themes and age.
func TestSuggestOffersForACase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	dir := directory.New(w.db)
	org := &directory.Organisation{ID: uuid.NewString(), RequestID: uuid.NewString(), Name: "Time-out " + w.tag, Kind: "SCHOOL_EXTERNAL_PROGRAMME",
		Regions: []string{"LIMBURG"}}
	if _, _, err := dir.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	weeks := 0
	offer := &directory.Offer{ID: uuid.NewString(), OrganisationID: org.ID, RequestID: uuid.NewString(), Name: "Time-out " + w.tag,
		Description: "Kort traject", AgeBand: "TWELVE_AND_OVER", Themes: []string{"ABSENCE"}, WaitingWeeks: &weeks}
	if _, _, err := dir.CreateOffer(ctx, offer); err != nil {
		t.Fatal(err)
	}
	// A practice published in Limburg ...
	p, err := w.create("els", w.closedCase("BACK_AT_SCHOOL"), writeUp())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.review("jan", p.GetName(), publish, ""); err != nil {
		t.Fatal(err)
	}
	// ... suggested for an open case of Limburg.
	open := w.closedCase("BACK_AT_SCHOOL")
	resp, err := w.call("jan", "SuggestOffers", &rotsv1.SuggestOffersRequest{Name: "cases/" + open.ID, PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	var sawOffer, sawPractice bool
	for _, sg := range resp.(*rotsv1.SuggestOffersResponse).GetSuggestions() {
		if sg.GetReason() == "" {
			t.Errorf("suggestion %v has no reason", sg)
		}
		sawOffer = sawOffer || sg.GetOffer().GetName() == "organisations/"+org.ID+"/offers/"+offer.ID
		sawPractice = sawPractice || sg.GetPractice().GetName() == p.GetName()
	}
	if !sawOffer || !sawPractice {
		t.Errorf("suggestions %v: offer %v, practice %v; want both", resp, sawOffer, sawPractice)
	}
	_, err = w.call("anouk", "SuggestOffers", &rotsv1.SuggestOffersRequest{Name: "cases/" + open.ID})
	wantCode(t, "a coordinator of another region", err, codes.NotFound)
}

// A retried CreatePractice or ReviewPractice (the same request_id) does
// the work once and answers as the first time.
func TestRetriesDoTheWorkOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	req := &rotsv1.CreatePracticeRequest{RequestId: uuid.NewString(), Case: "cases/" + w.closedCase("BACK_AT_SCHOOL").ID, Practice: writeUp()}
	first, err := w.call("els", "CreatePractice", req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.call("els", "CreatePractice", req)
	if err != nil {
		t.Fatalf("the retry: %v", err)
	}
	name := first.(*rotsv1.CreatePracticeResponse).GetPractice().GetName()
	if got := again.(*rotsv1.CreatePracticeResponse).GetPractice().GetName(); got != name {
		t.Errorf("the retry answers %s, want %s", got, name)
	}
	review := &rotsv1.ReviewPracticeRequest{RequestId: uuid.NewString(), Name: name, Decision: publish}
	for range 2 {
		if _, err := w.call("jan", "ReviewPractice", review); err != nil {
			t.Fatalf("review (or its retry): %v", err)
		}
	}
	resp, err := w.call("jan", "ListPractices", &rotsv1.ListPracticesRequest{Query: "vertrouwenspersoon", PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range resp.(*rotsv1.ListPracticesResponse).GetPractices() {
		if strings.Contains(p.GetName(), strings.TrimPrefix(name, "practices/")) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the practice is listed %d times, want once", n)
	}
}

// The calls that read a case, and so are in its access log, have Dutch
// words for the auditor's page.
func TestAccessLogWords(t *testing.T) {
	for _, m := range []string{"CreatePractice", "SuggestOffers"} {
		if got := dutch.Action(m); got == m {
			t.Errorf("dutch.Action(%s) has no Dutch words", m)
		}
	}
}
