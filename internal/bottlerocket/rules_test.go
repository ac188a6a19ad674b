package bottlerocket

import "testing"

func TestStringRules(t *testing.T) {
	cases := []struct {
		name string
		rule stringRule
		ok   []string
		bad  []string
	}{
		{"duration", ruleDuration,
			[]string{"1h", "30m", "45s", "100ms", "1h30m", "1h2m3s4ms", "1.5h", "0.5s", "0s", "2m500ms"},
			[]string{"", "30", "1d", "1m2h", "1s1m", "1ms1s", "1h1h", "1.h", ".5s", "-1s", "1 h", "1H", "1us"}},
		{"eviction threshold", ruleEvictionThreshold,
			[]string{"100Mi", "1Gi", "0%", "5%", "99.9%", "10.5%", "500", "1.5G", "1e1%"},
			[]string{"100%", "150%", "-1%", "%", "inf%", "abc", "5 %", "0x10%", "12ki"}},
		{"quantity", ruleQuantity,
			// Bottlerocket's pattern (modeled-types kubernetes.rs tests).
			[]string{"100m", "1", "1.5Gi", "512Mi", "1e3", "0", "129e6", "1000n", "-1"},
			[]string{"", "1 Gi", "1GB", "lots", "12ki", "100e23m", "1100KTi", "100Kiii", "1000i", "12%"}},
		{"kubelet quantity", ruleKubeletQuantity,
			[]string{"100m", "1.5Gi", "0"},
			[]string{"-1", "-1Gi", "1.2.3"}},
		{"base64", ruleBase64,
			[]string{"", "YQ==", "YWJj", "Y2VydA=="},
			[]string{"YQ", "YWJj=", "Y2V y", "-----BEGIN", "YQ==\n", "_-8="}},
		// Bottlerocket's Url: any scheme, or none (modeled-types shared.rs tests).
		{"URL", ruleURL,
			[]string{"https://a.example.com", "https://10.0.0.1:6443", "http://a.example.com", "a.example.com",
				"example.com/path", "ntp://127.0.0.1/path", "127.0.0.1", "localhost:8080", ".internal", "10.0.0.1:3128"},
			[]string{"how are you", "weird@", "not a url", "https://a.example.com/\n", "a\tb"}},
		{"identifier", ruleIdentifier,
			[]string{"admin", "my-container-1", "0", "--------", repeat("X", 76)},
			[]string{"my_container", "a.b", "../", "hello|world", "タール", repeat("X", 77)}},
		{"sysctl key", ruleSysctlKey,
			[]string{"net.core.somaxconn", "net/ipv4/conf/eth0/rp_filter", "fs/aio-nr", "a", repeat("a", 128)},
			[]string{"", "../hi", "/../hi", "hi/../../there", ".net.core", "net core", "net!", repeat("a", 129)}},
		{"kernel module", ruleKmodKey,
			[]string{"sctp", "i8042", "xt_XT", "dm-block", repeat("a", 56)},
			[]string{"../", "{}", "kernel|Module", "a.b", repeat("z", 57)}},
		{"boot config key", ruleBootConfigKey,
			[]string{"console", "usbcore.quirks", "-keyword1.keyword2", "key_word"},
			[]string{"", ".", "a..b", "a!", "①"}},
		{"boot config value", ruleBootConfigValue,
			[]string{"tty0", "ttyS1,115200n8", "", "\"abc", "2G-:256M"},
			[]string{"'\"", "é", "a\tb"}},
		{"version", ruleFriendlyVersion,
			[]string{"latest", "1.0.0", "v1.20.3", "v1.0.1-alpha", "1.0.2-alpha+1.0"},
			[]string{"", "hi", "1.0", "v1", "vv1.1.0", "1.0.3-beta.1.01", "Latest"}},
		{"NVIDIA GPU model", ruleNvidiaGPUModel,
			[]string{"a100.40gb", "h100.80gb", "h200.141gb"},
			[]string{"A100.40GB", "a100.40", "invalid", "1000"}},
		{"MIG profile", ruleMIGProfile,
			[]string{"1", "2", "3", "4", "7", "1g.5gb", "7g.141gb"},
			[]string{"5", "1000", "1g.10GB", "1g10gb", "g.10gb", "1g.gb"}},
		{"byte size", ruleByteSize,
			[]string{"1024", "8mb", "3mib", "2gb", "32MB", "1kb", ".5gb", "1.5gb", " 64mb ", "8M", "7eib"},
			[]string{"", "lots", "8 zb", "-1", "8 mb", "9zb", "8eib"}},
		{"DNS domain", ruleDNSDomain,
			[]string{"cluster.local", "dev.eks", "Cluster.Local"},
			[]string{"", ".a", "foo/com", "123.123.123.123", "[2001:db8::ff00:42:8329]"}},
		{"cpuset", ruleCPUSet,
			[]string{"0", "0-3", "0-1,4", "0,2,4-7"},
			[]string{"", "a", "3-1", "0-", ",", "0,,1", "-1"}},
		{"hostname", ruleHostname,
			[]string{"ip-10-0-0-1.ec2.internal", "a", "node-1", "a-"},
			[]string{"", "-a", ".a", "a..b", "a_b", "Node-1", repeat("a", 64), repeat("a.", 127) + "a"}},
		{"IP", ruleIP,
			[]string{"10.0.0.1", "fd00::a", "::1"},
			[]string{"", "10.0.0.256", "010.0.0.1", "fe80::1%eth0", "10.0.0.0/8", "host"}},
		{"cluster name", ruleClusterName,
			[]string{"a", "0", "my_cluster-1", "A" + repeat("b", 99)},
			[]string{"", "_a", "-a", "a.b", "a b", "A" + repeat("b", 100)}},
		{"bootstrap token", ruleBootstrapToken,
			[]string{"abcdef.0123456789abcdef"},
			[]string{"ABCDEF.0123456789abcdef", "abcde.0123456789abcdef", "abcdef0123456789abcdef"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.ok {
				if msg := tc.rule(s); msg != "" {
					t.Errorf("%q refused: %s", s, msg)
				}
			}
			for _, s := range tc.bad {
				if tc.rule(s) == "" {
					t.Errorf("%q accepted", s)
				}
			}
		})
	}
}
