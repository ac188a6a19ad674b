package warmpool

import (
	"context"
	"fmt"
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

// Starting, stopping or terminating more instances than the action's
// resource bucket holds (running raised past the StartInstances bucket, a
// wave of stops or terminations) paces itself to the refill and reaches
// every instance, instead of failing once the SDK's retries are spent.
func TestInstanceActionsPaceToResourceBuckets(t *testing.T) {
	const n = 12
	for _, tc := range []struct {
		action  string
		standby bool // stopped into standby first
		do      func(ctx context.Context, s *simEC2, pool Pool, instances []Instance) error
		states  []string
	}{
		{"StartInstances", true, func(ctx context.Context, s *simEC2, pool Pool, instances []Instance) error {
			started, err := s.engine.startStandby(ctx, pool, instances, n, map[string]bool{})
			if err == nil && len(started) != n {
				err = fmt.Errorf("started %d of %d", len(started), n)
			}
			return err
		}, []string{"pending", "running"}},
		{"StopInstances", false, func(ctx context.Context, s *simEC2, _ Pool, instances []Instance) error {
			return s.engine.stopInstances(ctx, instanceIDs(instances), false)
		}, []string{"stopping", "stopped"}},
		{"TerminateInstances", false, func(ctx context.Context, s *simEC2, _ Pool, instances []Instance) error {
			return s.engine.terminateInstances(ctx, instanceIDs(instances))
		}, []string{"shutting-down", "terminated"}},
	} {
		t.Run(tc.action, func(t *testing.T) {
			s := newSimEC2(t, simConfig(), nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			pool := s.pool(t, "paced", n)
			launched, err := s.engine.launchFresh(ctx, pool, n, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids := instanceIDs(launched)
			if err := s.engine.waitInstances(ctx, pool.ID(), ids, func(i Instance) bool { return i.EC2State == ec2types.InstanceStateNameRunning }); err != nil {
				t.Fatal(err)
			}
			if tc.standby {
				if err := s.engine.stopInstances(ctx, ids, false); err != nil {
					t.Fatal(err)
				}
				if err := s.engine.finishStandby(ctx, pool, nil, launched); err != nil {
					t.Fatal(err)
				}
			}
			s.setConfig(t, func(c *cloud.Config) {
				c.RateLimits = &cloud.RateLimits{Resources: map[string]cloud.Bucket{tc.action: {Capacity: 4, Refill: 200}}}
			})
			if err := tc.do(ctx, s, pool, launched); err != nil {
				t.Fatalf("%s of %d: %v", tc.action, n, err)
			}
			st := s.world.Stats()
			if st.Throttled[tc.action] == 0 {
				t.Fatalf("no %s call was throttled: the bucket did not bind", tc.action)
			}
			got := s.states(pool)
			if got[tc.states[0]]+got[tc.states[1]] != n {
				t.Fatalf("instances by state %v, want all %d %s or %s", got, n, tc.states[0], tc.states[1])
			}
			t.Logf("%d %s calls, %d throttled", st.Calls[tc.action], tc.action, st.Throttled[tc.action])
		})
	}
}
