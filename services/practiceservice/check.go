package practiceservice

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// identifiers are what a practice's texts must not hold: the case's
// alias, school and municipality, and the names of the people of the case
// and of the directory.
type identifiers struct {
	// Whole phrases, matched as whole words whatever their case.
	phrases []string
	// Parts of people's names (three letters or more, not a particle like
	// "van"), matched as whole words as written: "Vranken", not "vranken".
	nameParts []string
}

// particles begin many Dutch surnames; alone they identify nobody.
var particles = []string{"van", "de", "der", "den", "het", "ten", "ter", "vander", "vanden", "le", "la", "du", "mc"}

func identifiersOf(c *store.Case, directoryPeople []string) identifiers {
	var id identifiers
	phrase := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(id.phrases, s) {
			id.phrases = append(id.phrases, s)
		}
	}
	person := func(name string) {
		phrase(name)
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if len([]rune(part)) >= 3 && !slices.Contains(particles, strings.ToLower(part)) && !slices.Contains(id.nameParts, part) {
				id.nameParts = append(id.nameParts, part)
			}
		}
	}
	phrase(c.YoungPerson.Alias)
	phrase(c.YoungPerson.School)
	phrase(c.YoungPerson.Municipality)
	person(c.ContactName)
	for _, p := range c.Participants {
		person(p.Name)
	}
	for _, a := range c.Agreements {
		person(a.Person)
	}
	for _, n := range directoryPeople {
		person(n)
	}
	return id
}

// dayDates are dates finer than a month, as people write them in Dutch
// or in ISO form: 2026-03-14, 14/03/2026, 14-3-26, 14.03.2026, 14 maart,
// 14 mrt. 2026, 1ste september. "maart 2026" (a month) passes.
var dayDates = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])(` +
	`\d{4}-\d{1,2}-\d{1,2}` +
	`|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}` +
	`|\d{1,2}(ste|de|e)?\s+(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?` +
	`)($|[^\p{L}\p{N}])`)

// containsWord reports whether text holds word as a whole word; fold
// ignores case.
func containsWord(text, word string, fold bool) bool {
	flags := ""
	if fold {
		flags = "(?i)"
	}
	re := regexp.MustCompile(flags + `(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(word) + `($|[^\p{L}\p{N}])`)
	return re.MatchString(text)
}

// checkText checks one free text of a practice: the guard of every free
// text (rpc.Violations.Text: length, national register numbers), then
// nothing that identifies the young person. Each problem names the field.
func checkText(v *rpc.Violations, field, text string, required bool, max int, id identifiers) {
	before := len(*v)
	v.Text(field, text, required, max)
	if len(*v) > before || text == "" {
		return
	}
	for _, p := range id.phrases {
		if containsWord(text, p, true) {
			v.Add(field, "must not name the young person, their school or municipality, or a person of the case or the directory; write in general terms")
			return
		}
	}
	for _, p := range id.nameParts {
		if containsWord(text, p, false) {
			v.Add(field, "must not name the young person, their school or municipality, or a person of the case or the directory; write in general terms")
			return
		}
	}
	if dayDates.MatchString(text) {
		v.Add(field, "must not hold a date finer than a month (a day); write the month, e.g. maart 2026, or a duration")
	}
}
