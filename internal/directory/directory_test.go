package directory_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func openDB(t *testing.T) *directory.Store { return directory.New(storetest.Open(t, dbURL)) }

func tag() string { return uuid.NewString()[:8] }

func newOrg(name string, kind string, regions ...string) *directory.Organisation {
	return &directory.Organisation{
		ID: uuid.NewString(), RequestID: uuid.NewString(), Name: name, Kind: kind, Regions: regions,
		Contacts:  []directory.OrganisationContact{{Name: "Sara Jacobs", Role: "coördinator", Email: "sara.jacobs@example.be"}},
		CreatedAt: time.Now(),
	}
}

func mustCreateOrg(t *testing.T, db *directory.Store, o *directory.Organisation) *directory.Organisation {
	t.Helper()
	got, created, err := db.CreateOrganisation(context.Background(), o)
	if err != nil || !created {
		t.Fatalf("CreateOrganisation = created %t, %v", created, err)
	}
	return got
}

func newOffer(orgID, name, description, ageBand string, themes ...string) *directory.Offer {
	return &directory.Offer{
		ID: uuid.NewString(), OrganisationID: orgID, RequestID: uuid.NewString(),
		Name: name, Description: description, AgeBand: ageBand, Themes: themes, CreatedAt: time.Now(),
	}
}

func mustCreateOffer(t *testing.T, db *directory.Store, f *directory.Offer) *directory.Offer {
	t.Helper()
	got, created, err := db.CreateOffer(context.Background(), f)
	if err != nil || !created {
		t.Fatalf("CreateOffer(%q) = created %t, %v", f.Name, created, err)
	}
	return got
}

func offerNames(offers []*directory.Offer) []string {
	names := []string{}
	for _, f := range offers {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

func TestDirectoryOrganisationLifecycle(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	want := newOrg("CLB Lifecycle "+tag(), "CLB", "LIMBURG", "ANTWERPEN")
	want.Contacts = append(want.Contacts, directory.OrganisationContact{Name: "Jan Peeters", Email: "jan.peeters@example.be"})
	created := mustCreateOrg(t, db, want)
	if !created.Active || created.ID != want.ID || !created.CreatedAt.Equal(created.UpdatedAt) {
		t.Errorf("created = %+v, want active with ID %s and equal times", created, want.ID)
	}
	got, err := db.GetOrganisation(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(created, got); diff != "" {
		t.Errorf("GetOrganisation differs from what CreateOrganisation returned (-create +get):\n%s", diff)
	}
	if diff := gocmp.Diff(want.Contacts, got.Contacts); diff != "" {
		t.Errorf("contacts (-want +got):\n%s", diff)
	}
	if regions, err := db.OrganisationRegions(ctx, want.ID); err != nil || !slices.Equal(regions, []string{"LIMBURG", "ANTWERPEN"}) {
		t.Errorf("OrganisationRegions = %v, %v", regions, err)
	}

	later := time.Now().Add(time.Minute)
	updated, err := db.UpdateOrganisation(ctx, want.ID, uuid.NewString(), later, func(o *directory.Organisation) error {
		o.Name, o.Kind, o.Regions, o.Contacts = "CLB Hernoemd "+tag(), "WELFARE", []string{"BRUSSEL"}, nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Kind != "WELFARE" || !slices.Equal(updated.Regions, []string{"BRUSSEL"}) || len(updated.Contacts) != 0 ||
		!updated.UpdatedAt.Equal(later.UTC().Truncate(time.Microsecond)) || !updated.Active {
		t.Errorf("updated = %+v", updated)
	}
	if got, _ := db.GetOrganisation(ctx, want.ID); !gocmp.Equal(updated, got) {
		t.Errorf("stored after update %+v, returned %+v", got, updated)
	}

	// A refused change stores nothing and comes back as it is.
	refusal := errors.New("nee")
	if _, err := db.UpdateOrganisation(ctx, want.ID, uuid.NewString(), later, func(o *directory.Organisation) error {
		o.Name = "mag niet"
		return refusal
	}); err != refusal {
		t.Errorf("refused update = %v, want the refusal itself", err)
	}
	if got, _ := db.GetOrganisation(ctx, want.ID); got.Name != updated.Name {
		t.Errorf("refused update stored name %q", got.Name)
	}

	deactivate := uuid.NewString()
	off, err := db.DeactivateOrganisation(ctx, want.ID, deactivate, later)
	if err != nil || off.Active {
		t.Fatalf("DeactivateOrganisation = %+v, %v", off, err)
	}
	// Reactivate, then retry the deactivation: the retry changes nothing.
	if on, err := db.UpdateOrganisation(ctx, want.ID, uuid.NewString(), later, func(o *directory.Organisation) error {
		o.Active = true
		return nil
	}); err != nil || !on.Active {
		t.Fatalf("reactivate = %+v, %v", on, err)
	}
	if again, err := db.DeactivateOrganisation(ctx, want.ID, deactivate, later); err != nil || !again.Active {
		t.Errorf("retried DeactivateOrganisation = %+v, %v; want no change (still active)", again, err)
	}

	for _, id := range []string{uuid.NewString(), "not-a-uuid", ""} {
		if _, err := db.GetOrganisation(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetOrganisation(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := db.DeactivateOrganisation(ctx, id, uuid.NewString(), later); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeactivateOrganisation(%q) = %v, want ErrNotFound", id, err)
		}
		if _, _, err := db.CreateOffer(ctx, newOffer(id, "x", "y", "ALL", "OTHER")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateOffer under %q = %v, want ErrNotFound", id, err)
		}
	}
}

func TestDirectoryOfferLifecycle(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	org := mustCreateOrg(t, db, newOrg("Jeugdhulp "+tag(), "YOUTH_CARE_PROVIDER", "LIMBURG"))
	f := newOffer(org.ID, "Contextbegeleiding", "Begeleiding aan huis.", "ALL", "FAMILY_CONTEXT", "ABSENCE")
	f.SchoolLevels, f.Capacity, f.HowToReach = []string{"LAGER"}, new(12), "Via de toegangspoort"
	created := mustCreateOffer(t, db, f)
	if created.OrganisationName != org.Name || !created.OrganisationActive || !created.Active ||
		*created.Capacity != 12 || created.WaitingWeeks != nil || !slices.Equal(created.Themes, f.Themes) {
		t.Errorf("created offer = %+v", created)
	}
	got, err := db.GetOffer(ctx, org.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(created, got); diff != "" {
		t.Errorf("GetOffer (-create +get):\n%s", diff)
	}
	// The offer belongs to its organisation only.
	other := mustCreateOrg(t, db, newOrg("Ander "+tag(), "OTHER", "LIMBURG"))
	if _, err := db.GetOffer(ctx, other.ID, f.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetOffer under another organisation = %v, want ErrNotFound", err)
	}
	if _, err := db.UpdateOffer(ctx, other.ID, f.ID, uuid.NewString(), time.Now(), func(*directory.Offer) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateOffer under another organisation = %v, want ErrNotFound", err)
	}

	updated, err := db.UpdateOffer(ctx, org.ID, f.ID, uuid.NewString(), time.Now(), func(f *directory.Offer) error {
		f.Description, f.Capacity, f.WaitingWeeks, f.SchoolLevels = "Nu met een wachtlijst.", nil, new(0), nil
		f.OrganisationID = other.ID // ignored: an offer stays with its organisation
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Capacity != nil || updated.WaitingWeeks == nil || *updated.WaitingWeeks != 0 || len(updated.SchoolLevels) != 0 || updated.OrganisationID != org.ID {
		t.Errorf("updated offer = %+v", updated)
	}
	if got, _ := db.GetOffer(ctx, org.ID, f.ID); !gocmp.Equal(updated, got) {
		t.Errorf("stored after update %+v, returned %+v", got, updated)
	}
	off, err := db.DeactivateOffer(ctx, org.ID, f.ID, uuid.NewString(), time.Now())
	if err != nil || off.Active {
		t.Errorf("DeactivateOffer = %+v, %v", off, err)
	}
	if _, err := db.DeactivateOrganisation(ctx, org.ID, uuid.NewString(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.GetOffer(ctx, org.ID, f.ID); got.OrganisationActive {
		t.Error("offer of a deactivated organisation says its organisation is active")
	}
}

func TestDirectoryRequestIDs(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	first := newOrg("Idempotent "+tag(), "SCHOOL", "LIMBURG")

	// Concurrent retries of one create make one organisation.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		ids     = map[string]bool{}
		creates int
	)
	for range 8 {
		wg.Go(func() {
			o := *first
			o.ID = uuid.NewString() // every retry makes a fresh ID, as the service does
			got, created, err := db.CreateOrganisation(ctx, &o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			ids[got.ID] = true
			if created {
				creates++
			}
		})
	}
	wg.Wait()
	if len(ids) != 1 || creates != 1 {
		t.Fatalf("8 concurrent creates with one request_id made %d organisations, %d reported created", len(ids), creates)
	}
	var orgID string
	for id := range ids {
		orgID = id
	}
	list, err := db.ListOrganisations(ctx, directory.OrganisationFilter{ShowInactive: true}, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(list, func(o *directory.Organisation) bool { return o.Name != first.Name })); n != 1 {
		t.Errorf("%d organisations named %q, want 1", n, first.Name)
	}

	// The same for an offer; a retry under another organisation is refused.
	f := newOffer(orgID, "Aanbod", "Beschrijving", "ALL", "OTHER")
	created := mustCreateOffer(t, db, f)
	retry := *f
	retry.ID = uuid.NewString()
	if got, again, err := db.CreateOffer(ctx, &retry); err != nil || again || got.ID != created.ID {
		t.Errorf("retried CreateOffer = %v, created %t, %v; want the first offer %s", got, again, err, created.ID)
	}
	other := mustCreateOrg(t, db, newOrg("Ander "+tag(), "OTHER", "LIMBURG"))
	retry.OrganisationID = other.ID
	if _, _, err := db.CreateOffer(ctx, &retry); !errors.Is(err, store.ErrRequestIDReused) {
		t.Errorf("CreateOffer reusing a request_id under another organisation = %v, want ErrRequestIDReused", err)
	}

	// A retried update calls nothing and changes nothing.
	update := uuid.NewString()
	calls := 0
	rename := func(name string) func(*directory.Organisation) error {
		return func(o *directory.Organisation) error { calls++; o.Name = name; return nil }
	}
	if _, err := db.UpdateOrganisation(ctx, orgID, update, time.Now(), rename("Eerste "+tag())); err != nil {
		t.Fatal(err)
	}
	second := "Tweede " + tag()
	if _, err := db.UpdateOrganisation(ctx, orgID, uuid.NewString(), time.Now(), rename(second)); err != nil {
		t.Fatal(err)
	}
	got, err := db.UpdateOrganisation(ctx, orgID, update, time.Now(), rename("Derde"))
	if err != nil || calls != 2 || got.Name != second {
		t.Errorf("retried update = %+v, %v after %d calls; want no call and the name %q", got, err, calls, second)
	}

	// A request_id is for one call on one resource.
	reuses := map[string]func() error{
		"create request_id for an update": func() error {
			_, err := db.UpdateOrganisation(ctx, orgID, first.RequestID, time.Now(), rename("x"))
			return err
		},
		"update request_id on another organisation": func() error {
			_, err := db.UpdateOrganisation(ctx, other.ID, update, time.Now(), rename("x"))
			return err
		},
		"update request_id for a deactivation": func() error {
			_, err := db.DeactivateOrganisation(ctx, orgID, update, time.Now())
			return err
		},
		"organisation create request_id for an offer": func() error {
			_, _, err := db.CreateOffer(ctx, newOfferWithRequest(orgID, first.RequestID))
			return err
		},
		"offer create request_id for an organisation": func() error {
			o := newOrg("x", "OTHER", "LIMBURG")
			o.RequestID = f.RequestID
			_, _, err := db.CreateOrganisation(ctx, o)
			return err
		},
		"offer create request_id for an offer update": func() error {
			_, err := db.UpdateOffer(ctx, orgID, created.ID, f.RequestID, time.Now(), func(*directory.Offer) error { return nil })
			return err
		},
	}
	for name, call := range reuses {
		if err := call(); !errors.Is(err, store.ErrRequestIDReused) {
			t.Errorf("%s: %v, want ErrRequestIDReused", name, err)
		}
	}
	if got, _ := db.GetOrganisation(ctx, orgID); got.Name != second || !got.Active {
		t.Errorf("after refused reuses the organisation is %+v", got)
	}
}

func newOfferWithRequest(orgID, requestID string) *directory.Offer {
	f := newOffer(orgID, "x", "y", "ALL", "OTHER")
	f.RequestID = requestID
	return f
}

func TestDirectoryListOrganisations(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	prefix := "Lijst " + tag() + " "
	kinds := []string{"SCHOOL", "CLB", "WELFARE"}
	regionSets := [][]string{{"WEST_VLAANDEREN"}, {"WEST_VLAANDEREN", "OOST_VLAANDEREN"}, {"OOST_VLAANDEREN"}}
	var mine []*directory.Organisation
	for i := range 30 {
		// Names repeat, so that the ID breaks ties in the order.
		o := mustCreateOrg(t, db, newOrg(fmt.Sprintf("%s%02d", prefix, i%12), kinds[i%3], regionSets[(i/3)%3]...))
		if i%5 == 0 {
			var err error
			if o, err = db.DeactivateOrganisation(ctx, o.ID, uuid.NewString(), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		mine = append(mine, o)
	}
	cases := []directory.OrganisationFilter{
		{},
		{ShowInactive: true},
		{Region: "WEST_VLAANDEREN"},
		{Region: "OOST_VLAANDEREN", Kind: "SCHOOL"},
		{Kind: "CLB", ShowInactive: true},
		{Region: "BRUSSEL"},
	}
	for _, f := range cases {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			matches := func(o *directory.Organisation) bool {
				return (f.Region == "" || slices.Contains(o.Regions, f.Region)) && (f.Kind == "" || o.Kind == f.Kind) && (f.ShowInactive || o.Active)
			}
			var want []string
			for _, o := range mine {
				if matches(o) {
					want = append(want, o.ID)
				}
			}
			var (
				got   []string
				after *directory.OrganisationCursor
				prev  *directory.Organisation
			)
			for page := 0; ; page++ {
				if page > 100 {
					t.Fatal("paging does not end")
				}
				orgs, err := db.ListOrganisations(ctx, f, after, 4)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range orgs {
					if !matches(o) {
						t.Errorf("listed %+v, which does not match the filter", o)
					}
					if !strings.HasPrefix(o.Name, prefix) {
						continue // another test's; compared only for the filter
					}
					// This test's names differ in digits only, so the byte
					// order is the database's order under any collation.
					if prev != nil && cmp.Or(strings.Compare(prev.Name, o.Name), strings.Compare(prev.ID, o.ID)) >= 0 {
						t.Errorf("%q/%s listed after %q/%s", o.Name, o.ID, prev.Name, prev.ID)
					}
					prev = o
					got = append(got, o.ID)
				}
				if len(orgs) < 4 {
					break
				}
				last := orgs[len(orgs)-1]
				after = &directory.OrganisationCursor{Name: last.Name, ID: last.ID}
			}
			slices.Sort(want)
			slices.Sort(got)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("listed organisations of this test (-want +got):\n%s", diff)
			}
		})
	}
}

func search(t *testing.T, db *directory.Store, q directory.OfferQuery) []*directory.Offer {
	t.Helper()
	offers, err := db.SearchOffers(context.Background(), q, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return offers
}

func TestDirectorySearchDutch(t *testing.T) {
	t.Parallel()
	db := openDB(t)
	org := mustCreateOrg(t, db, newOrg("Zoeken "+tag(), "YOUTH_CARE_PROVIDER", "LIMBURG"))
	for _, f := range []*directory.Offer{
		newOffer(org.ID, "Wachtlijstbegeleiding", "Overbrugging voor gezinnen op een wachtlijst.", "ALL", "WAITING_LIST_YOUTH_CARE"),
		newOffer(org.ID, "Contextbegeleiding", "Er is een wachtlijst van drie maanden.", "ALL", "FAMILY_CONTEXT"),
		newOffer(org.ID, "Huiswerkklas", "Elke jongere is welkom na school.", "TWELVE_AND_OVER", "LEARNING_DELAY"),
		newOffer(org.ID, "Time-out", "Voor kinderen die vastlopen in de klas.", "UNDER_12", "BEHAVIOUR"),
		newOffer(org.ID, "Wachtlijst jeugdhulp", "Hulp bij het wachten op jeugdhulp.", "ALL", "WAITING_LIST_YOUTH_CARE"),
		newOffer(org.ID, "Kort time-outtraject", "Twee weken weg uit de klas.", "ALL", "BEHAVIOUR"),
		newOffer(org.ID, "Schoolverzuim", "Aanpak van spijbelen.", "ALL", "ABSENCE"),
	} {
		mustCreateOffer(t, db, f)
	}
	all := []string{"Contextbegeleiding", "Huiswerkklas", "Kort time-outtraject", "Schoolverzuim", "Time-out", "Wachtlijst jeugdhulp", "Wachtlijstbegeleiding"}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"wachtlijsten", []string{"Contextbegeleiding", "Wachtlijst jeugdhulp", "Wachtlijstbegeleiding"}},
		{"wachtlijst", []string{"Contextbegeleiding", "Wachtlijst jeugdhulp", "Wachtlijstbegeleiding"}},
		{"jongeren", []string{"Huiswerkklas"}},
		{"Jongeren na school", []string{"Huiswerkklas"}},
		{"kinderen", []string{"Time-out"}},
		{"wachtlijsten -jeugdhulp", []string{"Contextbegeleiding", "Wachtlijstbegeleiding"}},
		{`"drie maanden"`, []string{"Contextbegeleiding"}},
		{"jongeren or kinderen", []string{"Huiswerkklas", "Time-out"}},
		{"schoolverzuim", []string{"Schoolverzuim"}},
		{"thuiszitters", []string{}},
		// Words match as prefixes too: Dutch glues words together.
		{"time-out", []string{"Kort time-outtraject", "Time-out"}},
		{"school", []string{"Huiswerkklas", "Schoolverzuim"}},
		{"spijbelaars", []string{}},
		// Only stop words: nothing to search for, so no text filter.
		{"de het een", all},
		{"   ", all},
		// Text that a naive to_tsquery would choke on.
		{`wachtlijst & | ! ( ' :*`, []string{"Contextbegeleiding", "Wachtlijst jeugdhulp", "Wachtlijstbegeleiding"}},
		{`'`, all},
		{`\`, all},
		{`:*`, all},
		{`"`, all},
		{`o'brien's time\'out`, []string{}},
		{`wacht''lijst`, []string{}},
	} {
		got := search(t, db, directory.OfferQuery{OrganisationID: org.ID, Text: tc.text})
		if diff := gocmp.Diff(tc.want, offerNames(got)); diff != "" {
			t.Errorf("search %q (-want +got):\n%s", tc.text, diff)
		}
	}
	// The name weighs more than the description, and a whole word more
	// than a prefix.
	for text, first := range map[string]string{"wachtlijsten": "Wachtlijst jeugdhulp", "time-out": "Time-out"} {
		got := search(t, db, directory.OfferQuery{OrganisationID: org.ID, Text: text})
		if got[0].Name != first || got[0].Rank <= got[len(got)-1].Rank {
			for _, f := range got {
				t.Logf("%.4f %s", f.Rank, f.Name)
			}
			t.Errorf("search %q: %q does not rank first", text, first)
		}
	}
}

func TestDirectorySearchFilters(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	word := "kw" + strings.ReplaceAll(tag(), "-", "") // a word only this test's offers contain
	limburg := mustCreateOrg(t, db, newOrg("Limburg "+tag(), "SCHOOL_EXTERNAL_PROGRAMME", "LIMBURG"))
	both := mustCreateOrg(t, db, newOrg("Kempen "+tag(), "WELFARE", "LIMBURG", "ANTWERPEN"))
	closed := mustCreateOrg(t, db, newOrg("Gesloten "+tag(), "OTHER", "ANTWERPEN"))
	offer := func(org *directory.Organisation, name, ageBand string, levels []string, themes ...string) *directory.Offer {
		f := newOffer(org.ID, name, "Aanbod "+word+".", ageBand, themes...)
		f.SchoolLevels = levels
		return mustCreateOffer(t, db, f)
	}
	offer(limburg, "L-jong", "UNDER_12", []string{"LAGER"}, "BEHAVIOUR")
	offer(limburg, "L-oud", "TWELVE_AND_OVER", []string{"SECUNDAIR"}, "BEHAVIOUR", "ABSENCE")
	offer(limburg, "L-alle", "ALL", nil, "MENTAL_HEALTH")
	gone := offer(limburg, "L-weg", "ALL", nil, "BEHAVIOUR")
	offer(both, "K-taal", "ALL", []string{"LAGER", "SECUNDAIR"}, "LANGUAGE")
	offer(both, "K-jong", "UNDER_12", []string{"KLEUTER"}, "FAMILY_CONTEXT", "ABSENCE")
	offer(closed, "G-oud", "TWELVE_AND_OVER", nil, "BEHAVIOUR")
	if _, err := db.DeactivateOffer(ctx, limburg.ID, gone.ID, uuid.NewString(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeactivateOrganisation(ctx, closed.ID, uuid.NewString(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		q    directory.OfferQuery
		want []string
	}{
		{"all active", directory.OfferQuery{}, []string{"K-jong", "K-taal", "L-alle", "L-jong", "L-oud"}},
		{"show inactive", directory.OfferQuery{ShowInactive: true}, []string{"G-oud", "K-jong", "K-taal", "L-alle", "L-jong", "L-oud", "L-weg"}},
		{"region Antwerpen", directory.OfferQuery{Region: "ANTWERPEN"}, []string{"K-jong", "K-taal"}},
		{"region Antwerpen with inactive", directory.OfferQuery{Region: "ANTWERPEN", ShowInactive: true}, []string{"G-oud", "K-jong", "K-taal"}},
		{"region Limburg", directory.OfferQuery{Region: "LIMBURG"}, []string{"K-jong", "K-taal", "L-alle", "L-jong", "L-oud"}},
		{"region Brussel", directory.OfferQuery{Region: "BRUSSEL"}, []string{}},
		{"theme behaviour", directory.OfferQuery{Themes: []string{"BEHAVIOUR"}}, []string{"L-jong", "L-oud"}},
		{"theme absence or language", directory.OfferQuery{Themes: []string{"ABSENCE", "LANGUAGE"}}, []string{"K-jong", "K-taal", "L-oud"}},
		{"under 12", directory.OfferQuery{AgeBand: "UNDER_12"}, []string{"K-jong", "K-taal", "L-alle", "L-jong"}},
		{"12 and over", directory.OfferQuery{AgeBand: "TWELVE_AND_OVER"}, []string{"K-taal", "L-alle", "L-oud"}},
		{"all ages only", directory.OfferQuery{AgeBand: "ALL"}, []string{"K-taal", "L-alle"}},
		{"secundair", directory.OfferQuery{SchoolLevel: "SECUNDAIR"}, []string{"K-taal", "L-alle", "L-oud"}},
		{"Antwerpen, under 12, absence", directory.OfferQuery{Region: "ANTWERPEN", AgeBand: "UNDER_12", Themes: []string{"ABSENCE"}}, []string{"K-jong"}},
		{"one organisation", directory.OfferQuery{OrganisationID: both.ID}, []string{"K-jong", "K-taal"}},
		{"unknown organisation", directory.OfferQuery{OrganisationID: uuid.NewString()}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Text = word
			if diff := gocmp.Diff(tc.want, offerNames(search(t, db, q))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDirectorySearchPaging pages through 130 offers, with and without
// query text, while offers are added between pages: every offer that was
// there from the start comes back exactly once, in rank-then-ID order.
func TestDirectorySearchPaging(t *testing.T) {
	t.Parallel()
	db, ctx := openDB(t), context.Background()
	org := mustCreateOrg(t, db, newOrg("Veel aanbod "+tag(), "OTHER", "VLAAMS_BRABANT"))
	var ids []string
	for i := range 130 {
		// Four different descriptions make ranks with many ties.
		desc := strings.Repeat("Er is een wachtlijst. ", i%4) + "Begeleiding voor jongeren."
		f := mustCreateOffer(t, db, newOffer(org.ID, fmt.Sprintf("Aanbod %03d", i), desc, "ALL", "OTHER"))
		ids = append(ids, f.ID)
	}
	for _, text := range []string{"wachtlijsten or jongeren", "jongere", ""} {
		t.Run(text, func(t *testing.T) {
			seen := map[string]int{}
			var (
				after *directory.OfferCursor
				prev  *directory.Offer
				ranks = map[float32]bool{}
			)
			for page := 0; ; page++ {
				if page > 100 {
					t.Fatal("paging does not end")
				}
				offers, err := db.SearchOffers(ctx, directory.OfferQuery{OrganisationID: org.ID, Text: text}, after, 7)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range offers {
					seen[f.ID]++
					ranks[f.Rank] = true
					if prev != nil && (f.Rank > prev.Rank || f.Rank == prev.Rank && f.ID <= prev.ID) {
						t.Errorf("(%v, %s) after (%v, %s)", f.Rank, f.ID, prev.Rank, prev.ID)
					}
					prev = f
				}
				if page == 3 {
					// New offers between pages do not shift the pages.
					for i := range 3 {
						mustCreateOffer(t, db, newOffer(org.ID, fmt.Sprintf("Later %s %d", text, i), "Een wachtlijst voor jongeren.", "ALL", "OTHER"))
					}
				}
				if len(offers) < 7 {
					break
				}
				last := offers[len(offers)-1]
				after = &directory.OfferCursor{Rank: last.Rank, ID: last.ID}
			}
			for _, id := range ids {
				if seen[id] != 1 {
					t.Errorf("offer %s seen %d times", id, seen[id])
				}
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("offer %s seen %d times", id, n)
				}
			}
			if wantRanks := map[bool]int{true: 4, false: 1}[strings.Contains(text, "wachtlijst")]; len(ranks) < wantRanks {
				t.Errorf("%d distinct ranks, want at least %d", len(ranks), wantRanks)
			}
		})
	}
}
