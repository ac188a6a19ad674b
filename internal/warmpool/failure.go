package warmpool

import (
	"fmt"
	"sort"
	"strings"
)

// Failure is an instance whose warmup did not finish, and why.
type Failure struct {
	InstanceID string
	NodeName   string
	// WaitingFor is what the instance still waited for when it failed.
	WaitingFor string
	// Console holds the last lines of the instance's console output.
	Console string
	// Action is what was done with it: "terminated" or "stopped".
	Action string
}

func (f Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", f.InstanceID)
	if f.NodeName != "" {
		fmt.Fprintf(&b, " (node %s)", f.NodeName)
	}
	fmt.Fprintf(&b, ": %s", f.WaitingFor)
	if f.Action != "" {
		fmt.Fprintf(&b, "; %s", f.Action)
	}
	if f.Console != "" {
		fmt.Fprintf(&b, "\n    console:\n      %s", strings.ReplaceAll(f.Console, "\n", "\n      "))
	}
	return b.String()
}

// WarmupError reports the instances whose warmup failed when the pool could
// not reach its size.
type WarmupError struct {
	Pool     string
	Want     int
	Have     int
	Failures []Failure
}

func (e *WarmupError) Error() string {
	fs := append([]Failure{}, e.Failures...)
	sort.Slice(fs, func(a, b int) bool { return fs[a].InstanceID < fs[b].InstanceID })
	lines := make([]string, 0, len(fs))
	for _, f := range fs {
		lines = append(lines, "  - "+f.String())
	}
	return fmt.Sprintf("pool %s has %d of %d verified standby instances; %d instance warmups failed:\n%s",
		e.Pool, e.Have, e.Want, len(fs), strings.Join(lines, "\n"))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
