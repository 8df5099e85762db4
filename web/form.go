package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// form is a form as the person filled it in, with the API's objections.
// Inputs are named after the API's field paths (young_person.alias,
// tried[1]), so a violation finds its field without a table.
type form struct {
	Values url.Values
	Errors map[string]string // by field path, in Dutch
	Order  []string          // the fields in error, in the API's order
	// RequestID goes with the form: sending it twice (a double click, the
	// browser's retry) is one request to the API.
	RequestID string
	Command   string // which form of a page this is, when it has several
}

// newForm is an empty form with a fresh request ID.
func newForm(command string) *form {
	return &form{Values: url.Values{}, Errors: map[string]string{}, RequestID: uuid.NewString(), Command: command}
}

// readForm is the posted form; it keeps the request ID it was sent with.
func readForm(r *http.Request, command string) *form {
	f := &form{Values: r.PostForm, Errors: map[string]string{}, RequestID: r.PostForm.Get("request_id"), Command: command}
	if _, err := uuid.Parse(f.RequestID); err != nil {
		f.RequestID = uuid.NewString()
	}
	return f
}

// Get is what was typed in a field.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Has reports whether a checkbox or option with the value was chosen.
func (f *form) Has(name, value string) bool {
	if f == nil {
		return false
	}
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Err is the message for a field, "" when it is fine.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// For reports whether the page's form in error is the one named.
func (f *form) For(command string) bool { return f != nil && f.Command == command }

// Rows is how many rows a repeatable list shows: those typed, at least
// min, plus one when the person asked for another.
func (f *form) Rows(prefix string, min int) int {
	n := min
	if f == nil {
		return n
	}
	for name := range f.Values {
		if rest, ok := strings.CutPrefix(name, prefix+"["); ok {
			if i, err := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')]); err == nil && i+1 > n {
				n = i + 1
			}
		}
	}
	if f.Values.Get("rij-erbij") == prefix {
		n++
	}
	return n
}

// list reads a repeatable list, tried[0], tried[1], …, without its empty
// rows, and renumbers what was typed to match, so that the API's
// violation of tried[1] is the second row shown again.
func (f *form) list(prefix string) []string {
	var out []string
	for i := range f.Rows(prefix, 0) {
		key := prefix + "[" + strconv.Itoa(i) + "]"
		if v := strings.TrimSpace(f.Values.Get(key)); v != "" {
			out = append(out, v)
		}
		f.Values.Del(key)
	}
	for i, v := range out {
		f.Values.Set(prefix+"["+strconv.Itoa(i)+"]", v)
	}
	return out
}

// number reads a whole number typed in a field: given is false when the
// field is empty; what is not a number (or too large) fails the field with
// message.
func (f *form) number(field, message string) (n int32, given bool) {
	typed := strings.TrimSpace(f.Get(field))
	if typed == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(typed, 10, 32)
	if err != nil {
		f.fail(field, message)
	}
	return int32(v), true
}

// addRow reports whether the person pressed a "nog een rij" button rather
// than sending the form.
func (f *form) addRow() bool { return f.Values.Get("rij-erbij") != "" }

// fail records a problem with a field.
func (f *form) fail(field, message string) {
	if _, ok := f.Errors[field]; !ok {
		f.Order = append(f.Order, field)
	}
	f.Errors[field] = message
}

// id is the HTML id of a field's input: the form's command first, so that
// two forms on one page with a field of the same name (reason) differ.
func (f *form) id(field string) string {
	if f == nil || f.Command == "" {
		return fieldID(field)
	}
	return fieldID(f.Command + "." + field)
}

// Summary is the list at the top of the page: each problem, linking to
// its field.
func (f *form) Summary() []summaryItem {
	if f == nil {
		return nil
	}
	var out []summaryItem
	for _, field := range f.Order {
		out = append(out, summaryItem{ID: f.id(field), Message: f.Errors[field]})
	}
	return out
}

type summaryItem struct{ ID, Message string }

// apiProblem is how a page answers an error of the API.
type apiProblem int

const (
	problemNone        apiProblem = iota
	problemFields                 // shown next to the fields: the form again
	problemStage                  // the step does not fit the case's stage
	problemNotFound               // not there, or not for this person
	problemForbidden              // the person may not do this
	problemSignIn                 // the token is no longer taken
	problemUnavailable            // a backend is down: nothing was lost
)

// classify maps an API error to how a page answers it, filling in the
// form's field errors in Dutch for InvalidArgument.
func classify(err error, f *form) (apiProblem, string) {
	if err == nil {
		return problemNone, ""
	}
	st := status.Convert(err)
	switch st.Code() {
	case codes.InvalidArgument:
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				for _, v := range br.GetFieldViolations() {
					if f != nil {
						f.fail(v.GetField(), dutch.Violation(v.GetField(), v.GetDescription()))
					}
				}
			}
		}
		if f != nil && len(f.Order) > 0 {
			return problemFields, ""
		}
		return problemFields, "Het formulier is niet volledig of niet juist ingevuld."
	case codes.FailedPrecondition:
		return problemStage, "Deze stap past niet (meer) bij de fase van het dossier. Iemand anders heeft het dossier misschien net verder gezet; de pagina toont nu de actuele stand."
	case codes.NotFound:
		return problemNotFound, ""
	case codes.PermissionDenied:
		return problemForbidden, "U mag deze stap niet zetten voor dit dossier."
	case codes.Unauthenticated:
		return problemSignIn, ""
	case codes.AlreadyExists, codes.Aborted:
		return problemStage, "Dit is intussen al gebeurd; de pagina toont de actuele stand."
	}
	return problemUnavailable, ""
}
