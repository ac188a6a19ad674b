package warmpool

import (
	"fmt"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// Pool is the desired state of one warm pool.
type Pool struct {
	Name    string
	Cluster string
	// Size is how many verified standby instances to hold.
	Size   int
	Launch LaunchSpec
	Warmup WarmupSpec
	// Labels and Taints are the pool's own, added to the node class's user data.
	Labels map[string]string
	Taints []bottlerocket.Taint
	// Tags are added to every instance and its volumes (default tags, node class tags).
	Tags map[string]string
	// ReplaceBatch bounds how many outdated standby instances are replaced at a time.
	ReplaceBatch int
	// Running is how many of the pool's instances to keep started and
	// schedulable; nil leaves started instances alone (someone else runs them).
	Running *int
	// MaxSize caps standby plus running instances; 0 means no cap. When the
	// cap binds, standby is held below Size.
	MaxSize int
	// Drain is how running nodes are returned to standby.
	Drain DrainSpec
}

// DrainAction is what happens when a drain does not finish in time.
type DrainAction string

const (
	// DrainStop stops the node anyway; pods still on it stop with it.
	DrainStop DrainAction = "stop"
	// DrainFail fails the converge and leaves the node running, cordoned and
	// in state draining, so nothing new lands on it and the next converge
	// retries the drain.
	DrainFail DrainAction = "fail"
)

// DrainSpec bounds how a running node is drained before it stops.
type DrainSpec struct {
	// Timeout bounds evicting a node's pods (PodDisruptionBudgets may refuse
	// evictions for a while); 0 means DefaultDrainTimeout.
	Timeout       time.Duration
	TimeoutAction DrainAction
}

// DefaultDrainTimeout is how long a drain waits for PodDisruptionBudgets.
const DefaultDrainTimeout = 5 * time.Minute

// runningTarget is how many instances the pool keeps running, or -1 when
// running instances are not the pool's to manage.
func (p Pool) runningTarget() int {
	if p.Running == nil {
		return -1
	}
	return *p.Running
}

// ID is the pool id carried by every instance and node of the pool.
func (p Pool) ID() string { return PoolID(p.Cluster, p.Name) }

// LaunchSpec is how the pool launches an instance: the node class's launch
// template, with the pool's own user data (node class settings plus the
// pool's labels and taints) as an override.
type LaunchSpec struct {
	LaunchTemplateID string
	// Version of the launch template; instances built from another are outdated.
	Version int64
	// NodeClass is the node class's name, recorded on instances for import.
	NodeClass string
	// InstanceTypes in order of preference: later types are fallbacks when
	// capacity is short.
	InstanceTypes []string
	Subnets       []nodeclass.Subnet
	// UserData is the base64 user data handed to RunInstances.
	UserData string
	// ConfigHash identifies everything that shapes an instance (node class
	// config, pool labels and taints); instances carrying another are outdated.
	ConfigHash string
}

// Network is the CNI whose readiness a warmup waits for.
type Network string

const (
	NetworkAuto   Network = "auto"
	NetworkVPCCNI Network = "vpc-cni"
	NetworkCilium Network = "cilium"
	NetworkCalico Network = "calico"
	NetworkNone   Network = "none"
)

// TimeoutAction is what happens to an instance whose warmup times out.
type TimeoutAction string

const (
	TimeoutTerminate TimeoutAction = "terminate"
	TimeoutStop      TimeoutAction = "stop"
)

// WarmupSpec says when a launched instance counts as verified.
type WarmupSpec struct {
	Timeout           time.Duration
	TimeoutAction     TimeoutAction
	Network           Network
	WaitForDaemonSets bool
	// Images must appear in node.status.images before the stop.
	Images []string
}

// Validate reports a desired pool that cannot be converged.
func (p Pool) Validate() error {
	switch {
	case p.Name == "":
		return fmt.Errorf("pool name is empty")
	case p.Cluster == "":
		return fmt.Errorf("pool %s: cluster is empty", p.Name)
	case p.Size < 0 || p.Size > MaxSize:
		return fmt.Errorf("pool %s: size %d is outside 0–%d", p.Name, p.Size, MaxSize)
	case p.Running != nil && (*p.Running < 0 || *p.Running > MaxSize):
		return fmt.Errorf("pool %s: running %d is outside 0–%d", p.Name, *p.Running, MaxSize)
	case p.MaxSize < 0 || p.MaxSize > 2*MaxSize:
		return fmt.Errorf("pool %s: max_size %d is outside 0–%d", p.Name, p.MaxSize, 2*MaxSize)
	case p.Running != nil && p.MaxSize > 0 && *p.Running > p.MaxSize:
		return fmt.Errorf("pool %s: running %d exceeds max_size %d", p.Name, *p.Running, p.MaxSize)
	case p.Drain.TimeoutAction != "" && p.Drain.TimeoutAction != DrainStop && p.Drain.TimeoutAction != DrainFail:
		return fmt.Errorf("pool %s: drain timeout action %q is neither %q nor %q", p.Name, p.Drain.TimeoutAction, DrainStop, DrainFail)
	case (p.Size > 0 || p.runningTarget() > 0) && p.Launch.LaunchTemplateID == "":
		return fmt.Errorf("pool %s: no launch template", p.Name)
	case (p.Size > 0 || p.runningTarget() > 0) && len(p.Launch.Subnets) == 0:
		return fmt.Errorf("pool %s: no subnets", p.Name)
	case (p.Size > 0 || p.runningTarget() > 0) && len(p.Launch.InstanceTypes) == 0:
		return fmt.Errorf("pool %s: no instance types", p.Name)
	}
	return nil
}

// MaxSize is the largest pool the engine manages.
const MaxSize = 1000
