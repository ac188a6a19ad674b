package warmpool

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// Readiness is a node's warmup verdict: Ready, or what it still waits for.
type Readiness struct {
	Ready      bool
	WaitingFor string
}

// ClusterView is what readiness needs to know of the cluster besides the node.
type ClusterView struct {
	// PodsOnNode are the pods bound to the node.
	PodsOnNode []*corev1.Pod
	// DaemonSets are every DaemonSet in the cluster.
	DaemonSets []*appsv1.DaemonSet
}

// taintUninitialized is on every Node a kubelet with an external cloud
// provider registers (EKS's) until the cloud controller has initialized it
// (k8s.io/cloud-provider api/well_known_taints.go, TaintExternalCloudProvider).
const taintUninitialized = "node.cloudprovider.kubernetes.io/uninitialized"

// Conditions and reasons the CNIs set.
const (
	conditionNetworkingReady = "NetworkingReady"
	reasonCiliumIsUp         = "CiliumIsUp"
	reasonCalicoIsUp         = "CalicoIsUp"
	awsNodeLabel             = "k8s-app"
	awsNodeValue             = "aws-node"
)

// EvaluateNode decides whether a node has warmed up as spec asks: Ready, its
// CNI up, its DaemonSet pods Ready (so their images are cached), and the
// listed images present. network must be resolved (not "auto").
func EvaluateNode(node *corev1.Node, view ClusterView, spec WarmupSpec, network Network) Readiness {
	if node == nil {
		return Readiness{WaitingFor: "node never registered"}
	}
	ready := condition(node, corev1.NodeReady)
	if ready == nil || ready.Status != corev1.ConditionTrue {
		msg := "no Ready condition yet"
		if ready != nil {
			msg = strings.TrimSpace(fmt.Sprintf("%s %s", ready.Reason, ready.Message))
		}
		return Readiness{WaitingFor: "node NotReady: " + msg}
	}
	if w := networkWait(node, view, network); w != "" {
		return Readiness{WaitingFor: w}
	}
	if spec.WaitForDaemonSets {
		if w := daemonSetWait(node, view); w != "" {
			return Readiness{WaitingFor: w}
		}
	}
	if w := imageWait(node, spec.Images); w != "" {
		return Readiness{WaitingFor: w}
	}
	return Readiness{Ready: true}
}

func networkWait(node *corev1.Node, view ClusterView, network Network) string {
	switch network {
	case NetworkVPCCNI:
		if c := condition(node, conditionNetworkingReady); c != nil && c.Status != corev1.ConditionTrue {
			return "CNI not ready: NetworkingReady is " + string(c.Status) + " " + c.Message
		}
		for _, pod := range view.PodsOnNode {
			if pod.Namespace == "kube-system" && pod.Labels[awsNodeLabel] == awsNodeValue {
				if podReady(pod) {
					return ""
				}
				return "CNI not ready: pod kube-system/" + pod.Name + " not Ready"
			}
		}
		return "CNI not ready: no aws-node pod on the node yet"
	case NetworkCilium, NetworkCalico:
		want := reasonCiliumIsUp
		if network == NetworkCalico {
			want = reasonCalicoIsUp
		}
		c := condition(node, corev1.NodeNetworkUnavailable)
		if c == nil || c.Status != corev1.ConditionFalse || c.Reason != want {
			return fmt.Sprintf("CNI not ready: waiting for NetworkUnavailable=False with reason %s", want)
		}
	}
	return ""
}

// daemonSetWait requires a Ready pod of every DaemonSet that schedules onto
// the node: its node selector and affinity match, and it tolerates the
// node's NoSchedule/NoExecute taints (with the tolerations the DaemonSet
// controller adds to every DaemonSet pod).
func daemonSetWait(node *corev1.Node, view ClusterView) string {
	var waiting []string
	for _, ds := range view.DaemonSets {
		if !daemonSetTargets(ds, node) {
			continue
		}
		pod := daemonSetPod(ds, view.PodsOnNode)
		switch {
		case pod == nil:
			waiting = append(waiting, "DaemonSet "+ds.Namespace+"/"+ds.Name+" has no pod on the node yet")
		case !podReady(pod):
			waiting = append(waiting, "DaemonSet pod "+pod.Namespace+"/"+pod.Name+" not Ready")
		}
	}
	if len(waiting) == 0 {
		return ""
	}
	sort.Strings(waiting)
	return strings.Join(waiting, "; ")
}

func daemonSetTargets(ds *appsv1.DaemonSet, node *corev1.Node) bool {
	pod := &corev1.Pod{Spec: ds.Spec.Template.Spec}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); err != nil || !ok {
		return false
	}
	tolerations := append(append([]corev1.Toleration{}, ds.Spec.Template.Spec.Tolerations...), daemonSetDefaultTolerations...)
	_, untolerated := schedulingcorev1.FindMatchingUntoleratedTaint(node.Spec.Taints, tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
	})
	return !untolerated
}

// daemonSetDefaultTolerations are added by the DaemonSet controller to every
// DaemonSet pod (pkg/controller/daemon/util: AddOrUpdateDaemonPodTolerations).
var daemonSetDefaultTolerations = []corev1.Toleration{
	{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
	{Key: corev1.TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	{Key: corev1.TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
}

func daemonSetPod(ds *appsv1.DaemonSet, pods []*corev1.Pod) *corev1.Pod {
	for _, pod := range pods {
		if pod.Namespace != ds.Namespace {
			continue
		}
		for _, ref := range pod.OwnerReferences {
			if ref.Kind == "DaemonSet" && ref.UID == ds.UID {
				return pod
			}
		}
	}
	return nil
}

func imageWait(node *corev1.Node, images []string) string {
	if len(images) == 0 {
		return ""
	}
	present := map[string]bool{}
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			present[name] = true
		}
	}
	var missing []string
	for _, want := range images {
		if !present[want] {
			missing = append(missing, want)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "image " + strings.Join(missing, ", ") + " missing from node.status.images"
}

func condition(node *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == t {
			return &node.Status.Conditions[i]
		}
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	if pod.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// DetectNetwork resolves network "auto" from the cluster's DaemonSets: the
// VPC CNI's aws-node, Cilium's cilium or Calico's calico-node. A cluster with
// none of them is checked for node Ready only.
func DetectNetwork(daemonSets []*appsv1.DaemonSet) Network {
	for _, ds := range daemonSets {
		switch ds.Name {
		case "aws-node":
			return NetworkVPCCNI
		case "cilium":
			return NetworkCilium
		case "calico-node":
			return NetworkCalico
		}
	}
	return NetworkNone
}
