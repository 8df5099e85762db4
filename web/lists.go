package web

import (
	"net/http"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// caseRow is one case in a list: what it is, where it stands, who must act
// by when.
type caseRow struct {
	ID, Reference, Alias, Stage, Expected, Organisation string
	Due                                                 string // the next deadline, in words
	DueISO                                              string
	Overdue, Breakthrough                               bool
	Rung                                                int32
}

func (s *Server) row(c *rotsv1.Case) caseRow {
	r := caseRow{
		ID: caseID(c.GetName()), Reference: c.GetReference(), Alias: c.GetYoungPerson().GetAlias(),
		Stage: dutch.Enum(c.GetStage()), Expected: dutch.ExpectedFrom(vocab.Stored(c.GetStage())),
		Organisation: c.GetSubmittingOrganisation().GetName(), Rung: c.GetRung(), Breakthrough: c.GetBreakthrough(),
		Overdue: c.GetRung() > 0,
	}
	var next time.Time
	for _, d := range c.GetDeadlines() {
		if t := d.GetDueTime().AsTime(); next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if !next.IsZero() {
		r.Due, r.DueISO = dutch.DueDate(next), next.Format(time.RFC3339)
		r.Overdue = r.Overdue || next.Before(s.now())
	}
	return r
}

type listData struct {
	Rows      []caseRow
	NextPage  string
	Filters   listFilters
	Stages    []choice
	Searching bool
}

type listFilters struct {
	Stage, Organisation, Query, PageToken string
	Overdue                               bool
}

// myCases is the submitter's list: their organisation's cases, newest
// first, as the API scopes them.
func (s *Server) myCases(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	req := &rotsv1.ListCasesRequest{PageSize: 25, PageToken: r.Form.Get("pagina")}
	s.list(w, r, v, "aanmeldingen", "Mijn aanmeldingen", req, listFilters{PageToken: req.PageToken})
}

// workQueue is the tandem's werkbak: the region's open cases, most urgent
// first, with filters. The search is posted, not put in the address: it
// may be a young person's alias.
func (s *Server) workQueue(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := listFilters{Stage: r.Form.Get("fase"), Organisation: r.Form.Get("organisatie"), Query: r.PostForm.Get("zoek"),
		Overdue: r.Form.Get("achterstallig") == "ja", PageToken: r.Form.Get("pagina")}
	req := &rotsv1.ListCasesRequest{
		PageSize: 25, PageToken: f.PageToken, OrderBy: "urgency", OpenOnly: true, Query: f.Query,
		Stage:                  enumOf[rotsv1.Stage](f.Stage),
		SubmittingOrganisation: f.Organisation, OverdueOnly: f.Overdue,
	}
	s.list(w, r, v, "werkbak", "Werkbak", req, f)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, v *visit, name, title string, req *rotsv1.ListCasesRequest, f listFilters) {
	s.countUnread(v)
	resp, err := s.cases.ListCases(v.ctx, req)
	p := page{Title: title, Nav: name}
	if problem, msg := classify(err, nil); problem != problemNone {
		if problem == problemForbidden {
			s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "Deze lijst van dossiers is er niet voor uw rol.")
			return
		}
		if !s.answerProblem(w, r, v, problem) {
			p.Alert = msg
			if msg == "" {
				p.Alert = "Deze zoekopdracht kan niet: kijk de filters na."
			}
			p.Data = listData{Filters: f} // the page's template needs it
			s.render(w, r, v, http.StatusBadRequest, name, p)
		}
		return
	}
	d := listData{NextPage: resp.GetNextPageToken(), Filters: f, Searching: f.Query != ""}
	for _, c := range resp.GetCases() {
		d.Rows = append(d.Rows, s.row(c))
	}
	for _, c := range dutch.EnumValues(rotsv1.Stage(0).Descriptor()) {
		if c.Stored != vocab.StageClosed {
			d.Stages = append(d.Stages, choice{Value: c.Stored, Label: c.Dutch, Checked: c.Stored == f.Stage})
		}
	}
	p.Data = d
	s.render(w, r, v, http.StatusOK, name, p)
}

// countUnread counts, beside the page's own call, the unread messages for
// the header; render waits for it. The page does not fail for it.
func (s *Server) countUnread(v *visit) {
	done := make(chan struct{})
	v.unreadDone = done
	go func() {
		defer close(done)
		resp, err := s.inbox.ListNotifications(v.ctx, &rotsv1.ListNotificationsRequest{UnreadOnly: true, PageSize: 100})
		if err == nil {
			v.unread = len(resp.GetNotifications())
		}
	}()
}

// answerProblem answers the errors every page answers alike; it reports
// false for those the page itself shows (fields, stage, forbidden).
func (s *Server) answerProblem(w http.ResponseWriter, r *http.Request, v *visit, p apiProblem) bool {
	switch p {
	case problemNotFound:
		s.notFound(w, r, v)
	case problemSignIn:
		s.expired(w, r, v.secret)
	case problemUnavailable:
		s.unavailable(w, r, v)
	default:
		return false
	}
	return true
}

// readFailed answers an API error of a page's read; a resource one may
// not see is "Niet gevonden", as one that does not exist.
func (s *Server) readFailed(w http.ResponseWriter, r *http.Request, v *visit, err error) bool {
	problem, _ := classify(err, nil)
	switch problem {
	case problemNone:
		return false
	case problemForbidden, problemFields:
		problem = problemNotFound
	}
	if !s.answerProblem(w, r, v, problem) {
		s.unavailable(w, r, v)
	}
	return true
}
