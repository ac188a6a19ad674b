package nodes

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// The sandbox plays EKS's cloud controller (the AWS cloud-controller-manager,
// k8s.io/cloud-provider-aws) for the instances of the simulated account.
//
// Why simulated and not the real binary: cloud-provider-aws (pkg/providers/v1/
// aws.go) discovers its region, VPC and own instance from IMDS at start, and
// its EC2 calls need DescribeInstances filters, tags and route/ELB APIs the
// sandbox's EC2 does not serve; its node controllers are generic
// k8s.io/cloud-provider code. So the two behaviours EKS users meet are
// played here, following that code:
//
//   - Initialization, k8s.io/cloud-provider controllers/node/
//     node_controller.go: a kubelet with --cloud-provider=external registers
//     its Node tainted node.cloudprovider.kubernetes.io/uninitialized
//     (NoSchedule); the controller sets the provider id, the addresses and
//     the instance-type, zone and region labels (GA and beta keys), then
//     removes the taint.
//   - Instance lifecycle, controllers/nodelifecycle/
//     node_lifecycle_controller.go (MonitorNodes, every --node-monitor-period,
//     default 5 s): a Node whose Ready condition is True loses the shutdown
//     taint; one that is not Ready gets node.cloudprovider.kubernetes.io/
//     shutdown (NoSchedule) while its instance is stopped
//     (InstanceShutdownByProviderID: EC2 state stopped/stopping in aws.go),
//     and is deleted once its instance no longer exists
//     (InstanceExistsByProviderID: false only for terminated instances).
const (
	uninitializedTaint     = "node.cloudprovider.kubernetes.io/uninitialized"
	shutdownTaint          = "node.cloudprovider.kubernetes.io/shutdown"
	cloudNodeMonitorPeriod = 5 * time.Second
	cloudNodeWorkers       = 4
)

// instanceState is what the cloud API reports of a node's instance.
type instanceState int

const (
	instanceRunning instanceState = iota
	instanceShutdown
	instanceGone
)

// instanceOfNode finds the instance behind a Node by its provider id (by
// its name before one is set, as cloud-provider falls back to InstanceID by
// node name).
func (s *Simulator) instanceOfNode(node *corev1.Node) (cloud.InstanceInfo, instanceState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := instanceIDFromProviderID(node.Spec.ProviderID)
	if !ok {
		id = s.byNode[node.Name]
	}
	rec := s.records[id]
	if rec == nil || rec.power == cloud.InstanceTerminated {
		return cloud.InstanceInfo{}, instanceGone
	}
	if rec.power == cloud.InstanceStopping {
		return rec.info, instanceShutdown
	}
	return rec.info, instanceRunning
}

// instanceIDFromProviderID parses aws:///<zone>/<instance-id>.
func instanceIDFromProviderID(providerID string) (string, bool) {
	rest, ok := strings.CutPrefix(providerID, "aws://")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, "/")
	if i < 0 || !strings.HasPrefix(rest[i+1:], "i-") {
		return "", false
	}
	return rest[i+1:], true
}

// runCloudNodeMonitor re-evaluates every Node each monitor period, like
// the cloud node lifecycle controller's ticker.
func (s *Simulator) runCloudNodeMonitor(ctx context.Context) {
	t := time.NewTicker(cloudNodeMonitorPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			nodes, err := s.nodeLister.List(labels.Everything())
			if err != nil {
				continue
			}
			for _, n := range nodes {
				s.cloudQueue.Add(n.Name)
			}
		}
	}
}

func (s *Simulator) processNextCloudNode(ctx context.Context) bool {
	name, shutdown := s.cloudQueue.Get()
	if shutdown {
		return false
	}
	defer s.cloudQueue.Done(name)
	if err := s.syncCloudNode(ctx, name); err != nil {
		if ctx.Err() != nil {
			return false
		}
		if !isConflict(err) && !apierrors.IsNotFound(err) {
			s.logf("sandbox cloud controller: node %s: %v", name, err)
		}
		s.cloudQueue.AddRateLimited(name)
		return true
	}
	s.cloudQueue.Forget(name)
	return true
}

func (s *Simulator) syncCloudNode(ctx context.Context, name string) error {
	node, err := s.nodeLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	info, state := s.instanceOfNode(node)
	if hasTaint(node, uninitializedTaint) && state != instanceGone {
		return s.initializeNode(ctx, node, info)
	}
	if conditionStatus(node, corev1.NodeReady) == corev1.ConditionTrue {
		return s.setShutdownTaint(ctx, node, false)
	}
	switch state {
	case instanceShutdown:
		return s.setShutdownTaint(ctx, node, true)
	case instanceGone:
		err := s.client.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &node.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node of a terminated instance: %w", err)
		}
	}
	return nil
}

// initializeNode is the cloud node controller's syncNode for a new Node.
func (s *Simulator) initializeNode(ctx context.Context, node *corev1.Node, info cloud.InstanceInfo) error {
	updated := node.DeepCopy()
	if updated.Spec.ProviderID == "" {
		updated.Spec.ProviderID = providerID(info)
	}
	if updated.Labels == nil {
		updated.Labels = map[string]string{}
	}
	for k, v := range cloudNodeLabels(info) {
		updated.Labels[k] = v
	}
	var taints []corev1.Taint
	for _, t := range updated.Spec.Taints {
		if t.Key != uninitializedTaint {
			taints = append(taints, t)
		}
	}
	updated.Spec.Taints = taints
	node, err := s.client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("initialize node: %w", err)
	}
	// Addresses are status: the controller patches them separately.
	node.Status.Addresses = nodeAddresses(info)
	if _, err := s.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("set node addresses: %w", err)
	}
	return nil
}

func (s *Simulator) setShutdownTaint(ctx context.Context, node *corev1.Node, want bool) error {
	if hasTaint(node, shutdownTaint) == want {
		return nil
	}
	updated := node.DeepCopy()
	if want {
		now := metav1.Now()
		updated.Spec.Taints = append(updated.Spec.Taints, corev1.Taint{Key: shutdownTaint, Effect: corev1.TaintEffectNoSchedule, TimeAdded: &now})
	} else {
		var taints []corev1.Taint
		for _, t := range updated.Spec.Taints {
			if t.Key != shutdownTaint {
				taints = append(taints, t)
			}
		}
		updated.Spec.Taints = taints
	}
	if _, err := s.client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("set shutdown taint %v: %w", want, err)
	}
	return nil
}

func hasTaint(node *corev1.Node, key string) bool {
	for _, t := range node.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

func providerID(info cloud.InstanceInfo) string {
	return fmt.Sprintf("aws:///%s/%s", info.AvailabilityZone, info.ID)
}

// cloudNodeLabels are the labels the cloud node controller sets from the
// instance (cloud-provider node_controller.go labelReconcileInfo and
// getNodeModifiersFromCloudProvider: instance type, zone, region; the
// beta keys alongside the GA ones).
func cloudNodeLabels(info cloud.InstanceInfo) map[string]string {
	return map[string]string{
		labelInstanceType: info.InstanceType, "beta.kubernetes.io/instance-type": info.InstanceType,
		labelZone: info.AvailabilityZone, "failure-domain.beta.kubernetes.io/zone": info.AvailabilityZone,
		labelRegion: info.Region, "failure-domain.beta.kubernetes.io/region": info.Region,
	}
}

// nodeAddresses are cloud-provider-aws's NodeAddresses for an instance in a
// VPC: private IP, private DNS name as InternalDNS and Hostname.
func nodeAddresses(info cloud.InstanceInfo) []corev1.NodeAddress {
	return []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: info.PrivateIP},
		{Type: corev1.NodeInternalDNS, Address: info.PrivateDNSName},
		{Type: corev1.NodeHostName, Address: info.PrivateDNSName},
	}
}
