package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

//go:embed templates static
var files embed.FS

func staticFiles() http.Handler {
	sub, _ := fs.Sub(files, "static")
	return http.FileServerFS(sub)
}

// pages are the parsed templates: one set per page, each the layout plus
// the shared parts plus the page's own file.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"enum":     func(e protoreflect.Enum) string { return dutch.Enum(e) },
	"date":     func(t *timestamppb.Timestamp) string { return onTime(t, dutch.Date) },
	"datetime": func(t *timestamppb.Timestamp) string { return onTime(t, dutch.DateTime) },
	"due":      func(t *timestamppb.Timestamp) string { return onTime(t, dutch.DueDate) },
	"isodate": func(t *timestamppb.Timestamp) string {
		return onTime(t, func(t time.Time) string { return t.Format(time.RFC3339) })
	},
	"deadline": dutch.DeadlineName,
	"rung":     dutch.RungName,
	"label":    dutch.Field,
	"fld":      makeField,
	"fieldID":  fieldID,
	"caseID":   caseID,
	"inc":      func(i int) int { return i + 1 },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"printf": fmt.Sprintf,
}

var dateTime = dutch.DateTime

func onTime(t *timestamppb.Timestamp, f func(time.Time) string) string {
	if t == nil || !t.IsValid() || t.AsTime().IsZero() {
		return ""
	}
	return f(t.AsTime())
}

// fieldID is the HTML id of the input for an API field path:
// young_person.alias is veld-young_person-alias, tried[1] veld-tried-1.
func fieldID(fieldPath string) string {
	return "veld-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(fieldPath)
}

// caseID is the ID in a case's resource name, cases/{id}.
func caseID(name string) string { return strings.TrimPrefix(name, "cases/") }

func parsePages() (*pages, error) {
	names, err := fs.Glob(files, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.New(path.Base(n)).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/parts.html", n)
		if err != nil {
			return nil, err
		}
		p.byName[strings.TrimSuffix(strings.TrimPrefix(path.Base(n), "page_"), ".html")] = t
	}
	return p, nil
}

// errorTitle starts the title of a page whose form came back with problems.
const errorTitle = "Fout: "

// page is what every page's template gets.
type page struct {
	Title  string          // where one is, first in <title>
	Who    *auth.Principal // nil on the pages before signing in
	Unread int             // unread messages; -1 unknown
	Nav    string          // the menu item of this page
	Notice string          // a message at the top: what just happened
	Alert  string          // a problem with the whole request
	Form   *form           // the page's form, with errors and what was typed
	Data   any
}

// RoleName says a role in Dutch, for the header.
func (p page) RoleName() string { return dutch.Role(p.Who.Role) }

// render writes a page with a status. A template that fails writes the
// error page instead, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, v *visit, status int, name string, p page) {
	t := s.pages.byName[name]
	// A page whose form came back with problems says so first, so that a
	// screen reader announces it.
	if p.Form != nil && len(p.Form.Order) > 0 && !strings.HasPrefix(p.Title, errorTitle) {
		p.Title = errorTitle + p.Title
	}
	if v != nil {
		if v.unreadDone != nil {
			<-v.unreadDone
		}
		p.Who, p.Unread = &v.who, v.unread
	}
	var b bytes.Buffer
	if t == nil {
		s.log.Error("no template", "page", name)
		status, t = http.StatusInternalServerError, s.pages.byName["fout"]
		p = page{Title: "Er ging iets mis", Data: errorText{"Er ging iets mis", "Probeer het later opnieuw."}}
	}
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.Error("rendering a page", "page", name, "err", err)
		status = http.StatusInternalServerError
		b.Reset()
		s.pages.byName["fout"].ExecuteTemplate(&b, "layout", page{Title: "Er ging iets mis",
			Data: errorText{"Er ging iets mis", "Probeer het later opnieuw."}})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

type errorText struct{ Heading, Text string }

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, v *visit, status int, heading, text string) {
	s.render(w, r, v, status, "fout", page{Title: heading, Data: errorText{heading, text}})
}

// notFound is the one page for a case that does not exist and a case one
// may not see, so that a URL tells nothing about other people's cases.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, v *visit) {
	s.errorPage(w, r, v, http.StatusNotFound, "Niet gevonden",
		"Deze pagina of dit dossier bestaat niet, of u hebt er geen toegang toe.")
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, v *visit) {
	s.errorPage(w, r, v, http.StatusServiceUnavailable, "Tijdelijk niet beschikbaar",
		"ROTS roundtable kan dit nu niet verwerken. Er is niets verloren: probeer het over een ogenblik opnieuw.")
}

// public serves a page that needs no sign-in.
func (s *Server) public(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, nil, http.StatusOK, name, page{Title: title})
	}
}

func urlValues(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}
