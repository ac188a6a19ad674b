package bottlerocket

import (
	"strings"
	"testing"
)

func TestNormalizeTaintEffect(t *testing.T) {
	cases := map[string]string{
		"NoSchedule": "NoSchedule", "PreferNoSchedule": "PreferNoSchedule", "NoExecute": "NoExecute",
		"NO_SCHEDULE": "NoSchedule", "PREFER_NO_SCHEDULE": "PreferNoSchedule", "NO_EXECUTE": "NoExecute",
	}
	for in, want := range cases {
		if got, ok := NormalizeTaintEffect(in); !ok || got != want {
			t.Errorf("NormalizeTaintEffect(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "noschedule", "No_Schedule", "NoScheduled", "Evict"} {
		if got, ok := NormalizeTaintEffect(in); ok {
			t.Errorf("NormalizeTaintEffect(%q) accepted as %q", in, got)
		}
	}
}

func TestValidateTaints(t *testing.T) {
	taints := []Taint{
		{Key: "ok", Value: "v", Effect: "NoSchedule"},
		{Key: "bad key!", Value: "v", Effect: "NoSchedule"},
		{Key: "k", Value: "bad value", Effect: "NoSchedule"},
		{Key: "k", Value: "v", Effect: "NoScheduel"},
		{Key: "dup", Value: "a", Effect: "NoSchedule"},
		{Key: "dup", Value: "b", Effect: "NO_SCHEDULE"},
		{Key: "ok", Value: "v", Effect: "NO_SCHEDULE"},
		{Key: "empty-value", Effect: "NoExecute"},
	}
	const tp = "settings.kubernetes.node-taints."
	assertProblems(t, ValidateTaints(taints),
		errAt(FieldNodeTaints, 1, `settings.kubernetes.node-taints."bad key!"`, `taint key "bad key!" is invalid`),
		errAt(FieldNodeTaints, 2, tp+"k", `value "bad value" of taint "k" is invalid`),
		errAt(FieldNodeTaints, 3, tp+"k", `effect "NoScheduel" of taint "k" is not one of NoSchedule, PreferNoSchedule, NoExecute`),
		errAt(FieldNodeTaints, 5, tp+"dup", `taint "dup" has two values for effect NoSchedule ("a" and "b")`))
}

func TestRender_Taints(t *testing.T) {
	doc := mustRender(t, Input{Strict: true,
		NodeTaints: []Taint{
			{Key: "dedicated", Value: "gpu", Effect: "NoSchedule"},
			{Key: "dedicated", Value: "gpu", Effect: "NO_EXECUTE"},
			{Key: "dedicated", Value: "gpu", Effect: "NoSchedule"},
			{Key: "spot", Effect: "PREFER_NO_SCHEDULE"},
		},
		CustomUserData: []string{"[settings.kubernetes.node-taints]\nlegacy = \"x:NO_EXECUTE\"\nlist = [\"b:NoSchedule\", \"a:NoExecute\", \"b:NoSchedule\"]\n"},
	})
	for _, line := range []string{
		`dedicated = ["gpu:NoExecute", "gpu:NoSchedule"]`,
		`spot = [":PreferNoSchedule"]`,
		`legacy = ["x:NoExecute"]`,
		`list = ["a:NoExecute", "b:NoSchedule"]`,
	} {
		if !strings.Contains(doc.TOML, line+"\n") {
			t.Errorf("missing %s in\n%s", line, doc.TOML)
		}
	}

	const tp = "settings.kubernetes.node-taints."
	cases := []struct {
		name, fragment string
		want           want
	}{
		{"empty list", "settings.kubernetes.node-taints.a = []\n", errAt(FieldCustomUserData, 0, tp+"a", "empty taint value")},
		{"unknown effect", "settings.kubernetes.node-taints.a = \"v:Evict\"\n", errAt(FieldCustomUserData, 0, tp+"a", `effect "Evict" of taint "a" is not one of`)},
		{"lower-case effect", "settings.kubernetes.node-taints.a = [\"v:noschedule\"]\n", errAt(FieldCustomUserData, 0, tp+"a", `Did you mean "NoSchedule"?`)},
		{"no colon", "settings.kubernetes.node-taints.a = [\"NoSchedule\"]\n", errAt(FieldCustomUserData, 0, tp+"a", `is not of the form "value:Effect"`)},
		{"bad value", "settings.kubernetes.node-taints.a = [\"a b:NoSchedule\"]\n", errAt(FieldCustomUserData, 0, tp+"a", `value "a b" of taint "a" is invalid`)},
		{"bad key", "settings.kubernetes.node-taints.\"a/b/c\" = [\"v:NoSchedule\"]\n", errAt(FieldCustomUserData, 0, `settings.kubernetes.node-taints."a/b/c"`, `taint key "a/b/c" is invalid`)},
		{"number", "settings.kubernetes.node-taints.a = [1]\n", errAt(FieldCustomUserData, 0, tp+"a", `must hold "value:Effect" strings, not an integer 1`)},
		{"not a table", "settings.kubernetes.node-taints = \"a=b:NoSchedule\"\n", errAt(FieldCustomUserData, 0, "settings.kubernetes.node-taints", "must be a table of taint key")},
		{"same effect twice", "settings.kubernetes.node-taints.a = [\"x:NoSchedule\", \"y:NO_SCHEDULE\"]\n", errAt(FieldCustomUserData, 0, tp+"a", "unique by key and effect")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, problems := Render(Input{Strict: true, CustomUserData: []string{tc.fragment}})
			if doc != nil {
				t.Fatalf("rendered:\n%s", doc.TOML)
			}
			assertProblems(t, problems, tc.want)
		})
	}

	doc, problems := Render(Input{Strict: true, NodeTaints: []Taint{{Key: "a", Value: "v", Effect: "Bogus"}}})
	if doc != nil {
		t.Fatal("bad typed taint rendered")
	}
	assertProblems(t, problems, errAt(FieldNodeTaints, 0, tp+"a", `effect "Bogus"`))
}

// node-taints keys are Bottlerocket's KubernetesLabelKey: one it refuses is
// an error; one it takes but the kubelet's --register-with-taints refuses
// (a prefix that is not a lowercase DNS subdomain) is a doubt in
// custom_user_data and an error on the typed node_taints attribute.
func TestTaintKeyBottlerocketAndKubelet(t *testing.T) {
	for _, tc := range []struct {
		key, detail string
		certain     bool
	}{
		{"Example.COM/gpu", `Did you mean "example.com/gpu"?`, false},
		{"-corp/gpu", "the kubelet refuses it in --register-with-taints", false},
		{"gpu!", "is invalid", true},
		{"a/b/c", "is invalid", true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			frag := "[settings.kubernetes.node-taints]\n\"" + tc.key + "\" = [\"true:NoSchedule\"]\n"
			setting := settingPath(childPath(nodeTaintsPath, tc.key))
			assertFragmentFinding(t, frag, setting, tc.detail, tc.certain)
			typed := ValidateTaints([]Taint{{Key: tc.key, Value: "true", Effect: "NoSchedule"}})
			assertProblems(t, typed, errAt(FieldNodeTaints, 0, setting, tc.detail))
		})
	}
}
