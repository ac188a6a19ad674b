package bottlerocket

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// goldenInputs are the documents whose exact bytes are locked in testdata.
func goldenInputs() map[string]Input {
	return map[string]Input{
		"minimal": identity(Input{ServiceCIDR: "172.20.0.0/16"}),
		"typed": identity(Input{
			ServiceCIDR: "10.100.0.0/16",
			NodeLabels: map[string]string{
				"example.com/team":              "payments",
				"node.kubernetes.io/lifecycle":  "warm",
				"role":                          "web",
				"topology.kubernetes.io/zone":   "us-east-1a",
				"kubelet.kubernetes.io/pool":    "standby",
				"sub.node.kubernetes.io/cohort": "a",
				"empty":                         "",
			},
			NodeTaints: []Taint{
				{Key: "dedicated", Value: "gpu", Effect: "NO_SCHEDULE"},
				{Key: "dedicated", Value: "gpu", Effect: "NoExecute"},
				{Key: "dedicated", Value: "gpu", Effect: "NoSchedule"},
				{Key: "example.com/spot", Effect: "PREFER_NO_SCHEDULE"},
			},
			MaxPods:        int64p(110),
			KubeReserved:   map[string]string{"cpu": "100m", "memory": "1Gi", "ephemeral-storage": "1Gi"},
			SystemReserved: map[string]string{"cpu": "50m"},
			EvictionHard:   map[string]string{"memory.available": "5%", "nodefs.available": "10.5%", "pid.available": "100"},
		}),
		"custom": identity(Input{
			ClusterDNSIP: []string{"169.254.20.10", "172.20.0.10"},
			CustomUserData: []string{
				`[settings.kubernetes]
image-gc-high-threshold-percent = "85"
image-gc-low-threshold-percent = 80
shutdown-grace-period = "1m30s"
allowed-unsafe-sysctls = ["net.core.somaxconn"]

[settings.kubernetes.eviction-soft-grace-period]
"memory.available" = "30s"

[settings.kubernetes.node-taints]
legacy = "yes:NoSchedule"
`,
				`[settings.host-containers.admin]
enabled = false

[settings.bootstrap-containers.setup]
source = "public.ecr.aws/example/setup:1"
mode = "once"
essential = true
user-data = "ZWNobyBoaQ=="

[settings.kernel.sysctl]
"vm.max_map_count" = "262144"

[[settings.container-registry.mirrors]]
registry = "docker.io"
endpoint = ["https://mirror.example.com"]

[settings.network]
hosts = [["10.0.0.1", ["db.internal"]]]
`,
				`settings.motd = "Welcome \"operator\"\ttabbed\\n é"
settings.ntp.time-servers = ["169.254.169.123"]
`,
			},
		}),
		"nvidia": identity(Input{
			Variant: "aws-k8s-1.32-nvidia",
			CustomUserData: []string{`[settings.kubelet-device-plugins.nvidia]
device-sharing-strategy = "time-slicing"
pass-device-specs = true

[settings.kubelet-device-plugins.nvidia.time-slicing]
replicas = 4
`},
		}),
		"ipv6":          identity(Input{ServiceCIDR: "fd00:10:96::/108"}),
		"fragment-only": {CustomUserData: []string{"[settings.kubernetes]\nmax-pods = 58\n"}, Strict: true},
	}
}

func TestRender_Golden(t *testing.T) {
	for name, in := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			in.Strict = true
			doc := mustRender(t, in)
			golden(t, name, doc.TOML)
		})
	}
}

// The rendered document parses back (with go-toml, as a second parser) to
// exactly the merged tree, and rendering it again gives the same bytes.
func TestRender_RoundTrip(t *testing.T) {
	for name, in := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			in.Strict = true
			doc := mustRender(t, in)
			assertRoundTrip(t, in, doc)
		})
	}
}

func assertRoundTrip(t *testing.T, in Input, doc *Document) {
	t.Helper()
	tree, problems := build(in, "custom_user_data")
	if hasError(problems) {
		t.Fatalf("build failed where Render succeeded: %v", problems)
	}
	parsed := map[string]any{}
	if err := toml.Unmarshal([]byte(doc.TOML), &parsed); err != nil {
		t.Fatalf("rendered document does not parse: %v\n%s", err, doc.TOML)
	}
	if !equalValues(parsed, tree) {
		t.Fatalf("rendered document parses to %#v, want %#v", parsed, tree)
	}
	again, problems := MergeFragments([]string{doc.TOML}, in.Variant, in.Strict)
	if hasError(problems) {
		t.Fatalf("re-rendering the document failed: %v", problems)
	}
	if again != doc.TOML {
		t.Fatalf("re-rendering changed the document\n--- first\n%s\n--- second\n%s", doc.TOML, again)
	}
	decoded, err := Decode(doc.Bytes)
	if err != nil || decoded != doc.TOML {
		t.Fatalf("Decode(Bytes) = %q, %v; want the TOML", decoded, err)
	}
}

// Reordering fragments, taints and map insertion must not change a byte.
func TestRender_DeterministicUnderPermutation(t *testing.T) {
	base := goldenInputs()["custom"]
	base.Strict = true
	base.NodeTaints = []Taint{
		{Key: "a", Value: "1", Effect: "NoSchedule"},
		{Key: "a", Value: "1", Effect: "NO_EXECUTE"},
		{Key: "b", Effect: "PreferNoSchedule"},
		{Key: "c", Value: "x", Effect: "NoExecute"},
		{Key: "a", Value: "1", Effect: "NoSchedule"},
	}
	base.NodeLabels = map[string]string{"a": "1", "b": "2", "example.com/c": "3"}
	want := mustRender(t, base)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		in := base
		in.CustomUserData = append([]string(nil), base.CustomUserData...)
		rng.Shuffle(len(in.CustomUserData), func(a, b int) {
			in.CustomUserData[a], in.CustomUserData[b] = in.CustomUserData[b], in.CustomUserData[a]
		})
		in.NodeTaints = append([]Taint(nil), base.NodeTaints...)
		rng.Shuffle(len(in.NodeTaints), func(a, b int) { in.NodeTaints[a], in.NodeTaints[b] = in.NodeTaints[b], in.NodeTaints[a] })
		in.NodeLabels = map[string]string{}
		for k, v := range base.NodeLabels {
			in.NodeLabels[k] = v
		}
		got := mustRender(t, in)
		if got.TOML != want.TOML || got.SHA256 != want.SHA256 {
			t.Fatalf("permutation %d changed the document:\n%s\nwant\n%s", i, got.TOML, want.TOML)
		}
	}
}

// Splitting the same settings differently across typed attributes and
// fragments gives the same document.
func TestRender_SameSettingsDifferentInputsSameBytes(t *testing.T) {
	typed := mustRender(t, identity(Input{MaxPods: int64p(110), NodeLabels: map[string]string{"role": "web"}, ClusterDNSIP: []string{"10.100.0.10"}, Strict: true}))
	raw := mustRender(t, Input{Strict: true, CustomUserData: []string{
		"settings.kubernetes.node-labels.role = \"web\"\nsettings.kubernetes.cluster-dns-ip = \"10.100.0.10\"\n",
		"[settings.kubernetes]\nmax-pods = 110\ncluster-name = \"demo\"\napi-server = \"" + testAPIServer + "\"\ncluster-certificate = \"" + testCA + "\"\n",
	}})
	if typed.TOML != raw.TOML {
		t.Fatalf("typed and raw inputs differ:\n%s\n---\n%s", typed.TOML, raw.TOML)
	}
}

func TestRender_ExactTypes(t *testing.T) {
	doc := mustRender(t, identity(Input{MaxPods: int64p(110), Strict: true, CustomUserData: []string{
		"[settings.kubernetes]\nstandalone-mode = false\nimage-gc-high-threshold-percent = 85\nimage-gc-low-threshold-percent = \"50\"\n",
	}}))
	for _, line := range []string{"max-pods = 110\n", "standalone-mode = false\n", "image-gc-high-threshold-percent = 85\n", "image-gc-low-threshold-percent = \"50\"\n"} {
		if !strings.Contains(doc.TOML, line) {
			t.Errorf("document lacks %q:\n%s", line, doc.TOML)
		}
	}
	for _, bad := range []string{"110.0", `"110"`} {
		if strings.Contains(doc.TOML, bad) {
			t.Errorf("document contains %s:\n%s", bad, doc.TOML)
		}
	}
}

func TestRender_EmptyTablesDropped(t *testing.T) {
	doc := mustRender(t, identity(Input{Strict: true, CustomUserData: []string{
		"[settings.kubernetes.node-taints]\n[settings.kubernetes.node-labels]\n[settings.host-containers.admin]\n",
	}}))
	for _, s := range []string{"node-taints", "node-labels", "host-containers"} {
		if strings.Contains(doc.TOML, s) {
			t.Errorf("empty table %s rendered:\n%s", s, doc.TOML)
		}
	}
}

func TestRender_EmptyDocumentIsAWarning(t *testing.T) {
	doc, problems := Render(Input{Strict: true, CustomUserData: []string{"", "  \n"}})
	if doc == nil || doc.TOML != "" || len(doc.Bytes) != 0 {
		t.Fatalf("want an empty document, got %+v", doc)
	}
	assertProblems(t, problems, want{sev: SeverityWarning, field: FieldNone, index: -1, detail: "No settings were given"})
}

func TestRender_DocumentNilIffError(t *testing.T) {
	doc, problems := Render(identity(Input{CustomUserData: []string{"settings.kubernetes.labels.a = \"b\"\n"}}))
	if doc == nil {
		t.Fatalf("warnings alone must not withhold the document: %v", problems)
	}
	assertProblems(t, problems, warnAt(FieldCustomUserData, 0, "settings.kubernetes.labels", `Did you mean "node-labels"? It is kept because strict is false`))
	doc, problems = Render(identity(Input{Strict: true, CustomUserData: []string{"settings.kubernetes.labels.a = \"b\"\n"}}))
	if doc != nil {
		t.Fatalf("an error must withhold the document")
	}
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "settings.kubernetes.labels", `Did you mean "node-labels"?`))
}

// Problems come in the same order every time (diagnostics must not shuffle
// between plans), and Render is safe to call concurrently.
func TestRender_ProblemsDeterministicAndConcurrent(t *testing.T) {
	in := Input{Strict: true,
		NodeLabels:     map[string]string{"kubernetes.io/a": "1", "k8s.io/b": "2", "c d": "3", "ok": "x y"},
		KubeReserved:   map[string]string{"pid": "1", "cpu": "x", "memroy": "1Gi"},
		CustomUserData: []string{"settings.kubernetes.labels.a = 1\nsettings.kubernetes.zz = 1\nsettings.kernel.lockdown = \"x\"\n", "settings.motd = 1\n"},
	}
	_, first := Render(in)
	if len(first) < 8 {
		t.Fatalf("expected many problems, got %d", len(first))
	}
	results := make(chan []Problem, 16)
	for i := 0; i < cap(results); i++ {
		go func() {
			_, p := Render(in)
			results <- p
		}()
	}
	for i := 0; i < cap(results); i++ {
		if got := <-results; !reflect.DeepEqual(got, first) {
			t.Fatalf("problems differ between runs:\n%v\n%v", got, first)
		}
	}
}
