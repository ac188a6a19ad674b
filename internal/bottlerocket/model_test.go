package bottlerocket

import (
	"strings"
	"testing"
)

type modelCase struct {
	name     string
	fragment string
	variant  string
	setting  string // "" means the fragment must be accepted
	detail   string
}

func runModelCases(t *testing.T, cases []modelCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, problems := Render(Input{Strict: true, Variant: tc.variant, CustomUserData: []string{tc.fragment}})
			if tc.setting == "" {
				assertProblems(t, problems)
				if doc == nil {
					t.Fatal("valid settings were refused")
				}
				return
			}
			if doc != nil {
				t.Fatalf("invalid settings rendered:\n%s", doc.TOML)
			}
			assertProblems(t, problems, errAt(FieldCustomUserData, 0, tc.setting, tc.detail))
		})
	}
}

func TestModel_KubernetesValues(t *testing.T) {
	k := func(s string) string { return "[settings.kubernetes]\n" + s + "\n" }
	// id sets the cluster identity with one key replaced, so the rule that
	// the three come together stays quiet.
	id := func(key, value string) string {
		vals := map[string]string{"cluster-name": `"demo"`, "api-server": `"` + testAPIServer + `"`, "cluster-certificate": `"` + testCA + `"`}
		vals[key] = value
		out := "[settings.kubernetes]\n"
		for _, k := range sortedKeys(vals) {
			out += k + " = " + vals[k] + "\n"
		}
		return out
	}
	const p = "settings.kubernetes."
	runModelCases(t, []modelCase{
		// cluster identity
		{"cluster-name ok", id("cluster-name", `"my_cluster-1"`), "", "", ""},
		{"cluster-name starts with dash", id("cluster-name", `"-bad"`), "", p + "cluster-name", "is not an EKS cluster name"},
		{"cluster-name too long", id("cluster-name", `"a`+repeat("b", 100)+`"`), "", p + "cluster-name", "is not an EKS cluster name"},
		{"cluster-name dot", id("cluster-name", `"a.b"`), "", p + "cluster-name", "is not an EKS cluster name"},
		{"certificate PEM not base64", id("cluster-certificate", `"-----BEGIN CERTIFICATE-----"`), "", p + "cluster-certificate", "It looks like PEM text"},
		{"certificate bad padding", id("cluster-certificate", `"YWJj="`), "", p + "cluster-certificate", "not valid standard base64"},
		// api-server is Bottlerocket's Url: any scheme, or none.
		{"api-server http", id("api-server", `"http://example.com"`), "", "", ""},
		{"api-server no scheme", id("api-server", `"example.com"`), "", "", ""},
		{"api-server not a URL", id("api-server", `"not a url"`), "", p + "api-server", "is not a URL"},
		{"authentication-mode enum", k(`authentication-mode = "iam"`), "", p + "authentication-mode", `"iam" is not one of "aws", "tls"`},
		{"bootstrap-token", k(`bootstrap-token = "abc.def"`), "", p + "bootstrap-token", "bootstrap token"},
		{"bootstrap-token ok", k(`bootstrap-token = "abcdef.0123456789abcdef"`), "", "", ""},
		{"cloud-provider empty ok", k(`cloud-provider = ""`), "", "", ""},
		{"standalone-mode string", k(`standalone-mode = "true"`), "", p + "standalone-mode", "must be a boolean, not a string \"true\". Write true without quotes."},
		// types and ranges
		{"max-pods string", k(`max-pods = "100"`), "", p + "max-pods", "Write 100 without quotes"},
		{"max-pods float", k(`max-pods = 100.0`), "", p + "max-pods", "without a decimal point"},
		{"max-pods negative", k(`max-pods = -1`), "", p + "max-pods", "-1 is out of range for a u32 integer: it must be from 0 to 4294967295."},
		{"max-pods too big", k(`max-pods = 4294967296`), "", p + "max-pods", "out of range for a u32"},
		{"log-level u8", k(`log-level = 256`), "", p + "log-level", "out of range for a u8 integer: it must be from 0 to 255."},
		{"kube-api-qps i32", k(`kube-api-qps = 2147483648`), "", p + "kube-api-qps", "out of range for an i32 integer: it must be from -2147483648 to 2147483647."},
		{"kube-api-qps negative ok", k(`kube-api-qps = -5`), "", "", ""},
		{"eviction-max-pod-grace-period negative", k(`eviction-max-pod-grace-period = -1`), "", p + "eviction-max-pod-grace-period", "out of range"},
		{"pod-pids-limit i64 ok", k(`pod-pids-limit = -1`), "", "", ""},
		{"node-ip", k(`node-ip = "10.0.0.256"`), "", p + "node-ip", "is not an IPv4 or IPv6 address"},
		{"node-ip leading zero", k(`node-ip = "010.0.0.1"`), "", p + "node-ip", "is not an IPv4 or IPv6 address"},
		{"provider-id", k(`provider-id = "aws:///us-east-1a/i-0123456789abcdef0"`), "", "", ""},
		{"provider-id not a URL", k(`provider-id = "i 123"`), "", p + "provider-id", "is not a URL"},
		{"hostname-override", k(`hostname-override = "bad_host"`), "", p + "hostname-override", "only lowercase letters, digits"},
		{"hostname-override uppercase", k(`hostname-override = "Node-1"`), "", p + "hostname-override", `Did you mean "node-1"?`},
		{"hostname-override-source", k(`hostname-override-source = "ip"`), "", p + "hostname-override-source", `not one of "private-dns-name", "instance-id"`},
		{"cluster-domain", k(`cluster-domain = ".cluster.local"`), "", p + "cluster-domain", "must not start with '.'"},
		{"cluster-domain case", k(`cluster-domain = "Cluster.Local"`), "", "", ""},
		// durations
		{"duration bare number", k(`shutdown-grace-period = "30"`), "", p + "shutdown-grace-period", "a bare number is not accepted"},
		{"duration wrong order", k(`image-minimum-gc-age = "1m2h"`), "", p + "image-minimum-gc-age", "in that order"},
		{"duration ms ok", k(`cpu-manager-reconcile-period = "1h2m3.5s40ms"`), "", "", ""},
		{"duration ok decimal", k(`container-log-monitor-interval = "1.5m"`), "", "", ""},
		{"duration empty", k(`image-maximum-gc-age = ""`), "", p + "image-maximum-gc-age", "not a Bottlerocket duration"},
		{"duration days", k(`image-maximum-gc-age = "2d"`), "", p + "image-maximum-gc-age", "not a Bottlerocket duration"},
		// quantities
		{"kube-reserved ok", k(`kube-reserved = { cpu = "100m", memory = "1.5Gi", ephemeral-storage = "1G" }`), "", "", ""},
		{"kube-reserved pid", k(`kube-reserved = { pid = "100" }`), "", "", ""},
		{"system-reserved pid", k(`system-reserved = { pid = "1000" }`), "", "", ""},
		{"kube-reserved unknown key", k(`kube-reserved = { pids = "100" }`), "", p + "kube-reserved.pids", `the only keys are cpu, ephemeral-storage, memory, pid. Did you mean "pid"?`},
		{"kube-reserved near miss", k(`kube-reserved = { memroy = "1Gi" }`), "", p + "kube-reserved.memroy", `Did you mean "memory"?`},
		{"system-reserved bad quantity", k(`system-reserved = { cpu = "1 core" }`), "", p + "system-reserved.cpu", "is not a Kubernetes quantity"},
		{"system-reserved negative", k(`system-reserved = { memory = "-1Gi" }`), "", p + "system-reserved.memory", "the kubelet refuses a negative quantity"},
		{"container-log-max-size", k(`container-log-max-size = "10 MB"`), "", p + "container-log-max-size", "is not a Kubernetes quantity"},
		// eviction
		{"eviction-hard ok", k(`eviction-hard = { "memory.available" = "100Mi", "nodefs.inodesFree" = "5%", "imagefs.available" = "15.5%" }`), "", "", ""},
		{"eviction-hard 100 percent", k(`eviction-hard = { "memory.available" = "100%" }`), "", p + `eviction-hard."memory.available"`, "must be below 100%"},
		// Bottlerocket parses the percentage as a float: 1e1% is 10%.
		{"eviction-hard float percent", k(`eviction-hard = { "memory.available" = "1e1%" }`), "", "", ""},
		{"eviction-hard bad percent", k(`eviction-hard = { "memory.available" = "ten%" }`), "", p + `eviction-hard."memory.available"`, "is not a percentage"},
		{"eviction-hard unknown signal", k(`eviction-hard = { "memory.free" = "1Gi" }`), "", p + `eviction-hard."memory.free"`, "the only keys are imagefs.available"},
		{"eviction-hard kubelet-only signal", k(`eviction-hard = { "containerfs.available" = "10%" }`), "", p + `eviction-hard."containerfs.available"`, "is not allowed"},
		{"eviction-soft", k(`eviction-soft = { "pid.available" = "abc" }`), "", p + `eviction-soft."pid.available"`, "is not a Kubernetes quantity"},
		{"eviction-soft-grace-period", k(`eviction-soft-grace-period = { "memory.available" = "90" }`), "", p + `eviction-soft-grace-period."memory.available"`, "not a Bottlerocket duration"},
		{"eviction-hard as dotted keys makes tables", k(`eviction-hard.memory.available = "5%"`), "", p + "eviction-hard.memory", "the only keys are"},
		// image gc
		{"image-gc int", k(`image-gc-high-threshold-percent = 85`), "", "", ""},
		{"image-gc numeric string", k(`image-gc-high-threshold-percent = "85"`), "", "", ""},
		{"image-gc over 100", k(`image-gc-high-threshold-percent = 101`), "", p + "image-gc-high-threshold-percent", "101 is not a percentage from 0 to 100"},
		{"image-gc non numeric", k(`image-gc-low-threshold-percent = "high"`), "", p + "image-gc-low-threshold-percent", "must be an integer or a numeric string from 0 to 100"},
		{"image-gc float", k(`image-gc-low-threshold-percent = 50.5`), "", p + "image-gc-low-threshold-percent", "not a float 50.5"},
		{"image-gc low above high", k("image-gc-high-threshold-percent = \"70\"\nimage-gc-low-threshold-percent = 80"), "", p + "image-gc-low-threshold-percent", "must be below image-gc-high-threshold-percent"},
		// policies
		{"cpu-manager-policy static", k(`cpu-manager-policy = "static"`), "", "", ""},
		{"cpu-manager-policy Static", k(`cpu-manager-policy = "Static"`), "", "", ""},
		{"cpu-manager-policy bad", k(`cpu-manager-policy = "dynamic"`), "", p + "cpu-manager-policy", `is not one of "none", "static"`},
		{"cpu-manager-policy-options", k(`cpu-manager-policy-options = ["full-pcpus"]`), "", p + "cpu-manager-policy-options", `Did you mean "full-pcpus-only"?`},
		{"topology-manager-policy", k(`topology-manager-policy = "besteffort"`), "", p + "topology-manager-policy", `Did you mean "best-effort"?`},
		{"topology-manager-scope", k(`topology-manager-scope = "node"`), "", p + "topology-manager-scope", `is not one of "container", "pod"`},
		{"memory-manager-policy", k(`memory-manager-policy = "Dynamic"`), "", p + "memory-manager-policy", `is not one of "None", "Static"`},
		{"memory-manager-reserved-memory", k("[settings.kubernetes.memory-manager-reserved-memory.0]\nenabled = true\nmemory = \"1Gi\"\nhugepages-2Mi = \"x\""), "", p + "memory-manager-reserved-memory.0.hugepages-2Mi", "is not a Kubernetes quantity"},
		// maps of tables
		{"credential-providers ok", k("[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"*.dkr.ecr.*.amazonaws.com\"]\ncache-duration = \"12h\"\nenvironment = { AWS_PROFILE = \"x\" }"), "", "", ""},
		{"static-pods manifest", k("[settings.kubernetes.static-pods.web]\nenabled = true\nmanifest = \"apiVersion: v1\""), "", p + "static-pods.web.manifest", "not valid standard base64"},
		{"allowed-unsafe-sysctls string", k(`allowed-unsafe-sysctls = "net.*"`), "", p + "allowed-unsafe-sysctls", "must be an array of"},
		// datetimes
		{"datetime", k(`node-ip = 1979-05-27`), "", p + "node-ip", "must be an IP address string or an array of them, not a date-time 1979-05-27"},
		{"datetime in a table", k(`topology-manager-policy-options = { max-allowable-numa-nodes = 1979-05-27T07:32:00Z }`), "", p + "topology-manager-policy-options.max-allowable-numa-nodes", "not a date-time 1979-05-27"},
	})
}

func TestModel_OtherTables(t *testing.T) {
	runModelCases(t, []modelCase{
		{"bootstrap-container mode", "[settings.bootstrap-containers.x]\nsource = \"img\"\nmode = \"sometimes\"\n", "", "settings.bootstrap-containers.x.mode", `is not one of "always", "once", "off"`},
		{"bootstrap-container user-data", "[settings.bootstrap-containers.x]\nuser-data = \"not base64!\"\n", "", "settings.bootstrap-containers.x.user-data", "not valid standard base64"},
		{"bootstrap-commands ok", "[settings.bootstrap-commands.a]\ncommands = [[\"apiclient\", \"set\", \"motd=hi\"]]\nmode = \"always\"\nessential = false\n", "", "", ""},
		{"bootstrap-commands flat list", "[settings.bootstrap-commands.a]\ncommands = [\"apiclient\"]\n", "", "settings.bootstrap-commands.a.commands", "must be an array of string"},
		{"host-containers superpowered string", "[settings.host-containers.admin]\nsuperpowered = \"yes\"\n", "", "settings.host-containers.admin.superpowered", "must be a boolean"},
		{"host-containers unknown", "[settings.host-containers.admin]\nenable = true\n", "", "settings.host-containers.admin.enable", `Did you mean "enabled"?`},
		{"kernel lockdown", "settings.kernel.lockdown = \"full\"\n", "", "settings.kernel.lockdown", `is not one of "none", "integrity", "confidentiality"`},
		{"kernel sysctl not string", "settings.kernel.sysctl.\"vm.swappiness\" = 10\n", "", `settings.kernel.sysctl."vm.swappiness"`, "must be a string, not an integer 10"},
		{"kernel modules", "settings.kernel.modules.sctp.allowed = false\n", "", "", ""},
		{"network hosts", "settings.network.hosts = [[\"10.0.0.300\", [\"db\"]]]\n", "", "settings.network.hosts", "is not an IPv4 or IPv6 address"},
		{"network hosts shape", "settings.network.hosts = [\"10.0.0.1 db\"]\n", "", "settings.network.hosts", "must be a pair [IP, [hostnames]]"},
		{"dns name-servers", "settings.dns.name-servers = [\"dns.example.com\"]\n", "", "settings.dns.name-servers", "is not an IPv4 or IPv6 address"},
		{"ntp time-servers", "settings.ntp.time-servers = \"169.254.169.123\"\n", "", "settings.ntp.time-servers", "must be an array of"},
		// updates.seed is a u32: any value, not only Bottlerocket's 0-2047 default range.
		{"updates seed", "settings.updates.seed = 3000\n", "", "", ""},
		{"updates seed negative", "settings.updates.seed = -1\n", "", "settings.updates.seed", "out of range for a u32 integer"},
		{"container-registry mirrors map form", "[settings.container-registry.mirrors]\n\"docker.io\" = [\"https://m.example.com\"]\n", "", "", ""},
		{"container-registry mirrors endpoint", "[[settings.container-registry.mirrors]]\nregistry = \"docker.io\"\nendpoint = [\"m.example.com\"]\n", "", "", ""},
		{"container-registry mirrors bad endpoint", "[[settings.container-registry.mirrors]]\nregistry = \"docker.io\"\nendpoint = [\"not a url\"]\n", "", "settings.container-registry.mirrors.endpoint", "is not a URL"},
		{"pki", "[settings.pki.my-ca]\ndata = \"x\"\ntrusted = true\n", "", "settings.pki.my-ca.data", "not valid standard base64"},
		{"aws config", "settings.aws.config = \"[default]\"\n", "", "settings.aws.config", "not valid standard base64"},
		{"autoscaling", "settings.autoscaling.should-wait = 1\n", "", "settings.autoscaling.should-wait", "must be a boolean, not an integer 1"},
		{"cloudformation", "settings.cloudformation.should-signal = true\n", "", "", ""},
		{"metrics", "settings.metrics.send-metrics = false\n", "", "", ""},
		{"oci-defaults capabilities", "settings.oci-defaults.capabilities.sys-admin = \"yes\"\n", "", "settings.oci-defaults.capabilities.sys-admin", "must be a boolean"},
		{"container-runtime", "settings.container-runtime.max-concurrent-downloads = \"3\"\n", "", "settings.container-runtime.max-concurrent-downloads", "Write 3 without quotes"},
		{"motd table", "settings.motd.text = \"hi\"\n", "", "settings.motd", "A dotted key or [table] header made it a table"},
		{"settings not a table", "settings = 1\n", "", "settings", "settings must be a table"},
		// variants
		{"device plugins on nvidia", "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n", "aws-k8s-1.31-nvidia", "", ""},
		{"device plugins on fips nvidia", "settings.nvidia-container-runtime.visible-devices-as-volume-mounts = true\n", "aws-k8s-1.31-nvidia-fips", "", ""},
		{"device plugins off nvidia", "settings.kubelet-device-plugins.nvidia.pass-device-specs = true\n", "aws-k8s-1.31", "settings.kubelet-device-plugins", "exists only on aws-k8s-*-nvidia variants, not on aws-k8s-1.31"},
		{"nvidia runtime off nvidia", "settings.nvidia-container-runtime.visible-devices-as-volume-mounts = true\n", "aws-k8s-1.31-fips", "settings.nvidia-container-runtime", "exists only on aws-k8s-*-nvidia variants, not on aws-k8s-1.31-fips"},
		{"device plugin strategy", "settings.kubelet-device-plugins.nvidia.device-sharing-strategy = \"slicing\"\n", "aws-k8s-1.31-nvidia", "settings.kubelet-device-plugins.nvidia.device-sharing-strategy", `is not one of "none", "time-slicing", "mps"`},
	})
}

func TestModel_UnknownKeys(t *testing.T) {
	cases := []struct {
		name     string
		fragment string
		setting  string
		detail   string
	}{
		{"labels", "settings.kubernetes.labels.a = \"b\"\n", "settings.kubernetes.labels", `Did you mean "node-labels"?`},
		{"taints", "settings.kubernetes.taints.a = \"b:NoSchedule\"\n", "settings.kubernetes.taints", `Did you mean "node-taints"?`},
		{"camelCase", "settings.kubernetes.maxPods = 3\n", "settings.kubernetes.maxPods", `Did you mean "max-pods"?`},
		{"snake_case", "settings.kubernetes.cluster_dns_ip = \"10.0.0.10\"\n", "settings.kubernetes.cluster_dns_ip", `Did you mean "cluster-dns-ip"?`},
		{"table name", "settings.kubernete.max-pods = 3\n", "settings.kubernete", `Did you mean "kubernetes"?`},
		{"singular device plugin", "settings.kubelet-device-plugin.nvidia.pass-device-specs = true\n", "settings.kubelet-device-plugin", "is not a setting Bottlerocket knows"},
		{"no suggestion", "settings.kubernetes.zzzz = 1\n", "settings.kubernetes.zzzz", "is not a setting Bottlerocket knows on aws-k8s"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/strict", func(t *testing.T) {
			doc, problems := Render(Input{Strict: true, CustomUserData: []string{tc.fragment}})
			if doc != nil {
				t.Fatal("unknown key rendered in strict mode")
			}
			assertProblems(t, problems, errAt(FieldCustomUserData, 0, tc.setting, tc.detail))
		})
		t.Run(tc.name+"/lenient", func(t *testing.T) {
			doc, problems := Render(Input{CustomUserData: []string{tc.fragment}})
			if doc == nil {
				t.Fatal("unknown key refused with strict = false")
			}
			assertProblems(t, problems, warnAt(FieldCustomUserData, 0, tc.setting, tc.detail))
		})
	}
}

// With strict = false an unknown setting is kept verbatim, but it still may
// not hold a value Bottlerocket's JSON conversion cannot carry.
func TestModel_LenientKeepsUnknownSettings(t *testing.T) {
	doc, problems := Render(Input{CustomUserData: []string{"[settings.kubernetes.new-thing]\na = 1.5\nb = [1, 2]\nc = { d = true }\n"}})
	if doc == nil {
		t.Fatalf("refused: %v", problems)
	}
	golden(t, "lenient-unknown", doc.TOML)
	_, problems = Render(Input{CustomUserData: []string{"settings.kubernetes.new-thing = 2024-01-01\n"}})
	assertProblems(t, problems,
		warnAt(FieldCustomUserData, 0, "settings.kubernetes.new-thing", "is not a setting Bottlerocket knows"),
		errAt(FieldCustomUserData, 0, "settings.kubernetes.new-thing", "no date or time values"))
}

func TestRender_RootKeys(t *testing.T) {
	cases := []struct {
		name, fragment, setting, detail string
	}{
		{"kubernetes at root", "[kubernetes]\nmax-pods = 1\n", "kubernetes", "Did you mean settings.kubernetes?"},
		{"device plugin typo at root", "[kubelet-device-plugin.nvidia]\npass-device-specs = true\n", "kubelet-device-plugin", "Did you mean settings.kubelet-device-plugins?"},
		{"other root", "[foo]\nx = 1\n", "foo", "silently ignores everything else"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, problems := Render(Input{Strict: true, CustomUserData: []string{"settings.motd = \"x\"\n", tc.fragment}})
			if doc != nil {
				t.Fatal("root key accepted")
			}
			assertProblems(t, problems, errAt(FieldCustomUserData, 1, tc.setting, tc.detail))
			// Bottlerocket drops the key and boots: a warning when not strict.
			doc, problems = Render(Input{CustomUserData: []string{"settings.motd = \"x\"\n", tc.fragment}})
			if doc == nil || strings.Contains(doc.TOML, tc.setting+"]") {
				t.Fatalf("lenient render: %v", problems)
			}
			assertProblems(t, problems, warnAt(FieldCustomUserData, 1, tc.setting, tc.detail))
		})
	}
}

func TestRender_Variant(t *testing.T) {
	for _, v := range []string{"", "aws-k8s-1.32", "aws-k8s-1.29-nvidia", "aws-k8s-1.31-fips", "aws-k8s-1.33-nvidia-fips"} {
		if _, problems := Render(Input{Variant: v, CustomUserData: []string{"settings.motd = \"x\"\n"}}); len(problems) != 0 {
			t.Errorf("variant %q: %v", v, problems)
		}
	}
	for _, v := range []string{"aws-ecs-2", "aws-k8s", "aws-k8s-1.32-gpu", "metal-k8s-1.32"} {
		_, problems := Render(Input{Variant: v})
		assertProblems(t, problems, errAt(FieldVariant, -1, "", "is not an aws-k8s variant"))
	}
}

// Cluster identity keys are each optional in Bottlerocket's model: a
// partial identity (a Karpenter or managed node group fragment) renders,
// with a warning (see checkClusterIdentity).
func TestRender_ClusterIdentity(t *testing.T) {
	if _, problems := Render(Input{Strict: true, MaxPods: int64p(3)}); len(problems) != 0 {
		t.Errorf("no identity at all must be allowed: %v", problems)
	}
	doc, problems := Render(Input{Strict: true, ClusterName: "demo"})
	if doc == nil {
		t.Fatalf("partial identity refused: %v", problems)
	}
	assertProblems(t, problems,
		warnAt(FieldAPIServer, -1, "settings.kubernetes.api-server", "cluster-name is set but settings.kubernetes.api-server is not"),
		warnAt(FieldClusterCertificate, -1, "settings.kubernetes.cluster-certificate", "cluster-name is set but settings.kubernetes.cluster-certificate is not"))
	_, problems = Render(Input{Strict: true, ClusterName: "demo", CustomUserData: []string{"settings.kubernetes.standalone-mode = true\n"}})
	assertProblems(t, problems)
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
