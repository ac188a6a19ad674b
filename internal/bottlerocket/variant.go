package bottlerocket

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// variantInfo is what the settings model depends on in a variant name.
type variantInfo struct {
	name   string
	nvidia bool
	// minor is the Kubernetes 1.x minor, 0 when the variant is not given
	// (then every version-gated setting is allowed).
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
		nvidia: strings.Contains(m[2], "-nvidia"),
		minor:  minor,
	}, nil
}

// has reports whether the variant's settings model has the field. Every
// aws-k8s-1.NN variant uses one settings plugin, whatever its Kubernetes
// version (bottlerocket sources/settings-plugins/aws-k8s and aws-k8s-nvidia:
// both embed the same KubernetesSettingsV1), so only the nvidia flavour
// changes which keys exist.
func (vi variantInfo) has(f *fieldSchema) bool {
	return !f.nvidiaOnly || vi.nvidia
}

// ignores reports a field the variant accepts but whose Kubernetes version
// predates it: the kubelet configuration Bottlerocket renders for that
// version does not use it (the settings documentation: "only available for
// Kubernetes 1.30 and later variants").
func (vi variantInfo) ignores(f *fieldSchema) bool {
	return f.minMinor > 0 && vi.minor > 0 && vi.minor < f.minMinor
}

func (vi variantInfo) suffix() string {
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
