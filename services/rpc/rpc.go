// Package rpc holds what every ROTS gRPC service does the same way:
// field-level validation errors, page tokens, the caller's name and the
// mapping of errors to gRPC status codes.
package rpc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/auth"
	"github.com/rots-vlaanderen/roundtable/store"
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

// nationalNumber matches a Belgian national register number (rijksregister-
// nummer), with or without its usual separators. The service never takes one.
var nationalNumber = regexp.MustCompile(`\d{2}[. ]?\d{2}[. ]?\d{2}[- ]?\d{3}[. ]?\d{2}`)

// Text checks a free-text field: required or not, at most max characters,
// and no national register number.
func (v *Violations) Text(field, s string, required bool, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			v.Add(field, "is required")
		}
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(s))
	case nationalNumber.MatchString(s):
		v.Add(field, "looks like a national register number; leave it out, the service does not keep one")
	}
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

// RequestID checks an idempotency key (AIP-155).
func (v *Violations) RequestID(s string) {
	if !requestIDPattern.MatchString(s) {
		v.Add("request_id", "is required: 1 to 64 letters, digits or . _ : - (a UUID is best)")
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

// EncodeToken makes an opaque page token of a position.
func EncodeToken(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeToken reads a page token made by EncodeToken into v.
func DecodeToken(s string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && json.Unmarshal(b, v) == nil
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
		pgconn.SafeToRetry(err), pgconn.Timeout(err), !errors.As(err, &pgErr) && isConnError(err):
		log.WarnContext(ctx, "backend unavailable", "method", method, "err", err)
		return status.Error(codes.Unavailable, "a backend is unavailable; retry with the same request_id")
	}
	log.ErrorContext(ctx, "internal error", "method", method, "err", err)
	return status.Error(codes.Internal, "internal error")
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
