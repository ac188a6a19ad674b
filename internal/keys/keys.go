// Package keys defines, once, every tag, label and taint key the provider
// writes: on launch templates, instances, volumes and nodes. All of them sit
// under the reserved stratos.sh/ prefix, which users may not set themselves.
package keys

import "strings"

// Prefix is reserved for the provider: user tags, pool labels and taints
// under it are refused at plan time.
const Prefix = "stratos.sh/"

// Tags on instances (and the same keys as labels on their nodes). Every
// instance is tagged at launch (TagSpecifications, atomic with the launch),
// so nothing the pool creates is ever unfindable.
const (
	PoolID           = Prefix + "pool-id"
	Pool             = Prefix + "pool"
	Cluster          = Prefix + "cluster"
	State            = Prefix + "state"
	ConfigHash       = Prefix + "config-hash"
	ManagedBy        = Prefix + "managed-by"
	LaunchRound      = Prefix + "launch-round"
	NodeClassVersion = Prefix + "node-class-version"
	NodeClass        = Prefix + "node-class"
	Failure          = Prefix + "failure"
)

// ManagedByValue is the ManagedBy tag of everything the provider creates.
const ManagedByValue = "terraform-provider-stratos"

// Tags on a node class's launch template that describe it beyond what
// launch template data can hold (several subnets, ordered instance types).
// They are set on the launch template (describing its latest version) and in
// each version's instance tag specification (describing exactly that
// version). The template also carries NodeClass and Cluster.
const (
	InstanceTypes = Prefix + "instance-types" // comma-separated, in order of preference
	SubnetIDs     = Prefix + "subnet-ids"     // comma-separated, resolved at plan time
	Variant       = Prefix + "variant"
	Compression   = Prefix + "compression"
	NodeClassHash = Prefix + "node-class-hash"
)

// Taints the pool puts on its nodes.
const (
	// TaintWarmup keeps workloads off a node until it has been verified.
	TaintWarmup = Prefix + "warmup"
	// TaintStandby keeps workloads off a stopped standby node.
	TaintStandby = Prefix + "standby"
)

// IsReserved says whether key is under the provider's reserved prefix.
func IsReserved(key string) bool { return strings.HasPrefix(key, Prefix) }

// InstanceTags are every tag the provider puts on an instance over its
// life: the node class's version tags (from the launch template), the
// pool's tags at launch, Name, and Failure, written later if the warmup
// fails. EC2 counts a launched instance's tags on the merged set of the
// template's and the request's tags (EC2 User Guide, "Launch an instance
// from a launch template"), at most 50, so these leave the rest for the
// user's tags and the provider's default_tags.
var InstanceTags = []string{
	"Name", PoolID, Pool, Cluster, State, ConfigHash, ManagedBy, LaunchRound, NodeClassVersion, NodeClass, Failure,
	InstanceTypes, SubnetIDs, Variant, Compression, NodeClassHash,
}
