package warmpool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Result is what a converge did and what the pool looks like afterwards.
type Result struct {
	// Observation is the pool after the converge (also after a failed one),
	// so that every instance that exists can be recorded.
	Observation *Observation
	Launched    int
	Terminated  int
	// Started are standby instances started toward Pool.Running; Drained
	// are running ones returned to standby, Evicted the pods moved off them.
	Started, Drained, Evicted int
	// Served are launched instances served as running capacity once
	// verified, without a stop and start, when no standby was left.
	Served int
	// ServedAt is when the last started node became schedulable: running
	// capacity is served before standby is refilled.
	ServedAt time.Time
	// Failures are warmups that failed, whether or not they were replaced.
	Failures []Failure
}

// Converge brings a pool to Size verified standby instances built from the
// current config: it adopts what earlier applies left (warming or stopping
// instances), terminates failed and excess ones, replaces outdated standby
// instances a batch at a time, and launches the shortfall. Failed warmups
// are replaced up to Options.ReplacementRounds times.
func (e *Engine) Converge(ctx context.Context, pool Pool) (*Result, error) {
	if err := pool.Validate(); err != nil {
		return nil, err
	}
	res := &Result{}
	err := permissionError(e.converge(ctx, pool, res))
	obs, obsErr := e.Observe(context.WithoutCancel(ctx), pool.ID())
	if obsErr != nil {
		return res, errors.Join(err, obsErr)
	}
	res.Observation = obs
	if err == nil {
		err = permissionError(e.deleteNodes(ctx, pool.ID(), append(obs.OrphanNodes, obs.StoppedNodes...)))
	}
	return res, err
}

func (e *Engine) converge(ctx context.Context, pool Pool, res *Result) error {
	opts := e.Options.withDefaults()
	keepFailed := map[string]bool{}
	var watch *clusterWatch
	defer func() {
		if watch != nil {
			watch.close()
		}
	}()
	if pool.Running != nil {
		// Running nodes are served and drained from the watch's caches.
		var err error
		if watch, err = e.watchCluster(ctx); err != nil {
			return err
		}
	}
	noStart := map[string]bool{}
	failedRounds, scaleWaves := 0, 0
	for {
		all, err := e.findPoolInstances(ctx, pool.ID(), true)
		if err != nil {
			return err
		}
		hints := planHints{keepFailed: keepFailed, noStart: noStart}
		if watch != nil && pool.Running != nil {
			if hints.pods, err = watch.evictablePods(ctx, pool, all); err != nil {
				return err
			}
		}
		plan := newPlan(pool, all, hints)
		if err := e.terminate(ctx, pool.ID(), plan.Terminate, res); err != nil {
			return err
		}
		if err := e.finishStops(ctx, pool, plan.StopPending); err != nil {
			return err
		}
		if pool.Running != nil {
			if err := e.scaleRunning(ctx, pool, plan, watch, noStart, res); err != nil {
				return err
			}
			if plan.Start > 0 || len(plan.Drain) > 0 {
				if scaleWaves++; scaleWaves > maxScaleWaves {
					return e.checkRunning(ctx, pool, res.Failures)
				}
				continue
			}
		}
		if plan.Launch == 0 && len(plan.Warming) == 0 && len(plan.Replace) == 0 {
			if err := e.checkSize(ctx, pool, plan.StandbyTarget, res); err != nil {
				return err
			}
			return e.checkRunning(ctx, pool, res.Failures)
		}
		launched, launchErr := e.launchFresh(ctx, pool, plan.Launch, all)
		res.Launched += len(launched)
		var placement *PlacementError
		if launchErr != nil && !errors.As(launchErr, &placement) {
			return launchErr
		}
		if watch == nil {
			if watch, err = e.watchCluster(ctx); err != nil {
				return err
			}
		}
		warm, err := e.warmup(ctx, pool, watch, append(plan.Warming, launched...), plan.Shortfall)
		res.Served += len(warm.Served)
		if len(warm.Served) > 0 {
			res.ServedAt = warm.ServedAt
		}
		res.Failures = append(res.Failures, warm.Failures...)
		for _, f := range warm.Failures {
			keepFailed[f.InstanceID] = pool.Warmup.TimeoutAction == TimeoutStop
		}
		if err != nil {
			return err
		}
		if n := min(len(plan.Replace), len(warm.Verified)); n > 0 {
			if err := e.terminate(ctx, pool.ID(), plan.Replace[:n], res); err != nil {
				return err
			}
		}
		if launchErr != nil {
			return launchErr
		}
		if len(warm.Failures) > 0 {
			failedRounds++
			if failedRounds > opts.ReplacementRounds {
				return e.checkSize(ctx, pool, plan.StandbyTarget, res)
			}
		}
	}
}

// finishStops completes stops an interrupted apply issued (or meant to):
// the instances were verified before their state was recorded as stopping.
func (e *Engine) finishStops(ctx context.Context, pool Pool, pending []Instance) error {
	if len(pending) == 0 {
		return nil
	}
	var on []string
	for _, i := range pending {
		if i.PoweredOn() {
			on = append(on, i.ID)
		}
	}
	if err := e.stopInstances(ctx, on, false); err != nil {
		return err
	}
	return e.finishStandby(ctx, pool, nil, pending)
}

func (e *Engine) terminate(ctx context.Context, poolID string, list []Instance, res *Result) error {
	if len(list) == 0 {
		return nil
	}
	if err := e.terminateInstances(ctx, instanceIDs(list)); err != nil {
		return err
	}
	res.Terminated += len(list)
	var names []string
	for _, i := range list {
		if i.NodeName != "" {
			names = append(names, i.NodeName)
		} else if i.PrivateDNSName != "" {
			names = append(names, i.PrivateDNSName)
		}
	}
	return e.deleteNodes(ctx, poolID, names)
}

// checkSize turns a pool left short by failed warmups into an error naming
// each failure.
func (e *Engine) checkSize(ctx context.Context, pool Pool, want int, res *Result) error {
	all, err := e.findPoolInstances(ctx, pool.ID(), false)
	if err != nil {
		return err
	}
	have := 0
	for _, i := range all {
		if i.State == StateStandby && i.EC2State == ec2types.InstanceStateNameStopped && i.ConfigHash == pool.Launch.ConfigHash {
			have++
		}
	}
	if have >= want {
		return nil
	}
	if len(res.Failures) > 0 {
		return &WarmupError{Pool: pool.Name, Want: want, Have: have, Failures: res.Failures}
	}
	return fmt.Errorf("pool %s has %d of %d verified standby instances", pool.Name, have, want)
}

// maxScaleWaves bounds start and drain waves in one converge: each wave
// either reaches pool.Running or rules out standby instances (capacity),
// so a handful always suffices.
const maxScaleWaves = 8

// checkRunning reports a pool left short of pool.Running (no capacity to
// start or launch more).
func (e *Engine) checkRunning(ctx context.Context, pool Pool, failures []Failure) error {
	if pool.Running == nil {
		return nil
	}
	all, err := e.findPoolInstances(ctx, pool.ID(), false)
	if err != nil {
		return err
	}
	have := 0
	for _, i := range all {
		if i.State == StateRunning && i.PoweredOn() {
			have++
		}
	}
	if have != *pool.Running {
		return fmt.Errorf("pool %s has %d of %d running instances%s", pool.Name, have, *pool.Running, failureLines(failures))
	}
	return nil
}

// failureLines lists failures under an error's first line, or says nothing.
func failureLines(failures []Failure) string {
	if len(failures) == 0 {
		return ""
	}
	lines := make([]string, 0, len(failures))
	for _, f := range failures {
		lines = append(lines, "\n  - "+f.String())
	}
	return ";" + strings.Join(lines, "")
}
