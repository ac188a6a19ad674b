package cloud

import "sync"

// Stats is what GET /stats reports: API calls by action (every attempt,
// including throttled and failed ones) and instances by state.
type Stats struct {
	Calls map[string]int `json:"calls"`
	// Throttled counts the calls answered RequestLimitExceeded, by action
	// (the throttle_rate fault and the rate_limits buckets).
	Throttled map[string]int `json:"throttled"`
	Instances map[string]int `json:"instances"`
}

type statsCounter struct {
	mu        sync.Mutex
	calls     map[string]int
	throttled map[string]int
}

func newStatsCounter() *statsCounter {
	return &statsCounter{calls: map[string]int{}, throttled: map[string]int{}}
}

func (s *statsCounter) throttle(action string) {
	s.mu.Lock()
	s.throttled[action]++
	s.mu.Unlock()
}

func (s *statsCounter) count(action string) {
	s.mu.Lock()
	s.calls[action]++
	s.mu.Unlock()
}

// Stats snapshots the call counters and the current instance states.
// Instances that are no longer visible (terminated long ago) still count as
// terminated: the numbers describe everything ever launched.
func (w *World) Stats() Stats {
	st := Stats{Calls: map[string]int{}, Throttled: map[string]int{}, Instances: map[string]int{}}
	w.stats.mu.Lock()
	for k, v := range w.stats.calls {
		st.Calls[k] = v
	}
	for k, v := range w.stats.throttled {
		st.Throttled[k] = v
	}
	w.stats.mu.Unlock()
	w.mu.Lock()
	for _, inst := range w.order {
		st.Instances[inst.state]++
	}
	w.mu.Unlock()
	return st
}

// ResetStats zeroes the call counters; instances are not affected.
func (w *World) ResetStats() {
	w.stats.mu.Lock()
	w.stats.calls = map[string]int{}
	w.stats.throttled = map[string]int{}
	w.stats.mu.Unlock()
}
