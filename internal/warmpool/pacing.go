package warmpool

import (
	"context"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// pace does total instances' worth of one EC2 action within EC2's rate
// limits. Besides the request rate, RunInstances, StartInstances,
// StopInstances and TerminateInstances have a resource bucket per account
// and region, drained by the number of instances a call names: 1,000
// instances, refilled at 2 per second for RunInstances and StartInstances
// and at 20 per second for StopInstances and TerminateInstances (EC2
// Developer Guide, "Request throttling for the Amazon EC2 API", resource
// token limits: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
// A call naming more instances than the bucket holds fails with
// RequestLimitExceeded however often the SDK retries it, so after a wave
// that emptied the bucket the next must ask for fewer at a time and wait
// for the refill. A throttled call did nothing; the next asks for half as
// many after the poll schedule's wait, and a call that succeeds lets the
// next ask for twice as many again, up to most.
//
// call does the instances [from, from+n) in one call and returns how many
// it did; fewer than n ends the pacing (EC2 had no more). pace returns how
// many of the first instances were done, also when it fails. pool names
// the pool in the log ("" when the caller does not know it).
func (e *Engine) pace(ctx context.Context, pool, action string, total, most int, call func(ctx context.Context, from, n int) (int, error)) (int, error) {
	if total <= 0 {
		return 0, nil
	}
	done, ask := 0, min(total, most)
	err := poll.Until(ctx, e.pollOptions(), func(ctx context.Context, _ *poll.Round) (bool, error) {
		n := min(ask, total-done)
		got, err := call(ctx, done, n)
		done += got
		if isThrottle(err) {
			ask = max(1, n/2)
			if pool != "" {
				action = "pool " + pool + ": " + action
			}
			e.logf("%s throttled by EC2; asking for %d instances at a time", action, ask)
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if got < n {
			return true, nil
		}
		ask = min(2*ask, most)
		return done >= total, nil
	})
	return done, err
}

// runPaced launches one slot within RunInstances' rate limits (see pace).
// Each call is a request of its own (its own client token). It returns the
// instances launched, fewer than slot.count only when EC2 had fewer (the
// caller treats that as a capacity shortage).
func (e *Engine) runPaced(ctx context.Context, pool Pool, slot launchSlot, round int, seq *int) ([]Instance, error) {
	var got []Instance
	_, err := e.pace(ctx, pool.Name, "RunInstances", slot.count, slot.count, func(ctx context.Context, _, n int) (int, error) {
		part := slot
		part.count = n
		*seq++
		out, err := e.runInstances(ctx, pool, part, round, *seq)
		got = append(got, out...)
		return len(out), err
	})
	return got, err
}
