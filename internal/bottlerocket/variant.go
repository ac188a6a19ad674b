package bottlerocket

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// variantInfo is what the settings model depends on in a variant name.
type variantInfo struct {
	// name is the variant, or "aws-k8s" when it is not given.
	name string
	// known is false when the variant is not given: then it may be any
	// aws-k8s variant, nvidia or not, of any Kubernetes version.
	known  bool
	nvidia bool
	fips   bool
	// minor is the Kubernetes 1.x minor, 0 when the variant is not given
	// (then every version-gated setting is allowed: the newest model
	// applies).
	minor int
}

// aws-k8s-<major>.<minor> with optional flavour suffixes such as -nvidia and
// -fips, in any order.
var variantRE = regexp.MustCompile(`^aws-k8s-1\.([0-9]{1,3})((?:-(?:nvidia|fips))*)$`)

func parseVariant(name string) (variantInfo, *Problem) {
	if name == "" {
		return variantInfo{name: "aws-k8s"}, nil
	}
	m := variantRE.FindStringSubmatch(name)
	if m == nil {
		p := errorProblem(fieldSource(FieldVariant), nil, "Unsupported Bottlerocket variant",
			fmt.Sprintf("variant %q is not an aws-k8s variant such as \"aws-k8s-1.32\" or \"aws-k8s-1.32-nvidia\"; this provider renders settings for Bottlerocket's Kubernetes variants on EC2.", name))
		return variantInfo{}, &p
	}
	minor, _ := strconv.Atoi(m[1])
	return variantInfo{
		name:   name,
		known:  true,
		nvidia: strings.Contains(m[2], "-nvidia"),
		fips:   strings.Contains(m[2], "-fips"),
		minor:  minor,
	}, nil
}

// against resolves the variant against the one the AMI's name carries
// (empty: unknown, vi stands). The AMI decides what the node runs, so its
// variant is the one checked; a configured variant that differs from it in
// anything (nvidia or not, Kubernetes version, fips or not) is an error on
// variant: the variant only describes the AMI, so a contradiction means one
// of the two is a mistake, and checking user data against the wrong one
// would accept settings the node refuses or warn of the wrong kubelet.
func (vi variantInfo) against(image string) (variantInfo, *Problem) {
	if image == "" {
		return vi, nil
	}
	img, p := parseVariant(image)
	if p != nil {
		// Not an aws-k8s name this provider reads: the AMI tells nothing.
		return vi, nil
	}
	if !vi.known || (vi.nvidia == img.nvidia && vi.fips == img.fips && vi.minor == img.minor) {
		return img, nil
	}
	conflict := errorProblem(fieldSource(FieldVariant), nil, "Variant contradicts the AMI",
		fmt.Sprintf("variant is %q, but the AMI is a Bottlerocket %s image (read from its name), and the user data is checked against what the AMI runs. Set variant to %q, or leave it unset to take the AMI's.", vi.name, img.name, img.name))
	return img, &conflict
}

// has reports whether the variant's settings model has the field. Every
// aws-k8s-1.NN variant uses one settings plugin, whatever its Kubernetes
// version (bottlerocket sources/settings-plugins/aws-k8s and aws-k8s-nvidia:
// both embed the same KubernetesSettingsV1), so only the nvidia flavour
// changes which keys exist: the aws-k8s plugin has no kubelet-device-plugins
// or nvidia-container-runtime, so a non-nvidia variant refuses them. An
// unknown variant may be an nvidia one, so it has them (see mayLack).
func (vi variantInfo) has(f *fieldSchema) bool {
	return !f.nvidiaOnly || vi.nvidia || !vi.known
}

// mayLack reports a field the unknown variant has only if it is an nvidia
// one: the field is checked, and the user told it applies only there.
func (vi variantInfo) mayLack(f *fieldSchema) bool {
	return f.nvidiaOnly && !vi.known
}

// ignores reports a field the variant accepts but whose Kubernetes version
// predates it: the kubelet configuration Bottlerocket renders for that
// version does not use it (the settings documentation: "only available for
// Kubernetes 1.30 and later variants").
func (vi variantInfo) ignores(f *fieldSchema) bool {
	return f.minMinor > 0 && vi.minor > 0 && vi.minor < f.minMinor
}

func (vi variantInfo) suffix() string {
	if !vi.known {
		return " on aws-k8s variants"
	}
	return " on " + vi.name
}

func (f *fieldSchema) availability() string {
	switch {
	case f.nvidiaOnly && f.minMinor > 0:
		return fmt.Sprintf("aws-k8s-1.%d-nvidia and newer", f.minMinor)
	case f.nvidiaOnly:
		return "aws-k8s-*-nvidia"
	default:
		return fmt.Sprintf("aws-k8s-1.%d and newer", f.minMinor)
	}
}
