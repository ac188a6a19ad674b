package nodeclass

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// VersionWait is how WaitVersion polls: from 250 ms, backing off to 5 s,
// for at most timeout.
func VersionWait(timeout time.Duration) poll.Options {
	return poll.Options{
		Schedule: poll.Schedule{Interval: 250 * time.Millisecond, Max: 5 * time.Second},
		// Not found is expected for as long as the timeout allows.
		NotFoundChecks: math.MaxInt32,
		Timeout:        timeout,
	}
}

// WaitVersion reads a node class version until EC2 shows it. EC2 is
// eventually consistent: a launch template or version just made can be
// missing from Describe calls for a few seconds ("Eventual consistency in
// the Amazon EC2 API", EC2 Developer Guide), and a warm pool in the same
// apply reads it right away. Only "not found" is retried, and only within
// o's bounds; any other error returns at once.
func WaitVersion(ctx context.Context, api LaunchTemplateAPI, name string, version int64, o poll.Options) (*Info, error) {
	var info *Info
	err := poll.Until(ctx, o, func(ctx context.Context, _ *poll.Round) (bool, error) {
		var err error
		info, err = FindVersion(ctx, api, name, version)
		return err == nil, err
	})
	if IsNotFound(err) {
		return nil, fmt.Errorf("node class %s version %d still not visible: %w", name, version, err)
	}
	return info, err
}
