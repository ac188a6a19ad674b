package bottlerocket

import (
	"strings"
	"testing"
)

func TestRender_ClusterDNSIP(t *testing.T) {
	ok := []struct {
		name string
		in   Input
		line string
	}{
		{"derived IPv4 /16", Input{ServiceCIDR: "172.20.0.0/16"}, `cluster-dns-ip = ["172.20.0.10"]`},
		{"derived IPv4 /12", Input{ServiceCIDR: "10.96.0.0/12"}, `cluster-dns-ip = ["10.96.0.10"]`},
		{"derived IPv4 /24", Input{ServiceCIDR: "192.168.7.0/24"}, `cluster-dns-ip = ["192.168.7.10"]`},
		{"derived IPv6", Input{ServiceCIDR: "fd00:10:96::/108"}, `cluster-dns-ip = ["fd00:10:96::a"]`},
		{"explicit list order kept", Input{ServiceCIDR: "172.20.0.0/16", ClusterDNSIP: []string{"169.254.20.10", "172.20.0.10"}}, `cluster-dns-ip = ["169.254.20.10", "172.20.0.10"]`},
		{"raw single string as list", Input{CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = \"10.100.0.10\"\n"}}, `cluster-dns-ip = ["10.100.0.10"]`},
		{"raw list wins over derivation", Input{ServiceCIDR: "172.20.0.0/16", CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = [\"169.254.20.10\"]\n"}}, `cluster-dns-ip = ["169.254.20.10"]`},
		{"IPv6 cluster IPv6 first", Input{ServiceCIDR: "fd00:10:96::/108", ClusterDNSIP: []string{"fd00:10:96::a", "169.254.20.10"}}, `cluster-dns-ip = ["fd00:10:96::a", "169.254.20.10"]`},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Strict = true
			doc := mustRender(t, tc.in)
			if !strings.Contains(doc.TOML, tc.line+"\n") {
				t.Fatalf("want %s in\n%s", tc.line, doc.TOML)
			}
		})
	}

	const dp = "settings.kubernetes.cluster-dns-ip"
	bad := []struct {
		name string
		in   Input
		want want
	}{
		{"IPv4 /11", Input{ServiceCIDR: "10.0.0.0/11"}, errAt(FieldServiceCIDR, -1, "", "an IPv4 service CIDR must be between /12 and /24")},
		{"IPv4 /25", Input{ServiceCIDR: "10.0.0.0/25"}, errAt(FieldServiceCIDR, -1, "", "is a /25")},
		{"host bits", Input{ServiceCIDR: "172.20.5.0/16"}, errAt(FieldServiceCIDR, -1, "", `did you mean "172.20.0.0/16"?`)},
		{"not a CIDR", Input{ServiceCIDR: "172.20.0.0"}, errAt(FieldServiceCIDR, -1, "", "is not a CIDR")},
		{"typed bad IP", Input{ClusterDNSIP: []string{"10.0.0.10", "nope"}}, errAt(FieldClusterDNSIP, 1, dp, `"nope" is not an IPv4 or IPv6 address`)},
		{"typed empty string", Input{ClusterDNSIP: []string{""}}, errAt(FieldClusterDNSIP, 0, dp, `"" is not an IPv4 or IPv6 address`)},
		{"raw number", Input{CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = 10\n"}}, errAt(FieldCustomUserData, 0, dp, "must be an IP address or array of IP addresses, not an integer 10")},
		{"IPv6 cluster IPv4 first", Input{ServiceCIDR: "fd00:10:96::/108", ClusterDNSIP: []string{"169.254.20.10", "fd00:10:96::a"}}, errAt(FieldClusterDNSIP, 0, dp, "the first cluster-dns-ip 169.254.20.10 is IPv4 but service_cidr fd00:10:96::/108 is IPv6")},
		{"IPv6 cluster raw IPv4", Input{ServiceCIDR: "fd00:10:96::/108", CustomUserData: []string{"settings.kubernetes.cluster-dns-ip = \"10.100.0.10\"\n"}}, errAt(FieldCustomUserData, 0, dp, "Put an IPv6 address first, such as fd00:10:96::a")},
		{"IPv4 cluster IPv6 first", Input{ServiceCIDR: "10.100.0.0/16", ClusterDNSIP: []string{"fd00::a"}}, errAt(FieldClusterDNSIP, 0, dp, "is IPv6 but service_cidr 10.100.0.0/16 is IPv4")},
	}
	for _, tc := range bad {
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

func TestRender_ClusterDNSIPNeverEmitted(t *testing.T) {
	doc := mustRender(t, Input{Strict: true, MaxPods: int64p(3)})
	if strings.Contains(doc.TOML, "cluster-dns-ip") {
		t.Fatalf("cluster-dns-ip emitted without a source:\n%s", doc.TOML)
	}
}
