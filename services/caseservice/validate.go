package caseservice

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rots-vlaanderen/roundtable/internal/store"
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

// caseOrder reads ListCases' order_by (AIP-132): "" or "submit_time desc"
// is newest first, "urgency" the werkbak's order. Spaces between the words
// do not matter.
func caseOrder(v *rpc.Violations, orderBy string) store.CaseOrder {
	switch strings.Join(strings.Fields(orderBy), " ") {
	case "", "submit_time desc":
		return store.NewestFirst
	case "urgency":
		return store.ByUrgency
	}
	v.Add("order_by", `must be "submit_time desc" (newest first, the default) or "urgency", got %q`, truncate(orderBy, 40))
	return store.NewestFirst
}

// maxQuery is the longest search text of ListCases.
const maxQuery = 100

// searchQuery checks ListCases' search text. The problem never quotes the
// text: it may be a young person's alias.
func searchQuery(v *rpc.Violations, q string) {
	if n := utf8.RuneCountInString(q); n > maxQuery {
		v.Add("query", "must be at most %d characters, got %d", maxQuery, n)
	}
	if strings.ContainsFunc(q, unicode.IsControl) {
		v.Add("query", "must not contain control characters (tab, new line)")
	}
}

// truncate cuts s to at most n characters, to quote it in a problem.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
