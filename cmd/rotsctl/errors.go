package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// usageError is a command given wrongly: a flag, an argument. It exits
// with 2 and points to the command's help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// flagParseError makes the flag package's messages Dutch; they name the
// flag already.
func flagParseError(err error) error {
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usagef("onbekende optie %s", f)
	}
	if f, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("%s: de waarde ontbreekt", f)
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		return usagef("-%s %s: ongeldige waarde (%s)", m[2], m[1], m[3])
	}
	return usageErr(err)
}

var invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for flag -([\w-]+): (.*)$`)

// codeNames say the gRPC codes in Dutch.
var codeNames = map[codes.Code]string{
	codes.InvalidArgument:    "ongeldige invoer",
	codes.NotFound:           "niet gevonden",
	codes.FailedPrecondition: "kan niet in deze fase",
	codes.PermissionDenied:   "niet toegelaten",
	codes.Unauthenticated:    "niet aangemeld",
	codes.Unavailable:        "niet bereikbaar",
	codes.Aborted:            "gewijzigd sinds u het las",
	codes.DeadlineExceeded:   "geen antwoord op tijd",
	codes.AlreadyExists:      "bestaat al",
	codes.Canceled:           "afgebroken",
	codes.Internal:           "fout in de dienst",
	codes.Unimplemented:      "kent de dienst niet",
	codes.ResourceExhausted:  "te veel gevraagd",
}

// errorContext is what printError needs to know about the command that
// failed.
type errorContext struct {
	command string // "submit", "signal approve"
	// flagFor names the flag that sets a request field, or "".
	flagFor func(field string) string
	// requestID is the changing call's request ID, to retry with.
	requestID string
	addr      string
	// tokenSource says where the token came from, for Unauthenticated.
	tokenSource string
}

// printError shows an error once: a usage error with a pointer to the
// help, a gRPC error in Dutch with each field violation on its own line,
// named by the flag that sets it.
func printError(w io.Writer, ec errorContext, err error) {
	prefix := "rotsctl"
	if ec.command != "" {
		prefix += " " + ec.command
	}
	var ue usageError
	if errors.As(err, &ue) {
		printLines(w, prefix, ue.err)
		if ec.command != "" {
			fmt.Fprintf(w, "Zie: rotsctl %s -h\n", ec.command)
		} else {
			fmt.Fprintln(w, "Zie: rotsctl help")
		}
		return
	}
	st, ok := status.FromError(err)
	if !ok {
		printLines(w, prefix, err)
		return
	}
	what := codeNames[st.Code()]
	if what == "" {
		what = "fout"
	}
	var violations []*errdetails.BadRequest_FieldViolation
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			violations = append(violations, br.GetFieldViolations()...)
		}
	}
	if len(violations) > 0 {
		// The message repeats the violations: show them once, by flag.
		fmt.Fprintf(w, "%s: %s (%s):\n", prefix, what, st.Code())
		for _, v := range violations {
			fmt.Fprintf(w, "  %s\n", violationLine(ec.flagFor, v.GetField(), v.GetDescription()))
		}
	} else {
		fmt.Fprintf(w, "%s: %s (%s): %s\n", prefix, what, st.Code(), st.Message())
	}
	switch st.Code() {
	case codes.Unavailable:
		if strings.Contains(st.Message(), "connect") || strings.Contains(st.Message(), "dial") {
			fmt.Fprintf(w, "rotsd antwoordt niet op %s (-addr of ROTS_ADDR): draait rotsd?\n", ec.addr)
		}
		if ec.requestID != "" {
			fmt.Fprintf(w, "Probeer opnieuw met -request-id %s: dat doet het werk hoogstens één keer.\n", ec.requestID)
		}
	case codes.DeadlineExceeded:
		if ec.requestID != "" {
			fmt.Fprintf(w, "Probeer opnieuw met -request-id %s: dat doet het werk hoogstens één keer.\n", ec.requestID)
		}
	case codes.Unauthenticated:
		src := ec.tokenSource
		if src == "" {
			src = "geen token"
		}
		fmt.Fprintf(w, "Token: %s. Meld u aan met rotsctl login (zie rotsctl login -h) of zet ROTS_TOKEN.\n", src)
	}
}

// printLines prints an error, several joined errors each on a line.
func printLines(w io.Writer, prefix string, err error) {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) == 1 {
		fmt.Fprintf(w, "%s: %s\n", prefix, lines[0])
		return
	}
	fmt.Fprintf(w, "%s:\n", prefix)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// violationLine says one field violation by the flag that sets the field:
// "-tried (de 2e): must not … [tried[1]]".
func violationLine(flagFor func(string) string, field, desc string) string {
	f := ""
	if flagFor != nil {
		f = flagFor(field)
	}
	if f == "" {
		return fmt.Sprintf("%s: %s", field, desc)
	}
	return fmt.Sprintf("%s: %s  [%s]", f, desc, field)
}

var indexPattern = regexp.MustCompile(`\[(\d+)\]`)

// fieldPattern turns "agreements[2].due_date" into "agreements[].due_date"
// and the first index, 2 (-1 without one).
func fieldPattern(field string) (string, int) {
	index := -1
	if m := indexPattern.FindStringSubmatch(field); m != nil {
		index, _ = strconv.Atoi(m[1])
	}
	return indexPattern.ReplaceAllString(field, "[]"), index
}

// commonFields are request fields every command sets the same way.
var commonFields = map[string]string{
	"request_id": "-request-id", "page_size": "-page-size", "page_token": "-page-token",
}

// fieldFlags says, per command, which flag sets which request field. A
// field not listed whose last part is the name of one of the command's
// flags (reason → -reason) is named by that flag.
var fieldFlags = map[string]map[string]string{
	"submit": {
		"region": "-region", "submitting_organisation": "-org", "submitting_organisation.name": "-org",
		"submitting_organisation.kind": "-org-kind", "contact": "-contact", "contact.name": "-contact",
		"contact.email": "-email", "contact.phone": "-phone", "young_person": "-alias", "young_person.alias": "-alias",
		"young_person.birth_year": "-born", "young_person.birth_month": "-born", "young_person.school_level": "-level",
		"young_person.grade": "-grade", "young_person.school": "-school", "young_person.municipality": "-municipality",
		"blocked": "-blocked", "tried": "-tried", "tried[]": "-tried", "themes": "-theme", "themes[]": "-theme",
		"attestation": "-attest", "attestation.clb_stuck": "-attest", "attestation.youth_care_stuck": "-attest",
		"attestation.young_person_and_parents_informed": "-attest",
	},
	"list": {"region": "-region", "stage": "-stage", "submitting_organisation": "-org", "min_rung": "-min-rung", "overdue_only": "-overdue", "reference": "-reference",
		"order_by": "-order", "open_only": "-open", "query": "-query"},
	"intake":  {"decision": "-decision", "question": "-question", "decline_reason": "-reason", "referral_suggestion": "-suggest", "note": "-note"},
	"consult": {"experts": "-expert", "experts[]": "-expert", "consult_date": "-date"},
	"outcome": {
		"agreements": "-agreement", "agreements[]": "-agreement", "agreements[].action": "-agreement",
		"agreements[].owner_organisation": "-agreement", "agreements[].due_date": "-agreement", "agreements[].person": "-agreement",
		"offers": "-use-offer", "offers[]": "-use-offer",
	},
	"schedule":   {"start_time": "-at", "duration_minutes": "-minutes"},
	"agreement":  {"blocked_reason": "-reason"},
	"attendance": {"present": "-present", "present[]": "-present"},
	"gap":        {"gap.theme": "-theme", "gap.age_band": "-age", "gap.needed": "-needed", "gap.waiting_weeks": "-waiting-weeks"},
	"offers":     {"query": "zoekwoorden", "themes": "-theme", "themes[]": "-theme", "age_band": "-age"},
	"inbox":      {"recipient": "het adres"},
	"read":       {"name": "de melding"},
	"audit":      {"case": "-case", "actor": "-actor"},
	"report":     {"from_month": "-from", "to_month": "-to", "region": "-region"},
	"policy set": {
		"policy.tandem_emails": "-tandem", "policy.tandem_emails[]": "-tandem",
		"policy.manager_emails": "-manager", "policy.manager_emails[]": "-manager", "policy.name": "de regio",
	},
	"policy get": {"name": "de regio"},
	"signal create": {
		"region": "-region", "signal.region": "-region", "signal.title": "-title", "signal.text": "-text",
		"signal.from_month": "-from (of -year)", "signal.to_month": "-to (of -year)",
		"signal.figure_sections": "-figure", "signal.figure_sections[]": "-figure",
	},
	"signal edit": {
		"signal.name": "het signaal", "signal.title": "-title", "signal.text": "-text", "signal.from_month": "-from (of -year)",
		"signal.to_month": "-to (of -year)", "signal.figure_sections": "-figure", "signal.figure_sections[]": "-figure",
		"update_mask": "de opties",
	},
	"signal approve": {"etag": "-etag"},
	"signal sent":    {"recipient": "-recipient"},
	"signal export":  {"format": "-format"},
	"signal list":    {"region": "-region", "flanders_only": "-region", "state": "-state"},
}

// caseCommands take a case as their argument: a field "name" is it.
var caseCommands = map[string]bool{
	"show": true, "intake": true, "answer": true, "consult": true, "outcome": true, "close": true, "withdraw": true,
	"consent": true, "export": true, "convene": true, "schedule": true, "reconvene": true, "agreement": true,
	"attendance": true, "gap": true,
}

// flagNamer returns how a command's errors name a request field: the flag
// that sets it, with the position for a repeated flag ("-tried (de 2e)").
// extra, when not nil, is asked first (a command whose flags make one list
// together, like convene's -partner and -context).
func flagNamer(command string, fs *flag.FlagSet, extra func(field string) string) func(string) string {
	return func(field string) string {
		if extra != nil {
			if f := extra(field); f != "" {
				return f
			}
		}
		pattern, index := fieldPattern(field)
		m := fieldFlags[command]
		f, ok := m[field]
		if !ok {
			f, ok = m[pattern]
		}
		if !ok {
			f, ok = commonFields[field]
		}
		if !ok && field == "name" {
			if caseCommands[command] {
				return "het dossier"
			}
			if strings.HasPrefix(command, "signal ") {
				return "het signaal"
			}
		}
		if !ok && fs != nil {
			last := pattern[strings.LastIndex(pattern, ".")+1:]
			last = strings.TrimSuffix(last, "[]")
			if fs.Lookup(flagValue(last)) != nil {
				f, ok = "-"+flagValue(last), true
			}
		}
		if !ok {
			return ""
		}
		if index >= 0 && strings.HasPrefix(f, "-") && !strings.Contains(f, " ") {
			f += fmt.Sprintf(" (de %s)", dutch.Ordinal(index+1))
		}
		return f
	}
}
