package web

import (
	"net/http"
	"net/url"
	"sync"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// caseData is what the case page shows: the case as the API gives it to
// this person, its timeline, and the forms of the steps that fit.
type caseData struct {
	C         *rotsv1.Case
	ID        string
	Stage     string // stored, e.g. INTAKE
	StageName string
	Expected  string
	Events    []eventRow
	Deadlines []deadlineRow
	Themes    []string
	Coord     bool // the tandem's forms
	Submitter bool // the submitter's forms
	Offers    []*rotsv1.Offer
	Searched  bool
	failed    *form

	// Suggestions are the offers and practices that fit the case, on the
	// consult's and the table's forms.
	Suggestions []suggestion
}

type eventRow struct{ What, Summary, Actor, When, ISO string }

type deadlineRow struct {
	What, Due, Rung string
	Overdue         bool
}

// F is the form of a step: the one sent back with problems, or a fresh
// one with its own request ID.
func (d caseData) F(command string) *form {
	if d.failed != nil && d.failed.Command == command {
		return d.failed
	}
	return newForm(command)
}

// Failing reports whether the form of a step came back with problems.
func (d caseData) Failing(command string) bool { return d.failed != nil && d.failed.Command == command }

// Open reports whether the case is not closed.
func (d caseData) Open() bool { return d.Stage != vocab.StageClosed }

// Is reports whether the case is in one of the stages.
func (d caseData) Is(stages ...string) bool {
	for _, s := range stages {
		if d.Stage == s {
			return true
		}
	}
	return false
}

// notices say what just happened, after a step redirected back to the
// case (the address names the step, never the case's content).
var notices = map[string]string{
	"aangemeld":    "Uw aanmelding is ontvangen. De tandem beslist over de intake; u krijgt bericht.",
	"antwoord":     "Uw antwoord is verstuurd naar de tandem.",
	"intrekken":    "Het dossier is ingetrokken.",
	"toestemming":  "De intrekking van de toestemming is vastgelegd.",
	"intake":       "De intakebeslissing is vastgelegd.",
	"consult":      "Het consult is vastgelegd.",
	"tafel":        "De deelnemers van de overlegtafel zijn vastgelegd.",
	"planning":     "De overlegtafel is gepland; de uitnodigingen worden verstuurd.",
	"uitkomst":     "Het aanbod op maat en de afspraken zijn vastgelegd.",
	"aanwezigheid": "De aanwezigheid op de overlegtafel is vastgelegd.",
	"afspraak":     "De afspraak is bijgewerkt.",
	"heropenen":    "De overlegtafel komt opnieuw samen.",
	"afsluiten":    "Het dossier is afgesloten.",
	"hiaat":        "Het hiaat in het aanbod is vastgelegd.",
	"praktijk":     "De goede praktijk is beschreven. Een andere coördinator van de regio kijkt ze na voor ze zichtbaar wordt.",
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, v *visit) {
	// A partner's page of a case is the table's: the links in the mails
	// lead everyone to /dossiers/{id}.
	if v.who.Role == auth.Partner {
		http.Redirect(w, r, "/tafels/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
		return
	}
	s.showCase(w, r, v, http.StatusOK, nil, notices[r.URL.Query().Get("gedaan")], "", nil)
}

// showCase renders the case page; failed is a form that came back with
// problems, alert a problem with the step as a whole.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string, extra func(*caseData)) {
	id := r.PathValue("id")
	name := "cases/" + id
	s.countUnread(v)
	var (
		wg     sync.WaitGroup
		events *rotsv1.ListCaseEventsResponse
		evErr  error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		events, evErr = s.cases.ListCaseEvents(v.ctx, &rotsv1.ListCaseEventsRequest{Parent: name, PageSize: 200})
	}()
	resp, err := s.cases.GetCase(v.ctx, &rotsv1.GetCaseRequest{Name: name})
	wg.Wait()
	if s.readFailed(w, r, v, err) {
		return
	}
	c := resp.GetCase()
	d := caseData{C: c, ID: id, Stage: vocab.Stored(c.GetStage()), StageName: dutch.Enum(c.GetStage()),
		Expected: dutch.ExpectedFrom(vocab.Stored(c.GetStage())), failed: failed,
		Coord: v.who.Role == auth.Coordinator, Submitter: v.who.Role == auth.Submitter}
	for _, t := range c.GetThemes() {
		d.Themes = append(d.Themes, dutch.Enum(t))
	}
	for _, dl := range c.GetDeadlines() {
		due := dl.GetDueTime().AsTime()
		d.Deadlines = append(d.Deadlines, deadlineRow{What: dutch.DeadlineLabel(dl.GetKind()), Due: dutch.DueDate(due),
			Rung: rungText(dl.GetRung()), Overdue: due.Before(s.now())})
	}
	if evErr == nil {
		for _, e := range events.GetEvents() {
			t := e.GetEventTime().AsTime()
			d.Events = append(d.Events, eventRow{What: dutch.Event(e.GetKind()), Summary: e.GetSummary(), Actor: e.GetActor(),
				When: dutch.DateTime(t), ISO: t.Format(time.RFC3339)})
		}
	}
	if d.Coord && d.Is(vocab.StageConsult, vocab.StageTable) {
		d.Suggestions = s.suggestionsFor(v.ctx, name)
	}
	if extra != nil {
		extra(&d)
	}
	s.render(w, r, v, status, "dossier", page{Title: "Dossier " + c.GetReference(), Nav: "dossier", Notice: notice, Alert: alert, Form: failed, Data: d})
}

func rungText(rung int32) string {
	if rung == 0 {
		return ""
	}
	return dutch.Rung(int(rung))
}
