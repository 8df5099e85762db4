package main

import (
	"testing"
	"time"

	"github.com/rots-vlaanderen/roundtable/internal/ratelimit"
	"github.com/rots-vlaanderen/roundtable/internal/store"
)

// TestLimitFlags: the limits come from the environment, the flags win, the
// defaults limit nothing, and a bad value is refused.
func TestLimitFlags(t *testing.T) {
	env := map[string]string{"ROTS_RATE_LIMIT": "2.5", "ROTS_RATE_BURST": "7"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := loadConfig("dev", []string{"-max-concurrent-calls", "3", "-rate-burst", "9"}, lookup)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ratelimit.Config{Rate: 2.5, Burst: 9, MaxConcurrent: 3}); c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
	if c.ChangeRetention != store.ChangesKept {
		t.Errorf("change retention %s, want %s", c.ChangeRetention, store.ChangesKept)
	}
	none := func(string) (string, bool) { return "", false }
	if c, err := loadConfig("dev", nil, none); err != nil || !c.Limits.Off() {
		t.Errorf("by default: %+v, %v; want no limits", c.Limits, err)
	}
	for _, args := range [][]string{{"-rate-limit", "-1"}, {"-max-concurrent-calls", "-2"}, {"-rate-burst", "0"}, {"-change-retention", (time.Minute).String()}} {
		if _, err := loadConfig("dev", args, none); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	env["ROTS_MAX_CONCURRENT_CALLS"] = "many"
	if _, err := loadConfig("dev", nil, lookup); err == nil {
		t.Error("ROTS_MAX_CONCURRENT_CALLS=many accepted")
	}
}
