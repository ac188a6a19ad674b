package warmpool

import (
	"sort"
)

// Plan is what converging a pool will do, decided from what exists.
type Plan struct {
	Size int
	// Standby are verified, stopped instances built from the current config.
	Standby []Instance
	// Outdated are verified standby instances built from another config.
	Outdated []Instance
	// Warming are current instances launched by an earlier apply and not yet verified.
	Warming []Instance
	// StopPending are verified instances whose stop was issued or is still needed.
	StopPending []Instance
	// Failed are instances whose warmup failed, or that stopped before verification.
	Failed []Instance
	// Running are instances started out of standby by something else: left alone.
	Running []Instance

	// Launch is how many instances this wave launches.
	Launch int
	// Terminate are terminated before launching: failed, excess, stale warmups.
	Terminate []Instance
	// Replace are outdated standby instances terminated once this wave's
	// replacements are verified.
	Replace []Instance

	// StandbyTarget is how many standby instances the pool holds: Size, or
	// less when MaxSize leaves no room for all of them beside the running ones.
	StandbyTarget int
	// Start is how many standby instances this wave starts (pool.Running
	// above the running count); StartFrom are the candidates in order of
	// preference, more than Start when capacity errors call for fallbacks.
	Start     int
	StartFrom []Instance
	// Drain are running instances this wave drains back into standby, in
	// the order they were chosen.
	Drain []Instance
	// Shortfall is how many of this wave's launches are running capacity no
	// standby instance could supply: they are served once verified, not stopped.
	Shortfall int
}

// planHints are what a converge has learnt that the instances do not show.
type planHints struct {
	// keepFailed names failed instances to leave alone.
	keepFailed map[string]bool
	// noStart names standby instances whose start failed for capacity in this converge.
	noStart map[string]bool
	// pods counts the evictable pods on each running instance's node.
	pods map[string]int
}

// DefaultReplaceBatch bounds replacement of outdated standby instances to a
// quarter of the pool at a time, so most of the pool stays usable.
func DefaultReplaceBatch(size int) int {
	if b := (size + 3) / 4; b > 1 {
		return b
	}
	return 1
}

// NewPlan classifies a pool's instances against the desired pool and decides
// the next wave. keepFailed names failed instances to leave alone (those a
// timeout_action of "stop" kept in this converge, for inspection).
func NewPlan(pool Pool, instances []Instance, keepFailed map[string]bool) Plan {
	return newPlan(pool, instances, planHints{keepFailed: keepFailed})
}

func newPlan(pool Pool, instances []Instance, hints planHints) Plan {
	keepFailed := hints.keepFailed
	p := Plan{Size: pool.Size}
	for _, i := range instances {
		if i.Gone() {
			continue
		}
		current := i.ConfigHash == pool.Launch.ConfigHash
		switch {
		case i.State == StateFailed:
			p.Failed = append(p.Failed, i)
		case i.State == StateRunning && i.PoweredOn():
			p.Running = append(p.Running, i)
		case i.State == StateRunning:
			// Stopped behind the pool's back without the standby taint: not
			// trusted as standby, terminated and replaced.
			p.Failed = append(p.Failed, i)
		case (i.State == StateStandby || i.State == StateDraining) && i.PoweredOn():
			p.Running = append(p.Running, i)
		case (i.State == StateStandby || i.State == StateStopping || i.State == StateDraining) && current:
			if i.State == StateStandby && i.EC2State == "stopped" {
				p.Standby = append(p.Standby, i)
			} else {
				p.StopPending = append(p.StopPending, i)
			}
		case i.State == StateStandby || i.State == StateStopping || i.State == StateDraining:
			if i.PoweredOn() {
				// A verified instance of an old config whose stop never
				// happened: not worth stopping, it is replaced anyway.
				p.Terminate = append(p.Terminate, i)
			} else {
				p.Outdated = append(p.Outdated, i)
			}
		case i.PoweredOn() && current:
			p.Warming = append(p.Warming, i)
		case i.PoweredOn():
			// Warming an old config (an interrupted apply before a config change).
			p.Terminate = append(p.Terminate, i)
		default:
			// Stopped before it was verified: someone stopped it, or a warmup
			// failed before its state was recorded.
			p.Failed = append(p.Failed, i)
		}
	}
	for _, f := range p.Failed {
		if !keepFailed[f.ID] {
			p.Terminate = append(p.Terminate, f)
		}
	}

	sortOldestFirst(p.Outdated)
	target, shortfall := p.planRunning(pool, hints)
	p.StandbyTarget = target
	if p.Start > 0 || len(p.Drain) > 0 {
		// Standby is counted again once the starts and drains are done;
		// until then only failed instances go.
		p.dropTerminated()
		return p
	}
	// Running instances short of pool.Running with nothing left to start
	// are launched into standby first, and started by the next wave; standby
	// instances that could not start for capacity do not count toward them.
	if shortfall > 0 {
		target += shortfall + countListed(p.Standby, hints.noStart) + countListed(p.Outdated, hints.noStart)
		if pool.MaxSize > 0 {
			target = min(target, max(0, pool.MaxSize-len(p.Running)))
		}
	}
	current := append(append(append([]Instance{}, p.Standby...), p.StopPending...), p.Warming...)
	have := len(current)
	if have >= target {
		p.Terminate = append(p.Terminate, p.Outdated...)
		sortOldestFirst(current)
		p.Terminate = append(p.Terminate, current[:have-target]...)
		p.dropTerminated()
		return p
	}
	need := target - have
	keep := min(len(p.Outdated), need)
	p.Terminate = append(p.Terminate, p.Outdated[keep:]...)
	batch := pool.ReplaceBatch
	if batch <= 0 {
		batch = DefaultReplaceBatch(target)
	}
	replaceNow := min(keep, batch)
	p.Replace = append(p.Replace, p.Outdated[:replaceNow]...)
	p.Launch = need - keep + replaceNow
	p.Shortfall = min(shortfall, p.Launch)
	p.dropTerminated()
	return p
}

// dropTerminated removes instances chosen for termination from the lists
// that count toward the pool, so counts read as after this wave.
func (p *Plan) dropTerminated() {
	gone := map[string]bool{}
	for _, i := range p.Terminate {
		gone[i.ID] = true
	}
	keep := func(list []Instance) []Instance {
		out := list[:0:0]
		for _, i := range list {
			if !gone[i.ID] {
				out = append(out, i)
			}
		}
		return out
	}
	p.Standby, p.StopPending, p.Warming = keep(p.Standby), keep(p.StopPending), keep(p.Warming)
}

// Done reports a plan with nothing left to do.
func (p Plan) Done() bool {
	return p.Launch == 0 && len(p.Terminate) == 0 && len(p.Replace) == 0 &&
		len(p.Warming) == 0 && len(p.StopPending) == 0 && p.Start == 0 && len(p.Drain) == 0
}

func sortOldestFirst(list []Instance) {
	sort.SliceStable(list, func(a, b int) bool {
		if !list[a].LaunchedAt.Equal(list[b].LaunchedAt) {
			return list[a].LaunchedAt.Before(list[b].LaunchedAt)
		}
		return list[a].ID < list[b].ID
	})
}

func countListed(list []Instance, ids map[string]bool) int {
	n := 0
	for _, i := range list {
		if ids[i.ID] {
			n++
		}
	}
	return n
}
