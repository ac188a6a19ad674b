package bottlerocket

import "testing"

// TestModel_FamiliesFromSource: settings of the non-Kubernetes families as
// bottlerocket-settings-sdk's settings-extensions and modeled-types define
// them (see the comments in model_other.go and hugepages.go).
func TestModel_FamiliesFromSource(t *testing.T) {
	const nv = "aws-k8s-1.33-nvidia"
	const hp = "settings.kernel.hugepages."
	runModelCases(t, []modelCase{
		// container-registry: "creds" is a serde alias of credentials; serde
		// refuses a struct that names the same field twice ("duplicate
		// field `credentials`", checked against serde_derive 1.0.152).
		{"registry creds alias", "[[settings.container-registry.creds]]\nregistry = \"docker.io\"\nusername = \"a\"\npassword = \"b\"\n", "", "", ""},
		{"registry creds and credentials", "[[settings.container-registry.creds]]\nregistry = \"a\"\n[[settings.container-registry.credentials]]\nregistry = \"b\"\n", "", "settings.container-registry.creds", "both set"},
		{"registry empty creds table and credentials", "[settings.container-registry.creds]\n[[settings.container-registry.credentials]]\nregistry = \"b\"\n", "", "settings.container-registry.creds", "both set"},
		// container-runtime max-concurrent-unpacks: i32.
		{"max-concurrent-unpacks", "settings.container-runtime.max-concurrent-unpacks = 4\n", "", "", ""},
		{"max-concurrent-unpacks quoted", "settings.container-runtime.max-concurrent-unpacks = \"4\"\n", "", "settings.container-runtime.max-concurrent-unpacks", "Write 4 without quotes"},
		{"max-concurrent-unpacks over i32", "settings.container-runtime.max-concurrent-unpacks = 2147483648\n", "", "settings.container-runtime.max-concurrent-unpacks", "out of range for an i32 integer"},
		{"max-concurrent-unpack near miss", "settings.container-runtime.max-concurrent-unpack = 4\n", "", "settings.container-runtime.max-concurrent-unpack", `Did you mean "max-concurrent-unpacks"?`},
		// Chunk sizes as deserialize_chunk_size reads them (modeled-types shared.rs).
		{"chunk size leading dot", "settings.container-runtime.concurrent-download-chunk-size = \".5gb\"\n", "", "", ""},
		{"chunk size inner space", "settings.container-runtime.concurrent-download-chunk-size = \"8 mb\"\n", "", "settings.container-runtime.concurrent-download-chunk-size", `Did you mean "8mb"?`},
		{"soci chunk size unlimited", "settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack.concurrent-download-chunk-size = \"unlimited\"\n", "", "", ""},
		{"soci chunk size overflow", "settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack.concurrent-download-chunk-size = \"10eb\"\n", "", "settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack.concurrent-download-chunk-size", "64-bit"},
		// image-verifier-plugins digestion (1.63.x docs).
		{"digestion trustpolicy", "settings.image-verifier-plugins.digestion.trustpolicy = \"eyJ2ZXJzaW9uIjogIjEuMCJ9\"\n", "", "", ""},
		{"digestion trustpolicy not JSON", "settings.image-verifier-plugins.digestion.trustpolicy = \"bm90IGpzb24=\"\n", "", "settings.image-verifier-plugins.digestion.trustpolicy", "not JSON"},
		{"custom verifier", "settings.image-verifier-plugins.my-verifier.trust-policy = \"e30=\"\n", "", "", ""},
		{"notation with enabled", "[settings.image-verifier-plugins]\nenabled = true\nnotation.trustpolicy = \"e30=\"\n", "", "", ""},
		{"custom verifier not an identifier", "settings.image-verifier-plugins.my_verifier.trustpolicy = \"e30=\"\n", "", "settings.image-verifier-plugins.my_verifier", `Did you mean "my-verifier"?`},
		{"plugin unknown key", "settings.image-verifier-plugins.notation.trust = \"e30=\"\n", "", "settings.image-verifier-plugins.notation.trust", "is not a setting Bottlerocket knows"},
		{"plugin near miss", "settings.image-verifier-plugins.notaton.trustpolicy = \"e30=\"\n", "", "settings.image-verifier-plugins.notaton", `Did you mean "notation"?`},
		{"enabled string", "settings.image-verifier-plugins.enabled = \"true\"\n", "", "settings.image-verifier-plugins.enabled", "Write true without quotes"},
		// NVIDIA device plugin.
		{"nvidia enabled", "settings.kubelet-device-plugins.nvidia.enabled = false\n", nv, "", ""},
		{"nvidia enabled string", "settings.kubelet-device-plugins.nvidia.enabled = \"false\"\n", nv, "settings.kubelet-device-plugins.nvidia.enabled", "Write false without quotes"},
		{"mps alone", "[settings.kubelet-device-plugins.nvidia]\ndevice-sharing-strategy = \"mps\"\nmps.replicas = 4\n", nv, "", ""},
		{"mig alone", "[settings.kubelet-device-plugins.nvidia]\ndevice-partitioning-strategy = \"mig\"\nmig.profile = { \"a100.40gb\" = \"1g.5gb\" }\n", nv, "", ""},
		{"mps with mig", "[settings.kubelet-device-plugins.nvidia]\ndevice-sharing-strategy = \"mps\"\ndevice-partitioning-strategy = \"mig\"\n", nv, "settings.kubelet-device-plugins.nvidia.device-sharing-strategy", "cannot be combined"},
		{"time-slicing with mig", "[settings.kubelet-device-plugins.nvidia]\ndevice-sharing-strategy = \"time-slicing\"\ndevice-partitioning-strategy = \"mig\"\n", nv, "", ""},
		// kernel.hugepages (modeled-types hugepages.rs).
		{"hugepages documented", "[settings.kernel.hugepages.static]\nessential = true\n\"2Mi\" = { count = \"512\" }\n\"1Gi\" = { count = \"0:2,1:2\" }\n[settings.kernel.hugepages.transparent]\nenabled = \"always\"\ndefrag = \"defer+madvise\"\n", "", "", ""},
		{"hugepages 64Ki", "settings.kernel.hugepages.static.\"64Ki\".count = \"0\"\n", "", "", ""},
		{"hugepages size SI", "settings.kernel.hugepages.static.\"2M\".count = \"1\"\n", "", hp + "static.2M", `Did you mean "2Mi"?`},
		{"hugepages size lowercase", "settings.kernel.hugepages.static.\"2mi\".count = \"1\"\n", "", hp + "static.2mi", `Did you mean "2Mi"?`},
		{"hugepages size not power of two", "settings.kernel.hugepages.static.\"3Mi\".count = \"1\"\n", "", hp + "static.3Mi", "power of two"},
		{"hugepages size zero", "settings.kernel.hugepages.static.\"0Mi\".count = \"1\"\n", "", hp + "static.0Mi", "is not a huge page size"},
		{"hugepages size overflow", "settings.kernel.hugepages.static.\"16777216Ti\".count = \"1\"\n", "", hp + "static.16777216Ti", "64 bits"},
		{"hugepages count integer", "settings.kernel.hugepages.static.\"2Mi\".count = 512\n", "", hp + "static.2Mi.count", "must be a huge page count string"},
		{"hugepages count trailing comma", "settings.kernel.hugepages.static.\"2Mi\".count = \"0:128,\"\n", "", hp + "static.2Mi.count", "is not a huge page count"},
		{"hugepages count missing", "[settings.kernel.hugepages.static.\"2Mi\"]\n", "", hp + "static.2Mi.count", "is required"},
		{"hugepages essential string", "settings.kernel.hugepages.static.essential = \"yes\"\n", "", hp + "static.essential", "must be a boolean"},
		{"hugepages transparent enum", "settings.kernel.hugepages.transparent.enabled = \"madvice\"\n", "", hp + "transparent.enabled", `Did you mean "madvise"?`},
		{"hugepages defrag enum", "settings.kernel.hugepages.transparent.defrag = \"sometimes\"\n", "", hp + "transparent.defrag", `is not one of "never", "madvise", "defer", "defer+madvise", "always"`},
	})
}

// TestModel_HugepagesUnknownKeysDropped: the hugepages structs
// (modeled-types hugepages.rs) do not deny unknown fields, so Bottlerocket
// boots and drops the key: a warning, strict or not, never silence.
func TestModel_HugepagesUnknownKeysDropped(t *testing.T) {
	const hp = "settings.kernel.hugepages."
	for _, tc := range []struct{ fragment, setting string }{
		{hp + "transparent.khugepaged = \"x\"\n", hp + "transparent.khugepaged"},
		{hp + "static.\"2Mi\".counts = \"1\"\n" + hp + "static.\"2Mi\".count = \"1\"\n", hp + "static.2Mi.counts"},
		{hp + "pools = 1\n", hp + "pools"},
	} {
		for _, strict := range []bool{true, false} {
			doc, problems := Render(Input{Strict: strict, CustomUserData: []string{tc.fragment}})
			if doc == nil {
				t.Fatalf("strict=%v: %q refused: %v", strict, tc.fragment, problems)
			}
			assertProblems(t, problems, warnAt(FieldCustomUserData, 0, tc.setting, "Bottlerocket drops it"))
		}
	}
}

// TestModel_FamiliesRelease: settings newer than the AMI's release are
// refused as Bottlerocket refuses unknown fields.
func TestModel_FamiliesRelease(t *testing.T) {
	cases := []struct {
		name, fragment, variant, release, setting string
	}{
		{"max-concurrent-unpacks", "settings.container-runtime.max-concurrent-unpacks = 4\n", "", "1.57.0", "settings.container-runtime.max-concurrent-unpacks"},
		{"hugepages", "settings.kernel.hugepages.transparent.enabled = \"never\"\n", "", "1.63.1", "settings.kernel.hugepages"},
		{"digestion", "settings.image-verifier-plugins.digestion.trustpolicy = \"e30=\"\n", "", "1.62.0", "settings.image-verifier-plugins.digestion"},
		{"custom verifier", "settings.image-verifier-plugins.mine.trustpolicy = \"e30=\"\n", "", "1.62.0", "settings.image-verifier-plugins.mine"},
		{"nvidia enabled", "settings.kubelet-device-plugins.nvidia.enabled = true\n", "aws-k8s-1.33-nvidia", "1.57.0", "settings.kubelet-device-plugins.nvidia.enabled"},
		{"device-list-strategy list", "settings.kubelet-device-plugins.nvidia.device-list-strategy = [\"envvar\"]\n", "aws-k8s-1.30-nvidia", "1.39.0", "settings.kubelet-device-plugins.nvidia.device-list-strategy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Render(Input{Strict: true, Variant: tc.variant, BottlerocketRelease: tc.release, CustomUserData: []string{tc.fragment}})
			assertProblems(t, problems, errAt(FieldCustomUserData, 0, tc.setting, "Setting newer than the AMI"))
		})
	}
	// One strategy stays valid on a release before the list form.
	_, problems := Render(Input{Strict: true, Variant: "aws-k8s-1.30-nvidia", BottlerocketRelease: "1.39.0",
		CustomUserData: []string{"settings.kubelet-device-plugins.nvidia.device-list-strategy = \"envvar\"\n"}})
	assertProblems(t, problems)
}

// TestModel_FamiliesAbsentFromAwsK8s: ecs is certain to fail on every
// aws-k8s variant (an error whatever strict says); kubelet-dra-drivers is
// not known to be in any released aws-k8s variant (an unknown setting).
func TestModel_FamiliesAbsentFromAwsK8s(t *testing.T) {
	for _, strict := range []bool{true, false} {
		_, problems := Render(Input{Strict: strict, Variant: "aws-k8s-1.33", CustomUserData: []string{"settings.ecs.cluster = \"c\"\n"}})
		assertProblems(t, problems, errAt(FieldCustomUserData, 0, "settings.ecs", "exists only on aws-ecs variants"))
	}
	const dra = "settings.kubelet-dra-drivers.nvidia.enabled = true\n"
	_, problems := Render(Input{Strict: true, Variant: "aws-k8s-1.33-nvidia", CustomUserData: []string{dra}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "settings.kubelet-dra-drivers", "is not a setting Bottlerocket knows"))
	_, problems = Render(Input{Variant: "aws-k8s-1.33-nvidia", CustomUserData: []string{dra}})
	assertProblems(t, problems, warnAt(FieldCustomUserData, 0, "settings.kubelet-dra-drivers", "is not a setting Bottlerocket knows"))
}

// TestModel_CDIOnOldKubernetes: cdi-cri on a variant before Kubernetes 1.31
// is accepted by Bottlerocket, so only a warning, in either mode.
func TestModel_CDIOnOldKubernetes(t *testing.T) {
	const setting = "settings.kubelet-device-plugins.nvidia.device-list-strategy"
	cases := []struct {
		name, variant, value, detail string
	}{
		{"1.28 string", "aws-k8s-1.28-nvidia", `"cdi-cri"`, "not supported before Kubernetes 1.29"},
		{"1.30 list", "aws-k8s-1.30-nvidia", `["volume-mounts", "cdi-cri"]`, "beta in Kubernetes 1.29 and 1.30"},
		{"1.31", "aws-k8s-1.31-nvidia", `"cdi-cri"`, ""},
		{"1.28 without cdi", "aws-k8s-1.28-nvidia", `["volume-mounts"]`, ""},
	}
	for _, tc := range cases {
		for _, strict := range []bool{true, false} {
			doc, problems := Render(Input{Strict: strict, Variant: tc.variant, CustomUserData: []string{setting + " = " + tc.value + "\n"}})
			if doc == nil {
				t.Fatalf("%s (strict %t): refused: %v", tc.name, strict, problems)
			}
			if tc.detail == "" {
				assertProblems(t, problems)
				continue
			}
			assertProblems(t, problems, warnAt(FieldCustomUserData, 0, setting, tc.detail))
		}
	}
}
