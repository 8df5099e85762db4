// Package eventually waits, in tests, for what the system under test does
// in its own time: a workflow that projects, a timer that fires, a mail
// that is sent. One helper instead of polling loops written out by hand.
// Only tests import it.
package eventually

import (
	"testing"
	"time"
)

// Every is how often a condition is asked again.
const Every = 100 * time.Millisecond

// Until asks cond until it reports done, and fails the test with cond's
// last word on why not when within has passed. cond may fail the test
// itself for an error that waiting will not mend.
func Until(t testing.TB, within time.Duration, cond func() (done bool, why string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		done, why := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, why)
		}
		time.Sleep(Every)
	}
}
