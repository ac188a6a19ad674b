package warmpool

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// A launch EC2 accepts and then terminates (here: the account's volume
// limit) fails at the next describe with EC2's state reason, not after the
// warmup timeout as a node that never registered.
func TestLaunchFailedAfterAcceptanceQuotesStateReason(t *testing.T) {
	cfg := simConfig()
	cfg.AcceptedFailures = []cloud.AcceptedFailure{{Action: cloud.FailLaunch, Code: "Client.VolumeLimitExceeded"}}
	s := newSimEC2(t, cfg, nil)
	s.engine.Kube = fake.NewSimpleClientset()
	pool := s.pool(t, "volumes", 1)
	pool.Warmup.Timeout = time.Hour // the test fails by its deadline if the engine waits for it
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := s.engine.Converge(ctx, pool)
	if err == nil || !strings.Contains(err.Error(), "Client.VolumeLimitExceeded: Volume limit exceeded") {
		t.Fatalf("converge error %v, want the state reason", err)
	}
	if len(res.Failures) != 1+s.engine.Options.withDefaults().ReplacementRounds {
		t.Fatalf("%d failures, want the launch and its replacements: %v", len(res.Failures), res.Failures)
	}
}

// A start EC2 accepts and then undoes (the instance back in stopped, for
// capacity) fails that instance at the next describe with the state
// reason, instead of a node that never came back.
func TestStartFailedAfterAcceptanceQuotesStateReason(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	s.engine.Kube = fake.NewSimpleClientset()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool := s.pool(t, "starts", 1)
	launched, err := s.engine.launchFresh(ctx, pool, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.engine.waitInstances(ctx, pool.ID(), instanceIDs(launched), func(i Instance) bool { return i.EC2State == "running" }); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.stopInstances(ctx, instanceIDs(launched), false); err != nil {
		t.Fatal(err)
	}
	if err := s.engine.finishStandby(ctx, pool, nil, launched); err != nil {
		t.Fatal(err)
	}
	s.setConfig(t, func(c *cloud.Config) {
		c.AcceptedFailures = []cloud.AcceptedFailure{{Action: cloud.FailStart, Code: "Server.InsufficientInstanceCapacity"}}
	})
	running := 1
	pool.Running, pool.Size, pool.MaxSize = &running, 0, 1
	pool.Warmup.Timeout = time.Hour
	res, err := s.engine.Converge(ctx, pool)
	if err == nil || !strings.Contains(err.Error(), "Server.InsufficientInstanceCapacity") {
		t.Fatalf("converge error %v, want the state reason", err)
	}
	if len(res.Failures) != 1 || res.Failures[0].InstanceID != launched[0].ID {
		t.Fatalf("failures %v, want the start of %s", res.Failures, launched[0].ID)
	}
	if got := s.world.Stats().Calls["StartInstances"]; got != 1 {
		t.Fatalf("StartInstances calls = %d, want 1: a failed start is not retried by the same apply", got)
	}
}
