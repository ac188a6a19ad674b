package warmpool

import "testing"

func TestCensus(t *testing.T) {
	withNode := func(i Instance, node string) Instance { i.NodeName = node; return i }
	c := NewCensus([]Instance{
		withNode(standby("s", 1), "node-s"),
		outdated("o", 0),
		withNode(inst("ext", "running", StateStandby, currentHash, 2), "node-ext"),
		running("r", 3),
		inst("d", "running", StateDraining, currentHash, 4),
		inst("w", "pending", StateWarmup, currentHash, 6),
		inst("x", "stopped", StateWarmup, currentHash, 5),
		inst("gone", "terminated", StateStandby, currentHash, 9),
	}, 5)
	for state, want := range map[State]string{
		StateStandby: "o,s", StateRunning: "ext,r", StateDraining: "d", StateWarmup: "w", StateFailed: "x",
	} {
		if got := names(c.ByState[state]); got != want {
			t.Errorf("%s: %s, want %s", state, got, want)
		}
	}
	if names(c.Outdated) != "o" || c.NodeClassVersion != 5 || len(c.NodeNames) != 2 || c.NodeNames[0] != "node-ext" {
		t.Errorf("outdated %s, version %d, nodes %v", names(c.Outdated), c.NodeClassVersion, c.NodeNames)
	}
}
