package nodes

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Bottlerocket's pause image is baked into the OS image, so every node lists
// it from the first status.
const pauseImage = "localhost/kubernetes/pause:0.1.0"

const (
	kernelVersion  = "6.1.134"
	runtimeVersion = "containerd://1.7.27+bottlerocket"

	// Messages the kubelet and the node lifecycle controller use.
	readyMessage       = "kubelet is posting ready status"
	notReadyMessage    = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"
	kubeArchAMD64      = "amd64"
	kubeArchARM64      = "arm64"
	labelInstanceType  = "node.kubernetes.io/instance-type"
	labelZone          = "topology.kubernetes.io/zone"
	labelRegion        = "topology.kubernetes.io/region"
	labelHostname      = "kubernetes.io/hostname"
	labelOS            = "kubernetes.io/os"
	labelArch          = "kubernetes.io/arch"
	reasonKubeletReady = "KubeletReady"
)

func kubeArch(ec2Arch string) string {
	if ec2Arch == "arm64" {
		return kubeArchARM64
	}
	return kubeArchAMD64
}

// newNode is the Node a Bottlerocket kubelet registers on EKS
// (pkg/kubelet/kubelet_node_status.go initialNode): its own labels plus the
// user data's node-labels, the user data's node-taints plus the external
// cloud provider's uninitialized taint, the provider id Bottlerocket
// configures, the node IP it was given. Zone, region and instance-type
// labels and the full addresses come from the cloud controller when it
// initializes the Node (cloudcontroller.go).
func newNode(info cloud.InstanceInfo, it cloud.InstanceTypeInfo, variant osVariant, s *bootSettings, bootID string, ready bool, now time.Time) *corev1.Node {
	arch := kubeArch(info.Architecture)
	labels := map[string]string{}
	for k, v := range s.NodeLabels {
		labels[k] = v
	}
	for k, v := range map[string]string{
		labelOS: "linux", "beta.kubernetes.io/os": "linux",
		labelArch: arch, "beta.kubernetes.io/arch": arch,
		labelHostname: info.PrivateDNSName,
	} {
		labels[k] = v
	}
	capacity, allocatable := nodeResources(it, s)
	taints := append([]corev1.Taint(nil), s.NodeTaints...)
	taints = append(taints, corev1.Taint{Key: uninitializedTaint, Value: "true", Effect: corev1.TaintEffectNoSchedule})
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   info.PrivateDNSName,
			Labels: labels,
			Annotations: map[string]string{
				"node.alpha.kubernetes.io/ttl":                           "0",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
				"alpha.kubernetes.io/provided-node-ip":                   info.PrivateIP,
			},
		},
		Spec: corev1.NodeSpec{
			ProviderID: providerID(info),
			Taints:     taints,
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: allocatable,
			Conditions:  kubeletConditions(ready, now),
			// With --cloud-provider=external and --node-ip the kubelet
			// reports the given IP and its hostname until the cloud
			// controller sets the addresses.
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: info.PrivateIP},
				{Type: corev1.NodeHostName, Address: info.PrivateDNSName},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
			NodeInfo: corev1.NodeSystemInfo{
				MachineID:               stableHex("machine", info.ID, 32),
				SystemUUID:              "ec2" + stableHex("uuid", info.ID, 29),
				BootID:                  bootID,
				KernelVersion:           kernelVersion,
				OSImage:                 variant.osImage(),
				ContainerRuntimeVersion: runtimeVersion,
				KubeletVersion:          variant.kubeletVersion(),
				OperatingSystem:         "linux",
				Architecture:            arch,
			},
			Images: nodeImages([]string{pauseImage}),
		},
	}
}

// kubeletConditions are the conditions the kubelet posts; pressure
// conditions are always False here.
func kubeletConditions(ready bool, now time.Time) []corev1.NodeCondition {
	t := metav1.NewTime(now)
	conds := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available", LastHeartbeatTime: t, LastTransitionTime: t},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure", LastHeartbeatTime: t, LastTransitionTime: t},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available", LastHeartbeatTime: t, LastTransitionTime: t},
	}
	ready_ := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: reasonKubeletReady, Message: readyMessage, LastHeartbeatTime: t, LastTransitionTime: t}
	if !ready {
		ready_.Status, ready_.Reason, ready_.Message = corev1.ConditionFalse, "KubeletNotReady", notReadyMessage
	}
	return append(conds, ready_)
}

func networkUpCondition(network string, now time.Time) corev1.NodeCondition {
	reason, message := "CiliumIsUp", "Cilium is running on this node"
	if network == "calico" {
		reason, message = "CalicoIsUp", "Calico is running on this node"
	}
	t := metav1.NewTime(now)
	return corev1.NodeCondition{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse, Reason: reason, Message: message, LastHeartbeatTime: t, LastTransitionTime: t}
}

// nodeImages lists images as the kubelet does: the digest reference and the
// tag reference, with a size. Digests and sizes are derived from the name so
// they are stable across nodes, like a real registry's.
func nodeImages(images []string) []corev1.ContainerImage {
	out := make([]corev1.ContainerImage, 0, len(images))
	for _, image := range images {
		repo := image
		if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
			repo = image[:i]
		}
		sum := sha256.Sum256([]byte(image))
		size := int64(8<<20) + int64(sum[0])<<20 + int64(sum[1])<<12
		out = append(out, corev1.ContainerImage{
			Names:     []string{repo + "@sha256:" + hex.EncodeToString(sum[:]), image},
			SizeBytes: size,
		})
	}
	return out
}

func stableHex(salt, id string, n int) string {
	sum := sha256.Sum256([]byte(salt + "/" + id))
	return hex.EncodeToString(sum[:])[:n]
}
