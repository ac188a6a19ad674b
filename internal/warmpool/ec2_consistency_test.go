package warmpool

import (
	"context"
	"testing"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// An instance EC2 does not know yet right after its launch is terminated
// once EC2 knows it, not forgotten (which would leave it running).
func TestTerminateRightAfterLaunchConfirmsNotFound(t *testing.T) {
	cfg := simConfig()
	cfg.ConsistencyDelay = cloud.Duration(60 * time.Millisecond)
	s := newSimEC2(t, cfg, nil)
	ctx := context.Background()
	pool := s.pool(t, "eventual", 3)
	launched, err := s.engine.launch(ctx, pool, 3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.engine.terminateInstances(ctx, instanceIDs(launched)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * simLatency)
	if got := s.states(pool); got[cloud.StateTerminated] != 3 {
		t.Fatalf("instances after terminate: %v, want 3 terminated", got)
	}
}

// An id EC2 never knows again (terminated long ago) ends the confirmation
// after notFoundChecks polls, with the other ids terminated.
func TestTerminateGivesUpOnLongGoneIDs(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool := s.pool(t, "gone", 1)
	launched, err := s.engine.launch(ctx, pool, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.engine.terminateInstances(ctx, append(instanceIDs(launched), "i-0123456789abcdef0")); err != nil {
		t.Fatal(err)
	}
	// One call with both ids, one without the unknown, then the unknown
	// alone until it has been "not found" more than notFoundChecks times.
	if got, want := s.world.Stats().Calls["TerminateInstances"], 2+notFoundChecks+1; got != want {
		t.Fatalf("TerminateInstances calls = %d, want %d", got, want)
	}
}
