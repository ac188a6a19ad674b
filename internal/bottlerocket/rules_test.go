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
			[]string{"100Mi", "1Gi", "0%", "5%", "99.9%", "10.5%", "500", "1.5G"},
			[]string{"100%", "150%", "-1%", "%", "1e1%", "inf%", "abc", "-1Gi", "5 %", "0x10%"}},
		{"quantity", ruleQuantity,
			[]string{"100m", "1", "1.5Gi", "512Mi", "1e3", "0"},
			[]string{"", "1 Gi", "1GB", "-1", "lots"}},
		{"base64", ruleBase64,
			[]string{"", "YQ==", "YWJj", "Y2VydA=="},
			[]string{"YQ", "YWJj=", "Y2V y", "-----BEGIN", "YQ==\n", "_-8="}},
		{"https URL", ruleHTTPSURL,
			[]string{"https://a.example.com", "https://10.0.0.1:6443", "https://a.example.com/path"},
			[]string{"http://a.example.com", "a.example.com", "https://", "https:///x", "://x"}},
		{"cpuset", ruleCPUSet,
			[]string{"0", "0-3", "0-1,4", "0,2,4-7"},
			[]string{"", "a", "3-1", "0-", ",", "0,,1", "-1"}},
		{"hostname", ruleHostname,
			[]string{"ip-10-0-0-1.ec2.internal", "a", "Node-1"},
			[]string{"", "-a", "a-", "a..b", "a_b", repeat("a", 64), repeat("a.", 127) + "a"}},
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
