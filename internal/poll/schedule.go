package poll

import "time"

// Schedule is when a wait polls: every Interval for its first Steady (a
// stop or start usually ends within it, and one describe per interval
// costs little, while a back-off from the start would leave a wait idle
// seconds past the change it waits for), then half as long again each
// time, up to Max.
type Schedule struct {
	Interval time.Duration
	Steady   time.Duration
	Max      time.Duration
}

// withDefaults fills zero fields: 1 s, steady for 30 s, at most 10 s.
func (s Schedule) withDefaults() Schedule {
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
	if s.Steady < 0 {
		s.Steady = 0
	}
	if s.Max < s.Interval {
		s.Max = max(s.Interval, 10*time.Second)
	}
	return s
}

// Next is the delay after delay, waited into the wait.
func (s Schedule) Next(delay, waited time.Duration) time.Duration {
	s = s.withDefaults()
	if waited < s.Steady {
		return delay
	}
	return min(delay*3/2, s.Max)
}

// untilNext is how long to sleep after a check that lasted took, so that
// polls keep their schedule however long describing a large pool takes.
func untilNext(delay, took time.Duration) time.Duration {
	return max(0, delay-took)
}
