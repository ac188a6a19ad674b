package warmpool

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// heartbeatSlack allows for clock skew between this process and the
// cluster when telling a node's post-start status from its pre-stop one.
const heartbeatSlack = 2 * time.Second

// scaleRunning moves the pool toward pool.Running: it starts standby
// instances and serves them (and any running instance not yet schedulable),
// then drains excess running nodes back into standby. Capacity comes first:
// drains, which may wait minutes on PodDisruptionBudgets, run after the
// started nodes are schedulable.
func (e *Engine) scaleRunning(ctx context.Context, pool Pool, plan Plan, w *clusterWatch, noStart map[string]bool, res *Result) error {
	draining := map[string]bool{}
	for _, i := range plan.Drain {
		draining[i.ID] = true
	}
	var serve []Instance
	for _, i := range plan.Running {
		if !draining[i.ID] && !served(i, w.node(i.ID)) {
			serve = append(serve, i)
		}
	}
	since := time.Time{}
	if plan.Start > 0 {
		since = time.Now()
		started, err := e.startStandby(ctx, pool, plan.StartFrom, plan.Start, noStart)
		res.Started += len(started)
		if err != nil {
			return err
		}
		e.logf("pool %s: started %d standby instances", pool.Name, len(started))
		serve = append(serve, started...)
	}
	failed, err := e.serve(ctx, pool, w, serve, since)
	for _, f := range failed {
		noStart[f.InstanceID] = true
	}
	res.Failures = append(res.Failures, failed...)
	if err != nil {
		return err
	}
	if len(serve) > 0 && res.ServedAt.IsZero() {
		res.ServedAt = time.Now()
	}
	if len(plan.Drain) > 0 {
		return e.drain(ctx, pool, w, plan.Drain, res)
	}
	return nil
}

// served reports a running instance whose node takes workloads: state
// running on the instance and the node, no standby taint, not cordoned.
func served(i Instance, node *corev1.Node) bool {
	if i.State != StateRunning || node == nil || node.Labels[keys.State] != string(StateRunning) || node.Spec.Unschedulable {
		return false
	}
	for _, t := range node.Spec.Taints {
		if t.Key == keys.TaintStandby || t.Key == keys.TaintWarmup {
			return false
		}
	}
	return true
}

// serve waits, driven by the cluster watch, until each instance's node is
// back (Ready since the start, reachable, its CNI up), then makes it
// schedulable: standby taint off, uncordoned, state running. Nodes are
// served as they qualify, not when the slowest one does. since is when
// the instances were started (zero for instances started earlier). A start
// EC2 accepted and then failed (the instance back in stopped, with a state
// reason) fails that instance at its next describe; failed lists them.
func (e *Engine) serve(ctx context.Context, pool Pool, w *clusterWatch, instances []Instance, since time.Time) (failed []Failure, err error) {
	if len(instances) == 0 {
		return nil, nil
	}
	network := pool.Warmup.Network
	if network == NetworkAuto || network == "" {
		network = DetectNetwork(w.allDaemonSets())
	}
	timeout := pool.Warmup.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	pending := map[string]Instance{}
	waiting := map[string]string{}
	for _, i := range instances {
		pending[i.ID] = i
	}
	tick := time.NewTicker(evaluateEvery / 4)
	defer tick.Stop()
	opts := e.Options.withDefaults()
	refresh := time.NewTimer(opts.PollInterval)
	defer refresh.Stop()
	refreshDelay, began := opts.PollInterval, time.Now()
	dirty := true
	for len(pending) > 0 {
		if dirty {
			dirty = false
			var ready []Instance
			for id, i := range pending {
				node := w.node(id)
				var view ClusterView
				if node != nil {
					view = w.view(node)
				}
				r := startedReadiness(node, view, pool.Warmup, network, since)
				if !r.Ready {
					waiting[id] = r.WaitingFor
					continue
				}
				ready = append(ready, i)
				delete(pending, id)
				w.forgetPods(node.Name)
			}
			if err := e.markRunning(ctx, w, ready); err != nil {
				return failed, err
			}
		}
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return failed, fmt.Errorf("wait for %d started nodes: %w", len(pending), context.Cause(ctx))
		case <-w.changed:
			dirty = true
		case <-refresh.C:
			gone, err := e.failedStarts(ctx, pool, pending)
			if err != nil {
				return failed, err
			}
			failed = append(failed, gone...)
			refreshDelay = opts.schedule().Next(refreshDelay, time.Since(began))
			refresh.Reset(refreshDelay)
		case now := <-tick.C:
			if err := w.refusal(); err != nil {
				return failed, fmt.Errorf("wait for %d started nodes: %w", len(pending), err)
			}
			if now.After(deadline) {
				return failed, &StartError{Pool: pool.Name, Timeout: timeout, Waiting: waitingList(pending, waiting)}
			}
		}
	}
	return failed, nil
}

// failedStarts describes the pool and takes out of pending the started
// instances EC2 stopped or terminated on its own, with their state reason.
func (e *Engine) failedStarts(ctx context.Context, pool Pool, pending map[string]Instance) ([]Failure, error) {
	found, err := e.findPoolInstances(ctx, pool.ID(), true)
	if err != nil {
		return nil, err
	}
	var failed []Failure
	for _, i := range found {
		if _, ok := pending[i.ID]; !ok || i.PoweredOn() || i.failedAfterAcceptance() == "" {
			continue
		}
		delete(pending, i.ID)
		e.logf("pool %s: start of %s failed after EC2 accepted it: %s", pool.Name, i.ID, i.failedAfterAcceptance())
		failed = append(failed, Failure{InstanceID: i.ID, NodeName: i.NodeName,
			WaitingFor: "start failed after EC2 accepted it: " + i.failedAfterAcceptance(), Action: "left " + string(i.EC2State) + "; not started again by this apply"})
	}
	return failed, nil
}

// StartError names the started instances whose nodes did not come back in time.
type StartError struct {
	Pool    string
	Timeout time.Duration
	Waiting []string
}

func (e *StartError) Error() string {
	return fmt.Sprintf("pool %s: %d started nodes not schedulable after %s (they stay running and are served by the next apply):\n- %s",
		e.Pool, len(e.Waiting), e.Timeout, strings.Join(e.Waiting, "\n- "))
}

func waitingList(pending map[string]Instance, waiting map[string]string) []string {
	out := make([]string, 0, len(pending))
	for id := range pending {
		out = append(out, id+": "+waiting[id])
	}
	sort.Strings(out)
	return out
}

// startedReadiness is a started node's verdict. The node re-registered
// when its kubelet started (standby nodes are deleted once stopped): Ready
// with a status posted since the start, no longer unreachable, initialized
// by the cloud controller, its CNI up and, where the warmup waits for them,
// its DaemonSet pods running again (from images cached at warmup).
func startedReadiness(node *corev1.Node, view ClusterView, spec WarmupSpec, network Network, since time.Time) Readiness {
	if node == nil {
		return Readiness{WaitingFor: "node not registered since the start"}
	}
	ready := condition(node, corev1.NodeReady)
	if ready == nil || ready.Status != corev1.ConditionTrue {
		msg := "no Ready condition"
		if ready != nil {
			msg = strings.TrimSpace(fmt.Sprintf("%s %s", ready.Reason, ready.Message))
		}
		return Readiness{WaitingFor: "node NotReady: " + msg}
	}
	if !since.IsZero() {
		seen := ready.LastHeartbeatTime.Time
		if ready.LastTransitionTime.After(seen) {
			seen = ready.LastTransitionTime.Time
		}
		if seen.Before(since.Add(-heartbeatSlack)) {
			return Readiness{WaitingFor: "node has not reported since the start"}
		}
	}
	for _, t := range node.Spec.Taints {
		switch t.Key {
		case corev1.TaintNodeUnreachable, corev1.TaintNodeNotReady:
			return Readiness{WaitingFor: "node still tainted " + t.Key}
		case taintUninitialized:
			return Readiness{WaitingFor: "node not yet initialized by the cloud controller (taint " + t.Key + ")"}
		}
	}
	if !since.IsZero() {
		view.PodsOnNode = readySinceStart(view.PodsOnNode, since.Add(-heartbeatSlack))
	}
	if w := networkWait(node, view, network); w != "" {
		return Readiness{WaitingFor: w}
	}
	if spec.WaitForDaemonSets {
		if w := daemonSetWait(node, view); w != "" {
			return Readiness{WaitingFor: w}
		}
	}
	return Readiness{Ready: true}
}

// readySinceStart counts a pod as Ready only if it turned Ready after the
// start. A standby Node is deleted at its stop, so the node lifecycle
// controller never marks its pods NotReady (MarkPodsNotReady runs for
// unreachable Nodes only), and the pod garbage collector removes the pods
// of a deleted Node only after its 40 s quarantine (pkg/controller/podgc
// gc_controller.go, quarantineTime): a start soon after a stop finds the
// previous boot's pods still Ready until the restarted kubelet posts their
// status again, which sets a new Ready transition time. Those pods are
// copied as not Ready.
func readySinceStart(pods []*corev1.Pod, since time.Time) []*corev1.Pod {
	out := make([]*corev1.Pod, 0, len(pods))
	for _, pod := range pods {
		if i := readyConditionIndex(pod); i >= 0 && pod.Status.Conditions[i].Status == corev1.ConditionTrue &&
			pod.Status.Conditions[i].LastTransitionTime.Time.Before(since) {
			stale := pod.DeepCopy()
			stale.Status.Conditions[i].Status = corev1.ConditionFalse
			pod = stale
		}
		out = append(out, pod)
	}
	return out
}

func readyConditionIndex(pod *corev1.Pod) int {
	for i, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return i
		}
	}
	return -1
}

// markRunning makes nodes schedulable and records state running on nodes
// and instances.
func (e *Engine) markRunning(ctx context.Context, w *clusterWatch, ready []Instance) error {
	if len(ready) == 0 {
		return nil
	}
	err := forEach(ready, func(i Instance) error {
		node := w.node(i.ID)
		if node == nil {
			return fmt.Errorf("node of instance %s vanished before it was served", i.ID)
		}
		return e.patchNode(ctx, node, func(n *corev1.Node) map[string]any {
			return map[string]any{
				"metadata": map[string]any{
					"labels":          map[string]string{keys.State: string(StateRunning)},
					"resourceVersion": n.ResourceVersion,
				},
				"spec": map[string]any{"unschedulable": false, "taints": runningTaints(n.Spec.Taints)},
			}
		})
	})
	if err != nil {
		return err
	}
	return e.tagState(ctx, instanceIDs(ready), StateRunning)
}

// runningTaints drops the pool's warmup and standby taints, keeping the rest.
func runningTaints(taints []corev1.Taint) []corev1.Taint {
	out := []corev1.Taint{}
	for _, t := range taints {
		if t.Key != keys.TaintWarmup && t.Key != keys.TaintStandby {
			out = append(out, t)
		}
	}
	return out
}
