package warmpool

import (
	"fmt"
	"time"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
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
	Subnets       []Subnet
	// UserData is the base64 user data handed to RunInstances.
	UserData string
	// ConfigHash identifies everything that shapes an instance (node class
	// config, pool labels and taints); instances carrying another are outdated.
	ConfigHash string
}

// Subnet is a subnet the pool may launch into.
type Subnet struct {
	ID               string
	AvailabilityZone string
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
	case p.Size > 0 && p.Launch.LaunchTemplateID == "":
		return fmt.Errorf("pool %s: no launch template", p.Name)
	case p.Size > 0 && len(p.Launch.Subnets) == 0:
		return fmt.Errorf("pool %s: no subnets", p.Name)
	case p.Size > 0 && len(p.Launch.InstanceTypes) == 0:
		return fmt.Errorf("pool %s: no instance types", p.Name)
	}
	return nil
}

// MaxSize is the largest pool the engine manages.
const MaxSize = 1000
