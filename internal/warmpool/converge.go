package warmpool

import (
	"context"
	"errors"
	"fmt"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Result is what a converge did and what the pool looks like afterwards.
type Result struct {
	// Observation is the pool after the converge (also after a failed one),
	// so that every instance that exists can be recorded.
	Observation *Observation
	Launched    int
	Terminated  int
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
	err := e.converge(ctx, pool, res)
	obs, obsErr := e.Observe(context.WithoutCancel(ctx), pool.ID())
	if obsErr != nil {
		return res, errors.Join(err, obsErr)
	}
	res.Observation = obs
	if err == nil {
		err = e.deleteNodes(ctx, obs.OrphanNodes)
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
	failedRounds, roundOffset := 0, 0
	for {
		all, err := e.findPoolInstances(ctx, pool.ID(), true)
		if err != nil {
			return err
		}
		plan := NewPlan(pool, all, keepFailed)
		if err := e.terminate(ctx, plan.Terminate, res); err != nil {
			return err
		}
		if err := e.finishStops(ctx, pool, plan.StopPending); err != nil {
			return err
		}
		if plan.Launch == 0 && len(plan.Warming) == 0 && len(plan.Replace) == 0 {
			return e.checkSize(ctx, pool, res)
		}
		known := map[string]bool{}
		round := 0
		for _, i := range all {
			known[i.ID] = true
			round = max(round, i.LaunchRound)
		}
		launched, launchErr := e.launch(ctx, pool, plan.Launch, round+1+roundOffset, known)
		if errors.Is(launchErr, errReplayedToken) {
			roundOffset++
			continue
		}
		res.Launched += len(launched)
		var capacity *CapacityError
		if launchErr != nil && !errors.As(launchErr, &capacity) {
			return launchErr
		}
		if watch == nil {
			w := pool.Warmup
			wantPods := w.WaitForDaemonSets || w.Network == NetworkAuto || w.Network == NetworkVPCCNI || w.Network == ""
			if watch, err = e.watchCluster(ctx, pool.ID(), wantPods); err != nil {
				return err
			}
		}
		warm, err := e.warmup(ctx, pool, watch, append(plan.Warming, launched...))
		res.Failures = append(res.Failures, warm.Failures...)
		for _, f := range warm.Failures {
			keepFailed[f.InstanceID] = pool.Warmup.TimeoutAction == TimeoutStop
		}
		if err != nil {
			return err
		}
		if n := min(len(plan.Replace), len(warm.Verified)); n > 0 {
			if err := e.terminate(ctx, plan.Replace[:n], res); err != nil {
				return err
			}
		}
		if launchErr != nil {
			return launchErr
		}
		if len(warm.Failures) > 0 {
			failedRounds++
			if failedRounds > opts.ReplacementRounds {
				return e.checkSize(ctx, pool, res)
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
	return e.finishStandby(ctx, pool, pending)
}

func (e *Engine) terminate(ctx context.Context, list []Instance, res *Result) error {
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
	return e.deleteNodes(ctx, names)
}

// checkSize turns a pool left short by failed warmups into an error naming
// each failure.
func (e *Engine) checkSize(ctx context.Context, pool Pool, res *Result) error {
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
	if have >= pool.Size {
		return nil
	}
	if len(res.Failures) > 0 {
		return &WarmupError{Pool: pool.Name, Want: pool.Size, Have: have, Failures: res.Failures}
	}
	return fmt.Errorf("pool %s has %d of %d verified standby instances", pool.Name, have, pool.Size)
}
