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
	p := Plan{Size: pool.Size}
	for _, i := range instances {
		if i.Gone() {
			continue
		}
		current := i.ConfigHash == pool.Launch.ConfigHash
		switch {
		case i.State == StateFailed:
			p.Failed = append(p.Failed, i)
		case i.State == StateRunning:
			p.Running = append(p.Running, i)
		case i.State == StateStandby && i.PoweredOn():
			p.Running = append(p.Running, i)
		case (i.State == StateStandby || i.State == StateStopping) && current:
			if i.State == StateStandby && i.EC2State == "stopped" {
				p.Standby = append(p.Standby, i)
			} else {
				p.StopPending = append(p.StopPending, i)
			}
		case i.State == StateStandby || i.State == StateStopping:
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
	current := append(append(append([]Instance{}, p.Standby...), p.StopPending...), p.Warming...)
	have := len(current)
	if have >= pool.Size {
		p.Terminate = append(p.Terminate, p.Outdated...)
		sortOldestFirst(current)
		p.Terminate = append(p.Terminate, current[:have-pool.Size]...)
		p.dropTerminated()
		return p
	}
	need := pool.Size - have
	keep := min(len(p.Outdated), need)
	p.Terminate = append(p.Terminate, p.Outdated[keep:]...)
	batch := pool.ReplaceBatch
	if batch <= 0 {
		batch = DefaultReplaceBatch(pool.Size)
	}
	replaceNow := min(keep, batch)
	p.Replace = append(p.Replace, p.Outdated[:replaceNow]...)
	p.Launch = need - keep + replaceNow
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
		len(p.Warming) == 0 && len(p.StopPending) == 0
}

func sortOldestFirst(list []Instance) {
	sort.SliceStable(list, func(a, b int) bool {
		if !list[a].LaunchedAt.Equal(list[b].LaunchedAt) {
			return list[a].LaunchedAt.Before(list[b].LaunchedAt)
		}
		return list[a].ID < list[b].ID
	})
}
