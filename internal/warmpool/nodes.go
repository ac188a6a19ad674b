package warmpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// nodeWorkers bounds concurrent node writes: Kubernetes has no batch API, so
// writes are one per node, in parallel within the client's rate limit.
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

// deleteNodes deletes nodes by name; ones already gone are fine.
func (e *Engine) deleteNodes(ctx context.Context, names []string) error {
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
	var names []string
	if w != nil {
		for _, i := range instances {
			if node := w.node(i.ID); node != nil {
				names = append(names, node.Name)
			}
		}
		return e.deleteNodes(ctx, names)
	}
	nodes, err := e.listPoolNodes(ctx, poolID)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, i := range instances {
		ids[i.ID] = true
	}
	for _, n := range nodes {
		if ids[InstanceIDFromProviderID(n.Spec.ProviderID)] {
			names = append(names, n.Name)
		}
	}
	return e.deleteNodes(ctx, names)
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
