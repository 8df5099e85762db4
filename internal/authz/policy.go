// Package authz decides who may call which RPC on which case, and what
// they see. The whole policy is the rules table below and Decide; the
// interceptor in this package applies it to every call, so handlers carry no
// access checks of their own.
//
// It must not import the services themselves (only services/rpc) or the workflows.
package authz

import (
	"github.com/rots-vlaanderen/roundtable/internal/auth"
)

// Relation is how the caller stands to the resource a call is about.
type Relation struct {
	// SameRegion: the case (or policy) is in the caller's region, or the
	// caller's scope is all of Flanders.
	SameRegion bool
	// SameOrg: the case was submitted by the caller's organisation.
	SameOrg bool
	// Invited: the caller's organisation is invited to the case's table.
	Invited bool
	// Self: the inbox or notification is the caller's own.
	Self bool
}

// Need is what a role needs of the relation to be allowed a call.
type Need int

const (
	// Denied: the role may not make the call.
	Denied Need = iota
	// Anyone of the role, whatever the relation.
	Anyone
	// Region: a resource in the caller's region.
	Region
	// Org: a case of the caller's own organisation.
	Org
	// Invited: a case whose table the caller is invited to.
	Invited
	// Self: the caller's own inbox.
	Self
)

// View is which fields of a case come back.
type View int

const (
	// Full: everything.
	Full View = iota
	// Statistical: no personal data of the young person, the contact or
	// free texts; what reports need.
	Statistical
	// NeedToKnow: what a partner at the table needs.
	NeedToKnow
)

// Access is one role's right to one RPC.
type Access struct {
	Need Need
	View View
}

func (a Access) allows(r Relation) bool {
	switch a.Need {
	case Anyone:
		return true
	case Region:
		return r.SameRegion
	case Org:
		return r.SameOrg
	case Invited:
		return r.Invited
	case Self:
		return r.Self
	}
	return false
}

const svc = "/rots.v1."

// Rules is the whole policy: every RPC × role. A role not listed is denied.
var Rules = map[string]map[string]Access{
	svc + "CaseService/SubmitCase": {auth.Submitter: {Org, Full}},
	svc + "CaseService/GetCase": {
		auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full},
		auth.Partner: {Invited, NeedToKnow}, auth.Manager: {Region, Statistical},
	},
	// A partner's listing is narrowed to the cases their organisation is
	// invited to (see relate), and so Invited holds for all it shows.
	svc + "CaseService/ListCases": {
		auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full},
		auth.Partner: {Invited, NeedToKnow}, auth.Manager: {Region, Statistical},
	},
	// The change feed shows the cases ListCases shows, narrowed the same
	// way (see relate).
	svc + "ChangeService/ListChanges": {
		auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full},
		auth.Partner: {Invited, NeedToKnow}, auth.Manager: {Region, Statistical},
	},
	svc + "CaseService/ListCaseEvents": {
		auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full},
		auth.Partner: {Invited, NeedToKnow}, auth.Manager: {Region, Statistical},
	},
	svc + "CaseService/DecideIntake":       {auth.Coordinator: {Region, Full}},
	svc + "CaseService/AnswerQuestion":     {auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full}},
	svc + "CaseService/RecordConsult":      {auth.Coordinator: {Region, Full}},
	svc + "CaseService/RecordTableOutcome": {auth.Coordinator: {Region, Full}},
	svc + "CaseService/CloseCase":          {auth.Coordinator: {Region, Full}},
	svc + "CaseService/WithdrawCase":       {auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full}},
	svc + "CaseService/WithdrawConsent":    {auth.Submitter: {Org, Full}, auth.Coordinator: {Region, Full}},
	svc + "CaseService/ExportCase":         {auth.Coordinator: {Region, Full}, auth.Auditor: {Anyone, Full}},
	svc + "AdminService/GetEscalationPolicy": {
		auth.Coordinator: {Region, Full}, auth.Manager: {Region, Full}, auth.Admin: {Anyone, Full},
	},
	svc + "AdminService/UpdateEscalationPolicy":      {auth.Admin: {Anyone, Full}},
	svc + "NotificationService/ListNotifications":    everyone(Self),
	svc + "NotificationService/MarkNotificationRead": everyone(Self),
	svc + "ConsultationService/ConveneTable":         {auth.Coordinator: {Region, Full}},
	svc + "ConsultationService/ScheduleTableMeeting": {auth.Coordinator: {Region, Full}},
	svc + "ConsultationService/ReconveneTable":       {auth.Coordinator: {Region, Full}},
	svc + "ConsultationService/UpdateAgreement":      {auth.Coordinator: {Region, Full}, auth.Partner: {Invited, NeedToKnow}},
	svc + "ConsultationService/RecordAttendance":     {auth.Coordinator: {Region, Full}},
	svc + "ConsultationService/RecordGap":            {auth.Coordinator: {Region, Full}},
	svc + "AuditService/ListAccessLog":               {auth.Auditor: {Anyone, Full}},
	svc + "AuditService/VerifyAccessLog":             {auth.Auditor: {Anyone, Full}},
	// The managers' dashboard: aggregate figures only, of the manager's
	// region, or any region or all of Flanders for a Flemish manager.
	svc + "ReportService/GetDashboard": {auth.Manager: {Region, Statistical}},
	// The kernkwadrant: aggregate figures as the dashboard's, for the
	// managers as the dashboard and for the tandem of a region.
	svc + "ReportService/GetKernkwadrant": {auth.Manager: {Region, Statistical}, auth.Coordinator: {Region, Statistical}},
	// The partner directory (sociale kaart): read in one's region, changed
	// by admins.
	svc + "DirectoryService/GetOrganisation":        directoryReaders(false),
	svc + "DirectoryService/ListOrganisations":      directoryReaders(false),
	svc + "DirectoryService/GetOffer":               directoryReaders(true),
	svc + "DirectoryService/SearchOffers":           directoryReaders(true),
	svc + "DirectoryService/CreateOrganisation":     {auth.Admin: {Anyone, Full}},
	svc + "DirectoryService/UpdateOrganisation":     {auth.Admin: {Anyone, Full}},
	svc + "DirectoryService/DeactivateOrganisation": {auth.Admin: {Anyone, Full}},
	svc + "DirectoryService/CreateOffer":            {auth.Admin: {Anyone, Full}},
	svc + "DirectoryService/UpdateOffer":            {auth.Admin: {Anyone, Full}},
	svc + "DirectoryService/DeactivateOffer":        {auth.Admin: {Anyone, Full}},
	// Good practices: written from a case by its region's coordinators,
	// reviewed by another coordinator of the region, read when published
	// by every coordinator in Flanders (see relatePractice).
	svc + "PracticeService/CreatePractice": {auth.Coordinator: {Region, Full}},
	svc + "PracticeService/GetPractice":    {auth.Coordinator: {Region, Full}},
	svc + "PracticeService/ListPractices":  {auth.Coordinator: {Region, Full}},
	svc + "PracticeService/UpdatePractice": {auth.Coordinator: {Region, Full}},
	svc + "PracticeService/ReviewPractice": {auth.Coordinator: {Region, Full}},
	svc + "PracticeService/SuggestOffers":  {auth.Coordinator: {Region, Full}},
	// Signals to government: managers, of the signal's region or of all of
	// Flanders. Signals hold counts only, no personal data.
	svc + "SignalService/CreateSignal":   signalManagers,
	svc + "SignalService/GetSignal":      signalManagers,
	svc + "SignalService/ListSignals":    signalManagers,
	svc + "SignalService/UpdateSignal":   signalManagers,
	svc + "SignalService/ApproveSignal":  signalManagers,
	svc + "SignalService/MarkSignalSent": signalManagers,
	svc + "SignalService/ExportSignal":   signalManagers,
}

// signalManagers: a manager, for signals about their region; a manager for
// all of Flanders, for every signal.
var signalManagers = map[string]Access{auth.Manager: {Region, Statistical}}

// directoryReaders may read the directory of their region; submitters only
// the offers.
func directoryReaders(submitters bool) map[string]Access {
	m := map[string]Access{
		auth.Coordinator: {Region, Full}, auth.Partner: {Region, Full}, auth.Manager: {Region, Full}, auth.Admin: {Anyone, Full},
	}
	if submitters {
		m[auth.Submitter] = Access{Region, Full}
	}
	return m
}

func everyone(n Need) map[string]Access {
	m := map[string]Access{}
	for _, r := range auth.Roles {
		m[r] = Access{Need: n}
	}
	return m
}

// Decision is the answer of the policy.
type Decision struct {
	// Known: the RPC has a rule at all.
	Known bool
	// Role: the caller's role may make this call on some resource.
	Role bool
	// Allow: on this resource.
	Allow bool
	View  View
}

// Decide applies the rules to a call.
func Decide(method string, p auth.Principal, r Relation) Decision {
	roles, known := Rules[method]
	if !known {
		return Decision{}
	}
	a, ok := roles[p.Role]
	if !ok || a.Need == Denied {
		return Decision{Known: true}
	}
	return Decision{Known: true, Role: true, Allow: a.allows(r), View: a.View}
}
