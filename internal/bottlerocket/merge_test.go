package bottlerocket

import "testing"

func TestRender_Conflicts(t *testing.T) {
	cases := []struct {
		name string
		in   Input
		want []want
	}{
		{
			name: "typed and raw max-pods differ",
			in:   identity(Input{MaxPods: int64p(110), CustomUserData: []string{"settings.kubernetes.max-pods = 58\n"}}),
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.max-pods", "settings.kubernetes.max-pods is 110 in max_pods and 58 in custom_user_data")},
		},
		{
			name: "integer and float are different values",
			in:   identity(Input{MaxPods: int64p(110), CustomUserData: []string{"settings.kubernetes.max-pods = 110.0\n"}}),
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.max-pods", "is 110 in max_pods and 110.0 in custom_user_data")},
		},
		{
			name: "two fragments disagree",
			in:   Input{CustomUserData: []string{"settings.motd = \"a\"\n", "settings.motd = \"b\"\n"}},
			want: []want{errAt(FieldCustomUserData, 1, "settings.motd", `settings.motd is "a" in custom_user_data and "b" in custom_user_data`)},
		},
		{
			name: "label maps merge key by key and conflict per key",
			in: identity(Input{
				NodeLabels:     map[string]string{"example.com/role": "web", "team": "a"},
				CustomUserData: []string{"[settings.kubernetes.node-labels]\n\"example.com/role\" = \"db\"\nother = \"x\"\n"},
			}),
			want: []want{errAt(FieldCustomUserData, 0, `settings.kubernetes.node-labels."example.com/role"`, `is "web" in node_labels["example.com/role"] and "db" in custom_user_data`)},
		},
		{
			name: "cluster name differs",
			in:   identity(Input{CustomUserData: []string{"settings.kubernetes.cluster-name = \"other\"\n"}}),
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.cluster-name", `is "demo" in cluster_name and "other" in custom_user_data`)},
		},
		{
			name: "typed cluster-dns-ip list against a raw single string",
			in:   Input{ClusterDNSIP: []string{"10.100.0.10"}, CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = \"172.20.0.10\"\n"}},
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.cluster-dns-ip", `is ["10.100.0.10"] in cluster_dns_ip and ["172.20.0.10"] in custom_user_data`)},
		},
		{
			name: "table against value",
			in:   Input{CustomUserData: []string{"settings.kubernetes.node-labels = \"a=b\"\n", "settings.kubernetes.node-labels.a = \"b\"\n"}},
			want: []want{
				errAt(FieldCustomUserData, 1, "settings.kubernetes.node-labels", `is "a=b" in custom_user_data and a table in custom_user_data`),
				errAt(FieldCustomUserData, 0, "settings.kubernetes.node-labels", `must be a table, not a string "a=b"`),
			},
		},
		{
			name: "typed taints against raw taints of the same key",
			in:   Input{NodeTaints: []Taint{{Key: "dedicated", Value: "gpu", Effect: "NoSchedule"}}, CustomUserData: []string{"settings.kubernetes.node-taints.dedicated = [\"cpu:NoSchedule\"]\n"}},
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.node-taints.dedicated", `is ["gpu:NoSchedule"] in node_taints and ["cpu:NoSchedule"] in custom_user_data`)},
		},
		{
			name: "service CIDR derivation never overrides a raw cluster-dns-ip",
			in:   Input{ServiceCIDR: "10.100.0.0/16", CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = \"not-an-ip\"\n"}},
			want: []want{errAt(FieldCustomUserData, 0, "settings.kubernetes.cluster-dns-ip", `"not-an-ip" is not an IPv4 or IPv6 address`)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Strict = true
			doc, problems := Render(tc.in)
			if doc != nil {
				t.Fatalf("conflict rendered:\n%s", doc.TOML)
			}
			assertProblems(t, problems, tc.want...)
		})
	}
}

func TestRender_IdenticalValuesMerge(t *testing.T) {
	doc := mustRender(t, identity(Input{
		Strict:         true,
		MaxPods:        int64p(110),
		NodeLabels:     map[string]string{"role": "web"},
		NodeTaints:     []Taint{{Key: "dedicated", Value: "gpu", Effect: "NO_SCHEDULE"}},
		ClusterDNSIP:   []string{"10.100.0.10"},
		CustomUserData: []string{"[settings.kubernetes]\nmax-pods = 110\ncluster-name = \"demo\"\ncluster-dns-ip = \"10.100.0.10\"\nnode-labels.role = \"web\"\nnode-taints.dedicated = \"gpu:NoSchedule\"\n", "settings.kubernetes.max-pods = 110\n"},
	}))
	golden(t, "identical-merge", doc.TOML)
}
