package warmpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// nodeWorkers bounds concurrent node writes: Kubernetes has no batch patch,
// so patches (and deletes by name) are one per node, in parallel within the
// client's rate limit.
const nodeWorkers = 16

// standbyTaints swaps the warmup taint for the standby taint, keeping the rest.
func standbyTaints(taints []corev1.Taint) []corev1.Taint {
	out := []corev1.Taint{{Key: keys.TaintStandby, Effect: corev1.TaintEffectNoExecute}}
	for _, t := range taints {
		if t.Key != keys.TaintWarmup && t.Key != keys.TaintStandby {
			out = append(out, t)
		}
	}
	return out
}

// markStandby cordons a verified node, taints it standby and labels its
// state (standby, or failed) before its instance stops, so nothing schedules onto it while it is
// stopped or after it starts until the pool says so.
func (e *Engine) markStandby(ctx context.Context, node *corev1.Node, state State) error {
	return e.patchNode(ctx, node, func(n *corev1.Node) map[string]any {
		return map[string]any{
			"metadata": map[string]any{
				"labels":          map[string]string{keys.State: string(state)},
				"resourceVersion": n.ResourceVersion,
			},
			"spec": map[string]any{"unschedulable": true, "taints": standbyTaints(n.Spec.Taints)},
		}
	})
}

// patchNode applies a JSON merge patch built from the node and guarded by its
// resourceVersion; on a conflict it re-reads the node and patches the fresh copy.
func (e *Engine) patchNode(ctx context.Context, node *corev1.Node, build func(*corev1.Node) map[string]any) error {
	for attempt := 0; ; attempt++ {
		body, err := json.Marshal(build(node))
		if err != nil {
			return err
		}
		_, err = e.Kube.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, body, metav1.PatchOptions{})
		if apierrors.IsConflict(err) && attempt < 3 {
			fresh, getErr := e.Kube.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
			if getErr != nil {
				return fmt.Errorf("re-read node %s: %w", node.Name, getErr)
			}
			node = fresh
			continue
		}
		if err != nil {
			return fmt.Errorf("patch node %s: %w", node.Name, err)
		}
		return nil
	}
}

// nodesPerCollectionDelete bounds the names in one deletecollection's label
// selector, so its URL stays a few kilobytes (node names are DNS names of
// about 45 characters) whatever the wave's size.
const nodesPerCollectionDelete = 100

// deleteNodes deletes the named Nodes of a pool, ones already gone being
// fine, with one deletecollection request per nodesPerCollectionDelete
// names instead of one DELETE each. The selector picks exactly those Nodes:
// the pool's label and the kubelet's kubernetes.io/hostname label, which is
// the node name on EKS (the kubelet runs with an external cloud provider, so
// cmd/kubelet/app/server.go getNodeName names the Node after its hostname,
// and pkg/kubelet/kubelet_node_status.go initialNode sets LabelHostname to
// that hostname; Bottlerocket sets hostname-override to the name it
// registers). No label carries the instance id. A Node whose hostname label
// is not its name (node_labels can set kubernetes.io/hostname) is not
// selected, never one that is not listed; deleteNodeObjects deletes such
// Nodes by name. Where RBAC grants delete but not deletecollection, each
// Node is deleted on its own.
func (e *Engine) deleteNodes(ctx context.Context, poolID string, names []string) error {
	var selectable, single []string
	for _, name := range names {
		if len(validation.IsValidLabelValue(name)) == 0 {
			selectable = append(selectable, name)
		} else {
			single = append(single, name)
		}
	}
	var errs []error
	for chunk := range slices.Chunk(selectable, nodesPerCollectionDelete) {
		selector := labels.NewSelector().Add(
			mustRequirement(keys.PoolID, selection.Equals, []string{poolID}),
			mustRequirement(corev1.LabelHostname, selection.In, chunk),
		)
		err := e.Kube.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: selector.String()})
		switch {
		case apierrors.IsForbidden(err) || apierrors.IsMethodNotSupported(err):
			single = append(single, chunk...)
		case err != nil:
			errs = append(errs, fmt.Errorf("delete %d nodes of pool %s: %w", len(chunk), poolID, err))
		}
	}
	return errors.Join(append(errs, e.deleteNodesByName(ctx, single))...)
}

// mustRequirement builds a label selector requirement from values that
// were validated as label values (and a pool id, which is one).
func mustRequirement(key string, op selection.Operator, values []string) labels.Requirement {
	r, err := labels.NewRequirement(key, op, values)
	if err != nil {
		panic(fmt.Sprintf("label requirement %s %s %v: %v", key, op, values, err))
	}
	return *r
}

// deleteNodeObjects deletes Nodes read from the cluster: together by label
// where their hostname label names them, the others by name.
func (e *Engine) deleteNodeObjects(ctx context.Context, poolID string, nodes []*corev1.Node) error {
	var selectable, single []string
	for _, n := range nodes {
		if n.Labels[corev1.LabelHostname] == n.Name && n.Labels[keys.PoolID] == poolID {
			selectable = append(selectable, n.Name)
		} else {
			single = append(single, n.Name)
		}
	}
	return errors.Join(e.deleteNodes(ctx, poolID, selectable), e.deleteNodesByName(ctx, single))
}

// deleteNodesByName deletes nodes one request each; ones already gone are fine.
func (e *Engine) deleteNodesByName(ctx context.Context, names []string) error {
	return forEach(names, func(name string) error {
		err := e.Kube.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node %s: %w", name, err)
		}
		return nil
	})
}

// deleteInstanceNodes deletes the Nodes of instances, found in the watch's
// node cache, or with one list of the pool's nodes when there is no watch
// (an apply finishing what an interrupted one began).
func (e *Engine) deleteInstanceNodes(ctx context.Context, poolID string, w *clusterWatch, instances []Instance) error {
	var nodes []*corev1.Node
	if w != nil {
		for _, i := range instances {
			if node := w.node(i.ID); node != nil {
				nodes = append(nodes, node)
			}
		}
		return e.deleteNodeObjects(ctx, poolID, nodes)
	}
	list, err := e.listPoolNodes(ctx, poolID)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, i := range instances {
		ids[i.ID] = true
	}
	for n := range list {
		if ids[InstanceIDFromProviderID(list[n].Spec.ProviderID)] {
			nodes = append(nodes, &list[n])
		}
	}
	return e.deleteNodeObjects(ctx, poolID, nodes)
}

// forEach runs fn over items with nodeWorkers in parallel and joins errors.
func forEach[T any](items []T, fn func(T) error) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan T)
	for range min(nodeWorkers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for item := range work {
				if err := fn(item); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, item := range items {
		work <- item
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}
