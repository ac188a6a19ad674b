package warmpool

import (
	"context"
	"testing"

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
