package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth/devissuer"
	"github.com/rots-vlaanderen/roundtable/internal/seed/directoryseed"
	"github.com/rots-vlaanderen/roundtable/internal/testbed/browser"
)

// The table's form suggests offers of the sociale kaart with their
// reasons; the tandem takes the first into an agreement with one click,
// and the outcome records it as a directory offer used.
func TestTakeASuggestedOfferIntoAnAgreement(t *testing.T) {
	a := startApp(t)
	if _, err := directoryseed.Seed(context.Background(), a.DB); err != nil {
		t.Fatal(err)
	}
	id := a.submit(t, "Annelies Vandersmissen", "Mila")
	tandem := a.as(t, "Lotte Maes")
	a.toTable(t, tandem, "cases/"+id, &rotsv1.Participant{Kind: rotsv1.ParticipantKind_PARTICIPANT_KIND_PARTNER,
		Organisation: "VCLB Limburg", Name: "Annelies Vandersmissen", Email: "annelies.vandersmissen@vclb-limburg.be"})
	retry(t, func() error {
		_, err := rotsv1.NewConsultationServiceClient(a.Conn).ScheduleTableMeeting(tandem, &rotsv1.ScheduleTableMeetingRequest{RequestId: uuid.NewString(),
			Name: "cases/" + id, StartTime: timestamppb.New(time.Now().AddDate(0, 0, 7)), DurationMinutes: 90, Location: "CLB, zaal 1"})
		return err
	})

	tab := a.signIn(t, "Lotte Maes")
	a.visit(t, tab, "/dossiers/"+id)
	waitForStage(t, tab, "overlegtafel")
	wantText(t, tab, "Suggesties uit de sociale kaart", "Past bij thema afwezigheid/thuiszitten")
	b.CheckA11y(t, tab)

	button := `document.querySelector("form[action$='/uitkomst'] table.suggesties button[name=overnemen]")`
	label := browser.Eval[string](t, tab, button+`.getAttribute("aria-label")`)
	offer := browser.Eval[string](t, tab, button+`.value`)
	title := strings.TrimPrefix(label, "Overnemen: ")
	if !strings.HasPrefix(offer, "organisations/") || title == "" {
		t.Fatalf("the first suggestion is %q (%q), want a directory offer", label, offer)
	}
	browser.Click(t, tab, label)
	value := func(css string) string {
		return browser.Eval[string](t, tab, `document.querySelector("`+css+`").value`)
	}
	if got := value("#veld-uitkomst-agreements-0-action"); got != title {
		t.Fatalf("the agreement's action is %q, want the offer %q", got, title)
	}
	org := value("#veld-uitkomst-agreements-0-owner_organisation")
	if org == "" {
		t.Fatal("the agreement has no organisation")
	}
	browser.FillCSS(t, tab, "#veld-uitkomst-offer", "Trajectbegeleiding en een geleidelijke terugkeer.")
	browser.FillCSS(t, tab, "#veld-uitkomst-agreements-0-due_date", time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	browser.Click(t, tab, "Uitkomst vastleggen")
	waitForStage(t, tab, "opvolging")
	wantText(t, tab, title, org)

	resp, err := a.Cases.GetCase(tandem, &rotsv1.GetCaseRequest{Name: "cases/" + id})
	if err != nil {
		t.Fatal(err)
	}
	if used := resp.GetCase().GetOffersUsed(); !slices.Contains(used, offer) {
		t.Errorf("offers used = %v, want the suggested %s", used, offer)
	}

	// Closed back at school, the case is written up as a good practice;
	// the page refuses the young person's alias next to the field.
	retry(t, func() error {
		_, err := a.Cases.CloseCase(tandem, &rotsv1.CloseCaseRequest{RequestId: uuid.NewString(), Name: "cases/" + id,
			Reason: rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL})
		return err
	})
	a.visit(t, tab, "/dossiers/"+id)
	waitForStage(t, tab, "afgesloten")
	browser.ClickCSS(t, tab, `details:has(form[action$="/praktijk"]) summary`)
	browser.FillCSS(t, tab, "#veld-praktijk-practice-title", "Trajectbegeleiding als brug terug naar school")
	browser.FillCSS(t, tab, "#veld-praktijk-practice-offer", "Trajectbegeleiding met een geleidelijke terugkeer.")
	browser.FillCSS(t, tab, "#veld-praktijk-practice-agreements", "Een afspraak per partner, maandelijks opgevolgd.")
	browser.FillCSS(t, tab, "#veld-praktijk-practice-difference", "Mila koos zelf het tempo.")
	browser.Click(t, tab, "Goede praktijk ter nazicht geven")
	if msg := browser.Text(t, tab, "#veld-praktijk-practice-difference-fout"); !strings.Contains(msg, "algemene termen") {
		t.Fatalf("message next to the text that names the young person: %q", msg)
	}
	browser.FillCSS(t, tab, "#veld-praktijk-practice-difference", "De jongere koos zelf het tempo.")
	browser.Click(t, tab, "Goede praktijk ter nazicht geven")
	wantText(t, tab, "De goede praktijk is beschreven")
	a.visit(t, tab, "/praktijken")
	wantText(t, tab, "Ter nazicht in uw regio", "Trajectbegeleiding als brug terug naar school")
	b.CheckA11y(t, tab)

	// The author cannot publish it; a second coordinator of Limburg does.
	browser.Click(t, tab, "Trajectbegeleiding als brug terug naar school")
	browser.Click(t, tab, "publiceren")
	browser.Click(t, tab, "Beslissing vastleggen")
	wantText(t, tab, "een andere coördinator dan wie ze schreef")
	tok, err := a.issuer.Token(devissuer.Claims{Subject: "tandem2.limburg@rots.local", Email: "tandem2.limburg@rots.local",
		Name: "Tweede coördinator", Role: "coordinator", Region: "limburg"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	second := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
	practices := rotsv1.NewPracticeServiceClient(a.Conn)
	review, err := practices.ListPractices(second, &rotsv1.ListPracticesRequest{InReview: true, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, p := range review.GetPractices() {
		if p.GetTitle() == "Trajectbegeleiding als brug terug naar school" {
			name = p.GetName()
		}
	}
	if _, err := practices.ReviewPractice(second, &rotsv1.ReviewPracticeRequest{RequestId: uuid.NewString(), Name: name,
		Decision: rotsv1.PracticeDecision_PRACTICE_DECISION_PUBLISH}); err != nil {
		t.Fatal(err)
	}

	// The tandem of another region finds it by Dutch full text.
	other := a.signIn(t, "Tom Janssens")
	a.visit(t, other, "/praktijken")
	browser.FillCSS(t, other, "#veld-zoeken-query", "trajectbegeleidingen terugkeer")
	browser.Click(t, other, "Zoeken")
	browser.Click(t, other, "Trajectbegeleiding als brug terug naar school")
	wantText(t, other, "Wat het verschil maakte", "De jongere koos zelf het tempo.", "Limburg")
}
