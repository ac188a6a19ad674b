// Package bottlerocket models Bottlerocket's settings: it merges user data from
// typed inputs and raw TOML fragments, validates the result as Bottlerocket's
// settings model would at boot, and renders one canonical document.
//
// It knows nothing of Terraform, AWS or Kubernetes client types: callers map
// Problems onto their own diagnostics using Field, Index and Key.
package bottlerocket

// Compression says whether the rendered document is gzipped before it is
// handed to EC2. Bottlerocket detects gzip by its magic bytes.
type Compression string

const (
	CompressionAuto   Compression = "auto"
	CompressionAlways Compression = "always"
	CompressionNever  Compression = "never"
)

// MaxUserDataBytes is the most user data EC2 accepts, before base64.
const MaxUserDataBytes = 16384

// Taint is one node taint as a user writes it. Effect accepts the Kubernetes
// form (NoSchedule) and the EKS API form (NO_SCHEDULE).
type Taint struct {
	Key    string
	Value  string
	Effect string
}

// Input is everything a user can say about a node's user data. Each field
// mirrors the Terraform attribute of the same name (see Field).
type Input struct {
	ClusterName        string
	APIServer          string
	ClusterCertificate string
	ServiceCIDR        string
	// ClusterDNSIP is kept in order when non-empty; otherwise derived from ServiceCIDR.
	ClusterDNSIP   []string
	NodeLabels     map[string]string
	NodeTaints     []Taint
	MaxPods        *int64
	KubeReserved   map[string]string
	SystemReserved map[string]string
	EvictionHard   map[string]string
	// CustomUserData are TOML fragments merged, in order, with everything above.
	CustomUserData []string
	// Variant such as "aws-k8s-1.32" or "aws-k8s-1.32-nvidia"; empty means
	// unknown: any aws-k8s variant. Then the NVIDIA families are checked
	// against their schema and kept with a warning that only nvidia
	// variants have them, and the newest Kubernetes version's gates apply.
	// A named non-nvidia variant refuses the NVIDIA families.
	Variant string
	// ImageVariant is the variant the AMI's name carries (see
	// VariantFromImageName), empty when unknown. The user data is checked
	// against it; an empty Variant takes it, and a Variant that contradicts
	// it is an error on FieldVariant.
	ImageVariant string
	// BottlerocketRelease is the release of the AMI ("1.49.2"); settings
	// newer than it are refused. Empty: unknown, the newest model applies.
	BottlerocketRelease string
	// Strict makes the model's doubts (unknown settings, rules of the
	// kubelet or of this provider beyond Bottlerocket's own model) errors;
	// otherwise they are warnings. Bottlerocket's own rules are always
	// errors.
	Strict      bool
	Compression Compression
}

// Field names the Input field (and Terraform attribute) a Problem concerns.
type Field string

const (
	FieldNone                Field = ""
	FieldClusterName         Field = "cluster_name"
	FieldAPIServer           Field = "api_server"
	FieldClusterCertificate  Field = "cluster_certificate"
	FieldServiceCIDR         Field = "service_cidr"
	FieldClusterDNSIP        Field = "cluster_dns_ip"
	FieldNodeLabels          Field = "node_labels"
	FieldNodeTaints          Field = "node_taints"
	FieldMaxPods             Field = "max_pods"
	FieldKubeReserved        Field = "kube_reserved"
	FieldSystemReserved      Field = "system_reserved"
	FieldEvictionHard        Field = "eviction_hard"
	FieldCustomUserData      Field = "custom_user_data"
	FieldVariant             Field = "variant"
	FieldCompression         Field = "compression"
	FieldBottlerocketRelease Field = "bottlerocket_release"
)

// Severity of a Problem.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

// Problem is one validation finding, precise enough to be reported on the
// attribute (and list element or map key) it concerns.
type Problem struct {
	Severity Severity
	Field    Field
	// Index is the list element for list fields (custom_user_data fragment,
	// node_taints, cluster_dns_ip); -1 when it does not apply.
	Index int
	// Key is the map key for map fields (node_labels, kube_reserved, …).
	Key string
	// Setting is the dotted settings path, e.g. "settings.kubernetes.max-pods".
	Setting string
	Summary string
	Detail  string
}

// Document is a rendered, validated user-data document.
type Document struct {
	// TOML is the canonical document, uncompressed.
	TOML string
	// Bytes is exactly what EC2 receives before base64: TOML, or its gzip.
	Bytes      []byte
	Compressed bool
	// SHA256 is the hex digest of Bytes.
	SHA256 string
}
