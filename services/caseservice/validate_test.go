package caseservice

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// fixedNow is "now" in every validation test: a Tuesday morning in Brussels.
var fixedNow = time.Date(2026, 11, 24, 10, 0, 0, 0, brussels)

// testServer has no database and no Temporal client: every call in these
// tests must fail validation before it would reach either.
func testServer(now time.Time) *Server {
	return &Server{now: func() time.Time { return now }}
}

const (
	testCaseName  = "cases/0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"
	testRequestID = "req-7f3e"
	// nrn is a Belgian national register number as people write it: born
	// 30 July 1985, check number 97 - 850730033 mod 97 = 28.
	nrn = "85.07.30-033.28"
	// nrn2012 is one of someone born in 2012: check number
	// 97 - 2120501123 mod 97 = 66 (the "2" in front for 2000 on).
	nrn2012 = "12.05.01-123.66"
	// bis is a BIS number (month 07 + 20), refused like a national
	// register number.
	bis = "85 27 30 033 71"
	// wrongCheck has the form of a national register number but not its
	// check number (28 or 57), so it is not one.
	wrongCheck = "85.07.30-033.27"
)

// violations of an error that must be InvalidArgument with a BadRequest
// detail, sorted by field.
func badRequest(t *testing.T, err error) []*errdetails.BadRequest_FieldViolation {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want InvalidArgument")
	}
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("error is not a gRPC status: %v", err)
	}
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v, want InvalidArgument (%v)", st.Code(), err)
	}
	var (
		fvs   []*errdetails.BadRequest_FieldViolation
		found bool
	)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			found = true
			fvs = append(fvs, br.GetFieldViolations()...)
		}
	}
	if !found {
		t.Fatalf("no google.rpc.BadRequest detail in %v", err)
	}
	for _, fv := range fvs {
		if fv.GetDescription() == "" {
			t.Errorf("violation of %s has no description", fv.GetField())
		}
		if want := fv.GetField() + ": " + fv.GetDescription(); !strings.Contains(st.Message(), want) {
			t.Errorf("status message %q does not contain %q", st.Message(), want)
		}
	}
	slices.SortStableFunc(fvs, func(a, b *errdetails.BadRequest_FieldViolation) int {
		return strings.Compare(a.GetField(), b.GetField())
	})
	return fvs
}

func fieldsOf(fvs []*errdetails.BadRequest_FieldViolation) []string {
	fields := []string{}
	for _, fv := range fvs {
		fields = append(fields, fv.GetField())
	}
	return fields
}

// checkViolations asserts that err is InvalidArgument listing exactly the
// wanted fields, and that the description of each field in msgs contains
// the given text.
func checkViolations(t *testing.T, err error, want []string, msgs map[string]string) {
	t.Helper()
	fvs := badRequest(t, err)
	want = slices.Clone(want)
	slices.Sort(want)
	if diff := cmp.Diff(want, fieldsOf(fvs)); diff != "" {
		t.Errorf("violated fields (-want +got):\n%s\nerror: %v", diff, err)
	}
	for field, text := range msgs {
		ok := false
		for _, fv := range fvs {
			if fv.GetField() == field && strings.Contains(fv.GetDescription(), text) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no violation of %s mentions %q; error: %v", field, text, err)
		}
	}
}

func validSubmit() *rotsv1.SubmitCaseRequest {
	return &rotsv1.SubmitCaseRequest{
		RequestId: "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f",
		Region:    rotsv1.Region_REGION_LIMBURG,
		SubmittingOrganisation: &rotsv1.Organisation{
			Name: "Vrij CLB Limburg", Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB,
		},
		Contact: &rotsv1.ContactPerson{Name: "An Janssens", Email: "an.janssens@vclblimburg.be", Phone: "011 12 34 56"},
		YoungPerson: &rotsv1.YoungPerson{
			Alias: "Noor", BirthYear: 2012, BirthMonth: 3,
			SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_SECUNDAIR, Grade: 2,
			School: "Sint-Jozefscollege", Municipality: "Hasselt",
		},
		Blocked: "Noor komt sinds september niet meer naar school; geen school wil haar inschrijven.",
		Tried:   []string{"Gesprekken met de CLB-medewerker", "Aanmelding bij de Intersectorale Toegangspoort"},
		Themes:  []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme_THEME_MENTAL_HEALTH},
		Attestation: &rotsv1.Attestation{
			ClbStuck: true, YouthCareStuck: true, YoungPersonAndParentsInformed: true,
		},
	}
}

func repeatN(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", s, i+1)
	}
	return out
}

type submitCase struct {
	name   string
	mutate func(*rotsv1.SubmitCaseRequest)
	want   []string          // violated fields; nil: the request is valid
	msgs   map[string]string // field: text its description must contain
}

var submitCases = []submitCase{
	// Valid requests, including every boundary that must still pass.
	{name: "valid baseline", mutate: func(*rotsv1.SubmitCaseRequest) {}},
	{name: "request_id of 64 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = strings.Repeat("a", 64) }},
	{name: "request_id with . _ : -", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "clb.limburg_2026:case-1" }},
	{name: "every region", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Region = rotsv1.Region_REGION_WEST_VLAANDEREN }},
	{name: "youth care submits", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.SubmittingOrganisation.Kind = rotsv1.OrganisationKind_ORGANISATION_KIND_YOUTH_CARE
	}},
	{name: "org name of 200 characters", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.SubmittingOrganisation.Name = strings.Repeat("é", 200)
	}},
	{name: "no phone", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = "" }},
	{name: "phone in international form with spaces", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = "+32 470 12 34 56" }},
	{name: "phone in international form without spaces", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = "+32470123456" }},
	{name: "phone with 00 country code", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = "0032 470123456" }},
	{name: "alias of initials", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = "N.V." }},
	{name: "alias of two words", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = "Noor V." }},
	{name: "alias of 40 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = strings.Repeat("ë", 40) }},
	{name: "oldest birth year", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 2000 }},
	{name: "youngest birth year", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 2024 }},
	{name: "birth month 1", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthMonth = 1 }},
	{name: "birth month 12", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthMonth = 12 }},
	{name: "grade 0", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Grade = 0 }},
	{name: "grade 7", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Grade = 7 }},
	{name: "no school when not enrolled", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.YoungPerson.SchoolLevel = rotsv1.SchoolLevel_SCHOOL_LEVEL_NONE
		r.YoungPerson.School, r.YoungPerson.Grade = "", 0
	}},
	{name: "blocked of 4000 two-byte characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Blocked = strings.Repeat("é", 4000) }},
	{name: "20 steps tried", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = repeatN("stap", 20) }},
	{name: "blocked with an 11-digit school file number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "Schooldossier 20240915001; thuiszitter sinds september."
	}},
	{name: "blocked with 11 digits with a wrong check number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "Dossier " + wrongCheck + " bij het CLB; 85073003329 bij de school."
	}},
	{name: "alias with 11 digits with a wrong check number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = "Noor 85073003329" }},
	{name: "tried with a 12-digit reference around a valid number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Tried[0] = "Aanmelding ITP, referentie 285073003328"
	}},
	{name: "every theme", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Themes = nil
		for n := range rotsv1.Theme_name {
			if n != 0 {
				r.Themes = append(r.Themes, rotsv1.Theme(n))
			}
		}
	}},

	// Everything missing at once.
	{name: "empty request", mutate: func(r *rotsv1.SubmitCaseRequest) { proto.Reset(r) }, want: []string{
		"request_id", "region",
		"submitting_organisation.name", "submitting_organisation.kind",
		"contact.name", "contact.email",
		"young_person.alias", "young_person.birth_year", "young_person.birth_month",
		"young_person.school_level", "young_person.school", "young_person.municipality",
		"blocked", "tried", "themes",
		"attestation.clb_stuck", "attestation.youth_care_stuck", "attestation.young_person_and_parents_informed",
	}},

	// request_id
	{name: "request_id missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "" }, want: []string{"request_id"}},
	{name: "request_id of 65 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = strings.Repeat("a", 65) }, want: []string{"request_id"}},
	{name: "request_id with a space", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "req 1" }, want: []string{"request_id"}},
	{name: "request_id with a slash", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "clb/1" }, want: []string{"request_id"}},
	{name: "request_id with a non-ASCII letter", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "aanvraag-ü" }, want: []string{"request_id"}},
	{name: "request_id with a trailing newline", mutate: func(r *rotsv1.SubmitCaseRequest) { r.RequestId = "req-1\n" }, want: []string{"request_id"}},

	// region
	{name: "region unspecified", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Region = rotsv1.Region_REGION_UNSPECIFIED }, want: []string{"region"}},
	{name: "region unknown number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Region = rotsv1.Region(99) }, want: []string{"region"}},

	// organisation
	{name: "org missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.SubmittingOrganisation = nil },
		want: []string{"submitting_organisation.kind", "submitting_organisation.name"}},
	{name: "org name empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.SubmittingOrganisation.Name = "" },
		want: []string{"submitting_organisation.name"}, msgs: map[string]string{"submitting_organisation.name": "is required"}},
	{name: "org name only spaces", mutate: func(r *rotsv1.SubmitCaseRequest) { r.SubmittingOrganisation.Name = " \t " },
		want: []string{"submitting_organisation.name"}},
	{name: "org name of 201 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.SubmittingOrganisation.Name = strings.Repeat("a", 201) },
		want: []string{"submitting_organisation.name"}, msgs: map[string]string{"submitting_organisation.name": "at most 200 characters, got 201"}},
	{name: "org kind missing", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.SubmittingOrganisation.Kind = rotsv1.OrganisationKind_ORGANISATION_KIND_UNSPECIFIED
	}, want: []string{"submitting_organisation.kind"}},
	{name: "org kind unknown number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.SubmittingOrganisation.Kind = rotsv1.OrganisationKind(3) },
		want: []string{"submitting_organisation.kind"}},

	// contact
	{name: "contact missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact = nil }, want: []string{"contact.email", "contact.name"}},
	{name: "contact name empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Name = "" }, want: []string{"contact.name"}},
	{name: "contact email empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Email = "" },
		want: []string{"contact.email"}, msgs: map[string]string{"contact.email": "is required"}},
	{name: "contact email without domain", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Email = "an@" },
		want: []string{"contact.email"}, msgs: map[string]string{"contact.email": "plain e-mail address"}},
	{name: "contact email with display name", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Email = "An <an@clb.be>" },
		want: []string{"contact.email"}, msgs: map[string]string{"contact.email": "plain e-mail address"}},
	{name: "contact email without @", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Email = "an.clb.be" }, want: []string{"contact.email"}},
	{name: "contact email with trailing space", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Email = "an@clb.be " }, want: []string{"contact.email"}},
	{name: "contact email of 255 characters", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Contact.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".be"
	}, want: []string{"contact.email"}, msgs: map[string]string{"contact.email": "at most 254"}},
	{name: "phone of 41 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = strings.Repeat("1 ", 20) + "1" },
		want: []string{"contact.phone"}},
	{name: "international phone of 41 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = "+" + strings.Repeat("1 ", 20) },
		want: []string{"contact.phone"}, msgs: map[string]string{"contact.phone": "at most 40 characters, got 41"}},
	{name: "phone that is a national register number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Contact.Phone = nrn },
		want: []string{"contact.phone"}, msgs: map[string]string{"contact.phone": "national register number"}},

	// young person
	{name: "young person missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson = nil }, want: []string{
		"young_person.alias", "young_person.birth_year", "young_person.birth_month",
		"young_person.school_level", "young_person.school", "young_person.municipality",
	}},
	{name: "alias empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = "" }, want: []string{"young_person.alias"}},
	{name: "alias a full name of 3 words", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = "Noor Van Damme" },
		want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "not a full name"}},
	{name: "alias of 41 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = strings.Repeat("ë", 41) },
		want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "at most 40 characters, got 41"}},
	{name: "alias a national register number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = nrn },
		want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "national register number"}},
	{name: "alias with a national register number without separators", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.YoungPerson.Alias = "Noor 85073003328"
	}, want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "national register number"}},
	{name: "alias a national register number of a birth from 2000 on", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Alias = nrn2012 },
		want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "must not contain a national register number"}},
	{name: "alias with a national register number of 2000 on without separators", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.YoungPerson.Alias = "Noor 12050112366"
	}, want: []string{"young_person.alias"}, msgs: map[string]string{"young_person.alias": "national register number"}},
	{name: "school with a national register number in dashes", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.YoungPerson.School = "Sint-Jozef, 12-05-01-123-66"
	}, want: []string{"young_person.school"}, msgs: map[string]string{"young_person.school": "national register number"}},
	{name: "birth year missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 0 }, want: []string{"young_person.birth_year"}},
	{name: "birth year too old", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 1999 },
		want: []string{"young_person.birth_year"}, msgs: map[string]string{"young_person.birth_year": "between 2000 and 2024, got 1999"}},
	{name: "birth year too recent", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 2025 }, want: []string{"young_person.birth_year"}},
	{name: "birth year in the future", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthYear = 2027 }, want: []string{"young_person.birth_year"}},
	{name: "birth month 0", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthMonth = 0 }, want: []string{"young_person.birth_month"}},
	{name: "birth month 13", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthMonth = 13 },
		want: []string{"young_person.birth_month"}, msgs: map[string]string{"young_person.birth_month": "got 13"}},
	{name: "birth month negative", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.BirthMonth = -1 }, want: []string{"young_person.birth_month"}},
	{name: "school level unspecified", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.YoungPerson.SchoolLevel = rotsv1.SchoolLevel_SCHOOL_LEVEL_UNSPECIFIED
	}, want: []string{"young_person.school_level"}},
	{name: "school level unknown number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.SchoolLevel = rotsv1.SchoolLevel(7) },
		want: []string{"young_person.school_level"}},
	{name: "grade 8", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Grade = 8 },
		want: []string{"young_person.grade"}, msgs: map[string]string{"young_person.grade": "0 to 7, got 8"}},
	{name: "grade negative", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Grade = -1 }, want: []string{"young_person.grade"}},
	{name: "school empty while enrolled", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.School = "" }, want: []string{"young_person.school"}},
	{name: "school of 201 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.School = strings.Repeat("s", 201) },
		want: []string{"young_person.school"}},
	{name: "municipality empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Municipality = "" }, want: []string{"young_person.municipality"}},
	{name: "municipality of 101 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.YoungPerson.Municipality = strings.Repeat("m", 101) },
		want: []string{"young_person.municipality"}},

	// blocked
	{name: "blocked empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Blocked = "" }, want: []string{"blocked"}},
	{name: "blocked of 4001 characters, counted in runes", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Blocked = strings.Repeat("é", 4001) },
		want: []string{"blocked"}, msgs: map[string]string{"blocked": "at most 4000 characters, got 4001"}},
	{name: "blocked with a national register number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "Rijksregisternummer " + nrn + "; thuiszitter sinds september."
	}, want: []string{"blocked"}, msgs: map[string]string{"blocked": "national register number"}},
	{name: "blocked with a national register number in spaces", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "RRN 85 07 30 033 28, thuiszitter."
	}, want: []string{"blocked"}, msgs: map[string]string{"blocked": "national register number"}},
	{name: "blocked with a BIS number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "BIS-nummer " + bis + ", thuiszitter."
	}, want: []string{"blocked"}, msgs: map[string]string{"blocked": "BIS number"}},
	{name: "blocked with a national register number of an unknown birth date", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Blocked = "RRN 85.00.00-033.06, thuiszitter."
	}, want: []string{"blocked"}, msgs: map[string]string{"blocked": "national register number"}},

	// tried
	{name: "tried empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = nil },
		want: []string{"tried"}, msgs: map[string]string{"tried": "at least one"}},
	{name: "tried 21 entries", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = repeatN("stap", 21) },
		want: []string{"tried"}, msgs: map[string]string{"tried": "at most 20 steps, got 21"}},
	{name: "tried an empty entry", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = []string{"Gesprek", ""} }, want: []string{"tried[1]"}},
	{name: "tried a blank entry", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = []string{"  "} }, want: []string{"tried[0]"}},
	{name: "tried an entry of 1001 characters", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried = []string{strings.Repeat("é", 1001)} },
		want: []string{"tried[0]"}},
	{name: "tried with a national register number", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Tried[1] = "Dossier " + nrn },
		want: []string{"tried[1]"}, msgs: map[string]string{"tried[1]": "national register number"}},
	{name: "tried with a national register number of 2000 on in spaces", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Tried[0] = "Dossier 12 05 01 123 66 bij het CLB"
	}, want: []string{"tried[0]"}, msgs: map[string]string{"tried[0]": "national register number"}},
	{name: "tried 21 entries of which two empty", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Tried = repeatN("stap", 21)
		r.Tried[3], r.Tried[20] = "", ""
	}, want: []string{"tried", "tried[3]", "tried[20]"}},

	// themes
	{name: "themes empty", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Themes = nil }, want: []string{"themes"}},
	{name: "theme listed twice", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Themes = []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme_THEME_LANGUAGE, rotsv1.Theme_THEME_ABSENCE}
	}, want: []string{"themes[2]"}, msgs: map[string]string{"themes[2]": "THEME_ABSENCE is listed twice"}},
	{name: "theme unknown number", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Themes = []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE, rotsv1.Theme(42)}
	}, want: []string{"themes[1]"}, msgs: map[string]string{"themes[1]": "unknown theme 42"}},
	{name: "theme unspecified", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Themes = []rotsv1.Theme{rotsv1.Theme_THEME_UNSPECIFIED} },
		want: []string{"themes[0]"}},

	// attestation
	{name: "attestation missing", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Attestation = nil }, want: []string{
		"attestation.clb_stuck", "attestation.youth_care_stuck", "attestation.young_person_and_parents_informed",
	}},
	{name: "CLB not stuck", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Attestation.ClbStuck = false }, want: []string{"attestation.clb_stuck"}},
	{name: "youth care not stuck", mutate: func(r *rotsv1.SubmitCaseRequest) { r.Attestation.YouthCareStuck = false },
		want: []string{"attestation.youth_care_stuck"}},
	{name: "young person and parents not informed", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Attestation.YoungPersonAndParentsInformed = false
	}, want: []string{"attestation.young_person_and_parents_informed"}},

	// Several problems are reported together.
	{name: "several problems at once", mutate: func(r *rotsv1.SubmitCaseRequest) {
		r.Region = rotsv1.Region(99)
		r.Contact.Email = "An <an@clb.be>"
		r.YoungPerson.Alias = nrn
		r.YoungPerson.Grade = 8
		r.Blocked = nrn
		r.Attestation.ClbStuck = false
	}, want: []string{"region", "contact.email", "young_person.alias", "young_person.grade", "blocked", "attestation.clb_stuck"},
		msgs: map[string]string{"young_person.alias": "national register number", "blocked": "national register number"}},
}

func TestValidateSubmit(t *testing.T) {
	s := testServer(fixedNow)
	for _, tc := range submitCases {
		t.Run(tc.name, func(t *testing.T) {
			req := validSubmit()
			tc.mutate(req)
			err := s.validateSubmit(req)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("validateSubmit() = %v, want nil", err)
				}
				return
			}
			checkViolations(t, err, tc.want, tc.msgs)
		})
	}
}

// TestSubmitCaseValidation runs the invalid requests through the handler:
// they must be refused before the (nil) database is touched.
func TestSubmitCaseValidation(t *testing.T) {
	s := testServer(fixedNow)
	for _, tc := range submitCases {
		if tc.want == nil {
			continue // would reach the nil database
		}
		t.Run(tc.name, func(t *testing.T) {
			req := validSubmit()
			tc.mutate(req)
			resp, err := s.SubmitCase(context.Background(), req)
			if resp != nil {
				t.Errorf("SubmitCase() returned a response: %v", resp)
			}
			checkViolations(t, err, tc.want, tc.msgs)
		})
	}
	t.Run("nil request", func(t *testing.T) {
		_, err := s.SubmitCase(context.Background(), nil)
		checkViolations(t, err, fieldsOf(badRequest(t, s.validateSubmit(&rotsv1.SubmitCaseRequest{}))), nil)
	})
}

// The birth year range follows the year in Brussels, not in UTC.
func TestValidateSubmitBirthYearInBrussels(t *testing.T) {
	newYear := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // 2027-01-01 00:30 in Brussels
	s := testServer(newYear)
	req := validSubmit()
	req.YoungPerson.BirthYear = 2025
	if err := s.validateSubmit(req); err != nil {
		t.Errorf("birth year 2025 on new year's night in Brussels: %v, want nil", err)
	}
	req.YoungPerson.BirthYear = 2000
	checkViolations(t, s.validateSubmit(req), []string{"young_person.birth_year"},
		map[string]string{"young_person.birth_year": "between 2001 and 2025, got 2000"})
}

// commandCase is a call of a stage command that must fail validation.
type commandCase struct {
	name string
	call func(context.Context, *Server) error
	want []string
	msgs map[string]string
}

func runCommandCases(t *testing.T, now time.Time, cases []commandCase) {
	t.Helper()
	s := testServer(now)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, tc.call(context.Background(), s), tc.want, tc.msgs)
		})
	}
}

func decide(req *rotsv1.DecideIntakeRequest) func(context.Context, *Server) error {
	return func(ctx context.Context, s *Server) error {
		resp, err := s.DecideIntake(ctx, req)
		if resp != nil {
			return fmt.Errorf("got a response %v", resp)
		}
		return err
	}
}

func TestDecideIntakeValidation(t *testing.T) {
	const (
		accept = rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT
		ask    = rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION
		refuse = rotsv1.IntakeDecision_INTAKE_DECISION_DECLINE
	)
	req := func(d rotsv1.IntakeDecision) *rotsv1.DecideIntakeRequest {
		return &rotsv1.DecideIntakeRequest{RequestId: testRequestID, Name: testCaseName, Decision: d}
	}
	with := func(r *rotsv1.DecideIntakeRequest, f func(*rotsv1.DecideIntakeRequest)) *rotsv1.DecideIntakeRequest {
		f(r)
		return r
	}
	runCommandCases(t, fixedNow, []commandCase{
		{name: "decision unspecified", call: decide(req(0)), want: []string{"decision"},
			msgs: map[string]string{"decision": "ACCEPT, ASK_QUESTION or DECLINE"}},
		{name: "decision unknown number", call: decide(req(9)), want: []string{"decision"}},
		{name: "ASK_QUESTION without question", call: decide(req(ask)), want: []string{"question"},
			msgs: map[string]string{"question": "is required"}},
		{name: "ASK_QUESTION with a blank question", call: decide(with(req(ask), func(r *rotsv1.DecideIntakeRequest) { r.Question = "  \n" })),
			want: []string{"question"}},
		{name: "ASK_QUESTION with a question of 2001 characters", call: decide(with(req(ask), func(r *rotsv1.DecideIntakeRequest) {
			r.Question = strings.Repeat("?", 2001)
		})), want: []string{"question"}},
		{name: "ASK_QUESTION with a national register number", call: decide(with(req(ask), func(r *rotsv1.DecideIntakeRequest) {
			r.Question = "Klopt " + nrn + "?"
		})), want: []string{"question"}, msgs: map[string]string{"question": "national register number"}},
		{name: "ASK_QUESTION with a decline reason", call: decide(with(req(ask), func(r *rotsv1.DecideIntakeRequest) {
			r.Question, r.DeclineReason = "Welke school?", "te vroeg"
		})), want: []string{"decline_reason"}, msgs: map[string]string{"decline_reason": "unless the decision is DECLINE"}},
		{name: "DECLINE without reason and suggestion", call: decide(req(refuse)), want: []string{"decline_reason", "referral_suggestion"}},
		{name: "DECLINE without suggestion", call: decide(with(req(refuse), func(r *rotsv1.DecideIntakeRequest) {
			r.DeclineReason = "Geen ROTS-vraag"
		})), want: []string{"referral_suggestion"}},
		{name: "DECLINE with a question", call: decide(with(req(refuse), func(r *rotsv1.DecideIntakeRequest) {
			r.DeclineReason, r.ReferralSuggestion, r.Question = "Geen ROTS-vraag", "ITP", "Waarom?"
		})), want: []string{"question"}, msgs: map[string]string{"question": "unless the decision is ASK_QUESTION"}},
		{name: "ACCEPT with a question", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.Question = "Welke school?" })),
			want: []string{"question"}, msgs: map[string]string{"question": "must be empty"}},
		{name: "ACCEPT with decline reason and suggestion", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) {
			r.DeclineReason, r.ReferralSuggestion = "x", "y"
		})), want: []string{"decline_reason", "referral_suggestion"}},
		{name: "ACCEPT with a note of 2001 characters", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) {
			r.Note = strings.Repeat("é", 2001)
		})), want: []string{"note"}},
		{name: "ACCEPT with a national register number in the note", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) {
			r.Note = nrn
		})), want: []string{"note"}, msgs: map[string]string{"note": "national register number"}},
		{name: "name cases/not-a-uuid", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.Name = "cases/not-a-uuid" })),
			want: []string{"name"}, msgs: map[string]string{"name": `got "cases/not-a-uuid"`}},
		{name: "name empty", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.Name = "" })), want: []string{"name"}},
		{name: "name with another collection", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) {
			r.Name = "foo/0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"
		})), want: []string{"name"}},
		{name: "name without collection", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) {
			r.Name = "0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"
		})), want: []string{"name"}},
		{name: "name cases/", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.Name = "cases/" })), want: []string{"name"}},
		{name: "request_id missing", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.RequestId = "" })),
			want: []string{"request_id"}},
		{name: "request_id too long", call: decide(with(req(accept), func(r *rotsv1.DecideIntakeRequest) { r.RequestId = strings.Repeat("r", 65) })),
			want: []string{"request_id"}},
		{name: "empty request", call: decide(&rotsv1.DecideIntakeRequest{}), want: []string{"decision", "name", "request_id"}},
		{name: "several problems at once", call: decide(&rotsv1.DecideIntakeRequest{
			RequestId: "a b", Name: "cases/42", Decision: refuse, Question: "Waarom?", ReferralSuggestion: "ITP",
		}), want: []string{"decline_reason", "name", "question", "request_id"}},
	})
}

func TestAnswerQuestionValidation(t *testing.T) {
	call := func(req *rotsv1.AnswerQuestionRequest) func(context.Context, *Server) error {
		return func(ctx context.Context, s *Server) error { _, err := s.AnswerQuestion(ctx, req); return err }
	}
	runCommandCases(t, fixedNow, []commandCase{
		{name: "answer empty", call: call(&rotsv1.AnswerQuestionRequest{RequestId: testRequestID, Name: testCaseName}), want: []string{"answer"}},
		{name: "answer blank", call: call(&rotsv1.AnswerQuestionRequest{RequestId: testRequestID, Name: testCaseName, Answer: "\t"}),
			want: []string{"answer"}},
		{name: "answer of 4001 characters", call: call(&rotsv1.AnswerQuestionRequest{
			RequestId: testRequestID, Name: testCaseName, Answer: strings.Repeat("é", 4001),
		}), want: []string{"answer"}},
		{name: "answer with a national register number", call: call(&rotsv1.AnswerQuestionRequest{
			RequestId: testRequestID, Name: testCaseName, Answer: "Het is " + nrn,
		}), want: []string{"answer"}, msgs: map[string]string{"answer": "national register number"}},
		{name: "empty request", call: call(&rotsv1.AnswerQuestionRequest{}), want: []string{"answer", "name", "request_id"}},
	})
}

func TestRecordConsultValidation(t *testing.T) {
	call := func(req *rotsv1.RecordConsultRequest) func(context.Context, *Server) error {
		return func(ctx context.Context, s *Server) error { _, err := s.RecordConsult(ctx, req); return err }
	}
	table := rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE
	runCommandCases(t, fixedNow, []commandCase{
		{name: "advice empty and decision unspecified", call: call(&rotsv1.RecordConsultRequest{RequestId: testRequestID, Name: testCaseName}),
			want: []string{"advice", "decision"}},
		{name: "advice empty", call: call(&rotsv1.RecordConsultRequest{RequestId: testRequestID, Name: testCaseName, Decision: table}),
			want: []string{"advice"}},
		{name: "decision unspecified", call: call(&rotsv1.RecordConsultRequest{RequestId: testRequestID, Name: testCaseName, Advice: "Overleg"}),
			want: []string{"decision"}, msgs: map[string]string{"decision": "ADVICE_ONLY or CONVENE_TABLE"}},
		{name: "decision unknown number", call: call(&rotsv1.RecordConsultRequest{
			RequestId: testRequestID, Name: testCaseName, Advice: "Overleg", Decision: 3,
		}), want: []string{"decision"}},
		{name: "advice of 8001 characters", call: call(&rotsv1.RecordConsultRequest{
			RequestId: testRequestID, Name: testCaseName, Advice: strings.Repeat("é", 8001), Decision: table,
		}), want: []string{"advice"}},
		{name: "empty request", call: call(&rotsv1.RecordConsultRequest{}), want: []string{"advice", "decision", "name", "request_id"}},
	})
}

func outcome(mutate func(*rotsv1.RecordTableOutcomeRequest)) func(context.Context, *Server) error {
	req := &rotsv1.RecordTableOutcomeRequest{
		RequestId: testRequestID, Name: testCaseName, Offer: "Halve dagen school en halve dagen begeleiding",
		Agreements: []*rotsv1.Agreement{
			{Action: "Wekelijks overleg met de school", OwnerOrganisation: "Vrij CLB Limburg", DueDate: "2027-01-15"},
		},
	}
	mutate(req)
	return func(ctx context.Context, s *Server) error { _, err := s.RecordTableOutcome(ctx, req); return err }
}

func agreements(n int) []*rotsv1.Agreement {
	out := make([]*rotsv1.Agreement, n)
	for i := range out {
		out[i] = &rotsv1.Agreement{Action: fmt.Sprintf("Actie %d", i+1), OwnerOrganisation: "CLB", DueDate: "2027-01-15"}
	}
	return out
}

func TestRecordTableOutcomeValidation(t *testing.T) {
	due := func(d string) func(*rotsv1.RecordTableOutcomeRequest) {
		return func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements[0].DueDate = d }
	}
	// accepted is a request whose only problem is a missing request_id, to
	// show that the rest passes without reaching the database.
	accepted := func(d string) func(*rotsv1.RecordTableOutcomeRequest) {
		return func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements[0].DueDate, r.RequestId = d, "" }
	}
	runCommandCases(t, fixedNow, []commandCase{
		{name: "baseline passes", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.RequestId = "" }), want: []string{"request_id"}},
		{name: "50 agreements pass", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements, r.RequestId = agreements(50), "" }),
			want: []string{"request_id"}},
		{name: "offer empty", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Offer = "" }), want: []string{"offer"}},
		{name: "offer with a national register number", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Offer = nrn }),
			want: []string{"offer"}, msgs: map[string]string{"offer": "national register number"}},
		{name: "no agreements", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements = nil }),
			want: []string{"agreements"}, msgs: map[string]string{"agreements": "at least one"}},
		{name: "51 agreements", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements = agreements(51) }),
			want: []string{"agreements"}, msgs: map[string]string{"agreements": "at most 50 agreements, got 51"}},
		{name: "agreement with empty action", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements[0].Action = "" }),
			want: []string{"agreements[0].action"}},
		{name: "agreement with empty owner", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements[0].OwnerOrganisation = " " }),
			want: []string{"agreements[0].owner_organisation"}},
		{name: "empty agreement", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) {
			r.Agreements = append(r.Agreements, &rotsv1.Agreement{})
		}), want: []string{"agreements[1].action", "agreements[1].due_date", "agreements[1].owner_organisation"}},
		{name: "nil agreement", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements = append(r.Agreements, nil) }),
			want: []string{"agreements[1].action", "agreements[1].due_date", "agreements[1].owner_organisation"}},
		{name: "due date month 13", call: outcome(due("2027-13-01")),
			want: []string{"agreements[0].due_date"}, msgs: map[string]string{"agreements[0].due_date": `like 2027-03-29, got "2027-13-01"`}},
		{name: "due date day first", call: outcome(due("15/01/2027")), want: []string{"agreements[0].due_date"}},
		{name: "due date 30 February", call: outcome(due("2027-02-30")), want: []string{"agreements[0].due_date"}},
		{name: "due date without leading zeros", call: outcome(due("2027-1-5")), want: []string{"agreements[0].due_date"}},
		{name: "due date with a time", call: outcome(due("2027-01-15T10:00:00Z")), want: []string{"agreements[0].due_date"}},
		{name: "due date empty", call: outcome(due("")), want: []string{"agreements[0].due_date"}},
		{name: "due date yesterday", call: outcome(due("2026-11-23")), want: []string{"agreements[0].due_date"},
			msgs: map[string]string{"agreements[0].due_date": "must not be before today (2026-11-24), got 2026-11-23"}},
		{name: "due date last year", call: outcome(due("2025-12-31")), want: []string{"agreements[0].due_date"}},
		{name: "due date today passes", call: outcome(accepted("2026-11-24")), want: []string{"request_id"}},
		{name: "due date in exactly two years passes", call: outcome(accepted("2028-11-24")), want: []string{"request_id"}},
		{name: "due date more than two years ahead", call: outcome(due("2028-11-25")), want: []string{"agreements[0].due_date"},
			msgs: map[string]string{"agreements[0].due_date": "within two years, got 2028-11-25"}},
		{name: "due date in 2100", call: outcome(due("2100-01-01")), want: []string{"agreements[0].due_date"}},
		{name: "several agreements wrong", call: outcome(func(r *rotsv1.RecordTableOutcomeRequest) {
			r.Agreements = agreements(3)
			r.Agreements[0].DueDate = "2026-01-01"
			r.Agreements[2].Action, r.Agreements[2].DueDate = "", "morgen"
		}), want: []string{"agreements[0].due_date", "agreements[2].action", "agreements[2].due_date"}},
		{name: "empty request", call: func(ctx context.Context, s *Server) error {
			_, err := s.RecordTableOutcome(ctx, &rotsv1.RecordTableOutcomeRequest{})
			return err
		}, want: []string{"agreements", "name", "offer", "request_id"}},
	})
}

// "Today" and "two years ahead" are counted in Brussels, whatever the hour.
func TestRecordTableOutcomeValidationAroundMidnight(t *testing.T) {
	due := func(d string) func(*rotsv1.RecordTableOutcomeRequest) {
		return func(r *rotsv1.RecordTableOutcomeRequest) { r.Agreements[0].DueDate, r.RequestId = d, "" }
	}
	for _, now := range []time.Time{
		time.Date(2026, 11, 24, 0, 30, 0, 0, brussels), // still 23 November in UTC
		time.Date(2026, 11, 24, 23, 30, 0, 0, brussels),
		time.Date(2026, 7, 24, 0, 30, 0, 0, brussels), // summer time, UTC+2
	} {
		today := now.Format(dateLayout)
		yesterday := now.AddDate(0, 0, -1).Format(dateLayout)
		inTwoYears := now.AddDate(2, 0, 0).Format(dateLayout)
		dayAfter := now.AddDate(2, 0, 1).Format(dateLayout)
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			runCommandCases(t, now, []commandCase{
				{name: "today passes", call: outcome(due(today)), want: []string{"request_id"}},
				{name: "in two years passes", call: outcome(due(inTwoYears)), want: []string{"request_id"}},
				{name: "yesterday", call: outcome(due(yesterday)), want: []string{"agreements[0].due_date", "request_id"}},
				{name: "two years and a day", call: outcome(due(dayAfter)), want: []string{"agreements[0].due_date", "request_id"}},
			})
		})
	}
}

func TestCloseCaseValidation(t *testing.T) {
	call := func(reason rotsv1.ClosureReason, note string) func(context.Context, *Server) error {
		return func(ctx context.Context, s *Server) error {
			_, err := s.CloseCase(ctx, &rotsv1.CloseCaseRequest{RequestId: testRequestID, Name: testCaseName, Reason: reason, Note: note})
			return err
		}
	}
	runCommandCases(t, fixedNow, []commandCase{
		{name: "reason unspecified", call: call(rotsv1.ClosureReason_CLOSURE_REASON_UNSPECIFIED, ""), want: []string{"reason"},
			msgs: map[string]string{"reason": "is required"}},
		{name: "reason DECLINED", call: call(rotsv1.ClosureReason_CLOSURE_REASON_DECLINED, ""), want: []string{"reason"},
			msgs: map[string]string{"reason": "CLOSURE_REASON_DECLINED is set by DecideIntake or WithdrawCase"}},
		{name: "reason WITHDRAWN", call: call(rotsv1.ClosureReason_CLOSURE_REASON_WITHDRAWN, "op vraag van de ouders"), want: []string{"reason"},
			msgs: map[string]string{"reason": "not by CloseCase"}},
		{name: "reason unknown number", call: call(rotsv1.ClosureReason(99), ""), want: []string{"reason"},
			msgs: map[string]string{"reason": "unknown closure reason 99"}},
		{name: "OTHER without note", call: call(rotsv1.ClosureReason_CLOSURE_REASON_OTHER, ""), want: []string{"note"}},
		{name: "OTHER with a blank note", call: call(rotsv1.ClosureReason_CLOSURE_REASON_OTHER, " "), want: []string{"note"}},
		{name: "note with a national register number", call: call(rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL, nrn),
			want: []string{"note"}, msgs: map[string]string{"note": "national register number"}},
		{name: "note of 4001 characters", call: call(rotsv1.ClosureReason_CLOSURE_REASON_REFERRED_ITP, strings.Repeat("é", 4001)),
			want: []string{"note"}},
		{name: "empty request", call: func(ctx context.Context, s *Server) error {
			_, err := s.CloseCase(ctx, &rotsv1.CloseCaseRequest{})
			return err
		}, want: []string{"name", "reason", "request_id"}},
		{name: "BACK_AT_SCHOOL without note passes", call: func(ctx context.Context, s *Server) error {
			_, err := s.CloseCase(ctx, &rotsv1.CloseCaseRequest{Name: testCaseName, Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
			return err
		}, want: []string{"request_id"}},
	})
}

func TestWithdrawCaseValidation(t *testing.T) {
	call := func(req *rotsv1.WithdrawCaseRequest) func(context.Context, *Server) error {
		return func(ctx context.Context, s *Server) error { _, err := s.WithdrawCase(ctx, req); return err }
	}
	runCommandCases(t, fixedNow, []commandCase{
		{name: "reason missing", call: call(&rotsv1.WithdrawCaseRequest{RequestId: testRequestID, Name: testCaseName}), want: []string{"reason"}},
		{name: "reason blank", call: call(&rotsv1.WithdrawCaseRequest{RequestId: testRequestID, Name: testCaseName, Reason: "\n"}),
			want: []string{"reason"}},
		{name: "reason of 2001 characters", call: call(&rotsv1.WithdrawCaseRequest{
			RequestId: testRequestID, Name: testCaseName, Reason: strings.Repeat("é", 2001),
		}), want: []string{"reason"}},
		{name: "empty request", call: call(&rotsv1.WithdrawCaseRequest{}), want: []string{"name", "reason", "request_id"}},
	})
}

func TestGetCaseValidation(t *testing.T) {
	s := testServer(fixedNow)
	for _, name := range []string{"", "cases/not-a-uuid", "foo/0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21", "cases/"} {
		_, err := s.GetCase(context.Background(), &rotsv1.GetCaseRequest{Name: name})
		checkViolations(t, err, []string{"name"}, nil)
	}
}

func TestListCasesValidation(t *testing.T) {
	const org = "Vrij CLB Limburg"
	// The token remembers the filters it was made for, as ListCases has them.
	limburgToken := rpc.Token(store.Cursor{SubmittedAt: fixedNow, ID: "0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"}, "cases", store.CaseFilter{
		Region: vocab.RegionLimburg, Stage: vocab.StageIntake, OrgName: org, OverdueOnly: true, MinRung: 2,
	})
	limburg := func(f func(*rotsv1.ListCasesRequest)) *rotsv1.ListCasesRequest {
		r := &rotsv1.ListCasesRequest{
			PageToken: limburgToken, Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_INTAKE, SubmittingOrganisation: org,
			OverdueOnly: true, MinRung: 2,
		}
		f(r)
		return r
	}
	tests := []struct {
		name string
		req  *rotsv1.ListCasesRequest
		want []string
	}{
		{name: "negative page_size", req: &rotsv1.ListCasesRequest{PageSize: -1}, want: []string{"page_size"}},
		{name: "token for the same filters passes", req: limburg(func(r *rotsv1.ListCasesRequest) { r.PageSize = -5 }),
			want: []string{"page_size"}},
		{name: "garbage page_token", req: &rotsv1.ListCasesRequest{PageToken: "not a token!"}, want: []string{"page_token"}},
		{name: "page_token of base64 garbage", req: &rotsv1.ListCasesRequest{
			PageToken: base64.RawURLEncoding.EncodeToString([]byte("{not json")),
		}, want: []string{"page_token"}},
		{name: "page_token of an empty object", req: &rotsv1.ListCasesRequest{
			PageToken: base64.RawURLEncoding.EncodeToString([]byte("{}")),
		}, want: []string{"page_token"}},
		{name: "page_token from another case's timeline", req: &rotsv1.ListCasesRequest{
			PageToken: rpc.Token(int64(3), "events", "0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21"),
		}, want: []string{"page_token"}},
		{name: "token made for another region", req: limburg(func(r *rotsv1.ListCasesRequest) { r.Region = rotsv1.Region_REGION_ANTWERPEN }),
			want: []string{"page_token"}},
		{name: "token made for a region, used without", req: limburg(func(r *rotsv1.ListCasesRequest) { r.Region = 0 }),
			want: []string{"page_token"}},
		{name: "token made for another stage", req: limburg(func(r *rotsv1.ListCasesRequest) { r.Stage = rotsv1.Stage_STAGE_CLOSED }),
			want: []string{"page_token"}},
		{name: "token made for another organisation", req: limburg(func(r *rotsv1.ListCasesRequest) { r.SubmittingOrganisation = "CLB GO! Hasselt" }),
			want: []string{"page_token"}},
		{name: "token made for overdue cases, used for all", req: limburg(func(r *rotsv1.ListCasesRequest) { r.OverdueOnly = false }),
			want: []string{"page_token"}},
		{name: "token made for another rung", req: limburg(func(r *rotsv1.ListCasesRequest) { r.MinRung = 3 }),
			want: []string{"page_token"}},
		{name: "min_rung negative", req: &rotsv1.ListCasesRequest{MinRung: -1}, want: []string{"min_rung"}},
		{name: "min_rung 5", req: &rotsv1.ListCasesRequest{MinRung: 5}, want: []string{"min_rung"}},
		{name: "min_rung 4 passes", req: &rotsv1.ListCasesRequest{MinRung: 4, PageSize: -1}, want: []string{"page_size"}},
		{name: "region unknown number", req: &rotsv1.ListCasesRequest{Region: 99}, want: []string{"region"}},
		{name: "stage unknown number", req: &rotsv1.ListCasesRequest{Stage: 42}, want: []string{"stage"}},
		{name: "reference malformed", req: &rotsv1.ListCasesRequest{Reference: "ROTS-12"}, want: []string{"reference"}},
		{name: "reference in lower case passes", req: &rotsv1.ListCasesRequest{Reference: "rots-1a2b3c4d", PageSize: -1}, want: []string{"page_size"}},
		{name: "token made for newest first, used for urgency", req: limburg(func(r *rotsv1.ListCasesRequest) { r.OrderBy = "urgency" }),
			want: []string{"page_token"}},
		{name: "token made for all cases, used for open ones", req: limburg(func(r *rotsv1.ListCasesRequest) { r.OpenOnly = true }),
			want: []string{"page_token"}},
		{name: "token made without a query, used with one", req: limburg(func(r *rotsv1.ListCasesRequest) { r.Query = "Noor" }),
			want: []string{"page_token"}},
		{name: "token for newest first, order_by spelled out", req: limburg(func(r *rotsv1.ListCasesRequest) { r.OrderBy, r.PageSize = "submit_time desc", -1 }),
			want: []string{"page_size"}},
		{name: "order_by unknown", req: &rotsv1.ListCasesRequest{OrderBy: "rung"}, want: []string{"order_by"}},
		{name: "order_by ascending submission", req: &rotsv1.ListCasesRequest{OrderBy: "submit_time"}, want: []string{"order_by"}},
		{name: "order_by urgency passes", req: &rotsv1.ListCasesRequest{OrderBy: "urgency", PageSize: -1}, want: []string{"page_size"}},
		{name: "query of 101 characters", req: &rotsv1.ListCasesRequest{Query: strings.Repeat("a", 101)}, want: []string{"query"}},
		{name: "query with a tab", req: &rotsv1.ListCasesRequest{Query: "Noor\tB."}, want: []string{"query"}},
		{name: "query of 100 characters passes", req: &rotsv1.ListCasesRequest{Query: strings.Repeat("ë", 100), PageSize: -1}, want: []string{"page_size"}},
		{name: "several problems at once", req: &rotsv1.ListCasesRequest{PageSize: -1, PageToken: "x", Region: 7, Stage: 8, MinRung: 9, OrderBy: "?", Query: "\x7f"},
			want: []string{"min_rung", "order_by", "page_size", "page_token", "query", "region", "stage"}},
	}
	s := testServer(fixedNow)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := s.ListCases(context.Background(), tc.req)
			if resp != nil {
				t.Errorf("ListCases() returned a response: %v", resp)
			}
			checkViolations(t, err, tc.want, nil)
		})
	}
}

func TestListCaseEventsValidation(t *testing.T) {
	const other = "cases/7d6c5b4a-3f21-4c2a-9e8b-0b9e3a5c4f1d"
	token := rpc.Token(int64(12), "events", strings.TrimPrefix(other, caseNamePrefix))
	tests := []struct {
		name string
		req  *rotsv1.ListCaseEventsRequest
		want []string
	}{
		{name: "empty request", req: &rotsv1.ListCaseEventsRequest{}, want: []string{"parent"}},
		{name: "bad parent", req: &rotsv1.ListCaseEventsRequest{Parent: "cases/not-a-uuid"}, want: []string{"parent"}},
		{name: "negative page_size", req: &rotsv1.ListCaseEventsRequest{Parent: testCaseName, PageSize: -1}, want: []string{"page_size"}},
		{name: "garbage page_token", req: &rotsv1.ListCaseEventsRequest{Parent: testCaseName, PageToken: "%%%"}, want: []string{"page_token"}},
		{name: "page_token of another case", req: &rotsv1.ListCaseEventsRequest{Parent: testCaseName, PageToken: token}, want: []string{"page_token"}},
		{name: "page_token of this case passes", req: &rotsv1.ListCaseEventsRequest{Parent: other, PageToken: token, PageSize: -1},
			want: []string{"page_size"}},
	}
	s := testServer(fixedNow)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ListCaseEvents(context.Background(), tc.req)
			checkViolations(t, err, tc.want, nil)
		})
	}
}

// checkEnumStored round-trips every value of one enum through stored and
// fromStored, and checks that UNSPECIFIED and unknown values map to "".
func checkEnumStored[E vocab.ProtoEnum](t *testing.T) {
	var zero E
	desc := zero.Descriptor()
	t.Run(string(desc.Name()), func(t *testing.T) {
		values := desc.Values()
		if values.Len() < 2 {
			t.Fatalf("%s has %d values", desc.FullName(), values.Len())
		}
		seen := map[string]protoreflect.Name{}
		for i := range values.Len() {
			v := values.Get(i)
			e := E(v.Number())
			got := vocab.Stored(e)
			if v.Number() == 0 {
				if got != "" {
					t.Errorf("vocab.Stored(%s) = %q, want \"\"", v.Name(), got)
				}
				if back := vocab.FromStored[E](""); back != 0 {
					t.Errorf("fromStored(\"\") = %v, want %s", back, v.Name())
				}
				if back := vocab.FromStored[E]("UNSPECIFIED"); back != 0 {
					t.Errorf("fromStored(\"UNSPECIFIED\") = %v, want 0", back)
				}
				continue
			}
			if got == "" || !strings.HasSuffix(string(v.Name()), "_"+got) || strings.Contains(got, "UNSPECIFIED") {
				t.Errorf("vocab.Stored(%s) = %q, want its name without the type prefix", v.Name(), got)
			}
			if prev, dup := seen[got]; dup {
				t.Errorf("vocab.Stored(%s) = vocab.Stored(%s) = %q", v.Name(), prev, got)
			}
			seen[got] = v.Name()
			if back := vocab.FromStored[E](got); back != e {
				t.Errorf("fromStored(vocab.Stored(%s)) = %v, want %v", v.Name(), back, e)
			}
		}
		unknown := E(values.Len() + 100)
		if got := vocab.Stored(unknown); got != "" {
			t.Errorf("vocab.Stored(%d) = %q, want \"\"", unknown, got)
		}
		for _, s := range []string{"NOPE", string(values.Get(1).Name()), strings.ToLower(vocab.Stored(E(values.Get(1).Number())))} {
			if got := vocab.FromStored[E](s); got != 0 {
				t.Errorf("fromStored(%q) = %v, want 0", s, got)
			}
		}
	})
}

func TestEnumStoredRoundTrip(t *testing.T) {
	checkEnumStored[rotsv1.Region](t)
	checkEnumStored[rotsv1.Stage](t)
	checkEnumStored[rotsv1.OrganisationKind](t)
	checkEnumStored[rotsv1.SchoolLevel](t)
	checkEnumStored[rotsv1.Theme](t)
	checkEnumStored[rotsv1.ClosureReason](t)
	checkEnumStored[rotsv1.IntakeDecision](t)
	checkEnumStored[rotsv1.ConsultDecision](t)
}

// Some stored names are spelled out elsewhere: the workflow's stages and
// decisions, and the values the database already holds.
func TestEnumStoredNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{vocab.Stored(rotsv1.Region_REGION_OOST_VLAANDEREN), "OOST_VLAANDEREN"},
		{vocab.Stored(rotsv1.OrganisationKind_ORGANISATION_KIND_YOUTH_CARE), "YOUTH_CARE"},
		{vocab.Stored(rotsv1.SchoolLevel_SCHOOL_LEVEL_BUITENGEWOON_SECUNDAIR), "BUITENGEWOON_SECUNDAIR"},
		{vocab.Stored(rotsv1.Theme_THEME_NO_FITTING_SCHOOL_EXTERNAL_OFFER), "NO_FITTING_SCHOOL_EXTERNAL_OFFER"},
		{vocab.Stored(rotsv1.ClosureReason_CLOSURE_REASON_REFERRED_ITP), "REFERRED_ITP"},
		{vocab.Stored(rotsv1.Stage_STAGE_SUBMITTED), vocab.StageSubmitted},
		{vocab.Stored(rotsv1.Stage_STAGE_INTAKE), vocab.StageIntake},
		{vocab.Stored(rotsv1.Stage_STAGE_NEEDS_INFO), vocab.StageNeedsInfo},
		{vocab.Stored(rotsv1.Stage_STAGE_CONSULT), vocab.StageConsult},
		{vocab.Stored(rotsv1.Stage_STAGE_TABLE), vocab.StageTable},
		{vocab.Stored(rotsv1.Stage_STAGE_FOLLOW_UP), vocab.StageFollowUp},
		{vocab.Stored(rotsv1.Stage_STAGE_CLOSED), vocab.StageClosed},
		{vocab.Stored(rotsv1.IntakeDecision_INTAKE_DECISION_ASK_QUESTION), "ASK_QUESTION"},
		{vocab.Stored(rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE), "CONVENE_TABLE"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("stored name %q, want %q", tc.got, tc.want)
		}
	}
	if got := vocab.FromStored[rotsv1.Stage](vocab.StageFollowUp); got != rotsv1.Stage_STAGE_FOLLOW_UP {
		t.Errorf("fromStored(%q) = %v, want STAGE_FOLLOW_UP", vocab.StageFollowUp, got)
	}
}
