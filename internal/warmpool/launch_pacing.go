package warmpool

import (
	"context"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// runPaced launches one slot within EC2's RunInstances rate limits. Besides
// the request rate, RunInstances has a resource bucket per account and
// region: 1,000 instances, refilled at 2 per second (EC2 Developer Guide,
// "Request throttling for the Amazon EC2 API"). A call for more instances
// than the bucket holds fails with RequestLimitExceeded however often the
// SDK retries it, so after a create of 1,000 a replacement wave must ask for
// fewer at a time and wait for the refill. A throttled call launched
// nothing; the next asks for half as many after the poll schedule's wait,
// and a call that succeeds lets the next ask for twice as many again.
// Each call is a request of its own (its own client token). It returns the
// instances launched, fewer than slot.count only when EC2 had fewer (the
// caller treats that as a capacity shortage).
func (e *Engine) runPaced(ctx context.Context, pool Pool, slot launchSlot, round int, seq *int) ([]Instance, error) {
	var got []Instance
	ask := slot.count
	err := poll.Until(ctx, e.pollOptions(), func(ctx context.Context, _ *poll.Round) (bool, error) {
		part := slot
		part.count = min(ask, slot.count-len(got))
		*seq++
		out, err := e.runInstances(ctx, pool, part, round, *seq)
		if isThrottle(err) {
			ask = max(1, part.count/2)
			e.logf("pool %s: RunInstances throttled by EC2; asking for %d instances at a time", pool.Name, ask)
			return false, nil
		}
		if err != nil {
			return false, err
		}
		got = append(got, out...)
		if len(out) < part.count {
			return true, nil
		}
		ask = min(2*ask, slot.count)
		return len(got) >= slot.count, nil
	})
	return got, err
}
