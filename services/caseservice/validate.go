package caseservice

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// violations collects every problem with a request, so that the caller
// hears about all of them at once.
type violations []*errdetails.BadRequest_FieldViolation

func (v *violations) add(field, format string, args ...any) {
	*v = append(*v, &errdetails.BadRequest_FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// err is an InvalidArgument status with a BadRequest detail, or nil.
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	msgs := make([]string, len(v))
	for i, fv := range v {
		msgs[i] = fv.Field + ": " + fv.Description
	}
	st := status.New(codes.InvalidArgument, "invalid request: "+strings.Join(msgs, "; "))
	if d, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: v}); err == nil {
		st = d
	}
	return st.Err()
}

// nationalNumber matches a Belgian national register number (rijksregister-
// nummer), with or without its usual separators. The service never takes one.
var nationalNumber = regexp.MustCompile(`\d{2}[. ]?\d{2}[. ]?\d{2}[- ]?\d{3}[. ]?\d{2}`)

// text checks a free-text field: required or not, at most max characters,
// and no national register number.
func (v *violations) text(field, s string, required bool, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.add(field, "is required")
		}
	case utf8.RuneCountInString(s) > max:
		v.add(field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(s))
	case nationalNumber.MatchString(s):
		v.add(field, "looks like a national register number; leave it out, the service does not keep one")
	}
}

// forbidden flags a field that was given although it does not apply.
func (v *violations) forbidden(field, s, why string) {
	if s != "" {
		v.add(field, "must be empty %s", why)
	}
}

func (v *violations) email(field, s string) {
	v.text(field, s, true, 254)
	if s == "" {
		return
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		v.add(field, "must be a plain e-mail address like naam@clb.be")
	}
}

// phone checks an optional phone number. In international form a Belgian
// number, +32470123456 or 0032470123456, has the eleven digits of a
// national register number, so only a number without a country code is
// checked for one.
func (v *violations) phone(field, s string) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") {
		if n := utf8.RuneCountInString(s); n > 40 {
			v.add(field, "must be at most %d characters, got %d", 40, n)
		}
		return
	}
	v.text(field, s, false, 40)
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

func (v *violations) requestID(s string) {
	if !requestIDPattern.MatchString(s) {
		v.add("request_id", "is required: 1 to 64 letters, digits or . _ : - (a UUID is best)")
	}
}
