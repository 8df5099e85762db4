package practiceservice

import (
	"regexp"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

var offerName = regexp.MustCompile(`^organisations/[0-9a-f-]{36}/offers/[0-9a-f-]{36}$`)

// toProto is a practice as readers get it: no case, no person, no day.
func toProto(p *practices.Practice) *rotsv1.Practice {
	pp := &rotsv1.Practice{
		Name: "practices/" + p.ID, Title: p.Title, Offer: p.Offer, Agreements: p.Agreements, Difference: p.Difference,
		OrganisationKinds: vocab.FromStoredAll[rotsv1.PartnerOrganisationKind](p.OrganisationKinds),
		Themes:            vocab.FromStoredAll[rotsv1.Theme](p.Themes),
		AgeBand:           vocab.FromStored[rotsv1.AgeBand](p.AgeBand),
		SchoolLevel:       vocab.FromStored[rotsv1.SchoolLevel](p.SchoolLevel),
		DirectoryOffers:   p.DirectoryOffers,
		Region:            vocab.FromStored[rotsv1.Region](p.Region),
		State:             vocab.FromStored[rotsv1.PracticeState](p.State),
		ReviewNote:        p.ReviewNote,
	}
	if p.PublishMonth != nil {
		pp.PublishMonth = p.PublishMonth.Format("2006-01")
	}
	return pp
}

// fromProto sets the write-up of p from pp.
func fromProto(p *practices.Practice, pp *rotsv1.Practice) {
	p.Title = strings.TrimSpace(pp.GetTitle())
	p.Offer = strings.TrimSpace(pp.GetOffer())
	p.Agreements = strings.TrimSpace(pp.GetAgreements())
	p.Difference = strings.TrimSpace(pp.GetDifference())
	p.OrganisationKinds = vocab.StoredAll(pp.GetOrganisationKinds())
	p.Themes = vocab.StoredAll(pp.GetThemes())
	p.AgeBand = vocab.Stored(pp.GetAgeBand())
	p.SchoolLevel = vocab.Stored(pp.GetSchoolLevel())
	p.DirectoryOffers = pp.GetDirectoryOffers()
}

// offerToProto is a directory offer as SuggestOffers gives it, as
// DirectoryService does.
func offerToProto(f *directory.Offer) *rotsv1.Offer {
	pf := &rotsv1.Offer{
		Name:                    "organisations/" + f.OrganisationID + "/offers/" + f.ID,
		DisplayName:             f.Name,
		Description:             f.Description,
		AgeBand:                 vocab.FromStored[rotsv1.AgeBand](f.AgeBand),
		SchoolLevels:            vocab.FromStoredAll[rotsv1.SchoolLevel](f.SchoolLevels),
		Themes:                  vocab.FromStoredAll[rotsv1.Theme](f.Themes),
		HowToReach:              f.HowToReach,
		Active:                  f.Active,
		OrganisationDisplayName: f.OrganisationName,
		OrganisationActive:      f.OrganisationActive,
	}
	if f.Capacity != nil {
		n := int32(*f.Capacity)
		pf.Capacity = &n
	}
	if f.WaitingWeeks != nil {
		n := int32(*f.WaitingWeeks)
		pf.WaitingWeeks = &n
	}
	if !f.CreatedAt.IsZero() {
		pf.CreateTime = timestamppb.New(f.CreatedAt)
	}
	if !f.UpdatedAt.IsZero() {
		pf.UpdateTime = timestamppb.New(f.UpdatedAt)
	}
	return pf
}
