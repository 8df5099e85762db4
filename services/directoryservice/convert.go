package directoryservice

import (
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

const orgPrefix = "organisations/"

func orgName(id string) string { return orgPrefix + id }

func offerName(orgID, id string) string { return orgName(orgID) + "/offers/" + id }

func orgToProto(o *directory.Organisation) *rotsv1.PartnerOrganisation {
	po := &rotsv1.PartnerOrganisation{
		Name:        orgName(o.ID),
		DisplayName: o.Name,
		Kind:        vocab.FromStored[rotsv1.PartnerOrganisationKind](o.Kind),
		Regions:     vocab.FromStoredAll[rotsv1.Region](o.Regions),
		Active:      o.Active,
	}
	for _, c := range o.Contacts {
		po.Contacts = append(po.Contacts, &rotsv1.PartnerContact{DisplayName: c.Name, Role: c.Role, Email: c.Email})
	}
	if !o.CreatedAt.IsZero() {
		po.CreateTime = timestamppb.New(o.CreatedAt)
	}
	if !o.UpdatedAt.IsZero() {
		po.UpdateTime = timestamppb.New(o.UpdatedAt)
	}
	return po
}

// orgFromProto sets the changeable fields of o from po.
func orgFromProto(o *directory.Organisation, po *rotsv1.PartnerOrganisation) {
	o.Name = strings.TrimSpace(po.GetDisplayName())
	o.Kind = vocab.Stored(po.GetKind())
	o.Regions = vocab.StoredAll(po.GetRegions())
	o.Contacts = []directory.OrganisationContact{}
	for _, c := range po.GetContacts() {
		o.Contacts = append(o.Contacts, directory.OrganisationContact{
			Name: strings.TrimSpace(c.GetDisplayName()), Role: strings.TrimSpace(c.GetRole()), Email: c.GetEmail(),
		})
	}
	o.Active = po.GetActive()
}

// OfferToProto is a directory offer as the API gives it (also in
// PracticeService's suggestions).
func OfferToProto(f *directory.Offer) *rotsv1.Offer {
	pf := &rotsv1.Offer{
		Name:                    offerName(f.OrganisationID, f.ID),
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

// offerFromProto sets the changeable fields of f from pf.
func offerFromProto(f *directory.Offer, pf *rotsv1.Offer) {
	f.Name = strings.TrimSpace(pf.GetDisplayName())
	f.Description = strings.TrimSpace(pf.GetDescription())
	f.AgeBand = vocab.Stored(pf.GetAgeBand())
	f.SchoolLevels = vocab.StoredAll(pf.GetSchoolLevels())
	f.Themes = vocab.StoredAll(pf.GetThemes())
	f.Capacity, f.WaitingWeeks = nil, nil
	if pf.Capacity != nil {
		n := int(pf.GetCapacity())
		f.Capacity = &n
	}
	if pf.WaitingWeeks != nil {
		n := int(pf.GetWaitingWeeks())
		f.WaitingWeeks = &n
	}
	f.HowToReach = strings.TrimSpace(pf.GetHowToReach())
	f.Active = pf.GetActive()
}
