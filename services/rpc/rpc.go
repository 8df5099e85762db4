// Package rpc holds what every ROTS gRPC service does the same way:
// field-level validation errors, well-formed input (the codec and
// WellFormed), request_id binding (Idempotency), page tokens, resource
// names, the caller's name and the mapping of errors to gRPC status codes.
// It must not import the services themselves.
package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// Violations collects every problem with a request, so that the caller
// hears about all of them at once.
type Violations []*errdetails.BadRequest_FieldViolation

// Add records a problem with a field.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, &errdetails.BadRequest_FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err is an InvalidArgument status with a BadRequest detail, or nil.
func (v Violations) Err() error {
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

// Text checks a free-text field: required or not, at most max characters,
// and no national register number (see ContainsNationalNumber).
func (v *Violations) Text(field, s string, required bool, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.Add(field, "is required")
		}
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(s))
	case ContainsNationalNumber(s):
		v.Add(field, "must not contain a national register number (rijksregisternummer) or BIS number; leave it out, the service does not keep one")
	}
}

// ContainsNationalNumber reports whether s holds a Belgian national
// register number (rijksregisternummer): eleven digits YYMMDD SSS CC whose
// check number CC is 97 minus the first nine digits modulo 97, or, for
// someone born in 2000 or later, 97 minus 2 followed by those nine digits
// modulo 97. It is written plain (85073003328), dotted and dashed
// (85.07.30-033.28), spaced (85 07 30 033 28) or with any other run of up
// to three separators (see isNumberSeparator), but only between the parts
// YY, MM, DD, SSS and CC.
//
// A BIS number, the same kind of identifier for someone without a national
// register number, has the month plus 20 or plus 40 and the same check
// number, so it is refused too. The date is not checked: a valid number
// may have month 00 or day 00 (birth date unknown) or a BIS month, and the
// check number is what tells a number from eleven other digits. Eleven
// digits with the wrong check number (a school's file number, a typo) are
// not one, and neither are eleven digits within a longer run of digits
// (12 or more in a row: a bank account, another file number), nor digits
// grouped other than between the parts.
func ContainsNationalNumber(s string) bool {
	var groups []string // the digit groups of the current run
	digits := -1        // where the current group started, -1 outside one
	seps := 0           // separators since the last group
	check := func() bool {
		found := isNationalNumber(groups)
		groups = groups[:0]
		return found
	}
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if digits < 0 {
				digits, seps = i, 0
			}
			continue
		case digits >= 0:
			groups = append(groups, s[digits:i])
			digits = -1
		}
		if isNumberSeparator(r) && len(groups) > 0 && seps < 3 {
			seps++
			continue
		}
		if check() {
			return true
		}
	}
	if digits >= 0 {
		groups = append(groups, s[digits:])
	}
	return check()
}

// isNationalNumber reports whether consecutive groups of a run of digits
// are a national register number: eleven digits with the separators only
// between its parts and a valid check number.
func isNationalNumber(groups []string) bool {
	for i := range groups {
		n := 0
		for j := i; j < len(groups) && n < 11; j++ {
			n += len(groups[j])
			if n != 2 && n != 4 && n != 6 && n != 9 && n != 11 {
				break
			}
			if n == 11 && validCheckNumber(strings.Join(groups[i:j+1], "")) {
				return true
			}
		}
	}
	return false
}

// validCheckNumber reports whether eleven digits end in the check number
// of the nine before them, for a birth before 2000 or from 2000 on.
func validCheckNumber(d string) bool {
	var first int64
	for _, c := range d[:9] {
		first = first*10 + int64(c-'0')
	}
	cc := int64(d[9]-'0')*10 + int64(d[10]-'0')
	return cc == 97-first%97 || cc == 97-(2_000_000_000+first)%97
}

// isNumberSeparator reports whether people put r between the parts of a
// national register number: a dot, a slash, a dash of any kind, a minus
// sign, a space of any kind (also the no-break and thin ones), a tab, or
// an invisible soft hyphen or zero-width space from a word processor.
func isNumberSeparator(r rune) bool {
	switch r {
	case '.', '/', '\t', '\u2212', '\u00ad', '\u200b':
		return true
	}
	return unicode.In(r, unicode.Zs, unicode.Pd)
}

// Forbidden flags a field that was given although it does not apply.
func (v *Violations) Forbidden(field, s, why string) {
	if s != "" {
		v.Add(field, "must be empty %s", why)
	}
}

// Email checks a required plain e-mail address.
func (v *Violations) Email(field, s string) {
	v.Text(field, s, true, 254)
	if s == "" {
		return
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		v.Add(field, "must be a plain e-mail address like naam@clb.be")
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// reservedRequestIDPrefix begins the keys of the case workflow's own
// timeline events ("workflow:3"); a caller's request_id taken for one of
// them would look done already.
const reservedRequestIDPrefix = "workflow:"

// RequestID checks an idempotency key (AIP-155).
func (v *Violations) RequestID(s string) {
	if !requestIDPattern.MatchString(s) {
		v.Add("request_id", "is required: 1 to 64 letters, digits or . _ : - (a UUID is best)")
	} else if strings.HasPrefix(s, reservedRequestIDPrefix) {
		v.Add("request_id", "may not begin with %q: the case workflow names its own steps so", reservedRequestIDPrefix)
	}
}

// PageSize checks a page size: 0 means 20, more than 100 means 100.
func (v *Violations) PageSize(n int32) int {
	switch {
	case n < 0:
		v.Add("page_size", "must not be negative")
		return 0
	case n == 0:
		return 20
	case n > 100:
		return 100
	}
	return int(n)
}

// Actor is who gives the command: the authenticated caller's name.
func Actor(ctx context.Context) string {
	if p, ok := auth.FromContext(ctx); ok {
		return p.Name()
	}
	return "onbekend"
}

// Status maps an error that is not a status already to a gRPC status, and
// logs what the client does not see. Messages carry IDs, never personal data.
func Status(ctx context.Context, log *slog.Logger, method, what string, err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	var (
		pgErr    *pgconn.PgError
		unavail  *serviceerror.Unavailable
		notFound *serviceerror.NotFound
	)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return status.Error(codes.NotFound, what+" not found")
	case errors.Is(err, store.ErrRequestIDReused):
		var v Violations
		v.Add("request_id", "was used before for another request; send a new request_id for a new request")
		return v.Err()
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, new(*serviceerror.DeadlineExceeded)),
		errors.As(err, new(*client.WorkflowUpdateServiceTimeoutOrCanceledError)):
		return status.Error(codes.DeadlineExceeded, "no answer in time; retry with the same request_id")
	case errors.As(err, &unavail), errors.As(err, &notFound),
		pgconn.SafeToRetry(err), pgconn.Timeout(err), !errors.As(err, &pgErr) && isConnError(err),
		errors.As(err, &pgErr) && serverAway(pgErr):
		log.WarnContext(ctx, "backend unavailable", "method", method, "err", err)
		return status.Error(codes.Unavailable, "a backend is unavailable; retry with the same request_id")
	}
	log.ErrorContext(ctx, "internal error", "method", method, "err", err)
	return status.Error(codes.Internal, "internal error")
}

// serverAway reports whether PostgreSQL refused because it is not there to
// serve: shutting down, crashed or starting up again, its recovery not yet
// done (class 57P, as in "the database system is starting up"), or the
// connection failed (class 08).
func serverAway(e *pgconn.PgError) bool {
	return strings.HasPrefix(e.Code, "57P") || strings.HasPrefix(e.Code, "08")
}

// isConnError reports whether err is the connection to PostgreSQL failing
// rather than PostgreSQL refusing the statement: a refused connection, a
// closed pool, or a connection cut in the middle of a query. Then the
// outcome of a write may be unknown, which a retry with the same
// request_id settles. A net.Error covers the socket's errors (a
// syscall.Errno such as ECONNRESET is one).
func isConnError(err error) bool {
	var netErr net.Error
	return errors.As(err, new(*pgconn.ConnectError)) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		slices.ContainsFunc([]string{"closed pool", "conn closed", "unexpected EOF"},
			func(s string) bool { return strings.Contains(err.Error(), s) })
}
