package nodes

import "strings"

// ImageDescriber is implemented by a World that can say which Bottlerocket
// image an AMI is. Without it, nodes run the sandbox cluster's own
// Kubernetes minor on a current Bottlerocket.
type ImageDescriber interface {
	// BottlerocketImage returns the variant ("aws-k8s-1.32-nvidia") and
	// the Bottlerocket version ("1.64.0") of an AMI.
	BottlerocketImage(imageID string) (variant, version string, ok bool)
}

const (
	defaultVariant = "aws-k8s-1.32"
	defaultVersion = "1.64.0"
)

// kubeletVersions are the kubelets the Bottlerocket variants ship.
var kubeletVersions = map[string]string{
	"1.31": "v1.31.9-eks-5d4a308",
	"1.32": "v1.32.5-eks-5d4a308",
	"1.33": "v1.33.1-eks-b9364f6",
}

// osVariant is the Bottlerocket image an instance boots.
type osVariant struct {
	name    string // aws-k8s-1.32[-nvidia]
	version string // 1.64.0
}

func (s *Simulator) variantOf(imageID string) osVariant {
	if d, ok := s.world.(ImageDescriber); ok {
		if name, version, ok := d.BottlerocketImage(imageID); ok {
			return osVariant{name: name, version: version}
		}
	}
	return osVariant{name: defaultVariant, version: defaultVersion}
}

func (v osVariant) nvidia() bool { return strings.HasSuffix(v.name, "-nvidia") }

func (v osVariant) kubernetesMinor() string {
	minor := strings.TrimSuffix(strings.TrimPrefix(v.name, "aws-k8s-"), "-nvidia")
	if _, ok := kubeletVersions[minor]; ok {
		return minor
	}
	return "1.32"
}

func (v osVariant) kubeletVersion() string { return kubeletVersions[v.kubernetesMinor()] }

func (v osVariant) osImage() string {
	return "Bottlerocket OS " + v.version + " (" + v.name + ")"
}

// settingsFor is the set of top-level settings the variant's model has;
// the nvidia variants add their device plugin and runtime settings.
func (v osVariant) settings() []string {
	if v.nvidia() {
		return append(append([]string(nil), awsK8sSettings...), nvidiaSettings...)
	}
	return awsK8sSettings
}
