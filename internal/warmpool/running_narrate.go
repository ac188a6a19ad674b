package warmpool

import (
	"fmt"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// narrateRunning explains the running side of a plan: how many standby
// instances start, and how many launch to refill standby behind them; or
// how many nodes drain, with the pods they evict. after is the pool as it
// will be once the starts or drains are done (nil when there are none);
// sizeNarrated says the line already counted the standby launches or
// terminations that follow.
func narrateRunning(pool Pool, p Plan, instances []Instance, pods map[string]int) (lines []string, after []Instance, sizeNarrated bool) {
	if pool.Running == nil || (p.Start == 0 && len(p.Drain) == 0 && len(p.Running) == *pool.Running) {
		return nil, nil, false
	}
	want, have := *pool.Running, len(p.Running)
	after = simulateScale(p, instances)
	next := newPlan(pool, after, planHints{pods: pods})
	parts := []string{}
	switch {
	case want > have:
		short := want - have - p.Start
		if p.Start > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", plural(p.Start, "standby instance"), verb(p.Start, "start")))
		}
		if short > 0 {
			parts = append(parts, fmt.Sprintf("%s %s and %s once verified (no standby instance left to start)", plural(short, "instance"), verb(short, "launch"), verb(short, "run")))
		}
		if refill := next.Launch - short; refill > 0 {
			parts = append(parts, fmt.Sprintf("%s %s to refill standby", plural(refill, "instance"), verb(refill, "launch")))
		}
	case want < have:
		evicted := "pods not counted"
		if pods != nil {
			n := 0
			for _, i := range p.Drain {
				n += pods[i.ID]
			}
			evicted = plural(n, "pod") + " evicted"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s) and %s to standby", plural(len(p.Drain), "node"), verb(len(p.Drain), "drain"), evicted, verb(len(p.Drain), "return")))
		if n := len(next.Terminate) - len(next.Failed); n > 0 {
			parts = append(parts, fmt.Sprintf("%s beyond size %d %s terminated (outdated first)", plural(n, "standby instance"), next.StandbyTarget, isAre(n)))
		}
	}
	return []string{fmt.Sprintf("running %d → %d: %s", have, want, strings.Join(parts, "; "))}, after, true
}

// simulateScale is the pool after a plan's starts and drains: the first
// Start candidates running, the drained instances stopped in standby.
func simulateScale(p Plan, instances []Instance) []Instance {
	change := map[string]State{}
	for _, i := range p.StartFrom[:p.Start] {
		change[i.ID] = StateRunning
	}
	for _, i := range p.Drain {
		change[i.ID] = StateStandby
	}
	out := make([]Instance, 0, len(instances))
	for _, i := range instances {
		switch change[i.ID] {
		case StateRunning:
			i.State, i.EC2State = StateRunning, ec2types.InstanceStateNameRunning
		case StateStandby:
			i.State, i.EC2State = StateStandby, ec2types.InstanceStateNameStopped
		}
		out = append(out, i)
	}
	return out
}

// verb agrees a present-tense verb with a count: 1 node drains, 2 nodes drain.
func verb(n int, v string) string {
	if n != 1 {
		return v
	}
	if strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "sh") {
		return v + "es"
	}
	return v + "s"
}
