// Package notify writes the Dutch notifications of the escalation ladder and
// stage changes, and sends them by e-mail. A notification names the case and
// what is expected, never personal data of the young person. Its words
// come from package dutch, which the other pages share.
//
// It must not import the store, the services or the workflows.
package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
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
	// Link is the address of the case's page in the web application, ""
	// when there is none.
	Link string
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

// Compose writes the subject and body of a notification.
func Compose(e Event) (subject, body string) {
	ref := e.Reference
	region := vocab.RegionName(e.Region)
	var what, headline string
	switch {
	case e.Kind == "stage":
		headline = "actie gevraagd"
		what = dutch.Expected(e.Stage)
		if e.Audience == escalation.Submitter && e.Stage == vocab.StageFollowUp {
			what = "Het advies van het consult staat klaar in ROTS roundtable."
		}
	case e.Kind == "declined":
		headline = "aanmelding niet aanvaard"
		what = "De tandem heeft de aanmelding niet aanvaard. De reden en een suggestie waar u terechtkunt, staan in ROTS roundtable."
	case e.Kind == "warning":
		headline = "antwoord gevraagd, anders intrekking"
		what = fmt.Sprintf("De termijn voor %s is verstreken. Zonder antwoord wordt het dossier ingetrokken na %s.",
			dutch.DeadlineName(e.Deadline.Kind), dutch.DueDate(e.Deadline.Due))
	case e.Kind == "withdrawn":
		headline = "dossier ingetrokken"
		what = "Het dossier is ingetrokken omdat het antwoord op de vraag van de tandem uitbleef."
	case e.Kind == "invitation" && e.Meeting != nil:
		headline = "uitnodiging overlegtafel"
		if e.Meeting.Sequence > 1 {
			headline = "overlegtafel verplaatst"
		}
		what = fmt.Sprintf("U bent uitgenodigd op de overlegtafel van dit dossier op %s (%d minuten), %s. De uitnodiging voor uw agenda zit in bijlage.",
			dutch.DateTime(e.Meeting.At), e.Meeting.Minutes, e.Meeting.Location)
	case strings.HasPrefix(e.Kind, "rung"):
		headline = dutch.RungName(e.Deadline.Rung)
		what = fmt.Sprintf("De termijn voor %s is verstreken (trede %d van de escalatieladder: %s).",
			dutch.DeadlineName(e.Deadline.Kind), e.Deadline.Rung, dutch.RungName(e.Deadline.Rung))
		if exp := dutch.Expected(e.Stage); exp != "" {
			what += " " + exp
		}
	}
	subject = fmt.Sprintf("[ROTS %s] %s: %s", region, ref, headline)
	var b strings.Builder
	fmt.Fprintf(&b, "Dossier: %s (cases/%s)\nRegio: %s\n\n%s\n", ref, e.CaseID, region, what)
	if e.Kind == "stage" && !e.Deadline.Due.IsZero() {
		fmt.Fprintf(&b, "\nTermijn: %s (%s).\n", dutch.DueDate(e.Deadline.Due), dutch.DeadlineName(e.Deadline.Kind))
	}
	if e.Link != "" {
		fmt.Fprintf(&b, "\nOpen het dossier in ROTS roundtable voor de details: %s\nDeze e-mail bevat bewust geen persoonsgegevens.\n", e.Link)
	} else {
		b.WriteString("\nOpen het dossier in ROTS roundtable voor de details. Deze e-mail bevat bewust geen persoonsgegevens.\n")
	}
	return subject, b.String()
}

// CaseLink is the address of a case's page in the web application at
// baseURL, or "" without one. The case ID in it is no personal data.
func CaseLink(baseURL, caseID string) string {
	if baseURL == "" {
		return ""
	}
	return strings.TrimRight(baseURL, "/") + "/dossiers/" + url.PathEscape(caseID)
}
