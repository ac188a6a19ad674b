package warmpool

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A started node's pods count only once Ready again after the start: the
// previous boot's pods outlive a standby Node deleted at its stop (the pod
// garbage collector's quarantine), still Ready, until the kubelet posts
// their status again.
func TestStartedReadiness_podsReadySinceTheStart(t *testing.T) {
	start := time.Now()
	awsNode := daemonSet("kube-system", "aws-node", tolerateAll)
	kubeProxy := daemonSet("kube-system", "kube-proxy", tolerateAll)
	node := readyNode(func(n *corev1.Node) {
		n.Spec.Taints = nil
		n.Status.Conditions[0].LastHeartbeatTime = metav1.NewTime(start.Add(time.Second))
	})
	readyAt := func(pod *corev1.Pod, at time.Time) *corev1.Pod {
		pod.Status.Conditions[0].LastTransitionTime = metav1.NewTime(at)
		return pod
	}
	cni := map[string]string{awsNodeLabel: awsNodeValue}
	for _, tc := range []struct {
		name    string
		pods    []*corev1.Pod
		waiting string // "" when ready
	}{
		{"every pod Ready since the start", []*corev1.Pod{
			readyAt(dsPod(awsNode, true, cni), start.Add(2*time.Second)), readyAt(dsPod(kubeProxy, true, nil), start.Add(2*time.Second))}, ""},
		{"CNI pod Ready from before the stop", []*corev1.Pod{
			readyAt(dsPod(awsNode, true, cni), start.Add(-time.Minute)), readyAt(dsPod(kubeProxy, true, nil), start.Add(2*time.Second))}, "CNI not ready: pod kube-system/aws-node-x1 not Ready"},
		{"DaemonSet pod Ready from before the stop", []*corev1.Pod{
			readyAt(dsPod(awsNode, true, cni), start.Add(2*time.Second)), readyAt(dsPod(kubeProxy, true, nil), start.Add(-time.Minute))}, "kube-proxy-x1 not Ready"},
		{"within the clock-skew slack", []*corev1.Pod{
			readyAt(dsPod(awsNode, true, cni), start.Add(-time.Second)), readyAt(dsPod(kubeProxy, true, nil), start.Add(-time.Second))}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			view := ClusterView{PodsOnNode: tc.pods, DaemonSets: []*appsv1.DaemonSet{awsNode, kubeProxy}}
			checkReadiness(t, startedReadiness(node, view, WarmupSpec{WaitForDaemonSets: true}, NetworkVPCCNI, start), tc.waiting)
			for _, pod := range tc.pods {
				if !podReady(pod) {
					t.Fatal("the informer's pod was changed")
				}
			}
		})
	}
}
