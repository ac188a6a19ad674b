package warmpool

import (
	"context"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// While one zone is disrupted, a pool's refresh describes the instances in
// state by id: healthy zones fresh, the disrupted zone as last known and
// named, nothing dropped; destroy still works.
func TestObserveDuringZoneDisruptionFallsBackToKnownIDs(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool, state := launchRunning(t, s, "zones")
	s.setConfig(t, func(c *cloud.Config) { c.DisruptedZones = []string{"us-east-1a"} })

	// A later apply: a new engine that knows the pool only from state.
	later := &Engine{EC2: s.engine.EC2, Options: s.engine.Options, Logf: t.Logf, Known: state.Instances}
	obs, err := later.Observe(ctx, pool.ID())
	if err != nil {
		t.Fatalf("observe during a zone disruption: %v", err)
	}
	if len(obs.Instances) != 3 || len(obs.DisruptedZones) != 1 || obs.DisruptedZones[0] != "us-east-1a" {
		t.Fatalf("observed %d instances, disrupted %v; want 3 and [us-east-1a]", len(obs.Instances), obs.DisruptedZones)
	}
	if err := later.Destroy(ctx, pool.ID(), instanceIDs(state.Instances)); err != nil {
		t.Fatalf("destroy during a zone disruption: %v", err)
	}
	if got := s.states(pool); got[cloud.StateShuttingDown]+got[cloud.StateTerminated] != 3 {
		t.Fatalf("after destroy: %v", got)
	}
}

// Once the pool's filtered describe has failed for a disruption, later
// polls of the same operation make each call known to fail once, without
// the SDK's retries (the provider's retryer spends minutes on them), and
// still describe the healthy zones by id.
func TestZoneDisruptionIsNotRetriedOnEveryPoll(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool, state := launchRunning(t, s, "zones-polls")
	zones := map[string]bool{}
	for _, i := range state.Instances {
		zones[i.AvailabilityZone] = true
	}
	if len(zones) < 2 {
		t.Fatalf("fixture: instances in %d zone(s), want at least 2", len(zones))
	}
	s.setConfig(t, func(c *cloud.Config) { c.DisruptedZones = []string{state.Instances[0].AvailabilityZone} })
	later := &Engine{EC2: s.engine.EC2, Options: s.engine.Options, Logf: t.Logf, Known: state.Instances}
	describes := func() int { return s.world.Stats().Calls["DescribeInstances"] }

	const attempts = 3 // the sim client's retryer: the SDK's standard mode
	healthy := len(zones) - 1
	for poll, want := range []int{
		attempts + healthy + attempts, // the disruption is found: every failing call retried
		1 + healthy + 1,               // known: each failing call made once
	} {
		before := describes()
		obs, err := later.Observe(ctx, pool.ID())
		if err != nil {
			t.Fatalf("poll %d: %v", poll, err)
		}
		if len(obs.Instances) != 3 || len(obs.DisruptedZones) != 1 {
			t.Fatalf("poll %d: %d instances, disrupted %v", poll, len(obs.Instances), obs.DisruptedZones)
		}
		if got := describes() - before; got != want {
			t.Errorf("poll %d made %d DescribeInstances calls, want %d", poll, got, want)
		}
	}

	// The zone recovers: the next poll's single attempt works, and no zone
	// is reported disrupted.
	s.setConfig(t, func(c *cloud.Config) { c.DisruptedZones = nil })
	obs, err := later.Observe(ctx, pool.ID())
	if err != nil || len(obs.DisruptedZones) != 0 || len(obs.Instances) != 3 {
		t.Fatalf("after recovery: %v, %d instances, disrupted %v", err, len(obs.Instances), obs.DisruptedZones)
	}
}

// launchRunning launches a pool of 3 and waits until EC2 shows them all
// running; it returns the pool and the engine's observation of it (the
// instances a later apply knows from state).
func launchRunning(t *testing.T, s *simEC2, name string) (Pool, *Observation) {
	t.Helper()
	ctx := context.Background()
	pool := s.pool(t, name, 3)
	launched, err := s.engine.launchFresh(ctx, pool, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	running := func(i Instance) bool { return i.EC2State == "running" }
	if err := s.engine.waitInstances(ctx, pool.ID(), instanceIDs(launched), running); err != nil {
		t.Fatal(err)
	}
	state, err := s.engine.Observe(ctx, pool.ID())
	if err != nil {
		t.Fatal(err)
	}
	return pool, state
}
