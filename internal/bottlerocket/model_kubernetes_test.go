package bottlerocket

import (
	"fmt"
	"testing"
)

// kubernetesCase renders one fragment with strict on and off. wantStrict
// and wantLenient are the problems expected in each mode (none: the
// fragment renders cleanly; wantLenient nil: as when strict); a case
// renders a document exactly when it expects no error.
type kubernetesCase struct {
	name, fragment, variant string
	wantStrict, wantLenient []want
}

func runKubernetesCases(t *testing.T, cases []kubernetesCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				wants := tc.wantStrict
				if !strict && tc.wantLenient != nil {
					wants = tc.wantLenient
				}
				doc, problems := Render(Input{Strict: strict, Variant: tc.variant, CustomUserData: []string{tc.fragment}})
				t.Logf("strict = %t", strict)
				assertProblems(t, problems, wants...)
				failing := false
				for _, w := range wants {
					failing = failing || w.sev == SeverityError
				}
				if (doc == nil) != failing {
					t.Errorf("strict = %t: document rendered = %t, want %t", strict, doc != nil, !failing)
				}
			}
		})
	}
}

func fragmentErr(setting, detail string) want { return errAt(FieldCustomUserData, 0, setting, detail) }

func fragmentWarn(setting, detail string) want {
	return warnAt(FieldCustomUserData, 0, setting, detail)
}

// kcase builds a case from a settings.kubernetes line that gets the same
// problems whatever strict says.
func kcase(name, line, variant string, wants ...want) kubernetesCase {
	return kubernetesCase{name, "[settings.kubernetes]\n" + line + "\n", variant, wants, nil}
}

// kdoubt is a case of a doubt of the model: an error when strict, a
// warning otherwise. With no AMI release known, a value outside one of
// Bottlerocket's enums is one (a newer release may have the member).
func kdoubt(name, line, setting, detail string) kubernetesCase {
	return kubernetesCase{name, "[settings.kubernetes]\n" + line + "\n", "", []want{fragmentErr(setting, detail)}, []want{fragmentWarn(setting, detail)}}
}

// Every aws-k8s-1.NN variant uses one settings plugin (bottlerocket
// sources/settings-plugins/aws-k8s, and aws-k8s-nvidia, both with
// KubernetesSettingsV1), so a setting the documentation calls "only
// available for Kubernetes 1.30 and later" is accepted on 1.29 too; only
// the kubelet of 1.29 does not use it. It renders, with a warning in both
// modes; a bad value is still refused.
func TestModel_KubernetesVersionGates(t *testing.T) {
	const p = "settings.kubernetes."
	var cases []kubernetesCase
	for _, g := range []struct {
		setting, value, bad, badDetail string
		minor                          int
	}{
		{"container-log-max-workers", "3", `"3"`, "Write 3 without quotes", 30},
		{"container-log-monitor-interval", `"20s"`, `"20"`, "a bare number is not accepted", 30},
		{"single-process-oom-kill", "true", `"yes"`, "must be a boolean", 32},
		{"ids-per-pod", "65536", "1000", "must be a multiple of 65536", 33},
		{"memory-swap-behavior", `"LimitedSwap"`, "1", "must be a string", 30},
	} {
		line := g.setting + " = " + g.value
		for minor := 28; minor <= 35; minor++ {
			for _, flavour := range []string{"", "-nvidia", "-fips"} {
				variant := fmt.Sprintf("aws-k8s-1.%d%s", minor, flavour)
				name := g.setting + " on " + variant
				if minor >= g.minor {
					cases = append(cases, kcase(name, line, variant))
					continue
				}
				ignored := fragmentWarn(p+g.setting, fmt.Sprintf("is used only by the kubelet of aws-k8s-1.%d and newer variants; %s accepts it but ignores it", g.minor, variant))
				cases = append(cases, kcase(name, line, variant, ignored))
			}
		}
		old := fmt.Sprintf("aws-k8s-1.%d", g.minor-1)
		bad := []want{fragmentWarn(p+g.setting, "ignores it"), fragmentErr(p+g.setting, g.badDetail)}
		cases = append(cases,
			kcase(g.setting+" without a variant", line, ""),
			kcase(g.setting+" bad value on "+old, g.setting+" = "+g.bad, old, bad...))
	}
	runKubernetesCases(t, cases)
}

// settings.kubernetes values checked against settings-sdk
// settings-extensions/kubernetes KubernetesSettingsV1 and
// modeled-types/src/kubernetes.rs.
func TestModel_KubernetesSource(t *testing.T) {
	const p = "settings.kubernetes."
	runKubernetesCases(t, []kubernetesCase{
		// ids-per-pod: KubernetesIdsPerPodValue, a multiple of 65536 below 2^32.
		kcase("ids-per-pod multiple", "ids-per-pod = 131072", ""),
		kcase("ids-per-pod largest", "ids-per-pod = 4294901760", ""),
		kcase("ids-per-pod not a multiple", "ids-per-pod = 65535", "", fragmentErr(p+"ids-per-pod", "must be a multiple of 65536 below 4294967296. Did you mean 65536?")),
		kcase("ids-per-pod 2^32", "ids-per-pod = 4294967296", "", fragmentErr(p+"ids-per-pod", "must be a multiple of 65536 below")),
		kcase("ids-per-pod string", `ids-per-pod = "65536"`, "", fragmentErr(p+"ids-per-pod", "must be an integer, not a string")),
		kdoubt("ids-per-pod zero", "ids-per-pod = 0", p+"ids-per-pod", "the kubelet wants a positive multiple"),
		// memory-swap-behavior: KubernetesMemorySwapBehavior, not free text.
		kcase("memory-swap-behavior NoSwap", `memory-swap-behavior = "NoSwap"`, ""),
		kcase("memory-swap-behavior LimitedSwap", `memory-swap-behavior = "LimitedSwap"`, ""),
		kcase("memory-swap-behavior no-swap", `memory-swap-behavior = "no-swap"`, ""),
		kcase("memory-swap-behavior limited-swap", `memory-swap-behavior = "limited-swap"`, ""),
		kdoubt("memory-swap-behavior near miss", `memory-swap-behavior = "LimitedSwp"`, p+"memory-swap-behavior", `Did you mean "LimitedSwap"?`),
		kdoubt("memory-swap-behavior kebab near miss", `memory-swap-behavior = "limited-swp"`, p+"memory-swap-behavior", `Did you mean "limited-swap"?`),
		kdoubt("memory-swap-behavior kubelet's removed value", `memory-swap-behavior = "UnlimitedSwap"`, p+"memory-swap-behavior", `is not one of "NoSwap", "LimitedSwap"`),
		// topology-manager-policy-options: KubernetesTopologyManagerPolicyOptions.
		kcase("topology options", "topology-manager-policy-options = { prefer-closest-numa-nodes = true, max-allowable-numa-nodes = 16 }", ""),
		kcase("topology options default", "topology-manager-policy-options = { max-allowable-numa-nodes = 8 }", ""),
		kcase("topology options below 8", "topology-manager-policy-options = { max-allowable-numa-nodes = 7 }", "", fragmentErr(p+"topology-manager-policy-options.max-allowable-numa-nodes", "7 is out of range for a number of NUMA nodes: it must be from 8 to 4294967295.")),
		kcase("topology options string", `topology-manager-policy-options = { prefer-closest-numa-nodes = "true" }`, "", fragmentErr(p+"topology-manager-policy-options.prefer-closest-numa-nodes", "Write true without quotes")),
		kdoubt("topology options unknown", "topology-manager-policy-options = { prefer-closest-numa-node = true }", p+"topology-manager-policy-options.prefer-closest-numa-node", `Did you mean "prefer-closest-numa-nodes"?`),
		// The 1.60.x documentation's example quotes the number.
		kcase("topology options documented quoted number", `topology-manager-policy-options = { prefer-closest-numa-nodes = true, max-allowable-numa-nodes = "8" }`, ""),
		kcase("topology options quoted below 8", `topology-manager-policy-options = { max-allowable-numa-nodes = "4" }`, "", fragmentErr(p+"topology-manager-policy-options.max-allowable-numa-nodes", "4 is out of range for a number of NUMA nodes: it must be from 8 to 4294967295.")),
		kcase("topology options quoted word", `topology-manager-policy-options = { max-allowable-numa-nodes = "eight" }`, "", fragmentErr(p+"topology-manager-policy-options.max-allowable-numa-nodes", "must be a number of NUMA nodes of at least 8")),
		kcase("topology options kubelet form", `topology-manager-policy-options = ["prefer-closest-numa-nodes=true"]`, "", fragmentErr(p+"topology-manager-policy-options", "must be a table, not an array")),
		// cpu-manager-policy-options: KubernetesCPUManagerPolicyOption.
		kcase("cpu options documented", `cpu-manager-policy-options = ["full-pcpus-only"]`, ""),
		kcase("cpu options newer", `cpu-manager-policy-options = ["strict-cpu-reservation", "distribute-cpus-across-numa", "prefer-align-cpus-by-uncorecache"]`, ""),
		kdoubt("cpu options near miss", `cpu-manager-policy-options = ["full-pcpu-only"]`, p+"cpu-manager-policy-options", `Did you mean "full-pcpus-only"?`),
		// cloud-provider: KubernetesCloudProvider also takes the two characters "".
		kcase("cloud-provider quoted empty", `cloud-provider = '""'`, ""),
		kcase("cloud-provider external", `cloud-provider = "external"`, ""),
		// node-ip: KubernetesNodeIp, one address or a dual-stack pair.
		kcase("node-ip one address", `node-ip = "10.0.0.1"`, ""),
		kcase("node-ip dual-stack pair", `node-ip = ["10.0.0.1", "fd00::1"]`, ""),
		kcase("node-ip bad element", `node-ip = ["10.0.0.1", "fd00::zz"]`, "", fragmentErr(p+"node-ip", `"fd00::zz" is not an IPv4 or IPv6 address`)),
		kcase("node-ip empty array", `node-ip = []`, "", fragmentErr(p+"node-ip", "is an empty array")),
		kcase("node-ip number", `node-ip = 10`, "", fragmentErr(p+"node-ip", "must be an IP address string or an array of them, not an integer 10")),
		kdoubt("node-ip three addresses", `node-ip = ["10.0.0.1", "10.0.0.2", "fd00::1"]`, p+"node-ip", "the kubelet takes one, or one IPv4 and one IPv6 address"),
		kdoubt("cloud-provider near miss", `cloud-provider = "extrenal"`, p+"cloud-provider", `Did you mean "external"?`),
		// cluster-dns-ip: KubernetesClusterDnsIp accepts an empty list.
		kcase("cluster-dns-ip empty", "cluster-dns-ip = []", "", fragmentWarn(p+"cluster-dns-ip", "the kubelet gets no cluster DNS address")),
		// credential-providers: CredentialProvider has no deny_unknown_fields.
		{"credential provider unknown key", "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"*.dkr.ecr.us-east-2.amazonaws.com\"]\ncache-duraton = \"30m\"\n", "",
			[]want{fragmentWarn(p+"credential-providers.ecr-credential-provider.cache-duraton", `drops it without a word, so it has no effect. Did you mean "cache-duration"?`)},
			[]want{fragmentWarn(p+"credential-providers.ecr-credential-provider.cache-duraton", `Did you mean "cache-duration"?`)}},
		{"credential provider environment", "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"x\"]\nenvironment = { AWS_PROFILE = \"a\\nb\" }\n", "",
			[]want{fragmentErr(p+"credential-providers.ecr-credential-provider.environment.AWS_PROFILE", "line")}, nil},
		{"credential provider cache-duration", "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"x\"]\ncache-duration = \"12\"\n", "",
			[]want{fragmentErr(p+"credential-providers.ecr-credential-provider.cache-duration", "a bare number is not accepted")}, nil},
		{"credential provider without enabled", "[settings.kubernetes.credential-providers.ecr-credential-provider]\nimage-patterns = [\"x\"]\n", "",
			[]want{fragmentErr(p+"credential-providers.ecr-credential-provider.enabled", "is required")}, nil},
		{"credential provider name", "[settings.kubernetes.credential-providers.ecr_credential_provider]\nenabled = true\nimage-patterns = [\"x\"]\n", "",
			[]want{fragmentErr(p+"credential-providers.ecr_credential_provider", `Did you mean "ecr-credential-provider"?`)}, nil},
		// memory-reservation-policy and memory-throttling-factor (settings-sdk 0.27.0).
		kcase("memory-reservation-policy", `memory-reservation-policy = "TieredReservation"`, ""),
		kcase("memory-reservation-policy alias", `memory-reservation-policy = "tiered-reservation"`, ""),
		kdoubt("memory-reservation-policy near miss", `memory-reservation-policy = "TieredReservaton"`, p+"memory-reservation-policy", `Did you mean "TieredReservation"?`),
		kcase("memory-throttling-factor", "memory-throttling-factor = 0.8", ""),
		kcase("memory-throttling-factor one", "memory-throttling-factor = 1", ""),
		kcase("memory-throttling-factor zero", "memory-throttling-factor = 0.0", "", fragmentErr(p+"memory-throttling-factor", "must be above 0 and at most 1")),
		kcase("memory-throttling-factor above 1", "memory-throttling-factor = 1.1", "", fragmentErr(p+"memory-throttling-factor", "must be above 0 and at most 1")),
		kcase("memory-throttling-factor nan", "memory-throttling-factor = nan", "", fragmentErr(p+"memory-throttling-factor", "must be above 0 and at most 1")),
		kcase("memory-throttling-factor string", `memory-throttling-factor = "0.8"`, "", fragmentErr(p+"memory-throttling-factor", "Write 0.8 without quotes")),
		// container-runtime-endpoint is a Url (settings-sdk 0.25.0).
		kcase("container-runtime-endpoint", `container-runtime-endpoint = "unix:///run/containerd/containerd.sock"`, ""),
		kcase("container-runtime-endpoint not a URL", `container-runtime-endpoint = "not a url"`, "", fragmentErr(p+"container-runtime-endpoint", "is not a URL")),
		// kubelet-extra-config is in no released settings model.
		kdoubt("kubelet-extra-config", `kubelet-extra-config = "ZmVhdHVyZUdhdGVzOiB7fQo="`, p+"kubelet-extra-config", "is not a setting Bottlerocket knows"),
	})
}

// cluster-name, api-server and cluster-certificate are each optional in
// Bottlerocket's model. A fragment that sets some (for Karpenter or a
// managed node group, which add the rest) gets no finding; the typed
// attributes carrying part of the identity get a warning per missing key.
func TestRender_ClusterIdentityFragments(t *testing.T) {
	const p = "settings.kubernetes."
	for _, tc := range []struct {
		name string
		in   Input
		want []want
	}{
		{"fragment with cluster-name only", Input{CustomUserData: []string{"settings.kubernetes.cluster-name = \"demo\"\n"}}, nil},
		{"fragment with api-server and certificate", Input{CustomUserData: []string{"[settings.kubernetes]\napi-server = \"" + testAPIServer + "\"\ncluster-certificate = \"" + testCA + "\"\n"}}, nil},
		{"typed cluster_name, fragment api-server", Input{ClusterName: "demo", CustomUserData: []string{"settings.kubernetes.api-server = \"" + testAPIServer + "\"\n"}},
			[]want{warnAt(FieldClusterCertificate, -1, p+"cluster-certificate", "api-server and cluster-name is set but settings.kubernetes.cluster-certificate is not")}},
		{"typed identity complete", identity(Input{}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				tc.in.Strict = strict
				doc, problems := Render(tc.in)
				assertProblems(t, problems, tc.want...)
				if doc == nil {
					t.Errorf("strict = %t: a partial identity was refused", strict)
				}
			}
		})
	}
}

// The two topology manager policy options are used from Kubernetes 1.32 and
// 1.35 on (bottlerocket-project-website data/settings/1.60.x/kubernetes.toml);
// older variants accept and ignore them.
func TestModel_TopologyManagerPolicyOptionsGates(t *testing.T) {
	const p = "settings.kubernetes.topology-manager-policy-options."
	line := "topology-manager-policy-options = { prefer-closest-numa-nodes = true, max-allowable-numa-nodes = 16 }"
	ignored := func(key, variant string, minor int) want {
		return fragmentWarn(p+key, fmt.Sprintf("is used only by the kubelet of aws-k8s-1.%d and newer variants; %s accepts it but ignores it", minor, variant))
	}
	runKubernetesCases(t, []kubernetesCase{
		kcase("on 1.35", line, "aws-k8s-1.35"),
		kcase("on 1.35 nvidia", line, "aws-k8s-1.35-nvidia"),
		kcase("on 1.34", line, "aws-k8s-1.34", ignored("max-allowable-numa-nodes", "aws-k8s-1.34", 35)),
		kcase("on 1.32", line, "aws-k8s-1.32", ignored("max-allowable-numa-nodes", "aws-k8s-1.32", 35)),
		kcase("on 1.31", line, "aws-k8s-1.31", ignored("max-allowable-numa-nodes", "aws-k8s-1.31", 35), ignored("prefer-closest-numa-nodes", "aws-k8s-1.31", 32)),
		kcase("on 1.28 nvidia", line, "aws-k8s-1.28-nvidia", ignored("max-allowable-numa-nodes", "aws-k8s-1.28-nvidia", 35), ignored("prefer-closest-numa-nodes", "aws-k8s-1.28-nvidia", 32)),
	})
}

// Settings and enum values of settings.kubernetes newer than the AMI's
// Bottlerocket release are refused, whatever strict says.
func TestModel_KubernetesReleases(t *testing.T) {
	const p = "settings.kubernetes."
	for _, tc := range []struct {
		name, release, line, setting, detail string
	}{
		{"topology options before 1.60", "1.59.3", "topology-manager-policy-options = { prefer-closest-numa-nodes = true }", p + "topology-manager-policy-options", "was added in Bottlerocket 1.60.0"},
		{"topology options on 1.60", "1.60.0", "topology-manager-policy-options = { prefer-closest-numa-nodes = true }", "", ""},
		{"beta cpu option before 1.51", "1.50.1", `cpu-manager-policy-options = ["strict-cpu-reservation"]`, p + "cpu-manager-policy-options", "was added in Bottlerocket 1.51.0"},
		{"beta cpu option on 1.51", "1.51.0", `cpu-manager-policy-options = ["strict-cpu-reservation"]`, "", ""},
		{"full-pcpus-only on an old release", "1.20.0", `cpu-manager-policy-options = ["full-pcpus-only"]`, "", ""},
		{"ids-per-pod before 1.51", "1.50.0", "ids-per-pod = 65536", p + "ids-per-pod", "was added in Bottlerocket 1.51.0"},
		{"container-runtime-endpoint before 1.64", "1.63.0", `container-runtime-endpoint = "unix:///run/containerd/containerd.sock"`, p + "container-runtime-endpoint", "was added in Bottlerocket 1.64.0"},
		{"memory-throttling-factor before 1.65", "1.64.2", "memory-throttling-factor = 0.9", p + "memory-throttling-factor", "was added in Bottlerocket 1.65.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				_, problems := Render(Input{Strict: strict, Variant: "aws-k8s-1.35", BottlerocketRelease: tc.release, CustomUserData: []string{"[settings.kubernetes]\n" + tc.line + "\n"}})
				if tc.setting == "" {
					assertProblems(t, problems)
					continue
				}
				assertProblems(t, problems, fragmentErr(tc.setting, tc.detail))
			}
		})
	}
}
