package web

import (
	"net/http"
	"strconv"
	"strings"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// newCaseData is the form's fixed part: for whom one submits.
type newCaseData struct {
	Region, Organisation string
	Months               []choice
}

var monthChoices = func() []choice {
	names := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	out := make([]choice, len(names))
	for i, n := range names {
		out[i] = choice{Value: strconv.Itoa(i + 1), Label: n}
	}
	return out
}()

func (s *Server) newCaseForm(w http.ResponseWriter, r *http.Request, v *visit) {
	// The API takes a case from a submitter only: no form that cannot be sent.
	if v.who.Role != auth.Submitter {
		s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "Een jongere aanmelden doen de CLB's en de jeugdhulp.")
		return
	}
	s.showNewCase(w, r, v, http.StatusOK, newForm(""), "")
}

func (s *Server) showNewCase(w http.ResponseWriter, r *http.Request, v *visit, status int, f *form, alert string) {
	s.countUnread(v)
	s.render(w, r, v, status, "nieuw", page{Title: "Nieuwe aanmelding", Nav: "nieuw", Form: f, Alert: alert,
		Data: newCaseData{Region: vocab.RegionName(v.who.Region), Organisation: v.who.Organisation, Months: monthChoices}})
}

// submitCase sends the form to SubmitCase with the form's own request ID:
// a second click or the browser's retry finds the case made by the first.
func (s *Server) submitCase(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "")
	if f.addRow() {
		s.showNewCase(w, r, v, http.StatusOK, f, "")
		return
	}
	num := func(name string) int32 {
		n, _ := f.number(name, "Vul een getal in.")
		return n
	}
	req := &rotsv1.SubmitCaseRequest{
		RequestId: f.RequestID,
		Region:    enumOf[rotsv1.Region](v.who.Region),
		SubmittingOrganisation: &rotsv1.Organisation{Name: v.who.Organisation,
			Kind: enumOf[rotsv1.OrganisationKind](f.Get("submitting_organisation.kind"))},
		Contact: &rotsv1.ContactPerson{Name: f.Get("contact.name"), Email: strings.TrimSpace(f.Get("contact.email")), Phone: f.Get("contact.phone")},
		YoungPerson: &rotsv1.YoungPerson{
			Alias: f.Get("young_person.alias"), BirthYear: num("young_person.birth_year"), BirthMonth: num("young_person.birth_month"),
			SchoolLevel: enumOf[rotsv1.SchoolLevel](f.Get("young_person.school_level")),
			Grade:       num("young_person.grade"), School: f.Get("young_person.school"), Municipality: f.Get("young_person.municipality"),
		},
		Blocked: f.Get("blocked"),
		Tried:   f.list("tried"),
		Attestation: &rotsv1.Attestation{
			ClbStuck: f.Get("attestation.clb_stuck") == "ja", YouthCareStuck: f.Get("attestation.youth_care_stuck") == "ja",
			YoungPersonAndParentsInformed: f.Get("attestation.young_person_and_parents_informed") == "ja",
		},
	}
	for _, t := range f.Values["themes"] {
		req.Themes = append(req.Themes, enumOf[rotsv1.Theme](t))
	}
	if len(f.Order) > 0 {
		s.showNewCase(w, r, v, http.StatusUnprocessableEntity, f, "")
		return
	}
	resp, err := s.cases.SubmitCase(v.ctx, req)
	problem, msg := classify(err, f)
	switch {
	case problem == problemNone:
		s.log.Info("case submitted", "case", caseID(resp.GetCase().GetName()))
		http.Redirect(w, r, "/dossiers/"+caseID(resp.GetCase().GetName())+"?gedaan=aangemeld", http.StatusSeeOther)
	case s.answerProblem(w, r, v, problem):
	default:
		s.showNewCase(w, r, v, http.StatusUnprocessableEntity, f, msg)
	}
}
