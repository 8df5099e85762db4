package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// invalid is an InvalidArgument as the server makes it: the message lists
// every violation and the BadRequest detail lists them again.
func invalid(violations ...[2]string) error {
	var fvs []*errdetails.BadRequest_FieldViolation
	var msgs []string
	for _, v := range violations {
		fvs = append(fvs, &errdetails.BadRequest_FieldViolation{Field: v[0], Description: v[1]})
		msgs = append(msgs, v[0]+": "+v[1])
	}
	st, err := status.New(codes.InvalidArgument, "invalid request: "+strings.Join(msgs, "; ")).WithDetails(&errdetails.BadRequest{FieldViolations: fvs})
	if err != nil {
		panic(err)
	}
	return st.Err()
}

// commandFlags is the flag set of a command, to look flags up in.
func commandFlags(t *testing.T, command string, args ...string) *flag.FlagSet {
	t.Helper()
	c := &client{}
	var run func(*client, []string) error
	switch command {
	case "submit":
		run = func(c *client, a []string) error { return c.submit(t.Context(), a) }
	case "close":
		run = func(c *client, a []string) error { return c.close(t.Context(), a) }
	}
	if err := run(c, append(args, "-h")); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("%s -h = %v", command, err)
	}
	return c.fs
}

func TestViolationsNameTheirFlags(t *testing.T) {
	submit := flagNamer("submit", commandFlags(t, "submit"), nil)
	for field, want := range map[string]string{
		"submitting_organisation.name": "-org",
		"submitting_organisation.kind": "-org-kind",
		"contact.email":                "-email",
		"young_person.alias":           "-alias",
		"young_person.birth_month":     "-born",
		"young_person.school_level":    "-level",
		"tried[1]":                     "-tried (de 2e)",
		"tried[0]":                     "-tried (de 1e)",
		"themes[2]":                    "-theme (de 3e)",
		"request_id":                   "-request-id",
		"region":                       "-region",
		"attestation.clb_stuck":        "-attest",
		"blocked":                      "-blocked",
		"something_else":               "",
	} {
		if got := submit(field); got != want {
			t.Errorf("submit: %s names %q, want %q", field, got, want)
		}
	}
	intake := flagNamer("intake", nil, nil)
	for field, want := range map[string]string{"decline_reason": "-reason", "referral_suggestion": "-suggest", "name": "het dossier"} {
		if got := intake(field); got != want {
			t.Errorf("intake: %s names %q, want %q", field, got, want)
		}
	}
	list := flagNamer("list", nil, nil)
	for field, want := range map[string]string{"order_by": "-order", "open_only": "-open", "query": "-query", "min_rung": "-min-rung"} {
		if got := list(field); got != want {
			t.Errorf("list: %s names %q, want %q", field, got, want)
		}
	}
	outcome := flagNamer("outcome", nil, nil)
	if got := outcome("agreements[1].due_date"); got != "-agreement (de 2e)" {
		t.Errorf("outcome: agreements[1].due_date names %q", got)
	}
	// A field named like one of the command's flags needs no table.
	closing := flagNamer("close", commandFlags(t, "close"), nil)
	if got := closing("note"); got != "-note" {
		t.Errorf("close: note names %q", got)
	}
	// convene's participants are its -partner flags, then its -context flags.
	n := 2
	convene := flagNamer("convene", nil, func(field string) string {
		p, i := fieldPattern(field)
		if !strings.HasPrefix(p, "participants[]") {
			return ""
		}
		if i < n {
			return fmt.Sprintf("-partner (de %s)", dutch.Ordinal(i+1))
		}
		return fmt.Sprintf("-context (de %s)", dutch.Ordinal(i-n+1))
	})
	if got := convene("participants[1].email"); got != "-partner (de 2e)" {
		t.Errorf("convene: participants[1].email names %q", got)
	}
	if got := convene("participants[2].name"); got != "-context (de 1e)" {
		t.Errorf("convene: participants[2].name names %q", got)
	}
	if got := flagNamer("signal create", nil, nil)("signal.figure_sections[0]"); got != "-figure (de 1e)" {
		t.Errorf("signal create: figure_sections[0] names %q", got)
	}
}

func TestEachErrorOnce(t *testing.T) {
	err := invalid(
		[2]string{"submitting_organisation.name", "is required"},
		[2]string{"tried[1]", "must not contain a national register number"},
		[2]string{"request_id", "was used for a different request"},
	)
	var w bytes.Buffer
	printError(&w, errorContext{command: "submit", flagFor: flagNamer("submit", nil, nil)}, err)
	out := w.String()
	for _, want := range []string{
		"rotsctl submit: ongeldige invoer (InvalidArgument):\n",
		"  -org: is required  [submitting_organisation.name]\n",
		"  -tried (de 2e): must not contain a national register number  [tried[1]]\n",
		"  -request-id: was used for a different request  [request_id]\n",
	} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want %q once in\n%s", want, out)
		}
	}
	for _, desc := range []string{"is required", "national register number", "different request"} {
		if n := strings.Count(out, desc); n != 1 {
			t.Errorf("%q shown %d times:\n%s", desc, n, out)
		}
	}
	if strings.Contains(out, "invalid request:") {
		t.Errorf("the message that repeats the violations is shown:\n%s", out)
	}

	w.Reset()
	printError(&w, errorContext{command: "intake"}, status.Error(codes.FailedPrecondition, "case is in stage CONSULT; DecideIntake needs INTAKE"))
	if got := w.String(); got != "rotsctl intake: kan niet in deze fase (FailedPrecondition): case is in stage CONSULT; DecideIntake needs INTAKE\n" {
		t.Errorf("FailedPrecondition printed as %q", got)
	}

	w.Reset()
	printError(&w, errorContext{command: "intake", requestID: "r-1", addr: "127.0.0.1:9090"},
		status.Error(codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:9090: connect: connection refused"`))
	if got := w.String(); !strings.Contains(got, "draait rotsd?") || !strings.Contains(got, "-request-id r-1") {
		t.Errorf("Unavailable printed as %q", got)
	}

	w.Reset()
	printError(&w, errorContext{command: "submit"}, usageErr(errors.Join(errors.New(`-theme "x": kies uit …`), errors.New(`-born "2012": …`))))
	if got := w.String(); got != "rotsctl submit:\n  -theme \"x\": kies uit …\n  -born \"2012\": …\nZie: rotsctl submit -h\n" {
		t.Errorf("usage errors printed as %q", got)
	}
}

func TestFlagParseErrors(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	fs.Int("grade", 0, "")
	fs.String("org", "", "")
	for args, want := range map[string]string{
		"-nope":     "onbekende optie -nope",
		"-grade x":  `-grade "x": ongeldige waarde (parse error)`,
		"-org":      "-org: de waarde ontbreekt",
		"-grade=1x": `-grade "1x": ongeldige waarde (parse error)`,
	} {
		err := fs.Parse(strings.Fields(args))
		if err == nil {
			t.Fatalf("%s parsed", args)
		}
		got := flagParseError(err)
		if got.Error() != want {
			t.Errorf("%s: %q, want %q", args, got, want)
		}
		if _, ok := got.(usageError); !ok {
			t.Errorf("%s: not a usage error", args)
		}
	}
}
