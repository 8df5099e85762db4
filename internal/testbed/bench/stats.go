package main

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// result is one measured series: every call's latency (kept whole, so the
// percentiles are exact), the wall time and the failures.
type result struct {
	latencies []time.Duration
	wall      time.Duration
	errors    int
	firstErr  error
}

func (r result) n() int { return len(r.latencies) }

// quantile is the q-th quantile (nearest rank) of the latencies.
func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// throughput is calls per second over the wall time.
func (r result) throughput() float64 {
	if r.wall <= 0 {
		return 0
	}
	return float64(len(r.latencies)) / r.wall.Seconds()
}

// load calls fn total times from concurrency goroutines; fn gets the call's
// index. Failed calls count as errors, not latencies.
func load(concurrency, total int, fn func(i int) error) result {
	var (
		mu   sync.Mutex
		r    result
		next = make(chan int)
		wg   sync.WaitGroup
	)
	began := time.Now()
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				err := fn(i)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				} else {
					r.latencies = append(r.latencies, d)
				}
				mu.Unlock()
			}
		})
	}
	for i := range total {
		next <- i
	}
	close(next)
	wg.Wait()
	r.wall = time.Since(began)
	return r
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// ratio formats a/b.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// interleave is load for several series at once: each of total indexes
// calls every fn once, in an order that rotates with the index, so that
// whatever else the machine does meanwhile falls on every series alike.
// It returns one result per fn; their wall time is the whole run's.
func interleave(concurrency, total int, fns ...func(i int) error) []result {
	rs := make([]result, len(fns))
	var mu sync.Mutex
	all := load(concurrency, total, func(i int) error {
		for k := range fns {
			j := (i + k) % len(fns)
			t0 := time.Now()
			err := fns[j](i)
			d := time.Since(t0)
			mu.Lock()
			if err != nil {
				rs[j].errors++
				if rs[j].firstErr == nil {
					rs[j].firstErr = err
				}
			} else {
				rs[j].latencies = append(rs[j].latencies, d)
			}
			mu.Unlock()
		}
		return nil
	})
	for j := range rs {
		rs[j].wall = all.wall
	}
	return rs
}
