package warmpool

import (
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// Options tune how the engine batches and polls. The defaults follow AWS's
// limits; tests shorten the intervals.
type Options struct {
	// IDsPerCall bounds instance ids per Start/Stop/Terminate/CreateTags call.
	IDsPerCall int
	// DescribePageSize is DescribeInstances' MaxResults (AWS allows up to 1000).
	DescribePageSize int32
	// PollInterval is how often EC2 is described while waiting (batched: one
	// paginated call for the whole pool, never one per instance).
	PollInterval time.Duration
	// MaxPollInterval caps the waiters' back-off.
	MaxPollInterval time.Duration
	// SteadyPolling is how long a wait polls every PollInterval before it
	// backs off: a stop or start usually ends within it, and one describe
	// per interval for the whole pool costs little, while a back-off from
	// the start would leave a pool waiting seconds past its last stop.
	SteadyPolling time.Duration
	// ReplacementRounds bounds how often failed warmups are replaced within one converge.
	ReplacementRounds int
	// ConsoleLines is how many trailing console lines a failure report quotes.
	ConsoleLines int
	// Clock is what waits read and sleep on; nil is the wall clock.
	Clock poll.Clock
}

func (o Options) withDefaults() Options {
	if o.IDsPerCall <= 0 {
		o.IDsPerCall = 1000
	}
	if o.DescribePageSize <= 0 {
		o.DescribePageSize = 1000
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.SteadyPolling <= 0 {
		o.SteadyPolling = 30 * time.Second
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 10 * time.Second
	}
	if o.ReplacementRounds <= 0 {
		o.ReplacementRounds = 2
	}
	if o.ConsoleLines <= 0 {
		o.ConsoleLines = 5
	}
	return o
}

// schedule is the poll schedule every wait of the engine follows.
func (o Options) schedule() poll.Schedule {
	o = o.withDefaults()
	return poll.Schedule{Interval: o.PollInterval, Steady: o.SteadyPolling, Max: o.MaxPollInterval}
}

func (e *Engine) pollOptions() poll.Options {
	return poll.Options{Schedule: e.Options.schedule(), Clock: e.Options.Clock}
}
