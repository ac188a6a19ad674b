package main

import (
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
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

// criticalPath is the least time one instance can take through an
// operation: what the whole pool would take if nothing else cost anything.
func criticalPath(c cloud.Config, op string) time.Duration {
	l := c.Latency
	switch op {
	case opCreate:
		return l.Launch.D() + l.Boot.D() + l.CNI.D() + l.Stop.D()
	case opStart:
		// Standby instances start and serve; then as many are launched and
		// verified to refill standby, in the same apply.
		return l.Start.D() + criticalPath(c, opCreate)
	case opDrain:
		return l.Stop.D()
	case opDestroy:
		return l.Terminate.D()
	}
	return 0
}
