package web

import (
	"context"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The signals to government (signaalfunctie), for managers: one drafts a
// signal with figures frozen from the dashboard, another approves exactly
// the version they read, and it is marked sent to its recipient. Who may
// do what is the API's to say; these pages show its answers.
func (s *Server) signalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signalen", s.signedIn(s.signalList))
	mux.HandleFunc("GET /signalen/nieuw", s.signedIn(s.newSignalForm))
	mux.HandleFunc("POST /signalen/nieuw", s.signedIn(s.createSignal))
	mux.HandleFunc("GET /signalen/{id}", s.signedIn(s.signalPage))
	mux.HandleFunc("GET /signalen/{id}/download/{format}", s.signedIn(s.exportSignal))
	mux.HandleFunc("POST /signalen/{id}/{command}", s.signedIn(s.signalCommand))
}

// signalRow is one signal in the list.
type signalRow struct {
	ID, Title, State, StoredState, Period, Scope string
	Drafted, Approved, Sent                      string // who, on which day
}

type signalListData struct {
	Rows     []signalRow
	States   []choice
	State    string // the filter, stored
	NextPage string // the query of the next page
}

func (s *Server) signalList(w http.ResponseWriter, r *http.Request, v *visit) {
	s.countUnread(v)
	q := r.URL.Query()
	state := q.Get("status")
	req := &rotsv1.ListSignalsRequest{PageSize: 25, PageToken: q.Get("pagina"),
		State: enumOf[rotsv1.SignalState](state)}
	resp, err := s.signals.ListSignals(v.ctx, req)
	p := page{Title: "Signalen", Nav: "signalen"}
	if problem, _ := classify(err, nil); problem != problemNone {
		switch {
		case problem == problemForbidden:
			s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "De signalen aan de overheid zijn voor de managers.")
		case !s.answerProblem(w, r, v, problem):
			p.Alert = "Deze lijst kan zo niet getoond worden: kies een andere status of begin opnieuw."
			p.Data = signalListData{States: signalStates(""), State: ""}
			s.render(w, r, v, http.StatusBadRequest, "signalen", p)
		}
		return
	}
	d := signalListData{States: signalStates(state), State: state}
	for _, sig := range resp.GetSignals() {
		d.Rows = append(d.Rows, signalRow{
			ID: strings.TrimPrefix(sig.GetName(), "signals/"), Title: sig.GetTitle(),
			State: dutch.Enum(sig.GetState()), StoredState: storedName(sig.GetState()),
			Period: period(sig.GetFromMonth(), sig.GetToMonth()), Scope: scope(sig.GetRegion()),
			Drafted: byOn(sig.GetAuthor(), sig.GetCreateTime().AsTime(), true), Approved: byOn(sig.GetApprover(), sig.GetApproveTime().AsTime(), sig.GetApproveTime() != nil),
			Sent: byOn(sig.GetSender(), sig.GetSendTime().AsTime(), sig.GetSendTime() != nil),
		})
	}
	if next := resp.GetNextPageToken(); next != "" {
		d.NextPage = urlValues("status", state, "pagina", next)
	}
	p.Data = d
	s.render(w, r, v, http.StatusOK, "signalen", p)
}

func signalStates(chosen string) []choice {
	var out []choice
	for _, c := range dutch.EnumValues(rotsv1.SignalState(0).Descriptor()) {
		out = append(out, choice{Value: c.Stored, Label: c.Dutch, Checked: c.Stored == chosen})
	}
	return out
}

func byOn(who string, t time.Time, done bool) string {
	if !done {
		return ""
	}
	return who + ", " + dutch.Date(t)
}

// period says a period of months: "maart 2026", or "januari 2026 tot en
// met juni 2026".
func period(from, to string) string {
	if from == to {
		return dutch.Month(from)
	}
	return dutch.Month(from) + " tot en met " + dutch.Month(to)
}

// scope is a signal's region in words; all of Flanders when unset.
func scope(r rotsv1.Region) string { return vocab.RegionName(vocab.Stored(r)) }

// newSignalData is what the draft form needs besides its fields.
type newSignalData struct {
	Flemish bool   // the manager chooses the region or all of Flanders
	Scope   string // otherwise their region, in words
	Regions string // the choices of a Flemish manager, for fld
}

// flanders is the form's value for a signal about all of Flanders.
const flanders = "VLAANDEREN"

func (s *Server) newSignalForm(w http.ResponseWriter, r *http.Request, v *visit) {
	// The API takes a signal from a manager only: no form that cannot be sent.
	if v.who.Role != auth.Manager {
		s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "De signalen aan de overheid zijn voor de managers.")
		return
	}
	f := newForm("")
	now := s.now().In(calendar.Brussels)
	f.Values.Set("signal.from_month", now.Format("2006")+"-01")
	f.Values.Set("signal.to_month", now.Format("2006-01"))
	f.Values.Set("signal.region", flanders)
	s.showNewSignal(w, r, v, http.StatusOK, f, "")
}

func (s *Server) showNewSignal(w http.ResponseWriter, r *http.Request, v *visit, status int, f *form, alert string) {
	s.countUnread(v)
	d := newSignalData{Flemish: v.who.Region == "", Scope: vocab.RegionName(v.who.Region), Regions: flanders + "=heel Vlaanderen"}
	for _, c := range dutch.EnumValues(rotsv1.Region(0).Descriptor()) {
		d.Regions += "|" + c.Stored + "=" + c.Dutch
	}
	s.render(w, r, v, status, "signaal_nieuw", page{Title: "Nieuw signaal", Nav: "signalen", Alert: alert, Form: f, Data: d})
}

func (s *Server) createSignal(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	f := readForm(r, "")
	sig := signalFields(f)
	// A regional manager's signals are about their region; a Flemish
	// manager chooses.
	sig.Region = enumOf[rotsv1.Region](v.who.Region)
	if v.who.Region == "" && f.Get("signal.region") != flanders {
		sig.Region = enumOf[rotsv1.Region](f.Get("signal.region"))
		if sig.Region <= 0 {
			f.fail("signal.region", dutch.Field("signal.region")+": kies een regio of heel Vlaanderen")
			s.showNewSignal(w, r, v, http.StatusUnprocessableEntity, f, "")
			return
		}
	}
	resp, err := s.signals.CreateSignal(v.ctx, &rotsv1.CreateSignalRequest{RequestId: f.RequestID, Signal: sig})
	problem, msg := classify(err, f)
	switch problem {
	case problemNone:
		id := strings.TrimPrefix(resp.GetSignal().GetName(), "signals/")
		s.log.Info("signal step", "step", "opstellen", "signal", id)
		http.Redirect(w, r, "/signalen/"+id+"?gedaan=opgesteld", http.StatusSeeOther)
	case problemFields:
		s.showNewSignal(w, r, v, http.StatusUnprocessableEntity, f, msg)
	case problemForbidden:
		s.showNewSignal(w, r, v, http.StatusForbidden, f, "U mag geen signaal opstellen voor dit gebied: een manager stelt signalen op voor de eigen regio, een Vlaamse manager ook voor heel Vlaanderen.")
	default:
		if !s.answerProblem(w, r, v, problem) {
			s.showNewSignal(w, r, v, http.StatusConflict, f, msg)
		}
	}
}

// signalFields reads the fields a manager writes: the period, the title,
// the text and the tables.
func signalFields(f *form) *rotsv1.Signal {
	sig := &rotsv1.Signal{FromMonth: strings.TrimSpace(f.Get("signal.from_month")), ToMonth: strings.TrimSpace(f.Get("signal.to_month")),
		Title: f.Get("signal.title"), Text: f.Get("signal.text")}
	for _, stored := range f.Values["signal.figure_sections"] {
		sig.FigureSections = append(sig.FigureSections, enumOf[rotsv1.SignalFigureSection](stored))
	}
	return sig
}

// signalData is what a signal's page shows.
type signalData struct {
	S                       *rotsv1.Signal
	ID, State, StateName    string
	Scope, Period           string
	Tables                  []figureTable
	History                 []historyRow
	Draft, Approved, Hidden bool // Hidden: some figure is suppressed
	failed                  *form
}

type historyRow struct{ What, Who, When, ISO string }

// figureTable is a frozen table of figures as the page shows it.
type figureTable struct {
	Title, Unit, RowHeader, Note string
	Columns                      []string
	Rows                         []figureRow
	RowTotals                    bool
	ColumnTotals                 []figureCell
	Total                        figureCell
}

type figureRow struct {
	Label string
	Cells []figureCell
	Total figureCell
}

// figureCell is one figure: Text is "x" when it is hidden.
type figureCell struct {
	Text   string
	Hidden bool
}

// F is a form of the page: the one that came back with problems, or a
// fresh one; the edit form starts with the signal as it is.
func (d signalData) F(command string) *form {
	if d.failed != nil && d.failed.Command == command {
		return d.failed
	}
	f := newForm(command)
	if command == "wijzigen" {
		f.Values.Set("signal.title", d.S.GetTitle())
		f.Values.Set("signal.text", d.S.GetText())
		f.Values.Set("signal.from_month", d.S.GetFromMonth())
		f.Values.Set("signal.to_month", d.S.GetToMonth())
		for _, sec := range d.S.GetFigureSections() {
			f.Values.Add("signal.figure_sections", storedName(sec))
		}
	}
	return f
}

// signalNotices say what was just done, after the redirect.
var signalNotices = map[string]string{
	"opgesteld":  "Het signaal is opgesteld, met de cijfers van nu. Een andere manager keurt het goed.",
	"wijzigen":   "Het signaal is gewijzigd.",
	"cijfers":    "De cijfers zijn opnieuw genomen.",
	"goedkeuren": "Het signaal is goedgekeurd.",
	"verzonden":  "Het signaal is als verzonden vastgelegd.",
}

func (s *Server) signalPage(w http.ResponseWriter, r *http.Request, v *visit) {
	s.showSignal(w, r, v, http.StatusOK, nil, signalNotices[r.URL.Query().Get("gedaan")], "")
}

func (s *Server) showSignal(w http.ResponseWriter, r *http.Request, v *visit, status int, failed *form, notice, alert string) {
	s.countUnread(v)
	id := r.PathValue("id")
	resp, err := s.signals.GetSignal(v.ctx, &rotsv1.GetSignalRequest{Name: "signals/" + id})
	if s.readFailed(w, r, v, err) {
		return
	}
	sig := resp.GetSignal()
	d := signalData{S: sig, ID: id, State: storedName(sig.GetState()), StateName: dutch.Enum(sig.GetState()),
		Scope: scope(sig.GetRegion()), Period: period(sig.GetFromMonth(), sig.GetToMonth()),
		Draft:    sig.GetState() == rotsv1.SignalState_SIGNAL_STATE_DRAFT,
		Approved: sig.GetState() == rotsv1.SignalState_SIGNAL_STATE_APPROVED, failed: failed}
	for _, t := range sig.GetFigures() {
		ft := toFigureTable(t)
		d.Tables = append(d.Tables, ft)
		d.Hidden = d.Hidden || ft.hidden()
	}
	d.History = signalHistory(sig)
	s.render(w, r, v, status, "signaal", page{Title: "Signaal " + d.Scope + ", " + d.Period, Nav: "signalen", Notice: notice, Alert: alert, Form: failed, Data: d})
}

// signalHistory is who did what when: drafted, edited, approved, sent.
func signalHistory(sig *rotsv1.Signal) []historyRow {
	row := func(what, who string, t time.Time) historyRow {
		return historyRow{What: what, Who: who, When: dutch.DateTime(t), ISO: t.Format(time.RFC3339)}
	}
	created := sig.GetCreateTime().AsTime()
	h := []historyRow{row("Opgesteld", sig.GetAuthor(), created)}
	if ft := sig.GetFiguresTime().AsTime(); ft.After(created) {
		h = append(h, row("Cijfers opnieuw genomen", "", ft))
	}
	// The last edit, when it is not the approval or the sending itself.
	if u := sig.GetUpdateTime().AsTime(); u.After(created) && !u.Equal(sig.GetFiguresTime().AsTime()) &&
		(sig.GetApproveTime() == nil || u.Before(sig.GetApproveTime().AsTime())) {
		h = append(h, row("Laatst gewijzigd", "", u))
	}
	if sig.GetApproveTime() != nil {
		h = append(h, row("Goedgekeurd", sig.GetApprover(), sig.GetApproveTime().AsTime()))
	}
	if sig.GetSendTime() != nil {
		h = append(h, row("Verzonden aan "+sig.GetRecipient(), sig.GetSender(), sig.GetSendTime().AsTime()))
	}
	return h
}

func toFigureTable(t *rotsv1.SignalFigureTable) figureTable {
	ft := figureTable{Title: t.GetTitle(), Unit: t.GetUnit(), RowHeader: t.GetRowHeader(), Note: t.GetNote(),
		Columns: t.GetColumnLabels(), Total: cell(t.GetTotal())}
	for _, r := range t.GetRows() {
		row := figureRow{Label: r.GetLabel(), Total: cell(r.GetTotal())}
		for _, c := range r.GetCells() {
			row.Cells = append(row.Cells, cell(c))
		}
		ft.RowTotals = ft.RowTotals || r.GetTotal() != nil
		ft.Rows = append(ft.Rows, row)
	}
	for _, c := range t.GetColumnTotals() {
		ft.ColumnTotals = append(ft.ColumnTotals, cell(c))
	}
	return ft
}

func (t figureTable) hidden() bool {
	cells := append([]figureCell{t.Total}, t.ColumnTotals...)
	for _, r := range t.Rows {
		cells = append(append(cells, r.Total), r.Cells...)
	}
	for _, c := range cells {
		if c.Hidden {
			return true
		}
	}
	return false
}

// cell says a figure the Dutch way: 1.234 and 7,5; "x" when hidden, "–"
// when it does not apply, "" when there is none.
func cell(f *rotsv1.SignalFigure) figureCell {
	switch v := f.GetValue().(type) {
	case nil:
		if f == nil {
			return figureCell{}
		}
		return figureCell{Text: "–"}
	case *rotsv1.SignalFigure_Suppressed:
		return figureCell{Text: "x", Hidden: true}
	case *rotsv1.SignalFigure_Measure:
		return figureCell{Text: strings.Replace(strconv.FormatFloat(v.Measure, 'f', -1, 64), ".", ",", 1)}
	case *rotsv1.SignalFigure_Count:
		n := strconv.FormatInt(v.Count, 10)
		for i := len(n) - 3; i > 0 && n[i-1] != '-'; i -= 3 {
			n = n[:i] + "." + n[i:]
		}
		return figureCell{Text: n}
	}
	return figureCell{Text: "–"}
}

// signalCommand is one step on a signal's page.
type signalCommandFunc func(s *Server, ctx context.Context, name string, f *form) error

var signalCommands = map[string]signalCommandFunc{
	// The whole edit form is sent: a field that did not change changes
	// nothing, and the figures are taken again only for another period or
	// other tables.
	"wijzigen": func(s *Server, ctx context.Context, name string, f *form) error {
		sig := signalFields(f)
		sig.Name = name
		_, err := s.signals.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{RequestId: f.RequestID, Signal: sig,
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title", "text", "from_month", "to_month", "figure_sections"}}})
		return err
	},
	"cijfers": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.signals.UpdateSignal(ctx, &rotsv1.UpdateSignalRequest{RequestId: f.RequestID, Signal: &rotsv1.Signal{Name: name}, RefreshFigures: true})
		return err
	},
	// The approval names the version the approver read on the page.
	"goedkeuren": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.signals.ApproveSignal(ctx, &rotsv1.ApproveSignalRequest{RequestId: f.RequestID, Name: name, Etag: f.Get("etag")})
		return err
	},
	"verzonden": func(s *Server, ctx context.Context, name string, f *form) error {
		_, err := s.signals.MarkSignalSent(ctx, &rotsv1.MarkSignalSentRequest{RequestId: f.RequestID, Name: name, Recipient: f.Get("recipient")})
		return err
	},
}

// signalCommand runs a step, then shows the signal again: after success
// by a redirect, with problems the page with the API's answer in Dutch.
func (s *Server) signalCommand(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	id, cmd := r.PathValue("id"), r.PathValue("command")
	run, ok := signalCommands[cmd]
	if !ok {
		s.notFound(w, r, v)
		return
	}
	f := readForm(r, cmd)
	err := run(s, v.ctx, "signals/"+id, f)
	problem, msg := classify(err, f)
	switch code := status.Code(err); {
	case problem == problemNone:
		s.log.Info("signal step", "step", cmd, "signal", id)
		http.Redirect(w, r, "/signalen/"+id+"?gedaan="+cmd, http.StatusSeeOther)
	case problem == problemFields:
		s.showSignal(w, r, v, http.StatusUnprocessableEntity, f, "", msg)
	case code == codes.Aborted:
		s.showSignal(w, r, v, http.StatusConflict, nil, "",
			"Iemand heeft het signaal gewijzigd nadat u het opende. Het is niet goedgekeurd. Lees de versie hieronder opnieuw en keur dan goed wat u gelezen hebt.")
	case code == codes.PermissionDenied && cmd == "goedkeuren":
		s.showSignal(w, r, v, http.StatusForbidden, nil, "",
			"U hebt dit signaal zelf opgesteld en kunt het dus niet goedkeuren: een andere manager keurt het goed (vier ogen).")
	case problem == problemForbidden:
		s.showSignal(w, r, v, http.StatusForbidden, nil, "", "U mag deze stap niet zetten voor dit signaal.")
	case problem == problemStage && code == codes.FailedPrecondition:
		s.showSignal(w, r, v, http.StatusConflict, nil, "",
			"Deze stap past niet (meer) bij de stand van het signaal: iemand anders heeft het misschien net goedgekeurd of verzonden. De pagina toont de actuele stand.")
	case problem == problemStage:
		s.showSignal(w, r, v, http.StatusConflict, nil, "", msg)
	default:
		s.answerProblem(w, r, v, problem)
	}
}

// exportSignal downloads a signal as the API renders it, printable HTML
// or CSV, under the API's file name (scope and period, no person).
func (s *Server) exportSignal(w http.ResponseWriter, r *http.Request, v *visit) {
	format, ok := map[string]rotsv1.SignalExportFormat{
		"html": rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_HTML,
		"csv":  rotsv1.SignalExportFormat_SIGNAL_EXPORT_FORMAT_CSV,
	}[r.PathValue("format")]
	if !ok {
		s.notFound(w, r, v)
		return
	}
	resp, err := s.signals.ExportSignal(v.ctx, &rotsv1.ExportSignalRequest{Name: "signals/" + r.PathValue("id"), Format: format})
	if s.readFailed(w, r, v, err) {
		return
	}
	name := safeFileName(resp.GetFilename())
	if name == "" {
		name = "signaal." + r.PathValue("format")
	}
	ct := resp.GetContentType()
	if ct == "" {
		ct = mime.TypeByExtension("." + r.PathValue("format"))
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write(resp.GetContent())
}

// safeFileName keeps a file name to letters, digits, dots and hyphens, so
// that it cannot break the header or name a path.
func safeFileName(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteRune(c)
		}
	}
	return strings.Trim(b.String(), ".")
}
