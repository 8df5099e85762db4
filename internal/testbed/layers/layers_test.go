// Package layers checks the layout's rules on what may import what, as the
// package docs state them.
package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rots-vlaanderen/roundtable/"

// rules: a package (or every package under a path ending in "/") may not
// import the paths listed (again, a trailing "/" means the whole tree),
// except those in allow.
var rules = []struct {
	pkg          string
	deny, allow  []string
	onlyInternal bool // may import nothing of the project but gen/
}{
	{pkg: "internal/vocab", onlyInternal: true},
	{pkg: "internal/calendar", onlyInternal: true},
	{pkg: "internal/disclosure", onlyInternal: true},
	{pkg: "internal/escalation", deny: []string{""}, allow: []string{"internal/calendar"}},
	{pkg: "internal/devtemporal", deny: []string{""}},
	{pkg: "internal/store", deny: []string{"services/", "workflows", "cmd/", "internal/authz", "internal/testbed/", "internal/directory", "internal/signals"}},
	{pkg: "internal/directory", deny: []string{"services/", "workflows", "cmd/", "internal/authz", "internal/signals"}},
	{pkg: "internal/signals", deny: []string{"services/", "workflows", "cmd/", "internal/authz", "internal/directory"}},
	{pkg: "internal/dutch", deny: []string{"internal/store", "services/", "workflows", "cmd/"}},
	{pkg: "internal/notify", deny: []string{"internal/store", "services/", "workflows"}},
	{pkg: "internal/auth", deny: []string{"internal/store", "services/", "workflows"}},
	{pkg: "internal/authz", deny: []string{"services/", "workflows", "cmd/"}, allow: []string{"services/rpc"}},
	{pkg: "internal/metrics", deny: []string{"services/", "workflows", "cmd/"}},
	{pkg: "internal/ratelimit", deny: []string{"internal/store", "services/", "workflows", "cmd/"}},
	{pkg: "web", deny: []string{"services/", "workflows", "internal/authz", "cmd/"}},
	{pkg: "workflows", deny: []string{"services/", "cmd/", "internal/testbed/"}},
	{pkg: "services/rpc", deny: []string{"services/", "workflows", "cmd/"}},
	{pkg: "services/", deny: []string{"cmd/", "internal/testbed/"}},
	{pkg: "services/adminservice", deny: []string{"services/"}, allow: []string{"services/rpc"}},
	{pkg: "services/auditservice", deny: []string{"services/"}, allow: []string{"services/rpc"}},
	{pkg: "services/changeservice", deny: []string{"services/", "workflows"}, allow: []string{"services/rpc"}},
	{pkg: "services/directoryservice", deny: []string{"services/"}, allow: []string{"services/rpc"}},
	{pkg: "services/notificationservice", deny: []string{"services/"}, allow: []string{"services/rpc"}},
	{pkg: "services/reportservice", deny: []string{"services/", "workflows"}, allow: []string{"services/rpc"}},
	{pkg: "services/signalservice", deny: []string{"services/", "workflows"}, allow: []string{"services/rpc", "services/reportservice"}},
	{pkg: "services/consultationservice", deny: []string{"services/"}, allow: []string{"services/rpc", "services/caseservice"}},
}

func matches(path, pattern string) bool {
	if strings.HasSuffix(pattern, "/") || pattern == "" {
		return strings.HasPrefix(path, pattern)
	}
	return path == pattern
}

// Every package's imports keep to the rules; the test harnesses are
// imported by tests only.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			imp = strings.TrimPrefix(imp, module)
			if strings.HasPrefix(imp, "internal/testbed/") && !strings.HasPrefix(pkg, "internal/testbed/") {
				t.Errorf("%s imports the test harness %s", pkg, imp)
			}
			for _, r := range rules {
				if !matches(pkg, r.pkg) {
					continue
				}
				checked++
				if r.onlyInternal && !strings.HasPrefix(imp, "gen/") {
					t.Errorf("%s is a leaf but imports %s", pkg, imp)
				}
				for _, d := range r.deny {
					if matches(imp, d) && !contains(r.allow, imp) && imp != pkg {
						t.Errorf("%s may not import %s", pkg, imp)
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d imports checked; is the module path right?", checked)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
