package bottlerocket

import "testing"

// Findings on typed attributes carry that attribute (and map key), so the
// provider can put the diagnostic on it.
func TestRender_TypedAttribution(t *testing.T) {
	const p = "settings.kubernetes."
	cases := []struct {
		name string
		in   Input
		want want
	}{
		{"cluster_name", Input{ClusterName: "-bad", APIServer: testAPIServer, ClusterCertificate: testCA}, errAt(FieldClusterName, -1, p+"cluster-name", "is not an EKS cluster name")},
		{"api_server", Input{ClusterName: "demo", APIServer: "demo .eks.amazonaws.com", ClusterCertificate: testCA}, errAt(FieldAPIServer, -1, p+"api-server", "is not a URL")},
		{"cluster_certificate", Input{ClusterName: "demo", APIServer: testAPIServer, ClusterCertificate: "-----BEGIN CERTIFICATE-----\nMII"}, errAt(FieldClusterCertificate, -1, p+"cluster-certificate", "It looks like PEM text")},
		{"max_pods", Input{MaxPods: int64p(-3)}, errAt(FieldMaxPods, -1, p+"max-pods", "-3 is out of range for a u32 integer")},
		{"kube_reserved key", Input{KubeReserved: map[string]string{"pids": "10"}}, errKey(FieldKubeReserved, "pids", p+"kube-reserved.pids", `"pids" is not allowed`)},
		{"system_reserved value", Input{SystemReserved: map[string]string{"memory": "lots"}}, errKey(FieldSystemReserved, "memory", p+"system-reserved.memory", `"lots" is not a Kubernetes quantity`)},
		{"eviction_hard value", Input{EvictionHard: map[string]string{"nodefs.available": "120%"}}, errKey(FieldEvictionHard, "nodefs.available", p+`eviction-hard."nodefs.available"`, "must be below 100%")},
		{"eviction_hard key", Input{EvictionHard: map[string]string{"memory": "1Gi"}}, errKey(FieldEvictionHard, "memory", p+"eviction-hard.memory", `Did you mean "memory.available"?`)},
		{"node_labels", Input{NodeLabels: map[string]string{"k8s.io/x": "y"}}, errKey(FieldNodeLabels, "k8s.io/x", p+`node-labels."k8s.io/x"`, "which the kubelet refuses")},
		{"cluster_dns_ip", Input{ClusterDNSIP: []string{"10.0.0.10", "10.0.0.1/32"}}, errAt(FieldClusterDNSIP, 1, p+"cluster-dns-ip", `"10.0.0.1/32" is not an IPv4 or IPv6 address`)},
		{"invalid UTF-8", Input{ClusterName: "demo", APIServer: testAPIServer + "/\xff", ClusterCertificate: testCA}, errAt(FieldAPIServer, -1, p+"api-server", "not valid UTF-8")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Strict = true
			doc, problems := Render(tc.in)
			if doc != nil {
				t.Fatalf("rendered:\n%s", doc.TOML)
			}
			assertProblems(t, problems, tc.want)
		})
	}
}
