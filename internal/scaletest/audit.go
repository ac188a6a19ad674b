package scaletest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// Audit is what the sandbox knows of a pool against what the pool's state
// records: the ground truth about leaks and duplicates.
type Audit struct {
	// Launched is every instance the sandbox ever launched for the pool.
	Launched int
	// Live are launched instances not terminated (nor on their way).
	Live []string
	// Standby are live instances tagged standby and stopped.
	Standby []string
	// Leaked are live instances the state does not record.
	Leaked []string
	// Missing are instances the state records that are not live.
	Missing []string
	// StaleNodes are the pool's Node objects whose instance is not live.
	StaleNodes []string
	// StoppedNodes are Node objects of stopped instances: NotReady nodes
	// the cluster's failure handling would count.
	StoppedNodes []string
}

// AuditPool compares the world's instances of poolID and the cluster's
// nodes with the instance ids recorded in state.
func AuditPool(ctx context.Context, world *cloud.World, kube kubernetes.Interface, poolID string, inState []string) (Audit, error) {
	var a Audit
	live, stopped := map[string]bool{}, map[string]bool{}
	for _, r := range world.AllInstances() {
		if r.Tags[keys.PoolID] != poolID {
			continue
		}
		a.Launched++
		if r.State == "terminated" || r.State == "shutting-down" {
			continue
		}
		live[r.ID] = true
		stopped[r.ID] = r.State == "stopped"
		a.Live = append(a.Live, r.ID)
		if r.State == "stopped" && r.Tags[keys.State] == string(warmpool.StateStandby) {
			a.Standby = append(a.Standby, r.ID)
		}
	}
	recorded := map[string]bool{}
	for _, id := range inState {
		recorded[id] = true
		if !live[id] {
			a.Missing = append(a.Missing, id)
		}
	}
	for _, id := range a.Live {
		if !recorded[id] {
			a.Leaked = append(a.Leaked, id)
		}
	}
	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: keys.PoolID + "=" + poolID})
	if err != nil {
		return a, fmt.Errorf("list nodes of pool %s: %w", poolID, err)
	}
	for _, n := range nodes.Items {
		id := warmpool.InstanceIDFromProviderID(n.Spec.ProviderID)
		if !live[id] {
			a.StaleNodes = append(a.StaleNodes, n.Name)
		} else if stopped[id] {
			a.StoppedNodes = append(a.StoppedNodes, n.Name)
		}
	}
	return a, nil
}

// Problems lists how the pool fails "exactly size verified standby
// instances, none leaked, none duplicated, no node left for a terminated
// instance, no node left for a stopped one"; none means it holds.
func (a Audit) Problems(size int) []string {
	var out []string
	if len(a.Leaked) > 0 {
		out = append(out, fmt.Sprintf("%d leaked (live, not in state): %s", len(a.Leaked), short(a.Leaked)))
	}
	if len(a.Live) > size {
		out = append(out, fmt.Sprintf("duplicated: %d live instances for size %d", len(a.Live), size))
	}
	if len(a.Standby) != size {
		out = append(out, fmt.Sprintf("%d verified standby instances, want %d", len(a.Standby), size))
	}
	if len(a.Missing) > 0 {
		out = append(out, fmt.Sprintf("%d in state but not live: %s", len(a.Missing), short(a.Missing)))
	}
	if len(a.StaleNodes) > 0 {
		out = append(out, fmt.Sprintf("%d nodes left for terminated instances: %s", len(a.StaleNodes), short(a.StaleNodes)))
	}
	if len(a.StoppedNodes) > 0 {
		out = append(out, fmt.Sprintf("%d nodes left registered for stopped instances: %s", len(a.StoppedNodes), short(a.StoppedNodes)))
	}
	return out
}

func short(ids []string) string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if len(ids) > 5 {
		return strings.Join(ids[:5], ", ") + fmt.Sprintf(" and %d more", len(ids)-5)
	}
	return strings.Join(ids, ", ")
}
