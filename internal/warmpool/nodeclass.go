package warmpool

// Contract between the node class (a launch template the node-class work
// manages) and the pool engine. The pool finds a node class by name and
// reads what it needs to launch from the launch template and its tags.

// Launch template tags that describe a node class beyond what launch template
// data can hold (several subnets, ordered instance types). They are set on
// the launch template (describing its latest version) and in each version's
// instance tag specification (describing exactly that version).
const (
	KeyNodeClassName  = "stratos.sh/node-class"
	KeyInstanceTypes  = "stratos.sh/instance-types" // comma-separated, in order of preference
	KeySubnetIDs      = "stratos.sh/subnet-ids"     // comma-separated, resolved at plan time
	KeyVariant        = "stratos.sh/variant"
	KeyCompression    = "stratos.sh/compression"
	KeyNodeClassHash  = "stratos.sh/node-class-hash"
	LaunchTemplatePre = "stratos-"
)

// LaunchTemplateName is the launch template a node class named name manages.
func LaunchTemplateName(nodeClass string) string { return LaunchTemplatePre + nodeClass }

// NodeClassInfo is what the pool needs to know of one node class version.
type NodeClassInfo struct {
	Name             string
	LaunchTemplateID string
	// Version is the launch template version described here.
	Version int64
	// LatestVersion is the launch template's latest version.
	LatestVersion int64
	ClusterName   string
	InstanceTypes []string
	Subnets       []Subnet
	// TOML is the node class's rendered user data (decoded from the version's UserData).
	TOML        string
	Variant     string
	Compression string
	// ConfigHash is Spec.ConfigHash(): computed from what the version holds,
	// so a version changed outside Terraform shows as a different hash.
	ConfigHash string

	// Spec is the node class as this version describes it.
	Spec NodeClass
	// Tags are the node class's current tags (the launch template's, without
	// the contract tags). A tags-only change updates them without a new
	// version, so instances should be tagged with these rather than with
	// Spec.Tags, which are the tags when the version was made.
	Tags map[string]string
}
