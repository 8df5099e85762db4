package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestQuick runs every scenario at small sizes on the development server,
// and those that measure the topology on the production one too, so the
// benchmark cannot rot: each must finish without a failed call and print
// its table, with a row for each topology.
func TestQuick(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), quick, scenarios, []string{dev}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, heading := range []string{"### 1. Intake", "### 2. Stage command", "### 3. Reads", "### 6. Web pages", "### 4. Open cases", "### 5. Timers",
		"### 7. Stage commands under load", "### 8. Timers' sustained rate", "### 9. A flooding client"} {
		if !strings.Contains(out.String(), heading) {
			t.Errorf("no %q table in the output", heading)
		}
	}

	// Both topologies side by side, on the scenarios the topology changes:
	// the production one is the slower to start, so CI runs the few that
	// matter most there.
	out.Reset()
	if err := run(context.Background(), quick, []string{"intake", "command", "open"}, topologies, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, row := range []string{"| 1 | dev |", "| 1 | production |", "| dev | p50 |", "| production | p50 |",
		"| dev | escalation to rung 1 |", "| production | escalation to rung 1 |"} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("no row %q in the output", row)
		}
	}
}
