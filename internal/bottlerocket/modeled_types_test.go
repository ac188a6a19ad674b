package bottlerocket

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Invalid values per Bottlerocket modeled type, each refused with an error
// on custom_user_data at the setting, with "did you mean" for near misses;
// and the values Bottlerocket accepts that an earlier model refused.
func TestModel_ModeledTypes(t *testing.T) {
	const nv = "aws-k8s-1.33-nvidia"
	runModelCases(t, []modelCase{
		// Identifier: keys of every map of named entries.
		{"host-containers identifier", "[settings.host-containers.my_admin]\nenabled = true\n", "", "settings.host-containers.my_admin", `Did you mean "my-admin"?`},
		{"bootstrap-containers identifier", "[settings.bootstrap-containers.\"a.b\"]\nmode = \"once\"\n", "", `settings.bootstrap-containers."a.b"`, `Did you mean "a-b"?`},
		{"bootstrap-commands identifier", "[settings.bootstrap-commands.\"set motd\"]\ncommands = [[\"apiclient\", \"set\", \"motd=hi\"]]\n", "", `settings.bootstrap-commands."set motd"`, "not a Bottlerocket identifier"},
		{"pki identifier", "[settings.pki.\"my/ca\"]\ntrusted = true\n", "", `settings.pki."my/ca"`, "not a Bottlerocket identifier"},
		{"static-pods identifier", "[settings.kubernetes.static-pods.web_1]\nenabled = true\n", "", "settings.kubernetes.static-pods.web_1", `Did you mean "web-1"?`},
		{"credential-providers identifier", "[settings.kubernetes.credential-providers.\"ecr.provider\"]\nenabled = true\nimage-patterns = []\n", "", `settings.kubernetes.credential-providers."ecr.provider"`, `Did you mean "ecr-provider"?`},
		{"reserved-memory identifier", "[settings.kubernetes.memory-manager-reserved-memory.\"node 0\"]\nenabled = true\n", "", `settings.kubernetes.memory-manager-reserved-memory."node 0"`, `Did you mean "node-0"?`},
		{"identifier too long", "[settings.host-containers." + repeat("a", 77) + "]\nenabled = true\n", "", "settings.host-containers." + repeat("a", 77), "at most 76 are allowed"},
		// ApiclientCommand.
		{"bootstrap-commands not apiclient", "[settings.bootstrap-commands.a]\ncommands = [[\"/usr/bin/touch\", \"x\"]]\n", "", "settings.bootstrap-commands.a.commands", `must start with "apiclient"`},
		{"bootstrap-commands apiclient typo", "[settings.bootstrap-commands.a]\ncommands = [[\"apiclinet\", \"set\"]]\n", "", "settings.bootstrap-commands.a.commands", `Did you mean "apiclient"?`},
		{"bootstrap-commands empty command", "[settings.bootstrap-commands.a]\ncommands = [[]]\n", "", "settings.bootstrap-commands.a.commands", "is empty"},
		// SysctlKey, KmodKey, boot config.
		{"sysctl key", "settings.kernel.sysctl.\"../etc/passwd\" = \"1\"\n", "", `settings.kernel.sysctl."../etc/passwd"`, "must not contain \"..\""},
		{"sysctl key space", "settings.kernel.sysctl.\" vm.swappiness\" = \"1\"\n", "", `settings.kernel.sysctl." vm.swappiness"`, `Did you mean "vm.swappiness"?`},
		{"kernel module name", "settings.kernel.modules.\"nf.conntrack\".allowed = true\n", "", `settings.kernel.modules."nf.conntrack"`, "not a kernel module name"},
		{"boot config key", "settings.boot.kernel-parameters.\"a..b\" = [\"1\"]\n", "", `settings.boot.kernel-parameters."a..b"`, "not a boot config key"},
		{"boot config value", "settings.boot.kernel-parameters.console = [\"tty0 é\"]\n", "", "settings.boot.kernel-parameters.console", "only printable ASCII"},
		{"boot kernel alias", "settings.boot.kernel.console = [\"tty0\"]\nsettings.boot.init.\"systemd.log_level\" = [\"debug\"]\n", "", "", ""},
		{"boot alias and name", "settings.boot.kernel.console = [\"tty0\"]\nsettings.boot.kernel-parameters.console = [\"tty1\"]\n", "", "settings.boot.kernel", "refuses a duplicate field"},
		// Linux hostnames: lowercase only.
		{"network hostname", "settings.network.hostname = \"My-Node\"\n", "", "settings.network.hostname", `Did you mean "my-node"?`},
		{"network hosts alias", "settings.network.hosts = [[\"10.0.0.1\", [\"DB\"]]]\n", "", "settings.network.hosts", "only lowercase letters"},
		{"dns search-list", "settings.dns.search-list = [\"-corp.example\"]\n", "", "settings.dns.search-list", "not a Linux hostname"},
		// Url.
		{"ntp time-servers URL", "settings.ntp.time-servers = [\"time server\"]\n", "", "settings.ntp.time-servers", "is not a URL"},
		{"https-proxy URL", "settings.network.https-proxy = \"proxy :3128\"\n", "", "settings.network.https-proxy", "is not a URL"},
		{"https-proxy scheme-less", "settings.network.https-proxy = \"10.0.0.1:3128\"\n", "", "", ""},
		{"host-containers source URL", "[settings.host-containers.x]\nsource = \"my image\"\n", "", "settings.host-containers.x.source", "is not a URL"},
		// PEM certificates and base64.
		{"pki not a certificate", "[settings.pki.my-ca]\ndata = \"aGVsbG8=\"\n", "", "settings.pki.my-ca.data", "decodes to no PEM certificate"},
		{"pki private key", "[settings.pki.my-ca]\ndata = \"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1BQT0KLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=\"\n", "", "settings.pki.my-ca.data", `is a PRIVATE KEY, not an X.509 certificate`},
		{"pki empty deletes", "[settings.pki.my-ca]\ndata = \"\"\n", "", "", ""},
		{"registry auth base64", "[[settings.container-registry.credentials]]\nregistry = \"docker.io\"\nauth = \"user:pass\"\n", "", "settings.container-registry.credentials.auth", "not valid standard base64"},
		{"registry creds alias", "[[settings.container-registry.creds]]\nregistry = \"docker.io\"\nauth = \"dXNlcjpwYXNz\"\n", "", "", ""},
		{"trust policy JSON", "settings.image-verifier-plugins.notation.trustpolicy = \"aGVsbG8=\"\n", "", "settings.image-verifier-plugins.notation.trustpolicy", "is not JSON"},
		// FriendlyVersion.
		{"version-lock", "settings.updates.version-lock = \"1.20\"\n", "", "settings.updates.version-lock", "is not a version"},
		{"version-lock Latest", "settings.updates.version-lock = \"Latest\"\n", "", "settings.updates.version-lock", `Did you mean "latest"?`},
		// container-runtime: a closed table with enums.
		{"container-runtime unknown key", "settings.container-runtime.max-concurrent-download = 3\n", "", "settings.container-runtime.max-concurrent-download", `Did you mean "max-concurrent-downloads"?`},
		{"snapshotter", "settings.container-runtime.snapshotter = \"overlay\"\n", "", "settings.container-runtime.snapshotter", `Did you mean "overlayfs"?`},
		{"chunk size", "settings.container-runtime.concurrent-download-chunk-size = \"lots\"\n", "", "settings.container-runtime.concurrent-download-chunk-size", "not a byte size"},
		{"chunk size alias", "settings.container-runtime.concurrent-layer-fetch-buffer = 1048576\n", "", "", ""},
		{"soci pull mode", "settings.container-runtime-plugins.soci-snapshotter.pull-mode = \"parallel\"\n", "", "settings.container-runtime-plugins.soci-snapshotter.pull-mode", `is not one of "parallel-pull-unpack"`},
		// oci-defaults.
		{"capability name", "settings.oci-defaults.capabilities.sys_admin = true\n", "", "settings.oci-defaults.capabilities.sys_admin", `Did you mean "sys-admin"?`},
		{"resource limit name", "[settings.oci-defaults.resource-limits.max-open-file]\nhard-limit = 1\nsoft-limit = 1\n", "", "settings.oci-defaults.resource-limits.max-open-file", `Did you mean "max-open-files"?`},
		{"resource limit one side", "[settings.oci-defaults.resource-limits.max-open-files]\nsoft-limit = 1024\n", "", "settings.oci-defaults.resource-limits.max-open-files.hard-limit", "is required"},
		{"resource limit value", "[settings.oci-defaults.resource-limits.max-open-files]\nsoft-limit = -2\nhard-limit = 1\n", "", "settings.oci-defaults.resource-limits.max-open-files.soft-limit", "is not a resource limit"},
		{"resource limit string", "[settings.oci-defaults.resource-limits.max-open-files]\nsoft-limit = 1\nhard-limit = \"unlimted\"\n", "", "settings.oci-defaults.resource-limits.max-open-files.hard-limit", `Did you mean "unlimited"?`},
		// Required fields.
		{"credential provider without patterns", "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\n", "", "settings.kubernetes.credential-providers.ecr-credential-provider.image-patterns", "is required"},
		{"reserved memory without enabled", "[settings.kubernetes.memory-manager-reserved-memory.0]\nmemory = \"1Gi\"\n", "", "settings.kubernetes.memory-manager-reserved-memory.0.enabled", "is required"},
		{"reserved memory key", "[settings.kubernetes.memory-manager-reserved-memory.0]\nenabled = true\nhugepages-2mi = \"1Gi\"\n", "", "settings.kubernetes.memory-manager-reserved-memory.0.hugepages-2mi", `Did you mean "hugepages-2Mi"?`},
		// NVIDIA device plugin.
		{"time-slicing replicas", "settings.kubelet-device-plugins.nvidia.time-slicing.replicas = 1\n", nv, "settings.kubelet-device-plugins.nvidia.time-slicing.replicas", "1 is out of range for a number of replicas: it must be from 2 to 2147483647."},
		{"partitioning strategy", "settings.kubelet-device-plugins.nvidia.device-partitioning-strategy = \"MIG\"\n", nv, "settings.kubelet-device-plugins.nvidia.device-partitioning-strategy", `Did you mean "mig"?`},
		{"mig gpu model", "settings.kubelet-device-plugins.nvidia.mig.profile.\"A100.40GB\" = \"1g.5gb\"\n", nv, `settings.kubelet-device-plugins.nvidia.mig.profile."A100.40GB"`, `Did you mean "a100.40gb"?`},
		{"mig profile", "settings.kubelet-device-plugins.nvidia.mig.profile.\"a100.40gb\" = \"1g.5GB\"\n", nv, `settings.kubelet-device-plugins.nvidia.mig.profile."a100.40gb"`, `Did you mean "1g.5gb"?`},
		{"mig slices", "settings.kubelet-device-plugins.nvidia.mig.profile.\"a100.40gb\" = \"5\"\n", nv, `settings.kubelet-device-plugins.nvidia.mig.profile."a100.40gb"`, "is not a MIG profile"},
		{"mps replicas", "settings.kubelet-device-plugins.nvidia.mps.replicas = 49\n", nv, "settings.kubelet-device-plugins.nvidia.mps.replicas", "49 is out of range for a number of replicas: it must be from 2 to 48."},
		{"device-list-strategy", "settings.kubelet-device-plugins.nvidia.device-list-strategy = [\"envvar\", \"cdi\"]\n", nv, "settings.kubelet-device-plugins.nvidia.device-list-strategy", `Did you mean "cdi-cri"?`},
		// Settings newer releases added (false rejections before).
		{"host-containers command", "[settings.host-containers.x]\ncommand = [\"/bin/sh\", \"-c\", \"true\"]\n", "", "", ""},
		{"bootstrap-containers command", "[settings.bootstrap-containers.x]\ncommand = [\"/bin/true\"]\n", "", "", ""},
		{"cloudformation empty names", "settings.cloudformation.stack-name = \"\"\nsettings.cloudformation.logical-resource-id = \"\"\n", "", "", ""},
	})
}

// A node class whose AMI runs a release older than a setting it uses is
// refused, naming the release that introduced the setting; without a known
// release the newest model applies.
func TestModel_ReleaseGating(t *testing.T) {
	cases := []struct {
		name, release, fragment, setting, detail string
	}{
		{"pid before 1.49", "1.48.2", "settings.kubernetes.kube-reserved.pid = \"100\"\n", "settings.kubernetes.kube-reserved.pid", "was added in Bottlerocket 1.49.0, but the AMI runs Bottlerocket 1.48.2"},
		{"command before 1.47", "1.46.0", "settings.host-containers.x.command = [\"a\"]\n", "settings.host-containers.x.command", "was added in Bottlerocket 1.47.0"},
		{"soci before 1.44", "1.43.0", "settings.container-runtime-plugins.soci-snapshotter.pull-mode = \"parallel-pull-unpack\"\n", "settings.container-runtime-plugins", "was added in Bottlerocket 1.44.0"},
		{"enum value before its release", "1.53.1", "settings.kubelet-device-plugins.nvidia.device-sharing-strategy = \"mps\"\n", "settings.kubelet-device-plugins.nvidia.device-sharing-strategy", "was added in Bottlerocket 1.54.0"},
		{"pid on 1.49", "1.49.0", "settings.kubernetes.kube-reserved.pid = \"100\"\n", "", ""},
		{"unknown release", "", "settings.kubernetes.kube-reserved.pid = \"100\"\n", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{true, false} {
				_, problems := Render(Input{Strict: strict, Variant: "aws-k8s-1.33-nvidia", BottlerocketRelease: tc.release, CustomUserData: []string{tc.fragment}})
				if tc.setting == "" {
					assertProblems(t, problems)
					continue
				}
				// Certain to fail at boot: an error even when not strict.
				assertProblems(t, problems, errAt(FieldCustomUserData, 0, tc.setting, tc.detail))
			}
		})
	}
	_, problems := Render(Input{BottlerocketRelease: "1.x"})
	assertProblems(t, problems, errAt(FieldBottlerocketRelease, -1, "", "is not a Bottlerocket release"))
}

// strict = false: doubts of the model become warnings, Bottlerocket's own
// rules stay errors.
func TestModel_StrictFalse(t *testing.T) {
	cases := []struct {
		name, fragment, setting, detail string
		sev                             Severity
	}{
		{"unknown key", "settings.kubernetes.brand-new = 1\n", "settings.kubernetes.brand-new", "is not a setting Bottlerocket knows", SeverityWarning},
		{"kubelet rule", "settings.kubernetes.image-gc-high-threshold-percent = 50\nsettings.kubernetes.image-gc-low-threshold-percent = 60\n", "settings.kubernetes.image-gc-low-threshold-percent", "Bottlerocket itself does not check it", SeverityWarning},
		{"documented range", "settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack.max-concurrent-downloads-per-image = 0\n", "settings.container-runtime-plugins.soci-snapshotter.parallel-pull-unpack.max-concurrent-downloads-per-image", "out of range", SeverityWarning},
		{"kubelet taint effect", "settings.kubernetes.node-taints.dedicated = [\"gpu:NoScheduel\"]\n", "settings.kubernetes.node-taints.dedicated", `Did you mean "NoSchedule"?`, SeverityWarning},
		{"taint effect Bottlerocket refuses", "settings.kubernetes.node-taints.dedicated = [\"gpu:No-Schedule\"]\n", "settings.kubernetes.node-taints.dedicated", "must be 1-253 letters or digits", SeverityError},
		{"modeled type", "settings.network.hostname = \"A\"\n", "settings.network.hostname", "not a Linux hostname", SeverityError},
		{"JSON type", "settings.kubernetes.max-pods = \"10\"\n", "settings.kubernetes.max-pods", "must be a u32 integer", SeverityError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Render(Input{CustomUserData: []string{tc.fragment}})
			assertProblems(t, problems, want{sev: tc.sev, field: FieldCustomUserData, index: 0, setting: tc.setting, detail: tc.detail})
			_, problems = Render(Input{Strict: true, CustomUserData: []string{tc.fragment}})
			assertProblems(t, problems, errAt(FieldCustomUserData, 0, tc.setting, tc.detail))
		})
	}
}

func TestReleaseFromImage(t *testing.T) {
	for name, want := range map[string]string{
		"bottlerocket-aws-k8s-1.32-x86_64-v1.30.0-0a2d6d6b":       "1.30.0",
		"bottlerocket-aws-k8s-1.33-nvidia-arm64-v1.49.2-a1b2c3d4": "1.49.2",
		"my-copy-of-bottlerocket":                                 "",
		"bottlerocket-aws-k8s-1.32-x86_64-v1.30-0a2d6d6b":         "",
	} {
		got, ok := ReleaseFromImageName(name)
		if got != want || ok != (want != "") {
			t.Errorf("ReleaseFromImageName(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for v, want := range map[string]string{"1.30.0-0a2d6d6b": "1.30.0", "1.30.0": "1.30.0", "latest": "", "1.30": ""} {
		got, ok := ReleaseFromImageVersion(v)
		if got != want || ok != (want != "") {
			t.Errorf("ReleaseFromImageVersion(%q) = %q, %v; want %q", v, got, ok, want)
		}
	}
}

// PemCertificateString as x509-parser reads a bundle: blank deletes it,
// text between blocks and the block label are not looked at, bytes after
// a certificate's DER are ignored; every block must hold a certificate.
func TestRulePEMBundle(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	// Go does not create a certificate with a negative serial number:
	// sign serial 5 and turn its DER INTEGER into -5 (the signature is not
	// checked when parsing).
	tmpl.SerialNumber = big.NewInt(5)
	five, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	negative := bytes.Replace(five, []byte{0x02, 0x01, 0x05}, []byte{0x02, 0x01, 0xfb}, 1)
	if _, err := x509.ParseCertificate(negative); err == nil || !strings.Contains(err.Error(), "negative serial number") {
		t.Fatalf("the test certificate should have a negative serial number Go refuses, got %v", err)
	}
	block := func(label string, b []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: b}))
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cert := block("CERTIFICATE", der)
	for _, tc := range []struct {
		name, value, detail string
	}{
		{"one certificate", b64(cert), ""},
		{"two certificates with text around", b64("# bundle\n" + cert + "comment\n" + cert + "trailer\n"), ""},
		{"another label", b64(block("X509 CERTIFICATE", der)), ""},
		{"negative serial number", b64(block("CERTIFICATE", negative)), ""},
		{"bytes after the DER", b64(block("TRUSTED CERTIFICATE", append(append([]byte{}, der...), 0x30, 0x00))), ""},
		{"empty", "", ""},
		{"blank", "  ", ""},
		{"not base64", "-----BEGIN CERTIFICATE-----", "looks like PEM text"},
		{"no block", b64("hello"), "decodes to no PEM certificate"},
		{"private key", b64(block("PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01, 0x00})), "is a PRIVATE KEY, not an X.509 certificate"},
		{"bad certificate", b64(block("CERTIFICATE", []byte("bad"))), "is not a valid X.509 certificate"},
		{"second block bad", b64(cert + block("CERTIFICATE", der[:len(der)-4])), "PEM block 2 of the bundle is not a valid X.509 certificate"},
		{"missing END", b64(cert + "-----BEGIN CERTIFICATE-----\nMIIB\n"), "missing -----END line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rulePEMBundle(tc.value)
			if tc.detail == "" && got != "" || tc.detail != "" && !strings.Contains(got, tc.detail) {
				t.Errorf("rulePEMBundle = %q, want %q", got, tc.detail)
			}
		})
	}
}

// IntegerPercent (image GC thresholds: a number or a numeric string Rust's
// i32 parse reads, 0 to 100), KubernetesTaintValue and EtcHostsEntries
// (IP address, then Linux hostnames), from modeled-types kubernetes.rs and
// shared.rs.
func TestModel_IntegerPercentTaintValueHosts(t *testing.T) {
	const gc = "settings.kubernetes.image-gc-high-threshold-percent"
	const taint = "settings.kubernetes.node-taints.dedicated"
	runModelCases(t, []modelCase{
		{"percent 0", gc + " = 0\n", "", "", ""},
		{"percent 100 string", gc + " = \"100\"\n", "", "", ""},
		{"percent plus sign", gc + " = \"+42\"\n", "", "", ""},
		{"percent negative", gc + " = -1\n", "", gc, "-1 is not a percentage from 0 to 100"},
		{"percent string over", gc + " = \"101\"\n", "", gc, "101 is not a percentage from 0 to 100"},
		{"percent float", gc + " = 42.0\n", "", gc, "must be an integer or a numeric string from 0 to 100"},
		{"percent not a number", gc + " = \"4 2\"\n", "", gc, "must be an integer or a numeric string from 0 to 100"},
		{"percent empty", gc + " = \"\"\n", "", gc, "must be an integer or a numeric string from 0 to 100"},
		{"taint empty value", taint + " = [\":NoSchedule\"]\n", "", "", ""},
		{"taint value with dash", taint + " = [\"a-b:NoSchedule\"]\n", "", "", ""},
		{"taint value leading dash", taint + " = [\"-a:NoSchedule\"]\n", "", taint, `value "-a" of taint "dedicated" is invalid`},
		{"taint value trailing dash", taint + " = [\"a-:NoSchedule\"]\n", "", taint, `value "a-" of taint "dedicated" is invalid`},
		{"taint without effect", taint + " = [\"value:\"]\n", "", taint, "must be 1-253 letters or digits"},
		{"taint value too long", taint + " = [\"" + repeat("a", 64) + ":NoSchedule\"]\n", "", taint, "must be no more than 63 characters"},
		{"hosts long IPv6", "settings.network.hosts = [[\"0000:0000:0000:0000:0000:0000:0000:0001\", [\"test6.example.com\"]]]\n", "", "", ""},
		{"hosts repeated address", "settings.network.hosts = [[\"127.0.0.1\", [\"localhost\"]], [\"127.0.0.1\", [\"test.example.com\"]]]\n", "", "", ""},
		{"hosts empty", "settings.network.hosts = []\n", "", "", ""},
		{"hosts CIDR", "settings.network.hosts = [[\"127.0.0.0/24\", [\"localhost\"]]]\n", "", "settings.network.hosts", "is not an IPv4 or IPv6 address"},
		{"hosts bad name", "settings.network.hosts = [[\"127.0.0.1\", [\"not_a_valid_hostname!\"]]]\n", "", "settings.network.hosts", "not a Linux hostname"},
	})
}
