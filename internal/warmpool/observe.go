package warmpool

import (
	"context"
	"fmt"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// Observation is what exists of a pool right now.
type Observation struct {
	// Instances are the pool's instances, NodeName filled in where a node registered.
	Instances []Instance
	// Nodes are the pool's Node objects by instance id.
	Nodes map[string]*corev1.Node
	// OrphanNodes are pool nodes whose instance is gone or unknown.
	OrphanNodes []string
	// StoppedNodes are the nodes of stopped instances: left by an apply
	// interrupted before it deleted them, or by an earlier version that kept
	// standby nodes registered.
	StoppedNodes []string
	// DisruptedZones are Availability Zones where DescribeInstances failed;
	// their instances are as last known (see zone_disruption.go).
	DisruptedZones []string
}

// Observe reads a pool with one paginated DescribeInstances and one node
// list: the whole cost of a refresh, whatever the pool's size.
func (e *Engine) Observe(ctx context.Context, poolID string) (*Observation, error) {
	instances, err := e.findPoolInstances(ctx, poolID, false)
	if err != nil {
		return nil, err
	}
	nodes, err := e.listPoolNodes(ctx, poolID)
	if err != nil {
		return nil, err
	}
	obs := joinNodes(instances, nodes)
	obs.DisruptedZones = e.DisruptedZones()
	return obs, nil
}

func (e *Engine) listPoolNodes(ctx context.Context, poolID string) ([]corev1.Node, error) {
	if e.Kube == nil {
		return nil, nil
	}
	list, err := e.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: keys.PoolID + "=" + poolID})
	if err != nil {
		return nil, fmt.Errorf("list nodes of pool %s: %w", poolID, permissionError(err))
	}
	return list.Items, nil
}

func joinNodes(instances []Instance, nodes []corev1.Node) *Observation {
	obs := &Observation{Nodes: map[string]*corev1.Node{}}
	live, stopped := map[string]bool{}, map[string]bool{}
	for _, i := range instances {
		if !i.Gone() {
			live[i.ID] = true
		}
		if i.EC2State == ec2types.InstanceStateNameStopped {
			stopped[i.ID] = true
		}
	}
	for n := range nodes {
		node := &nodes[n]
		id := InstanceIDFromProviderID(node.Spec.ProviderID)
		if id == "" || !live[id] {
			obs.OrphanNodes = append(obs.OrphanNodes, node.Name)
			continue
		}
		obs.Nodes[id] = node
		if stopped[id] {
			obs.StoppedNodes = append(obs.StoppedNodes, node.Name)
		}
	}
	for _, i := range instances {
		if n, ok := obs.Nodes[i.ID]; ok {
			i.NodeName = n.Name
		}
		obs.Instances = append(obs.Instances, i)
	}
	return obs
}

// InstanceIDFromProviderID returns the instance id of an "aws:///<az>/<id>" provider id.
func InstanceIDFromProviderID(providerID string) string {
	if !strings.HasPrefix(providerID, "aws://") {
		return ""
	}
	id := providerID[strings.LastIndex(providerID, "/")+1:]
	if !strings.HasPrefix(id, "i-") {
		return ""
	}
	return id
}
