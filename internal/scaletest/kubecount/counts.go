// Package kubecount counts Kubernetes API requests by verb and resource, the
// way the apiserver's apiserver_request_total metric does: a reverse proxy in
// front of the apiserver sees only the requests of the process pointed at it
// (the provider under measurement), and a /metrics scrape sees the whole
// apiserver (the simulated kubelets included).
package kubecount

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Request is one kind of request: an apiserver verb (GET, LIST, WATCH,
// CREATE, UPDATE, PATCH, DELETE, …) on a resource ("nodes", "pods",
// "nodes/status").
type Request struct {
	Verb     string
	Resource string
}

func (r Request) String() string { return r.Verb + " " + r.Resource }

// Counts are requests by kind.
type Counts map[Request]int

// Sub is c minus before, keeping only kinds that grew.
func (c Counts) Sub(before Counts) Counts {
	out := Counts{}
	for k, v := range c {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// Of sums the requests with verb on resource (either may be "" for any).
func (c Counts) Of(verb, resource string) int {
	n := 0
	for k, v := range c {
		if (verb == "" || k.Verb == verb) && (resource == "" || k.Resource == resource) {
			n += v
		}
	}
	return n
}

// Total is the number of requests.
func (c Counts) Total() int { return c.Of("", "") }

// String renders "LIST nodes=1 WATCH nodes=1", sorted, for tables and test failures.
func (c Counts) String() string {
	keys := slices.SortedFunc(maps.Keys(c), func(a, b Request) int {
		if a.Resource != b.Resource {
			return strings.Compare(a.Resource, b.Resource)
		}
		return strings.Compare(a.Verb, b.Verb)
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s=%d", k.Verb, k.Resource, c[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}
