package warmpool

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

func readyNode(mods ...func(*corev1.Node)) *corev1.Node {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "ip-10-0-0-1.ec2.internal", Labels: map[string]string{"kubernetes.io/os": "linux"}},
		Spec:       corev1.NodeSpec{Taints: []corev1.Taint{{Key: keys.TaintWarmup, Value: "true", Effect: corev1.TaintEffectNoSchedule}}},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady"},
		}},
	}
	for _, m := range mods {
		m(n)
	}
	return n
}

func withCondition(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) func(*corev1.Node) {
	return func(n *corev1.Node) {
		for i := range n.Status.Conditions {
			if n.Status.Conditions[i].Type == t {
				n.Status.Conditions[i] = corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg}
				return
			}
		}
		n.Status.Conditions = append(n.Status.Conditions, corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg})
	}
}

func daemonSet(ns, name string, mods ...func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)}}
	for _, m := range mods {
		m(ds)
	}
	return ds
}

func tolerateAll(ds *appsv1.DaemonSet) {
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
}

func dsPod(ds *appsv1.DaemonSet, ready bool, labels map[string]string) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ds.Namespace, Name: ds.Name + "-x1", Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{Kind: "DaemonSet", Name: ds.Name, UID: ds.UID}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestEvaluateNode(t *testing.T) {
	awsNode := daemonSet("kube-system", "aws-node", tolerateAll)
	kubeProxy := daemonSet("kube-system", "kube-proxy", tolerateAll)
	gpuOnly := daemonSet("kube-system", "nvidia", tolerateAll, func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "nvidia"}
	})
	noToleration := daemonSet("monitoring", "agent")
	awsNodeLabels := map[string]string{"k8s-app": "aws-node"}
	tests := []struct {
		name    string
		node    *corev1.Node
		view    ClusterView
		spec    WarmupSpec
		network Network
		want    string // "" means ready
	}{
		{name: "no node", network: NetworkNone, want: "node never registered"},
		{name: "not ready quotes the condition", node: readyNode(withCondition(corev1.NodeReady, corev1.ConditionFalse, "KubeletNotReady", "container runtime network not ready")),
			network: NetworkNone, want: "node NotReady: KubeletNotReady container runtime network not ready"},
		{name: "ready, network none", node: readyNode(), network: NetworkNone},
		{name: "vpc-cni without aws-node pod", node: readyNode(), network: NetworkVPCCNI, want: "CNI not ready: no aws-node pod"},
		{name: "vpc-cni pod not ready", node: readyNode(), network: NetworkVPCCNI,
			view: ClusterView{PodsOnNode: []*corev1.Pod{dsPod(awsNode, false, awsNodeLabels)}}, want: "CNI not ready: pod kube-system/aws-node-x1 not Ready"},
		{name: "vpc-cni pod ready", node: readyNode(), network: NetworkVPCCNI,
			view: ClusterView{PodsOnNode: []*corev1.Pod{dsPod(awsNode, true, awsNodeLabels)}}},
		{name: "vpc-cni honours NetworkingReady when present", node: readyNode(withCondition(conditionNetworkingReady, corev1.ConditionFalse, "", "ipamd starting")),
			network: NetworkVPCCNI, view: ClusterView{PodsOnNode: []*corev1.Pod{dsPod(awsNode, true, awsNodeLabels)}}, want: "NetworkingReady is False"},
		{name: "cilium needs its reason", node: readyNode(withCondition(corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "CalicoIsUp", "")),
			network: NetworkCilium, want: "reason CiliumIsUp"},
		{name: "cilium up", node: readyNode(withCondition(corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "CiliumIsUp", "")), network: NetworkCilium},
		{name: "calico up", node: readyNode(withCondition(corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "CalicoIsUp", "")), network: NetworkCalico},
		{name: "daemonset pod missing", node: readyNode(), network: NetworkNone, spec: WarmupSpec{WaitForDaemonSets: true},
			view: ClusterView{DaemonSets: []*appsv1.DaemonSet{kubeProxy}}, want: "DaemonSet kube-system/kube-proxy has no pod on the node yet"},
		{name: "daemonset pod not ready", node: readyNode(), network: NetworkNone, spec: WarmupSpec{WaitForDaemonSets: true},
			view: ClusterView{DaemonSets: []*appsv1.DaemonSet{kubeProxy}, PodsOnNode: []*corev1.Pod{dsPod(kubeProxy, false, nil)}}, want: "DaemonSet pod kube-system/kube-proxy-x1 not Ready"},
		{name: "daemonsets not targeting the node are skipped", node: readyNode(), network: NetworkNone, spec: WarmupSpec{WaitForDaemonSets: true},
			view: ClusterView{DaemonSets: []*appsv1.DaemonSet{kubeProxy, gpuOnly, noToleration}, PodsOnNode: []*corev1.Pod{dsPod(kubeProxy, true, nil)}}},
		{name: "daemonset waits ignored when disabled", node: readyNode(), network: NetworkNone,
			view: ClusterView{DaemonSets: []*appsv1.DaemonSet{kubeProxy}}},
		{name: "image missing", node: readyNode(), network: NetworkNone, spec: WarmupSpec{Images: []string{"public.ecr.aws/app:1"}}, want: "image public.ecr.aws/app:1 missing"},
		{name: "image present", node: readyNode(func(n *corev1.Node) {
			n.Status.Images = []corev1.ContainerImage{{Names: []string{"public.ecr.aws/app:1"}}}
		}), network: NetworkNone, spec: WarmupSpec{Images: []string{"public.ecr.aws/app:1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkReadiness(t, EvaluateNode(tc.node, tc.view, tc.spec, tc.network), tc.want)
		})
	}
}

func TestDetectNetwork(t *testing.T) {
	for name, want := range map[string]Network{"aws-node": NetworkVPCCNI, "cilium": NetworkCilium, "calico-node": NetworkCalico, "kube-proxy": NetworkNone} {
		if got := DetectNetwork([]*appsv1.DaemonSet{daemonSet("kube-system", name)}); got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
}

func TestStandbyTaints(t *testing.T) {
	got := standbyTaints([]corev1.Taint{{Key: keys.TaintWarmup, Effect: corev1.TaintEffectNoSchedule}, {Key: "dedicated", Value: "ci", Effect: corev1.TaintEffectNoSchedule}})
	if len(got) != 2 || got[0].Key != keys.TaintStandby || got[0].Effect != corev1.TaintEffectNoExecute || got[1].Key != "dedicated" {
		t.Fatalf("got %+v", got)
	}
}

func TestInstanceIDFromProviderID(t *testing.T) {
	for in, want := range map[string]string{"aws:///us-east-1a/i-0abc": "i-0abc", "aws:///us-east-1a/": "", "gce://x/y/z": "", "": ""} {
		if got := InstanceIDFromProviderID(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

// checkReadiness wants r ready when want is empty, else waiting for
// something that contains want.
func checkReadiness(t *testing.T, r Readiness, want string) {
	t.Helper()
	if want == "" {
		if !r.Ready {
			t.Fatalf("want ready, waiting for %q", r.WaitingFor)
		}
		return
	}
	if r.Ready || !strings.Contains(r.WaitingFor, want) {
		t.Fatalf("want waiting for %q, got ready=%v %q", want, r.Ready, r.WaitingFor)
	}
}
