package nodeclass

import "time"

// SetPollForTest makes WaitVersion poll every d.
func SetPollForTest(d time.Duration) (restore func()) {
	saved := nodeClassPoll
	nodeClassPoll.first, nodeClassPoll.max = d, d
	return func() { nodeClassPoll = saved }
}
