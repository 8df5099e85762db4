package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The partner's pages: the tables their organisation is invited to, and
// for each the meeting, the offer and the agreements their organisation
// owns, which they bring up to date. The API decides what they see: the
// cases it lists for them and the need-to-know view of each.
func (s *Server) partnerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /tafels", s.signedIn(s.myTables))
	mux.HandleFunc("GET /tafels/{id}", s.signedIn(s.tablePage))
	mux.HandleFunc("GET /tafels/{id}/uitnodiging.ics", s.signedIn(s.tableInvitation))
	mux.HandleFunc("POST /tafels/{id}/afspraken/{index}", s.signedIn(s.updateOwnAgreement))
}

type tableRow struct {
	ID, Reference, Alias, School, Stage, Meeting, MeetingISO string
}

type tablesData struct {
	Rows     []tableRow
	NextPage string
}

// myTables lists the cases whose table the partner's organisation is
// invited to; the API narrows the listing to those.
func (s *Server) myTables(w http.ResponseWriter, r *http.Request, v *visit) {
	s.countUnread(v)
	resp, err := s.cases.ListCases(v.ctx, &rotsv1.ListCasesRequest{PageSize: 25, PageToken: r.URL.Query().Get("pagina")})
	if problem, msg := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.render(w, r, v, http.StatusForbidden, "tafels", page{Title: "Mijn overlegtafels", Nav: "tafels", Alert: msg, Data: tablesData{}})
		}
		return
	}
	d := tablesData{NextPage: resp.GetNextPageToken()}
	for _, c := range resp.GetCases() {
		row := tableRow{ID: caseID(c.GetName()), Reference: c.GetReference(), Alias: c.GetYoungPerson().GetAlias(),
			School: c.GetYoungPerson().GetSchool(), Stage: dutch.Enum(c.GetStage())}
		if m := c.GetMeetingTime(); m != nil {
			row.Meeting, row.MeetingISO = onTime(m, dateTime), m.AsTime().Format(time.RFC3339)
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, v, http.StatusOK, "tafels", page{Title: "Mijn overlegtafels", Nav: "tafels", Data: d})
}

// agreementRow is an agreement with its place in the case's list, which
// UpdateAgreement names.
type agreementRow struct {
	Index  int
	A      *rotsv1.Agreement
	Status string // stored, e.g. IN_PROGRESS, as the form sends it
	Due    string // the due date in words
}

type tableData struct {
	C          *rotsv1.Case
	ID         string
	StageName  string
	Themes     []string
	Own        []agreementRow // the agreements the partner's organisation owns
	Others     []agreementRow
	FollowUp   bool // agreements can be brought up to date
	Invitation bool // the meeting's invitation is in the partner's inbox
	MeetingISO string
	failed     *form
}

// F is the form of agreement i: the one sent back with problems, or a
// fresh one.
func (d tableData) F(i int) *form {
	cmd := "afspraak-" + strconv.Itoa(i)
	if d.failed != nil && d.failed.Command == cmd {
		return d.failed
	}
	return newForm(cmd)
}

func (s *Server) tablePage(w http.ResponseWriter, r *http.Request, v *visit) {
	notice := ""
	if r.URL.Query().Get("gedaan") == "afspraak" {
		notice = notices["afspraak"]
	}
	s.showTable(w, r, v, http.StatusOK, nil, notice, "")
}

// showTable renders the partner's page of one table. A case the partner
// may not see, or no longer since the consent was withdrawn, is not found.
func (s *Server) showTable(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string) {
	id := r.PathValue("id")
	name := "cases/" + id
	s.countUnread(v)
	var (
		wg         sync.WaitGroup
		invitation string
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		invitation = s.invitation(v, name)
	}()
	resp, err := s.cases.GetCase(v.ctx, &rotsv1.GetCaseRequest{Name: name})
	wg.Wait()
	if s.readFailed(w, r, v, err) {
		return
	}
	c := resp.GetCase()
	d := tableData{C: c, ID: id, StageName: dutch.Enum(c.GetStage()), FollowUp: vocab.Stored(c.GetStage()) == vocab.StageFollowUp,
		Invitation: invitation != "", failed: failed}
	if m := c.GetMeetingTime(); m != nil {
		d.MeetingISO = m.AsTime().Format(time.RFC3339)
	}
	for _, t := range c.GetThemes() {
		d.Themes = append(d.Themes, dutch.Enum(t))
	}
	for i, a := range c.GetAgreements() {
		row := agreementRow{Index: i, A: a, Status: storedName(a.GetStatus()), Due: a.GetDueDate()}
		if due, err := time.ParseInLocation("2006-01-02", a.GetDueDate(), calendar.Brussels); err == nil {
			row.Due = dutch.Date(due)
		}
		if a.GetOwnerOrganisation() == v.who.Organisation {
			d.Own = append(d.Own, row)
		} else {
			d.Others = append(d.Others, row)
		}
	}
	s.render(w, r, v, status, "tafel", page{Title: "Overlegtafel " + c.GetReference(), Nav: "tafels", Notice: notice, Alert: alert, Form: failed, Data: d})
}

// invitation is the newest calendar invitation to the case's table in the
// signed-in person's inbox, or "".
func (s *Server) invitation(v *visit, caseName string) string {
	resp, err := s.inbox.ListNotifications(v.ctx, &rotsv1.ListNotificationsRequest{PageSize: 100})
	if err != nil {
		return ""
	}
	for _, n := range resp.GetNotifications() { // newest first
		if n.GetCase() == caseName && n.GetInvitation() != "" {
			return n.GetInvitation()
		}
	}
	return ""
}

// tableInvitation downloads the meeting's invitation, to add it to a
// calendar. The case is read first, so that the door closes with it.
func (s *Server) tableInvitation(w http.ResponseWriter, r *http.Request, v *visit) {
	name := "cases/" + r.PathValue("id")
	_, err := s.cases.GetCase(v.ctx, &rotsv1.GetCaseRequest{Name: name})
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.notFound(w, r, v)
		}
		return
	}
	ics := s.invitation(v, name)
	if ics == "" {
		s.notFound(w, r, v)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=REQUEST")
	w.Header().Set("Content-Disposition", `attachment; filename="overlegtafel.ics"`)
	w.Write([]byte(ics))
}

// updateOwnAgreement brings one agreement up to date; the API lets a
// partner change only those of their own organisation.
func (s *Server) updateOwnAgreement(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	index, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || index < 0 {
		s.notFound(w, r, v)
		return
	}
	f := readForm(r, "afspraak-"+strconv.Itoa(index))
	_, err = s.tables.UpdateAgreement(v.ctx, &rotsv1.UpdateAgreementRequest{RequestId: f.RequestID, Name: "cases/" + r.PathValue("id"),
		Index: int32(index), Status: enumOf[rotsv1.AgreementStatus](f.Get("status")), BlockedReason: f.Get("blocked_reason")})
	problem, msg := classify(err, f)
	switch problem {
	case problemNone:
		s.log.Info("agreement updated", "case", r.PathValue("id"))
		http.Redirect(w, r, "/tafels/"+r.PathValue("id")+"?gedaan=afspraak", http.StatusSeeOther)
	case problemFields:
		s.showTable(w, r, v, http.StatusUnprocessableEntity, f, "", msg)
	case problemStage:
		s.showTable(w, r, v, http.StatusConflict, nil, "", msg)
	case problemForbidden:
		s.showTable(w, r, v, http.StatusForbidden, nil, "", "Deze afspraak hoort bij een andere organisatie; u kunt ze niet bijwerken.")
	default:
		s.answerProblem(w, r, v, problem)
	}
}
