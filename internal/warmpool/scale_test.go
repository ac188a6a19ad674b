package warmpool

import (
	"strings"
	"testing"
)

func inZone(i Instance, zone string) Instance {
	i.AvailabilityZone = zone
	i.InstanceType = "m5.large"
	return i
}

func running(id string, n int) Instance { return inst(id, "running", StateRunning, currentHash, n) }

func ordered(list []Instance) string { return strings.Join(instanceIDs(list), ",") }

func withRunning(size, running int) Pool {
	p := testPool(size)
	p.Running = &running
	return p
}

func TestPickStartCurrentFirstSpreadAcrossZones(t *testing.T) {
	current := []Instance{
		inZone(standby("a1", 1), "az-a"), inZone(standby("a2", 2), "az-a"), inZone(standby("a3", 3), "az-a"),
		inZone(standby("b1", 1), "az-b"), inZone(standby("c1", 1), "az-c"),
	}
	old := []Instance{inZone(outdated("o1", 0), "az-b")}
	got := ordered(pickStart(current, old, map[string]bool{"c1": true}))
	// Zones in turn, newest first within a zone; outdated last; c1 failed for capacity.
	if want := "a3,b1,a2,a1,o1"; got != want {
		t.Fatalf("start order %s, want %s", got, want)
	}
}

func TestPickDrainOrder(t *testing.T) {
	draining := inst("d", "running", StateDraining, currentHash, 1)
	list := []Instance{running("busy", 5), running("old-idle", 1), running("new-idle", 9), draining}
	pods := map[string]int{"busy": 4, "old-idle": 0, "new-idle": 0, "d": 7}
	// A node a failed drain left cordoned first, then fewest pods, then newest.
	if got, want := ordered(pickDrain(list, pods)), "d,new-idle,old-idle,busy"; got != want {
		t.Fatalf("drain order %s, want %s", got, want)
	}
}

func TestPlanRunning(t *testing.T) {
	tests := []struct {
		name        string
		pool        Pool
		instances   []Instance
		noStart     map[string]bool
		start       int
		startFrom   string
		drain       string
		launch      int
		shortfall   int
		terminate   string
		standbyGoal int
	}{
		{name: "running up starts standby and does nothing else this wave", pool: withRunning(2, 2),
			instances: []Instance{standby("a", 1), standby("b", 2), standby("c", 3)},
			start:     2, startFrom: "c,b,a", standbyGoal: 2},
		{name: "after the start standby is refilled", pool: withRunning(2, 2),
			instances: []Instance{running("a", 1), running("b", 2), standby("c", 3)},
			launch:    1, standbyGoal: 2},
		{name: "no standby left: the shortfall launches into standby", pool: withRunning(1, 3),
			instances: []Instance{running("a", 1), standby("b", 2)},
			start:     1, startFrom: "b", standbyGoal: 1},
		{name: "shortfall after the start", pool: withRunning(1, 3),
			instances: []Instance{running("a", 1), running("b", 2)},
			launch:    2, shortfall: 1, standbyGoal: 1},
		{name: "standby that failed to start does not count toward the shortfall", pool: withRunning(0, 1),
			instances: []Instance{standby("a", 1)}, noStart: map[string]bool{"a": true},
			launch: 1, shortfall: 1, standbyGoal: 0},
		{name: "running down drains fewest pods first", pool: withRunning(1, 1),
			instances: []Instance{standby("s", 1), running("r1", 1), running("r2", 2)},
			drain:     "r2", standbyGoal: 1},
		{name: "after the drain the excess standby goes, outdated first", pool: withRunning(1, 1),
			instances: []Instance{standby("s", 1), outdated("o", 0), standby("new", 3), running("r1", 1)},
			terminate: "o,s", standbyGoal: 1},
		{name: "max_size caps standby beside running", pool: func() Pool { p := withRunning(5, 3); p.MaxSize = 6; return p }(),
			instances: []Instance{running("a", 1), running("b", 2), running("c", 3)},
			launch:    3, standbyGoal: 3},
		{name: "unmanaged running still counts against max_size", pool: func() Pool { p := testPool(3); p.MaxSize = 3; return p }(),
			instances: []Instance{running("a", 1), standby("s", 2), standby("t", 3), standby("u", 4)},
			terminate: "s", standbyGoal: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPlan(tc.pool, tc.instances, planHints{noStart: tc.noStart, pods: map[string]int{"r1": 3, "r2": 1}})
			if p.Start != tc.start || ordered(p.StartFrom) != tc.startFrom {
				t.Errorf("start %d from %s, want %d from %s", p.Start, ordered(p.StartFrom), tc.start, tc.startFrom)
			}
			if got := names(p.Drain); got != tc.drain {
				t.Errorf("drain %s, want %s", got, tc.drain)
			}
			if p.Launch != tc.launch || p.Shortfall != tc.shortfall {
				t.Errorf("launch %d (%d served once verified), want %d (%d)", p.Launch, p.Shortfall, tc.launch, tc.shortfall)
			}
			if got := names(p.Terminate); got != tc.terminate {
				t.Errorf("terminate %s, want %s", got, tc.terminate)
			}
			if p.StandbyTarget != tc.standbyGoal {
				t.Errorf("standby target %d, want %d", p.StandbyTarget, tc.standbyGoal)
			}
		})
	}
}

func TestNarrateRunning(t *testing.T) {
	five := []Instance{standby("a", 1), standby("b", 2), standby("c", 3), standby("d", 4), standby("e", 5)}
	capped := withRunning(5, 3)
	capped.MaxSize = 6
	tests := []struct {
		name      string
		pool      Pool
		instances []Instance
		pods      map[string]int
		want      []string
	}{
		{name: "up from standby", pool: withRunning(5, 5), instances: five,
			want: []string{"running 0 → 5: 5 standby instances start; 5 instances launch to refill standby"}},
		{name: "up beyond standby", pool: withRunning(1, 3), instances: five[:1],
			want: []string{"running 0 → 3: 1 standby instance starts; 2 instances launch and run once verified (no standby instance left to start); 1 instance launches to refill standby"}},
		{name: "down with pods", pool: withRunning(2, 2),
			instances: []Instance{standby("s1", 1), standby("s2", 1), running("r1", 1), running("r2", 2), running("r3", 3), running("r4", 4), running("r5", 5)},
			pods:      map[string]int{"r1": 4, "r2": 4, "r3": 4, "r4": 9, "r5": 9},
			want:      []string{"running 5 → 2: 3 nodes drain (12 pods evicted) and return to standby; 3 standby instances beyond size 2 are terminated (outdated first)"}},
		{name: "down, pods not counted", pool: withRunning(0, 0), instances: []Instance{running("r1", 1)},
			want: []string{"running 1 → 0: 1 node drains (pods not counted) and returns to standby; 1 standby instance beyond size 0 is terminated (outdated first)"}},
		{name: "max_size", pool: capped, instances: []Instance{running("a", 1), running("b", 2), running("c", 3)},
			want: []string{"size 0 → 3: 3 instances will be launched", "max_size 6 holds standby at 3, below size 5, beside 3 running instances"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NarratePlan(tc.pool, tc.instances, tc.pods)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
