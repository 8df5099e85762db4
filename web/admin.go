package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The functional administrator's pages: each region's escalation policy
// (/beleid) and the partner directory, the sociale kaart (/sociale-kaart).
// Others who may read a policy or the directory see the same pages
// without the forms; the API decides either way.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /beleid", s.signedIn(s.policies))
	mux.HandleFunc("GET /beleid/{regio}", s.signedIn(s.policyPage))
	mux.HandleFunc("POST /beleid/{regio}", s.signedIn(s.savePolicy))
	mux.HandleFunc("GET /sociale-kaart", s.signedIn(s.directoryPage))
	mux.HandleFunc("GET /sociale-kaart/nieuw", s.signedIn(s.newOrganisation))
	mux.HandleFunc("POST /sociale-kaart/nieuw", s.signedIn(s.createOrganisation))
	mux.HandleFunc("GET /sociale-kaart/{org}", s.signedIn(s.organisationPage))
	mux.HandleFunc("POST /sociale-kaart/{org}/{command}", s.signedIn(s.organisationCommand))
	mux.HandleFunc("GET /sociale-kaart/{org}/aanbod/nieuw", s.signedIn(s.newOffer))
	mux.HandleFunc("POST /sociale-kaart/{org}/aanbod/nieuw", s.signedIn(s.createOffer))
	mux.HandleFunc("GET /sociale-kaart/{org}/aanbod/{offer}", s.signedIn(s.offerPage))
	mux.HandleFunc("POST /sociale-kaart/{org}/aanbod/{offer}/{command}", s.signedIn(s.offerCommand))
}

// adminNotices say what a form of these pages just did (?gedaan=…).
var adminNotices = map[string]string{
	"opgeslagen":       "Het beleid is opgeslagen. Het geldt voor de termijnen die vanaf nu ingaan; termijnen die al lopen, behouden hun datum.",
	"toegevoegd":       "De organisatie staat in de sociale kaart.",
	"wijzigen":         "De wijzigingen aan de organisatie zijn opgeslagen.",
	"deactiveren":      "De organisatie is gedeactiveerd: zij en haar aanbod staan niet meer in de lijsten en zoekresultaten van de sociale kaart. Niets is verwijderd.",
	"activeren":        "De organisatie is weer actief: zij en haar actieve aanbod staan opnieuw in de lijsten en zoekresultaten.",
	"aanbod-erbij":     "Het aanbod staat in de sociale kaart.",
	"aanbod-weg":       "Het aanbod is gedeactiveerd: het staat niet meer in de zoekresultaten. Niets is verwijderd.",
	"aanbod-terug":     "Het aanbod is weer actief.",
	"aanbod-gewijzigd": "De wijzigingen aan het aanbod zijn opgeslagen.",
}

func adminNotice(r *http.Request) string { return adminNotices[r.URL.Query().Get("gedaan")] }

// afterPost answers a changing form of these pages: after success a
// redirect, so that a reload sends nothing again; with problems the page
// again through show, with the form as typed or with an alert.
func (s *Server) afterPost(w http.ResponseWriter, r *http.Request, v *visit, err error, f *form, done string,
	show func(status int, f *form, alert string)) {
	if err == nil && len(f.Order) > 0 {
		show(http.StatusUnprocessableEntity, f, "")
		return
	}
	problem, msg := classify(err, f)
	switch problem {
	case problemNone:
		s.log.Info("admin change", "route", routeOf(r))
		http.Redirect(w, r, done, http.StatusSeeOther)
	case problemFields:
		show(http.StatusUnprocessableEntity, f, msg)
	case problemForbidden:
		show(http.StatusForbidden, nil, "U mag dit niet wijzigen: dat doet de functioneel beheerder.")
	case problemStage:
		show(http.StatusConflict, nil, "Dit is intussen gewijzigd; de pagina toont de actuele stand.")
	default:
		s.answerProblem(w, r, v, problem)
	}
}

// wholeNumber reads a whole number the API needs; an empty field is
// refused as one that holds no number.
func wholeNumber(f *form, field string) int32 {
	message := dutch.Field(field) + ": vul een getal in, bijvoorbeeld 5"
	n, given := f.number(field, message)
	if !given {
		f.fail(field, message)
	}
	return n
}

// optionalNumber is wholeNumber for a field that may stay empty (unknown).
func optionalNumber(f *form, field string) *int32 {
	n, given := f.number(field, dutch.Field(field)+": vul een getal in, bijvoorbeeld 5")
	if !given {
		return nil
	}
	return &n
}

// formRecords reads a repeatable group of fields (contacts[0].email, …)
// without its empty rows, renumbered as form.list does, so that the API's
// violation of contacts[1] lands on the second row shown.
func formRecords(f *form, prefix string, fields ...string) []map[string]string {
	var out []map[string]string
	for i := range f.Rows(prefix, 0) {
		row, empty := map[string]string{}, true
		for _, fl := range fields {
			key := fmt.Sprintf("%s[%d].%s", prefix, i, fl)
			row[fl] = strings.TrimSpace(f.Get(key))
			empty = empty && row[fl] == ""
			f.Values.Del(key)
		}
		if !empty {
			out = append(out, row)
		}
	}
	for i, row := range out {
		for fl, val := range row {
			f.Values.Set(fmt.Sprintf("%s[%d].%s", prefix, i, fl), val)
		}
	}
	return out
}

func enumList[E protoreflect.Enum](es []E) string {
	var out []string
	for _, e := range es {
		out = append(out, dutch.Enum(e))
	}
	return strings.Join(out, ", ")
}

// --- The regions' escalation policies ---

// policyNumbers are the policy's numbers, by their API field names.
var policyNumbers = []protoreflect.Name{"intake_days", "answer_days", "auto_withdraw_days", "consult_days", "table_date_days",
	"table_outcome_days", "agreement_grace_days", "review_days", "rung_interval_days", "offer_months", "retention_months"}

func policyResource(region string) string {
	return "regions/" + vocab.RegionSlug(region) + "/escalationPolicy"
}

type policyRow struct {
	Name, Slug, Changed string
	Intake              int32
	Hidden              bool // the API does not show it to this person
}

type policyData struct {
	Region, Slug, Changed string
	P                     *rotsv1.EscalationPolicy
	Admin                 bool
}

// policies lists the six regions, each with its policy's last change.
func (s *Server) policies(w http.ResponseWriter, r *http.Request, v *visit) {
	s.countUnread(v)
	var rows []policyRow
	for _, region := range vocab.Regions {
		row := policyRow{Name: vocab.RegionName(region), Slug: vocab.RegionSlug(region)}
		resp, err := s.admin.GetEscalationPolicy(v.ctx, &rotsv1.GetEscalationPolicyRequest{Name: policyResource(region)})
		switch problem, _ := classify(err, nil); problem {
		case problemNone:
			row.Changed, row.Intake = onTime(resp.GetPolicy().GetUpdateTime(), dutch.Date), resp.GetPolicy().GetIntakeDays()
		case problemSignIn, problemUnavailable:
			s.answerProblem(w, r, v, problem)
			return
		default:
			row.Hidden = true // another region's, for a tandem or a manager
		}
		rows = append(rows, row)
	}
	// Not one region's policy: an empty list is no answer.
	if !slices.ContainsFunc(rows, func(r policyRow) bool { return !r.Hidden }) {
		s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "De termijnen per regio zijn voor de functioneel beheerder, de tandems en de managers.")
		return
	}
	s.render(w, r, v, http.StatusOK, "beleid", page{Title: "Termijnen per regio", Nav: "beleid", Data: rows})
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showPolicy(w, r, v, http.StatusOK, nil, adminNotice(r), "")
}

// showPolicy renders a region's policy as the API has it now, with the
// form as typed when it came back.
func (s *Server) showPolicy(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string) {
	region := vocab.RegionFromSlug(r.PathValue("regio"))
	if region == "" {
		s.notFound(w, r, v)
		return
	}
	s.countUnread(v)
	resp, err := s.admin.GetEscalationPolicy(v.ctx, &rotsv1.GetEscalationPolicyRequest{Name: policyResource(region)})
	if s.readFailed(w, r, v, err) {
		return
	}
	p := resp.GetPolicy()
	f := failed
	if f == nil {
		f = newForm("")
		f.Values = policyValues(p)
	}
	d := policyData{Region: vocab.RegionName(region), Slug: vocab.RegionSlug(region), P: p,
		Changed: onTime(p.GetUpdateTime(), dutch.DateTime), Admin: v.who.Role == auth.Admin}
	s.render(w, r, v, status, "beleid_regio", page{Title: "Termijnen van " + d.Region, Nav: "beleid",
		Notice: notice, Alert: alert, Form: f, Data: d})
}

// savePolicy sends the whole policy, as UpdateEscalationPolicy takes it
// (it has no field mask); the form's request ID makes a retry one change.
func (s *Server) savePolicy(w http.ResponseWriter, r *http.Request, v *visit) {
	region := vocab.RegionFromSlug(r.PathValue("regio"))
	if region == "" {
		s.notFound(w, r, v)
		return
	}
	r.ParseForm()
	f := readForm(r, "")
	show := func(status int, f *form, alert string) { s.showPolicy(w, r, v, status, f, "", alert) }
	if f.addRow() {
		show(http.StatusOK, f, "")
		return
	}
	p := &rotsv1.EscalationPolicy{Name: policyResource(region), SkipSchoolHolidays: f.Get("policy.skip_school_holidays") == "ja",
		TandemEmails: f.list("policy.tandem_emails"), ManagerEmails: f.list("policy.manager_emails")}
	m := p.ProtoReflect()
	for _, n := range policyNumbers {
		m.Set(m.Descriptor().Fields().ByName(n), protoreflect.ValueOfInt32(wholeNumber(f, "policy."+string(n))))
	}
	var err error
	if len(f.Order) == 0 {
		_, err = s.admin.UpdateEscalationPolicy(v.ctx, &rotsv1.UpdateEscalationPolicyRequest{RequestId: f.RequestID, Policy: p})
	}
	s.afterPost(w, r, v, err, f, "/beleid/"+vocab.RegionSlug(region)+"?gedaan=opgeslagen", show)
}

// policyValues is the form filled in with a policy.
func policyValues(p *rotsv1.EscalationPolicy) map[string][]string {
	vals := map[string][]string{}
	m := p.ProtoReflect()
	for _, n := range policyNumbers {
		vals["policy."+string(n)] = []string{strconv.FormatInt(m.Get(m.Descriptor().Fields().ByName(n)).Int(), 10)}
	}
	if p.GetSkipSchoolHolidays() {
		vals["policy.skip_school_holidays"] = []string{"ja"}
	}
	for i, e := range p.GetTandemEmails() {
		vals[fmt.Sprintf("policy.tandem_emails[%d]", i)] = []string{e}
	}
	for i, e := range p.GetManagerEmails() {
		vals[fmt.Sprintf("policy.manager_emails[%d]", i)] = []string{e}
	}
	return vals
}

// --- The sociale kaart ---

type orgRow struct {
	ID, Name, Kind, Regions string
	Active                  bool
}

type offerRow struct {
	ID, OrgID, Name, Org, Themes, AgeBand, Waiting string
	Active, OrgActive                              bool
}

func toOrgRow(o *rotsv1.PartnerOrganisation) orgRow {
	return orgRow{ID: strings.TrimPrefix(o.GetName(), "organisations/"), Name: o.GetDisplayName(), Kind: dutch.Enum(o.GetKind()),
		Regions: enumList(o.GetRegions()), Active: o.GetActive()}
}

func toOfferRow(f *rotsv1.Offer) offerRow {
	org, id, _ := strings.Cut(strings.TrimPrefix(f.GetName(), "organisations/"), "/offers/")
	row := offerRow{ID: id, OrgID: org, Name: f.GetDisplayName(), Org: f.GetOrganisationDisplayName(),
		Themes: enumList(f.GetThemes()), AgeBand: dutch.Enum(f.GetAgeBand()), Active: f.GetActive(), OrgActive: f.GetOrganisationActive()}
	switch {
	case f.WaitingWeeks == nil:
		row.Waiting = "onbekend"
	case f.GetWaitingWeeks() == 0:
		row.Waiting = "geen wachtlijst"
	case f.GetWaitingWeeks() == 1:
		row.Waiting = "1 week"
	default:
		row.Waiting = fmt.Sprintf("%d weken", f.GetWaitingWeeks())
	}
	return row
}

type directoryData struct {
	Query, Region, Theme string
	Inactive, Admin      bool
	Regions, Themes      []choice
	Offers               []offerRow
	Orgs                 []orgRow
	NextOffers, NextOrgs string // the addresses of the next pages
}

// directoryPage is the sociale kaart: the offers found by a Dutch
// full-text search on their name and description, and the organisations,
// both filtered on region and, for the offers, theme. The address holds
// only these filters: nothing about a person.
func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	d := directoryData{Query: strings.TrimSpace(q.Get("zoek")), Region: q.Get("regio"), Theme: q.Get("thema"),
		Inactive: q.Get("inactief") == "ja", Admin: v.who.Role == auth.Admin}
	region := enumOf[rotsv1.Region](d.Region)
	search := &rotsv1.SearchOffersRequest{Query: d.Query, Region: region, ShowInactive: d.Inactive, PageSize: 25, PageToken: q.Get("aanbod-pagina")}
	if d.Theme != "" {
		search.Themes = []rotsv1.Theme{enumOf[rotsv1.Theme](d.Theme)}
	}
	s.countUnread(v)
	p := page{Title: "Sociale kaart", Nav: "sociale-kaart"}
	offers, err := s.directory.SearchOffers(v.ctx, search)
	var orgs *rotsv1.ListOrganisationsResponse
	if err == nil {
		orgs, err = s.directory.ListOrganisations(v.ctx, &rotsv1.ListOrganisationsRequest{Region: region, ShowInactive: d.Inactive,
			PageSize: 50, PageToken: q.Get("org-pagina")})
	}
	for _, c := range dutch.EnumValues(rotsv1.Region(0).Descriptor()) {
		d.Regions = append(d.Regions, choice{Value: c.Stored, Label: c.Dutch, Checked: c.Stored == d.Region})
	}
	for _, c := range dutch.EnumValues(rotsv1.Theme(0).Descriptor()) {
		d.Themes = append(d.Themes, choice{Value: c.Stored, Label: c.Dutch, Checked: c.Stored == d.Theme})
	}
	if problem, _ := classify(err, nil); problem != problemNone {
		if problem == problemForbidden {
			s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "De sociale kaart is voor de tandems, de partners, de managers en de functioneel beheerder.")
		} else if !s.answerProblem(w, r, v, problem) {
			p.Alert, p.Data = "Deze zoekopdracht kan niet: kijk de zoekterm en de filters na.", d
			s.render(w, r, v, http.StatusBadRequest, "sociale_kaart", p)
		}
		return
	}
	for _, f := range offers.GetOffers() {
		d.Offers = append(d.Offers, toOfferRow(f))
	}
	for _, o := range orgs.GetOrganisations() {
		d.Orgs = append(d.Orgs, toOrgRow(o))
	}
	filters := []string{"zoek", d.Query, "regio", d.Region, "thema", d.Theme}
	if d.Inactive {
		filters = append(filters, "inactief", "ja")
	}
	if t := offers.GetNextPageToken(); t != "" {
		d.NextOffers = "/sociale-kaart?" + urlValues(append(filters, "aanbod-pagina", t)...)
	}
	if t := orgs.GetNextPageToken(); t != "" {
		d.NextOrgs = "/sociale-kaart?" + urlValues(append(filters, "org-pagina", t)...)
	}
	p.Data = d
	s.render(w, r, v, http.StatusOK, "sociale_kaart", p)
}

// orgData is an organisation's page, or the form for a new one (O nil).
type orgData struct {
	O                          *rotsv1.PartnerOrganisation
	Row                        orgRow
	Offers                     []offerRow
	Admin                      bool
	Edit, Deactivate, Activate *form
}

func orgResource(r *http.Request) string { return "organisations/" + r.PathValue("org") }

func (s *Server) newOrganisation(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showNewOrganisation(w, r, v, http.StatusOK, newForm(""), "")
}

func (s *Server) showNewOrganisation(w http.ResponseWriter, r *http.Request, v *visit, status int, f *form, alert string) {
	if f == nil {
		f = newForm("")
	}
	s.countUnread(v)
	s.render(w, r, v, status, "organisatie", page{Title: "Nieuwe organisatie", Nav: "sociale-kaart", Alert: alert, Form: f,
		Data: orgData{Admin: v.who.Role == auth.Admin, Edit: f}})
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "")
	show := func(status int, failed *form, alert string) { s.showNewOrganisation(w, r, v, status, failed, alert) }
	if f.addRow() {
		show(http.StatusOK, f, "")
		return
	}
	resp, err := s.directory.CreateOrganisation(v.ctx, &rotsv1.CreateOrganisationRequest{RequestId: f.RequestID, Organisation: orgFromForm(f)})
	s.afterPost(w, r, v, err, f, "/sociale-kaart/"+strings.TrimPrefix(resp.GetOrganisation().GetName(), "organisations/")+"?gedaan=toegevoegd", show)
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showOrganisation(w, r, v, http.StatusOK, nil, adminNotice(r), "")
}

// showOrganisation renders an organisation with its offers, active or
// not, and the administrator's forms; failed is the one that came back.
func (s *Server) showOrganisation(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string) {
	s.countUnread(v)
	resp, err := s.directory.GetOrganisation(v.ctx, &rotsv1.GetOrganisationRequest{Name: orgResource(r)})
	if s.readFailed(w, r, v, err) {
		return
	}
	offers, err := s.directory.SearchOffers(v.ctx, &rotsv1.SearchOffersRequest{Parent: orgResource(r), ShowInactive: true, PageSize: 100})
	if s.readFailed(w, r, v, err) {
		return
	}
	o := resp.GetOrganisation()
	d := orgData{O: o, Row: toOrgRow(o), Admin: v.who.Role == auth.Admin,
		Edit: newForm(""), Deactivate: newForm("deactiveren"), Activate: newForm("activeren")}
	d.Edit.Values = orgValues(o)
	for _, f := range offers.GetOffers() {
		d.Offers = append(d.Offers, toOfferRow(f))
	}
	switch {
	case failed == nil:
	case failed.Command == "deactiveren":
		d.Deactivate = failed
	default:
		d.Edit = failed
	}
	s.render(w, r, v, status, "organisatie", page{Title: o.GetDisplayName(), Nav: "sociale-kaart",
		Notice: notice, Alert: alert, Form: failed, Data: d})
}

// organisationCommand runs a form of an organisation's page: wijzigen,
// deactiveren (after a confirmation) or activeren.
func (s *Server) organisationCommand(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	cmd := r.PathValue("command")
	f := readForm(r, cmd)
	var err error
	switch cmd {
	case "wijzigen":
		f.Command = "" // the same fields as a new organisation's form
		if f.addRow() {
			s.showOrganisation(w, r, v, http.StatusOK, f, "", "")
			return
		}
		o := orgFromForm(f)
		o.Name = orgResource(r)
		_, err = s.directory.UpdateOrganisation(v.ctx, &rotsv1.UpdateOrganisationRequest{RequestId: f.RequestID, Organisation: o,
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name", "kind", "regions", "contacts"}}})
	case "deactiveren":
		if confirmed(f, "Bevestig dat u deze organisatie wilt deactiveren.") {
			_, err = s.directory.DeactivateOrganisation(v.ctx, &rotsv1.DeactivateOrganisationRequest{RequestId: f.RequestID, Name: orgResource(r)})
		}
	case "activeren":
		_, err = s.directory.UpdateOrganisation(v.ctx, &rotsv1.UpdateOrganisationRequest{RequestId: f.RequestID,
			Organisation: &rotsv1.PartnerOrganisation{Name: orgResource(r), Active: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"active"}}})
	default:
		s.notFound(w, r, v)
		return
	}
	s.afterPost(w, r, v, err, f, "/sociale-kaart/"+r.PathValue("org")+"?gedaan="+cmd,
		func(status int, failed *form, alert string) { s.showOrganisation(w, r, v, status, failed, "", alert) })
}

func orgFromForm(f *form) *rotsv1.PartnerOrganisation {
	o := &rotsv1.PartnerOrganisation{DisplayName: f.Get("organisation.display_name"),
		Kind: enumOf[rotsv1.PartnerOrganisationKind](f.Get("organisation.kind"))}
	for _, r := range f.Values["organisation.regions"] {
		o.Regions = append(o.Regions, enumOf[rotsv1.Region](r))
	}
	for _, c := range formRecords(f, "organisation.contacts", "display_name", "role", "email") {
		o.Contacts = append(o.Contacts, &rotsv1.PartnerContact{DisplayName: c["display_name"], Role: c["role"], Email: c["email"]})
	}
	return o
}

func orgValues(o *rotsv1.PartnerOrganisation) map[string][]string {
	vals := map[string][]string{
		"organisation.display_name": {o.GetDisplayName()},
		"organisation.kind":         {storedName(o.GetKind())},
	}
	for _, r := range o.GetRegions() {
		vals["organisation.regions"] = append(vals["organisation.regions"], storedName(r))
	}
	for i, c := range o.GetContacts() {
		p := fmt.Sprintf("organisation.contacts[%d].", i)
		vals[p+"display_name"], vals[p+"role"], vals[p+"email"] = []string{c.GetDisplayName()}, []string{c.GetRole()}, []string{c.GetEmail()}
	}
	return vals
}

// offerData is an offer's page, or the form for a new one (F nil).
type offerData struct {
	F                          *rotsv1.Offer
	Row                        offerRow
	OrgID, OrgName             string
	SchoolLevels               string
	Admin                      bool
	Edit, Deactivate, Activate *form
}

func offerResource(r *http.Request) string { return orgResource(r) + "/offers/" + r.PathValue("offer") }

func (s *Server) newOffer(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showNewOffer(w, r, v, http.StatusOK, newForm(""), "")
}

func (s *Server) showNewOffer(w http.ResponseWriter, r *http.Request, v *visit, status int, f *form, alert string) {
	if f == nil {
		f = newForm("")
	}
	s.countUnread(v)
	resp, err := s.directory.GetOrganisation(v.ctx, &rotsv1.GetOrganisationRequest{Name: orgResource(r)})
	if s.readFailed(w, r, v, err) {
		return
	}
	s.render(w, r, v, status, "aanbod", page{Title: "Nieuw aanbod", Nav: "sociale-kaart", Alert: alert, Form: f,
		Data: offerData{OrgID: r.PathValue("org"), OrgName: resp.GetOrganisation().GetDisplayName(), Admin: v.who.Role == auth.Admin, Edit: f}})
}

func (s *Server) createOffer(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "")
	offer := offerFromForm(f)
	var (
		resp *rotsv1.CreateOfferResponse
		err  error
	)
	if len(f.Order) == 0 {
		resp, err = s.directory.CreateOffer(v.ctx, &rotsv1.CreateOfferRequest{RequestId: f.RequestID, Parent: orgResource(r), Offer: offer})
	}
	_, id, _ := strings.Cut(resp.GetOffer().GetName(), "/offers/")
	s.afterPost(w, r, v, err, f, "/sociale-kaart/"+r.PathValue("org")+"/aanbod/"+id+"?gedaan=aanbod-erbij",
		func(status int, failed *form, alert string) { s.showNewOffer(w, r, v, status, failed, alert) })
}

func (s *Server) offerPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showOffer(w, r, v, http.StatusOK, nil, adminNotice(r), "")
}

func (s *Server) showOffer(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string) {
	s.countUnread(v)
	resp, err := s.directory.GetOffer(v.ctx, &rotsv1.GetOfferRequest{Name: offerResource(r)})
	if s.readFailed(w, r, v, err) {
		return
	}
	o := resp.GetOffer()
	d := offerData{F: o, Row: toOfferRow(o), OrgID: r.PathValue("org"), OrgName: o.GetOrganisationDisplayName(),
		SchoolLevels: enumList(o.GetSchoolLevels()), Admin: v.who.Role == auth.Admin,
		Edit: newForm(""), Deactivate: newForm("deactiveren"), Activate: newForm("activeren")}
	d.Edit.Values = offerValues(o)
	switch {
	case failed == nil:
	case failed.Command == "deactiveren":
		d.Deactivate = failed
	default:
		d.Edit = failed
	}
	s.render(w, r, v, status, "aanbod", page{Title: o.GetDisplayName(), Nav: "sociale-kaart",
		Notice: notice, Alert: alert, Form: failed, Data: d})
}

// offerNotices are the notices after each form of an offer's page.
var offerNotices = map[string]string{"wijzigen": "aanbod-gewijzigd", "deactiveren": "aanbod-weg", "activeren": "aanbod-terug"}

func (s *Server) offerCommand(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	cmd := r.PathValue("command")
	f := readForm(r, cmd)
	var err error
	switch cmd {
	case "wijzigen":
		f.Command = ""
		o := offerFromForm(f)
		o.Name = offerResource(r)
		if len(f.Order) == 0 {
			_, err = s.directory.UpdateOffer(v.ctx, &rotsv1.UpdateOfferRequest{RequestId: f.RequestID, Offer: o,
				UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"display_name", "description", "age_band", "school_levels", "themes",
					"capacity", "waiting_weeks", "how_to_reach"}}})
		}
	case "deactiveren":
		if confirmed(f, "Bevestig dat u dit aanbod wilt deactiveren.") {
			_, err = s.directory.DeactivateOffer(v.ctx, &rotsv1.DeactivateOfferRequest{RequestId: f.RequestID, Name: offerResource(r)})
		}
	case "activeren":
		_, err = s.directory.UpdateOffer(v.ctx, &rotsv1.UpdateOfferRequest{RequestId: f.RequestID,
			Offer: &rotsv1.Offer{Name: offerResource(r), Active: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"active"}}})
	default:
		s.notFound(w, r, v)
		return
	}
	s.afterPost(w, r, v, err, f, "/sociale-kaart/"+r.PathValue("org")+"/aanbod/"+r.PathValue("offer")+"?gedaan="+offerNotices[cmd],
		func(status int, failed *form, alert string) { s.showOffer(w, r, v, status, failed, "", alert) })
}

func offerFromForm(f *form) *rotsv1.Offer {
	o := &rotsv1.Offer{DisplayName: f.Get("offer.display_name"), Description: f.Get("offer.description"),
		AgeBand:  enumOf[rotsv1.AgeBand](f.Get("offer.age_band")),
		Capacity: optionalNumber(f, "offer.capacity"), WaitingWeeks: optionalNumber(f, "offer.waiting_weeks"),
		HowToReach: f.Get("offer.how_to_reach")}
	for _, l := range f.Values["offer.school_levels"] {
		o.SchoolLevels = append(o.SchoolLevels, enumOf[rotsv1.SchoolLevel](l))
	}
	for _, t := range f.Values["offer.themes"] {
		o.Themes = append(o.Themes, enumOf[rotsv1.Theme](t))
	}
	return o
}

func offerValues(o *rotsv1.Offer) map[string][]string {
	vals := map[string][]string{
		"offer.display_name": {o.GetDisplayName()}, "offer.description": {o.GetDescription()},
		"offer.age_band": {storedName(o.GetAgeBand())}, "offer.how_to_reach": {o.GetHowToReach()},
	}
	if o.Capacity != nil {
		vals["offer.capacity"] = []string{strconv.Itoa(int(o.GetCapacity()))}
	}
	if o.WaitingWeeks != nil {
		vals["offer.waiting_weeks"] = []string{strconv.Itoa(int(o.GetWaitingWeeks()))}
	}
	for _, l := range o.GetSchoolLevels() {
		vals["offer.school_levels"] = append(vals["offer.school_levels"], storedName(l))
	}
	for _, t := range o.GetThemes() {
		vals["offer.themes"] = append(vals["offer.themes"], storedName(t))
	}
	return vals
}
