package warmpool

import (
	"context"
	"testing"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func TestLaunchStopTerminateWaits(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool := s.pool(t, "waits", 4)
	launched, err := s.engine.launch(ctx, pool, 4, 1, nil)
	if err != nil || len(launched) != 4 {
		t.Fatalf("launched %d: %v", len(launched), err)
	}
	ids := instanceIDs(launched)
	running := func(i Instance) bool { return i.EC2State == ec2types.InstanceStateNameRunning }
	if err := s.engine.waitInstances(ctx, pool.ID(), ids, running); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.stopInstances(ctx, ids, false); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.finishStandby(ctx, pool, nil, launched); err != nil {
		t.Fatal(err)
	}
	found, err := s.engine.findPoolInstances(ctx, pool.ID(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range found {
		if i.EC2State != ec2types.InstanceStateNameStopped || i.State != StateStandby {
			t.Fatalf("%s is %s/%s after finishStandby, want stopped/standby", i.ID, i.EC2State, i.State)
		}
	}
	if err := s.engine.Destroy(ctx, pool.ID(), nil); err != nil {
		t.Fatal(err)
	}
	if got := s.states(pool); got["terminated"] != 4 || len(got) != 1 {
		t.Fatalf("after destroy: %v, want 4 terminated", got)
	}
}

// A zone without capacity moves its share to the other zones; a type
// without capacity anywhere hands over to the next type.
func TestLaunchFallsBackAcrossZonesAndTypes(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool := s.pool(t, "fallback", 6)
	s.setConfig(t, func(c *cloud.Config) { c.InsufficientCapacity = []string{"us-east-1a"} })
	launched, err := s.engine.launch(ctx, pool, 6, 1, nil)
	if err != nil || len(launched) != 6 {
		t.Fatalf("launched %d: %v", len(launched), err)
	}
	for _, i := range launched {
		if i.AvailabilityZone == "us-east-1a" || i.InstanceType != "m5.large" {
			t.Fatalf("%s launched as %s in %s", i.ID, i.InstanceType, i.AvailabilityZone)
		}
	}
	s.setConfig(t, func(c *cloud.Config) { c.InsufficientCapacity = []string{"m5.large"} })
	more, err := s.engine.launch(ctx, pool, 3, 2, nil)
	if err != nil || len(more) != 3 {
		t.Fatalf("launched %d: %v", len(more), err)
	}
	for _, i := range more {
		if i.InstanceType != "m6i.large" {
			t.Fatalf("%s launched as %s, want the fallback m6i.large", i.ID, i.InstanceType)
		}
	}
}
