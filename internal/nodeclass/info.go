package nodeclass

// Contract between the node class (a launch template the node-class work
// manages) and the pool engine. The pool finds a node class by name and
// reads what it needs to launch from the launch template and its tags.

// LaunchTemplatePrefix starts the name of every launch template a node class manages.
const LaunchTemplatePrefix = "stratos-"

// LaunchTemplateName is the launch template a node class named name manages.
func LaunchTemplateName(nodeClass string) string { return LaunchTemplatePrefix + nodeClass }

// Info is what the pool needs to know of one node class version.
type Info struct {
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
	Spec Spec
	// Tags are the node class's current tags (the launch template's, without
	// the contract tags). A tags-only change updates them without a new
	// version, so instances should be tagged with these rather than with
	// Spec.Tags, which are the tags when the version was made.
	Tags map[string]string
}
