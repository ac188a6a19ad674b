package warmpool

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// evictRetry is how long a drain waits before asking again for an eviction
// a PodDisruptionBudget refused (kubectl drain waits 5s).
const evictRetry = time.Second

// drainPoll is how often a drain looks at the watch's pod cache for pods
// that are gone.
const drainPoll = 100 * time.Millisecond

// mirrorPodAnnotation marks static pods' API mirrors: the kubelet owns them
// and they cannot be evicted.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// evictable reports a pod a drain must move off its node: not a DaemonSet's
// (it would be recreated there, and it stops with the node), not a static
// pod's mirror, not finished.
func evictable(pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if _, mirror := pod.Annotations[mirrorPodAnnotation]; mirror {
		return false
	}
	for _, ref := range pod.OwnerReferences {
		if ref.Kind == "DaemonSet" {
			return false
		}
	}
	return true
}

// evictablePods counts the evictable pods on the node of each running
// instance, from the watch's pod caches, when the pool has more running
// instances than it wants (the counts choose which to drain); otherwise
// no node's pods are read.
func (w *clusterWatch) evictablePods(ctx context.Context, pool Pool, instances []Instance) (map[string]int, error) {
	nodes := map[string]string{}
	for _, i := range instances {
		if i.State != StateRunning && i.State != StateDraining {
			continue
		}
		if node := w.node(i.ID); node != nil {
			nodes[i.ID] = node.Name
		}
	}
	if want := pool.runningTarget(); want < 0 || len(nodes) <= want {
		return nil, nil
	}
	names := make([]string, 0, len(nodes))
	for _, name := range nodes {
		names = append(names, name)
	}
	if err := w.syncPods(ctx, names); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for id, name := range nodes {
		pods, _ := w.podsOn(name)
		for _, pod := range pods {
			if evictable(pod) {
				out[id]++
			}
		}
	}
	return out, nil
}

// DrainError names the nodes a drain could not empty in time and the pods
// left on them.
type DrainError struct {
	Pool    string
	Timeout time.Duration
	// Blocked maps node names to the pods still on them, and why.
	Blocked map[string][]string
}

func (e *DrainError) Error() string {
	nodes := make([]string, 0, len(e.Blocked))
	for n := range e.Blocked {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	lines := make([]string, 0, len(nodes))
	for _, n := range nodes {
		lines = append(lines, n+": "+strings.Join(e.Blocked[n], "; "))
	}
	return fmt.Sprintf("pool %s: %d nodes not drained within %s (drain_timeout_action = \"fail\": they stay running, cordoned, in state draining; the next apply retries):\n- %s",
		e.Pool, len(nodes), e.Timeout, strings.Join(lines, "\n- "))
}

// drain returns running instances to standby: cordon and mark them
// draining (so an interrupted apply knows), evict their pods through the
// Eviction API so PodDisruptionBudgets are respected, wait until the pods
// are gone, then stop them into standby. Nodes that do not empty within the
// drain timeout are stopped anyway or left cordoned, as the pool says.
func (e *Engine) drain(ctx context.Context, pool Pool, w *clusterWatch, instances []Instance, res *Result) error {
	timeout := pool.Drain.Timeout
	if timeout <= 0 {
		timeout = DefaultDrainTimeout
	}
	ids := instanceIDs(instances)
	if err := e.tagState(ctx, ids, StateDraining); err != nil {
		return err
	}
	if err := forEach(instances, func(i Instance) error {
		node := w.node(i.ID)
		if node == nil {
			return nil
		}
		return e.patchNode(ctx, node, func(n *corev1.Node) map[string]any {
			return map[string]any{
				"metadata": map[string]any{"labels": map[string]string{keys.State: string(StateDraining)}, "resourceVersion": n.ResourceVersion},
				"spec":     map[string]any{"unschedulable": true},
			}
		})
	}); err != nil {
		return err
	}
	e.logf("pool %s: draining %d nodes", pool.Name, len(instances))

	var mu sync.Mutex
	blocked := map[string][]string{}
	var evicted atomic.Int64
	deadline := time.Now().Add(timeout)
	err := forEach(instances, func(i Instance) error {
		node := w.node(i.ID)
		if node == nil {
			return nil
		}
		left, n, err := e.drainNode(ctx, w, node.Name, deadline)
		evicted.Add(int64(n))
		if len(left) > 0 {
			mu.Lock()
			blocked[node.Name] = left
			mu.Unlock()
		}
		return err
	})
	res.Evicted += int(evicted.Load())
	if err != nil {
		return err
	}

	stop := instances
	if len(blocked) > 0 && pool.Drain.TimeoutAction == DrainStop {
		e.logf("pool %s: %d nodes not drained within %s; stopping them anyway (drain_timeout_action = \"stop\")", pool.Name, len(blocked), timeout)
	} else if len(blocked) > 0 {
		stop = nil
		for _, i := range instances {
			if n := w.node(i.ID); n == nil || blocked[n.Name] == nil {
				stop = append(stop, i)
			}
		}
	}
	if len(stop) > 0 {
		if err := e.enterStandby(ctx, w, stop); err != nil {
			return err
		}
		if err := e.finishStandby(ctx, pool, w, stop); err != nil {
			return err
		}
		res.Drained += len(stop)
	}
	if len(blocked) > 0 && pool.Drain.TimeoutAction != DrainStop {
		return &DrainError{Pool: pool.Name, Timeout: timeout, Blocked: blocked}
	}
	return nil
}

// drainNode evicts the node's evictable pods until none is left or the
// deadline passes, asking again every evictRetry for evictions a
// PodDisruptionBudget refused. It returns the pods still there (with the
// last refusal) and how many evictions were accepted.
func (e *Engine) drainNode(ctx context.Context, w *clusterWatch, nodeName string, deadline time.Time) ([]string, int, error) {
	// An unlisted node's pods are unknown, not gone: list them before
	// deciding the node is empty.
	if err := w.syncPods(ctx, []string{nodeName}); err != nil {
		return nil, 0, fmt.Errorf("drain node %s: %w", nodeName, err)
	}
	lastAsked := map[string]time.Time{}
	refused := map[string]string{}
	accepted := 0
	for {
		var left []*corev1.Pod
		pods, _ := w.podsOn(nodeName)
		for _, pod := range pods {
			if evictable(pod) {
				left = append(left, pod)
			}
		}
		if len(left) == 0 {
			return nil, accepted, nil
		}
		now := time.Now()
		if now.After(deadline) {
			out := make([]string, 0, len(left))
			for _, pod := range left {
				why := refused[string(pod.UID)]
				if why == "" {
					why = "evicted, still terminating"
				}
				out = append(out, pod.Namespace+"/"+pod.Name+" ("+why+")")
			}
			sort.Strings(out)
			return out, accepted, nil
		}
		for _, pod := range left {
			uid := string(pod.UID)
			if at, ok := lastAsked[uid]; pod.DeletionTimestamp != nil || (ok && (refused[uid] == "" || now.Sub(at) < evictRetry)) {
				continue
			}
			lastAsked[uid] = now
			err := e.Kube.CoreV1().Pods(pod.Namespace).EvictV1(ctx, &policyv1.Eviction{
				ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace},
			})
			switch {
			case err == nil:
				accepted++
				delete(refused, uid)
			case apierrors.IsNotFound(err):
			case apierrors.IsTooManyRequests(err):
				refused[uid] = "eviction refused: " + err.Error()
			case errors.As(permissionError(err), new(*PermissionError)):
				return nil, accepted, fmt.Errorf("evict pod %s/%s from node %s: %w", pod.Namespace, pod.Name, nodeName, permissionError(err))
			case apierrors.IsInternalError(err) || apierrors.IsForbidden(err):
				// A pod under two budgets, or a namespace being deleted:
				// kubectl retries these too, until the deadline.
				refused[uid] = "eviction failed: " + err.Error()
			default:
				return nil, accepted, fmt.Errorf("evict pod %s/%s from node %s: %w", pod.Namespace, pod.Name, nodeName, err)
			}
		}
		select {
		case <-ctx.Done():
			return nil, accepted, fmt.Errorf("drain node %s: %w", nodeName, context.Cause(ctx))
		case <-time.After(drainPoll):
		}
	}
}

// CountEvictablePods counts the evictable pods on each instance's node (by
// instance id) with one pod list per node, for a plan that drains some of
// them: cheap beside listing every pod of the cluster.
func CountEvictablePods(ctx context.Context, kube kubernetes.Interface, instances []Instance) (map[string]int, error) {
	var mu sync.Mutex
	out := map[string]int{}
	err := forEach(instances, func(i Instance) error {
		if i.NodeName == "" {
			return nil
		}
		pods, err := kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + i.NodeName})
		if err != nil {
			return fmt.Errorf("list pods on node %s: %w", i.NodeName, permissionError(err))
		}
		n := 0
		for k := range pods.Items {
			if evictable(&pods.Items[k]) {
				n++
			}
		}
		mu.Lock()
		out[i.ID] = n
		mu.Unlock()
		return nil
	})
	return out, err
}
