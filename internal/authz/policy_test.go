package authz

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// matrix is the expected policy, written out independently of Rules:
// RPC → role → "need/view". A role not listed is denied.
var matrix = map[string]map[string]string{
	"CaseService/SubmitCase":                   {"submitter": "org/full"},
	"CaseService/GetCase":                      {"submitter": "org/full", "coordinator": "region/full", "partner": "invited/needtoknow", "manager": "region/statistical"},
	"CaseService/ListCases":                    {"submitter": "org/full", "coordinator": "region/full", "partner": "invited/needtoknow", "manager": "region/statistical"},
	"CaseService/ListCaseEvents":               {"submitter": "org/full", "coordinator": "region/full", "partner": "invited/needtoknow", "manager": "region/statistical"},
	"ChangeService/ListChanges":                {"submitter": "org/full", "coordinator": "region/full", "partner": "invited/needtoknow", "manager": "region/statistical"},
	"CaseService/DecideIntake":                 {"coordinator": "region/full"},
	"CaseService/AnswerQuestion":               {"submitter": "org/full", "coordinator": "region/full"},
	"CaseService/RecordConsult":                {"coordinator": "region/full"},
	"CaseService/RecordTableOutcome":           {"coordinator": "region/full"},
	"CaseService/CloseCase":                    {"coordinator": "region/full"},
	"CaseService/WithdrawCase":                 {"submitter": "org/full", "coordinator": "region/full"},
	"CaseService/WithdrawConsent":              {"submitter": "org/full", "coordinator": "region/full"},
	"CaseService/ExportCase":                   {"coordinator": "region/full", "auditor": "any/full"},
	"AdminService/GetEscalationPolicy":         {"coordinator": "region/full", "manager": "region/full", "admin": "any/full"},
	"AdminService/UpdateEscalationPolicy":      {"admin": "any/full"},
	"NotificationService/ListNotifications":    {"submitter": "self/full", "coordinator": "self/full", "partner": "self/full", "manager": "self/full", "admin": "self/full", "auditor": "self/full"},
	"NotificationService/MarkNotificationRead": {"submitter": "self/full", "coordinator": "self/full", "partner": "self/full", "manager": "self/full", "admin": "self/full", "auditor": "self/full"},
	"ConsultationService/ConveneTable":         {"coordinator": "region/full"},
	"ConsultationService/ScheduleTableMeeting": {"coordinator": "region/full"},
	"ConsultationService/ReconveneTable":       {"coordinator": "region/full"},
	"ConsultationService/UpdateAgreement":      {"coordinator": "region/full", "partner": "invited/needtoknow"},
	"ConsultationService/RecordAttendance":     {"coordinator": "region/full"},
	"ConsultationService/RecordGap":            {"coordinator": "region/full"},
	"AuditService/ListAccessLog":               {"auditor": "any/full"},
	"AuditService/VerifyAccessLog":             {"auditor": "any/full"},
	"ReportService/GetDashboard":               {"manager": "region/statistical"},
	"ReportService/GetKernkwadrant":            {"manager": "region/statistical", "coordinator": "region/statistical"},
	"DirectoryService/GetOrganisation":         {"coordinator": "region/full", "partner": "region/full", "manager": "region/full", "admin": "any/full"},
	"DirectoryService/ListOrganisations":       {"coordinator": "region/full", "partner": "region/full", "manager": "region/full", "admin": "any/full"},
	"DirectoryService/GetOffer":                {"submitter": "region/full", "coordinator": "region/full", "partner": "region/full", "manager": "region/full", "admin": "any/full"},
	"DirectoryService/SearchOffers":            {"submitter": "region/full", "coordinator": "region/full", "partner": "region/full", "manager": "region/full", "admin": "any/full"},
	"DirectoryService/CreateOrganisation":      {"admin": "any/full"},
	"DirectoryService/UpdateOrganisation":      {"admin": "any/full"},
	"DirectoryService/DeactivateOrganisation":  {"admin": "any/full"},
	"DirectoryService/CreateOffer":             {"admin": "any/full"},
	"DirectoryService/UpdateOffer":             {"admin": "any/full"},
	"DirectoryService/DeactivateOffer":         {"admin": "any/full"},
	"PracticeService/CreatePractice":           {"coordinator": "region/full"},
	"PracticeService/GetPractice":              {"coordinator": "region/full"},
	"PracticeService/ListPractices":            {"coordinator": "region/full"},
	"PracticeService/UpdatePractice":           {"coordinator": "region/full"},
	"PracticeService/ReviewPractice":           {"coordinator": "region/full"},
	"PracticeService/SuggestOffers":            {"coordinator": "region/full"},
	"SignalService/CreateSignal":               {"manager": "region/statistical"},
	"SignalService/GetSignal":                  {"manager": "region/statistical"},
	"SignalService/ListSignals":                {"manager": "region/statistical"},
	"SignalService/UpdateSignal":               {"manager": "region/statistical"},
	"SignalService/ApproveSignal":              {"manager": "region/statistical"},
	"SignalService/MarkSignalSent":             {"manager": "region/statistical"},
	"SignalService/ExportSignal":               {"manager": "region/statistical"},
}

// allMethods lists every RPC of every rots.v1 service.
func allMethods() []string {
	var methods []string
	_ = rotsv1.File_rots_v1_case_service_proto // registers the package's files
	protoregistry.GlobalFiles.RangeFilesByPackage("rots.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				methods = append(methods, fmt.Sprintf("%s/%s", sd.Name(), sd.Methods().Get(j).Name()))
			}
		}
		return true
	})
	return methods
}

func allRelations() []Relation {
	var rels []Relation
	for bits := range 16 {
		rels = append(rels, Relation{SameRegion: bits&1 != 0, SameOrg: bits&2 != 0, Invited: bits&4 != 0, Self: bits&8 != 0})
	}
	return rels
}

func wantAllow(need string, r Relation) bool {
	switch need {
	case "any":
		return true
	case "region":
		return r.SameRegion
	case "org":
		return r.SameOrg
	case "invited":
		return r.Invited
	case "self":
		return r.Self
	}
	return false
}

// TestMatrix checks every RPC × role × relation against the matrix above,
// and fails when an RPC exists without a rule or a rule without an RPC.
func TestMatrix(t *testing.T) {
	methods := allMethods()
	seen := map[string]bool{}
	views := map[View]string{Full: "full", Statistical: "statistical", NeedToKnow: "needtoknow"}
	for _, m := range methods {
		seen[svc+m] = true
		want, ok := matrix[m]
		if !ok {
			t.Errorf("%s: the test matrix has no row; add one (and a rule in Rules)", m)
			continue
		}
		if _, ok := Rules[svc+m]; !ok {
			t.Errorf("%s has no rule in Rules: every RPC needs one", m)
			continue
		}
		for _, role := range auth.Roles {
			need, view := "-", ""
			if w, ok := want[role]; ok {
				need, view, _ = strings.Cut(w, "/")
			}
			for _, rel := range allRelations() {
				d := Decide(svc+m, auth.Principal{Role: role}, rel)
				if !d.Known {
					t.Fatalf("%s unknown to Decide", m)
				}
				if d.Role != (need != "-") {
					t.Errorf("%s by %s: role allowed = %v, want %v", m, role, d.Role, need != "-")
				}
				if got, want := d.Allow, wantAllow(need, rel); got != want {
					t.Errorf("%s by %s with %+v: allow = %v, want %v", m, role, rel, got, want)
				}
				if d.Allow && views[d.View] != view {
					t.Errorf("%s by %s: view %s, want %s", m, role, views[d.View], view)
				}
			}
		}
	}
	for m := range Rules {
		if !seen[m] {
			t.Errorf("rule for %s, which is not an RPC", m)
		}
	}
	for m := range matrix {
		if !seen[svc+m] {
			t.Errorf("matrix row for %s, which is not an RPC", m)
		}
	}
}

func TestUnknownMethodIsNotKnown(t *testing.T) {
	if d := Decide("/rots.v1.CaseService/DeleteEverything", auth.Principal{Role: auth.Admin}, Relation{SameRegion: true}); d.Known || d.Allow {
		t.Errorf("Decide on an RPC without a rule = %+v", d)
	}
}

func TestRedactStatistical(t *testing.T) {
	c := &rotsv1.Case{
		Name: "cases/x", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_CONSULT,
		SubmittingOrganisation: &rotsv1.Organisation{Name: "Vrij CLB", Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		Contact:                &rotsv1.ContactPerson{Name: "An", Email: "an@clb.be"},
		YoungPerson:            &rotsv1.YoungPerson{Alias: "Jorre", BirthYear: 2012, BirthMonth: 4, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER, Grade: 6, School: "Sint-Jan", Municipality: "Genk"},
		Blocked:                "thuis", Tried: []string{"x"}, Themes: []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
		OpenQuestion: "q", Advice: "a", Offer: "o", Agreements: []*rotsv1.Agreement{{Action: "x"}}, ClosureNote: "n",
	}
	Redact(&rotsv1.GetCaseResponse{Case: c}, Statistical)
	want := &rotsv1.Case{
		Name: "cases/x", Region: rotsv1.Region_REGION_LIMBURG, Stage: rotsv1.Stage_STAGE_CONSULT,
		SubmittingOrganisation: &rotsv1.Organisation{Kind: rotsv1.OrganisationKind_ORGANISATION_KIND_CLB},
		YoungPerson:            &rotsv1.YoungPerson{BirthYear: 2012, SchoolLevel: rotsv1.SchoolLevel_SCHOOL_LEVEL_LAGER},
		Themes:                 []rotsv1.Theme{rotsv1.Theme_THEME_ABSENCE},
	}
	if c.String() != want.String() {
		t.Errorf("statistical view:\n got %v\nwant %v", c, want)
	}
}
