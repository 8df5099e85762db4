package directoryseed

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/directoryservice"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func seedSize() (orgs, offers int) {
	for _, o := range limburg {
		orgs++
		offers += len(o.offers)
	}
	return orgs, offers
}

// counts returns how many organisations and offers the database holds,
// active or not.
func counts(t *testing.T, db *store.DB) (orgs, offers int) {
	t.Helper()
	ctx := context.Background()
	o, err := directory.New(db).ListOrganisations(ctx, directory.OrganisationFilter{ShowInactive: true}, nil, 10000)
	if err != nil {
		t.Fatal(err)
	}
	f, err := directory.New(db).SearchOffers(ctx, directory.OfferQuery{ShowInactive: true}, nil, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return len(o), len(f)
}

func names(t *testing.T, db *store.DB, q directory.OfferQuery) []string {
	t.Helper()
	offers, err := directory.New(db).SearchOffers(context.Background(), q, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, f := range offers {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

// seeded returns the names of the seed's offers that pass keep, sorted.
func seeded(keep func(so seedOrg, sf seedOffer) bool) []string {
	out := []string{}
	for _, so := range limburg {
		for _, sf := range so.offers {
			if keep(so, sf) {
				out = append(out, sf.name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestSeedData(t *testing.T) {
	orgs, offers := seedSize()
	if orgs < 12 || offers < 25 {
		t.Errorf("seed has %d organisations and %d offers, want about 12 and 25", orgs, offers)
	}
	keys, requestIDs := map[string]bool{}, map[string]bool{}
	kinds, themes, ages := map[string]bool{}, map[string]bool{}, map[string]bool{}
	check := func(key, requestID string) {
		if keys[key] {
			t.Errorf("key %q used twice", key)
		}
		keys[key] = true
		var v rpc.Violations
		v.RequestID(requestID)
		if err := v.Err(); err != nil || requestIDs[requestID] {
			t.Errorf("request ID %q: %v (or used twice)", requestID, err)
		}
		requestIDs[requestID] = true
	}
	for _, so := range limburg {
		check(so.key, RequestIDPrefix+"org-"+so.key)
		kinds[so.kind] = true
		if !slices.Contains(so.regions, "LIMBURG") {
			t.Errorf("%s does not serve Limburg", so.name)
		}
		for _, c := range so.contacts {
			if !strings.HasSuffix(c.Email, "@example.be") {
				t.Errorf("%s: contact address %q is not a fictional example.be address", so.name, c.Email)
			}
		}
		for _, sf := range so.offers {
			check(sf.key, RequestIDPrefix+"offer-"+sf.key)
			ages[sf.ageBand] = true
			for _, th := range sf.themes {
				themes[th] = true
			}
		}
	}
	for _, want := range []string{"SCHOOL", "CLB", "YOUTH_CARE_PROVIDER", "WELFARE", "MUNICIPALITY", "SCHOOL_EXTERNAL_PROGRAMME", "OTHER"} {
		if !kinds[want] {
			t.Errorf("no organisation of kind %s", want)
		}
	}
	for _, want := range []string{"UNDER_12", "TWELVE_AND_OVER", "ALL"} {
		if !ages[want] {
			t.Errorf("no offer for age band %s", want)
		}
	}
	if len(themes) != len(rotsv1.Theme_name)-1 {
		t.Errorf("offers cover %d themes, want all %d", len(themes), len(rotsv1.Theme_name)-1)
	}
}

func TestSeed(t *testing.T) {
	// A database of its own, so that the counts are exact however often
	// the test runs.
	ctx := context.Background()
	url, drop, err := storetest.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	wantOrgs, wantOffers := seedSize()

	// Two seeds at once create everything once.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 2 {
		wg.Go(func() {
			n, err := Seed(ctx, db)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != wantOrgs+wantOffers {
		t.Errorf("two concurrent seeds created %d, want %d", total, wantOrgs+wantOffers)
	}
	if o, f := counts(t, db); o != wantOrgs || f != wantOffers {
		t.Fatalf("after seeding: %d organisations, %d offers; want %d, %d", o, f, wantOrgs, wantOffers)
	}
	if n, err := Seed(ctx, db); err != nil || n != 0 {
		t.Errorf("seeding again created %d, %v; want 0", n, err)
	}
	if o, f := counts(t, db); o != wantOrgs || f != wantOffers {
		t.Errorf("after seeding twice: %d organisations, %d offers; want %d, %d", o, f, wantOrgs, wantOffers)
	}

	mentions := func(word string) func(seedOrg, seedOffer) bool {
		return func(_ seedOrg, sf seedOffer) bool {
			return strings.Contains(strings.ToLower(sf.name+" "+sf.description), word)
		}
	}
	for _, tc := range []struct {
		name string
		q    directory.OfferQuery
		want []string
	}{
		{"wachtlijsten in Limburg", directory.OfferQuery{Text: "wachtlijsten", Region: "LIMBURG"}, seeded(mentions("wachtlijst"))},
		{"time-out", directory.OfferQuery{Text: "time-out"}, seeded(mentions("time-out"))},
		{"Antwerpen", directory.OfferQuery{Region: "ANTWERPEN"}, seeded(func(so seedOrg, _ seedOffer) bool { return slices.Contains(so.regions, "ANTWERPEN") })},
		{"language", directory.OfferQuery{Themes: []string{"LANGUAGE"}}, seeded(func(_ seedOrg, sf seedOffer) bool { return slices.Contains(sf.themes, "LANGUAGE") })},
		{"behaviour under 12", directory.OfferQuery{Themes: []string{"BEHAVIOUR"}, AgeBand: "UNDER_12"}, seeded(func(_ seedOrg, sf seedOffer) bool {
			return slices.Contains(sf.themes, "BEHAVIOUR") && sf.ageBand != "TWELVE_AND_OVER"
		})},
		{"jongeren die thuiszitten", directory.OfferQuery{Text: "jongeren school", AgeBand: "TWELVE_AND_OVER"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := names(t, db, tc.q)
			if tc.want == nil {
				if len(got) == 0 {
					t.Error("found nothing")
				}
				return
			}
			if len(tc.want) == 0 {
				t.Fatal("the seed has nothing this search should find; fix the test")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// Expected finds by name, so that the stemming is seen to work.
	for q, want := range map[string]string{
		"wachtlijsten": "Psychotherapie voor kinderen en jongeren",
		"spijbelen":    "Spijbelproject met herstelgericht groepsoverleg",
		"thuiszitten":  "Trajectbegeleiding bij spijbelen en thuiszitten",
		"nieuwkomer":   "Begeleiding van anderstalige nieuwkomers",
	} {
		if got := names(t, db, directory.OfferQuery{Text: q}); !slices.Contains(got, want) {
			t.Errorf("search %q found %v, want %q among them", q, got, want)
		}
	}
}

// TestSeedValid puts every seeded organisation and offer through the
// service's validation, by replacing each with itself.
func TestSeedValid(t *testing.T) {
	db, ctx := openDB(t), context.Background()
	if _, err := Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	svc := directoryservice.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var token string
	n := 0
	for {
		resp, err := svc.ListOrganisations(ctx, &rotsv1.ListOrganisationsRequest{Region: rotsv1.Region_REGION_LIMBURG, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetOrganisations() {
			n++
			if _, err := svc.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{RequestId: uuid.NewString(), Organisation: o}); err != nil {
				t.Errorf("%s: %v", o.GetDisplayName(), err)
			}
			offers, err := svc.SearchOffers(ctx, &rotsv1.SearchOffersRequest{Parent: o.GetName(), PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range offers.GetOffers() {
				if _, err := svc.UpdateOffer(ctx, &rotsv1.UpdateOfferRequest{RequestId: uuid.NewString(), Offer: f}); err != nil {
					t.Errorf("%s: %v", f.GetDisplayName(), err)
				}
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if orgs, _ := seedSize(); n != orgs {
		t.Errorf("listed %d organisations in Limburg, want %d", n, orgs)
	}
}
