package warmpool

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSlimNode(t *testing.T) {
	newNode := func() *corev1.Node {
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "n", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
			Status:     corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"public.ecr.aws/eks/aws-node:v1"}}}},
		}
	}
	got, err := slimNode(false)(newNode())
	if err != nil {
		t.Fatal(err)
	}
	if n := got.(*corev1.Node); n.Status.Images != nil || n.ManagedFields != nil {
		t.Errorf("a warmup that waits for no image keeps images %v and managed fields %v", n.Status.Images, n.ManagedFields)
	}
	got, _ = slimNode(true)(newNode())
	if n := got.(*corev1.Node); len(n.Status.Images) != 1 || n.ManagedFields != nil {
		t.Errorf("a warmup that waits for images lost them (%v) or kept managed fields", n.Status.Images)
	}
	if _, err := slimNode(false)("not a node"); err != nil {
		t.Errorf("other objects pass through: %v", err)
	}
}
