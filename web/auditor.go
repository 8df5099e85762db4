package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/timestamppb"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/calendar"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// The auditor's pages (the data-protection officer): the access log,
// searched and paged, with the check of its hash chain, and the
// subject-access export of a case.
func (s *Server) auditorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /toegangslog", s.signedIn(s.accessLog))
	// The search is posted: it may name a person, whose address stays out
	// of the address bar and the logs.
	mux.HandleFunc("POST /toegangslog", s.signedIn(s.accessLog))
	mux.HandleFunc("POST /toegangslog/keten", s.signedIn(s.verifyChain))
	mux.HandleFunc("GET /inzage", s.signedIn(s.subjectAccess))
	mux.HandleFunc("GET /inzage/{reference}/export.json", s.signedIn(s.exportJSON))
}

type accessRow struct {
	Sequence                                  int64
	When, ISO, Actor, Role, Reference, Action string
	Method, Purpose                           string
}

type chainResult struct {
	Intact   bool
	Verified int64
	Broken   int64
	Changed  bool
	When     string
}

type accessLogData struct {
	Rows      []accessRow
	NextPage  string
	Searching bool
	Chain     *chainResult
}

func (s *Server) accessLog(w http.ResponseWriter, r *http.Request, v *visit) {
	r.ParseForm()
	s.showAccessLog(w, r, v, readForm(r, "zoek"), nil)
}

// showAccessLog searches the access log as the form asks and renders it,
// with the chain's state when it was just checked.
func (s *Server) showAccessLog(w http.ResponseWriter, r *http.Request, v *visit, f *form, chain *chainResult) {
	s.countUnread(v)
	req := &rotsv1.ListAccessLogRequest{PageSize: 50, PageToken: f.Get("pagina"),
		Actor: strings.TrimSpace(f.Get("actor")), Purpose: f.Get("purpose")}
	if ref, ok := reference(f, "case"); ok && ref != "" {
		req.Case = "cases/" + ref
	}
	req.FromTime = day(f, "from_time", 0)
	req.ToTime = day(f, "to_time", 1) // through the day given
	d := accessLogData{Chain: chain, Searching: req.Case != "" || req.Actor != "" || req.Purpose != "" || req.FromTime != nil || req.ToTime != nil}
	p := page{Title: "Toegangslog", Nav: "toegangslog", Form: f, Data: &d}
	if len(f.Order) > 0 {
		s.render(w, r, v, http.StatusUnprocessableEntity, "toegangslog", p)
		return
	}
	resp, err := s.audit.ListAccessLog(v.ctx, req)
	switch problem, msg := classify(err, f); problem {
	case problemNone:
	case problemFields, problemNotFound:
		if problem == problemNotFound {
			f.fail("case", "Er is geen dossier met deze referentie.")
		}
		p.Title, p.Alert = errorTitle+p.Title, msg
		s.render(w, r, v, http.StatusUnprocessableEntity, "toegangslog", p)
		return
	case problemForbidden:
		s.errorPage(w, r, v, http.StatusForbidden, "Geen toegang", "De toegangslog is voor de auditors.")
		return
	default:
		if !s.answerProblem(w, r, v, problem) {
			p.Alert = msg
			s.render(w, r, v, http.StatusForbidden, "toegangslog", p)
		}
		return
	}
	d.NextPage = resp.GetNextPageToken()
	for _, e := range resp.GetEntries() {
		d.Rows = append(d.Rows, accessRow{
			Sequence: e.GetSequence(), When: onTime(e.GetAccessTime(), dateTime),
			ISO: e.GetAccessTime().AsTime().Format(time.RFC3339), Actor: e.GetActor(), Role: dutch.Role(e.GetRole()),
			Reference: e.GetReference(), Action: dutch.Action(e.GetAction()), Method: e.GetAction(), Purpose: e.GetPurpose(),
		})
	}
	s.render(w, r, v, http.StatusOK, "toegangslog", p)
}

// verifyChain runs the check of rotsd verify-access-log and shows its
// outcome above the log. It changes nothing.
func (s *Server) verifyChain(w http.ResponseWriter, r *http.Request, v *visit) {
	resp, err := s.audit.VerifyAccessLog(v.ctx, &rotsv1.VerifyAccessLogRequest{})
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.notFound(w, r, v)
		}
		return
	}
	b := resp.GetFirstBreak()
	s.log.Info("access log chain checked", "entries", resp.GetVerifiedEntries(), "intact", b == nil)
	s.showAccessLog(w, r, v, newForm("zoek"), &chainResult{Intact: b == nil, Verified: resp.GetVerifiedEntries(),
		Broken: b.GetSequence(), Changed: b.GetChanged(), When: dutch.DateTime(s.now())})
}

// reference reads a case reference from a field, as people write it: with
// or without "ROTS-", in any case. It reports false, with the field's
// problem, for something else; "" is no reference.
func reference(f *form, field string) (string, bool) {
	typed := strings.TrimSpace(f.Get(field))
	if typed == "" {
		return "", true
	}
	ref := strings.ToUpper(typed)
	if !strings.HasPrefix(ref, "ROTS-") {
		ref = "ROTS-" + ref
	}
	if !vocab.IsReference(ref) {
		f.fail(field, "Geef een dossierreferentie zoals ROTS-1A2B3C4D.")
		return "", false
	}
	return ref, true
}

// day reads a date field as the start of that day in Brussels, plus
// after days; nil when it is empty or, with the field's problem, not a date.
func day(f *form, field string, after int) *timestamppb.Timestamp {
	typed := strings.TrimSpace(f.Get(field))
	if typed == "" {
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", typed, calendar.Brussels)
	if err != nil {
		f.fail(field, "Geef een datum, bijvoorbeeld 2026-12-15.")
		return nil
	}
	return timestamppb.New(t.AddDate(0, 0, after))
}

type subjectAccessData struct {
	Reference, ID string
	Export        []exportNode // the document's top-level parts
}

// subjectAccess shows the export of a case by reference, readable for the
// person who asked for it, with the JSON document to download.
func (s *Server) subjectAccess(w http.ResponseWriter, r *http.Request, v *visit) {
	s.countUnread(v)
	f := newForm("inzage")
	f.Values = r.URL.Query()
	p := page{Title: "Inzage in een dossier", Nav: "inzage", Form: f}
	d := subjectAccessData{}
	ref, ok := reference(f, "referentie")
	if !ok || ref == "" {
		p.Data = d
		s.render(w, r, v, http.StatusOK, "inzage", p)
		return
	}
	resp, err := s.cases.ExportCase(v.ctx, &rotsv1.ExportCaseRequest{Name: "cases/" + ref})
	if problem, msg := classify(err, nil); problem != problemNone {
		switch problem {
		case problemNotFound:
			f.fail("referentie", "Er is geen dossier met deze referentie.")
			p.Data = d
			s.render(w, r, v, http.StatusNotFound, "inzage", p)
		default:
			if !s.answerProblem(w, r, v, problem) {
				p.Alert, p.Data = msg, d
				s.render(w, r, v, http.StatusForbidden, "inzage", p)
			}
		}
		return
	}
	d.Reference = ref
	d.Export, err = readExport(resp.GetJson())
	if err != nil {
		s.log.Error("reading an export", "err", err)
		s.unavailable(w, r, v)
		return
	}
	p.Title, p.Data = "Inzage in dossier "+ref, d
	s.render(w, r, v, http.StatusOK, "inzage", p)
}

// exportJSON downloads the export as the API makes it.
func (s *Server) exportJSON(w http.ResponseWriter, r *http.Request, v *visit) {
	f := newForm("inzage")
	f.Values.Set("referentie", r.PathValue("reference"))
	ref, ok := reference(f, "referentie")
	if !ok || ref == "" {
		s.notFound(w, r, v)
		return
	}
	resp, err := s.cases.ExportCase(v.ctx, &rotsv1.ExportCaseRequest{Name: "cases/" + ref})
	if problem, _ := classify(err, nil); problem != problemNone {
		if !s.answerProblem(w, r, v, problem) {
			s.notFound(w, r, v)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inzage-%s.json"`, ref))
	w.Write([]byte(resp.GetJson()))
}

// exportNode is one part of an export, as the readable page shows it: a
// value, a list of values, an object's fields, or a list of objects, as a
// table when they are flat. It follows the JSON, so a field added to the
// export shows without a change here.
type exportNode struct {
	Label string
	Text  string   // a value
	List  []string // a list of values
	// Fields are an object's values and lists (shown as a definition
	// list) and its Groups: objects and lists of objects, under headings.
	Fields, Groups []exportNode
	Table          *exportTable
	Items          []exportNode // a list of objects that are not flat
	Level          int          // the heading's level, 2 to 6
}

type exportTable struct {
	Columns []string
	Rows    [][]string
}

// readExport reads the export's JSON, keeping the order of its keys.
func readExport(doc string) ([]exportNode, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, err
	}
	root, ok := v.(ordered)
	if !ok {
		return nil, fmt.Errorf("the export is not a JSON object")
	}
	n := node("", "", root, 1)
	return append(n.Fields, n.Groups...), nil
}

// ordered is a JSON object with its keys in the document's order.
type ordered []keyValue

type keyValue struct {
	Key   string
	Value any
}

func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var o ordered
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			o = append(o, keyValue{k.(string), v})
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		list := []any{}
		for dec.More() {
			v, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token()
		return list, err
	}
	return tok, nil
}

// node makes the part at path (keys joined by ".", lists as "[]").
func node(path, label string, v any, level int) exportNode {
	n := exportNode{Label: label, Level: min(level, 6)}
	switch v := v.(type) {
	case ordered:
		for _, kv := range v {
			p := strings.TrimPrefix(path+"."+kv.Key, ".")
			child := node(p, dutch.ExportLabel(p), kv.Value, level+1)
			if child.Fields != nil || child.Groups != nil || child.Table != nil || child.Items != nil {
				n.Groups = append(n.Groups, child)
			} else {
				n.Fields = append(n.Fields, child)
			}
		}
		if len(v) == 0 {
			n.Text = "(leeg)"
		}
	case []any:
		objects, flat := 0, true
		for _, item := range v {
			if o, ok := item.(ordered); ok {
				objects++
				for _, kv := range o {
					if sub := node("", "", kv.Value, 0); sub.Fields != nil || sub.Groups != nil || sub.Table != nil || sub.Items != nil {
						flat = false
					}
				}
			}
		}
		switch {
		case len(v) == 0:
			n.Text = "(geen)"
		case objects == len(v) && flat:
			n.Table = table(path, v)
		case objects == len(v):
			for i, item := range v {
				n.Items = append(n.Items, node(path+"[]", fmt.Sprintf("%s %d", label, i+1), item, level+1))
			}
		default:
			for _, item := range v {
				n.List = append(n.List, value(path+"[]", item))
			}
		}
	default:
		n.Text = value(path, v)
	}
	return n
}

// table lays out a list of flat objects: a column for every key any of
// them has, in the order they come.
func table(path string, items []any) *exportTable {
	t := &exportTable{}
	col := map[string]int{}
	var keys []string
	for _, item := range items {
		for _, kv := range item.(ordered) {
			if _, ok := col[kv.Key]; !ok {
				col[kv.Key] = len(keys)
				keys = append(keys, kv.Key)
				t.Columns = append(t.Columns, dutch.ExportLabel(path+"[]."+kv.Key))
			}
		}
	}
	for _, item := range items {
		row := make([]string, len(keys))
		for _, kv := range item.(ordered) {
			p := path + "[]." + kv.Key
			if list, ok := kv.Value.([]any); ok {
				var vs []string
				for _, x := range list {
					vs = append(vs, value(p+"[]", x))
				}
				row[col[kv.Key]] = strings.Join(vs, ", ")
			} else {
				row[col[kv.Key]] = value(p, kv.Value)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// value says one value in Dutch: times and dates as dates, the API's enum
// values and the timeline's words by their Dutch names, yes and no.
func value(path string, v any) string {
	switch v := v.(type) {
	case nil:
		return "(leeg)"
	case bool:
		if v {
			return "ja"
		}
		return "nee"
	case json.Number:
		return v.String()
	case string:
		switch path = strings.TrimPrefix(path, "."); path {
		case "events[].kind":
			return dutch.Event(v)
		case "events[].from_stage", "events[].to_stage":
			return vocab.StageName(v)
		case "case.deadlines[].kind":
			return dutch.DeadlineLabel(v)
		case "access_log[].action":
			return dutch.Action(v)
		case "access_log[].role":
			return dutch.Role(v)
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return dutch.DateTime(t)
		}
		if t, err := time.ParseInLocation("2006-01-02", v, calendar.Brussels); err == nil {
			return dutch.Date(t)
		}
		if n, ok := enumWords()[v]; ok {
			return n
		}
		return v
	}
	return fmt.Sprint(v)
}

// enumWords are the Dutch names of the API's enum values by their full
// names ("STAGE_FOLLOW_UP"), as the export's JSON writes them.
var enumWords = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	_ = rotsv1.File_rots_v1_case_proto // registers the package's files
	protoregistry.GlobalFiles.RangeFilesByPackage("rots.v1", func(fd protoreflect.FileDescriptor) bool {
		enums := fd.Enums()
		for i := range enums.Len() {
			ed := enums.Get(i)
			for _, c := range dutch.EnumValues(ed) {
				m[string(ed.Values().ByNumber(c.Number).Name())] = c.Dutch
			}
		}
		return true
	})
	return m
})
