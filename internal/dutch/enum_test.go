package dutch

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// notForPeople are the API's enums no page or mail shows by name (yet);
// every other enum needs its Dutch names here.
var notForPeople = []protoreflect.FullName{
	"rots.v1.ReportTable",        // the report tables have titles of their own
	"rots.v1.SignalExportFormat", // a file format: csv, html
}

// Every value of every enum of the API people read has a Dutch name, and
// the enums rotsctl named before are all there.
func TestEveryEnumValueHasADutchName(t *testing.T) {
	var enums []protoreflect.EnumDescriptor
	protoregistry.GlobalFiles.RangeFilesByPackage("rots.v1", func(f protoreflect.FileDescriptor) bool {
		for i := range f.Enums().Len() {
			enums = append(enums, f.Enums().Get(i))
		}
		return true
	})
	seen := map[protoreflect.FullName]bool{}
	for _, d := range enums {
		seen[d.FullName()] = true
		if slices.Contains(notForPeople, d.FullName()) {
			continue
		}
		if enumNames[d.FullName()] == nil {
			t.Errorf("no Dutch names for enum %s", d.FullName())
			continue
		}
		choices := EnumValues(d)
		if len(choices) != d.Values().Len()-1 {
			t.Errorf("%s: %d choices for %d values", d.FullName(), len(choices), d.Values().Len())
		}
		for _, c := range choices {
			if enumNames[d.FullName()][c.Stored] == "" {
				t.Errorf("no Dutch name for %s %s", d.FullName(), c.Stored)
			}
			if got := Enum(enumOf(d, c.Number)); got != c.Dutch {
				t.Errorf("Enum(%s %s) = %q, EnumValues says %q", d.FullName(), c.Stored, got, c.Dutch)
			}
		}
	}
	for _, name := range []protoreflect.FullName{"rots.v1.Region", "rots.v1.Stage", "rots.v1.ClosureReason", "rots.v1.Theme",
		"rots.v1.SchoolLevel", "rots.v1.OrganisationKind", "rots.v1.AgreementStatus", "rots.v1.AgeBand", "rots.v1.ParticipantKind",
		"rots.v1.ConsentBy", "rots.v1.SignalState", "rots.v1.IntakeDecision", "rots.v1.ConsultDecision", "rots.v1.SignalFigureSection",
		"rots.v1.PartnerOrganisationKind"} {
		if !seen[name] || enumNames[name] == nil {
			t.Errorf("enum %s not walked or without names", name)
		}
	}
	// And no names for an enum or value the API does not have.
	for name, values := range enumNames {
		if !seen[name] {
			t.Errorf("Dutch names for %s, which the API does not have", name)
			continue
		}
		d, _ := protoregistry.GlobalTypes.FindEnumByName(name)
		for s := range values {
			if d.Descriptor().Values().ByName(protoreflect.Name(enumPrefix(d.Descriptor())+s)) == nil {
				t.Errorf("Dutch name for %s %s, which the API does not have", name, s)
			}
		}
	}
}

func enumOf(d protoreflect.EnumDescriptor, n protoreflect.EnumNumber) protoreflect.Enum {
	et, err := protoregistry.GlobalTypes.FindEnumByName(d.FullName())
	if err != nil {
		panic(err)
	}
	return et.New(n)
}

func TestEnum(t *testing.T) {
	for _, tc := range []struct {
		e    protoreflect.Enum
		want string
	}{
		{rotsv1.Stage_STAGE_SUBMITTED, "aangemeld"},
		{rotsv1.Stage_STAGE_NEEDS_INFO, "vraag aan aanmelder"},
		{rotsv1.Stage_STAGE_FOLLOW_UP, "opvolging"},
		{rotsv1.Stage_STAGE_UNSPECIFIED, ""},
		{rotsv1.Theme_THEME_ABSENCE, "afwezigheid/thuiszitten"},
		{rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL, "terug naar school"},
		{rotsv1.Region_REGION_OOST_VLAANDEREN, "Oost-Vlaanderen"},
		{rotsv1.AgreementStatus_AGREEMENT_STATUS_DONE, "uitgevoerd"},
		{rotsv1.PartnerOrganisationKind_PARTNER_ORGANISATION_KIND_YOUTH_CARE_PROVIDER, "jeugdhulpaanbieder"},
		{rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV, "csv"}, // no Dutch name: the stored one in lower case
		{rotsv1.Stage(42), "42"},
	} {
		if got := Enum(tc.e); got != tc.want {
			t.Errorf("Enum(%v) = %q, want %q", tc.e, got, tc.want)
		}
	}
	if got := Stored(rotsv1.Stage(0).Descriptor(), "FOLLOW_UP"); got != "opvolging" {
		t.Errorf("Stored(Stage, FOLLOW_UP) = %q", got)
	}
	var got []string
	for _, c := range EnumValues(rotsv1.IntakeDecision(0).Descriptor()) {
		got = append(got, c.Stored+"="+c.Dutch)
	}
	if s := strings.Join(got, ", "); s != "ACCEPT=aanvaarden, ASK_QUESTION=een vraag stellen, DECLINE=weigeren" {
		t.Errorf("EnumValues(IntakeDecision) = %s", s)
	}
	if c := EnumValues(rotsv1.Stage(0).Descriptor())[0]; c.Number != 1 || c.Stored != "SUBMITTED" {
		t.Errorf("the first stage is %+v", c)
	}
}
