package scaletest

import (
	"context"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/sandboxtest"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// A create of 50 under every fault at once — 30% of EC2 calls throttled, new
// instances invisible to DescribeInstances for 2 s, one availability zone
// out of capacity, 5% of nodes never Ready — ends with exactly 50 verified
// standby instances (failed warmups terminated and replaced), and every
// instance the sandbox ever launched for the pool is either recorded or
// terminated: none leaked, none duplicated.
func TestChaos_createUnderFaults(t *testing.T) {
	timed(t)
	sb := sandboxtest.Get(t)
	f := newEngineFixture(t, warmpool.Options{PollInterval: 500 * time.Millisecond, MaxPollInterval: 2 * time.Second})
	const size = 50
	pool := f.pool("chaos", size)
	// Nodes that never turn Ready are given up on after this; long enough
	// for the healthy ones under throttling, short enough to bound the test.
	pool.Warmup.Timeout = 30 * time.Second
	sandboxtest.Configure(t, `{
		"throttle_rate": 0.3,
		"consistency_delay": "2s",
		"insufficient_capacity": ["us-east-1a"],
		"never_ready_rate": 0.05
	}`)
	sb.World().ResetStats()

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	res, err := f.engine.Converge(ctx, pool)
	if err != nil {
		t.Fatalf("converge under faults: %v", err)
	}
	stats := sb.World().Stats()
	t.Logf("launched %d, terminated %d, %d failed warmups; EC2 calls: %s", res.Launched, res.Terminated, len(res.Failures), Calls(stats.Calls))
	a := f.audit(pool, res.Observation)
	if a.Launched != res.Launched {
		t.Errorf("the sandbox launched %d instances for the pool, the engine reports %d", a.Launched, res.Launched)
	}
	if a.Launched-len(res.Failures) < size {
		t.Errorf("launched %d with %d failures: too few for %d standby", a.Launched, len(res.Failures), size)
	}
	// The faults did happen: a test that passes because nothing went wrong proves nothing.
	if stats.Calls["RunInstances"] < 3 {
		t.Errorf("only %d RunInstances calls: the capacity fault in us-east-1a was never met", stats.Calls["RunInstances"])
	}
	for _, r := range sb.World().AllInstances() {
		if r.Tags[keys.PoolID] == pool.ID() && r.AvailabilityZone == "us-east-1a" {
			t.Errorf("instance %s launched in us-east-1a, which has no capacity", r.ID)
		}
	}
	if len(res.Failures) == 0 {
		t.Logf("no node drew the never-ready fault this run (5%% of %d)", a.Launched)
	}
}
