// Package vocab is the case's vocabulary, written once: the stages of the
// case path, the regions, closure reasons and agreement statuses, with the
// names they are stored under and their Dutch words, the conversion
// between stored names and the API's enums, and the value types that
// travel in the case workflow's payloads (agreements, participants,
// meetings). Every other package uses these names instead of spelling
// them; a test keeps it so.
//
// It is a leaf: it imports only the standard library and protobuf.
package vocab

import (
	"regexp"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Stages of the case path, as stored and as named in errors.
const (
	StageSubmitted = "SUBMITTED"
	StageIntake    = "INTAKE"
	StageNeedsInfo = "NEEDS_INFO"
	StageConsult   = "CONSULT"
	StageTable     = "TABLE"
	StageFollowUp  = "FOLLOW_UP"
	StageClosed    = "CLOSED"
)

// Stages lists the stages in the order of the path.
var Stages = []string{StageSubmitted, StageIntake, StageNeedsInfo, StageConsult, StageTable, StageFollowUp, StageClosed}

// StageName says a stage in Dutch: "vraag aan aanmelder".
func StageName(stage string) string { return orStored(stageNames, stage) }

var stageNames = map[string]string{
	StageSubmitted: "aangemeld", StageIntake: "intake", StageNeedsInfo: "vraag aan aanmelder", StageConsult: "consult",
	StageTable: "overlegtafel", StageFollowUp: "opvolging", StageClosed: "afgesloten",
}

// Regions, as stored.
const (
	RegionAntwerpen      = "ANTWERPEN"
	RegionBrussel        = "BRUSSEL"
	RegionLimburg        = "LIMBURG"
	RegionOostVlaanderen = "OOST_VLAANDEREN"
	RegionVlaamsBrabant  = "VLAAMS_BRABANT"
	RegionWestVlaanderen = "WEST_VLAANDEREN"
)

// Regions lists the six regions in the API's order.
var Regions = []string{RegionAntwerpen, RegionBrussel, RegionLimburg, RegionOostVlaanderen, RegionVlaamsBrabant, RegionWestVlaanderen}

// Flanders is the slug of a scope of all of Flanders (a Flemish manager's).
const Flanders = "vlaanderen"

// RegionSlug is a region as people type it: "oost-vlaanderen".
func RegionSlug(region string) string {
	return strings.ToLower(strings.ReplaceAll(region, "_", "-"))
}

// RegionFromSlug is the stored region of a slug, "" for Flanders or an
// unknown slug.
func RegionFromSlug(slug string) string {
	for _, r := range Regions {
		if RegionSlug(r) == slug {
			return r
		}
	}
	return ""
}

// RegionName is a region's Dutch name, "Oost-Vlaanderen"; "Vlaanderen" for
// "" (all of Flanders).
func RegionName(region string) string {
	if region == "" {
		return "Vlaanderen"
	}
	return regionNames[region]
}

var regionNames = map[string]string{
	RegionAntwerpen: "Antwerpen", RegionBrussel: "Brussel", RegionLimburg: "Limburg",
	RegionOostVlaanderen: "Oost-Vlaanderen", RegionVlaamsBrabant: "Vlaams-Brabant", RegionWestVlaanderen: "West-Vlaanderen",
}

// Closure reasons, as stored.
const (
	ClosedBackAtSchool          = "BACK_AT_SCHOOL"
	ClosedAlternativeTrajectory = "ALTERNATIVE_TRAJECTORY"
	ClosedReferredITP           = "REFERRED_ITP"
	ClosedMovedOutOfRegion      = "MOVED_OUT_OF_REGION"
	ClosedDeclined              = "DECLINED"
	ClosedWithdrawn             = "WITHDRAWN"
	ClosedOther                 = "OTHER"
)

// ClosureReasons lists the closure reasons in the API's order.
var ClosureReasons = []string{ClosedBackAtSchool, ClosedAlternativeTrajectory, ClosedReferredITP, ClosedMovedOutOfRegion,
	ClosedDeclined, ClosedWithdrawn, ClosedOther}

// ClosureReason says a closure reason in Dutch: "terug naar school".
func ClosureReason(reason string) string { return orStored(closureReasons, reason) }

var closureReasons = map[string]string{
	ClosedBackAtSchool: "terug naar school", ClosedAlternativeTrajectory: "alternatief traject",
	ClosedReferredITP: "doorverwezen naar de Intersectorale Toegangspoort", ClosedMovedOutOfRegion: "verhuisd uit de regio",
	ClosedDeclined: "niet aanvaard", ClosedWithdrawn: "ingetrokken", ClosedOther: "andere reden",
}

// Agreement statuses, as stored.
const (
	AgreementOpen       = "OPEN"
	AgreementInProgress = "IN_PROGRESS"
	AgreementDone       = "DONE"
	AgreementBlocked    = "BLOCKED"
)

// AgreementStatus says an agreement's status in Dutch: "uitgevoerd".
func AgreementStatus(status string) string { return orStored(agreementStatuses, status) }

var agreementStatuses = map[string]string{
	AgreementOpen: "open", AgreementInProgress: "bezig", AgreementDone: "uitgevoerd", AgreementBlocked: "geblokkeerd",
}

func orStored(names map[string]string, stored string) string {
	if n, ok := names[stored]; ok {
		return n
	}
	return strings.ToLower(strings.ReplaceAll(stored, "_", " "))
}

// The value types of a case that travel in the case workflow's payloads
// (commands, state carried over a continue-as-new, activity arguments).
// Their JSON names are part of recorded histories: rename a field only
// behind a workflow version.

// Agreement is one action of a tailored offer.
type Agreement struct {
	Action            string
	OwnerOrganisation string
	DueDate           time.Time // a calendar date, UTC midnight
	Status            string    // OPEN, IN_PROGRESS, DONE or BLOCKED
	BlockedReason     string
	Person            string
}

// Participant is one invitee of a consultation table.
type Participant struct {
	Kind         string // PARTNER, YOUNG_PERSON, PARENTS or CONTEXT
	Organisation string
	Name         string
	Email        string
	Role         string
}

// Meeting is a table's meeting; Sequence counts its versions (0 = none).
type Meeting struct {
	At       *time.Time
	Minutes  int
	Location string
	Sequence int
	// Round counts the times the table was convened; not stored, it
	// tells the invitations of a reconvened table apart.
	Round int `json:",omitempty"`
}

// IsReference reports whether s is a case reference as the mails print it,
// in capitals: "ROTS-" and 8 hex digits, or 32 for the few older cases
// whose first 8 were taken.
func IsReference(s string) bool { return referencePattern.MatchString(s) }

var referencePattern = regexp.MustCompile(`^ROTS-([0-9A-F]{8}|[0-9A-F]{32})$`)

// ProtoEnum is a generated protobuf enum. Enums are stored by their proto
// name without the type prefix, e.g. Stage INTAKE for STAGE_INTAKE, so that
// one list of values serves both.
type ProtoEnum interface {
	~int32
	Descriptor() protoreflect.EnumDescriptor
}

func enumPrefix[E ProtoEnum]() string {
	var e E
	name := string(e.Descriptor().Values().ByNumber(0).Name()) // e.g. STAGE_UNSPECIFIED
	return strings.TrimSuffix(name, "UNSPECIFIED")
}

// Stored is the stored name of a proto enum value, "" for UNSPECIFIED or
// an unknown number.
func Stored[E ProtoEnum](e E) string {
	if e == 0 {
		return ""
	}
	v := e.Descriptor().Values().ByNumber(protoreflect.EnumNumber(e))
	if v == nil {
		return ""
	}
	return strings.TrimPrefix(string(v.Name()), enumPrefix[E]())
}

// FromStored is the proto enum value of a stored name, 0 when unknown.
func FromStored[E ProtoEnum](s string) E {
	if s == "" {
		return 0
	}
	var e E
	v := e.Descriptor().Values().ByName(protoreflect.Name(enumPrefix[E]() + s))
	if v == nil {
		return 0
	}
	return E(v.Number())
}

// StoredNames lists the stored names of an enum's values but UNSPECIFIED,
// in number order.
func StoredNames[E ProtoEnum]() []string {
	var names []string
	for n := E(1); ; n++ {
		s := Stored(n)
		if s == "" {
			return names
		}
		names = append(names, s)
	}
}

// StoredAll is the stored names of enum values.
func StoredAll[E ProtoEnum](es []E) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, Stored(e))
	}
	return out
}

// FromStoredAll is the enum values of stored names.
func FromStoredAll[E ProtoEnum](ss []string) []E {
	out := make([]E, 0, len(ss))
	for _, s := range ss {
		out = append(out, FromStored[E](s))
	}
	return out
}
