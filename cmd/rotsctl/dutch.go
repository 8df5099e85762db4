package main

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Brussels whatever the host has

	"google.golang.org/protobuf/reflect/protoreflect"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// brussels is the time zone every date is shown in: the users are in
// Belgium, whatever the machine's TZ says.
var brussels = mustLoad("Europe/Brussels")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var (
	weekdaysShort = []string{"zo", "ma", "di", "wo", "do", "vr", "za"}
	monthsShort   = []string{"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}
	monthsLong    = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
)

// day says a day in Dutch, in Brussels: "di 15 dec 2026".
func day(t time.Time) string {
	t = t.In(brussels)
	return fmt.Sprintf("%s %d %s %d", weekdaysShort[t.Weekday()], t.Day(), monthsShort[t.Month()-1], t.Year())
}

// moment says a moment in Dutch, in Brussels: "di 15 dec 2026 14:03".
func moment(t time.Time) string { return day(t) + " " + t.In(brussels).Format("15:04") }

// dueDay says when a deadline falls. Deadlines fall at the end of a working
// day, which is 00:00 of the next day: 2026-12-15T23:00:00Z is the end of
// "di 15 dec 2026". A deadline at another time (rotsd dev -deadline-day)
// shows its time.
func dueDay(t time.Time) string {
	b := t.In(brussels)
	if b.Hour() == 0 && b.Minute() == 0 && b.Second() == 0 && b.Nanosecond() == 0 {
		return day(b.Add(-time.Nanosecond))
	}
	return moment(b)
}

// monthLabel turns "2026-03" into "mrt 2026"; anything else stays.
func monthLabel(s string) string {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		return s
	}
	return monthsShort[m.Month()-1] + " " + m.Format("2006")
}

// birth says a birth month: "mei 2012".
func birth(year, month int32) string {
	switch {
	case year == 0:
		return ""
	case month < 1 || month > 12:
		return fmt.Sprint(year)
	}
	return fmt.Sprintf("%s %d", monthsLong[month-1], year)
}

// ordinal is a Dutch ordinal number: 1e, 2e, 3e.
func ordinal(n int) string { return fmt.Sprintf("%de", n) }

// dutchNames says, per enum, each value (without its prefix) in Dutch; the
// case's own words come from package vocab.
func names(stored []string, dutch func(string) string) map[string]string {
	m := map[string]string{}
	for _, s := range stored {
		m[s] = dutch(s)
	}
	return m
}

var dutchNames = map[protoreflect.FullName]map[string]string{
	"rots.v1.Region":        names(vocab.Regions, vocab.RegionName),
	"rots.v1.Stage":         names(vocab.Stages, vocab.StageName),
	"rots.v1.ClosureReason": names(vocab.ClosureReasons, vocab.ClosureReason),
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
	"rots.v1.AgreementStatus":  {"OPEN": "open", "IN_PROGRESS": "bezig", "DONE": "uitgevoerd", "BLOCKED": "geblokkeerd"},
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
		"GAPS": "hiaten", "TIMES": "doorlooptijden",
	},
}

// enumPrefix is the prefix of an enum's value names: "STAGE_" for Stage.
func enumPrefix(d protoreflect.EnumDescriptor) string {
	return strings.TrimSuffix(string(d.Values().ByNumber(0).Name()), "UNSPECIFIED")
}

// stored is an enum value's name without its prefix: "FOLLOW_UP".
func stored(e protoreflect.Enum) string {
	v := e.Descriptor().Values().ByNumber(e.Number())
	if v == nil {
		return fmt.Sprint(e.Number())
	}
	return strings.TrimPrefix(string(v.Name()), enumPrefix(e.Descriptor()))
}

// nl says an enum value in Dutch; unspecified is "", an unknown value its
// stored name in lower case.
func nl(e protoreflect.Enum) string {
	if e.Number() == 0 {
		return ""
	}
	s := stored(e)
	if n, ok := dutchNames[e.Descriptor().FullName()][s]; ok {
		return n
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", " "))
}

// regionName is a region in Dutch; unspecified is all of Flanders.
func regionName(r rotsv1.Region) string {
	if r == 0 {
		return "Vlaanderen"
	}
	return nl(r)
}

// flagValue is how a flag names an enum value: FOLLOW_UP is follow-up.
func flagValue(storedName string) string {
	return strings.ToLower(strings.ReplaceAll(storedName, "_", "-"))
}

// choices lists an enum's flag values with their Dutch names, in the
// enum's order: "absence (afwezigheid (thuiszitten)), mental-health (…)".
func choices(d protoreflect.EnumDescriptor, skip ...string) string {
	var out []string
	prefix := enumPrefix(d)
	values := d.Values()
	for i := range values.Len() {
		v := values.Get(i)
		s := strings.TrimPrefix(string(v.Name()), prefix)
		if v.Number() == 0 || contains(skip, s) {
			continue
		}
		item := flagValue(s)
		if n := dutchNames[d.FullName()][s]; n != "" && !strings.EqualFold(n, item) {
			item += " (" + n + ")"
		}
		out = append(out, item)
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// parseEnum reads a flag value like "youth-care" (or YOUTH_CARE) into the
// enum value named PREFIX_YOUTH_CARE; an error names the flag and the
// values it takes.
func parseEnum(d protoreflect.EnumDescriptor, flagName, s string, skip ...string) (protoreflect.EnumNumber, error) {
	key := strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(strings.TrimSpace(s)))
	v := d.Values().ByName(protoreflect.Name(enumPrefix(d) + key))
	if v == nil || v.Number() == 0 || contains(skip, key) {
		return 0, fmt.Errorf("-%s %q: kies uit %s", flagName, s, choices(d, skip...))
	}
	return v.Number(), nil
}

// deadlineNames says in Dutch what a running deadline is for.
var deadlineNames = map[string]string{
	"intake": "intakebeslissing", "answer": "antwoord op de vraag", "withdraw": "intrekking zonder antwoord",
	"consult": "consult", "table": "datum van de overlegtafel", "outcome": "uitkomst van de overlegtafel",
	"agreement": "afspraak", "review": "evaluatie", "offer": "passend aanbod",
}

// rungNames say what each rung of the escalation ladder means.
var rungNames = map[int32]string{1: "herinnering", 2: "tandem", 3: "regionale manager", 4: "doorbraak"}

// rung says a rung: "trede 2 (tandem)"; rung 0 is "".
func rung(n int32) string {
	if n <= 0 {
		return ""
	}
	if name := rungNames[n]; name != "" {
		return fmt.Sprintf("trede %d (%s)", n, name)
	}
	return fmt.Sprintf("trede %d", n)
}

// eventSentences say what a timeline event was, for the views that do not
// see its summary (managers, partners).
var eventSentences = map[string]string{
	"submitted":             "Aangemeld",
	"intake.started":        "Wacht op de intakebeslissing van de tandem",
	"intake.accepted":       "Intake aanvaard",
	"intake.question_asked": "Vraag aan de aanmelder",
	"intake.declined":       "Intake geweigerd",
	"question.answered":     "Antwoord van de aanmelder",
	"consult.advice":        "Consult: advies aan de aanmelder",
	"consult.convene_table": "Consult: overlegtafel bijeenroepen",
	"table.convened":        "Overlegtafel samengeroepen",
	"table.invited":         "Partners uitgenodigd op de overlegtafel",
	"table.scheduled":       "Overlegtafel gepland",
	"table.rescheduled":     "Overlegtafel verplaatst",
	"table.outcome":         "Aanbod op maat vastgelegd",
	"table.reconvened":      "Overlegtafel opnieuw samengeroepen",
	"agreement.updated":     "Afspraak bijgewerkt",
	"closed":                "Afgesloten",
	"withdrawn":             "Ingetrokken",
	"withdrawn.auto":        "Automatisch ingetrokken: het antwoord bleef uit",
	"consent.withdrawn":     "Toestemming ingetrokken",
	"anonymised":            "Persoonsgegevens verwijderd na de bewaartermijn",
	"escalation.warning":    "Termijn voor het antwoord verstreken: waarschuwing voor intrekking",
}

// eventSentence is what an event says: its summary, or for a view without
// summaries a sentence made from its kind.
func eventSentence(e *rotsv1.CaseEvent) string {
	if s := strings.Join(strings.Fields(e.GetSummary()), " "); s != "" {
		return s
	}
	k := e.GetKind()
	if s, ok := eventSentences[k]; ok {
		return s
	}
	if n, ok := strings.CutPrefix(k, "escalation.rung"); ok {
		var r int32
		if _, err := fmt.Sscan(n, &r); err == nil {
			return "Termijn verstreken: " + rung(r)
		}
	}
	return k
}

// stageChange says how an event moved the case: "intake → consult", just
// the stage for the first event, nothing when the stage stayed.
func stageChange(e *rotsv1.CaseEvent) string {
	from, to := e.GetFromStage(), e.GetToStage()
	switch {
	case to == 0 || to == from:
		return ""
	case from == 0:
		return nl(to)
	}
	return nl(from) + " → " + nl(to)
}

// parseDay reads a date "2027-01-15" as that day in Brussels.
func parseDay(s string) (time.Time, error) { return time.ParseInLocation("2006-01-02", s, brussels) }
