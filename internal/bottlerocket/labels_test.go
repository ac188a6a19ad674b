package bottlerocket

import (
	"strings"
	"testing"
)

func TestValidateNodeLabels(t *testing.T) {
	cases := []struct {
		key, value string
		detail     string // "" means accepted
	}{
		{"role", "web", ""},
		{"example.com/role", "web", ""},
		{"empty-value", "", ""},
		{"node.kubernetes.io/lifecycle", "warm", ""},
		{"sub.node.kubernetes.io/x", "y", ""},
		{"kubelet.kubernetes.io/pool", "a", ""},
		{"a.kubelet.kubernetes.io/pool", "a", ""},
		{"topology.kubernetes.io/zone", "us-east-1a", ""},
		{"topology.kubernetes.io/region", "us-east-1", ""},
		{"failure-domain.beta.kubernetes.io/zone", "us-east-1a", ""},
		{"failure-domain.beta.kubernetes.io/region", "us-east-1", ""},
		{"beta.kubernetes.io/arch", "amd64", ""},
		{"beta.kubernetes.io/os", "linux", ""},
		{"beta.kubernetes.io/instance-type", "m5.large", ""},
		{"node.kubernetes.io/instance-type", "m5.large", ""},
		{"kubernetes.io/arch", "amd64", ""},
		{"kubernetes.io/os", "linux", ""},
		{"kubernetes.io/hostname", "ip-10-0-0-1", ""},
		{"example.k8s.io.example.com/x", "y", ""},
		{"kubernetes.io/cluster/demo", "owned", "label key \"kubernetes.io/cluster/demo\" is invalid"},
		{"kubernetes.io/role", "worker", "which the kubelet refuses in --node-labels"},
		{"node-role.kubernetes.io/worker", "", "which the kubelet refuses in --node-labels"},
		{"k8s.io/x", "y", "which the kubelet refuses"},
		{"sub.k8s.io/x", "y", "which the kubelet refuses"},
		{"topology.kubernetes.io/rack", "r1", "which the kubelet refuses"},
		{"node-restriction.kubernetes.io/x", "y", "which the kubelet refuses"},
		{"", "x", "label key \"\" is invalid"},
		{"-bad", "x", "is invalid"},
		{"Example.COM/x", "y", `the kubelet refuses it in --node-labels (the node would never join): prefix part a lowercase RFC 1123 subdomain`},
		{"Example.COM/x", "z", `Did you mean "example.com/x"?`},
		{repeat("a", 64), "x", "must be no more than 63 characters"},
		{"role", repeat("v", 64), "must be no more than 63 characters"},
		{"role", "has space", "value \"has space\" of label \"role\" is invalid"},
		{"role", "-dash", "is invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			got := ValidateNodeLabels(map[string]string{tc.key: tc.value})
			if tc.detail == "" {
				assertProblems(t, got)
				return
			}
			assertProblems(t, got, errKey(FieldNodeLabels, tc.key, settingPath(childPath(nodeLabelsPath, tc.key)), tc.detail))
		})
	}
}

// Render applies the same rules to typed and raw labels, attributed to the
// label's attribute key or fragment.
func TestRender_NodeLabels(t *testing.T) {
	_, problems := Render(Input{Strict: true,
		NodeLabels:     map[string]string{"kubernetes.io/role": "x", "ok": "fine"},
		CustomUserData: []string{"[settings.kubernetes.node-labels]\n\"node-role.kubernetes.io/worker\" = \"\"\nbad = \"a b\"\n"},
	})
	assertProblems(t, problems,
		errKey(FieldNodeLabels, "kubernetes.io/role", `settings.kubernetes.node-labels."kubernetes.io/role"`, "which the kubelet refuses"),
		errAt(FieldCustomUserData, 0, `settings.kubernetes.node-labels."node-role.kubernetes.io/worker"`, "which the kubelet refuses"),
		errAt(FieldCustomUserData, 0, "settings.kubernetes.node-labels.bad", `value "a b" of label "bad" is invalid`))
	_, problems = Render(Input{Strict: true, CustomUserData: []string{"settings.kubernetes.node-labels.a = 1\n"}})
	assertProblems(t, problems, errAt(FieldCustomUserData, 0, "settings.kubernetes.node-labels.a", "must be a string, not an integer 1"))
}

// The kubelet-refused key's message lists the allowed keys by their real
// names, in plain sentences.
func TestValidateNodeLabels_refusedKeyWording(t *testing.T) {
	problems := ValidateNodeLabels(map[string]string{"kubernetes.io/role": "web"})
	if len(problems) != 1 {
		t.Fatalf("problems = %v, want one", problems)
	}
	detail := problems[0].Detail
	for _, bad := range []string{"  ", "beta.kubernetes.io/failure-domain", "forms."} {
		if strings.Contains(detail, bad) {
			t.Errorf("detail contains %q: %s", bad, detail)
		}
	}
	for _, key := range []string{"failure-domain.beta.kubernetes.io/zone", "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type"} {
		if !strings.Contains(detail, key) {
			t.Errorf("detail does not name %s: %s", key, detail)
		}
	}
}

// In custom_user_data, a node-label key Bottlerocket's KubernetesLabelKey
// refuses is an error; one it takes but the kubelet refuses (a prefix that
// is not a lowercase DNS subdomain) is a doubt: a warning when not strict.
func TestNodeLabelKeyBottlerocketAndKubelet(t *testing.T) {
	for _, tc := range []struct {
		key, detail string
		certain     bool
	}{
		{"Example.COM/team", `Did you mean "example.com/team"?`, false},
		{"-corp/team", "the kubelet refuses it", false},
		{"a..b/team", "the kubelet refuses it", false},
		{"bad key", `Did you mean "bad-key"?`, true},
		{"a/b/c", "is invalid", true},
		{"team_", "is invalid", true},
		{repeat("a", 254) + "/x", "is invalid", true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			frag := "[settings.kubernetes.node-labels]\n\"" + tc.key + "\" = \"x\"\n"
			setting := settingPath(childPath(nodeLabelsPath, tc.key))
			assertFragmentFinding(t, frag, setting, tc.detail, tc.certain)
		})
	}
}
