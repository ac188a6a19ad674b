package poll

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound marks a check's answer that the thing waited for does not
// exist (yet): EC2 is eventually consistent, so right after a create or a
// change "not found" proves nothing (EC2 Developer Guide, "Eventual
// consistency in the Amazon EC2 API"). Wrap it (fmt.Errorf("…: %w",
// poll.ErrNotFound)) or return an error for which errors.Is holds.
var ErrNotFound = errors.New("not found")

// Options configure a wait.
type Options struct {
	Schedule Schedule
	// Clock defaults to the wall clock.
	Clock Clock
	// NotFoundChecks is how many consecutive "not found" answers a wait
	// accepts before it gives up on them (terraform-provider-aws's
	// NotFoundChecks); 0 means the first one ends the wait.
	NotFoundChecks int
	// Timeout bounds the wait; 0 leaves it to the context.
	Timeout time.Duration
}

func (o Options) clock() Clock {
	if o.Clock == nil {
		return RealClock{}
	}
	return o.Clock
}

// Round is what a check knows of the wait so far; it also keeps per-key
// not-found counts for checks that wait on many things at once.
type Round struct {
	// N counts checks, from 1.
	N int
	// Waited is the time since the wait began.
	Waited time.Duration
	limit  int
	misses map[string]int
}

// Missing records that key was not found in this round and reports whether
// it has now been missing for more than NotFoundChecks consecutive rounds:
// the caller may stop expecting it.
func (r *Round) Missing(key string) (gone bool) {
	r.misses[key]++
	return r.misses[key] > r.limit
}

// Seen resets key's not-found count.
func (r *Round) Seen(key string) { delete(r.misses, key) }

// Until calls check on the schedule until it reports done or fails. A
// check error wrapping ErrNotFound is retried while it has answered so at
// most NotFoundChecks times in a row; any other error ends the wait at
// once. When the timeout or the context ends the wait, the error says how
// long it waited and wraps the last check error, if any, and the cause.
func Until(ctx context.Context, o Options, check func(ctx context.Context, r *Round) (done bool, err error)) error {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	clock := o.clock()
	sched := o.Schedule.withDefaults()
	start := clock.Now()
	round := &Round{limit: o.NotFoundChecks, misses: map[string]int{}}
	delay := sched.Interval
	for {
		round.N++
		round.Waited = clock.Now().Sub(start)
		began := clock.Now()
		done, err := check(ctx, round)
		switch {
		case err == nil && done:
			return nil
		case errors.Is(err, ErrNotFound):
			if round.Missing("") {
				return err
			}
		case err != nil:
			return err
		default:
			round.Seen("")
		}
		if ctx.Err() == nil {
			select {
			case <-ctx.Done():
			case <-clock.After(untilNext(delay, clock.Now().Sub(began))):
			}
		}
		if ctx.Err() != nil {
			return ended(ctx, clock.Now().Sub(start), err)
		}
		delay = sched.Next(delay, clock.Now().Sub(start))
	}
}

// ended is the error of a wait its context ended, wrapping the last check
// error when there was one.
func ended(ctx context.Context, waited time.Duration, last error) error {
	if last != nil {
		return fmt.Errorf("after %s: %w (%w)", waited.Round(time.Millisecond), last, context.Cause(ctx))
	}
	return fmt.Errorf("after %s: %w", waited.Round(time.Millisecond), context.Cause(ctx))
}
