package practiceservice

import (
	"strings"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/practices"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

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
