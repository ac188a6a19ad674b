package bottlerocket

import (
	"strings"
	"testing"
)

// newerThanModel is a release after ModelRelease, whose enums may have
// members the model lacks.
var newerThanModel = func() string {
	r := mustRelease(ModelRelease)
	return Release{Major: r.Major, Minor: r.Minor + 1}.String()
}()

// TestStrictMatrix is the table of the docs ("Which findings strict
// decides"): each kind of finding, its severity with strict = true and with
// strict = false, and whether the document is rendered (keeping the value)
// when strict is false.
func TestStrictMatrix(t *testing.T) {
	const (
		certain  = iota // an error whatever strict says
		doubt           // an error when strict, a warning (value kept) when not
		harmless        // a warning whatever strict says: Bottlerocket boots, the key has no effect
	)
	cases := []struct {
		name     string
		in       Input
		class    int
		field    Field
		key      string
		setting  string
		detail   string
		keptText string // in the lenient document
	}{
		// Doubts of the model.
		{"unknown field", Input{CustomUserData: []string{"settings.kubernetes.brand-new = 1\n"}}, doubt,
			FieldCustomUserData, "", "settings.kubernetes.brand-new", "is not a setting Bottlerocket knows", "brand-new = 1"},
		{"unknown key of an enum map, AMI newer than the model", Input{BottlerocketRelease: newerThanModel, CustomUserData: []string{"settings.kubernetes.kube-reserved.pids = \"100\"\n"}}, doubt,
			FieldCustomUserData, "", "settings.kubernetes.kube-reserved.pids", `the only keys are cpu, ephemeral-storage, memory, pid. Did you mean "pid"?`, `pids = "100"`},
		{"unknown key of a typed map, AMI newer than the model", Input{BottlerocketRelease: newerThanModel, KubeReserved: map[string]string{"gpu": "1"}}, doubt,
			FieldKubeReserved, "gpu", "settings.kubernetes.kube-reserved.gpu", `"gpu" is not allowed in settings.kubernetes.kube-reserved`, `gpu = "1"`},
		{"enum value the model lacks, AMI newer than the model", Input{BottlerocketRelease: newerThanModel, CustomUserData: []string{"settings.container-runtime.snapshotter = \"erofs\"\n"}}, doubt,
			FieldCustomUserData, "", "settings.container-runtime.snapshotter", `"erofs" is not one of "overlayfs", "soci"`, `snapshotter = "erofs"`},
		{"unknown key of an enum map, no AMI release known", Input{CustomUserData: []string{"settings.kubernetes.kube-reserved.pids = \"100\"\n"}}, doubt,
			FieldCustomUserData, "", "settings.kubernetes.kube-reserved.pids", `Did you mean "pid"?`, `pids = "100"`},
		{"enum value the model lacks, no AMI release known", Input{CustomUserData: []string{"settings.container-runtime.snapshotter = \"erofs\"\n"}}, doubt,
			FieldCustomUserData, "", "settings.container-runtime.snapshotter", `"erofs" is not one of "overlayfs", "soci"`, `snapshotter = "erofs"`},
		{"kubelet label namespace", Input{CustomUserData: []string{"settings.kubernetes.node-labels.\"kubernetes.io/role\" = \"web\"\n"}}, doubt,
			FieldCustomUserData, "", `settings.kubernetes.node-labels."kubernetes.io/role"`, "which the kubelet refuses in --node-labels", `"kubernetes.io/role" = "web"`},
		{"kubelet label namespace, typed", Input{NodeLabels: map[string]string{"kubernetes.io/role": "web"}}, doubt,
			FieldNodeLabels, "kubernetes.io/role", `settings.kubernetes.node-labels."kubernetes.io/role"`, "Doubtful key in settings.kubernetes.node-labels", `"kubernetes.io/role" = "web"`},
		{"cluster DNS family against service_cidr", Input{ServiceCIDR: "fd00::/108", ClusterDNSIP: []string{"10.100.0.10"}}, doubt,
			FieldClusterDNSIP, "", "settings.kubernetes.cluster-dns-ip", "Bottlerocket takes the node's IP family from the first cluster DNS address", `cluster-dns-ip = ["10.100.0.10"]`},

		// Accepted by Bottlerocket, without effect.
		{"key a credential provider ignores", Input{CustomUserData: []string{"[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"*.dkr.ecr.us-east-2.amazonaws.com\"]\ncache-duraton = \"30m\"\n"}}, harmless,
			FieldCustomUserData, "", "settings.kubernetes.credential-providers.ecr-credential-provider.cache-duraton", `Did you mean "cache-duration"?`, "cache-duraton"},
		{"setting of some variants, variant not given", Input{CustomUserData: []string{"settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n"}}, harmless,
			FieldCustomUserData, "", "settings.kubelet-device-plugins", "applies only on aws-k8s-*-nvidia variants", "pass-device-specs = true"},
		{"setting the variant's kubelet ignores", Input{Variant: "aws-k8s-1.31", CustomUserData: []string{"settings.kubernetes.single-process-oom-kill = true\n"}}, harmless,
			FieldCustomUserData, "", "settings.kubernetes.single-process-oom-kill", "accepts it but ignores it", "single-process-oom-kill = true"},

		// Certain to fail at boot.
		// Enum members the model lists are complete up to its release: on an
		// AMI the model covers, a miss is certain.
		{"unknown key of an enum map", Input{BottlerocketRelease: ModelRelease, CustomUserData: []string{"settings.kubernetes.kube-reserved.pids = \"100\"\n"}}, certain,
			FieldCustomUserData, "", "settings.kubernetes.kube-reserved.pids", `the only keys are cpu, ephemeral-storage, memory, pid. Did you mean "pid"?`, ""},
		{"unknown capability", Input{BottlerocketRelease: ModelRelease, CustomUserData: []string{"settings.oci-defaults.capabilities.new-cap = true\n"}}, certain,
			FieldCustomUserData, "", "settings.oci-defaults.capabilities.new-cap", "is not allowed in settings.oci-defaults.capabilities", ""},
		{"unknown key of a typed map", Input{BottlerocketRelease: "1.50.0", KubeReserved: map[string]string{"gpu": "1"}}, certain,
			FieldKubeReserved, "gpu", "settings.kubernetes.kube-reserved.gpu", `"gpu" is not allowed in settings.kubernetes.kube-reserved`, ""},
		{"enum value the model lacks", Input{BottlerocketRelease: ModelRelease, CustomUserData: []string{"settings.container-runtime.snapshotter = \"erofs\"\n"}}, certain,
			FieldCustomUserData, "", "settings.container-runtime.snapshotter", `"erofs" is not one of "overlayfs", "soci"`, ""},
		{"enum near miss", Input{BottlerocketRelease: ModelRelease, Variant: "aws-k8s-1.33-nvidia", CustomUserData: []string{"settings.kubelet-device-plugins.nvidia.device-sharing-strategy = \"timeslicing\"\n"}}, certain,
			FieldCustomUserData, "", "settings.kubelet-device-plugins.nvidia.device-sharing-strategy", `Did you mean "time-slicing"?`, ""},
		{"enum value in a list", Input{BottlerocketRelease: ModelRelease, Variant: "aws-k8s-1.33-nvidia", CustomUserData: []string{"settings.kubelet-device-plugins.nvidia.device-list-strategy = [\"envvar\", \"cdi\"]\n"}}, certain,
			FieldCustomUserData, "", "settings.kubelet-device-plugins.nvidia.device-list-strategy", `"cdi" is not one of`, ""},
		{"wrong JSON type", Input{CustomUserData: []string{"settings.kubernetes.max-pods = \"10\"\n"}}, certain,
			FieldCustomUserData, "", "settings.kubernetes.max-pods", "must be a u32 integer", ""},
		{"integer out of its Rust type", Input{CustomUserData: []string{"settings.kubernetes.log-level = 256\n"}}, certain,
			FieldCustomUserData, "", "settings.kubernetes.log-level", "out of range for a u8 integer", ""},
		{"modeled type", Input{CustomUserData: []string{"settings.network.hostname = \"A\"\n"}}, certain,
			FieldCustomUserData, "", "settings.network.hostname", "not a Linux hostname", ""},
		{"modeled key type", Input{CustomUserData: []string{"[settings.host-containers.my_admin]\nenabled = true\n"}}, certain,
			FieldCustomUserData, "", "settings.host-containers.my_admin", "Invalid key in settings.host-containers", ""},
		{"label key syntax", Input{NodeLabels: map[string]string{"bad key!": "x"}}, certain,
			FieldNodeLabels, "bad key!", `settings.kubernetes.node-labels."bad key!"`, `label key "bad key!" is invalid`, ""},
		{"required field", Input{CustomUserData: []string{"settings.kubernetes.credential-providers.ecr-credential-provider.enabled = true\n"}}, certain,
			FieldCustomUserData, "", "settings.kubernetes.credential-providers.ecr-credential-provider.image-patterns", "is required", ""},
		{"field and its alias", Input{CustomUserData: []string{"settings.boot.kernel.console = [\"tty0\"]\nsettings.boot.kernel-parameters.quiet = []\n"}}, certain,
			FieldCustomUserData, "", "settings.boot.kernel", "and its alias kernel are both set", ""},
		{"setting newer than the AMI", Input{BottlerocketRelease: "1.48.0", CustomUserData: []string{"settings.kubernetes.kube-reserved.pid = \"100\"\n"}}, certain,
			FieldCustomUserData, "", "settings.kubernetes.kube-reserved.pid", "was added in Bottlerocket 1.49.0, but the AMI runs Bottlerocket 1.48.0", ""},
		{"setting of another variant", Input{Variant: "aws-k8s-1.33", CustomUserData: []string{"settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n"}}, certain,
			FieldCustomUserData, "", "settings.kubelet-device-plugins", "exists only on aws-k8s-*-nvidia variants, not on aws-k8s-1.33", ""},
		{"family no aws-k8s variant has", Input{CustomUserData: []string{"settings.ecs.cluster = \"c\"\n"}}, certain,
			FieldCustomUserData, "", "settings.ecs", "exists only on aws-ecs variants", ""},
		{"date-time value", Input{CustomUserData: []string{"settings.motd = 2024-01-01\n"}}, certain,
			FieldCustomUserData, "", "settings.motd", "must be a string, not a date-time", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := want{sev: SeverityError, field: tc.field, index: -1, key: tc.key, setting: tc.setting, detail: tc.detail}
			if tc.field == FieldCustomUserData || tc.field == FieldClusterDNSIP {
				w.index = 0 // the one fragment, the first DNS address
			}
			strict := tc.in
			strict.Strict = true
			if tc.class == harmless {
				w.sev = SeverityWarning
				for _, in := range []Input{strict, tc.in} {
					doc, problems := Render(in)
					assertProblems(t, problems, w)
					if doc == nil || !strings.Contains(doc.TOML, tc.keptText) {
						t.Errorf("strict = %v: want %q kept, got %v", in.Strict, tc.keptText, doc)
					}
				}
				return
			}
			doc, problems := Render(strict)
			if doc != nil {
				t.Errorf("rendered with strict = true:\n%s", doc.TOML)
			}
			assertProblems(t, problems, w)

			lenient := tc.in
			lenient.Strict = false
			doc, problems = Render(lenient)
			if tc.class == certain {
				if doc != nil {
					t.Errorf("rendered with strict = false:\n%s", doc.TOML)
				}
				assertProblems(t, problems, w)
				return
			}
			w.sev = SeverityWarning
			assertProblems(t, problems, w)
			if doc == nil {
				t.Fatal("a doubt refused the document with strict = false")
			}
			if !strings.Contains(doc.TOML, tc.keptText) {
				t.Errorf("the doubtful value was not kept: want %q in\n%s", tc.keptText, doc.TOML)
			}
		})
	}
}

// A typed taint's near-miss effect gets the same suggestion as one in
// custom_user_data, on the list element.
func TestTypedTaintEffectSuggestion(t *testing.T) {
	_, problems := Render(Input{Strict: true, NodeTaints: []Taint{{Key: "a", Effect: "NoSchedule"}, {Key: "b", Effect: "NoScheduel"}}})
	assertProblems(t, problems, errAt(FieldNodeTaints, 1, "", `Did you mean "NoSchedule"?`))
}
