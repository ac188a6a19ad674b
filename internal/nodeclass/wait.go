package nodeclass

import (
	"context"
	"fmt"
	"time"
)

// nodeClassPoll is the first and the longest wait between reads in
// WaitVersion; tests shorten it.
var nodeClassPoll = struct{ first, max time.Duration }{first: 250 * time.Millisecond, max: 5 * time.Second}

// WaitVersion reads a node class version until EC2 shows it. EC2 is
// eventually consistent: a launch template or version just made can be
// missing from Describe calls for a few seconds, and a warm pool in the same
// apply reads it right away. Only "not found" is retried, and only until
// timeout; any other error returns at once.
func WaitVersion(ctx context.Context, api LaunchTemplateAPI, name string, version int64, timeout time.Duration) (*Info, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	wait := nodeClassPoll.first
	for {
		info, err := FindVersion(ctx, api, name, version)
		if err == nil || !IsNotFound(err) {
			return info, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("node class %s version %d still not visible after %s: %w", name, version, timeout, err)
		case <-time.After(wait):
		}
		wait = min(2*wait, nodeClassPoll.max)
	}
}
