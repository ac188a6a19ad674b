package bottlerocket

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// sourceCase is one user-data document with the verdict Bottlerocket itself
// gives it, transcribed from Bottlerocket's own sources (the unit tests of
// each modelled type, the settings structs' serde rules, and user data that
// Karpenter / eksctl / the Bottlerocket docs generate). These cases were
// written before reading this package's model, as an outside reviewer would.
type sourceCase struct {
	name    string
	source  string // file the verdict comes from
	variant string // default aws-k8s-1.32
	doc     string
	accept  bool
}

const (
	srcK8sTypes    = "bottlerocket-settings-sdk bottlerocket-settings-models/modeled-types/src/kubernetes.rs"
	srcSharedTypes = "bottlerocket-settings-sdk bottlerocket-settings-models/modeled-types/src/shared.rs"
	srcKarpenter   = "karpenter-provider-aws pkg/providers/amifamily/bootstrap/bottlerocketsettings.go"
	srcDocs        = "bottlerocket README.md / bottlerocket-project-website data/settings"
)

func q(s string) string { return fmt.Sprintf("%q", s) }

// perValue expands one document template over good and bad values from a
// type's #[test] lists.
func perValue(prefix, source, template string, good, bad []string) []sourceCase {
	var cases []sourceCase
	for _, v := range good {
		cases = append(cases, sourceCase{name: prefix + "/ok/" + v, source: source, doc: fmt.Sprintf(template, q(v)), accept: true})
	}
	for _, v := range bad {
		cases = append(cases, sourceCase{name: prefix + "/bad/" + v, source: source, doc: fmt.Sprintf(template, q(v)), accept: false})
	}
	return cases
}

// testPEMBase64 is a freshly generated self-signed certificate, PEM-encoded
// then base64-encoded, the form pki.<name>.data takes.
func testPEMBase64(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).Add(100 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func sourceCases(t *testing.T) []sourceCase {
	a := strings.Repeat
	var cs []sourceCase
	add := func(c ...sourceCase) { cs = append(cs, c...) }

	// kubernetes.rs test_kubernetes_label_key (node-labels keys)
	add(perValue("label-key", srcK8sTypes, "[settings.kubernetes.node-labels]\n%s = \"v\"\n",
		[]string{"no-prefix", "have.a/prefix", "more-chars_here.now", a("a", 63), a("a", 253) + "/name"},
		[]string{".bad", "bad.", a("a", 64), a("a", 254) + "/name"})...)
	// kubernetes.rs test_kubernetes_label_value
	add(perValue("label-value", srcK8sTypes, "[settings.kubernetes.node-labels]\n\"k\" = %s\n",
		[]string{"", "more-chars_here.now", a("a", 63)},
		[]string{".bad", "bad.", a("a", 64)})...)
	// kubernetes.rs test_kubernetes_taint_value (node-taints values are lists)
	add(perValue("taint-value", srcK8sTypes, "[settings.kubernetes.node-taints]\n\"dedicated\" = [%s]\n",
		[]string{"value:NoSchedule", "value:PreferNoSchedule", "value:NoExecute", ":NoSchedule", "a:NoSchedule", "a-b:NoSchedule"},
		[]string{".bad", "bad.", a("a", 254), "value:", ":", "-a:NoSchedule", "a-:NoSchedule"})...)
	// kubernetes.rs test_kubernetes_cluster_name
	add(perValue("cluster-name", srcK8sTypes, "[settings.kubernetes]\ncluster-name = %s\n",
		[]string{"more-chars_here-123", "trailing-dash-", "under_score_", a("a", 100)},
		[]string{"", "bad.", "-bad", "_bad", "very bad", a("a", 101)})...)
	// kubernetes.rs test_kubernetes_authentication_mode
	add(perValue("authentication-mode", srcK8sTypes, "[settings.kubernetes]\nauthentication-mode = %s\n",
		[]string{"aws", "tls"}, []string{"", "anonymous"})...)
	// kubernetes.rs test_kubernetes_bootstrap_token
	add(perValue("bootstrap-token", srcK8sTypes, "[settings.kubernetes]\nbootstrap-token = %s\n",
		[]string{"abcdef.0123456789abcdef", "07401b.f395accd246ae52d"},
		[]string{"", "ABCDEF.0123456789ABCDEF", "secret", a("a", 23)})...)
	// kubernetes.rs test_kubernetes_eviction_key (eviction-hard keys)
	add(perValue("eviction-key", srcK8sTypes, "[settings.kubernetes.eviction-hard]\n%s = \"10%%\"\n",
		[]string{"memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "pid.available"},
		[]string{"", "storage.available", ".bad", "bad.", a("a", 64)})...)
	// kubernetes.rs test_kubernetes_threshold_value (eviction-hard values)
	add(perValue("threshold", srcK8sTypes, "[settings.kubernetes.eviction-hard]\n\"memory.available\" = %s\n",
		[]string{"10%", "129e6", "10Mi", "1024M", "1Gi", "120Ki", "1Ti", "1000n", "100m"},
		[]string{"", "anything%", "12ki", "100e23m", "1100KTi", "100Kiii", "1000i", a("a", 64), "100%"})...)
	// kubernetes.rs test_reserved_resources_key (kube-reserved keys)
	add(perValue("reserved-key", srcK8sTypes, "[settings.kubernetes.kube-reserved]\n%s = \"1\"\n",
		[]string{"cpu", "memory", "ephemeral-storage"},
		[]string{"", "cpa", ".bad", "bad.", a("a", 64)})...)
	// kubernetes.rs test_kubernetes_quantity_value (system-reserved values)
	add(perValue("quantity", srcK8sTypes, "[settings.kubernetes.system-reserved]\nmemory = %s\n",
		[]string{"129e6", "10Mi", "1024M", "1Gi", "120Ki", "1Ti", "1000n", "100m"},
		[]string{"", "12%", "anything%", "12ki", "100e23m", "1100KTi", "100Kiii", "1000i", a("a", 64)})...)
	// kubernetes.rs test_kubernetes_cloud_provider
	add(perValue("cloud-provider", srcK8sTypes, "[settings.kubernetes]\ncloud-provider = %s\n",
		[]string{"aws", "external", ""}, []string{"internal"})...)
	// kubernetes.rs test_cpu_manager_policy
	add(perValue("cpu-manager-policy", srcK8sTypes, "[settings.kubernetes]\ncpu-manager-policy = %s\n",
		[]string{"Static", "static", "None", "none"}, []string{"", "bad", "100", a("a", 64)})...)
	// kubernetes.rs test_kubernetes_duration_value (cpu-manager-reconcile-period)
	add(perValue("duration", srcK8sTypes, "[settings.kubernetes]\ncpu-manager-reconcile-period = %s\n",
		[]string{"9ms", "99s", "20m", "1h", "1h2m3s10ms", "4m5s10ms", "2h3s10ms", "1.5h3.5m"},
		[]string{"", "100", "...3ms", "1..5s", "ten second", "1m2h", "9ns", a("a", 23)})...)
	// kubernetes.rs test_topology_manager_scope / _policy
	add(perValue("topology-scope", srcK8sTypes, "[settings.kubernetes]\ntopology-manager-scope = %s\n",
		[]string{"container", "pod"}, []string{"", "bad", "100"})...)
	add(perValue("topology-policy", srcK8sTypes, "[settings.kubernetes]\ntopology-manager-policy = %s\n",
		[]string{"none", "restricted", "best-effort", "single-numa-node"}, []string{"", "bad", "100"})...)
	// kubernetes.rs test_integer_percent: numbers or strings, 0..=100
	for _, v := range []string{"0", "1", "99", "100", "42", `"42"`, `"0"`} {
		add(sourceCase{name: "gc-percent/ok/" + v, source: srcK8sTypes, doc: "[settings.kubernetes]\nimage-gc-high-threshold-percent = " + v + "\n", accept: true})
	}
	for _, v := range []string{"-1", "101", "99999999", `"foo"`, `"99999999"`, `""`} {
		add(sourceCase{name: "gc-percent/bad/" + v, source: srcK8sTypes, doc: "[settings.kubernetes]\nimage-gc-low-threshold-percent = " + v + "\n", accept: false})
	}
	// kubernetes.rs test_cluster_dns_ip: a scalar or a list of IP addresses
	for _, v := range []string{`"127.0.0.1"`, `"::1"`, `[]`, `["127.0.0.1", "::1"]`, `["10.100.0.10"]`} {
		add(sourceCase{name: "cluster-dns-ip/ok/" + v, source: srcK8sTypes, doc: "[settings.kubernetes]\ncluster-dns-ip = " + v + "\n", accept: true})
	}
	for _, v := range []string{`"not-an-ip"`, `["10.0.0.10", "dns"]`, `"10.100.0.0/16"`} {
		add(sourceCase{name: "cluster-dns-ip/bad/" + v, source: srcK8sTypes, doc: "[settings.kubernetes]\ncluster-dns-ip = " + v + "\n", accept: false})
	}
	// kubernetes.rs test_kubernetes_cpu_manager_policy_option
	add(perValue("cpu-manager-policy-options", srcK8sTypes, "[settings.kubernetes]\ncpu-manager-policy-options = [%s]\n",
		[]string{"full-pcpus-only"}, []string{"fullPCPUSOnly", "", "align-by-socket"})...)
	// kubernetes.rs test_memory_reservation_key; KubernetesMemoryReservation
	// has a required `enabled` and flattened quantity limits.
	add(perValue("memory-reservation-key", srcK8sTypes, "[settings.kubernetes.memory-manager-reserved-memory.0]\nenabled = true\n%s = \"1Gi\"\n",
		[]string{"memory", "hugepages-2Mi", "hugepages-1Gi"}, []string{"cpu", "hugepages-1Mi", "HugePages_1Gi"})...)
	add(sourceCase{name: "memory-reservation/no-enabled", source: srcK8sTypes + " KubernetesMemoryReservation.enabled is not optional",
		doc: "[settings.kubernetes.memory-manager-reserved-memory.0]\nmemory = \"1Gi\"\n", accept: false})
	// kubernetes.rs test_kubernetes_memory_manager_policy
	add(perValue("memory-manager-policy", srcK8sTypes, "[settings.kubernetes]\nmemory-manager-policy = %s\n",
		[]string{"Static", "static", "None", "none"}, []string{"", "dynamic"})...)
	// kubernetes.rs test_hostname_override_source
	add(perValue("hostname-override-source", srcK8sTypes, "[settings.kubernetes]\nhostname-override-source = %s\n",
		[]string{"private-dns-name", "instance-id"}, []string{"", "invalid"})...)
	// kubernetes.rs CredentialProvider: enabled and image-patterns required
	add(sourceCase{name: "credential-provider/ok", source: srcK8sTypes + " CredentialProvider",
		doc: "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\ncache-duration = \"30m\"\nimage-patterns = [\"*.dkr.ecr.us-east-2.amazonaws.com\"]\n[settings.kubernetes.credential-providers.ecr-credential-provider.environment]\n\"AWS_PROFILE\" = \"default\"\n", accept: true})
	add(sourceCase{name: "credential-provider/no-image-patterns", source: srcK8sTypes + " CredentialProvider.image_patterns is not optional",
		doc: "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\n", accept: false})
	add(sourceCase{name: "credential-provider/bad-cache-duration", source: srcK8sTypes + " CredentialProvider.cache_duration: KubernetesDurationValue",
		doc: "[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\nimage-patterns = [\"*\"]\ncache-duration = \"30\"\n", accept: false})

	// kubernetes.rs test_nvidia_device_plugins (nvidia variants)
	nv := "aws-k8s-1.32-nvidia"
	nvDoc := "[settings.kubelet-device-plugins.nvidia]\n"
	add(sourceCase{name: "nvidia/serde", source: srcK8sTypes, variant: nv, doc: nvDoc + "pass-device-specs = false\ndevice-id-strategy = \"uuid\"\ndevice-list-strategy = \"envvar\"\n", accept: true})
	add(sourceCase{name: "nvidia/time-slicing", source: srcK8sTypes, variant: nv, doc: nvDoc + "device-sharing-strategy = \"time-slicing\"\n[settings.kubelet-device-plugins.nvidia.time-slicing]\nreplicas = 2\nrename-by-default = true\nfail-requests-greater-than-one = true\n", accept: true})
	add(sourceCase{name: "nvidia/time-slicing-replicas-0", source: srcK8sTypes + " test_invalid_time_slicing_replicas", variant: nv, doc: nvDoc + "device-sharing-strategy = \"time-slicing\"\n[settings.kubelet-device-plugins.nvidia.time-slicing]\nreplicas = 0\n", accept: false})
	add(sourceCase{name: "nvidia/time-slicing-replicas-1", source: srcK8sTypes + " TIME_SLICING_REPLICAS_MIN = 2", variant: nv, doc: nvDoc + "[settings.kubelet-device-plugins.nvidia.time-slicing]\nreplicas = 1\n", accept: false})
	add(sourceCase{name: "nvidia/mig", source: srcK8sTypes, variant: nv, doc: nvDoc + "device-partitioning-strategy = \"mig\"\n", accept: true})
	add(sourceCase{name: "nvidia/bad-id-strategy", source: srcK8sTypes + " NvidiaDeviceIdStrategy", variant: nv, doc: nvDoc + "device-id-strategy = \"serial\"\n", accept: false})
	add(sourceCase{name: "nvidia/bad-list-strategy", source: srcK8sTypes + " NvidiaDeviceListStrategy", variant: nv, doc: nvDoc + "device-list-strategy = \"cdi-annotations\"\n", accept: false})
	add(sourceCase{name: "nvidia/list-strategy-volume-mounts", source: srcK8sTypes + " NvidiaDeviceListStrategy", variant: nv, doc: nvDoc + "device-list-strategy = \"volume-mounts\"\n", accept: true})
	add(sourceCase{name: "nvidia/bad-sharing", source: srcK8sTypes + " NvidiaDeviceSharingStrategy", variant: nv, doc: nvDoc + "device-sharing-strategy = \"spatial\"\n", accept: false})
	add(sourceCase{name: "nvidia/bad-partitioning", source: srcK8sTypes + " NvidiaDevicePartitioningStrategy", variant: nv, doc: nvDoc + "device-partitioning-strategy = \"MIG\"\n", accept: false})
	add(perValue("nvidia/mig-profile", srcK8sTypes, "[settings.kubelet-device-plugins.nvidia.mig.profile]\n\"a100.40gb\" = %s\n",
		[]string{"1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb", "1g.10gb", "7g.141gb", "1", "2", "3", "4", "7"},
		[]string{"invalid", "1000", "5", "10g.100GB", "1g.10GB", "1g10gb", "g.10gb", "1g.gb"})...)
	add(perValue("nvidia/gpu-model", srcK8sTypes, "[settings.kubelet-device-plugins.nvidia.mig.profile]\n%s = \"1g.5gb\"\n",
		[]string{"a100.40gb", "a100.80gb", "h100.80gb", "h100.141gb"},
		[]string{"invalid", "1000", "A100.40GB", "a100.40"})...)
	for i := range cs {
		if strings.HasPrefix(cs[i].name, "nvidia/") {
			cs[i].variant = nv
		}
	}

	// shared.rs test_valid_identifier (host-container names)
	add(perValue("identifier", srcSharedTypes, "[settings.host-containers.%s]\nenabled = true\nsource = \"public.ecr.aws/example/example\"\n",
		[]string{"hello-world", "helloworld", "123321hello", "hello-1234", "--------", "11111111", a("X", 76)},
		[]string{"../", "{}", "hello|World", "hello_world", "タール", a("X", 77)})...)
	// shared.rs test_valid_linux_hostname (network.hostname)
	add(perValue("hostname", srcSharedTypes, "[settings.network]\nhostname = %s\n",
		[]string{"hello", "hello1234567890", a("a", 63), strings.Join([]string{a("a", 63), a("a", 63), a("a", 63), a("a", 61)}, ".")},
		[]string{" ", "-a", ".a", "@a", "a..a", "a.a.-a.a1234", a("a", 64), "Hello"})...)
	// shared.rs test_etc_hosts_entries (network.hosts)
	for _, v := range []string{`[["127.0.0.1", ["localhost", "localhost4"]], ["::1", ["localhost", "localhost6"]]]`, `[]`, `[["10.0.0.1", ["example.bottlerocket.aws"]]]`} {
		add(sourceCase{name: "hosts/ok/" + v, source: srcSharedTypes, doc: "[settings.network]\nhosts = " + v + "\n", accept: true})
	}
	for _, v := range []string{`[["127.0.0.0/24", ["localhost"]]]`, `[["not_an_ip", ["localhost"]]]`, `[["127.0.0.1", ["not_a_valid_hostname!"]]]`} {
		add(sourceCase{name: "hosts/bad/" + v, source: srcSharedTypes, doc: "[settings.network]\nhosts = " + v + "\n", accept: false})
	}
	// shared.rs test_url (ntp.time-servers, network.https-proxy)
	urlsGood := []string{"https://example.com/path", "https://example.com", "example.com/path", "example.com", "ntp://127.0.0.1/path", "ntp://127.0.0.1", "127.0.0.1", "http://localhost", "localhost", "localhost:8080", ".internal"}
	urlsBad := []string{"how are you", "weird@", "not a url", "https://example.com/path\n", "https://example.com/path\t"}
	add(perValue("ntp", srcSharedTypes, "[settings.ntp]\ntime-servers = [%s]\n", urlsGood, urlsBad)...)
	add(perValue("https-proxy", srcSharedTypes, "[settings.network]\nhttps-proxy = %s\n", []string{"http://proxy.example.com:3128", "10.0.0.1:3128"}, []string{"not a url"})...)
	// shared.rs test_version (updates.version-lock)
	add(perValue("version-lock", srcSharedTypes, "[settings.updates]\nversion-lock = %s\n",
		[]string{"1.0.0", "v1.0.0", "1.0.1-alpha", "v1.0.2-alpha+1.0", "1.1.0-rc.1.1", "latest"},
		[]string{"hi", "1.0", "1", "v", "v1", "v1.0", "vv1.1.0", "1.0.3-beta.1.01"})...)
	// shared.rs test_dns_domain (kubernetes.cluster-domain)
	add(perValue("cluster-domain", srcSharedTypes, "[settings.kubernetes]\ncluster-domain = %s\n",
		[]string{"cluster.local", "dev.eks", "stage.eks", "prod.eks"},
		[]string{"foo/com", ".a", "123.123.123.123", "[2001:db8::ff00:42:8329]"})...)
	// shared.rs test_sysctl_key (kernel.sysctl keys)
	add(perValue("sysctl-key", srcSharedTypes, "[settings.kernel.sysctl]\n%s = \"1\"\n",
		[]string{"net/ipv4/conf/enp0s42f3/igmpv3_unsolicited_report_interval", "net.ipv4.conf.enp0s42f3.igmpv3_unsolicited_report_interval", "fs/aio-nr", "a", a("a", 128), "-./0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		[]string{a("a", 129), "", "hi/../../there", "../hi", "/../hi", "!", "@", "%", "*", "\"", "'", "\\", "|", "~"})...)
	// shared.rs test_bootconfig_key / test_bootconfig_value (boot.kernel-parameters)
	add(perValue("bootconfig-key", srcSharedTypes, "[settings.boot.kernel-parameters]\n%s = [\"v\"]\n",
		[]string{"keyword1.keyword2", "-keyword1.keyword2", "_keyword.1.2.3", "key_word", "key-word", "keyword1", "keyword1-", "keyword2_"},
		[]string{"", "①", ".", "!", "@", "#", "$", "*", "\"", "'", "|", "~"})...)
	add(perValue("bootconfig-value", srcSharedTypes, "[settings.boot.init-parameters]\n\"systemd.log_level\" = [%s]\n",
		[]string{"plain", "@yogurt@", "\"abc", " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}", "1", "hello.goodbye", ""},
		[]string{"'\"", "bottlerocket①", "💝", "Ï", "—"})...)
	// shared.rs Lockdown
	add(perValue("lockdown", srcSharedTypes, "[settings.kernel]\nlockdown = %s\n",
		[]string{"none", "integrity", "confidentiality"}, []string{"", "Integrity", "strict"})...)
	// shared.rs test_valid_apiclient_command, BootstrapMode (bootstrap-commands)
	for _, c := range []struct {
		cmds, mode string
		ok         bool
	}{
		{`[["apiclient", "set", "motd=helloworld"]]`, "once", true},
		{`[["apiclient", "set", "motd=helloworld"], ["apiclient", "ephemeral-storage", "init"]]`, "always", true},
		{`[["apiclient", "set", "motd=helloworld"]]`, "off", true},
		{`[["/usr/bin/touch", "helloworld"]]`, "once", false},
		{`[[]]`, "once", false},
		{`[["apiclient", "set", "motd=helloworld"]]`, "invalid", false},
	} {
		add(sourceCase{name: "bootstrap-commands/" + c.mode + "/" + c.cmds, source: srcSharedTypes + " ApiclientCommand / BootstrapMode",
			doc: "[settings.bootstrap-commands.test-cmd]\ncommands = " + c.cmds + "\nmode = " + q(c.mode) + "\nessential = true\n", accept: c.ok})
	}
	// shared.rs BootstrapMode (bootstrap-containers)
	add(perValue("bootstrap-container-mode", srcSharedTypes, "[settings.bootstrap-containers.setup]\nsource = \"public.ecr.aws/example/example\"\nmode = %s\nessential = false\n",
		[]string{"off", "once", "always"}, []string{"invalid", "On"})...)
	// shared.rs test_valid_kmod_key (kernel.modules)
	add(perValue("kmod-key", srcSharedTypes, "[settings.kernel.modules.%s]\nallowed = false\n",
		[]string{"kmod", "i8042", "xt_XT", "dm-block", "blowfish-x86_64", a("a", 56)},
		[]string{"../", "{}", "kernel|Module", "🐡", a("z", 57)})...)
	// shared.rs test_valid_base64 (container-registry.credentials auth)
	add(perValue("registry-auth", srcSharedTypes, "[[settings.container-registry.credentials]]\nregistry = \"docker.io\"\nauth = %s\n",
		[]string{"aGk="}, []string{"invalid base64"})...)
	// shared.rs test_single_line_string (motd is a plain String; kubernetes
	// standalone fields are SingleLineString: node-labels value tested above)
	add(sourceCase{name: "motd/any", source: srcDocs + " settings.motd is a String", doc: "[settings]\nmotd = \"Hello\\nWorld\"\n", accept: true})

	// shared.rs test_valid_pem_certificate_string (pki.<name>.data)
	pemOK := testPEMBase64(t)
	add(perValue("pki-data", srcSharedTypes, "[settings.pki.my-trusted-bundle]\ntrusted = true\ndata = %s\n",
		[]string{pemOK, ""},
		[]string{"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tIGJhZCAtLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==", "77yc44Kz77ya44OfIOOBj+OCszrlvaEg77yc44Kz77ya44OfIOOBj+OCszrlvaEg77yc44Kz77ya44OfCg==", "not base64!"})...)
	add(sourceCase{name: "pki-name/bad", source: srcSharedTypes + " pki is HashMap<Identifier, PemCertificate>", doc: "[settings.pki.my_bundle]\ntrusted = true\ndata = \"\"\n", accept: false})

	// Whole documents users paste: Karpenter's Bottlerocket user data and
	// eksctl / EKS managed node group style documents.
	karpenter := `[settings.kubernetes]
api-server = "https://ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com"
cluster-certificate = "` + base64.StdEncoding.EncodeToString([]byte("ca-bundle")) + `"
cluster-name = "test-cluster"
cluster-dns-ip = "10.100.0.10"
max-pods = 110
[settings.kubernetes.node-labels]
"karpenter.sh/capacity-type" = "on-demand"
"karpenter.sh/nodepool" = "default"
"karpenter.k8s.aws/ec2nodeclass" = "default"
[settings.kubernetes.node-taints]
"karpenter.sh/unregistered" = ["true:NoExecute"]
"example.com/dedicated" = ["gpu:NoSchedule"]
[settings.kubernetes.kube-reserved]
cpu = "80m"
ephemeral-storage = "1Gi"
memory = "893Mi"
[settings.kubernetes.system-reserved]
cpu = "100m"
memory = "100Mi"
[settings.kubernetes.eviction-hard]
"memory.available" = "5%"
"nodefs.available" = "10%"
"nodefs.inodesFree" = "10%"
`
	add(sourceCase{name: "whole/karpenter", source: srcKarpenter, doc: karpenter, accept: true})
	add(sourceCase{name: "whole/karpenter-ipv6-dns", source: srcKarpenter, doc: strings.Replace(karpenter, `"10.100.0.10"`, `"fd00:10:100::a"`, 1), accept: true})
	add(sourceCase{name: "whole/karpenter-table-twice", source: srcKarpenter + " + TOML 1.0: a table defined twice does not parse", doc: karpenter + "[settings.kubernetes]\n", accept: false})
	add(sourceCase{name: "whole/karpenter-bad-taint", source: srcKarpenter + " + kubernetes.rs taint value", doc: strings.Replace(karpenter, `"gpu:NoSchedule"`, `"gpu"`, 1), accept: false})
	add(sourceCase{name: "whole/karpenter-bad-reserved", source: srcKarpenter + " + kubernetes.rs reserved key", doc: strings.Replace(karpenter, `ephemeral-storage = "1Gi"`, `storage = "1Gi"`, 1), accept: false})
	add(sourceCase{name: "whole/karpenter-bad-cluster-name", source: srcKarpenter + " + kubernetes.rs cluster name", doc: strings.Replace(karpenter, `"test-cluster"`, `"test.cluster"`, 1), accept: false})
	add(sourceCase{name: "whole/karpenter-max-pods-string", source: srcKarpenter + " max-pods is a u32", doc: strings.Replace(karpenter, `max-pods = 110`, `max-pods = "110"`, 1), accept: false})
	add(sourceCase{name: "whole/karpenter-max-pods-negative", source: srcKarpenter + " max-pods is a u32", doc: strings.Replace(karpenter, `max-pods = 110`, `max-pods = -1`, 1), accept: false})
	eksctl := `[settings.host-containers.admin]
enabled = true
[settings.host-containers.control]
enabled = true
[settings.kubernetes]
cluster-name = "my-cluster"
api-server = "https://ABCDEF.yl4.us-west-2.eks.amazonaws.com"
cluster-certificate = "aGk="
cluster-dns-ip = "10.100.0.10"
[settings.kubernetes.node-labels]
"alpha.eksctl.io/cluster-name" = "my-cluster"
"alpha.eksctl.io/nodegroup-name" = "ng-1"
[settings.kernel.sysctl]
"net.core.rmem_max" = "8388608"
[settings.motd]
`
	add(sourceCase{name: "whole/eksctl", source: "eksctl pkg/nodebootstrap/bottlerocket.go", doc: strings.TrimSuffix(eksctl, "[settings.motd]\n") + "[settings]\nmotd = \"eksctl\"\n", accept: true})
	add(sourceCase{name: "whole/eksctl-bad-container-name", source: "eksctl + shared.rs Identifier", doc: strings.Replace(eksctl, "host-containers.admin]", "host-containers.admin_1]", 1), accept: false})
	add(sourceCase{name: "whole/mng-fragment", source: "EKS managed node group: user data merges with cluster settings; a fragment sets only some", doc: "[settings.kubernetes]\nmax-pods = 58\n[settings.kubernetes.node-labels]\nteam = \"a\"\n", accept: true})
	add(sourceCase{name: "whole/api-server-http", source: srcDocs + " api-server is a Url", doc: "[settings.kubernetes]\napi-server = \"http://10.0.0.1:6443\"\n", accept: true})
	add(sourceCase{name: "whole/readme-quickstart", source: srcDocs + " QUICKSTART-EKS.md", doc: "[settings.kubernetes]\napi-server = \"https://example.eks.amazonaws.com\"\ncluster-name = \"my-cluster\"\ncluster-certificate = \"aGk=\"\n[settings.updates]\nignore-waves = true\nseed = 4294967295\n", accept: true})
	add(sourceCase{name: "whole/update-seed-negative", source: srcDocs + " updates.seed is a u32", doc: "[settings.updates]\nseed = -1\n", accept: false})
	add(sourceCase{name: "whole/ntp-options", source: srcDocs + " ntp", doc: "[settings.ntp]\ntime-servers = [\"169.254.169.123\"]\noptions = [\"minpoll 4\", \"maxpoll 4\"]\n", accept: true})
	add(sourceCase{name: "whole/dns", source: srcDocs + " dns.name-servers are IpAddr", doc: "[settings.dns]\nname-servers = [\"1.1.1.1\", \"2606:4700:4700::1111\"]\nsearch-list = [\"example.com\"]\n", accept: true})
	add(sourceCase{name: "whole/dns-bad", source: srcDocs + " dns.name-servers are IpAddr", doc: "[settings.dns]\nname-servers = [\"dns.example.com\"]\n", accept: false})
	add(sourceCase{name: "whole/unknown-family", source: "strict: a family Bottlerocket does not have fails settings deserialization", doc: "[settings.nonsense]\nkey = \"v\"\n", accept: false})
	add(sourceCase{name: "whole/unknown-kubernetes-key", source: "KubernetesSettings has deny_unknown_fields via #[model]", doc: "[settings.kubernetes]\nmax-pod = 10\n", accept: false})
	add(sourceCase{name: "whole/container-runtime", source: srcDocs + " container-runtime", doc: "[settings.container-runtime]\nmax-concurrent-downloads = 3\nmax-container-log-line-size = 16384\nenable-unprivileged-icmp = true\nenable-unprivileged-ports = true\n", accept: true})
	add(sourceCase{name: "whole/registry-mirrors", source: srcDocs + " container-registry.mirrors", doc: "[[settings.container-registry.mirrors]]\nregistry = \"docker.io\"\nendpoint = [\"https://mirror.example.com\"]\n", accept: true})
	add(sourceCase{name: "whole/oci-defaults", source: srcDocs + " oci-defaults", doc: "[settings.oci-defaults.resource-limits.max-open-files]\nsoft-limit = 1024\nhard-limit = 4096\n[settings.oci-defaults]\n[settings.oci-defaults.capabilities]\nchown = true\nnet-raw = false\n", accept: true})
	add(sourceCase{name: "whole/oci-defaults-bad-cap", source: srcDocs + " oci-defaults capabilities are a closed table of booleans (1.14.x oci-defaults.toml)", doc: "[settings.oci-defaults.capabilities]\nfly = true\n", accept: false})
	add(sourceCase{name: "whole/metrics", source: srcDocs + " metrics", doc: "[settings.metrics]\nsend-metrics = false\nmetrics-url = \"https://metrics.bottlerocket.aws/v1/metrics\"\nservice-checks = [\"apiserver\"]\n", accept: true})
	add(sourceCase{name: "whole/cloudformation", source: srcDocs + " cloudformation", doc: "[settings.cloudformation]\nshould-signal = true\nstack-name = \"stack\"\nlogical-resource-id = \"ASG\"\n", accept: true})
	add(sourceCase{name: "whole/autoscaling", source: srcDocs + " autoscaling", doc: "[settings.autoscaling]\nshould-wait = true\n", accept: true})
	add(sourceCase{name: "whole/aws", source: srcDocs + " aws", doc: "[settings.aws]\nregion = \"us-west-2\"\nprofile = \"default\"\n", accept: true})
	add(sourceCase{name: "whole/static-pod", source: srcDocs + " kubernetes.static-pods (manifest ValidBase64)", doc: "[settings.kubernetes.static-pods.my-pod]\nenabled = true\nmanifest = \"aGk=\"\n", accept: true})
	add(sourceCase{name: "whole/static-pod-bad-manifest", source: srcSharedTypes + " ValidBase64", doc: "[settings.kubernetes.static-pods.my-pod]\nenabled = true\nmanifest = \"invalid base64\"\n", accept: false})
	add(sourceCase{name: "whole/static-pod-bad-name", source: srcSharedTypes + " Identifier", doc: "[settings.kubernetes.static-pods.\"my.pod\"]\nenabled = true\nmanifest = \"aGk=\"\n", accept: false})
	// settings-extensions/container-runtime/src/lib.rs test_serde_container_runtime,
	// test_serde_container_runtime_alias, deserialize_chunk_size in shared.rs
	const srcRuntime = "bottlerocket-settings-sdk settings-extensions/container-runtime/src/lib.rs"
	add(sourceCase{name: "container-runtime/serde", source: srcRuntime, doc: "[settings.container-runtime]\nmax-container-log-line-size = 1024\nmax-concurrent-downloads = 5\nmax-concurrent-unpacks = 5\nconcurrent-download-chunk-size = \"64mb\"\nenable-unprivileged-ports = true\nenable-unprivileged-icmp = false\nsnapshotter = \"soci\"\n", accept: true})
	add(sourceCase{name: "container-runtime/alias", source: srcRuntime, doc: "[settings.container-runtime]\nconcurrent-layer-fetch-buffer = \"128mb\"\nsnapshotter = \"overlayfs\"\n", accept: true})
	add(sourceCase{name: "container-runtime/chunk-int", source: srcSharedTypes + " deserialize_chunk_size", doc: "[settings.container-runtime]\nconcurrent-download-chunk-size = 67108864\n", accept: true})
	add(sourceCase{name: "container-runtime/chunk-dot", source: srcSharedTypes + " deserialize_chunk_size .5gb", doc: "[settings.container-runtime]\nconcurrent-download-chunk-size = \".5gb\"\n", accept: true})
	add(sourceCase{name: "container-runtime/chunk-negative", source: srcSharedTypes + " deserialize_chunk_size", doc: "[settings.container-runtime]\nconcurrent-download-chunk-size = -1\n", accept: false})
	add(sourceCase{name: "container-runtime/chunk-space", source: srcSharedTypes + " deserialize_chunk_size", doc: "[settings.container-runtime]\nconcurrent-download-chunk-size = \"64 mb\"\n", accept: false})
	add(sourceCase{name: "container-runtime/chunk-junk", source: srcSharedTypes + " deserialize_chunk_size", doc: "[settings.container-runtime]\nconcurrent-download-chunk-size = \"lots\"\n", accept: false})
	add(sourceCase{name: "container-runtime/bad-snapshotter", source: srcRuntime + " Snapshotter", doc: "[settings.container-runtime]\nsnapshotter = \"stargz\"\n", accept: false})
	add(sourceCase{name: "container-runtime/downloads-string", source: srcRuntime + " i32", doc: "[settings.container-runtime]\nmax-concurrent-downloads = \"5\"\n", accept: false})
	// settings-extensions/container-registry/src/de.rs: mirrors as a table of registry to endpoints
	const srcRegistry = "bottlerocket-settings-sdk settings-extensions/container-registry/src/de.rs"
	add(sourceCase{name: "registry/mirrors-table", source: srcRegistry, doc: "[settings.container-registry.mirrors]\n\"docker.io\" = [\"https://mirror.example.com\"]\n", accept: true})
	add(sourceCase{name: "registry/mirrors-string", source: srcRegistry, doc: "[settings.container-registry]\nmirrors = \"docker.io\"\n", accept: false})
	// settings-extensions/kernel/src/lib.rs test_serde_kernel
	const srcKernel = "bottlerocket-settings-sdk settings-extensions/kernel/src/lib.rs"
	add(sourceCase{name: "kernel/serde", source: srcKernel, doc: "[settings.kernel]\nlockdown = \"integrity\"\n[settings.kernel.modules.foo]\nallowed = true\nautoload = true\n[settings.kernel.sysctl]\nkey = \"value\"\n[settings.kernel.hugepages.static]\nessential = true\n\"2Mi\" = { count = \"512\" }\n\"1Gi\" = { count = \"4\" }\n[settings.kernel.hugepages.transparent]\nenabled = \"always\"\ndefrag = \"defer+madvise\"\n", accept: true})
	add(sourceCase{name: "kernel/module-unknown-field", source: srcKernel + " KmodSetting is a #[model] (deny_unknown_fields)", doc: "[settings.kernel.modules.foo]\nblocked = true\n", accept: false})
	add(sourceCase{name: "kernel/sysctl-int", source: srcKernel + " sysctl values are String", doc: "[settings.kernel.sysctl]\n\"vm.max_map_count\" = 262144\n", accept: false})
	// settings-extensions/network/src/lib.rs test_serde_network
	add(sourceCase{name: "network/serde", source: "bottlerocket-settings-sdk settings-extensions/network/src/lib.rs", doc: "[settings.network]\nhostname = \"foo\"\nhosts = [[\"127.0.0.1\", [\"localhost\"]]]\nhttps-proxy = \"https://example.net\"\nno-proxy = [\"foo\"]\n", accept: true})
	add(sourceCase{name: "network/no-proxy-newline", source: "network/src/lib.rs no_proxy: Vec<SingleLineString>", doc: "[settings.network]\nno-proxy = [\"foo\\nbar\"]\n", accept: false})
	// settings-extensions/host-containers and bootstrap-containers src/lib.rs
	// test_serde_*: source is a Url, user-data ValidBase64, command a list.
	const srcHost = "bottlerocket-settings-sdk settings-extensions/host-containers/src/lib.rs"
	const srcBoot = "bottlerocket-settings-sdk settings-extensions/bootstrap-containers/src/lib.rs"
	add(sourceCase{name: "host-containers/serde", source: srcHost, doc: "[settings.host-containers.foo]\nsource = \"public.ecr.aws/example/example\"\nenabled = true\nsuperpowered = true\nuser-data = \"Zm9vCg==\"\ncommand = [\"echo\", \"hello\"]\n", accept: true})
	add(sourceCase{name: "host-containers/digest-source", source: srcHost + " + shared.rs Url (scheme-less retried with http://)", doc: "[settings.host-containers.foo]\nsource = \"registry.local:5000/team/img@sha256:abc123\"\n", accept: true})
	add(sourceCase{name: "host-containers/bad-user-data", source: srcHost + " user_data: ValidBase64", doc: "[settings.host-containers.foo]\nuser-data = \"invalid base64\"\n", accept: false})
	add(sourceCase{name: "host-containers/bad-source", source: srcHost + " source: Url", doc: "[settings.host-containers.foo]\nsource = \"has space/name:tag\"\n", accept: false})
	add(sourceCase{name: "host-containers/enabled-string", source: srcHost + " enabled: bool", doc: "[settings.host-containers.foo]\nenabled = \"true\"\n", accept: false})
	add(sourceCase{name: "host-containers/unknown-field", source: srcHost + " #[model] denies unknown fields", doc: "[settings.host-containers.foo]\nprivileged = true\n", accept: false})
	add(sourceCase{name: "host-containers/command-string", source: srcHost + " command: Vec<String>", doc: "[settings.host-containers.foo]\ncommand = \"echo hello\"\n", accept: false})
	add(sourceCase{name: "bootstrap-containers/serde", source: srcBoot, doc: "[settings.bootstrap-containers.mybootstrap]\nsource = \"uri.to.container.in.oci-compatible-registry.example.com/foo:1.0.0\"\nmode = \"once\"\nuser-data = \"dXNlcmRhdGE=\"\nessential = true\ncommand = [\"echo\", \"hello\"]\n", accept: true})
	add(sourceCase{name: "bootstrap-containers/superpowered", source: srcBoot + " has no superpowered field", doc: "[settings.bootstrap-containers.mybootstrap]\nsuperpowered = true\n", accept: false})
	add(sourceCase{name: "bootstrap-containers/essential-string", source: srcBoot + " essential: bool", doc: "[settings.bootstrap-containers.mybootstrap]\nessential = \"yes\"\n", accept: false})
	// settings-extensions/kubernetes/src/lib.rs KubernetesSettingsV1: the
	// Rust type of each field decides what deserializes.
	const srcK8s = "bottlerocket-settings-sdk settings-extensions/kubernetes/src/lib.rs"
	for _, c := range []struct {
		line string
		ok   bool
		why  string
	}{
		{`cluster-name = "my-cluster"` + "\n" + `api-server = "https://example.com"` + "\n" + `hostname-override-source = "private-dns-name"`, true, "test_serde_kubernetes"},
		{`registry-qps = 2147483647`, true, "i32"},
		{`registry-qps = 2147483648`, false, "i32"},
		{`registry-burst = -1`, true, "i32 (no range rule in the model)"},
		{`event-qps = 1.5`, false, "i32"},
		{`kube-api-burst = 20`, true, "i32"},
		{`container-log-max-files = 5`, true, "i32"},
		{`container-log-max-files = "5"`, false, "i32"},
		{`container-log-max-size = "10Mi"`, true, "KubernetesQuantityValue"},
		{`container-log-max-size = "10 Mi"`, false, "KubernetesQuantityValue"},
		{`log-level = 255`, true, "u8"},
		{`log-level = 256`, false, "u8"},
		{`log-level = -1`, false, "u8"},
		{`max-pods = 4294967295`, true, "u32"},
		{`max-pods = 4294967296`, false, "u32"},
		{`pod-pids-limit = -1`, true, "i64"},
		{`pod-pids-limit = 1048576`, true, "i64"},
		{`eviction-max-pod-grace-period = 0`, true, "NonNegativeInteger"},
		{`eviction-max-pod-grace-period = -1`, false, "NonNegativeInteger"},
		{`standalone-mode = true`, true, "bool"},
		{`standalone-mode = "true"`, false, "bool"},
		{`server-tls-bootstrap = false`, true, "bool"},
		{`seccomp-default = true`, true, "bool"},
		{`cpu-cfs-quota-enforced = false`, true, "bool"},
		{`provider-id = "aws:///us-west-2a/i-0123456789abcdef0"`, true, "Url"},
		{`server-certificate = "aGk="`, true, "ValidBase64"},
		{`server-key = "not base64!"`, false, "ValidBase64"},
		{`cluster-certificate = "not base64!"`, false, "ValidBase64"},
		{`api-server = "not a url"`, false, "Url"},
		{`pod-infra-container-image = "public.ecr.aws/eks-distro/kubernetes/pause:3.9"`, true, "SingleLineString"},
		{`hostname-override = "ip-10-0-0-1.us-west-2.compute.internal"`, true, "ValidLinuxHostname"},
		{`hostname-override = "IP-10-0-0-1"`, false, "ValidLinuxHostname is lowercase"},
		{`allowed-unsafe-sysctls = ["net.core.somaxconn", "kernel.msg*"]`, true, "Vec<SingleLineString>"},
		{`allowed-unsafe-sysctls = "net.core.somaxconn"`, false, "Vec<SingleLineString>"},
		{`shutdown-grace-period = "30s"`, true, "KubernetesDurationValue"},
		{`shutdown-grace-period-for-critical-pods = "10"`, false, "KubernetesDurationValue"},
		{`container-log-monitor-interval = "10s"`, true, "KubernetesDurationValue"},
		{`node-ip = "10.0.0.1"`, true, "KubernetesNodeIp"},
		{`node-ip = "not-an-ip"`, false, "KubernetesNodeIp"},
		{`reserved-cpus = "0-1"`, true, "KernelCpuSetValue"},
		{`reserved-cpus = "1,6-9"`, true, "KernelCpuSetValue"},
		{`reserved-cpus = "1-"`, false, "KernelCpuSetValue"},
		{`reserved-cpus = "9,-10"`, false, "KernelCpuSetValue"},
		{`reserved-cpus = "1,2,3,"`, false, "KernelCpuSetValue"},
		{`reserved-cpus = "100.0"`, false, "KernelCpuSetValue"},
		{`reserved-cpus = ""`, false, "KernelCpuSetValue"},
	} {
		add(sourceCase{name: "kubernetes-field/" + c.line, source: srcK8s + " " + c.why, doc: "[settings.kubernetes]\n" + c.line + "\n", accept: c.ok})
	}
	// eviction-soft and eviction-soft-grace-period share the eviction keys
	add(sourceCase{name: "eviction-soft/ok", source: srcK8s, doc: "[settings.kubernetes.eviction-soft]\n\"memory.available\" = \"500Mi\"\n[settings.kubernetes.eviction-soft-grace-period]\n\"memory.available\" = \"1m30s\"\n", accept: true})
	add(sourceCase{name: "eviction-soft-grace/bad-duration", source: srcK8s + " KubernetesDurationValue", doc: "[settings.kubernetes.eviction-soft-grace-period]\n\"memory.available\" = \"90\"\n", accept: false})
	add(sourceCase{name: "eviction-soft-grace/bad-key", source: srcK8s + " KubernetesEvictionKey", doc: "[settings.kubernetes.eviction-soft-grace-period]\n\"memory.free\" = \"90s\"\n", accept: false})
	// node-taints also accepts a single taint string (kubernetes/src/de.rs
	// deserialize_node_taints; the README's older form).
	add(sourceCase{name: "node-taints/string", source: srcK8s + " deserialize_node_taints", doc: "[settings.kubernetes.node-taints]\n\"dedicated\" = \"experimental:PreferNoSchedule\"\n", accept: true})
	add(sourceCase{name: "node-taints/two-effects", source: srcDocs + " node-taints", doc: "[settings.kubernetes.node-taints]\n\"dedicated\" = [\"experimental:PreferNoSchedule\", \"experimental:NoExecute\"]\n", accept: true})
	add(sourceCase{name: "node-taints/bad-key", source: srcK8s + " KubernetesLabelKey", doc: "[settings.kubernetes.node-taints]\n\"bad.\" = [\"v:NoSchedule\"]\n", accept: false})
	add(sourceCase{name: "node-taints/number", source: srcK8s + " deserialize_node_taints", doc: "[settings.kubernetes.node-taints]\n\"dedicated\" = 1\n", accept: false})
	add(sourceCase{name: "static-pod/no-manifest", source: srcK8s + " StaticPod is #[model] without impl_default: fields optional", doc: "[settings.kubernetes.static-pods.my-pod]\nenabled = false\n", accept: true})
	// Karpenter's newest Bottlerocket user data (bottlerocket.go Script and
	// the BottlerocketKubernetes struct in bottlerocketsettings.go): every
	// kubelet field it can emit, grace periods from Go's Duration.String,
	// image GC thresholds as strings, the RAID0 bootstrap command.
	karpenterFull := `[settings.autoscaling]
should-wait = false
[settings.kubernetes]
api-server = "https://ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com"
cluster-certificate = "aGk="
cluster-name = "test-cluster"
cluster-dns-ip = "10.0.100.10"
max-pods = 110
eviction-max-pod-grace-period = 10
image-gc-high-threshold-percent = "85"
image-gc-low-threshold-percent = "80"
cpu-cfs-quota-enforced = true
ids-per-pod = 65536
registry-qps = 5
registry-burst = 10
event-qps = 50
event-burst = 100
kube-api-qps = 50
kube-api-burst = 100
container-log-max-size = "50Mi"
container-log-max-files = 4
container-log-max-workers = 2
container-log-monitor-interval = "10s"
shutdown-grace-period = "30s"
shutdown-grace-period-for-critical-pods = "10s"
cluster-domain = "cluster.local"
seccomp-default = true
pod-pids-limit = 4096
device-ownership-from-security-context = true
single-process-oom-kill = true
hostname-override-source = "instance-id"
log-level = 4
allowed-unsafe-sysctls = ["net.core.somaxconn"]
server-tls-bootstrap = true
cpu-manager-policy = "static"
cpu-manager-policy-options = ["full-pcpus-only"]
cpu-manager-reconcile-period = "10s"
topology-manager-scope = "pod"
topology-manager-policy = "best-effort"
[settings.kubernetes.node-labels]
"karpenter.sh/nodepool" = "default"
"karpenter.sh/capacity-type" = "spot"
"node.kubernetes.io/instance-type" = "m5.large"
[settings.kubernetes.node-taints]
"karpenter.sh/unregistered" = [":NoExecute"]
"example.com/special" = ["true:NoSchedule", ":PreferNoSchedule"]
[settings.kubernetes.eviction-soft]
"memory.available" = "500Mi"
"nodefs.available" = "15%"
[settings.kubernetes.eviction-soft-grace-period]
"memory.available" = "1m0s"
"nodefs.available" = "1m30s"
"imagefs.available" = "2h0m0s"
"pid.available" = "500ms"
"nodefs.inodesFree" = "0s"
[settings.kubernetes.kube-reserved]
cpu = "70m"
memory = "574Mi"
ephemeral-storage = "1Gi"
[settings.kubernetes.credential-providers.ecr-credential-provider]
enabled = true
image-patterns = ["*.dkr.ecr.*.amazonaws.com"]
cache-duration = "12h"
[settings.kubernetes.static-pods.my-pod]
enabled = true
manifest = "aGk="
[settings.bootstrap-commands.000-mount-instance-storage]
commands = [["apiclient", "ephemeral-storage", "init"], ["apiclient", "ephemeral-storage", "bind", "--dirs", "/var/lib/containerd", "/var/lib/kubelet", "/var/log/pods"]]
mode = "always"
essential = true
`
	const srcKarpenterScript = "karpenter-provider-aws pkg/providers/amifamily/bootstrap/bottlerocket.go + bottlerocketsettings.go"
	add(sourceCase{name: "whole/karpenter-full", source: srcKarpenterScript, doc: karpenterFull, accept: true})
	add(sourceCase{name: "whole/karpenter-default-bind", source: srcKarpenterScript + " (EnableDefaultMountPaths)", doc: strings.Replace(karpenterFull, `, "--dirs", "/var/lib/containerd", "/var/lib/kubelet", "/var/log/pods"]]`, `]]`, 1), accept: true})
	add(sourceCase{name: "whole/karpenter-grace-go-us", source: srcKarpenterScript + " + kubernetes.rs KubernetesDurationValue has no µs", doc: strings.Replace(karpenterFull, `"0s"`, `"1.5µs"`, 1), accept: false})
	add(sourceCase{name: "whole/karpenter-gc-101", source: srcKarpenterScript + " + kubernetes.rs IntegerPercent", doc: strings.Replace(karpenterFull, `"85"`, `"101"`, 1), accept: false})
	// The other families, from the settings documentation
	// (bottlerocket-project-website data/settings/<version>/<family>.toml)
	// and the Rust types behind each field.
	for _, c := range []struct {
		doc string
		ok  bool
		why string
	}{
		// oci-defaults.toml: both limits required; "unlimited" removes a limit
		{"[settings.oci-defaults.resource-limits.max-core-file-size]\nsoft-limit = 100000000\nhard-limit = 1000000000\n", true, "oci-defaults.toml resource-limits example"},
		{"[settings.oci-defaults.resource-limits.max-locked-memory]\nsoft-limit = 100000000\nhard-limit = \"unlimited\"\n", true, "oci-defaults.toml resource-limits example"},
		{"[settings.oci-defaults.resource-limits.max-open-files]\nsoft-limit = 1024\n", false, "oci-defaults.toml: both hard-limit and soft-limit are required"},
		{"[settings.oci-defaults.resource-limits.max-open-files]\nhard-limit = 1024\n", false, "oci-defaults.toml: both hard-limit and soft-limit are required"},
		{"[settings.oci-defaults.resource-limits.max-files]\nsoft-limit = 1\nhard-limit = 1\n", false, "oci-defaults.toml: closed set of rlimit names"},
		{"[settings.oci-defaults.capabilities]\naudit-write = false\nchown = true\n", true, "oci-defaults.toml capabilities"},
		{"[settings.oci-defaults.capabilities]\nchown = \"yes\"\n", false, "oci-defaults.toml capabilities are booleans"},
		// updates.toml: Url, u32 seed, FriendlyVersion, bool
		{"[settings.updates]\nmetadata-base-url = \"https://updates.bottlerocket.aws/2020-07-07/aws-k8s-1.32/x86_64/\"\ntargets-base-url = \"https://updates.bottlerocket.aws/targets/\"\nseed = 0\nversion-lock = \"latest\"\nignore-waves = false\n", true, "updates.toml"},
		{"[settings.updates]\nseed = 4294967296\n", false, "updates.seed is a u32"},
		{"[settings.updates]\nignore-waves = \"true\"\n", false, "updates.ignore-waves is a bool"},
		{"[settings.updates]\nmetadata-base-url = \"not a url\"\n", false, "updates.metadata-base-url is a Url"},
		// metrics.toml
		{"[settings.metrics]\nmetrics-url = \"not a url\"\n", false, "metrics.metrics-url is a Url"},
		{"[settings.metrics]\nsend-metrics = \"no\"\n", false, "metrics.send-metrics is a bool"},
		// aws.toml: config / credentials are ValidBase64
		{"[settings.aws]\nconfig = \"W2RlZmF1bHRdCnJlZ2lvbiA9IHVzLXdlc3QtMgo=\"\ncredentials = \"aGk=\"\n", true, "aws.toml config/credentials base64"},
		{"[settings.aws]\nconfig = \"[default]\"\n", false, "aws.config is ValidBase64"},
		{"[settings.aws]\nregion = \"us-west-2\\n\"\n", false, "aws.region is a SingleLineString"},
		// pki.toml: trusted is a bool
		{"[settings.pki.my-trusted-bundle]\ntrusted = \"true\"\ndata = \"\"\n", false, "pki.<name>.trusted is a bool"},
		// ntp.toml: options are single lines
		{"[settings.ntp]\noptions = [\"minpoll 4\\nmaxpoll 4\"]\n", false, "ntp.options are SingleLineString"},
		{"[settings.ntp]\ntime-servers = \"169.254.169.123\"\n", false, "ntp.time-servers is a list"},
		// dns.toml: search-list entries are ValidLinuxHostname
		{"[settings.dns]\nsearch-list = [\"Example.com\"]\n", false, "dns.search-list entries are ValidLinuxHostname"},
		// boot.toml: kernel/init parameters; the API's own names "kernel"/"init"
		{"[settings.boot]\nreboot-to-reconcile = true\n[settings.boot.kernel-parameters]\n\"console\" = [\"tty0\", \"ttyS0,115200n8\"]\n\"crashkernel\" = [\"2G-:256M\"]\n[settings.boot.init-parameters]\n\"log_level\" = [\"debug\"]\n", true, "boot.toml example"},
		{"[settings.boot]\nreboot-to-reconcile = \"yes\"\n", false, "boot.reboot-to-reconcile is a bool"},
		{"[settings.boot.kernel-parameters]\n\"console\" = \"tty0\"\n", false, "boot kernel-parameters values are lists"},
		// container-registry.toml
		{"[[settings.container-registry.credentials]]\nregistry = \"docker.io\"\nusername = \"user\"\npassword = \"pass\"\n[[settings.container-registry.credentials]]\nregistry = \"gcr.io\"\nidentitytoken = \"token\"\n", true, "container-registry.toml credentials"},
		{"[[settings.container-registry.credentials]]\nregistry = \"docker.io\"\nuser = \"user\"\n", false, "container-registry credentials have no user field"},
		{"[[settings.container-registry.mirrors]]\nregistry = \"*\"\nendpoint = [\"https://mirror.example.com\", \"https://mirror2.example.com\"]\n", true, "container-registry.toml mirrors"},
		// autoscaling / cloudformation / motd / kernel
		{"[settings.autoscaling]\nshould-wait = \"true\"\n", false, "autoscaling.should-wait is a bool"},
		{"[settings.cloudformation]\nshould-signal = 1\n", false, "cloudformation.should-signal is a bool"},
		{"[settings.cloudformation]\nstack-name = \"\"\nlogical-resource-id = \"\"\n", true, "cloudformation defaults are empty strings"},
		{"[settings]\nmotd = 42\n", false, "motd is a String"},
		{"[settings.kernel.modules.sctp]\nallowed = false\n[settings.kernel.modules.udf]\nallowed = true\nautoload = true\n", true, "kernel.toml modules example"},
		{"[settings.kernel]\nlockdown = \"integrity\"\n[settings.kernel.sysctl]\n\"user.max_user_namespaces\" = \"16384\"\n\"vm.max_map_count\" = \"262144\"\n", true, "kernel.toml sysctl example"},
		// empty documents and the bare settings table
		{"", true, "early-boot-config: an empty user data sets nothing"},
		{"[settings]\n", true, "an empty settings table sets nothing"},
	} {
		add(sourceCase{name: "family/" + c.why + "/" + c.doc, source: srcDocs + " " + c.why, doc: c.doc, accept: c.ok})
	}
	// shared.rs ValidBase64 uses base64's STANDARD engine: padding
	// required, no whitespace, no non-zero trailing bits; "" decodes.
	for _, c := range []struct {
		v  string
		ok bool
	}{{"", true}, {"aGk=", true}, {"aGk", false}, {"aGk==", false}, {"aGl=", false}, {"aG k=", false}, {"aGk=\\n", false}, {"aGk-", false}} {
		add(sourceCase{name: "base64/" + c.v, source: srcSharedTypes + " ValidBase64 (base64 STANDARD engine)", doc: "[settings.kubernetes]\ncluster-certificate = \"" + c.v + "\"\n", accept: c.ok})
	}
	// shared.rs PemCertificateString: every PEM block must parse as X.509;
	// a bundle of several certificates is fine, a private key is not.
	certDER, _ := base64.StdEncoding.DecodeString(pemOK)
	add(sourceCase{name: "pki-data/bundle", source: srcSharedTypes + " PemCertificateString iterates every PEM block", doc: "[settings.pki.bundle]\ndata = " + q(base64.StdEncoding.EncodeToString(bytes.Repeat(certDER, 2))) + "\n", accept: true})
	add(sourceCase{name: "pki-data/private-key", source: srcSharedTypes + " PemCertificateString parse_x509", doc: "[settings.pki.bundle]\ndata = " + q(base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte("not a certificate")}))) + "\n", accept: false})
	add(sourceCase{name: "pki-data/wrapped-base64", source: srcSharedTypes + " PemCertificateString decodes with the STANDARD engine (no line breaks)", doc: "[settings.pki.bundle]\ndata = \"\"\"" + pemOK[:76] + "\n" + pemOK[76:] + "\"\"\"\n", accept: false})
	// Serde aliases: boot.kernel / boot.init (settings-extensions boot
	// BootSettingsV1 alias = "kernel"/"init", the names the API returns),
	// container-registry.creds, container-runtime.concurrent-layer-fetch-buffer.
	add(sourceCase{name: "alias/boot-kernel-init", source: "bottlerocket-settings-sdk settings-extensions/boot BootSettingsV1 serde alias", doc: "[settings.boot.kernel]\nhugepagesz = [\"1G\"]\nhugepages = [\"10\"]\n[settings.boot.init]\nsplash = []\n", accept: true})
	add(sourceCase{name: "alias/registry-creds", source: srcDocs + " container-registry.creds alias", doc: "[[settings.container-registry.creds]]\nregistry = \"docker.io\"\nauth = \"aGk=\"\n", accept: true})
	// Empty strings where the Rust type cannot be empty: Url ("" has no
	// host, with or without "http://" in front), IpAddr, the cluster DNS
	// scalar-or-list; TOML integer forms and a TOML datetime where a
	// String is expected.
	for _, c := range []struct {
		doc, why string
		ok       bool
	}{
		{"[settings.kubernetes]\napi-server = \"\"\n", "shared.rs Url", false},
		{"[settings.kubernetes]\nprovider-id = \"\"\n", "shared.rs Url", false},
		{"[settings.network]\nhttps-proxy = \"\"\n", "shared.rs Url", false},
		{"[settings.kubernetes]\ncluster-dns-ip = \"\"\n", "kubernetes.rs KubernetesClusterDnsIp", false},
		{"[settings.dns]\nname-servers = [\"\"]\n", "IpAddr", false},
		{"[settings.kubernetes]\npod-infra-container-image = \"\"\n", "SingleLineString may be empty", true},
		{"[settings.ntp]\ntime-servers = []\n", "Vec<Url> may be empty", true},
		{"[settings.kubernetes]\nmax-pods = 1_000\n", "TOML integer with underscores is a u32", true},
		{"[settings.kubernetes]\nmax-pods = 0x10\n", "TOML hex integer is a u32", true},
		{"[settings]\nmotd = 1979-05-27\n", "a TOML date is not a String", false},
	} {
		add(sourceCase{name: "edge/" + c.doc, source: srcSharedTypes + " / " + srcK8s + ": " + c.why, doc: c.doc, accept: c.ok})
	}
	// modeled-types hugepages.rs (settings.kernel.hugepages, 1.64.0):
	// test_thp_policy, test_thp_defrag_policy, test_hugepage_size,
	// test_hugepage_allocation, test_hugepages_settings.
	const srcHuge = "bottlerocket-settings-sdk bottlerocket-settings-models/modeled-types/src/hugepages.rs"
	add(perValue("thp-enabled", srcHuge, "[settings.kernel.hugepages.transparent]\nenabled = %s\n",
		[]string{"never", "madvise", "always"}, []string{"disable", "enable", "", "sometimes", a("a", 64)})...)
	add(perValue("thp-defrag", srcHuge, "[settings.kernel.hugepages.transparent]\ndefrag = %s\n",
		[]string{"never", "madvise", "defer", "defer+madvise", "always"}, []string{"disable", "enable", "", "sometimes"})...)
	add(perValue("hugepage-size", srcHuge, "[settings.kernel.hugepages.static]\n%s = { count = \"2\" }\n",
		[]string{"64Ki", "2Mi", "512Mi", "1Gi", "16Gi"},
		[]string{"", "2", "2M", "2mi", "Mi", "0Mi", "3Mi", "1.5Gi", "-2Mi", "2 Mi", "2Pi"})...)
	add(perValue("hugepage-count", srcHuge, "[settings.kernel.hugepages.static.\"2Mi\"]\ncount = %s\n",
		[]string{"0", "128", "0:128", "0:128,1:256", "0:0,1:0,2:512"},
		[]string{"", "-1", "12.5", "abc", "0:", ":128", "0:128,", ",0:128", "0:128,1", "0:128 ,1:256", "0:1:2"})...)
	add(sourceCase{name: "hugepages/serde", source: srcHuge + " pool_count_table_deserializes_and_round_trips", doc: "[settings.kernel.hugepages.static]\nessential = true\n\"1Gi\" = { count = \"2\" }\n[settings.kernel.hugepages.transparent]\nenabled = \"always\"\ndefrag = \"madvise\"\n", accept: true})
	add(sourceCase{name: "hugepages/no-essential", source: srcHuge + " pool_count_table_deserializes_default", doc: "[settings.kernel.hugepages.static]\n\"1Gi\" = { count = \"2\" }\n", accept: true})
	add(sourceCase{name: "hugepages/no-count", source: srcHuge + " HugepageConfig.count is not optional", doc: "[settings.kernel.hugepages.static.\"1Gi\"]\n", accept: false})
	add(sourceCase{name: "hugepages/count-integer", source: srcHuge + " HugepageAllocation is a string type", doc: "[settings.kernel.hugepages.static.\"1Gi\"]\ncount = 2\n", accept: false})
	add(sourceCase{name: "hugepages/essential-string", source: srcHuge + " HugepagesStatic.essential is a bool", doc: "[settings.kernel.hugepages.static]\nessential = \"true\"\n", accept: false})
	// settings-extensions/container-registry/src/lib.rs tests: mirrors and
	// credentials are #[model] structs (unknown fields refused), endpoint a
	// Vec<Url>, auth ValidBase64.
	const srcRegistryLib = "bottlerocket-settings-sdk settings-extensions/container-registry/src/lib.rs"
	add(sourceCase{name: "registry/serde-mirrors", source: srcRegistryLib + " test_serde_container_registry_with_mirrors", doc: "[[settings.container-registry.mirrors]]\nregistry = \"foo\"\nendpoint = [\"https://example.net\"]\n", accept: true})
	add(sourceCase{name: "registry/serde-credentials", source: srcRegistryLib + " test_serde_container_registry_with_credentials", doc: "[[settings.container-registry.credentials]]\nregistry = \"foo\"\nauth = \"Ym90dGxlcm9ja2V0\"\n", accept: true})
	add(sourceCase{name: "registry/mirror-bad-endpoint", source: srcRegistryLib + " endpoint: Vec<Url>", doc: "[[settings.container-registry.mirrors]]\nregistry = \"foo\"\nendpoint = [\"not a url\"]\n", accept: false})
	add(sourceCase{name: "registry/mirror-endpoint-string", source: srcRegistryLib + " endpoint: Vec<Url>", doc: "[[settings.container-registry.mirrors]]\nregistry = \"foo\"\nendpoint = \"https://example.net\"\n", accept: false})
	add(sourceCase{name: "registry/credential-unknown-field", source: srcRegistryLib + " RegistryCredentialV1 is a #[model]", doc: "[[settings.container-registry.credentials]]\nregistry = \"foo\"\ntoken = \"x\"\n", accept: false})
	add(sourceCase{name: "registry/credential-bad-auth", source: srcRegistryLib + " auth: ValidBase64", doc: "[[settings.container-registry.credentials]]\nregistry = \"foo\"\nauth = \"user:pass\"\n", accept: false})
	return cs
}

// TestConformanceWithBottlerocketSources renders each document with
// strict = true on the oldest and newest Kubernetes variants the provider
// targets and compares the verdict with Bottlerocket's own.
func TestConformanceWithBottlerocketSources(t *testing.T) {
	var accepted, refused, disagree int
	for _, c := range sourceCases(t) {
		if c.accept {
			accepted++
		} else {
			refused++
		}
		for _, k8s := range []string{"aws-k8s-1.30", "aws-k8s-1.35"} {
			variant := k8s
			if c.variant != "" {
				variant += strings.TrimPrefix(c.variant, "aws-k8s-1.32")
			}
			_, problems := Render(Input{CustomUserData: []string{c.doc}, Variant: variant, Strict: true})
			if got := !hasError(problems); got != c.accept {
				disagree++
				t.Errorf("%s on %s (%s): Bottlerocket accepts=%v, we accept=%v; problems=%v\n%s", c.name, variant, c.source, c.accept, got, problems, c.doc)
			}
		}
	}
	t.Logf("%d accepted and %d refused documents; %d disagreements", accepted, refused, disagree)
}
