package warmpool

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

// shortMemory is a sandbox where terminated instances leave
// DescribeInstances at once while their client tokens are remembered for
// the real 24 hours: what a pool sees an hour after replacing everything.
func shortMemory() cloud.Config {
	cfg := simConfig()
	cfg.TerminatedVisibility = cloud.Duration(time.Millisecond)
	return cfg
}

// launchThenForget launches a pool's first round and terminates it until
// DescribeInstances no longer shows it.
func launchThenForget(t *testing.T, s *simEC2, pool Pool) []Instance {
	t.Helper()
	ctx := context.Background()
	first, err := s.engine.launchFresh(ctx, pool, pool.Size, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.engine.Destroy(ctx, pool.ID(), nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if seen, err := s.engine.findPoolInstances(ctx, pool.ID(), true); err != nil || len(seen) != 0 {
		t.Fatalf("terminated instances still described (%v): %v", err, seen)
	}
	return first
}

func TestTokensNeverRepeatAcrossDifferentLaunches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *simEC2, p *Pool)
	}{
		{"tags-only node class change", func(t *testing.T, s *simEC2, p *Pool) {
			p.Tags = map[string]string{"team": "platform"}
		}},
		{"node class destroyed and recreated", func(t *testing.T, s *simEC2, p *Pool) {
			id := p.Launch.LaunchTemplateID
			if _, err := s.ec2.DeleteLaunchTemplate(context.Background(), &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
			p.Launch.LaunchTemplateID = s.pool(t, p.Name, p.Size).Launch.LaunchTemplateID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSimEC2(t, shortMemory(), nil)
			pool := s.pool(t, "tokens", 2)
			launchThenForget(t, s, pool)
			tc.change(t, s, &pool)
			again, err := s.engine.launchFresh(context.Background(), pool, 2, nil)
			if err != nil || len(again) != 2 {
				t.Fatalf("second launch: %d instances, %v", len(again), err)
			}
			if n := s.world.Stats().Calls["RunInstances"]; n != 4 {
				t.Fatalf("RunInstances calls = %d, want 4 (a fresh token for each new launch, no retries)", n)
			}
		})
	}
}

// A crashed apply's launch is retried with the same token before its
// instances are visible: EC2 returns them, nothing is launched twice.
func TestTokensStableAcrossRetriesOfTheSameLaunch(t *testing.T) {
	cfg := simConfig()
	cfg.ConsistencyDelay = cloud.Duration(time.Minute)
	s := newSimEC2(t, cfg, nil)
	ctx := context.Background()
	pool := s.pool(t, "crash", 3)
	first, err := s.engine.launchFresh(ctx, pool, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	retried, err := s.engine.launchFresh(ctx, pool, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if names(retried) != names(first) {
		t.Fatalf("retry launched %s, want the first launch's %s", names(retried), names(first))
	}
	if got := len(s.world.AllInstances()); got != 3 {
		t.Fatalf("%d instances exist, want 3", got)
	}
}

// A token EC2 remembers with other parameters moves the launch to the next
// round instead of failing every apply until the token expires.
func TestIdempotentParameterMismatchMovesToTheNextRound(t *testing.T) {
	s := newSimEC2(t, simConfig(), nil)
	ctx := context.Background()
	pool := s.pool(t, "mismatch", 1)
	in := s.engine.runInstancesInput(pool, launchSlot{subnet: pool.Launch.Subnets[0], instanceType: "m5.large", count: 1}, 1, 1)
	in.InstanceType = ec2types.InstanceTypeM5Xlarge // same token, other parameters
	if _, err := s.ec2.RunInstances(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.engine.launchFresh(ctx, pool, 1, nil)
	if err != nil || len(got) != 1 || got[0].LaunchRound != 2 {
		t.Fatalf("launch after a mismatch: %+v, %v; want one instance in round 2", got, err)
	}
}
