package authz

import (
	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// Redact removes from a response what the view may not see.
func Redact(resp any, v View) {
	if v == Full {
		return
	}
	switch r := resp.(type) {
	case *rotsv1.ListCasesResponse:
		for _, c := range r.GetCases() {
			redactCase(c, v)
		}
	case *rotsv1.ListCaseEventsResponse:
		for _, e := range r.GetEvents() {
			// Summaries quote questions, answers and advice.
			e.Summary = ""
			if v == Statistical {
				e.Actor = ""
			}
		}
	case interface{ GetCase() *rotsv1.Case }:
		redactCase(r.GetCase(), v)
	}
}

// redactCase keeps, for statistics, the region, stage, themes, the young
// person's birth year and school level, times, rung and closure reason;
// for a partner at the table also what the table needs to work: the young
// person's first name, school and grade, what is blocked, the offer and the
// agreements.
func redactCase(c *rotsv1.Case, v View) {
	if c == nil {
		return
	}
	yp := c.GetYoungPerson()
	keep := &rotsv1.YoungPerson{BirthYear: yp.GetBirthYear(), SchoolLevel: yp.GetSchoolLevel()}
	c.Contact, c.Tried, c.OpenQuestion, c.Advice, c.ClosureNote = nil, nil, "", "", ""
	c.SubmittingOrganisation = &rotsv1.Organisation{Kind: c.GetSubmittingOrganisation().GetKind()}
	if v == NeedToKnow {
		keep.Alias, keep.School, keep.Grade = yp.GetAlias(), yp.GetSchool(), yp.GetGrade()
	} else {
		c.Blocked, c.Offer, c.Agreements = "", "", nil
	}
	c.YoungPerson = keep
}
