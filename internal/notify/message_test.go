package notify_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/escalation"
	"github.com/rots-vlaanderen/roundtable/internal/notify"
)

const (
	caseID    = "0e39f024-7743-4c3f-932b-1d3d7fe627e8"
	reference = "ROTS-0E39F024"
)

// at is a moment in Brussels time.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Brussels)
}

// An Event carries only what names the case and what is expected: it has
// no field for the young person, the contact person or any free text, so
// Compose cannot put personal data in a mail. A field added here must be
// checked for that first.
func TestEventHoldsNoPersonalData(t *testing.T) {
	for _, c := range []struct {
		v    any
		want []string
	}{
		{notify.Event{}, []string{"CaseID", "Reference", "Region", "Stage", "Kind", "Deadline", "Audience", "Link", "Meeting"}}, // Link holds the case ID only
		{notify.Meeting{}, []string{"At", "Minutes", "Location", "Sequence", "Round"}},
	} {
		typ := reflect.TypeOf(c.v)
		var got []string
		for i := range typ.NumField() {
			got = append(got, typ.Field(i).Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s has fields %v, want %v", typ, got, c.want)
		}
	}
}

func TestComposeStage(t *testing.T) {
	due := at(2026, 12, 5, 0, 0) // the end of Friday 4 December
	subject, body := notify.Compose(notify.Event{
		CaseID: caseID, Reference: reference, Region: "OOST_VLAANDEREN", Stage: "INTAKE", Kind: "stage",
		Deadline: escalation.Deadline{Kind: escalation.KindIntake, Due: due}, Audience: escalation.Tandem,
	})
	if want := "[ROTS Oost-Vlaanderen] ROTS-0E39F024: actie gevraagd"; subject != want {
		t.Errorf("subject %q, want %q", subject, want)
	}
	want := "Dossier: ROTS-0E39F024 (cases/" + caseID + ")\n" +
		"Regio: Oost-Vlaanderen\n\n" +
		"Beslis over de intake: aanvaarden, de aanmelder een vraag stellen of weigeren met een doorverwijzing.\n\n" +
		"Termijn: vrijdag 4 december 2026 (de intakebeslissing).\n\n" +
		"Open het dossier in ROTS roundtable voor de details. Deze e-mail bevat bewust geen persoonsgegevens.\n"
	if body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
}

func TestCompose(t *testing.T) {
	meeting := &notify.Meeting{At: at(2027, 1, 12, 14, 0), Minutes: 90, Location: "CLB Genk, zaal 2", Sequence: 1}
	moved := *meeting
	moved.Sequence = 2
	cases := []struct {
		name    string
		e       notify.Event
		subject string
		body    []string // what the body must say
		not     []string // and must not
	}{
		{"stage without a deadline", notify.Event{Stage: "CONSULT", Kind: "stage", Audience: escalation.Tandem},
			"actie gevraagd", []string{"Houd het consult vanuit helikopterperspectief"}, []string{"Termijn:"}},
		// A deadline during the day (rotsd dev -deadline-day) says its time.
		{"stage with a deadline during the day", notify.Event{Stage: "INTAKE", Kind: "stage", Audience: escalation.Tandem,
			Deadline: escalation.Deadline{Kind: escalation.KindIntake, Due: at(2026, 12, 4, 14, 3)}},
			"actie gevraagd", []string{"Termijn: vrijdag 4 december 2026 om 14:03 (de intakebeslissing).\n"}, nil},
		{"advice for the submitter", notify.Event{Stage: "FOLLOW_UP", Kind: "stage", Audience: escalation.Submitter},
			"actie gevraagd", []string{"Het advies van het consult staat klaar in ROTS roundtable."}, []string{"Volg het advies"}},
		{"follow-up for the tandem", notify.Event{Stage: "FOLLOW_UP", Kind: "stage", Audience: escalation.Tandem},
			"actie gevraagd", []string{"Volg het advies of de afspraken op."}, nil},
		{"declined", notify.Event{Stage: "CLOSED", Kind: "declined", Audience: escalation.Submitter},
			"aanmelding niet aanvaard", []string{"De tandem heeft de aanmelding niet aanvaard."}, nil},
		{"warning", notify.Event{Stage: "NEEDS_INFO", Kind: "warning", Audience: escalation.Submitter,
			Deadline: escalation.Deadline{Kind: escalation.KindAnswer, Due: at(2027, 1, 13, 0, 0)}},
			"antwoord gevraagd, anders intrekking", []string{
				"De termijn voor het antwoord op de vraag van de tandem is verstreken.",
				"ingetrokken na dinsdag 12 januari 2027.",
			}, nil},
		{"withdrawn", notify.Event{Stage: "CLOSED", Kind: "withdrawn", Audience: escalation.Submitter},
			"dossier ingetrokken", []string{"Het dossier is ingetrokken omdat het antwoord op de vraag van de tandem uitbleef."}, nil},
		{"invitation", notify.Event{Stage: "TABLE", Kind: "invitation", Meeting: meeting},
			"uitnodiging overlegtafel", []string{"op dinsdag 12 januari 2027 om 14:00 (90 minuten), CLB Genk, zaal 2.", "in bijlage"}, nil},
		{"meeting moved", notify.Event{Stage: "TABLE", Kind: "invitation", Meeting: &moved},
			"overlegtafel verplaatst", []string{"op dinsdag 12 januari 2027 om 14:00 (90 minuten)"}, nil},
		{"rung 1", notify.Event{Stage: "INTAKE", Kind: "rung1", Deadline: escalation.Deadline{Kind: escalation.KindIntake, Rung: 1}},
			"herinnering", []string{
				"De termijn voor de intakebeslissing is verstreken (trede 1 van de escalatieladder: herinnering).",
				"Beslis over de intake",
			}, nil},
		{"rung 2", notify.Event{Stage: "CONSULT", Kind: "rung2", Deadline: escalation.Deadline{Kind: escalation.KindConsult, Rung: 2}},
			"escalatie naar de tandem", []string{"De termijn voor het consult is verstreken (trede 2 van de escalatieladder: escalatie naar de tandem)."}, nil},
		{"rung 3", notify.Event{Stage: "FOLLOW_UP", Kind: "rung3", Deadline: escalation.Deadline{Kind: escalation.KindOffer, Rung: 3}},
			"escalatie naar de regionale manager", []string{"een passend aanbod, drie maanden na de aanmelding", "(trede 3 van de escalatieladder"}, nil},
		{"rung 4", notify.Event{Stage: "TABLE", Kind: "rung4", Deadline: escalation.Deadline{Kind: escalation.KindTable, Rung: 4}},
			"doorbraak: gemarkeerd voor de signaalfunctie", []string{"De termijn voor de overlegtafel en haar uitkomst is verstreken (trede 4"}, nil},
		// A stage with nothing to do (closed) adds no instruction to the rung.
		{"rung on a closed case", notify.Event{Stage: "CLOSED", Kind: "rung1", Deadline: escalation.Deadline{Kind: escalation.KindAgreement, Rung: 1}},
			"herinnering", []string{"een afspraak van de overlegtafel is verstreken (trede 1 van de escalatieladder: herinnering).\n"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.CaseID, c.e.Reference, c.e.Region = caseID, reference, "LIMBURG"
			subject, body := notify.Compose(c.e)
			if want := "[ROTS Limburg] " + reference + ": " + c.subject; subject != want {
				t.Errorf("subject %q, want %q", subject, want)
			}
			// Every mail names the case by reference and region, and says
			// it holds no personal data.
			must := append([]string{
				"Dossier: " + reference + " (cases/" + caseID + ")\n", "Regio: Limburg\n",
				"Deze e-mail bevat bewust geen persoonsgegevens.\n",
			}, c.body...)
			for _, s := range must {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("body has %q:\n%s", s, body)
				}
			}
		})
	}
}

// A mail links to the case's page when the web application's address is
// known, and says only "open the case" without it.
func TestComposeLinksToTheCase(t *testing.T) {
	link := notify.CaseLink("https://rots.example.be/", caseID)
	if want := "https://rots.example.be/dossiers/" + caseID; link != want {
		t.Fatalf("CaseLink = %q, want %q", link, want)
	}
	if notify.CaseLink("", caseID) != "" {
		t.Error("CaseLink without a base URL is not empty")
	}
	_, body := notify.Compose(notify.Event{CaseID: caseID, Reference: reference, Region: "LIMBURG", Stage: "CONSULT", Kind: "stage", Link: link})
	if !strings.Contains(body, "Open het dossier in ROTS roundtable voor de details: "+link+"\n") {
		t.Errorf("body has no link to the case:\n%s", body)
	}
}
