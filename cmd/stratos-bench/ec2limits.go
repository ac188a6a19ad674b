package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest"
)

// opReplace is a node class change: every standby instance is replaced by
// one of the new node class version.
const opReplace = "apply (node class replacement)"

// documentedPool is the pool size EC2's documented RunInstances resource
// bucket is measured against: one bucket's worth of instances.
const documentedPool = 1000

// limitedConfig is base with EC2's documented rate limits on
// (cloud.DocumentedRateLimits): the request buckets of every action and
// the resource buckets of RunInstances, StartInstances, StopInstances and
// TerminateInstances. timeScale compresses time as the sandbox's latencies
// do: every refill rate is multiplied by it. A pool smaller than 1,000
// gets resource buckets scaled with it, capacity and refill together, so
// that it meets the limits as a pool of 1,000 meets the documented ones.
func limitedConfig(base cloud.Config, size int, timeScale float64) cloud.Config {
	limits := cloud.DocumentedRateLimits()
	share := float64(size) / documentedPool
	for k, b := range limits.Requests {
		b.Refill *= timeScale
		limits.Requests[k] = b
	}
	for k, b := range limits.Resources {
		b.Capacity *= share
		b.Refill *= share * timeScale
		limits.Resources[k] = b
	}
	base.RateLimits = &limits
	return base
}

// describeLimits says which limits a run had, for the table's heading.
func describeLimits(l *cloud.RateLimits, timeScale float64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l.Resources)) {
		b := l.Resources[k]
		parts = append(parts, fmt.Sprintf("%s %g instances refilled at %g/s", k, b.Capacity, b.Refill))
	}
	for _, k := range slices.Sorted(maps.Keys(l.Requests)) {
		b := l.Requests[k]
		parts = append(parts, fmt.Sprintf("%s requests %g refilled at %g/s", k, b.Capacity, b.Refill))
	}
	scaled := "EC2's documented rate limits"
	if timeScale != 1 {
		scaled = fmt.Sprintf("EC2's documented rate limits with time compressed %g× (every refill rate × %g, as the sandbox's latencies are compressed)", timeScale, timeScale)
	}
	return scaled + ": " + strings.Join(parts, "; ")
}

// measureLimits creates a pool under EC2's modelled rate limits and then
// changes its node class, so that the replacement wave meets a
// RunInstances resource bucket the create emptied.
func (b *bench) measureLimits(ctx context.Context, opts options) ([]row, error) {
	n := opts.limitsSize
	name := fmt.Sprintf("bench-limits-%d", n)
	ws, err := b.setup.NewWorkspace(filepath.Join(b.work, name))
	if err != nil {
		return nil, err
	}
	world := b.sb.World()
	base := world.Config()
	if err := world.SetConfig(limitedConfig(base, n, opts.limitsTimeScale)); err != nil {
		return nil, err
	}
	defer func() { _ = world.SetConfig(base) }()
	progress(b.log, "N=%d under EC2 rate limits: %s", n, describeLimits(world.Config().RateLimits, opts.limitsTimeScale))
	steps := []step{
		{op: opCreate, args: []string{"apply", "-auto-approve"}},
		{op: opNoop, args: []string{"apply", "-auto-approve"}},
		{op: opReplace, config: func(c *scaletest.PoolConfig) { c.Revision = 1 }, args: []string{"apply", "-auto-approve"}},
	}
	rows, err := b.measureSteps(ctx, ws, scaletest.PoolConfig{Name: name, Size: n}, steps, options{repeat: 1})
	for i := range rows {
		rows[i].limited = true
	}
	return rows, err
}
