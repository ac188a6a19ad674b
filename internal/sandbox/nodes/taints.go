package nodes

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Taints the node lifecycle controller manages (TaintNodesByCondition and
// the NoExecute taint manager); the sandbox runs no controller-manager, so
// the simulator keeps them as that controller would.
const (
	unreachableTaint   = "node.kubernetes.io/unreachable"
	notReadyTaint      = "node.kubernetes.io/not-ready"
	unschedulableTaint = "node.kubernetes.io/unschedulable"
)

// nodeHealth is what the lifecycle controller derives its taints from.
type nodeHealth int

const (
	nodeReady       nodeHealth = iota // kubelet posts Ready=True
	nodeNotReady                      // kubelet posts Ready=False
	nodeUnreachable                   // kubelet silent (instance stopped)
)

func nodeRunning(ready bool) nodeHealth {
	if ready {
		return nodeReady
	}
	return nodeNotReady
}

// controllerTaints returns node's taints with the lifecycle controller's
// set to what health and spec.unschedulable call for. Other taints (the
// kubelet's, the user's) are kept in place; a taint that stays keeps its
// timeAdded.
func controllerTaints(node *corev1.Node, health nodeHealth, now time.Time) []corev1.Taint {
	t := metav1.NewTime(now)
	var want []corev1.Taint
	switch health {
	case nodeUnreachable:
		want = append(want,
			corev1.Taint{Key: unreachableTaint, Effect: corev1.TaintEffectNoSchedule, TimeAdded: &t},
			corev1.Taint{Key: unreachableTaint, Effect: corev1.TaintEffectNoExecute, TimeAdded: &t})
	case nodeNotReady:
		want = append(want, corev1.Taint{Key: notReadyTaint, Effect: corev1.TaintEffectNoSchedule, TimeAdded: &t})
	}
	if node.Spec.Unschedulable {
		want = append(want, corev1.Taint{Key: unschedulableTaint, Effect: corev1.TaintEffectNoSchedule, TimeAdded: &t})
	}
	var out []corev1.Taint
	for _, taint := range node.Spec.Taints {
		switch taint.Key {
		case unreachableTaint, notReadyTaint, unschedulableTaint:
			for i, w := range want {
				if w.Key == taint.Key && w.Effect == taint.Effect {
					out = append(out, taint)
					want = append(want[:i], want[i+1:]...)
					break
				}
			}
		default:
			out = append(out, taint)
		}
	}
	return append(out, want...)
}

// syncControllerTaints writes the lifecycle controller's taints when they
// changed, and returns the node as it now is.
func (s *Simulator) syncControllerTaints(ctx context.Context, node *corev1.Node, health nodeHealth, now time.Time) (*corev1.Node, error) {
	taints := controllerTaints(node, health, now)
	if equality.Semantic.DeepEqual(taints, node.Spec.Taints) || (len(taints) == 0 && len(node.Spec.Taints) == 0) {
		return node, nil
	}
	updated := node.DeepCopy()
	updated.Spec.Taints = taints
	updated, err := s.client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("update lifecycle taints of node %s: %w", node.Name, err)
	}
	return updated, nil
}
