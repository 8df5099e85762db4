package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/seed/directoryseed"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// retry calls f until the case's workflow takes the step: a case just
// submitted enters intake a moment later.
func retry(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if status.Code(err) != codes.FailedPrecondition || time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// toTable takes a case through intake and a consult that convenes a table,
// as the tandem, and invites the participants, if any.
func (a *app) toTable(t *testing.T, tandem context.Context, name string, participants ...*rotsv1.Participant) {
	t.Helper()
	retry(t, func() error {
		_, err := a.Cases.DecideIntake(tandem, &rotsv1.DecideIntakeRequest{RequestId: uuid.NewString(), Name: name, Decision: rotsv1.IntakeDecision_INTAKE_DECISION_ACCEPT})
		return err
	})
	retry(t, func() error {
		_, err := a.Cases.RecordConsult(tandem, &rotsv1.RecordConsultRequest{RequestId: uuid.NewString(), Name: name,
			Decision: rotsv1.ConsultDecision_CONSULT_DECISION_CONVENE_TABLE, Advice: "Een tafel met de partners.", ConsultDate: time.Now().Format("2006-01-02")})
		return err
	})
	if len(participants) > 0 {
		retry(t, func() error {
			_, err := rotsv1.NewConsultationServiceClient(a.Conn).ConveneTable(tandem, &rotsv1.ConveneTableRequest{RequestId: uuid.NewString(), Name: name, Participants: participants})
			return err
		})
	}
}

// toFollowUp plans a table's meeting and records its outcome, as the
// tandem.
func (a *app) toFollowUp(t *testing.T, tandem context.Context, name string, start time.Time, location, offer string, agreements ...*rotsv1.Agreement) {
	t.Helper()
	retry(t, func() error {
		_, err := rotsv1.NewConsultationServiceClient(a.Conn).ScheduleTableMeeting(tandem, &rotsv1.ScheduleTableMeetingRequest{RequestId: uuid.NewString(), Name: name,
			StartTime: timestamppb.New(start), DurationMinutes: 90, Location: location})
		return err
	})
	retry(t, func() error {
		_, err := a.Cases.RecordTableOutcome(tandem, &rotsv1.RecordTableOutcomeRequest{RequestId: uuid.NewString(), Name: name, Offer: offer, Agreements: agreements})
		return err
	})
}

// The tandem finds a partner in the sociale kaart from the table's form,
// invites it with one click, and the case shows who is invited.
func TestConveneWithTheDirectory(t *testing.T) {
	a := startApp(t)
	if _, err := directoryseed.Seed(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
	id := a.submit(t, "Annelies Vandersmissen", "Yara")
	a.toTable(t, a.as(t, "Lotte Maes"), "cases/"+id)

	tab := a.signIn(t, "Lotte Maes")
	a.visit(t, tab, "/dossiers/"+id)
	waitForStage(t, tab, "overlegtafel")
	browser.FillCSS(t, tab, "#zoekterm", "spijbelen")
	browser.Click(t, tab, "Zoeken")
	wantText(t, tab, "Trajectbegeleiding bij spijbelen en thuiszitten")
	b.CheckA11y(t, tab)
	browser.Click(t, tab, "Uitnodigen: CLB Kempen-Maasland")
	if got := browser.Eval[string](t, tab, `document.querySelector("#veld-tafel-participants-1-organisation").value`); got != "CLB Kempen-Maasland" {
		t.Fatalf("the organisation found is not in a new row: %q", got)
	}
	browser.FillCSS(t, tab, "#veld-tafel-participants-0-organisation", "VCLB Limburg")
	browser.FillCSS(t, tab, "#veld-tafel-participants-0-name", "Annelies Vandersmissen")
	browser.FillCSS(t, tab, "#veld-tafel-participants-0-email", "annelies.vandersmissen@vclb-limburg.be")
	browser.FillCSS(t, tab, "#veld-tafel-participants-1-name", "Jan Claes")
	browser.FillCSS(t, tab, "#veld-tafel-participants-1-email", "jan.claes@clb-kempen.be")
	browser.Click(t, tab, "Deelnemers vastleggen")
	wantText(t, tab, "De deelnemers van de overlegtafel zijn vastgelegd", "Uitgenodigd", "CLB Kempen-Maasland", "VCLB Limburg")
}

// A submitter withdraws a case only after confirming it; without the
// confirmation the form comes back with the message next to the box.
func TestWithdrawNeedsConfirmation(t *testing.T) {
	a := startApp(t)
	id := a.submit(t, "Sofie Peeters", "Ward")
	tab := a.signIn(t, "Sofie Peeters")
	a.visit(t, tab, "/dossiers/"+id)
	browser.ClickCSS(t, tab, `details:has(form[action$="/intrekken"]) summary`)
	browser.FillCSS(t, tab, "#veld-intrekken-reason", "De jongere gaat terug naar school.")
	browser.Click(t, tab, "Aanmelding intrekken")
	if msg := browser.Text(t, tab, "#veld-intrekken-bevestig-fout"); !strings.Contains(msg, "Bevestig") {
		t.Fatalf("message next to the confirmation: %q", msg)
	}
	b.CheckA11y(t, tab)
	browser.Click(t, tab, "Ja, ik trek deze aanmelding in. Dit kan niet ongedaan gemaakt worden.")
	browser.Click(t, tab, "Aanmelding intrekken")
	wantText(t, tab, "Het dossier is ingetrokken")
	waitForStage(t, tab, "afgesloten")
}
