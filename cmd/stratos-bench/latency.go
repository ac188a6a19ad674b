package main

import (
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// benchConfig is the sandbox behaviour the benchmark measures against:
// latencies of the order EC2 and a Bottlerocket boot show, no faults.
func benchConfig() cloud.Config {
	c := cloud.DefaultConfig()
	c.Latency = cloud.Latency{
		Launch:    cloud.Duration(2 * time.Second),
		Boot:      cloud.Duration(5 * time.Second),
		CNI:       cloud.Duration(2 * time.Second),
		Stop:      cloud.Duration(3 * time.Second),
		Start:     cloud.Duration(2 * time.Second),
		Terminate: cloud.Duration(time.Second),
	}
	return c
}

// criticalPath is the least time an operation on a pool of n can take:
// one instance's way through it, and, when the sandbox models EC2's
// RunInstances resource bucket, the waits for its refill before each
// launch wave's last instance can launch. runTokens is the bucket's level
// when the operation starts. wait is the part the bucket imposes.
func criticalPath(c cloud.Config, op string, n int, runTokens float64) (path, wait time.Duration) {
	l := c.Latency
	warm := l.Launch.D() + l.Boot.D() + l.CNI.D() + l.Stop.D()
	switch op {
	case opCreate:
		return launchWaves(c, []int{n}, runTokens, warm)
	case opReplace:
		return launchWaves(c, replaceWaves(n), runTokens, warm)
	case opStart:
		// Standby instances start and serve; then as many are launched and
		// verified to refill standby, in the same apply.
		path, wait := launchWaves(c, []int{max(1, n/10)}, runTokens, warm)
		return l.Start.D() + path, wait
	case opDrain:
		return l.Stop.D(), 0
	case opDestroy:
		return l.Terminate.D(), 0
	}
	return 0, 0
}

// replaceWaves are the launches of a node class replacement: the engine
// replaces outdated standby instances a batch at a time, each batch's
// replacements verified before the next batch (warmpool.DefaultReplaceBatch).
func replaceWaves(n int) []int {
	batch := warmpool.DefaultReplaceBatch(n)
	var waves []int
	for left := n; left > 0; left -= batch {
		waves = append(waves, min(batch, left))
	}
	return waves
}

// launchWaves is the least time launch waves run one after another can
// take: each wave's instances go through launch, boot, CNI and stop (warm)
// once the last of them got a token from RunInstances' resource bucket,
// which holds tokens when the first wave starts and refills meanwhile
// (EC2 Developer Guide, "Request throttling for the Amazon EC2 API":
// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
// Without a modelled bucket nothing waits.
func launchWaves(c cloud.Config, waves []int, tokens float64, warm time.Duration) (path, wait time.Duration) {
	var bucket cloud.Bucket
	limited := false
	if c.RateLimits != nil {
		bucket, limited = c.RateLimits.Resources["RunInstances"]
	}
	var waited float64 // seconds
	for _, n := range waves {
		path += warm
		if !limited {
			continue
		}
		// Tokens spent as they arrive never fill the bucket, so the wave's
		// last instance has its token after (n - tokens) / refill.
		if w := (float64(n) - tokens) / bucket.Refill; w > 0 {
			waited += w
			tokens += w * bucket.Refill
		}
		tokens = min(bucket.Capacity, tokens-float64(n)+warm.Seconds()*bucket.Refill)
	}
	wait = time.Duration(waited * float64(time.Second))
	return path + wait, wait
}
