package dutch

import (
	"fmt"
	"strings"

	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// deadlines say each kind of deadline twice: as a label in a list and as
// the phrase a sentence ("De termijn voor … is verstreken") takes.
var deadlines = map[string]struct{ label, phrase string }{
	escalation.KindIntake: {"intakebeslissing", "de intakebeslissing"},
	escalation.KindAnswer: {"antwoord op de vraag", "het antwoord op de vraag van de tandem"},
	// The withdraw deadline is the answer's, run out: the mails about it
	// ask for the answer.
	escalation.KindWithdraw:  {"intrekking zonder antwoord", "het antwoord op de vraag van de tandem"},
	escalation.KindConsult:   {"consult", "het consult"},
	escalation.KindTable:     {"datum van de overlegtafel", "de overlegtafel en haar uitkomst"},
	escalation.KindOutcome:   {"uitkomst van de overlegtafel", "het vastleggen van de uitkomst van de overlegtafel"},
	escalation.KindAgreement: {"afspraak", "een afspraak van de overlegtafel"},
	escalation.KindReview:    {"evaluatie", "de evaluatie van de opvolging"},
	escalation.KindOffer:     {"passend aanbod", "een passend aanbod, drie maanden na de aanmelding"},
}

// DeadlineName says what a kind of deadline (escalation.KindIntake, …) is
// for, as a sentence names it: "de intakebeslissing"; "" for an unknown
// kind.
func DeadlineName(kind string) string { return deadlines[kind].phrase }

// DeadlineLabel says what a kind of deadline is for, as a list shows it:
// "intakebeslissing"; an unknown kind stays as it is.
func DeadlineLabel(kind string) string {
	if d, ok := deadlines[kind]; ok {
		return d.label
	}
	return kind
}

var rungs = map[int]struct{ label, name string }{
	escalation.RungReminder:     {"herinnering", "herinnering"},
	escalation.RungTandem:       {"tandem", "escalatie naar de tandem"},
	escalation.RungManager:      {"regionale manager", "escalatie naar de regionale manager"},
	escalation.RungBreakthrough: {"doorbraak", "doorbraak: gemarkeerd voor de signaalfunctie"},
}

// RungName says what a rung (1 to 4) of the escalation ladder means:
// "escalatie naar de tandem"; "" for another number.
func RungName(rung int) string { return rungs[rung].name }

// Rung says a rung in a list: "trede 2 (tandem)"; "" for rung 0, no
// escalation.
func Rung(rung int) string {
	if rung <= 0 {
		return ""
	}
	if r, ok := rungs[rung]; ok {
		return fmt.Sprintf("trede %d (%s)", rung, r.label)
	}
	return fmt.Sprintf("trede %d", rung)
}

// expected says what the one who must act does when a case enters a stage.
var expected = map[string]string{
	vocab.StageIntake:    "Beslis over de intake: aanvaarden, de aanmelder een vraag stellen of weigeren met een doorverwijzing.",
	vocab.StageNeedsInfo: "De tandem stelt u een vraag over de aanmelding. Beantwoord ze in ROTS roundtable.",
	vocab.StageConsult:   "De intake is aanvaard. Houd het consult vanuit helikopterperspectief en leg het advies vast.",
	vocab.StageTable:     "Roep de overlegtafel samen met de nodige partners en leg het aanbod op maat en de afspraken vast.",
	vocab.StageFollowUp:  "Volg het advies of de afspraken op. Bij de evaluatie sluit u het dossier af of komt de tafel opnieuw samen.",
}

// Expected says, in full sentences, what is expected of whoever must act
// when a case enters a stage (vocab.StageIntake, …); "" when nothing is
// (closed).
func Expected(stage string) string { return expected[stage] }

// next is who acts next in a stage, and on what.
var next = map[string]struct{ who, what string }{
	vocab.StageSubmitted: {"de tandem", deadlines[escalation.KindIntake].label},
	vocab.StageIntake:    {"de tandem", deadlines[escalation.KindIntake].label},
	vocab.StageNeedsInfo: {"de aanmelder", deadlines[escalation.KindAnswer].label},
	vocab.StageConsult:   {"de tandem", deadlines[escalation.KindConsult].label},
	// First the meeting's date, then its outcome: the table as a whole.
	vocab.StageTable:    {"de tandem", "overlegtafel"},
	vocab.StageFollowUp: {"de tandem", deadlines[escalation.KindReview].label},
}

// ExpectedFrom says in a few words who must act next in a stage and on
// what, for a list: "de tandem: intakebeslissing", "de aanmelder: antwoord
// op de vraag"; "" when nobody must (closed).
func ExpectedFrom(stage string) string {
	if n, ok := next[stage]; ok {
		return n.who + ": " + n.what
	}
	return ""
}

// events say what a timeline event was, for the views that do not see its
// summary (managers, partners).
var events = map[string]string{
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

// Event says what a kind of timeline event ("intake.accepted",
// "escalation.rung2") was, without its summary: "Intake aanvaard"; an
// unknown kind stays as it is.
func Event(kind string) string {
	if s, ok := events[kind]; ok {
		return s
	}
	if n, ok := strings.CutPrefix(kind, "escalation.rung"); ok {
		var r int
		if _, err := fmt.Sscan(n, &r); err == nil {
			return "Termijn verstreken: " + Rung(r)
		}
	}
	return kind
}
