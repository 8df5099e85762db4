package web

import (
	"net/http"
	"strings"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

type messageRow struct {
	ID, Subject, Body, When, CaseID string
	Unread                          bool
}

type messagesData struct {
	Rows     []messageRow
	NextPage string
}

// messages is the inbox: the notifications for the signed-in person's
// address, newest first, each linking to its case.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, v *visit) {
	s.countUnread(v)
	resp, err := s.inbox.ListNotifications(v.ctx, &rotsv1.ListNotificationsRequest{PageSize: 25, PageToken: r.URL.Query().Get("pagina")})
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.unavailable(w, r, v)
		}
		return
	}
	d := messagesData{NextPage: resp.GetNextPageToken()}
	for _, n := range resp.GetNotifications() {
		d.Rows = append(d.Rows, messageRow{
			ID: strings.TrimPrefix(n.GetName(), "notifications/"), Subject: n.GetSubject(), Body: n.GetBody(),
			When: onTime(n.GetCreateTime(), dateTime), CaseID: caseID(n.GetCase()), Unread: n.GetReadTime() == nil,
		})
	}
	s.render(w, r, v, http.StatusOK, "berichten", page{Title: "Berichten", Nav: "berichten", Data: d})
}

// markRead marks a message read and opens its case, or goes back to the
// inbox.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "gelezen")
	resp, err := s.inbox.MarkNotificationRead(v.ctx, &rotsv1.MarkNotificationReadRequest{RequestId: f.RequestID, Name: "notifications/" + r.PathValue("id")})
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.notFound(w, r, v)
		}
		return
	}
	if r.PostForm.Get("open") == "dossier" {
		http.Redirect(w, r, "/dossiers/"+caseID(resp.GetNotification().GetCase()), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/berichten", http.StatusSeeOther)
}
