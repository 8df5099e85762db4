package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// suggestion is one row of the suggestions on the consult's and the
// table's forms: a directory offer or a published practice.
type suggestion struct {
	Name     string // organisations/…/offers/… or practices/…
	Title    string
	Org      string // the organisation of an offer
	Reason   string
	Practice bool
	Link     string // the practice's page
}

// suggestionsFor reads the suggestions for the case; none when the API
// has none or cannot answer (the page works without them).
func (s *Server) suggestionsFor(ctx context.Context, caseName string) []suggestion {
	resp, err := s.practices.SuggestOffers(ctx, &rotsv1.SuggestOffersRequest{Name: caseName, PageSize: 5})
	if err != nil {
		s.log.Warn("suggestions", "code", status.Code(err).String())
		return nil
	}
	var out []suggestion
	for _, sg := range resp.GetSuggestions() {
		if o := sg.GetOffer(); o != nil {
			out = append(out, suggestion{Name: o.GetName(), Title: o.GetDisplayName(), Org: o.GetOrganisationDisplayName(), Reason: sg.GetReason()})
		} else if p := sg.GetPractice(); p != nil {
			out = append(out, suggestion{Name: p.GetName(), Title: p.GetTitle(), Reason: sg.GetReason(), Practice: true,
				Link: "/praktijken/" + url.PathEscape(strings.TrimPrefix(p.GetName(), "practices/"))})
		}
	}
	return out
}

// takeSuggestion puts the suggestion chosen on the consult's or the
// table's form into it, as the tandem would type it: an offer becomes an
// agreement with its organisation and counts as a directory offer used
// (table), or a line of the advice and an expert (consult); a practice
// adds what worked to the offer or the advice. Nothing is sent yet.
func (s *Server) takeSuggestion(ctx context.Context, f *form, caseName string) {
	chosen := f.Values.Get("overnemen")
	f.Values.Del("overnemen")
	var sg *rotsv1.Suggestion
	if resp, err := s.practices.SuggestOffers(ctx, &rotsv1.SuggestOffersRequest{Name: caseName, PageSize: 50}); err == nil {
		for _, x := range resp.GetSuggestions() {
			if x.GetOffer().GetName() == chosen || x.GetPractice().GetName() == chosen {
				sg = x
			}
		}
	}
	if sg == nil {
		return
	}
	appendText := func(field, line string) {
		if old := strings.TrimSpace(f.Values.Get(field)); old != "" {
			line = old + "\n" + line
		}
		f.Values.Set(field, line)
	}
	o, p := sg.GetOffer(), sg.GetPractice()
	switch f.Command {
	case "uitkomst":
		if p != nil {
			appendText("offer", "Zoals de goede praktijk \""+p.GetTitle()+"\": "+p.GetOffer())
			return
		}
		i := firstEmptyRow(f, "agreements", 2, "action", "owner_organisation")
		row := "agreements[" + strconv.Itoa(i) + "]."
		f.Values.Set(row+"action", o.GetDisplayName())
		f.Values.Set(row+"owner_organisation", o.GetOrganisationDisplayName())
		if !slices.Contains(f.Values["offers"], o.GetName()) {
			f.Values.Add("offers", o.GetName())
		}
	case "consult":
		if p != nil {
			appendText("advice", "Goede praktijk \""+p.GetTitle()+"\": "+p.GetOffer())
			return
		}
		appendText("advice", "Aanbod: "+o.GetDisplayName()+" ("+o.GetOrganisationDisplayName()+"). "+o.GetHowToReach())
		i := firstEmptyRow(f, "experts", 2)
		f.Values.Set("experts["+strconv.Itoa(i)+"]", o.GetName())
	}
}

// firstEmptyRow is the first row of a repeatable list whose fields are all
// empty (a list of plain values when no fields are named), or a new row.
func firstEmptyRow(f *form, prefix string, min int, fields ...string) int {
	n := f.Rows(prefix, min)
	for i := range n {
		key := prefix + "[" + strconv.Itoa(i) + "]"
		empty := true
		if len(fields) == 0 {
			empty = strings.TrimSpace(f.Values.Get(key)) == ""
		}
		for _, fl := range fields {
			empty = empty && strings.TrimSpace(f.Values.Get(key+"."+fl)) == ""
		}
		if empty {
			return i
		}
	}
	return n
}

// writePractice is the step "a good practice" of a closed case.
func writePractice(s *Server, ctx context.Context, name string, f *form) error {
	p := &rotsv1.Practice{Title: f.Get("practice.title"), Offer: f.Get("practice.offer"), Agreements: f.Get("practice.agreements"),
		Difference: f.Get("practice.difference")}
	for _, k := range f.Values["practice.organisation_kinds"] {
		p.OrganisationKinds = append(p.OrganisationKinds, enumOf[rotsv1.PartnerOrganisationKind](k))
	}
	_, err := s.practices.CreatePractice(ctx, &rotsv1.CreatePracticeRequest{RequestId: f.RequestID, Case: name, Practice: p})
	return err
}

// practiceRoutes are the library of good practices, for the tandem.
func (s *Server) practiceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /praktijken", s.signedIn(s.practiceList))
	// The search is posted, as the werkbak's.
	mux.HandleFunc("POST /praktijken", s.signedIn(s.practiceList))
	mux.HandleFunc("GET /praktijken/{id}", s.signedIn(s.practicePage))
	mux.HandleFunc("POST /praktijken/{id}/nazicht", s.signedIn(s.reviewPractice))
}

type practiceRow struct {
	P      *rotsv1.Practice
	ID     string
	Themes string
}

func practiceRows(ps []*rotsv1.Practice) []practiceRow {
	var out []practiceRow
	for _, p := range ps {
		var themes []string
		for _, t := range p.GetThemes() {
			themes = append(themes, dutch.Enum(t))
		}
		out = append(out, practiceRow{P: p, ID: strings.TrimPrefix(p.GetName(), "practices/"), Themes: strings.Join(themes, ", ")})
	}
	return out
}

type practiceListData struct {
	Found, InReview []practiceRow
	Searched        bool
}

// practiceList searches the published practices of every region, and
// lists the region's practices waiting for review.
func (s *Server) practiceList(w http.ResponseWriter, r *http.Request, v *visit) {
	if v.who.Role != auth.Coordinator {
		s.notFound(w, r, v)
		return
	}
	s.countUnread(v)
	r.ParseForm()
	f := readForm(r, "zoeken")
	req := &rotsv1.ListPracticesRequest{Query: f.Get("query"), AgeBand: enumOf[rotsv1.AgeBand](f.Get("age_band")), PageSize: 50}
	if t := f.Get("themes"); t != "" {
		req.Themes = []rotsv1.Theme{enumOf[rotsv1.Theme](t)}
	}
	d := practiceListData{Searched: r.Method == http.MethodPost}
	resp, err := s.practices.ListPractices(v.ctx, req)
	if s.readFailed(w, r, v, err) {
		return
	}
	d.Found = practiceRows(resp.GetPractices())
	if review, err := s.practices.ListPractices(v.ctx, &rotsv1.ListPracticesRequest{InReview: true, PageSize: 50}); err == nil {
		d.InReview = practiceRows(review.GetPractices())
	}
	s.render(w, r, v, http.StatusOK, "praktijken", page{Title: "Goede praktijken", Nav: "praktijken", Form: f, Data: d})
}

type practicePageData struct {
	practiceRow
	Review bool // the review's form
	F      *form
}

func (s *Server) practicePage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showPractice(w, r, v, http.StatusOK, nil, r.URL.Query().Get("gedaan"))
}

func (s *Server) showPractice(w http.ResponseWriter, r *http.Request, v *visit, code int, f *form, done string) {
	s.countUnread(v)
	resp, err := s.practices.GetPractice(v.ctx, &rotsv1.GetPracticeRequest{Name: "practices/" + r.PathValue("id")})
	if s.readFailed(w, r, v, err) {
		return
	}
	if f == nil {
		f = newForm("nazicht")
	}
	rows := practiceRows([]*rotsv1.Practice{resp.GetPractice()})
	d := practicePageData{practiceRow: rows[0], F: f,
		Review: resp.GetPractice().GetState() == rotsv1.PracticeState_PRACTICE_STATE_IN_REVIEW}
	notice := map[string]string{"nazicht": "Uw beslissing is vastgelegd."}[done]
	s.render(w, r, v, code, "praktijk", page{Title: resp.GetPractice().GetTitle(), Nav: "praktijken", Notice: notice, Form: f, Data: d})
}

// reviewPractice publishes a practice or sends it back.
func (s *Server) reviewPractice(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "nazicht")
	_, err := s.practices.ReviewPractice(v.ctx, &rotsv1.ReviewPracticeRequest{RequestId: f.RequestID, Name: "practices/" + r.PathValue("id"),
		Decision: enumOf[rotsv1.PracticeDecision](f.Get("decision")), Note: f.Get("note")})
	problem, _ := classify(err, f)
	switch problem {
	case problemNone:
		http.Redirect(w, r, "/praktijken/"+url.PathEscape(r.PathValue("id"))+"?gedaan=nazicht", http.StatusSeeOther)
	case problemFields:
		s.showPractice(w, r, v, http.StatusUnprocessableEntity, f, "")
	case problemForbidden:
		s.errorPage(w, r, v, http.StatusForbidden, "Niet toegelaten", "Een goede praktijk wordt nagekeken door een andere coördinator dan wie ze schreef.")
	default:
		s.answerProblem(w, r, v, problem)
	}
}

// GoodOutcome reports whether the tandem can write a good practice from
// the case: closed back at school or with an alternative trajectory.
func (d caseData) GoodOutcome() bool {
	r := d.C.GetClosureReason()
	return d.Coord && d.Stage == vocab.StageClosed &&
		(r == rotsv1.ClosureReason_CLOSURE_REASON_BACK_AT_SCHOOL || r == rotsv1.ClosureReason_CLOSURE_REASON_ALTERNATIVE_TRAJECTORY)
}
