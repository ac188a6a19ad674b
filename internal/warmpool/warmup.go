package warmpool

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/poll"
)

// evaluateEvery debounces readiness evaluation: informer events only mark
// the pool dirty, and every pending instance is evaluated at most this often.
const evaluateEvery = 200 * time.Millisecond

type warming struct {
	inst       Instance
	deadline   time.Time
	waitingFor string
}

// warmupResult is what a warmup produced.
type warmupResult struct {
	// Verified reached standby: verified, stopped and tagged.
	Verified []Instance
	// Served were verified and made schedulable instead of stopped, the
	// last at ServedAt.
	Served   []Instance
	ServedAt time.Time
	Failures []Failure
}

// warmup waits on all instances together, driven by the cluster watch, and
// moves each verified instance into standby as it qualifies: node marked
// standby, tagged, stopped in batches. It returns when every instance is
// standby or failed.
//
// The first serve instances to qualify are not stopped but served at once
// (running capacity no standby instance was left to supply).
func (e *Engine) warmup(ctx context.Context, pool Pool, w *clusterWatch, instances []Instance, serve int) (warmupResult, error) {
	opts := e.Options.withDefaults()
	network := pool.Warmup.Network
	if network == NetworkAuto || network == "" {
		network = DetectNetwork(w.allDaemonSets())
		e.logf("pool %s: detected network %s", pool.Name, network)
	}
	pending := map[string]*warming{}
	for _, i := range instances {
		start := i.LaunchedAt
		if start.IsZero() {
			start = time.Now()
		}
		pending[i.ID] = &warming{inst: i, deadline: start.Add(pool.Warmup.Timeout), waitingFor: "node never registered"}
	}

	var res warmupResult
	var stopping []Instance
	var toStop []Instance
	lastFlush := time.Now()
	flush := func() error {
		if len(toStop) == 0 {
			return nil
		}
		if err := e.enterStandby(ctx, w, toStop); err != nil {
			return err
		}
		e.logf("pool %s: %d instances verified and stopping (%d still warming up)", pool.Name, len(toStop), len(pending))
		stopping = append(stopping, toStop...)
		toStop, lastFlush = nil, time.Now()
		return nil
	}

	evaluate := time.NewTicker(evaluateEvery)
	defer evaluate.Stop()
	// The cluster watch drives a warmup; describes only catch instances
	// that leave it behind the pool's back, so they back off from the start.
	schedule := poll.Schedule{Interval: opts.PollInterval, Max: opts.MaxPollInterval}
	refresh := time.NewTimer(opts.PollInterval)
	defer refresh.Stop()
	refreshDelay, began := opts.PollInterval, time.Now()
	dirty := true
	for len(pending) > 0 || len(toStop) > 0 {
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("warm up %d instances: %w", len(pending), context.Cause(ctx))
		case <-w.changed:
			dirty = true
		case <-refresh.C:
			if err := e.refreshWarming(ctx, pool, pending, &res); err != nil {
				return res, err
			}
			refreshDelay = schedule.Next(refreshDelay, time.Since(began))
			refresh.Reset(refreshDelay)
		case now := <-evaluate.C:
			if err := w.refusal(); err != nil {
				return res, fmt.Errorf("warm up %d instances: %w", len(pending), err)
			}
			if dirty {
				dirty = false
				var serveNow []Instance
				for id, p := range pending {
					node := w.node(id)
					var view ClusterView
					if node != nil {
						view = w.view(node)
						p.inst.NodeName = node.Name
					}
					r := EvaluateNode(node, view, pool.Warmup, network)
					if r.Ready {
						// Verified: its pods no longer matter to the pool.
						w.forgetPods(node.Name)
					}
					if r.Ready && len(res.Served)+len(serveNow) < serve {
						serveNow = append(serveNow, p.inst)
						delete(pending, id)
						continue
					}
					if r.Ready {
						toStop = append(toStop, p.inst)
						delete(pending, id)
						continue
					}
					p.waitingFor = r.WaitingFor
				}
				if err := e.markRunning(ctx, w, serveNow); err != nil {
					return res, err
				}
				if len(serveNow) > 0 {
					res.Served, res.ServedAt = append(res.Served, serveNow...), time.Now()
				}
			}
			var expired []*warming
			for id, p := range pending {
				if now.After(p.deadline) {
					expired = append(expired, p)
					delete(pending, id)
					if p.inst.NodeName != "" {
						w.forgetPods(p.inst.NodeName)
					}
				}
			}
			if len(expired) > 0 {
				failures, err := e.failWarmup(ctx, pool, w, expired)
				res.Failures = append(res.Failures, failures...)
				if err != nil {
					return res, err
				}
			}
			if len(toStop) > 0 && (len(pending) == 0 || time.Since(lastFlush) >= opts.PollInterval) {
				if err := flush(); err != nil {
					return res, err
				}
			}
		}
	}
	if err := e.finishStandby(ctx, pool, w, stopping); err != nil {
		return res, err
	}
	e.logf("pool %s: %d instances stopped and in standby", pool.Name, len(stopping))
	res.Verified = stopping
	return res, nil
}

// refreshWarming notices instances that left warmup behind the pool's back:
// terminated or stopped by someone else, or failed to launch.
func (e *Engine) refreshWarming(ctx context.Context, pool Pool, pending map[string]*warming, res *warmupResult) error {
	found, err := e.findPoolInstances(ctx, pool.ID(), true)
	if err != nil {
		return err
	}
	for _, i := range found {
		p, ok := pending[i.ID]
		if !ok {
			continue
		}
		p.inst.EC2State = i.EC2State
		if i.PrivateDNSName != "" {
			p.inst.PrivateDNSName = i.PrivateDNSName
		}
		switch {
		case i.Gone() && i.failedAfterAcceptance() != "":
			// A launch EC2 accepted and then failed: the instance will never
			// boot, so it fails now, with EC2's reason, not at the timeout.
			res.Failures = append(res.Failures, Failure{InstanceID: i.ID, NodeName: p.inst.NodeName,
				WaitingFor: "launch failed after EC2 accepted it: " + i.failedAfterAcceptance(), Action: "terminated by EC2"})
			delete(pending, i.ID)
		case i.Gone():
			res.Failures = append(res.Failures, Failure{InstanceID: i.ID, NodeName: p.inst.NodeName,
				WaitingFor: "instance " + string(i.EC2State) + " during warmup (not by this pool)", Action: "gone"})
			delete(pending, i.ID)
		case i.PoweredOff():
			res.Failures = append(res.Failures, Failure{InstanceID: i.ID, NodeName: p.inst.NodeName,
				WaitingFor: "instance " + string(i.EC2State) + " before it was verified (not by this pool)", Action: "terminated"})
			delete(pending, i.ID)
			if err := e.terminateInstances(ctx, []string{i.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// enterStandby marks verified nodes standby, records that their stop was
// issued, and stops them — in that order, so an interruption at any point
// leaves tags that say what to finish.
func (e *Engine) enterStandby(ctx context.Context, w *clusterWatch, verified []Instance) error {
	err := forEach(verified, func(i Instance) error {
		node := w.node(i.ID)
		if node == nil {
			return fmt.Errorf("node of instance %s vanished before its stop", i.ID)
		}
		return e.markStandby(ctx, node, StateStandby)
	})
	if err != nil {
		return err
	}
	ids := instanceIDs(verified)
	if err := e.tagState(ctx, ids, StateStopping); err != nil {
		return err
	}
	return e.stopInstances(ctx, ids, false)
}

// finishStandby waits until stopped instances are verified stopped,
// deletes their Nodes and tags them standby. A stopped instance's Node
// would only be a NotReady node to the cluster: the node lifecycle
// controller counts it toward its zone's disruption state and Cluster
// Autoscaler toward its unready nodes. The kubelet registers it again, with
// the labels and warmup taint of its user data, when the instance starts.
// The tag comes last, so an interrupted apply finishes the deletion.
func (e *Engine) finishStandby(ctx context.Context, pool Pool, w *clusterWatch, stopping []Instance) error {
	ids := instanceIDs(stopping)
	if err := e.waitInstances(ctx, pool.ID(), ids, func(i Instance) bool {
		return i.EC2State == ec2types.InstanceStateNameStopped
	}); err != nil {
		return err
	}
	if err := e.deleteInstanceNodes(ctx, pool.ID(), w, stopping); err != nil {
		return err
	}
	return e.tagState(ctx, ids, StateStandby)
}

// failWarmup applies timeout_action to instances whose warmup timed out,
// after reading the end of their console output for the report.
func (e *Engine) failWarmup(ctx context.Context, pool Pool, w *clusterWatch, expired []*warming) ([]Failure, error) {
	failures := make([]Failure, 0, len(expired))
	ids := make([]string, 0, len(expired))
	var nodes []*corev1.Node
	for _, p := range expired {
		f := Failure{InstanceID: p.inst.ID, NodeName: p.inst.NodeName, WaitingFor: fmt.Sprintf("timed out after %s waiting for %s", pool.Warmup.Timeout, p.waitingFor)}
		f.Console = e.consoleTail(ctx, p.inst.ID)
		failures = append(failures, f)
		ids = append(ids, p.inst.ID)
		if n := w.node(p.inst.ID); n != nil {
			nodes = append(nodes, n)
		}
	}
	e.logf("pool %s: %d warmups timed out", pool.Name, len(ids))
	if pool.Warmup.TimeoutAction == TimeoutStop {
		for n := range failures {
			failures[n].Action = "stopped for inspection (timeout_action = \"stop\"); the next apply terminates it"
		}
		err := forEach(nodes, func(n *corev1.Node) error { return e.markStandby(ctx, n, StateFailed) })
		if err != nil {
			return failures, err
		}
		reason := ec2types.Tag{Key: aws.String(keys.Failure), Value: aws.String("warmup-timeout")}
		if err := e.tagState(ctx, ids, StateFailed, reason); err != nil {
			return failures, err
		}
		return failures, e.stopInstances(ctx, ids, true)
	}
	for n := range failures {
		failures[n].Action = "terminated (timeout_action = \"terminate\")"
	}
	if err := e.terminateInstances(ctx, ids); err != nil {
		return failures, err
	}
	return failures, e.deleteNodeObjects(ctx, pool.ID(), nodes)
}
