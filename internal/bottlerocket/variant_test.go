package bottlerocket

import (
	"fmt"
	"testing"
)

// Without a variant the node may run any aws-k8s variant: the NVIDIA
// families are checked against their schema and kept with a warning, their
// invalid values still refused; a named non-nvidia variant refuses them
// whatever strict says (its settings plugin has no such families).
func TestVariant_NvidiaFamilies(t *testing.T) {
	const (
		plugin  = "settings.kubelet-device-plugins"
		runtime = "settings.nvidia-container-runtime"
		only    = "applies only on aws-k8s-*-nvidia variants"
	)
	cases := []struct {
		name     string
		variant  string
		fragment string
		want     []want
		rendered bool
		// lenient, when set, are the problems with strict = false, which
		// then keeps the document.
		lenient []want
	}{
		{"unknown variant, valid", "", "[settings.kubelet-device-plugins.nvidia]\npass-device-specs = true\ndevice-sharing-strategy = \"time-slicing\"\ntime-slicing.replicas = 4\n",
			[]want{warnAt(FieldCustomUserData, 0, plugin, only)}, true, nil},
		{"unknown variant, both families", "", "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\nsettings.nvidia-container-runtime.visible-devices-as-volume-mounts = true\n",
			[]want{warnAt(FieldCustomUserData, 0, plugin, only), warnAt(FieldCustomUserData, 0, runtime, only)}, true, nil},
		{"unknown variant, invalid value", "", "settings.kubelet-device-plugins.nvidia.time-slicing.replicas = 1\n",
			[]want{warnAt(FieldCustomUserData, 0, plugin, only), errAt(FieldCustomUserData, 0, plugin+".nvidia.time-slicing.replicas", "it must be from 2")}, false, nil},
		{"unknown variant, unknown key", "", "settings.kubelet-device-plugins.nvidia.pass-device-spec = true\n",
			[]want{warnAt(FieldCustomUserData, 0, plugin, only), errAt(FieldCustomUserData, 0, plugin+".nvidia.pass-device-spec", `Did you mean "pass-device-specs"?`)}, false,
			[]want{warnAt(FieldCustomUserData, 0, plugin, only), warnAt(FieldCustomUserData, 0, plugin+".nvidia.pass-device-spec", `Did you mean "pass-device-specs"?`)}},
		{"nvidia variant", "aws-k8s-1.32-nvidia", "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n", nil, true, nil},
		{"non-nvidia variant", "aws-k8s-1.32", "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n",
			[]want{errAt(FieldCustomUserData, 0, plugin, "exists only on aws-k8s-*-nvidia variants, not on aws-k8s-1.32")}, false, nil},
		{"fips variant", "aws-k8s-1.31-fips", "settings.nvidia-container-runtime.visible-devices-as-volume-mounts = true\n",
			[]want{errAt(FieldCustomUserData, 0, runtime, "not on aws-k8s-1.31-fips")}, false, nil},
	}
	for _, tc := range cases {
		for _, strict := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/strict=%v", tc.name, strict), func(t *testing.T) {
				doc, problems := Render(Input{Strict: strict, Variant: tc.variant, CustomUserData: []string{tc.fragment}})
				wants, rendered := tc.want, tc.rendered
				if !strict && tc.lenient != nil {
					wants, rendered = tc.lenient, true
				}
				assertProblems(t, problems, wants...)
				if (doc != nil) != rendered {
					t.Fatalf("rendered = %v, want %v: %v", doc != nil, rendered, problems)
				}
			})
		}
	}
}

// Without a variant the newest model applies to the Kubernetes-minor gates:
// a setting only newer kubelets use is accepted without a warning, as on a
// variant of that Kubernetes version; a named older variant warns.
func TestVariant_KubernetesGatesWithoutVariant(t *testing.T) {
	const setting = "settings.kubernetes.single-process-oom-kill = true\n"
	for _, variant := range []string{"", "aws-k8s-1.32", "aws-k8s-1.33-nvidia"} {
		doc, problems := Render(Input{Strict: true, Variant: variant, CustomUserData: []string{setting}})
		assertProblems(t, problems)
		if doc == nil {
			t.Fatalf("variant %q: refused", variant)
		}
	}
	_, problems := Render(Input{Strict: true, Variant: "aws-k8s-1.31", CustomUserData: []string{setting}})
	assertProblems(t, problems, warnAt(FieldCustomUserData, 0, "settings.kubernetes.single-process-oom-kill", "accepts it but ignores it"))
}

func TestVariantFromImageName(t *testing.T) {
	for name, want := range map[string]string{
		"bottlerocket-aws-k8s-1.32-x86_64-v1.30.0-0a2d6d6b":             "aws-k8s-1.32",
		"bottlerocket-aws-k8s-1.32-nvidia-x86_64-v1.64.0-abcdef12":      "aws-k8s-1.32-nvidia",
		"bottlerocket-aws-k8s-1.33-nvidia-aarch64-v1.49.2-a1b2c3d4":     "aws-k8s-1.33-nvidia",
		"bottlerocket-aws-k8s-1.31-fips-arm64-v1.49.2-a1b2c3d4":         "aws-k8s-1.31-fips",
		"bottlerocket-aws-k8s-1.33-nvidia-fips-x86_64-v1.64.0-a1b2c3d4": "aws-k8s-1.33-nvidia-fips",
		"bottlerocket-aws-ecs-2-x86_64-v1.30.0-0a2d6d6b":                "",
		"bottlerocket-aws-k8s-1.32-x86_64-v1.30-0a2d6d6b":               "",
		"bottlerocket-aws-k8s-1.32-nvidia-v1.30.0-0a2d6d6b":             "",
		"my-copy-of-bottlerocket-aws-k8s-1.32-nvidia":                   "",
	} {
		got, ok := VariantFromImageName(name)
		if got != want || ok != (want != "") {
			t.Errorf("VariantFromImageName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// The AMI's variant decides what is checked: an unset variant takes it, a
// configured one that contradicts it is an error on variant.
func TestVariant_AgainstImage(t *testing.T) {
	const (
		devicePlugin = "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n"
		oomKill      = "settings.kubernetes.single-process-oom-kill = true\n"
	)
	contradicts := errAt(FieldVariant, -1, "", "Variant contradicts the AMI")
	cases := []struct {
		name, variant, image, fragment string
		want                           []want
	}{
		{"unset, nvidia AMI", "", "aws-k8s-1.32-nvidia", devicePlugin, nil},
		{"unset, non-nvidia AMI", "", "aws-k8s-1.32", devicePlugin,
			[]want{errAt(FieldCustomUserData, 0, "settings.kubelet-device-plugins", "not on aws-k8s-1.32")}},
		{"unset, AMI's Kubernetes gates", "", "aws-k8s-1.31", oomKill,
			[]want{warnAt(FieldCustomUserData, 0, "settings.kubernetes.single-process-oom-kill", "aws-k8s-1.31 accepts it but ignores it")}},
		{"unset, AMI name unread", "", "", devicePlugin,
			[]want{warnAt(FieldCustomUserData, 0, "settings.kubelet-device-plugins", "applies only on aws-k8s-*-nvidia")}},
		{"agrees", "aws-k8s-1.32-nvidia", "aws-k8s-1.32-nvidia", devicePlugin, nil},
		{"agrees, flavours in another order", "aws-k8s-1.32-fips-nvidia", "aws-k8s-1.32-nvidia-fips", devicePlugin, nil},
		{"non-nvidia variant, nvidia AMI", "aws-k8s-1.32", "aws-k8s-1.32-nvidia", devicePlugin, []want{contradicts}},
		{"nvidia variant, non-nvidia AMI", "aws-k8s-1.32-nvidia", "aws-k8s-1.32", devicePlugin,
			[]want{contradicts, errAt(FieldCustomUserData, 0, "settings.kubelet-device-plugins", "not on aws-k8s-1.32")}},
		{"other Kubernetes version", "aws-k8s-1.33", "aws-k8s-1.32", "settings.motd = \"x\"\n", []want{contradicts}},
		{"fips or not", "aws-k8s-1.32-fips", "aws-k8s-1.32", "settings.motd = \"x\"\n", []want{contradicts}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Render(Input{Strict: true, Variant: tc.variant, ImageVariant: tc.image, CustomUserData: []string{tc.fragment}})
			assertProblems(t, problems, tc.want...)
		})
	}
}
