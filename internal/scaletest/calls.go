package scaletest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Calls are EC2 API calls by action, as the sandbox counts them (every
// attempt, throttled and failed ones included).
type Calls map[string]int

// Sub is c minus before.
func (c Calls) Sub(before Calls) Calls {
	out := Calls{}
	for k, v := range c {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// Total is the number of calls.
func (c Calls) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String renders "DescribeInstances=3 RunInstances=3", sorted by action.
func (c Calls) String() string {
	if len(c) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(c))
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return strings.Join(parts, " ")
}
