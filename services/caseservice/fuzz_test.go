package caseservice

import (
	"context"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
)

// registerNumber is a national register number as most people write it:
// plain, dotted and dashed or spaced.
var registerNumber = regexp.MustCompile(`^\d{2}[. ]?\d{2}[. ]?\d{2}[- ]?\d{3}[. ]?\d{2}`)

// hasRegisterNumber is a second, simpler reading of what rpc.Text refuses:
// a number in registerNumber's forms, standing apart from other digits,
// whose check number is 97 minus the first nine digits modulo 97, or minus
// 2 followed by them for a birth from 2000 on.
func hasRegisterNumber(s string) bool {
	isDigit := func(i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }
	for i := range len(s) {
		if !isDigit(i) || isDigit(i-1) {
			continue
		}
		m := registerNumber.FindString(s[i:])
		if m == "" || isDigit(i+len(m)) {
			continue
		}
		d := strings.Map(func(r rune) rune {
			if r < '0' || r > '9' {
				return -1
			}
			return r
		}, m)
		first, _ := strconv.ParseInt(d[:9], 10, 64)
		check, _ := strconv.ParseInt(d[9:], 10, 64)
		if check == 97-first%97 || check == 97-(2_000_000_000+first)%97 {
			return true
		}
	}
	return false
}

// FuzzSubmitValidation feeds arbitrary text into the fields a user types.
// Validation must never panic, and what it accepts must keep its promises:
// bounded lengths, a plain e-mail address, no national register number in
// the young person's alias or the free texts.
func FuzzSubmitValidation(f *testing.F) {
	f.Add("J.", "Thuiszitter sinds september", "an@clb.be", "Gesprekken", int32(2012), int32(5))
	f.Add("85.07.30-033.28", "85073003328", "An <an@clb.be>", "", int32(0), int32(13))
	f.Add("Noor", "Dossier 12 05 01 123 66", "an@clb.be", "85.07.30-033.27 en 20240915001", int32(2012), int32(5))
	f.Add("Jan Piet Joris", strings.Repeat("é", 4001), "an@", "\x00", int32(2030), int32(-1))
	s := testServer(fixedNow)
	f.Fuzz(func(t *testing.T, alias, blocked, email, tried string, year, month int32) {
		req := validSubmit()
		req.YoungPerson.Alias, req.Blocked, req.Contact.Email, req.Tried = alias, blocked, email, []string{tried}
		req.YoungPerson.BirthYear, req.YoungPerson.BirthMonth = year, month
		err := s.validateSubmit(req)
		if err != nil {
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("validation error with code %s", status.Code(err))
			}
			return
		}
		for _, text := range []string{alias, blocked, tried} {
			if hasRegisterNumber(text) {
				t.Errorf("accepted a national register number in %q", text)
			}
		}
		if utf8.RuneCountInString(alias) > 40 || utf8.RuneCountInString(blocked) > 4000 || len(strings.Fields(alias)) > 2 {
			t.Errorf("accepted alias %q / blocked of %d characters", alias, utf8.RuneCountInString(blocked))
		}
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			t.Errorf("accepted e-mail address %q", email)
		}
		if month < 1 || month > 12 {
			t.Errorf("accepted birth month %d", month)
		}
	})
}

// FuzzCommandValidation sends arbitrary names and dates to a command
// without a request ID: whatever else is wrong, the answer is
// InvalidArgument naming request_id, and never a panic.
func FuzzCommandValidation(f *testing.F) {
	f.Add("cases/0b9e3a5c-4f1d-4c2a-9e8b-7d6c5b4a3f21", "2027-03-29", "actie")
	f.Add("cases/", "29/03/2027", "")
	f.Add("", "2027-02-30", strings.Repeat("x", 1001))
	s := testServer(fixedNow)
	f.Fuzz(func(t *testing.T, name, due, action string) {
		_, err := s.RecordTableOutcome(context.Background(), &rotsv1.RecordTableOutcomeRequest{
			Name: name, Offer: "aanbod", Agreements: []*rotsv1.Agreement{{Action: action, OwnerOrganisation: "CLB", DueDate: due}},
		})
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(status.Convert(err).Message(), "request_id") {
			t.Fatalf("got %v, want InvalidArgument naming request_id", err)
		}
	})
}
