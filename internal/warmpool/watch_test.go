package warmpool

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

func TestSlimNode(t *testing.T) {
	newNode := func(state State) *corev1.Node {
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{keys.State: string(state)},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubelet"}}},
			Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"public.ecr.aws/eks/aws-node:v1"}}}},
		}
	}
	for _, tc := range []struct {
		state      State
		keepImages bool
	}{{StateWarmup, true}, {StateRunning, false}, {StateStandby, false}, {StateDraining, false}} {
		got, err := slimNode(newNode(tc.state))
		if err != nil {
			t.Fatal(err)
		}
		n := got.(*corev1.Node)
		if n.ManagedFields != nil {
			t.Errorf("%s node kept managed fields", tc.state)
		}
		if kept := len(n.Status.Images) == 1; kept != tc.keepImages {
			t.Errorf("%s node: images kept = %v, want %v (only a warmup reads them)", tc.state, kept, tc.keepImages)
		}
	}
	if _, err := slimNode("not a node"); err != nil {
		t.Errorf("other objects pass through: %v", err)
	}
}

func TestSlimPod(t *testing.T) {
	now := metav1.Now()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "aws-node-x", Namespace: "kube-system", UID: "u1", ResourceVersion: "7",
			Labels:            map[string]string{"k8s-app": "aws-node"},
			Annotations:       map[string]string{mirrorPodAnnotation: "m", "big": "drop me"},
			OwnerReferences:   []metav1.OwnerReference{{Kind: "DaemonSet", Name: "aws-node"}},
			DeletionTimestamp: &now,
			ManagedFields:     []metav1.ManagedFieldsEntry{{Manager: "kubelet"}},
		},
		Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "i", Env: []corev1.EnvVar{{Name: "A", Value: "B"}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{{Name: "c"}}},
	}
	got, err := slimPod(pod)
	if err != nil {
		t.Fatal(err)
	}
	slim := got.(*corev1.Pod)
	// What readiness, drains and the node index read survives.
	if slim.Name != pod.Name || slim.Namespace != pod.Namespace || slim.UID != pod.UID || slim.Spec.NodeName != "n1" ||
		slim.Labels["k8s-app"] != "aws-node" || len(slim.OwnerReferences) != 1 || slim.DeletionTimestamp == nil ||
		slim.Annotations[mirrorPodAnnotation] != "m" || !podReady(slim) || evictable(slim) != evictable(pod) {
		t.Errorf("slim pod lost what the pool reads: %+v", slim)
	}
	// The rest goes.
	if len(slim.Spec.Containers) != 0 || len(slim.Status.ContainerStatuses) != 0 || slim.ManagedFields != nil || len(slim.Annotations) != 1 {
		t.Errorf("slim pod kept more than it needs: %+v", slim)
	}
	if other, _ := slimPod("not a pod"); other != "not a pod" {
		t.Error("other objects pass through")
	}
}

// A node's pods are watched only once the node is Ready: until then
// readiness waits on the node itself, and a create of 1,000 would otherwise
// hold a pod watch for every booting node at once.
func TestViewWatchesPodsOnlyOfReadyNodes(t *testing.T) {
	node := func(name string, ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	e := &Engine{Kube: fake.NewClientset()}
	w, err := e.watchCluster(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	for _, n := range []*corev1.Node{node("booting", corev1.ConditionFalse), node("unknown", corev1.ConditionUnknown), {ObjectMeta: metav1.ObjectMeta{Name: "new"}}} {
		if view := w.view(n); view.PodsOnNode != nil {
			t.Errorf("%s: pods %v before the node is Ready", n.Name, view.PodsOnNode)
		}
	}
	if got := w.informers.podsWatched(); got != 0 {
		t.Fatalf("%d pod informers for nodes that are not Ready, want 0", got)
	}
	w.view(node("ready", corev1.ConditionTrue))
	if got := w.informers.podsWatched(); got != 1 {
		t.Fatalf("%d pod informers after a Ready node's view, want 1", got)
	}
}
