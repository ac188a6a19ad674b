package warmpool

import "time"

// SetNodeClassPollForTest makes WaitNodeClassVersion poll every d.
func SetNodeClassPollForTest(d time.Duration) (restore func()) {
	saved := nodeClassPoll
	nodeClassPoll.first, nodeClassPoll.max = d, d
	return func() { nodeClassPoll = saved }
}
