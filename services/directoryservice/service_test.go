package directoryservice

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/rpctest"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/storetest"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(storetest.Main(m, &dbURL)) }

func newServer(t *testing.T) *Server {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

const (
	limburg   = rotsv1.Region_REGION_LIMBURG
	antwerpen = rotsv1.Region_REGION_ANTWERPEN
)

func validOrg() *rotsv1.PartnerOrganisation {
	return &rotsv1.PartnerOrganisation{
		DisplayName: "Time-out vzw Test " + uuid.NewString()[:8],
		Kind:        rotsv1.PartnerOrganisationKind_PARTNER_ORGANISATION_KIND_SCHOOL_EXTERNAL_PROGRAMME,
		Regions:     []rotsv1.Region{limburg},
		Contacts: []*rotsv1.PartnerContact{
			{DisplayName: "Pieter Vranken", Role: "trajectbegeleider", Email: "pieter.vranken@example.be"},
		},
	}
}

func validOffer() *rotsv1.Offer {
	return &rotsv1.Offer{
		DisplayName:  "Kort time-outtraject",
		Description:  "Twee weken buiten de school voor jongeren die vastlopen. Er is een wachtlijst.",
		AgeBand:      rotsv1.AgeBand_AGE_BAND_TWELVE_AND_OVER,
		SchoolLevels: []rotsv1.SchoolLevel{rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR},
		Themes:       []rotsv1.Theme{rotsv1.Theme_THEME_BEHAVIOUR},
		Capacity:     proto.Int32(12),
		WaitingWeeks: proto.Int32(3),
		HowToReach:   "Aanmelding door de school samen met het CLB.",
	}
}

func createOrg(t *testing.T, s *Server, o *rotsv1.PartnerOrganisation) *rotsv1.PartnerOrganisation {
	t.Helper()
	resp, err := s.CreateOrganisation(context.Background(), &rotsv1.CreateOrganisationRequest{RequestId: uuid.NewString(), Organisation: o})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetOrganisation()
}

func createOffer(t *testing.T, s *Server, parent string, f *rotsv1.Offer) *rotsv1.Offer {
	t.Helper()
	resp, err := s.CreateOffer(context.Background(), &rotsv1.CreateOfferRequest{RequestId: uuid.NewString(), Parent: parent, Offer: f})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetOffer()
}

func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Errorf("code = %v (%v), want %v", got, err, want)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), context.Background()
	org := createOrg(t, s, validOrg())
	offer := createOffer(t, s, org.GetName(), validOffer())
	createOffer(t, s, org.GetName(), validOffer())
	org2 := func(change func(o *rotsv1.PartnerOrganisation)) *rotsv1.PartnerOrganisation {
		o := validOrg()
		change(o)
		return o
	}
	offer2 := func(change func(f *rotsv1.Offer)) *rotsv1.Offer {
		f := validOffer()
		change(f)
		return f
	}
	manyContacts := make([]*rotsv1.PartnerContact, 21)
	for i := range manyContacts {
		manyContacts[i] = &rotsv1.PartnerContact{DisplayName: "Naam", Email: fmt.Sprintf("n%d@example.be", i)}
	}
	otherSearch, err := s.SearchOffers(ctx, &rotsv1.SearchOffersRequest{Parent: org.GetName(), PageSize: 1, ShowInactive: true})
	if err != nil || otherSearch.GetNextPageToken() == "" {
		t.Fatalf("search = %v, %v; want a next page", otherSearch, err)
	}
	listToken := rpc.Token(directory.OrganisationCursor{Name: "x", ID: uuid.NewString()}, "organisations", directory.OrganisationFilter{})

	type call func() error
	cases := []struct {
		name string
		call call
		want []string
	}{
		{"create organisation: empty", func() error {
			_, err := s.CreateOrganisation(ctx, &rotsv1.CreateOrganisationRequest{})
			return err
		}, []string{"organisation.display_name", "organisation.kind", "organisation.regions", "request_id"}},
		{"create organisation: bad fields", func() error {
			_, err := s.CreateOrganisation(ctx, &rotsv1.CreateOrganisationRequest{RequestId: "met spatie", Organisation: org2(func(o *rotsv1.PartnerOrganisation) {
				o.DisplayName = strings.Repeat("x", 201)
				o.Kind = 42
				o.Regions = []rotsv1.Region{limburg, 99, limburg, 0}
				o.Contacts = []*rotsv1.PartnerContact{
					{DisplayName: "An", Email: "An Peeters <an@example.be>"},
					{Email: "geen-adres"},
					{DisplayName: "Rijksregister 85.07.30-033.28", Role: strings.Repeat("r", 101), Email: "ok@example.be"},
				}
			})})
			return err
		}, []string{
			"organisation.contacts[0].email", "organisation.contacts[1].display_name", "organisation.contacts[1].email",
			"organisation.contacts[2].display_name", "organisation.contacts[2].role",
			"organisation.display_name", "organisation.kind", "organisation.regions[1]", "organisation.regions[2]", "organisation.regions[3]",
			"request_id",
		}},
		{"create organisation: too many contacts", func() error {
			_, err := s.CreateOrganisation(ctx, &rotsv1.CreateOrganisationRequest{RequestId: "r1", Organisation: org2(func(o *rotsv1.PartnerOrganisation) {
				o.Contacts = manyContacts
			})})
			return err
		}, []string{"organisation.contacts"}},
		{"get organisation: bad name", func() error {
			_, err := s.GetOrganisation(ctx, &rotsv1.GetOrganisationRequest{Name: "cases/" + uuid.NewString()})
			return err
		}, []string{"name"}},
		{"list organisations: bad page and filters", func() error {
			_, err := s.ListOrganisations(ctx, &rotsv1.ListOrganisationsRequest{PageSize: -1, PageToken: "%%", Region: 12, Kind: 9})
			return err
		}, []string{"kind", "page_size", "page_token", "region"}},
		{"list organisations: token of other filters", func() error {
			_, err := s.ListOrganisations(ctx, &rotsv1.ListOrganisationsRequest{PageToken: listToken, Region: limburg})
			return err
		}, []string{"page_token"}},
		{"update organisation: bad mask and name", func() error {
			_, err := s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{
				RequestId: "r2", Organisation: &rotsv1.PartnerOrganisation{Name: "organisations/123"},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name", "name", "create_time"}},
			})
			return err
		}, []string{"organisation.name", "update_mask", "update_mask"}},
		{"update organisation: star with more", func() error {
			_, err := s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{
				RequestId: "r3", Organisation: &rotsv1.PartnerOrganisation{Name: org.GetName()},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"*", "kind"}},
			})
			return err
		}, []string{"update_mask"}},
		{"update organisation: result invalid", func() error {
			_, err := s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{
				RequestId:    uuid.NewString(),
				Organisation: &rotsv1.PartnerOrganisation{Name: org.GetName(), Contacts: []*rotsv1.PartnerContact{{DisplayName: "X", Email: "x@"}}},
				UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"regions", "contacts"}},
			})
			return err
		}, []string{"organisation.contacts[0].email", "organisation.regions"}},
		{"deactivate organisation: no request_id", func() error {
			_, err := s.DeactivateOrganisation(ctx, &rotsv1.DeactivateOrganisationRequest{Name: org.GetName()})
			return err
		}, []string{"request_id"}},
		{"create offer: empty", func() error {
			_, err := s.CreateOffer(ctx, &rotsv1.CreateOfferRequest{})
			return err
		}, []string{"offer.age_band", "offer.description", "offer.display_name", "offer.themes", "parent", "request_id"}},
		{"create offer: bad fields", func() error {
			_, err := s.CreateOffer(ctx, &rotsv1.CreateOfferRequest{RequestId: "r4", Parent: org.GetName(), Offer: offer2(func(f *rotsv1.Offer) {
				f.Description = strings.Repeat("d", 4001)
				f.AgeBand = 7
				f.SchoolLevels = []rotsv1.SchoolLevel{rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER, 0}
				f.Themes = []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme_THEME_ABSENCE}
				f.Capacity = proto.Int32(-1)
				f.WaitingWeeks = proto.Int32(521)
				f.HowToReach = strings.Repeat("h", 1001)
			})})
			return err
		}, []string{"offer.age_band", "offer.capacity", "offer.description", "offer.how_to_reach", "offer.school_levels[1]", "offer.themes[1]", "offer.waiting_weeks"}},
		{"create offer: offer name as parent", func() error {
			_, err := s.CreateOffer(ctx, &rotsv1.CreateOfferRequest{RequestId: "r5", Parent: offer.GetName(), Offer: validOffer()})
			return err
		}, []string{"parent"}},
		{"get offer: organisation name", func() error {
			_, err := s.GetOffer(ctx, &rotsv1.GetOfferRequest{Name: org.GetName()})
			return err
		}, []string{"name"}},
		{"update offer: result invalid", func() error {
			_, err := s.UpdateOffer(ctx, &rotsv1.UpdateOfferRequest{
				RequestId: uuid.NewString(), Offer: &rotsv1.Offer{Name: offer.GetName(), WaitingWeeks: proto.Int32(-2)},
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"themes", "waiting_weeks"}},
			})
			return err
		}, []string{"offer.themes", "offer.waiting_weeks"}},
		{"update offer: no mask replaces everything", func() error {
			_, err := s.UpdateOffer(ctx, &rotsv1.UpdateOfferRequest{RequestId: uuid.NewString(), Offer: &rotsv1.Offer{Name: offer.GetName()}})
			return err
		}, []string{"offer.age_band", "offer.description", "offer.display_name", "offer.themes"}},
		{"deactivate offer: bad name", func() error {
			_, err := s.DeactivateOffer(ctx, &rotsv1.DeactivateOfferRequest{RequestId: "r6", Name: offer.GetName() + "/x"})
			return err
		}, []string{"name"}},
		{"search: bad everything", func() error {
			_, err := s.SearchOffers(ctx, &rotsv1.SearchOffersRequest{
				Parent: "organisations/x", Query: strings.Repeat("q", 501), Region: 7, Themes: []rotsv1.Theme{rotsv1.Theme_THEME_LANGUAGE, 40},
				AgeBand: 4, SchoolLevel: 9, PageSize: -3, PageToken: "!",
			})
			return err
		}, []string{"age_band", "page_size", "page_token", "parent", "query", "region", "school_level", "themes[1]"}},
		{"search: token of another search", func() error {
			_, err := s.SearchOffers(ctx, &rotsv1.SearchOffersRequest{Parent: org.GetName(), PageToken: otherSearch.GetNextPageToken()})
			return err
		}, []string{"page_token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, rpctest.Violated(t, tc.call())); diff != "" {
				t.Errorf("violated fields (-want +got):\n%s", diff)
			}
		})
	}
	// Nothing of the refused updates was stored.
	got, err := s.GetOffer(ctx, &rotsv1.GetOfferRequest{Name: offer.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(offer, got.GetOffer(), protocmp.Transform()); diff != "" {
		t.Errorf("offer changed by refused updates (-before +after):\n%s", diff)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), context.Background()
	org := createOrg(t, s, validOrg())
	unknownOrg := "organisations/" + uuid.NewString()
	unknownOffer := org.GetName() + "/offers/" + uuid.NewString()
	offer := createOffer(t, s, org.GetName(), validOffer())
	otherOrg := createOrg(t, s, validOrg())
	// The offer under the wrong organisation does not exist.
	misplaced := otherOrg.GetName() + "/offers/" + strings.TrimPrefix(offer.GetName(), org.GetName()+"/offers/")
	for name, call := range map[string]func() error{
		"GetOrganisation": func() error {
			_, err := s.GetOrganisation(ctx, &rotsv1.GetOrganisationRequest{Name: unknownOrg})
			return err
		},
		"UpdateOrganisation": func() error {
			o := validOrg()
			o.Name = unknownOrg
			_, err := s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{RequestId: uuid.NewString(), Organisation: o})
			return err
		},
		"DeactivateOrganisation": func() error {
			_, err := s.DeactivateOrganisation(ctx, &rotsv1.DeactivateOrganisationRequest{RequestId: uuid.NewString(), Name: unknownOrg})
			return err
		},
		"CreateOffer": func() error {
			_, err := s.CreateOffer(ctx, &rotsv1.CreateOfferRequest{RequestId: uuid.NewString(), Parent: unknownOrg, Offer: validOffer()})
			return err
		},
		"GetOffer": func() error {
			_, err := s.GetOffer(ctx, &rotsv1.GetOfferRequest{Name: unknownOffer})
			return err
		},
		"GetOffer misplaced": func() error {
			_, err := s.GetOffer(ctx, &rotsv1.GetOfferRequest{Name: misplaced})
			return err
		},
		"UpdateOffer": func() error {
			f := validOffer()
			f.Name = unknownOffer
			_, err := s.UpdateOffer(ctx, &rotsv1.UpdateOfferRequest{RequestId: uuid.NewString(), Offer: f})
			return err
		},
		"DeactivateOffer": func() error {
			_, err := s.DeactivateOffer(ctx, &rotsv1.DeactivateOfferRequest{RequestId: uuid.NewString(), Name: misplaced})
			return err
		},
		"SearchOffers": func() error {
			_, err := s.SearchOffers(ctx, &rotsv1.SearchOffersRequest{Parent: unknownOrg})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), codes.NotFound) })
	}
}

func TestOrganisationFlow(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), context.Background()
	want := validOrg()
	want.Regions = []rotsv1.Region{limburg, antwerpen}
	req := &rotsv1.CreateOrganisationRequest{RequestId: uuid.NewString(), Organisation: want}
	first, err := s.CreateOrganisation(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	o := first.GetOrganisation()
	if !strings.HasPrefix(o.GetName(), "organisations/") || !o.GetActive() || o.GetCreateTime() == nil {
		t.Errorf("created %v", o)
	}
	if diff := cmp.Diff(want, o, protocmp.Transform(),
		protocmp.IgnoreFields(&rotsv1.PartnerOrganisation{}, "name", "active", "create_time", "update_time")); diff != "" {
		t.Errorf("created organisation (-want +got):\n%s", diff)
	}
	// A retry returns the same organisation, whatever it carries.
	req.Organisation = validOrg()
	again, err := s.CreateOrganisation(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(o, again.GetOrganisation(), protocmp.Transform()); diff != "" {
		t.Errorf("retried create (-first +retry):\n%s", diff)
	}

	// A masked update changes only the named fields.
	upd, err := s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{
		RequestId:    uuid.NewString(),
		Organisation: &rotsv1.PartnerOrganisation{Name: o.GetName(), DisplayName: "Nieuwe naam", Kind: rotsv1.PartnerOrganisationKind_PARTNER_ORGANISATION_KIND_OTHER},
		UpdateMask:   &fieldmaskpb.FieldMask{Paths: []string{"display_name"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u := upd.GetOrganisation(); u.GetDisplayName() != "Nieuwe naam" || u.GetKind() != want.GetKind() || len(u.GetContacts()) != 1 || len(u.GetRegions()) != 2 {
		t.Errorf("after masked update: %v", u)
	}
	// Without a mask everything but active is replaced.
	full := validOrg()
	full.Name, full.Active, full.Contacts = o.GetName(), false, nil
	upd, err = s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{RequestId: uuid.NewString(), Organisation: full})
	if err != nil {
		t.Fatal(err)
	}
	if u := upd.GetOrganisation(); u.GetDisplayName() != full.GetDisplayName() || len(u.GetContacts()) != 0 || !u.GetActive() {
		t.Errorf("after full update: %v", u)
	}

	// Deactivate: gone from the list unless asked; a retry is harmless.
	deactivate := &rotsv1.DeactivateOrganisationRequest{RequestId: uuid.NewString(), Name: o.GetName()}
	for range 2 {
		d, err := s.DeactivateOrganisation(ctx, deactivate)
		if err != nil || d.GetOrganisation().GetActive() {
			t.Fatalf("DeactivateOrganisation = %v, %v", d, err)
		}
	}
	listed := func(showInactive bool) bool {
		var token string
		for {
			resp, err := s.ListOrganisations(ctx, &rotsv1.ListOrganisationsRequest{Region: limburg, ShowInactive: showInactive, PageToken: token, PageSize: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range resp.GetOrganisations() {
				if l.GetName() == o.GetName() {
					return true
				}
			}
			if token = resp.GetNextPageToken(); token == "" {
				return false
			}
		}
	}
	if listed(false) || !listed(true) {
		t.Errorf("deactivated organisation listed without show_inactive: %t, with: %t", listed(false), listed(true))
	}
	// Reactivate through the mask.
	upd, err = s.UpdateOrganisation(ctx, &rotsv1.UpdateOrganisationRequest{
		RequestId: uuid.NewString(), Organisation: &rotsv1.PartnerOrganisation{Name: o.GetName(), Active: true},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"active"}},
	})
	if err != nil || !upd.GetOrganisation().GetActive() || !listed(false) {
		t.Errorf("reactivated = %v, %v", upd, err)
	}

	// A request_id is for one request.
	_, err = s.DeactivateOrganisation(ctx, &rotsv1.DeactivateOrganisationRequest{RequestId: req.GetRequestId(), Name: o.GetName()})
	if diff := cmp.Diff([]string{"request_id"}, rpctest.Violated(t, err)); diff != "" {
		t.Errorf("reused request_id (-want +got):\n%s", diff)
	}
}

func TestOfferFlowAndSearch(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), context.Background()
	org := createOrg(t, s, validOrg())
	req := &rotsv1.CreateOfferRequest{RequestId: uuid.NewString(), Parent: org.GetName(), Offer: validOffer()}
	first, err := s.CreateOffer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	f := first.GetOffer()
	if !strings.HasPrefix(f.GetName(), org.GetName()+"/offers/") || f.GetOrganisationDisplayName() != org.GetDisplayName() ||
		!f.GetActive() || !f.GetOrganisationActive() || f.GetCapacity() != 12 || f.GetWaitingWeeks() != 3 {
		t.Errorf("created %v", f)
	}
	again, err := s.CreateOffer(ctx, req)
	if err != nil || again.GetOffer().GetName() != f.GetName() {
		t.Errorf("retried CreateOffer = %v, %v; want %s", again, err, f.GetName())
	}
	// Clearing a masked optional field clears it; 0 waiting weeks stays 0.
	upd, err := s.UpdateOffer(ctx, &rotsv1.UpdateOfferRequest{
		RequestId: uuid.NewString(), Offer: &rotsv1.Offer{Name: f.GetName(), WaitingWeeks: proto.Int32(0)},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"capacity", "waiting_weeks"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if u := upd.GetOffer(); u.Capacity != nil || u.WaitingWeeks == nil || u.GetWaitingWeeks() != 0 || u.GetDisplayName() != f.GetDisplayName() {
		t.Errorf("after update: %v", u)
	}

	other := createOffer(t, s, org.GetName(), &rotsv1.Offer{
		DisplayName: "Groepswerking", Description: "Voor een jongere met angst die niet naar school gaat.",
		AgeBand: rotsv1.AgeBand_AGE_BAND_ALL, Themes: []rotsv1.Theme{rotsv1.Theme_THEME_MENTAL_HEALTH},
	})
	names := func(req *rotsv1.SearchOffersRequest) []string {
		t.Helper()
		req.Parent = org.GetName()
		resp, err := s.SearchOffers(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, f := range resp.GetOffers() {
			out = append(out, f.GetDisplayName())
		}
		return out
	}
	for _, tc := range []struct {
		req  *rotsv1.SearchOffersRequest
		want []string
	}{
		{&rotsv1.SearchOffersRequest{Query: "wachtlijsten"}, []string{"Kort time-outtraject"}},
		{&rotsv1.SearchOffersRequest{Query: "jongeren"}, []string{"Groepswerking", "Kort time-outtraject"}},
		{&rotsv1.SearchOffersRequest{Query: "jongeren", Themes: []rotsv1.Theme{rotsv1.Theme_THEME_MENTAL_HEALTH}}, []string{"Groepswerking"}},
		{&rotsv1.SearchOffersRequest{AgeBand: rotsv1.AgeBand_AGE_BAND_UNDER_12}, []string{"Groepswerking"}},
		{&rotsv1.SearchOffersRequest{Region: antwerpen}, []string{}},
		{&rotsv1.SearchOffersRequest{Region: limburg, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER}, []string{"Groepswerking"}},
	} {
		// Equal ranks come in ID order: compare as sets.
		got := names(tc.req)
		slices.Sort(got)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("search %v (-want +got):\n%s", tc.req, diff)
		}
	}

	if _, err := s.DeactivateOffer(ctx, &rotsv1.DeactivateOfferRequest{RequestId: uuid.NewString(), Name: other.GetName()}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Kort time-outtraject"}, names(&rotsv1.SearchOffersRequest{Query: "jongeren"})); diff != "" {
		t.Errorf("after deactivating an offer (-want +got):\n%s", diff)
	}
	if got := names(&rotsv1.SearchOffersRequest{Query: "jongeren", ShowInactive: true}); len(got) != 2 {
		t.Errorf("with show_inactive: %v", got)
	}
	if _, err := s.DeactivateOrganisation(ctx, &rotsv1.DeactivateOrganisationRequest{RequestId: uuid.NewString(), Name: org.GetName()}); err != nil {
		t.Fatal(err)
	}
	if got := names(&rotsv1.SearchOffersRequest{}); len(got) != 0 {
		t.Errorf("offers of a deactivated organisation found: %v", got)
	}
	resp, err := s.GetOffer(ctx, &rotsv1.GetOfferRequest{Name: f.GetName()})
	if err != nil || resp.GetOffer().GetOrganisationActive() || !resp.GetOffer().GetActive() {
		t.Errorf("GetOffer after deactivating its organisation = %v, %v", resp, err)
	}
}

// TestSearchPaging pages through 125 offers with page tokens: each comes
// back exactly once, best match first.
func TestSearchPaging(t *testing.T) {
	t.Parallel()
	s, ctx := newServer(t), context.Background()
	org := createOrg(t, s, validOrg())
	want := map[string]bool{}
	for i := range 125 {
		f := validOffer()
		f.DisplayName = fmt.Sprintf("Aanbod %03d", i)
		f.Description = strings.Repeat("Wachtlijst. ", i%5) + "Voor jongeren."
		want[createOffer(t, s, org.GetName(), f).GetName()] = true
	}
	for _, q := range []string{"wachtlijsten or jongeren", ""} {
		seen := map[string]int{}
		var (
			token string
			pages int
		)
		for {
			resp, err := s.SearchOffers(ctx, &rotsv1.SearchOffersRequest{Parent: org.GetName(), Query: q, PageSize: 9, PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, f := range resp.GetOffers() {
				seen[f.GetName()]++
			}
			if token = resp.GetNextPageToken(); token == "" {
				break
			}
			if pages > 50 {
				t.Fatal("paging does not end")
			}
		}
		if pages != 14 {
			t.Errorf("query %q: %d pages of 9 for 125 offers, want 14", q, pages)
		}
		for name := range want {
			if seen[name] != 1 {
				t.Errorf("query %q: %s seen %d times", q, name, seen[name])
			}
		}
		if len(seen) != len(want) {
			t.Errorf("query %q: %d offers seen, want %d", q, len(seen), len(want))
		}
	}
}
