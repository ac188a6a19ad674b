package warmpool

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const currentHash, oldHash = "hash-current", "hash-old"

func testPool(size int) Pool {
	return Pool{Name: "ci", Cluster: "sandbox", Size: size, Launch: LaunchSpec{ConfigHash: currentHash, Version: 5}}
}

var clock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// inst builds an instance; n orders launch times (lower is older).
func inst(id string, ec2State ec2types.InstanceStateName, state State, hash string, n int) Instance {
	version := int64(5)
	if hash == oldHash {
		version = 4
	}
	return Instance{ID: id, EC2State: ec2State, State: state, ConfigHash: hash, ClassVersion: version, LaunchedAt: clock.Add(time.Duration(n) * time.Minute)}
}

func standby(id string, n int) Instance { return inst(id, "stopped", StateStandby, currentHash, n) }
func outdated(id string, n int) Instance {
	return inst(id, "stopped", StateStandby, oldHash, n)
}

func names(list []Instance) string {
	ids := instanceIDs(list)
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

func TestNewPlan(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		instances []Instance
		keep      map[string]bool
		launch    int
		terminate string
		replace   string
		standby   string
		warming   string
		stop      string
		running   string
	}{
		{name: "empty pool launches size", size: 3, launch: 3},
		{name: "full pool does nothing", size: 2, instances: []Instance{standby("a", 1), standby("b", 2)}, standby: "a,b"},
		{name: "size up launches the difference", size: 5, instances: []Instance{standby("a", 1), standby("b", 2)}, launch: 3, standby: "a,b"},
		{name: "size down terminates the oldest", size: 1, instances: []Instance{standby("a", 1), standby("b", 2), standby("c", 3)}, terminate: "a,b", standby: "c"},
		{name: "failed are terminated first and replaced", size: 2,
			instances: []Instance{standby("a", 1), inst("f", "stopped", StateFailed, currentHash, 2)}, launch: 1, terminate: "f", standby: "a"},
		{name: "failed kept by timeout_action stop in this converge", size: 1,
			instances: []Instance{inst("f", "stopped", StateFailed, currentHash, 2)}, keep: map[string]bool{"f": true}, launch: 1},
		{name: "terminated instances are ignored", size: 1,
			instances: []Instance{inst("t", "terminated", StateStandby, currentHash, 1)}, launch: 1},
		{name: "outdated replaced a batch at a time", size: 8,
			instances: []Instance{outdated("o1", 1), outdated("o2", 2), outdated("o3", 3), outdated("o4", 4), outdated("o5", 5), outdated("o6", 6), outdated("o7", 7), outdated("o8", 8)},
			launch:    2, replace: "o1,o2"},
		{name: "outdated beyond size are terminated now", size: 2,
			instances: []Instance{outdated("o1", 1), outdated("o2", 2), outdated("o3", 3)}, launch: 1, replace: "o1", terminate: "o3"},
		{name: "outdated with full current pool are terminated", size: 1,
			instances: []Instance{standby("a", 1), outdated("o1", 0)}, terminate: "o1", standby: "a"},
		{name: "shortfall and outdated together", size: 4,
			instances: []Instance{standby("a", 1), outdated("o1", 2)}, launch: 3, replace: "o1", standby: "a"},
		{name: "warming instances of an interrupted apply are adopted", size: 2,
			instances: []Instance{inst("w", "running", StateWarmup, currentHash, 1)}, launch: 1, warming: "w"},
		{name: "warming an old config is terminated", size: 1,
			instances: []Instance{inst("w", "running", StateWarmup, oldHash, 1)}, launch: 1, terminate: "w"},
		{name: "stopped during warmup counts as failed", size: 1,
			instances: []Instance{inst("w", "stopped", StateWarmup, currentHash, 1)}, launch: 1, terminate: "w"},
		{name: "verified but not yet stopped finishes its stop", size: 2,
			instances: []Instance{inst("s", "running", StateStopping, currentHash, 1), inst("t", "stopping", StateStandby, currentHash, 2)}, stop: "s,t"},
		{name: "started outside Terraform is left alone and not counted", size: 1,
			instances: []Instance{inst("r", "running", StateStandby, currentHash, 1), inst("q", "running", StateRunning, currentHash, 1)}, launch: 1, running: "q,r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPlan(testPool(tc.size), tc.instances, tc.keep)
			got := fmt.Sprintf("launch=%d terminate=%s replace=%s standby=%s warming=%s stop=%s running=%s",
				p.Launch, names(p.Terminate), names(p.Replace), names(p.Standby), names(p.Warming), names(p.StopPending), names(p.Running))
			want := fmt.Sprintf("launch=%d terminate=%s replace=%s standby=%s warming=%s stop=%s running=%s",
				tc.launch, tc.terminate, tc.replace, tc.standby, tc.warming, tc.stop, tc.running)
			if got != want {
				t.Errorf("\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestPlanConvergesToSize(t *testing.T) {
	// Apply each wave's plan as if it succeeded, until done: the pool must end
	// at exactly size current standby instances, with every outdated one gone.
	pool := testPool(7)
	var instances []Instance
	for n := range 5 {
		instances = append(instances, outdated(fmt.Sprintf("o%d", n), n))
	}
	instances = append(instances, standby("s0", 10), inst("f0", "stopped", StateFailed, currentHash, 11))
	next := 0
	for wave := 0; wave < 20; wave++ {
		p := NewPlan(pool, instances, nil)
		if p.Done() {
			break
		}
		gone := map[string]bool{}
		for _, i := range append(p.Terminate, p.Replace...) {
			gone[i.ID] = true
		}
		var after []Instance
		for _, i := range instances {
			if !gone[i.ID] {
				after = append(after, i)
			}
		}
		for range p.Launch {
			next++
			after = append(after, standby(fmt.Sprintf("n%d", next), 100+next))
		}
		instances = after
	}
	p := NewPlan(pool, instances, nil)
	if !p.Done() || len(p.Standby) != 7 || len(p.Outdated) != 0 {
		t.Fatalf("not converged: done=%v standby=%d outdated=%d", p.Done(), len(p.Standby), len(p.Outdated))
	}
}

func TestDefaultReplaceBatch(t *testing.T) {
	for size, want := range map[int]int{0: 1, 1: 1, 4: 1, 5: 2, 8: 2, 10: 3, 1000: 250} {
		if got := DefaultReplaceBatch(size); got != want {
			t.Errorf("DefaultReplaceBatch(%d) = %d, want %d", size, got, want)
		}
	}
}
