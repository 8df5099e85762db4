package dutch

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// enumNames says, per enum, each value by its stored name (without the
// enum's prefix) in Dutch; the case's own words come from package vocab.
var enumNames = map[protoreflect.FullName]map[string]string{
	"rots.v1.Region":        names(vocab.Regions, vocab.RegionName),
	"rots.v1.Stage":         names(vocab.Stages, vocab.StageName),
	"rots.v1.ClosureReason": names(vocab.ClosureReasons, vocab.ClosureReason),
	"rots.v1.AgreementStatus": names([]string{vocab.AgreementOpen, vocab.AgreementInProgress, vocab.AgreementDone, vocab.AgreementBlocked},
		vocab.AgreementStatus),
	"rots.v1.Theme": {
		"ABSENCE": "afwezigheid/thuiszitten", "MENTAL_HEALTH": "psychisch welzijn", "BEHAVIOUR": "gedrag",
		"LEARNING_DELAY": "leerachterstand", "FAMILY_CONTEXT": "gezinscontext", "WAITING_LIST_YOUTH_CARE": "wachtlijst jeugdhulp",
		"NO_FITTING_SCHOOL_EXTERNAL_OFFER": "geen passend schoolextern aanbod", "LANGUAGE": "taal", "OTHER": "andere",
	},
	"rots.v1.SchoolLevel": {
		"KLEUTER": "kleuteronderwijs", "LAGER": "lager onderwijs", "SECUNDAIR": "secundair onderwijs",
		"BUITENGEWOON_LAGER": "buitengewoon lager onderwijs", "BUITENGEWOON_SECUNDAIR": "buitengewoon secundair onderwijs",
		"NONE": "niet ingeschreven",
	},
	"rots.v1.OrganisationKind": {"CLB": "CLB", "YOUTH_CARE": "jeugdhulp"},
	"rots.v1.AgeBand":          {"UNDER_12": "jonger dan 12", "TWELVE_AND_OVER": "12 en ouder", "ALL": "alle leeftijden"},
	"rots.v1.ParticipantKind":  {"PARTNER": "partner", "YOUNG_PERSON": "de jongere", "PARENTS": "ouders", "CONTEXT": "context"},
	"rots.v1.ConsentBy":        {"YOUNG_PERSON": "de jongere", "PARENTS": "de ouders"},
	"rots.v1.SignalState":      {"DRAFT": "concept", "APPROVED": "goedgekeurd", "SENT": "verzonden"},
	"rots.v1.IntakeDecision":   {"ACCEPT": "aanvaarden", "ASK_QUESTION": "een vraag stellen", "DECLINE": "weigeren"},
	"rots.v1.ConsultDecision":  {"ADVICE_ONLY": "enkel advies", "CONVENE_TABLE": "overlegtafel"},
	"rots.v1.SignalFigureSection": {
		"STAGE": "fase", "AGE_BAND": "leeftijd", "SCHOOL_LEVEL": "onderwijsniveau", "THEME": "thema",
		"ORGANISATION_KIND": "soort aanmelder", "CLOSURE_REASON": "reden van afsluiten", "SUBMITTED_BY_MONTH": "aanmeldingen per maand",
		"CLOSED_BY_MONTH": "afgesloten per maand", "ESCALATIONS": "lopende escalaties", "OVERDUE_AGREEMENTS": "afspraken over hun termijn",
		"GAPS": "hiaten", "TIMES": "doorlooptijden", "KERNKWADRANT": "kernkwadrant (vraag en aanbod)",
	},
	"rots.v1.KernkwadrantVerdict": {
		"STRENGTH": "sterkte", "GAP": "hiaat", "BLIND_SPOT": "blinde vlek", "MIXED": "gemengd",
		"NOT_ENOUGH_DATA": "te weinig gegevens", "NONE": "geen vraag en geen aanbod",
	},
	"rots.v1.KernkwadrantReason": {
		"NO_OFFER": "geen aanbod in de sociale kaart", "GAPS_RECORDED": "hiaten gemeld aan overlegtafels",
		"LONG_WAIT": "lange wachttijd", "SHORT_WAIT": "korte wachttijd",
		"MET_BY_OFFERS_USED": "vraag beantwoord met gebruikt aanbod", "LITTLE_MET": "weinig vraag beantwoord met gebruikt aanbod",
		"NO_DEMAND": "geen vraag", "SUPPRESSED": "een cijfer is verborgen",
	},
	"rots.v1.ChangeKind":       {"STAGE": "fase", "ESCALATION": "escalatie", "AGREEMENT": "afspraak", "CONSENT": "toestemming"},
	"rots.v1.PracticeState":    {"IN_REVIEW": "ter nazicht", "SENT_BACK": "teruggestuurd", "PUBLISHED": "gepubliceerd"},
	"rots.v1.PracticeDecision": {"PUBLISH": "publiceren", "SEND_BACK": "terugsturen"},
	"rots.v1.PartnerOrganisationKind": {
		"SCHOOL": "school", "CLB": "CLB", "YOUTH_CARE_PROVIDER": "jeugdhulpaanbieder", "WELFARE": "welzijn (OCMW, sociale dienst)",
		"MUNICIPALITY": "gemeente", "SCHOOL_EXTERNAL_PROGRAMME": "schoolexterne interventie (time-out, NAFT)", "OTHER": "andere",
	},
}

func names(stored []string, dutch func(string) string) map[string]string {
	m := map[string]string{}
	for _, s := range stored {
		m[s] = dutch(s)
	}
	return m
}

// Enum says an enum value in Dutch: Stage FOLLOW_UP is "opvolging". The
// unspecified value is ""; a value without a Dutch name is its stored name
// in lower case ("youth care provider"), a number the enum does not define
// that number.
func Enum(e protoreflect.Enum) string {
	if e.Number() == 0 {
		return ""
	}
	d := e.Descriptor()
	v := d.Values().ByNumber(e.Number())
	if v == nil {
		return fmt.Sprint(e.Number())
	}
	return Stored(d, strings.TrimPrefix(string(v.Name()), enumPrefix(d)))
}

// Stored says the value of enum d stored as stored ("FOLLOW_UP", as
// reports and the store name it) in Dutch; a name without a Dutch one in
// lower case.
func Stored(d protoreflect.EnumDescriptor, stored string) string {
	if n, ok := enumNames[d.FullName()][stored]; ok {
		return n
	}
	return strings.ToLower(strings.ReplaceAll(stored, "_", " "))
}

// Choice is one value of an enum, as a form offers it.
type Choice struct {
	Number protoreflect.EnumNumber
	Stored string // the name without the enum's prefix: "FOLLOW_UP"
	Dutch  string // "opvolging"
}

// EnumValues lists the values of enum d but the unspecified one, in the
// enum's order, for a form's options.
func EnumValues(d protoreflect.EnumDescriptor) []Choice {
	var out []Choice
	prefix := enumPrefix(d)
	values := d.Values()
	for i := range values.Len() {
		v := values.Get(i)
		if v.Number() == 0 {
			continue
		}
		s := strings.TrimPrefix(string(v.Name()), prefix)
		out = append(out, Choice{Number: v.Number(), Stored: s, Dutch: Stored(d, s)})
	}
	return out
}

// enumPrefix is the prefix of an enum's value names: "STAGE_" for Stage.
func enumPrefix(d protoreflect.EnumDescriptor) string {
	return strings.TrimSuffix(string(d.Values().ByNumber(0).Name()), "UNSPECIFIED")
}
