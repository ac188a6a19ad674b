package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/stratos-sh/terraform-provider-stratos/internal/scaletest"
)

// The rows that show a pool's cost does not depend on the rest of the
// cluster (issue 12's goals): each compares a measured configuration with
// its baseline, the same commands on the same machine.
const (
	groupBusy  = "busy cluster"
	groupPools = "many pools"
	// busyPoolSize is the pool measured in an empty and in a busy cluster.
	busyPoolSize = 20
	// poolsSize is the size of each pool of the many-pools configuration.
	poolsSize = 10
)

// costGoal is what a comparison's measured/baseline ratios should stay under.
type costGoal struct{ wall, rss float64 }

var costGoals = map[string]costGoal{
	groupBusy:  {wall: 1.2, rss: 1.3},
	groupPools: {wall: 1.5, rss: 2},
}

// measureBusyCluster measures a pool of 20 in the (empty) sandbox cluster,
// then the same pool again with opts.busyPods background pods on other
// nodes (scaletest.Background: real pods in the real apiserver, which the
// provider must never list). Creating them takes minutes; they are removed
// afterwards.
func (b *bench) measureBusyCluster(ctx context.Context, opts options) ([]row, error) {
	empty, err := b.measureGroup(ctx, groupBusy, "empty cluster", true,
		scaletest.PoolConfig{Name: "bench-quiet", Size: busyPoolSize}, busySteps())
	if err != nil {
		return empty, err
	}
	admin, err := b.sb.Cluster().Clientset(2000, 2000)
	if err != nil {
		return empty, err
	}
	progress(b.log, "creating %d background pods on %d nodes", opts.busyPods, (opts.busyPods+99)/100)
	bg, err := scaletest.StartBackground(ctx, admin, opts.busyPods, b.sb.World().AvailabilityZones())
	if err != nil {
		return empty, fmt.Errorf("background pods: %w", err)
	}
	defer func() {
		progress(b.log, "removing the background pods")
		if err := bg.Close(context.WithoutCancel(ctx)); err != nil {
			progress(b.log, "remove the background pods: %v", err)
		}
	}()
	scenario := fmt.Sprintf("%d pods on %d other nodes", bg.Pods(), bg.Nodes())
	busy, err := b.measureGroup(ctx, groupBusy, scenario, false,
		scaletest.PoolConfig{Name: "bench-busy", Size: busyPoolSize}, busySteps())
	return append(empty, busy...), err
}

// busySteps are what a pool does in a busy cluster: the create (warmup
// reads its nodes' pods), a no-change apply, starting and draining a tenth
// (drains read the pods of the running nodes), and the destroy.
func busySteps() []step {
	running, none := busyPoolSize/10, 0
	return []step{
		{op: opCreate, args: []string{"apply", "-auto-approve"}},
		{op: opNoop, args: []string{"apply", "-auto-approve"}},
		{op: opStart, config: func(c *scaletest.PoolConfig) { c.Running = &running }, args: []string{"apply", "-auto-approve"}},
		{op: opDrain, config: func(c *scaletest.PoolConfig) { c.Running = &none }, args: []string{"apply", "-auto-approve"}},
		{op: opDestroy, args: []string{"destroy", "-auto-approve"}},
	}
}

// measureManyPools measures one pool of 10, then opts.pools pools of 10 in
// one configuration: one provider process, Terraform's default parallelism
// (10), so the pools converge at once and share the provider's informers.
func (b *bench) measureManyPools(ctx context.Context, opts options) ([]row, error) {
	steps := []step{
		{op: opCreate, args: []string{"apply", "-auto-approve"}},
		{op: opNoop, args: []string{"apply", "-auto-approve"}},
		{op: opDestroy, args: []string{"destroy", "-auto-approve"}},
	}
	one, err := b.measureGroup(ctx, groupPools, "1 pool", true,
		scaletest.PoolConfig{Name: "bench-one", Size: poolsSize}, steps)
	if err != nil {
		return one, err
	}
	many, err := b.measureGroup(ctx, groupPools, fmt.Sprintf("%d pools", opts.pools), false,
		scaletest.PoolConfig{Name: "bench-many", Size: poolsSize, Pools: opts.pools}, steps)
	return append(one, many...), err
}

// measureGroup measures steps on pool in a workspace of its own and tags
// the rows with their comparison.
func (b *bench) measureGroup(ctx context.Context, group, scenario string, baseline bool, pool scaletest.PoolConfig, steps []step) ([]row, error) {
	ws, err := b.setup.NewWorkspace(filepath.Join(b.work, pool.Name))
	if err != nil {
		return nil, err
	}
	progress(b.log, "%s: %s", group, scenario)
	rows, err := b.measureSteps(ctx, ws, pool, steps, options{repeat: 1})
	for i := range rows {
		rows[i].group, rows[i].scenario, rows[i].baseline, rows[i].pools = group, scenario, baseline, max(1, pool.Pools)
	}
	return rows, err
}

// printClusterCost writes the comparison rows and, per group and
// operation, the measured/baseline ratios against the goals.
func printClusterCost(w io.Writer, rows []row) {
	fmt.Fprintln(w, "\nCost independent of the cluster's pods: a pool of 20 in an empty and in a busy cluster; pools of 10 alone and many in one configuration (one provider process, Terraform's default parallelism 10).")
	fmt.Fprintln(w)
	printSizes(w, rows, options{repeat: 1})
	fmt.Fprintln(w, "\n| comparison | operation | wall: baseline → measured | ratio (goal) | provider peak RSS: baseline → measured | ratio (goal) |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, m := range rows {
		if m.baseline || m.op == opNoop {
			continue
		}
		for _, base := range rows {
			if !base.baseline || base.group != m.group || base.op != m.op {
				continue
			}
			goal := costGoals[m.group]
			fmt.Fprintf(w, "| %s: %s vs %s | %s | %s → %s | %.2f × (≤ %.1f ×) | %s → %s | %.2f × (≤ %.1f ×) |\n",
				m.group, m.scenario, base.scenario, m.op,
				seconds(base.wall), seconds(m.wall), ratio(float64(m.wall), float64(base.wall)), goal.wall,
				megabytes(base.peakRSS), megabytes(m.peakRSS), ratio(float64(m.peakRSS), float64(base.peakRSS)), goal.rss)
		}
	}
}

func ratio(measured, baseline float64) float64 {
	if baseline <= 0 {
		return 0
	}
	return measured / baseline
}
