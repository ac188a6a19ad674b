package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
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

// syncRunning moves a running instance's node towards: registered, Ready,
// CNI up, DaemonSet pods present and Ready, their images listed.
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
	if rec.failure != nil {
		return 0, nil
	}
	if rec.nodeDeleted {
		return 0, s.deletePods(ctx, name)
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

	if node, err = s.syncControllerTaints(ctx, node, nodeRunning(!rec.neverReady), now); err != nil {
		return 0, err
	}

	var statusPatch nodeStatusPatch
	if want := readyStatus(!rec.neverReady); conditionStatus(node, corev1.NodeReady) != want {
		statusPatch.Conditions = kubeletConditions(!rec.neverReady, now)
	}

	if err := s.syncDaemonPods(ctx, node); err != nil {
		return 0, err
	}

	network := s.world.Config().Network
	cniUp := !now.Before(rec.cniAt) && !rec.neverReady
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
	if !cniUp && !rec.neverReady {
		return rec.cniAt.Sub(now), nil
	}
	return 0, nil
}

// register creates the Node as the kubelet does on first start, with its
// status (the kubelet registers with capacity and conditions already set).
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

// syncDaemonPods plays the DaemonSet controller for one node: create the
// pods it should run, delete those it must not keep or whose DaemonSet is gone,
// and finish deletions the kubelet would finish.
func (s *Simulator) syncDaemonPods(ctx context.Context, node *corev1.Node) error {
	owned := map[string]*corev1.Pod{}
	for _, pod := range s.podsOnNode(node.Name) {
		if pod.DeletionTimestamp != nil {
			if err := s.deletePod(ctx, pod); err != nil {
				return err
			}
			continue
		}
		if key := daemonSetOwner(pod); key != "" {
			owned[key] = pod
		} else if evictedByTaint(pod, node) {
			// The taint manager evicts pods that do not tolerate a NoExecute
			// taint (e.g. a standby taint); the kubelet then stops them.
			if err := s.deletePod(ctx, pod); err != nil {
				return err
			}
		}
	}
	live := map[string]bool{}
	for _, ds := range s.daemonSets() {
		key := ds.Namespace + "/" + ds.Name
		if ds.DeletionTimestamp != nil {
			continue
		}
		live[key] = true
		schedule, keep := daemonPlacement(ds, node)
		pod := owned[key]
		switch {
		case pod == nil && schedule:
			if err := s.createDaemonPod(ctx, ds, node.Name); err != nil {
				return fmt.Errorf("create pod of daemonset %s on node %s: %w", key, node.Name, err)
			}
		case pod != nil && !keep:
			if err := s.deletePod(ctx, pod); err != nil {
				return err
			}
		}
	}
	for key, pod := range owned {
		if !live[key] {
			// What the garbage collector does for a deleted DaemonSet.
			if err := s.deletePod(ctx, pod); err != nil {
				return err
			}
		}
	}
	return nil
}

// createDaemonPod creates ds's pod for a node under its stable name; if
// another node's pod holds that name, under a generated one.
func (s *Simulator) createDaemonPod(ctx context.Context, ds *appsv1.DaemonSet, nodeName string) error {
	pods := s.client.CoreV1().Pods(ds.Namespace)
	pod := newDaemonPod(ds, nodeName)
	_, err := pods.Create(ctx, pod, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	existing, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	if existing.Spec.NodeName == nodeName {
		return nil
	}
	pod.GenerateName, pod.Name = ds.Name+"-", ""
	_, err = pods.Create(ctx, pod, metav1.CreateOptions{})
	return err
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
		var wantReady bool
		switch {
		case cniUp:
			wantReady = true
		case rec.neverReady && isCNI:
			wantReady = false
		default:
			// Waiting for the network: the pod stays as it is (Pending, or
			// not Ready after a restart) until the CNI is up.
			continue
		}
		if pod.Status.Phase == corev1.PodRunning && podReady(pod) == wantReady {
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

// syncStopped is the node lifecycle controller noticing a silent kubelet:
// unreachable taints, conditions Unknown, the node's pods not Ready.
func (s *Simulator) syncStopped(ctx context.Context, rec *record) error {
	name := rec.info.PrivateDNSName
	node, err := s.nodeLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := s.syncControllerTaints(ctx, node, nodeUnreachable, now); err != nil {
		return err
	}
	if conditionStatus(node, corev1.NodeReady) != corev1.ConditionUnknown {
		if err := s.patchNodeStatus(ctx, name, nodeStatusPatch{Conditions: unknownConditions(now)}); err != nil {
			return err
		}
	}
	for _, pod := range s.podsOnNode(name) {
		if pod.DeletionTimestamp != nil || !podReady(pod) {
			continue
		}
		updated := pod.DeepCopy()
		updated.Status = podNotReadyStatus(pod, now)
		if _, err := s.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("mark pod %s/%s on stopped node %s not ready: %w", pod.Namespace, pod.Name, name, err)
		}
	}
	return nil
}

// syncTerminated is the cloud node lifecycle controller and the pod
// garbage collector: the Node and its pods go away with the instance.
func (s *Simulator) syncTerminated(ctx context.Context, rec *record) error {
	name := rec.info.PrivateDNSName
	if _, err := s.nodeLister.Get(name); err == nil || rec.registered {
		err := s.client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node %s of terminated instance %s: %w", name, rec.info.ID, err)
		}
	}
	if err := s.deletePods(ctx, name); err != nil {
		return err
	}
	s.forget(rec.info.ID)
	return nil
}

func (s *Simulator) deletePods(ctx context.Context, nodeName string) error {
	for _, pod := range s.podsOnNode(nodeName) {
		if err := s.deletePod(ctx, pod); err != nil {
			return err
		}
	}
	return nil
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
}

func (s *Simulator) patchNodeStatus(ctx context.Context, name string, p nodeStatusPatch) error {
	if len(p.Conditions) == 0 && len(p.Images) == 0 {
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
