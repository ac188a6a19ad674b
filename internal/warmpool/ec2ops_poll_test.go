package warmpool

import (
	"testing"
	"time"
)

func TestPollSchedule(t *testing.T) {
	opts := Options{}.withDefaults()
	// Steady for the first SteadyPolling: a 3 s stop is seen at the 3 s poll.
	if got := nextPollDelay(opts, opts.PollInterval, opts.SteadyPolling-time.Millisecond); got != opts.PollInterval {
		t.Errorf("delay inside the steady period = %v, want %v", got, opts.PollInterval)
	}
	// Then a back-off, capped.
	if got := nextPollDelay(opts, opts.PollInterval, opts.SteadyPolling); got <= opts.PollInterval {
		t.Errorf("delay after the steady period = %v, want more than %v", got, opts.PollInterval)
	}
	if got := nextPollDelay(opts, opts.MaxPollInterval, time.Hour); got != opts.MaxPollInterval {
		t.Errorf("delay = %v, want the cap %v", got, opts.MaxPollInterval)
	}
	// The describe's own time counts toward the interval.
	if got := untilNextPoll(time.Second, 300*time.Millisecond); got != 700*time.Millisecond {
		t.Errorf("sleep after a 300 ms describe = %v, want 700ms", got)
	}
	if got := untilNextPoll(time.Second, 2*time.Second); got != 0 {
		t.Errorf("sleep after a describe longer than the interval = %v, want 0", got)
	}
	if opts.PollInterval != time.Second || opts.SteadyPolling != 30*time.Second {
		t.Errorf("defaults: poll %v, steady %v; want 1s and 30s", opts.PollInterval, opts.SteadyPolling)
	}
}
