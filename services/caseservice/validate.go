package caseservice

import (
	"strings"
	"unicode/utf8"

	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// phone checks an optional phone number. In international form a Belgian
// number, +32470123456 or 0032470123456, has the eleven digits of a
// national register number, so only a number without a country code is
// checked for one.
func phone(v *rpc.Violations, field, s string) {
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "+") || strings.HasPrefix(t, "00") {
		if n := utf8.RuneCountInString(s); n > 40 {
			v.Add(field, "must be at most %d characters, got %d", 40, n)
		}
		return
	}
	v.Text(field, s, false, 40)
}
