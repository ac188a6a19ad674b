package nodes

import (
	"crypto/sha256"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podRunningStatus is the status a kubelet posts once the pod's containers
// have started; ready says whether their readiness probes pass.
func podRunningStatus(pod *corev1.Pod, node *corev1.Node, ready bool, now time.Time) corev1.PodStatus {
	t := metav1.NewTime(now)
	hostIP := nodeInternalIP(node)
	podIP := hostIP
	if !pod.Spec.HostNetwork {
		podIP = podAddress(pod)
	}
	status := corev1.ConditionTrue
	reason, message := "", ""
	if !ready {
		status, reason, message = corev1.ConditionFalse, "ContainersNotReady", "containers with unready status: ["+containerNames(pod)+"]"
	}
	startTime := pod.Status.StartTime
	if startTime == nil {
		startTime = &t
	}
	st := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    hostIP,
		HostIPs:   []corev1.HostIP{{IP: hostIP}},
		PodIP:     podIP,
		PodIPs:    []corev1.PodIP{{IP: podIP}},
		StartTime: startTime,
		QOSClass:  pod.Status.QOSClass,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue, LastTransitionTime: t},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: t},
			{Type: corev1.ContainersReady, Status: status, Reason: reason, Message: message, LastTransitionTime: t},
			{Type: corev1.PodReady, Status: status, Reason: reason, Message: message, LastTransitionTime: t},
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: t},
		},
	}
	for _, c := range pod.Spec.InitContainers {
		st.InitContainerStatuses = append(st.InitContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), Ready: true,
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: t, FinishedAt: t}},
		})
	}
	started := true
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: imageID(c.Image), Ready: ready, Started: &started,
			ContainerID: "containerd://" + stableHex("container", string(pod.UID)+c.Name, 64),
			State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t}},
		})
	}
	return st
}

// podNotReadyStatus is what the node lifecycle controller writes on the pods
// of a node that stopped answering: Ready turns False, nothing else changes.
func podNotReadyStatus(pod *corev1.Pod, now time.Time) corev1.PodStatus {
	st := *pod.Status.DeepCopy()
	t := metav1.NewTime(now)
	found := false
	for i := range st.Conditions {
		if st.Conditions[i].Type == corev1.PodReady {
			st.Conditions[i].Status = corev1.ConditionFalse
			st.Conditions[i].Reason = "NodeNotReady"
			st.Conditions[i].Message = ""
			st.Conditions[i].LastTransitionTime = t
			found = true
		}
	}
	if !found {
		st.Conditions = append(st.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "NodeNotReady", LastTransitionTime: t})
	}
	return st
}

func nodeInternalIP(node *corev1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

// podAddress stands in for an address the CNI would assign; stable per pod.
func podAddress(pod *corev1.Pod) string {
	sum := sha256.Sum256([]byte(pod.UID))
	return fmt.Sprintf("10.%d.%d.%d", 64+sum[0]%64, sum[1], 1+sum[2]%254)
}

func imageID(image string) string {
	return nodeImages([]string{image})[0].Names[0]
}

func containerNames(pod *corev1.Pod) string {
	s := ""
	for i, c := range pod.Spec.Containers {
		if i > 0 {
			s += " "
		}
		s += c.Name
	}
	return s
}
