package warmpool

import (
	"context"
	"fmt"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// Destroy terminates every instance of the pool, whatever its state and
// whether or not it has a node, waits until they are terminated, and deletes
// their Node objects. knownIDs are instances recorded in state, included in
// case a just-launched one is not yet visible to DescribeInstances.
func (e *Engine) Destroy(ctx context.Context, poolID string, knownIDs []string) error {
	found, err := e.findPoolInstances(ctx, poolID, false)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, i := range found {
		if !i.Gone() {
			ids[i.ID] = true
		}
	}
	for _, id := range knownIDs {
		ids[id] = true
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	if err := e.terminateInstances(ctx, list); err != nil {
		return err
	}
	if err := e.waitInstances(ctx, poolID, list, func(i Instance) bool {
		// EC2 accepted the termination of an instance in a disrupted zone,
		// but cannot show it until the zone recovers.
		return i.EC2State == ec2types.InstanceStateNameTerminated || i.ZoneDisrupted
	}); err != nil {
		return err
	}
	if err := e.deletePoolNodes(ctx, poolID); err != nil {
		return fmt.Errorf("delete nodes of pool %s: %w", poolID, permissionError(err))
	}
	return nil
}

// deletePoolNodes deletes every Node of the pool (all its instances are
// terminated) in one request by label. Where RBAC grants delete but not
// deletecollection on nodes, it lists them and deletes them one by one.
func (e *Engine) deletePoolNodes(ctx context.Context, poolID string) error {
	if e.Kube == nil {
		return nil
	}
	selector := metav1.ListOptions{LabelSelector: keys.PoolID + "=" + poolID}
	err := e.Kube.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, selector)
	if !apierrors.IsForbidden(err) && !apierrors.IsMethodNotSupported(err) {
		return err
	}
	nodes, err := e.listPoolNodes(ctx, poolID)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(nodes))
	for _, n := range nodes {
		names = append(names, n.Name)
	}
	return e.deleteNodesByName(ctx, names)
}
