package faults

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// traffic is clients that each submit a case and accept every other one at
// intake, over and over, retrying with the same request_id as a client
// should, until stopped.
type traffic struct {
	stopCh chan struct{}
	wg     sync.WaitGroup

	mu    sync.Mutex
	acked []ack // submissions, in the order acknowledged
	// Failed attempts that were retried, by code.
	submitFailures, commandFailures map[codes.Code]int
	errs                            []error // calls that failed for good
	// How long acknowledged calls took, retries included.
	submitTimes, commandTimes []time.Duration
}

type ack struct {
	caseID string
	at     time.Time
}

func (h *harness) traffic(clients int) *traffic {
	tr := &traffic{stopCh: make(chan struct{}), submitFailures: map[codes.Code]int{}, commandFailures: map[codes.Code]int{}}
	for range clients {
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			for {
				select {
				case <-tr.stopCh:
					return
				default:
				}
				t0 := time.Now()
				id, failures, err := h.submit()
				tr.record(tr.submitFailures, &tr.submitTimes, time.Since(t0), failures, err)
				if err != nil {
					continue
				}
				tr.mu.Lock()
				tr.acked = append(tr.acked, ack{id, time.Now()})
				tr.mu.Unlock()
				if rand.IntN(2) == 0 {
					t0 := time.Now()
					failures, err := h.accept(id)
					tr.record(tr.commandFailures, &tr.commandTimes, time.Since(t0), failures, err)
				}
			}
		}()
	}
	return tr
}

func (tr *traffic) record(byCode map[codes.Code]int, times *[]time.Duration, took time.Duration, failures []error, err error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, f := range failures {
		byCode[status.Code(f)]++
	}
	if err != nil {
		tr.errs = append(tr.errs, err)
		return
	}
	*times = append(*times, took)
}

// quantile is the q-th quantile (nearest rank) of durations.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	return s[min(max(int(q*float64(len(s))+0.5)-1, 0), len(s)-1)]
}

// stop waits for every client to finish its call, and fails the test for
// any call that failed for good.
func (tr *traffic) stop(t *testing.T) {
	t.Helper()
	close(tr.stopCh)
	tr.wg.Wait()
	for i, err := range tr.errs {
		if i == 5 {
			t.Errorf("… %d calls failed in all", len(tr.errs))
			break
		}
		t.Errorf("call failed for good: %v", err)
	}
	t.Logf("%d submissions acknowledged; attempts that failed and were retried: submissions %v, commands %v",
		len(tr.acked), tr.submitFailures, tr.commandFailures)
	t.Logf("time to acknowledgement: submissions p50 %s p99 %s; commands (%d) p50 %s p99 %s",
		quantile(tr.submitTimes, .5).Round(time.Millisecond), quantile(tr.submitTimes, .99).Round(time.Millisecond), len(tr.commandTimes),
		quantile(tr.commandTimes, .5).Round(time.Millisecond), quantile(tr.commandTimes, .99).Round(time.Millisecond))
}

// before is the cases acknowledged before t.
func (tr *traffic) before(t time.Time) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var ids []string
	for _, a := range tr.acked {
		if a.at.Before(t) {
			ids = append(ids, a.caseID)
		}
	}
	return ids
}
