package warmpool

import (
	"context"
	"testing"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// With RunInstances' resource bucket nearly empty, a launch paces itself to
// the refill and launches everything, instead of failing once the SDK's
// retries are spent.
func TestLaunchPacesToRunInstancesResourceBucket(t *testing.T) {
	cfg := simConfig()
	cfg.RateLimits = &cloud.RateLimits{Resources: map[string]cloud.Bucket{"RunInstances": {Capacity: 4, Refill: 200}}}
	s := newSimEC2(t, cfg, nil)
	pool := s.pool(t, "paced", 12)
	launched, err := s.engine.launchFresh(context.Background(), pool, 12, nil)
	if err != nil || len(launched) != 12 {
		t.Fatalf("launched %d: %v", len(launched), err)
	}
	st := s.world.Stats()
	if st.Throttled["RunInstances"] == 0 {
		t.Fatal("no RunInstances call was throttled: the bucket did not bind")
	}
	if got := len(s.world.AllInstances()); got != 12 {
		t.Fatalf("%d instances exist, want 12", got)
	}
	t.Logf("%d RunInstances calls, %d throttled", st.Calls["RunInstances"], st.Throttled["RunInstances"])
}

// With StartInstances' resource bucket holding fewer instances than the
// start asks for (running raised past the bucket), the start paces itself
// to the refill and starts every standby instance, instead of failing once
// the SDK's retries are spent.
func TestStartPacesToStartInstancesResourceBucket(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool := s.pool(t, "start-paced", 12)
	launched, err := s.engine.launchFresh(ctx, pool, 12, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := instanceIDs(launched)
	if err := s.engine.waitInstances(ctx, pool.ID(), ids, func(i Instance) bool { return i.EC2State == ec2types.InstanceStateNameRunning }); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.stopInstances(ctx, ids, false); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.finishStandby(ctx, pool, nil, launched); err != nil {
		t.Fatal(err)
	}
	s.setConfig(t, func(c *cloud.Config) {
		c.RateLimits = &cloud.RateLimits{Resources: map[string]cloud.Bucket{"StartInstances": {Capacity: 4, Refill: 200}}}
	})
	started, err := s.engine.startStandby(ctx, pool, launched, 12, map[string]bool{})
	if err != nil || len(started) != 12 {
		t.Fatalf("started %d of 12: %v", len(started), err)
	}
	st := s.world.Stats()
	if st.Throttled["StartInstances"] == 0 {
		t.Fatal("no StartInstances call was throttled: the bucket did not bind")
	}
	if got := s.states(pool); got["pending"]+got["running"] != 12 {
		t.Fatalf("instances by state %v, want all 12 started", got)
	}
	t.Logf("%d StartInstances calls, %d throttled", st.Calls["StartInstances"], st.Throttled["StartInstances"])
}
