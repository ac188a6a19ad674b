package nodes

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr/funcr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/apimachinery/lease"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// DefaultNodeLeaseDuration is the kubelet's default nodeLeaseDurationSeconds;
// it renews the Lease every quarter of it (k8s.io/kubernetes
// pkg/kubelet/kubelet.go: renewInterval = 0.25 × duration).
const DefaultNodeLeaseDuration = 40 * time.Second

// nodeLeaseNamespace holds one Lease per node, named after it.
const nodeLeaseNamespace = corev1.NamespaceNodeLease

// startHeartbeat runs the kubelet's node Lease controller for a registered
// node of a running instance, until stopHeartbeat. It is the kubelet's own
// code (k8s.io/component-helpers/apimachinery/lease, which
// pkg/kubelet/kubelet.go runs): one timer per node, renewTime every quarter
// of the lease duration with 4 % jitter, updates from the last written Lease
// without a GET. kwok (sigs.k8s.io/kwok pkg/kwok/controllers/
// node_lease_controller.go) heartbeats its simulated nodes the same way; the
// real node lifecycle controller reads these renewals to decide whether a
// node is alive.
func (s *Simulator) startHeartbeat(id, nodeName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[id]
	if rec == nil || rec.stopHeartbeat != nil || s.runCtx == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	// The lease controller logs its retries through the context's logger;
	// they belong in the sandbox's log, not on the test's stderr.
	ctx = klog.NewContext(ctx, funcr.New(func(prefix, args string) {
		s.logf("sandbox nodes: heartbeat of %s: %s %s", nodeName, prefix, args)
	}, funcr.Options{}))
	done := make(chan struct{})
	rec.stopHeartbeat = func() { cancel(); <-done }
	duration := int32(s.leaseDuration / time.Second)
	if duration < 1 {
		duration = 1
	}
	c := lease.NewController(clock.RealClock{}, s.client, nodeName, duration, nil,
		s.leaseDuration/4, nodeName, nodeLeaseNamespace, s.setNodeOwner(nodeName))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(done)
		c.Run(ctx)
	}()
}

// stopHeartbeat silences a node's kubelet (instance stopped or gone). The
// Lease stays as last renewed, which is how the node lifecycle controller
// notices.
func (s *Simulator) stopHeartbeat(id string) {
	s.mu.Lock()
	rec := s.records[id]
	var stop func()
	if rec != nil {
		stop, rec.stopHeartbeat = rec.stopHeartbeat, nil
	}
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// setNodeOwner makes the Node own its Lease, as the kubelet does
// (pkg/kubelet/util/nodelease.go: NewSetNodeOwnerFunc), so the garbage
// collector removes the Lease with the Node. Until the Node is in the cache
// the Lease is not created (the lease controller retries on its next tick).
func (s *Simulator) setNodeOwner(nodeName string) lease.ProcessLeaseFunc {
	return func(l *coordinationv1.Lease) error {
		if len(l.OwnerReferences) > 0 {
			return nil
		}
		node, err := s.nodeLister.Get(nodeName)
		if err != nil {
			return fmt.Errorf("node %s for its lease: %w", nodeName, err)
		}
		l.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: corev1.SchemeGroupVersion.String(),
			Kind:       "Node",
			Name:       nodeName,
			UID:        node.UID,
		}}
		return nil
	}
}
