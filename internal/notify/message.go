// Package notify writes the Dutch notifications of the escalation ladder and
// stage changes, and sends them by e-mail. A notification names the case and
// what is expected, never personal data of the young person.
//
// It must not import the store, the services or the workflows.
package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// Event is what a notification is about.
type Event struct {
	CaseID string
	// Reference is the case's reference for people, "ROTS-1A2B3C4D".
	Reference string
	Region    string // stored form, e.g. OOST_VLAANDEREN
	Stage     string // the case's stage now
	Kind      string // "stage", "rung1".."rung4", "warning", "withdrawn", "declined"
	Deadline  escalation.Deadline
	// Audience is who this copy is for: escalation.Submitter, Tandem or Manager.
	Audience string
	// Meeting is the table's meeting, for an invitation.
	Meeting *Meeting
}

// Meeting is a consultation table's meeting; Sequence counts its versions.
type Meeting struct {
	At       time.Time
	Minutes  int
	Location string
	Sequence int
	// Round tells a reconvened table's meeting from the one before.
	Round int
}

var deadlineNames = map[string]string{
	escalation.KindIntake:    "de intakebeslissing",
	escalation.KindAnswer:    "het antwoord op de vraag van de tandem",
	escalation.KindWithdraw:  "het antwoord op de vraag van de tandem",
	escalation.KindConsult:   "het consult",
	escalation.KindTable:     "de overlegtafel en haar uitkomst",
	escalation.KindReview:    "de evaluatie van de opvolging",
	escalation.KindOffer:     "een passend aanbod, drie maanden na de aanmelding",
	escalation.KindOutcome:   "het vastleggen van de uitkomst van de overlegtafel",
	escalation.KindAgreement: "een afspraak van de overlegtafel",
}

// Count says a number of things in Dutch: "1 afspraak", "3 afspraken",
// "geen afspraken".
func Count(n int, one, many string) string {
	switch n {
	case 0:
		return "geen " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// DeadlineName says in Dutch what a kind of deadline is for.
func DeadlineName(kind string) string { return deadlineNames[kind] }

// expected says what the recipient must do when a case enters a stage.
var expected = map[string]string{
	vocab.StageIntake:    "Beslis over de intake: aanvaarden, de aanmelder een vraag stellen of weigeren met een doorverwijzing.",
	vocab.StageNeedsInfo: "De tandem stelt u een vraag over de aanmelding. Beantwoord ze in ROTS roundtable.",
	vocab.StageConsult:   "De intake is aanvaard. Houd het consult vanuit helikopterperspectief en leg het advies vast.",
	vocab.StageTable:     "Roep de overlegtafel samen met de nodige partners en leg het aanbod op maat en de afspraken vast.",
	vocab.StageFollowUp:  "Volg het advies of de afspraken op. Bij de evaluatie sluit u het dossier af of komt de tafel opnieuw samen.",
}

// RungName says what a rung of the escalation ladder means, in Dutch.
func RungName(rung int) string { return rungNames[rung] }

var rungNames = map[int]string{
	escalation.RungReminder:     "herinnering",
	escalation.RungTandem:       "escalatie naar de tandem",
	escalation.RungManager:      "escalatie naar de regionale manager",
	escalation.RungBreakthrough: "doorbraak: gemarkeerd voor de signaalfunctie",
}

var (
	weekdays = []string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}
	months   = []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
)

// Date formats the day a deadline ends on, in Dutch: "vrijdag 4 december 2026".
// A deadline at 00:00 is the end of the day before.
func Date(deadline time.Time) string {
	d := deadline.In(calendar.Brussels).Add(-time.Nanosecond)
	return fmt.Sprintf("%s %d %s %d", weekdays[d.Weekday()], d.Day(), months[d.Month()-1], d.Year())
}

// DateTime formats a moment in Dutch, Brussels time: "dinsdag 12 januari
// 2027 om 14:00".
func DateTime(t time.Time) string {
	t = t.In(calendar.Brussels)
	return fmt.Sprintf("%s %d %s %d om %s", weekdays[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(), t.Format("15:04"))
}

// Compose writes the subject and body of a notification.
func Compose(e Event) (subject, body string) {
	ref := e.Reference
	region := vocab.RegionName(e.Region)
	var what, headline string
	switch {
	case e.Kind == "stage":
		headline = "actie gevraagd"
		what = expected[e.Stage]
		if e.Audience == escalation.Submitter && e.Stage == vocab.StageFollowUp {
			what = "Het advies van het consult staat klaar in ROTS roundtable."
		}
	case e.Kind == "declined":
		headline = "aanmelding niet aanvaard"
		what = "De tandem heeft de aanmelding niet aanvaard. De reden en een suggestie waar u terechtkunt, staan in ROTS roundtable."
	case e.Kind == "warning":
		headline = "antwoord gevraagd, anders intrekking"
		what = fmt.Sprintf("De termijn voor %s is verstreken. Zonder antwoord wordt het dossier ingetrokken na %s.",
			deadlineNames[e.Deadline.Kind], Date(e.Deadline.Due))
	case e.Kind == "withdrawn":
		headline = "dossier ingetrokken"
		what = "Het dossier is ingetrokken omdat het antwoord op de vraag van de tandem uitbleef."
	case e.Kind == "invitation" && e.Meeting != nil:
		headline = "uitnodiging overlegtafel"
		if e.Meeting.Sequence > 1 {
			headline = "overlegtafel verplaatst"
		}
		what = fmt.Sprintf("U bent uitgenodigd op de overlegtafel van dit dossier op %s (%d minuten), %s. De uitnodiging voor uw agenda zit in bijlage.",
			DateTime(e.Meeting.At), e.Meeting.Minutes, e.Meeting.Location)
	case strings.HasPrefix(e.Kind, "rung"):
		headline = rungNames[e.Deadline.Rung]
		what = fmt.Sprintf("De termijn voor %s is verstreken (trede %d van de escalatieladder: %s).",
			deadlineNames[e.Deadline.Kind], e.Deadline.Rung, rungNames[e.Deadline.Rung])
		if exp := expected[e.Stage]; exp != "" {
			what += " " + exp
		}
	}
	subject = fmt.Sprintf("[ROTS %s] %s: %s", region, ref, headline)
	var b strings.Builder
	fmt.Fprintf(&b, "Dossier: %s (cases/%s)\nRegio: %s\n\n%s\n", ref, e.CaseID, region, what)
	if e.Kind == "stage" && !e.Deadline.Due.IsZero() {
		fmt.Fprintf(&b, "\nTermijn: %s (%s).\n", Date(e.Deadline.Due), deadlineNames[e.Deadline.Kind])
	}
	b.WriteString("\nOpen het dossier in ROTS roundtable voor de details. Deze e-mail bevat bewust geen persoonsgegevens.\n")
	return subject, b.String()
}
