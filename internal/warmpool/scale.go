package warmpool

import (
	"sort"
)

// planRunning decides this wave's starts or drains toward pool.Running, and
// how many standby instances the pool holds beside the running ones.
// shortfall is how many running instances no standby instance can supply:
// they are launched into standby and started by a later wave.
func (p *Plan) planRunning(pool Pool, hints planHints) (standbyTarget, shortfall int) {
	want := pool.runningTarget()
	switch {
	case want < 0:
		want = len(p.Running)
	case len(p.Running) > want:
		p.Drain = pickDrain(p.Running, hints.pods)[:len(p.Running)-want]
	case len(p.Running) < want:
		need := want - len(p.Running)
		p.StartFrom = pickStart(p.Standby, p.Outdated, hints.noStart)
		p.Start = min(need, len(p.StartFrom))
		shortfall = need - p.Start
	}
	standbyTarget = pool.Size
	if pool.MaxSize > 0 {
		standbyTarget = min(standbyTarget, max(0, pool.MaxSize-want))
	}
	return standbyTarget, shortfall
}

// pickStart orders standby instances for starting: the current config
// before outdated ones, and within each, the availability zones taken in
// turn so that running capacity spreads across zones (newest first in a
// zone: the freshest image caches). Instances whose start already failed
// for capacity are left out.
func pickStart(current, outdated []Instance, noStart map[string]bool) []Instance {
	var out []Instance
	for _, group := range [][]Instance{current, outdated} {
		var usable []Instance
		for _, i := range group {
			if !noStart[i.ID] && i.EC2State == "stopped" {
				usable = append(usable, i)
			}
		}
		out = append(out, roundRobinZones(usable)...)
	}
	return out
}

// roundRobinZones interleaves instances by availability zone, zones in name
// order, newest first within a zone.
func roundRobinZones(list []Instance) []Instance {
	byZone := map[string][]Instance{}
	var zones []string
	for _, i := range list {
		if _, ok := byZone[i.AvailabilityZone]; !ok {
			zones = append(zones, i.AvailabilityZone)
		}
		byZone[i.AvailabilityZone] = append(byZone[i.AvailabilityZone], i)
	}
	sort.Strings(zones)
	for _, z := range zones {
		sortNewestFirst(byZone[z])
	}
	out := make([]Instance, 0, len(list))
	for len(out) < len(list) {
		for _, z := range zones {
			if q := byZone[z]; len(q) > 0 {
				out = append(out, q[0])
				byZone[z] = q[1:]
			}
		}
	}
	return out
}

// pickDrain orders running instances for returning to standby: those a
// failed drain left cordoned first (their pods are already leaving), then
// the fewest evictable pods (least work disturbed), then the newest.
func pickDrain(running []Instance, pods map[string]int) []Instance {
	out := append([]Instance{}, running...)
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if dx, dy := x.State == StateDraining, y.State == StateDraining; dx != dy {
			return dx
		}
		if pods[x.ID] != pods[y.ID] {
			return pods[x.ID] < pods[y.ID]
		}
		if !x.LaunchedAt.Equal(y.LaunchedAt) {
			return x.LaunchedAt.After(y.LaunchedAt)
		}
		return x.ID < y.ID
	})
	return out
}

func sortNewestFirst(list []Instance) {
	sort.SliceStable(list, func(a, b int) bool {
		if !list[a].LaunchedAt.Equal(list[b].LaunchedAt) {
			return list[a].LaunchedAt.After(list[b].LaunchedAt)
		}
		return list[a].ID < list[b].ID
	})
}
