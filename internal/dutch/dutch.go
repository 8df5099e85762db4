// Package dutch is the one Dutch message catalogue of the mails, rotsctl
// and the web pages: the names of the API's enum values, dates, the
// deadlines and rungs of the escalation ladder, what is expected per
// stage, the labels of request fields and their violations. Whatever shows
// a thing to people says it with these words, so that the same thing is
// called the same everywhere. The case's own words (stages, regions,
// closure reasons) come from package vocab.
//
// It must not import the store, the services, the workflows or cmd.
package dutch

import "fmt"

// Count says a number of things: "1 afspraak", "3 afspraken", "geen
// afspraken".
func Count(n int, one, many string) string {
	switch n {
	case 0:
		return "geen " + many
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Ordinal is an ordinal number: 1e, 2e, 3e.
func Ordinal(n int) string { return fmt.Sprintf("%de", n) }

// roles say the roles of the tokens' role claim in Dutch.
var roles = map[string]string{
	"submitter": "aanmelder", "coordinator": "tandem", "partner": "partner",
	"manager": "manager", "admin": "functioneel beheerder", "auditor": "auditor",
}

// Role says a role ("coordinator") in Dutch ("tandem"); an unknown role
// stays as it is.
func Role(role string) string {
	if n, ok := roles[role]; ok {
		return n
	}
	return role
}
