package nodes

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
	corev1 "k8s.io/api/core/v1"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

const minimalSettings = `[settings.kubernetes]
cluster-name = "sandbox"
api-server = "https://127.0.0.1:6443"
cluster-certificate = "Y2VydA=="
`

var std = osVariant{name: defaultVariant, version: defaultVersion}

// A node refuses settings newer than its Bottlerocket release as unknown
// fields, as that release's model does; from the release on they boot.
func TestReadUserDataRelease(t *testing.T) {
	old := osVariant{name: defaultVariant, version: "1.48.2"}
	current := osVariant{name: defaultVariant, version: "1.49.0"}
	for _, tc := range []struct{ doc, field string }{
		{minimalSettings + "[settings.kubernetes.kube-reserved]\npid = \"1000\"\n", "unknown field `pid`"},
		{minimalSettings + "[settings.kubernetes.system-reserved]\npid = \"1000\"\n", "unknown field `pid`"},
		{minimalSettings + "[settings.container-runtime-plugins.soci-snapshotter]\npull-mode = \"parallel-pull-unpack\"\n", ""},
	} {
		_, err := readUserData(b64(tc.doc), old)
		if tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)) {
			t.Errorf("1.48.2 booted %q: %v", tc.doc, err)
		}
		if _, err := readUserData(b64(tc.doc), current); err != nil {
			t.Errorf("1.49.0 refused %q: %v", tc.doc, err)
		}
	}
	if _, err := readUserData(b64(minimalSettings+"[settings.container-runtime-plugins.soci-snapshotter]\npull-mode = \"parallel-pull-unpack\"\n"), osVariant{name: defaultVariant, version: "1.43.0"}); err == nil || !strings.Contains(err.Error(), "unknown field `container-runtime-plugins`") {
		t.Errorf("1.43.0 booted container-runtime-plugins: %v", err)
	}
	if _, err := readUserData(b64(minimalSettings+"[settings.kubernetes.kube-reserved]\npids = \"1\"\n"), current); err == nil || !strings.Contains(err.Error(), "unknown field `pids`") {
		t.Errorf("unknown reserved resource booted: %v", err)
	}
}

// Settings added after 1.30 boot from their release on and fail the boot
// before it; a container entry's unknown field fails on any release.
func TestReadUserDataNewerSettings(t *testing.T) {
	for _, tc := range []struct {
		name, doc, before, since, field string
	}{
		{"host container command", "[settings.host-containers.debug]\nsource = \"r/x:1\"\nenabled = true\nsuperpowered = false\ncommand = [\"sh\"]\n", "1.46.0", "1.47.0", "unknown field `command`"},
		{"bootstrap container command", "[settings.bootstrap-containers.setup]\nsource = \"r/x:1\"\nmode = \"once\"\ncommand = [\"sh\"]\n", "1.46.0", "1.47.0", "unknown field `command`"},
		{"topology manager options", "[settings.kubernetes.topology-manager-policy-options]\nprefer-closest-numa-nodes = \"true\"\n", "1.30.0", "1.60.0", "unknown field `topology-manager-policy-options`"},
		{"container runtime endpoint", "container-runtime-endpoint = \"unix:///run/x.sock\"\n", "1.63.0", defaultVersion, "unknown field `container-runtime-endpoint`"},
		{"memory throttling factor", "memory-throttling-factor = 0.9\n", defaultVersion, "1.65.0", "unknown field `memory-throttling-factor`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := b64(minimalSettings + tc.doc)
			if _, err := readUserData(doc, osVariant{name: defaultVariant, version: tc.before}); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("%s: error = %v, want %s", tc.before, err, tc.field)
			}
			if _, err := readUserData(doc, osVariant{name: defaultVariant, version: tc.since}); err != nil {
				t.Errorf("%s refused it: %v", tc.since, err)
			}
		})
	}
	_, err := readUserData(b64(minimalSettings+"[settings.host-containers.admin]\nsuperpowerd = true\n"), std)
	if err == nil || !strings.Contains(err.Error(), "settings.host-containers.admin: unknown field `superpowerd`") {
		t.Errorf("unknown host container field: %v", err)
	}
}

func TestReadUserData(t *testing.T) {
	s, err := readUserData(gzipBase64(minimalSettings+`max-pods = 17
[settings.kubernetes.node-labels]
"a.example/b" = "c"
[settings.kubernetes.node-taints]
"k1" = ["v:NoSchedule", ":NoExecute"]
"k2" = "w:PreferNoSchedule"
[settings.kubernetes.kube-reserved]
memory = "1Gi"
[settings.host-containers.admin]
enabled = false
`), std)
	if err != nil {
		t.Fatalf("readUserData: %v", err)
	}
	if s.ClusterName != "sandbox" || s.APIServer != "https://127.0.0.1:6443" || s.MaxPods != 17 || s.NodeLabels["a.example/b"] != "c" || s.KubeReserved["memory"] != "1Gi" {
		t.Errorf("settings = %+v", s)
	}
	var taints []string
	for _, taint := range s.NodeTaints {
		taints = append(taints, taint.ToString())
	}
	if got, want := strings.Join(taints, ","), "k1=v:NoSchedule,k1:NoExecute,k2=w:PreferNoSchedule"; got != want {
		t.Errorf("taints = %s, want %s", got, want)
	}

	// Whatever is outside settings is ignored, as Bottlerocket does.
	if _, err := readUserData(b64("[other]\nx = 1\n"+minimalSettings), std); err != nil {
		t.Errorf("top-level keys besides settings must be ignored: %v", err)
	}

	for name, tc := range map[string]struct{ userData, want string }{
		"empty":                {"", "No user data"},
		"whitespace only":      {b64("  \n\t"), "No user data"},
		"settings not table":   {b64("settings = 1\n"), "expected struct Settings"},
		"unknown top setting":  {b64(minimalSettings + "[settings.kubelet]\nx = 1\n"), "unknown field `kubelet`"},
		"empty taint list":     {b64(minimalSettings + "[settings.kubernetes.node-taints]\nk = []\n"), "empty taint value"},
		"taint without effect": {b64(minimalSettings + "[settings.kubernetes.node-taints]\nk = \"v\"\n"), "expected 'value:Effect'"},
		"bad cluster name":     {b64(strings.Replace(minimalSettings, `"sandbox"`, `"-bad"`, 1)), "Invalid cluster name"},
		"bad certificate":      {b64(strings.Replace(minimalSettings, `"Y2VydA=="`, `"not base64!"`, 1)), "Invalid base64"},
		"no kubernetes":        {b64("[settings.motd]\n"), "settings.kubernetes is required"},
		"duplicate table":      {b64(minimalSettings + "[settings.kubernetes]\nmax-pods = 1\n"), "TOML parse error"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readUserData(tc.userData, std)
			var be *bootError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want a boot error containing %q", err, tc.want)
			}
		})
	}
}

// Settings exist per variant: the nvidia device plugin is an unknown field
// on the plain variant and fails the boot there.
func TestReadUserDataVariantSettings(t *testing.T) {
	userData := b64(minimalSettings + "[settings.kubelet-device-plugins.nvidia]\npass-device-specs = true\n")
	if _, err := readUserData(userData, osVariant{name: "aws-k8s-1.32-nvidia", version: "1.30.0"}); err != nil {
		t.Errorf("nvidia variant rejected its own settings: %v", err)
	}
	if _, err := readUserData(userData, std); err == nil || !strings.Contains(err.Error(), "unknown field `kubelet-device-plugins`") {
		t.Errorf("plain variant: error = %v, want unknown field", err)
	}
	v := osVariant{name: "aws-k8s-1.31-nvidia", version: "1.29.0"}
	if v.kubeletVersion() != kubeletVersions["1.31"] || v.osImage() != "Bottlerocket OS 1.29.0 (aws-k8s-1.31-nvidia)" {
		t.Errorf("variant %v: kubelet %s, os image %s", v, v.kubeletVersion(), v.osImage())
	}
}

func TestCheckKubelet(t *testing.T) {
	ca := []byte("-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n")
	c := Cluster{Name: "sandbox", Endpoint: "https://127.0.0.1:6443", CACertPEM: ca}
	ok := func() *bootSettings {
		return &bootSettings{ClusterName: "sandbox", APIServer: "https://127.0.0.1:6443/", ClusterCertificate: base64.StdEncoding.EncodeToString(ca)}
	}
	if err := checkKubelet(ok(), c, "n"); err != nil {
		t.Fatalf("matching settings rejected: %v", err)
	}
	allowed := ok()
	allowed.NodeLabels = map[string]string{"node.kubernetes.io/lifecycle": "x", "kubernetes.io/arch": "amd64", "example.com/x": ""}
	if err := checkKubelet(allowed, c, "n"); err != nil {
		t.Errorf("allowed labels rejected: %v", err)
	}
	for name, mutate := range map[string]func(*bootSettings){
		"restricted label":  func(s *bootSettings) { s.NodeLabels = map[string]string{"node-role.kubernetes.io/worker": ""} },
		"k8s.io label":      func(s *bootSettings) { s.NodeLabels = map[string]string{"foo.k8s.io/x": "y"} },
		"bad label value":   func(s *bootSettings) { s.NodeLabels = map[string]string{"a": "-x-"} },
		"bad taint effect":  func(s *bootSettings) { s.NodeTaints = []corev1.Taint{{Key: "k", Effect: "NO_SCHEDULE"}} },
		"other cluster":     func(s *bootSettings) { s.ClusterName = "prod" },
		"other server":      func(s *bootSettings) { s.APIServer = "https://127.0.0.1:6444" },
		"other certificate": func(s *bootSettings) { s.ClusterCertificate = base64.StdEncoding.EncodeToString([]byte("x")) },
	} {
		t.Run(name, func(t *testing.T) {
			s := ok()
			mutate(s)
			var kf *kubeletFailure
			if err := checkKubelet(s, c, "n"); !errors.As(err, &kf) {
				t.Fatalf("error = %v, want a kubelet failure", err)
			}
		})
	}
}

func TestNodeResources(t *testing.T) {
	it := cloud.InstanceTypeInfo{VCPU: 4, MemoryMiB: 16384, MaxPods: 58, GPUs: 1}
	capacity, allocatable := nodeResources(it, &bootSettings{})
	if capacity.Pods().Value() != 58 || capacity.Cpu().Value() != 4 || capacity.Memory().Value() != 16384<<20 {
		t.Errorf("capacity = %v", capacity)
	}
	if q := capacity["nvidia.com/gpu"]; q.Value() != 1 {
		t.Errorf("gpu capacity = %v", q.String())
	}
	// EKS formula: 60+10+5+5 = 80m CPU; memory 11*58+255 = 893Mi plus 100Mi eviction.
	if got := allocatable.Cpu().MilliValue(); got != 4000-80 {
		t.Errorf("allocatable cpu = %dm, want 3920m", got)
	}
	if got := allocatable.Memory().Value(); got != (16384-893-100)<<20 {
		t.Errorf("allocatable memory = %d, want %d", got, int64(16384-893-100)<<20)
	}
	capacity, allocatable = nodeResources(it, &bootSettings{MaxPods: 110, KubeReserved: map[string]string{"cpu": "500m"}, SystemReserved: map[string]string{"memory": "1Gi"}, EvictionHard: map[string]string{"memory.available": "10%"}})
	if capacity.Pods().Value() != 110 {
		t.Errorf("max-pods not applied: %v", capacity.Pods())
	}
	if got := allocatable.Cpu().MilliValue(); got != 3500 {
		t.Errorf("allocatable cpu with kube-reserved 500m = %dm", got)
	}
	wantMem := int64(16384-(11*110+255)-1024)<<20 - int64(16384<<20)/10
	if got := allocatable.Memory().Value(); got != wantMem {
		t.Errorf("allocatable memory = %d, want %d", got, wantMem)
	}
}
