package observability

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The files of deploy/monitoring, from this package's folder.
const (
	rulesFile     = "../../../deploy/monitoring/rotsd-alerts.yml"
	dashboardFile = "../../../deploy/monitoring/rotsd-dashboard.json"
)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		ID      int    `json:"id"`
		Title   string `json:"title"`
		Type    string `json:"type"`
		Targets []struct {
			Expr  string `json:"expr"`
			RefID string `json:"refId"`
		} `json:"targets"`
	} `json:"panels"`
}

// metricName is a name of rotsd's own or of the Temporal SDK's in an
// expression; up and the like are Prometheus's own.
var metricName = regexp.MustCompile(`\b(?:rots|temporal)_[a-zA-Z0-9_]+\b`)

// checkMonitoring parses the alert rules strictly and the dashboard, and
// checks that every metric their expressions use is one a running rotsd
// serves (served: the sample names of its scrapes).
func checkMonitoring(t *testing.T, served map[string]bool) {
	var exprs []string
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var rules ruleFile
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	var alerts []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q of group %q lacks a name, an expression, a severity or a summary", r.Alert, g.Name)
			}
			if _, err := time.ParseDuration(r.For); err != nil {
				t.Errorf("rule %s: for %q: %v", r.Alert, r.For, err)
			}
			exprs = append(exprs, r.Expr)
		}
	}
	for _, want := range []string{"RotsOutboxGrowing", "RotsOutboxStale", "RotsMailsFailing", "RotsWorkerMissing", "RotsBreakthroughCases", "RotsAPIErrorRate"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s", want)
		}
	}

	b, err = os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	dec2 := json.NewDecoder(bytes.NewReader(b))
	var d dashboard
	if err := dec2.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Errorf("the dashboard has no title, uid or panels")
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] || p.Title == "" || len(p.Targets) == 0 {
			t.Errorf("panel %d %q: a repeated id, no title or no query", p.ID, p.Title)
		}
		ids[p.ID] = true
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}

	used := map[string]bool{}
	for _, e := range exprs {
		if !balanced(e) {
			t.Errorf("unbalanced brackets in %q", e)
		}
		for _, name := range metricName.FindAllString(e, -1) {
			used[name] = true
			if !served[name] {
				t.Errorf("%q uses %s, which rotsd does not serve", strings.TrimSpace(e), name)
			}
		}
	}
	t.Logf("%d alerts and %d panels use %d metrics, each served", len(alerts), len(d.Panels), len(used))
}

// balanced reports whether an expression's brackets and quotes pair up.
func balanced(e string) bool {
	var stack []rune
	inQuote := false
	for _, r := range e {
		switch {
		case r == '"':
			inQuote = !inQuote
		case inQuote:
		case r == '(' || r == '{' || r == '[':
			stack = append(stack, r)
		case r == ')' || r == '}' || r == ']':
			open := map[rune]rune{')': '(', '}': '{', ']': '['}[r]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0 && !inQuote
}
