package nodes

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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
