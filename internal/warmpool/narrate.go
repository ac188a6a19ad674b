package warmpool

import (
	"fmt"
	"sort"
	"strings"
)

// Narrate says in words what converging to pool will do, for a reviewer
// reading a plan: one sentence per kind of change, counts and reasons first.
func Narrate(pool Pool, instances []Instance) []string {
	return NarratePlan(pool, instances, nil)
}

// NarratePlan is Narrate with the evictable pods on each running
// instance's node (by instance id), which decide and explain drains; nil
// when they were not counted.
func NarratePlan(pool Pool, instances []Instance, pods map[string]int) []string {
	p := newPlan(pool, instances, planHints{pods: pods})
	lines, after, narrated := narrateRunning(pool, p, instances, pods)
	if after != nil {
		p = newPlan(pool, after, planHints{pods: pods})
		instances = after
	}
	return append(lines, narrateStandby(pool, p, instances, narrated)...)
}

// narrateStandby explains the standby side of a plan; sizeNarrated skips
// the size line when the running line already gave the launch or
// termination count.
func narrateStandby(pool Pool, p Plan, instances []Instance, sizeNarrated bool) []string {
	var lines []string
	target := p.StandbyTarget
	have := len(p.Standby) + len(p.StopPending) + len(p.Warming)
	outdated := len(p.Outdated)
	for _, i := range p.Terminate {
		if (i.State == StateStandby || i.State == StateStopping) && i.ConfigHash != pool.Launch.ConfigHash {
			outdated++
		}
	}
	if outdated > 0 {
		lines = append(lines, narrateOutdated(pool, instances)...)
	}
	excess := 0
	for _, i := range p.Terminate {
		if i.ConfigHash == pool.Launch.ConfigHash && i.State != StateFailed && (i.PoweredOff() || i.State == StateWarmup) && i.State != "" {
			excess++
		}
	}
	switch {
	case sizeNarrated:
	case have < target:
		fresh := target - have - min(outdated, target-have)
		if fresh > 0 {
			lines = append(lines, fmt.Sprintf("size %d → %d: %s will be launched", have+min(outdated, target-have), target, plural(fresh, "instance")))
		}
	case excess > 0:
		lines = append(lines, fmt.Sprintf("size %d → %d: %s will be terminated (oldest first)", have+excess, target, plural(excess, "standby instance")))
	}
	if target < pool.Size {
		lines = append(lines, fmt.Sprintf("max_size %d holds standby at %d, below size %d, beside %s", pool.MaxSize, target, pool.Size, plural(pool.MaxSize-target, "running instance")))
	}
	if n := len(p.Warming); n > 0 {
		lines = append(lines, fmt.Sprintf("%s launched by an interrupted apply will be adopted and verified", plural(n, "instance")))
	}
	if n := len(p.Failed); n > 0 {
		lines = append(lines, fmt.Sprintf("%s whose warmup failed will be terminated: %s", plural(n, "instance"), ids(p.Failed)))
	}
	if n := len(p.Running); n > 0 && pool.Running == nil {
		lines = append(lines, fmt.Sprintf("%s started outside Terraform %s left alone and not counted in size: %s", plural(n, "instance"), isAre(n), ids(p.Running)))
	}
	return lines
}

func narrateOutdated(pool Pool, instances []Instance) []string {
	byVersion := map[int64]int{}
	sameVersion := 0
	for _, i := range instances {
		if i.Gone() || i.ConfigHash == pool.Launch.ConfigHash || !(i.State == StateStandby || i.State == StateStopping) || i.PoweredOn() {
			continue
		}
		if i.ClassVersion != pool.Launch.Version {
			byVersion[i.ClassVersion]++
		} else {
			sameVersion++
		}
	}
	versions := make([]int64, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	sort.Slice(versions, func(a, b int) bool { return versions[a] < versions[b] })
	var lines []string
	for _, v := range versions {
		n := byVersion[v]
		lines = append(lines, fmt.Sprintf("%s %s node class version %d (now %d) and will be replaced, %d at a time", plural(n, "standby instance"), runRuns(n), v, pool.Launch.Version, replaceBatch(pool)))
	}
	if sameVersion > 0 {
		lines = append(lines, fmt.Sprintf("%s %s built with other pool labels or taints and will be replaced, %d at a time", plural(sameVersion, "standby instance"), wasWere(sameVersion), replaceBatch(pool)))
	}
	return lines
}

// NarrateDestroy says what destroying the pool terminates.
func NarrateDestroy(instances []Instance) []string {
	var standby, running, other int
	for _, i := range instances {
		switch {
		case i.Gone():
		case i.State == StateRunning || (i.State == StateStandby && i.PoweredOn()):
			running++
		case i.State == StateStandby:
			standby++
		default:
			other++
		}
	}
	var parts []string
	if standby > 0 {
		parts = append(parts, plural(standby, "standby instance"))
	}
	if running > 0 {
		parts = append(parts, plural(running, "running node"))
	}
	if other > 0 {
		parts = append(parts, plural(other, "other instance")+" (warming or failed)")
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{"destroy terminates " + strings.Join(parts, " and ") + " and deletes their nodes"}
}

func replaceBatch(pool Pool) int {
	if pool.ReplaceBatch > 0 {
		return pool.ReplaceBatch
	}
	return DefaultReplaceBatch(pool.Size)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isAre(n int) string { return map[bool]string{true: "is", false: "are"}[n == 1] }

func wasWere(n int) string { return map[bool]string{true: "was", false: "were"}[n == 1] }

func runRuns(n int) string { return map[bool]string{true: "runs", false: "run"}[n == 1] }

func ids(list []Instance) string {
	const most = 10
	out := make([]string, 0, most)
	for n, i := range list {
		if n == most {
			out = append(out, fmt.Sprintf("and %d more", len(list)-most))
			break
		}
		out = append(out, i.ID)
	}
	return strings.Join(out, ", ")
}

// NarrateDrift says what changed outside Terraform between the instances
// recorded in state and those found now. runningManaged is whether the pool
// sets running: then a started standby instance counts as running rather
// than being left alone.
func NarrateDrift(before, now []Instance, runningManaged bool) []string {
	current := map[string]Instance{}
	for _, i := range now {
		current[i.ID] = i
	}
	var vanished, started []Instance
	for _, b := range before {
		if b.State != StateStandby || b.EC2State != "stopped" {
			continue
		}
		n, ok := current[b.ID]
		switch {
		case !ok || n.Gone():
			vanished = append(vanished, b)
		case n.PoweredOn() && n.State == StateStandby:
			started = append(started, n)
		}
	}
	var lines []string
	if len(vanished) > 0 {
		lines = append(lines, fmt.Sprintf("%s %s terminated outside Terraform and will be replaced: %s", plural(len(vanished), "standby instance"), wasWere(len(vanished)), ids(vanished)))
	}
	switch {
	case len(started) > 0 && runningManaged:
		lines = append(lines, fmt.Sprintf("%s %s started outside Terraform and now %s in running, not in size; the next apply brings running back to its configured value and refills standby: %s", plural(len(started), "standby instance"), wasWere(len(started)), map[bool]string{true: "counts", false: "count"}[len(started) == 1], ids(started)))
	case len(started) > 0:
		lines = append(lines, fmt.Sprintf("%s %s started outside Terraform; %s left alone, not counted in size, and replaced in standby: %s", plural(len(started), "standby instance"), wasWere(len(started)), map[bool]string{true: "it is", false: "they are"}[len(started) == 1], ids(started)))
	}
	return lines
}
