package nodes

import (
	"crypto/sha256"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// daemonPlacement says whether the DaemonSet controller would create a pod
// for ds on node (schedule) and whether an existing one may stay (keep).
// It follows the controller's rules: node selector and required node
// affinity must match; an untolerated NoSchedule taint prevents new pods;
// an untolerated NoExecute taint also evicts running ones.
func daemonPlacement(ds *appsv1.DaemonSet, node *corev1.Node) (schedule, keep bool) {
	spec := &ds.Spec.Template.Spec
	if !labels.SelectorFromSet(spec.NodeSelector).Matches(labels.Set(node.Labels)) {
		return false, false
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		if !matchesNodeSelector(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution, node) {
			return false, false
		}
	}
	tolerations := append(append([]corev1.Toleration(nil), spec.Tolerations...), daemonSetDefaultTolerations(spec.HostNetwork)...)
	schedule, keep = true, true
	for i := range node.Spec.Taints {
		taint := &node.Spec.Taints[i]
		if taint.Effect == corev1.TaintEffectPreferNoSchedule || tolerated(tolerations, taint) {
			continue
		}
		schedule = false
		if taint.Effect == corev1.TaintEffectNoExecute {
			keep = false
		}
	}
	return schedule, keep
}

// evictedByTaint: node has a NoExecute taint pod does not tolerate at all.
// Tolerations with tolerationSeconds count as tolerating: the sandbox does
// not evict after a delay (the default 300 s for not-ready/unreachable).
func evictedByTaint(pod *corev1.Pod, node *corev1.Node) bool {
	for i := range node.Spec.Taints {
		taint := &node.Spec.Taints[i]
		if taint.Effect == corev1.TaintEffectNoExecute && !tolerated(pod.Spec.Tolerations, taint) {
			return true
		}
	}
	return false
}

func tolerated(tolerations []corev1.Toleration, taint *corev1.Taint) bool {
	for i := range tolerations {
		if tolerations[i].ToleratesTaint(taint) {
			return true
		}
	}
	return false
}

// daemonSetDefaultTolerations are added to every DaemonSet pod by the
// controller, so that node conditions do not evict node agents.
func daemonSetDefaultTolerations(hostNetwork bool) []corev1.Toleration {
	t := []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: unreachableTaint, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: "node.kubernetes.io/disk-pressure", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node.kubernetes.io/memory-pressure", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node.kubernetes.io/pid-pressure", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node.kubernetes.io/unschedulable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	}
	if hostNetwork {
		t = append(t, corev1.Toleration{Key: "node.kubernetes.io/network-unavailable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule})
	}
	return t
}

// matchesNodeSelector evaluates required node affinity: terms are ORed,
// the expressions and fields of one term ANDed.
func matchesNodeSelector(ns *corev1.NodeSelector, node *corev1.Node) bool {
	for _, term := range ns.NodeSelectorTerms {
		if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
			continue
		}
		if requirementsMatch(term.MatchExpressions, labels.Set(node.Labels)) &&
			requirementsMatch(term.MatchFields, labels.Set{"metadata.name": node.Name}) {
			return true
		}
	}
	return false
}

func requirementsMatch(reqs []corev1.NodeSelectorRequirement, set labels.Set) bool {
	for _, r := range reqs {
		var op selection.Operator
		switch r.Operator {
		case corev1.NodeSelectorOpIn:
			op = selection.In
		case corev1.NodeSelectorOpNotIn:
			op = selection.NotIn
		case corev1.NodeSelectorOpExists:
			op = selection.Exists
		case corev1.NodeSelectorOpDoesNotExist:
			op = selection.DoesNotExist
		case corev1.NodeSelectorOpGt:
			op = selection.GreaterThan
		case corev1.NodeSelectorOpLt:
			op = selection.LessThan
		default:
			return false
		}
		req, err := labels.NewRequirement(r.Key, op, r.Values)
		if err != nil || !req.Matches(set) {
			return false
		}
	}
	return true
}

// podNameAlphabet is the one Kubernetes uses for generated name suffixes
// (no vowels, no look-alike characters).
const podNameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// daemonPodName is stable per DaemonSet and node, so a retried create
// cannot make a second pod; it looks like the controller's generated names.
// Two nodes can hash to the same suffix: the caller falls back to a
// generated name when the name is taken by another node's pod.
func daemonPodName(ds *appsv1.DaemonSet, nodeName string) string {
	sum := sha256.Sum256([]byte(string(ds.UID) + "/" + nodeName))
	suffix := make([]byte, 5)
	for i := range suffix {
		suffix[i] = podNameAlphabet[int(sum[i])%len(podNameAlphabet)]
	}
	name := ds.Name
	if len(name) > 240 {
		name = name[:240]
	}
	return name + "-" + string(suffix)
}

// newDaemonPod is the pod the DaemonSet controller would create for node,
// already bound to it.
func newDaemonPod(ds *appsv1.DaemonSet, nodeName string) *corev1.Pod {
	tmpl := ds.Spec.Template.DeepCopy()
	podLabels := tmpl.Labels
	if podLabels == nil {
		podLabels = map[string]string{}
	}
	podLabels["pod-template-generation"] = strconv.FormatInt(ds.Generation, 10)
	spec := tmpl.Spec
	spec.NodeName = nodeName
	spec.Tolerations = append(spec.Tolerations, daemonSetDefaultTolerations(spec.HostNetwork)...)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:            daemonPodName(ds, nodeName),
			Namespace:       ds.Namespace,
			Labels:          podLabels,
			Annotations:     tmpl.Annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))},
		},
		Spec: spec,
	}
}

// daemonSetOwner returns the namespace/name of the DaemonSet controlling pod, or "".
func daemonSetOwner(pod *corev1.Pod) string {
	ref := metav1.GetControllerOf(pod)
	if ref == nil || ref.Kind != "DaemonSet" {
		return ""
	}
	return pod.Namespace + "/" + ref.Name
}

// Labels on the DaemonSets the sandbox itself manages (the CNI agents), so
// SyncNetwork removes only its own.
const (
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "stratos-sandbox"
)

// cniDaemonSet is the agent DaemonSet of a network mode, shaped like the one
// the CNI's installer creates.
func cniDaemonSet(network string) (*appsv1.DaemonSet, error) {
	var namespace, name string
	var containers, initContainers []corev1.Container
	switch network {
	case "vpc-cni":
		namespace, name = "kube-system", "aws-node"
		const repo = "602401143452.dkr.ecr.us-west-2.amazonaws.com/"
		initContainers = []corev1.Container{{Name: "aws-vpc-cni-init", Image: repo + "amazon-k8s-cni-init:v1.19.2"}}
		containers = []corev1.Container{
			{Name: "aws-node", Image: repo + "amazon-k8s-cni:v1.19.2", Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 61678}}},
			{Name: "aws-eks-nodeagent", Image: repo + "amazon/aws-network-policy-agent:v1.1.6"},
		}
	case "cilium":
		namespace, name = "kube-system", "cilium"
		initContainers = []corev1.Container{{Name: "config", Image: "quay.io/cilium/cilium:v1.16.6"}}
		containers = []corev1.Container{{Name: "cilium-agent", Image: "quay.io/cilium/cilium:v1.16.6"}}
	case "calico":
		namespace, name = "calico-system", "calico-node"
		initContainers = []corev1.Container{{Name: "install-cni", Image: "docker.io/calico/cni:v3.29.1"}}
		containers = []corev1.Container{{Name: "calico-node", Image: "docker.io/calico/node:v3.29.1"}}
	default:
		return nil, fmt.Errorf("unknown network %q: want vpc-cni, cilium or calico", network)
	}
	podLabels := map[string]string{"k8s-app": name}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: namespace,
			Labels: map[string]string{"k8s-app": name, managedByLabel: managedByValue},
		},
		Spec: appsv1.DaemonSetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: podLabels},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{
					HostNetwork:       true,
					PriorityClassName: "system-node-critical",
					Tolerations:       []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
							MatchExpressions: []corev1.NodeSelectorRequirement{
								{Key: labelOS, Operator: corev1.NodeSelectorOpIn, Values: []string{"linux"}},
								{Key: labelArch, Operator: corev1.NodeSelectorOpIn, Values: []string{kubeArchAMD64, kubeArchARM64}},
								{Key: "eks.amazonaws.com/compute-type", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"fargate", "hybrid", "auto"}},
							},
						}}},
					}},
					InitContainers: initContainers,
					Containers:     containers,
				},
			},
		},
	}, nil
}

// podImages are the images a pod's containers run, init containers included.
func podImages(pod *corev1.Pod) []string {
	var out []string
	for _, c := range pod.Spec.InitContainers {
		out = append(out, c.Image)
	}
	for _, c := range pod.Spec.Containers {
		out = append(out, c.Image)
	}
	return out
}
