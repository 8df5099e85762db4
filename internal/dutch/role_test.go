package dutch_test

import (
	"testing"

	"github.com/rots-vlaanderen/roundtable/internal/auth"
	"github.com/rots-vlaanderen/roundtable/internal/dutch"
)

// Every role has its Dutch name, the one the pages and the login page use.
func TestRole(t *testing.T) {
	want := map[string]string{auth.Submitter: "aanmelder", auth.Coordinator: "tandem", auth.Partner: "partner",
		auth.Manager: "manager", auth.Admin: "functioneel beheerder", auth.Auditor: "auditor"}
	for _, r := range auth.Roles {
		if got := dutch.Role(r); got != want[r] {
			t.Errorf("Role(%s) = %q, want %q", r, got, want[r])
		}
	}
}
