package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestQuick runs every scenario at small sizes, so the benchmark cannot
// rot: each must finish without a failed call and print its table.
func TestQuick(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), quick, scenarios, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, heading := range []string{"### 1. Intake", "### 2. Stage command", "### 3. Reads", "### 6. Web pages", "### 4. Open cases", "### 5. Timers"} {
		if !strings.Contains(out.String(), heading) {
			t.Errorf("no %q table in the output", heading)
		}
	}
}
