package caseservice

import (
	"slices"

	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

const caseNamePrefix = "cases/"

func caseName(id string) string { return caseNamePrefix + id }

func toProto(c *store.Case) *rotsv1.Case {
	pc := &rotsv1.Case{
		Name:                   caseName(c.ID),
		Reference:              c.Reference,
		Region:                 vocab.FromStored[rotsv1.Region](c.Region),
		Stage:                  vocab.FromStored[rotsv1.Stage](c.Stage),
		SubmittingOrganisation: &rotsv1.Organisation{Name: c.OrgName, Kind: vocab.FromStored[rotsv1.OrganisationKind](c.OrgKind)},
		Contact:                &rotsv1.ContactPerson{Name: c.ContactName, Email: c.ContactEmail, Phone: c.ContactPhone},
		YoungPerson: &rotsv1.YoungPerson{
			Alias:        c.YoungPerson.Alias,
			BirthYear:    int32(c.YoungPerson.BirthYear),
			BirthMonth:   int32(c.YoungPerson.BirthMonth),
			SchoolLevel:  vocab.FromStored[rotsv1.SchoolLevel](c.YoungPerson.SchoolLevel),
			Grade:        int32(c.YoungPerson.Grade),
			School:       c.YoungPerson.School,
			Municipality: c.YoungPerson.Municipality,
		},
		Blocked:       c.Blocked,
		Tried:         c.Tried,
		Attestation:   &rotsv1.Attestation{ClbStuck: c.CLBStuck, YouthCareStuck: c.YouthCareStuck, YoungPersonAndParentsInformed: c.Informed},
		SubmitTime:    timestamppb.New(c.SubmittedAt),
		UpdateTime:    timestamppb.New(c.UpdatedAt),
		OpenQuestion:  c.OpenQuestion,
		Advice:        c.Advice,
		Offer:         c.Offer,
		ClosureReason: vocab.FromStored[rotsv1.ClosureReason](c.ClosureReason),
		ClosureNote:   c.ClosureNote,
	}
	for _, t := range c.Themes {
		pc.Themes = append(pc.Themes, vocab.FromStored[rotsv1.Theme](t))
	}
	for _, a := range c.Agreements {
		pc.Agreements = append(pc.Agreements, &rotsv1.Agreement{
			Action: a.Action, OwnerOrganisation: a.OwnerOrganisation, DueDate: a.DueDate.Format(dateLayout),
			Status: vocab.FromStored[rotsv1.AgreementStatus](a.Status), BlockedReason: a.BlockedReason, Person: a.Person,
		})
	}
	pc.ConsultExperts, pc.OffersUsed = c.ConsultExperts, c.OffersUsed
	if c.ConsultDate != nil {
		pc.ConsultDate = c.ConsultDate.Format(dateLayout)
	}
	if m := c.Meeting; m.At != nil {
		pc.MeetingTime, pc.MeetingLocation = timestamppb.New(*m.At), m.Location
	}
	for _, p := range c.Participants {
		pc.Participants = append(pc.Participants, ParticipantToProto(p))
		if p.Organisation != "" && !slices.Contains(pc.InvitedOrganisations, p.Organisation) {
			pc.InvitedOrganisations = append(pc.InvitedOrganisations, p.Organisation)
		}
	}
	if c.ClosedAt != nil {
		pc.CloseTime = timestamppb.New(*c.ClosedAt)
	}
	if c.ConsentWithdrawnAt != nil {
		pc.ConsentWithdrawTime = timestamppb.New(*c.ConsentWithdrawnAt)
	}
	pc.Rung, pc.Breakthrough = int32(c.Escalation.Rung), c.Escalation.Breakthrough
	for _, d := range c.Escalation.Deadlines {
		pc.Deadlines = append(pc.Deadlines, &rotsv1.Deadline{Kind: d.Kind, DueTime: timestamppb.New(d.Due), Rung: int32(d.Rung)})
	}
	return pc
}

// ParticipantToProto is a table's participant as the API gives it.
func ParticipantToProto(p vocab.Participant) *rotsv1.Participant {
	return &rotsv1.Participant{Kind: vocab.FromStored[rotsv1.ParticipantKind](p.Kind),
		Organisation: p.Organisation, Name: p.Name, Email: p.Email, Role: p.Role}
}

func eventToProto(e store.Event) *rotsv1.CaseEvent {
	return &rotsv1.CaseEvent{
		Kind:      e.Kind,
		FromStage: vocab.FromStored[rotsv1.Stage](e.FromStage),
		ToStage:   vocab.FromStored[rotsv1.Stage](e.ToStage),
		Actor:     e.Actor,
		EventTime: timestamppb.New(e.At),
		Summary:   e.Summary,
	}
}
