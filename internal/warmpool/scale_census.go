package warmpool

import "sort"

// Census is a pool's instances grouped the way a reader of the pool (a data
// source, a CI check) counts them.
type Census struct {
	// ByState groups live instances by the state they are effectively in:
	// a powered-on standby instance is running; an instance stopped before
	// it was verified is failed.
	ByState map[State][]Instance
	// Outdated are standby instances built from a node class version older
	// than the node class's latest.
	Outdated []Instance
	// NodeNames are the registered nodes of live instances, sorted.
	NodeNames []string
	// NodeClassVersion and ConfigHash are those of the newest instance: what
	// the pool's owner last launched.
	NodeClassVersion int64
	ConfigHash       string
}

// NewCensus groups instances; latestVersion is the node class's latest
// version (0 when unknown: nothing is counted outdated).
func NewCensus(instances []Instance, latestVersion int64) Census {
	c := Census{ByState: map[State][]Instance{}}
	var newest *Instance
	for n := range instances {
		i := instances[n]
		if i.Gone() {
			continue
		}
		state := i.State
		switch {
		case i.PoweredOn() && (state == StateStandby || state == StateRunning):
			state = StateRunning
		case state == StateRunning || (state == StateWarmup && i.PoweredOff()):
			state = StateFailed
		case state == "":
			state = StateWarmup
		}
		c.ByState[state] = append(c.ByState[state], i)
		if state == StateStandby && latestVersion > 0 && i.ClassVersion < latestVersion {
			c.Outdated = append(c.Outdated, i)
		}
		if i.NodeName != "" {
			c.NodeNames = append(c.NodeNames, i.NodeName)
		}
		if newest == nil || i.LaunchedAt.After(newest.LaunchedAt) {
			newest = &instances[n]
		}
	}
	for _, list := range c.ByState {
		sort.Slice(list, func(a, b int) bool { return list[a].ID < list[b].ID })
	}
	sort.Strings(c.NodeNames)
	if newest != nil {
		c.NodeClassVersion, c.ConfigHash = newest.ClassVersion, newest.ConfigHash
	}
	return c
}
