package nodes

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// statusDebounce batches DaemonSet status writes: while a thousand nodes
// come up, each DaemonSet's status is rewritten a few times a second at
// most, not once per pod change.
const statusDebounce = 500 * time.Millisecond

// enqueueDaemonSetStatus schedules a status recount for the DaemonSet that
// owns pod (or for ds itself).
func (s *Simulator) enqueueDaemonSetStatus(key string) {
	if key != "" {
		s.dsQueue.AddAfter(key, statusDebounce)
	}
}

func (s *Simulator) enqueueAllDaemonSetStatus() {
	for _, ds := range s.daemonSets() {
		s.enqueueDaemonSetStatus(ds.Namespace + "/" + ds.Name)
	}
}

func (s *Simulator) processNextDaemonSet(ctx context.Context) bool {
	key, shutdown := s.dsQueue.Get()
	if shutdown {
		return false
	}
	defer s.dsQueue.Done(key)
	if err := s.syncDaemonSetStatus(ctx, key); err != nil {
		if ctx.Err() != nil {
			return false
		}
		if !isConflict(err) {
			s.logf("sandbox nodes: daemonset %s: %v", key, err)
		}
		s.dsQueue.AddRateLimited(key)
		return true
	}
	s.dsQueue.Forget(key)
	return true
}

// syncDaemonSetStatus writes the counts the DaemonSet controller reports,
// over the nodes the simulator plays, so that `kubectl rollout status` and
// status-based readiness checks see what they would on a cluster.
func (s *Simulator) syncDaemonSetStatus(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return err
	}
	ds, err := s.dsLister.DaemonSets(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	status := s.countDaemonSet(ds)
	if equality.Semantic.DeepEqual(ds.Status, status) {
		return nil
	}
	updated := ds.DeepCopy()
	updated.Status = status
	if _, err := s.client.AppsV1().DaemonSets(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("update status: %w", err)
	}
	return nil
}

func (s *Simulator) countDaemonSet(ds *appsv1.DaemonSet) appsv1.DaemonSetStatus {
	key := ds.Namespace + "/" + ds.Name
	st := appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation}
	for _, nodeName := range s.joinedNodeNames() {
		node, err := s.nodeLister.Get(nodeName)
		if err != nil {
			continue
		}
		var pod *corev1.Pod
		for _, p := range s.podsOnNode(nodeName) {
			if p.DeletionTimestamp == nil && daemonSetOwner(p) == key {
				pod = p
				break
			}
		}
		schedule, keep := daemonPlacement(ds, node)
		shouldRun := schedule || (pod != nil && keep)
		switch {
		case shouldRun:
			st.DesiredNumberScheduled++
			if pod == nil {
				st.NumberUnavailable++
				continue
			}
			st.CurrentNumberScheduled++
			st.UpdatedNumberScheduled++
			if podReady(pod) {
				st.NumberReady++
				st.NumberAvailable++
			} else {
				st.NumberUnavailable++
			}
		case pod != nil:
			st.NumberMisscheduled++
		}
	}
	return st
}

// joinedNodeNames are the nodes of running or stopped instances that registered.
func (s *Simulator) joinedNodeNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.records))
	for _, rec := range s.records {
		if rec.registered {
			names = append(names, rec.info.PrivateDNSName)
		}
	}
	return names
}
