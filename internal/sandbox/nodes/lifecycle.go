package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// instanceView is what the console shows of an instance.
type instanceView struct{ nodeName, arch, osImage string }

func (s *Simulator) viewOf(rec *record) instanceView {
	return instanceView{nodeName: rec.info.PrivateDNSName, arch: kubeArch(rec.info.Architecture), osImage: s.variantOf(rec.info.ImageID).osImage()}
}

// syncRunning plays the kubelet and the CNI agent of a running instance:
// register the Node (again, after a restart, if it was deleted meanwhile),
// heartbeat, post the node's status when it changed (and at every boot),
// run the pods bound to the node and finish their deletions, list the
// images of the pods that run.
//
// What a cluster's controllers do is left to the real ones: the
// DaemonSet controller creates the DaemonSet pods, kube-scheduler binds
// pods, the node lifecycle controller marks a silent node Unknown and
// taints it, the taint eviction controller evicts, the pod garbage
// collector removes the pods of deleted Nodes; the cloud controller is
// played in cloudcontroller.go.
func (s *Simulator) syncRunning(ctx context.Context, rec *record) (time.Duration, error) {
	id, name := rec.info.ID, rec.info.PrivateDNSName
	if !rec.booted {
		settings, err := readUserData(rec.info.UserData, s.variantOf(rec.info.ImageID))
		if err == nil {
			err = checkKubelet(settings, s.cluster, name)
		}
		rec.booted, rec.settings, rec.failure = true, settings, err
		s.update(id, func(r *record) { r.booted, r.settings, r.failure = true, settings, err })
	}
	if rec.consolePending {
		text := consoleKernel(s.viewOf(rec))
		if rec.failure != nil {
			text += consoleFailure(s.viewOf(rec), rec.failure)
		} else {
			text += consoleBooted(s.viewOf(rec))
		}
		s.world.AppendConsoleOutput(id, text)
		s.update(id, func(r *record) { r.consolePending = false })
	}
	if rec.failure != nil || rec.nodeDeleted {
		// A kubelet whose Node was deleted while it ran keeps failing its
		// status updates until it restarts; its pods are the pod garbage
		// collector's.
		return 0, nil
	}
	now := s.now()
	if now.Before(rec.readyAt) {
		return rec.readyAt.Sub(now), nil
	}

	node, err := s.nodeLister.Get(name)
	if apierrors.IsNotFound(err) {
		if rec.registered {
			// Created moments ago; the informer will bring it.
			return 0, nil
		}
		node, err = s.register(ctx, rec, now)
	}
	if err != nil {
		return 0, err
	}
	if !rec.registered {
		s.update(id, func(r *record) { r.registered = true })
	}
	s.startHeartbeat(id, name)

	ready := !rec.neverReady
	var statusPatch nodeStatusPatch
	// The kubelet posts its status at start (a new boot id) and whenever
	// it differs from what the Node says, e.g. after the node lifecycle
	// controller set Unknown while the instance was stopped.
	if node.Status.NodeInfo.BootID != rec.bootID || conditionStatus(node, corev1.NodeReady) != readyStatus(ready) {
		statusPatch.Conditions = keepTransitionTimes(node, kubeletConditions(ready, now))
		statusPatch.NodeInfo = &nodeInfoPatch{BootID: rec.bootID}
	}

	if err := s.finishPodDeletions(ctx, node.Name); err != nil {
		return 0, err
	}

	network := s.world.Config().Network
	cniUp := !now.Before(rec.cniAt) && ready
	readyImages, err := s.syncPodStatuses(ctx, node, rec, network, cniUp, now)
	if err != nil {
		return 0, err
	}
	if cniUp && (network == "cilium" || network == "calico") && conditionStatus(node, corev1.NodeNetworkUnavailable) != corev1.ConditionFalse {
		statusPatch.Conditions = append(statusPatch.Conditions, networkUpCondition(network, now))
	}
	if images, changed := mergeImages(node, readyImages); changed {
		statusPatch.Images = images
	}
	if err := s.patchNodeStatus(ctx, name, statusPatch); err != nil {
		return 0, err
	}
	if !cniUp && ready {
		return rec.cniAt.Sub(now), nil
	}
	return 0, nil
}

// register creates the Node as the kubelet does on start when it finds none
// (pkg/kubelet/kubelet_node_status.go registerWithAPIServer), with its
// status: the kubelet registers with capacity and conditions already set.
func (s *Simulator) register(ctx context.Context, rec *record, now time.Time) (*corev1.Node, error) {
	it, ok := s.world.InstanceType(rec.info.InstanceType)
	if !ok {
		it = fallbackType
	}
	node := newNode(rec.info, it, s.variantOf(rec.info.ImageID), rec.settings, rec.bootID, !rec.neverReady, now)
	created, err := s.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		// Left by an earlier life of this instance name; the kubelet adopts it.
		return s.client.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("register node %s: %w", node.Name, err)
	}
	return created, nil
}

// finishPodDeletions confirms the deletion of the node's terminating pods,
// as the kubelet does once their containers stopped.
func (s *Simulator) finishPodDeletions(ctx context.Context, nodeName string) error {
	for _, pod := range s.podsOnNode(nodeName) {
		if pod.DeletionTimestamp != nil {
			if err := s.deletePod(ctx, pod); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncPodStatuses plays the kubelet for the pods bound to node: once the
// CNI is up they run and turn Ready; on a never-ready node the CNI agent
// runs but never turns Ready and the other pods wait for it. It returns the
// images of the pods that are Ready.
func (s *Simulator) syncPodStatuses(ctx context.Context, node *corev1.Node, rec *record, network string, cniUp bool, now time.Time) ([]string, error) {
	cniKey := cniDaemonSetKey(network)
	var images []string
	for _, pod := range s.podsOnNode(node.Name) {
		if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		isCNI := daemonSetOwner(pod) == cniKey
		// Pod conditions carry whole seconds: compare in whole seconds.
		fromEarlierBoot := podReady(pod) && readySince(pod).Before(rec.readyAt.Truncate(time.Second))
		var wantReady bool
		switch {
		case cniUp:
			wantReady = true
		case rec.neverReady && isCNI:
			wantReady = false
		case fromEarlierBoot:
			// A pod of the previous boot, still Ready: its Node was
			// deleted at the stop, so the node lifecycle controller never
			// marked it NotReady, and the pod garbage collector spares it
			// for 40 s. The restarted kubelet finds its containers gone
			// and posts it not Ready until they run again (the status
			// manager's first sync, pkg/kubelet/status).
			wantReady = false
		default:
			// Waiting for the network: the pod stays as it is (Pending, or
			// not Ready after a restart) until the CNI is up.
			continue
		}
		// A pod started before this boot is restarted by the kubelet:
		// its status is posted again.
		if pod.Status.Phase == corev1.PodRunning && podReady(pod) == wantReady && !fromEarlierBoot {
			if wantReady {
				images = append(images, podImages(pod)...)
			}
			continue
		}
		updated := pod.DeepCopy()
		updated.Status = podRunningStatus(pod, node, wantReady, now)
		if _, err := s.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("update status of pod %s/%s on node %s: %w", pod.Namespace, pod.Name, node.Name, err)
		}
		if wantReady {
			images = append(images, podImages(pod)...)
		}
	}
	return images, nil
}

// syncStopped silences the kubelet of a stopped instance: its heartbeat
// stops, and the real node lifecycle controller notices after its grace
// period.
func (s *Simulator) syncStopped(rec *record) {
	s.stopHeartbeat(rec.info.ID)
}

// syncTerminated forgets a terminated instance. Its Node is deleted by the
// cloud controller (cloudcontroller.go) once the node lifecycle controller
// has seen it NotReady, its pods then by the pod garbage collector.
func (s *Simulator) syncTerminated(rec *record) {
	s.stopHeartbeat(rec.info.ID)
	s.forget(rec.info.ID)
	s.cloudQueue.Add(rec.info.PrivateDNSName)
}

// deletePod removes a pod at once, as the kubelet confirms a deletion
// (grace period 0) once containers have stopped.
func (s *Simulator) deletePod(ctx context.Context, pod *corev1.Pod) error {
	zero := int64(0)
	err := s.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero,
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

// nodeStatusPatch is a strategic-merge patch of node status: conditions
// merge by type, images replace the list.
type nodeStatusPatch struct {
	Conditions []corev1.NodeCondition  `json:"conditions,omitempty"`
	Images     []corev1.ContainerImage `json:"images,omitempty"`
	NodeInfo   *nodeInfoPatch          `json:"nodeInfo,omitempty"`
}

type nodeInfoPatch struct {
	BootID string `json:"bootID"`
}

func (s *Simulator) patchNodeStatus(ctx context.Context, name string, p nodeStatusPatch) error {
	if len(p.Conditions) == 0 && len(p.Images) == 0 && p.NodeInfo == nil {
		return nil
	}
	body, err := json.Marshal(map[string]any{"status": p})
	if err != nil {
		return err
	}
	_, err = s.client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, body, metav1.PatchOptions{}, "status")
	if err != nil {
		return fmt.Errorf("patch status of node %s: %w", name, err)
	}
	return nil
}

// SyncNetwork installs the CNI agent DaemonSet of the configured network
// and removes the sandbox's other CNI DaemonSets. Call it after changing
// the world's network.
func (s *Simulator) SyncNetwork(ctx context.Context) error {
	network := s.world.Config().Network
	want, err := cniDaemonSet(network)
	if err != nil {
		return err
	}
	if want.Namespace != "kube-system" {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: want.Namespace}}
		if _, err := s.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", want.Namespace, err)
		}
	}
	if _, err := s.client.AppsV1().DaemonSets(want.Namespace).Create(ctx, want, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s daemonset %s/%s: %w", network, want.Namespace, want.Name, err)
	}
	managed, err := s.client.AppsV1().DaemonSets(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: managedByLabel + "=" + managedByValue})
	if err != nil {
		return fmt.Errorf("list the sandbox's daemonsets: %w", err)
	}
	for _, ds := range managed.Items {
		if ds.Namespace == want.Namespace && ds.Name == want.Name {
			continue
		}
		if err := s.client.AppsV1().DaemonSets(ds.Namespace).Delete(ctx, ds.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete daemonset %s/%s of the previous network: %w", ds.Namespace, ds.Name, err)
		}
	}
	return nil
}

func cniDaemonSetKey(network string) string {
	ds, err := cniDaemonSet(network)
	if err != nil {
		return ""
	}
	return ds.Namespace + "/" + ds.Name
}

func readyStatus(ready bool) corev1.ConditionStatus {
	if ready {
		return corev1.ConditionTrue
	}
	return corev1.ConditionFalse
}

// keepTransitionTimes keeps a condition's lastTransitionTime when its status
// does not change, as the kubelet's condition setters do.
func keepTransitionTimes(node *corev1.Node, conds []corev1.NodeCondition) []corev1.NodeCondition {
	for i := range conds {
		for _, old := range node.Status.Conditions {
			if old.Type == conds[i].Type && old.Status == conds[i].Status {
				conds[i].LastTransitionTime = old.LastTransitionTime
			}
		}
	}
	return conds
}

func conditionStatus(node *corev1.Node, t corev1.NodeConditionType) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

// mergeImages adds images to those the node lists; changed is false when
// the node already lists them all.
func mergeImages(node *corev1.Node, images []string) ([]corev1.ContainerImage, bool) {
	have := map[string]bool{}
	for _, img := range node.Status.Images {
		for _, n := range img.Names {
			have[n] = true
		}
	}
	var missing []string
	seen := map[string]bool{}
	for _, img := range images {
		if !have[img] && !seen[img] {
			missing = append(missing, img)
			seen[img] = true
		}
	}
	if len(missing) == 0 {
		return nil, false
	}
	return append(append([]corev1.ContainerImage(nil), node.Status.Images...), nodeImages(missing)...), true
}

// isConflict: an optimistic-concurrency loss (someone else updated the
// node first); the retry reads the newer object, so it is not worth a log line.
func isConflict(err error) bool { return apierrors.IsConflict(err) }

// readySince is when a pod last turned Ready (or not).
func readySince(pod *corev1.Pod) time.Time {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}
