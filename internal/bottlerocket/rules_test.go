package bottlerocket

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

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
		// Bottlerocket's Url: any scheme, or none (modeled-types shared.rs
		// tests), as the WHATWG URL Standard parses it: spaces around the
		// URL and in its path are fine; a text with a scheme whose host is
		// bad still passes through the "http://" retry (the scheme becomes
		// the host). Scheme-less text with a bad host does not.
		{"URL", ruleURL,
			[]string{"https://a.example.com", "https://10.0.0.1:6443", "http://a.example.com", "a.example.com",
				"example.com/path", "ntp://127.0.0.1/path", "127.0.0.1", "localhost:8080", ".internal", ".cluster.local", "10.0.0.1:3128",
				"  https://example.com/path  ", "https://example.com/a b", "http://ex{ample.com", "[::1]:8080", "unix:///run/x.sock",
				"https://demo .eks.amazonaws.com", "https://<example-mirror>"},
			[]string{"how are you", "weird@", "not a url", "https://a.example.com/\n", "a\tb", "https://a.example.com/\x7f",
				"https://a.example.com/\u2028", "10.0.0.256", "10.0.0.1:99999", "[fe80::1%eth0]:80", "demo .eks.amazonaws.com", "exa%20mple.com"}},
		// Identifier: an empty name passes (every character of none is
		// allowed).
		{"identifier", ruleIdentifier,
			[]string{"admin", "my-container-1", "0", "--------", "123321hello", repeat("X", 76), ""},
			[]string{"my_container", "a.b", "../", "hello|world", "タール", repeat("X", 77)}},
		{"sysctl key", ruleSysctlKey,
			// "net/ipv4//ip_forward" has no "..", does not start with '.'
			// or '/' and matches the pattern: SysctlKey takes it.
			[]string{"net.core.somaxconn", "net/ipv4/conf/eth0/rp_filter", "fs/aio-nr", "a", repeat("a", 128), "net/ipv4//ip_forward",
				"net/ipv4.conf.enp0s42f3/igmpv3_unsolicited_report_interval", "-./0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"},
			[]string{"", "../hi", "/../hi", "hi/../../there", ".net.core", "/net/core", "net core", "net!", "net~", "net\u2028", repeat("a", 129)}},
		{"kernel module", ruleKmodKey,
			[]string{"sctp", "i8042", "xt_XT", "dm-block", repeat("a", 56)},
			[]string{"../", "{}", "kernel|Module", "a.b", repeat("z", 57)}},
		{"boot config key", ruleBootConfigKey,
			[]string{"console", "usbcore.quirks", "-keyword1.keyword2", "_keyword.1.2.3", "key_word", "keyword1-"},
			[]string{"", ".", "a..b", "a.", ".a", "a!", "①", "con sole"}},
		{"boot config value", ruleBootConfigValue,
			// Printable ASCII, spaces included (BootConfigValue tests).
			[]string{"tty0", "ttyS1,115200n8", "", "\"abc", "2G-:256M", "de bug", "@yogurt@", " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}"},
			[]string{"'\"", "é", "a\tb", "bottlerocket①", "—", "a\x7f"}},
		{"version", ruleFriendlyVersion,
			[]string{"latest", "1.0.0", "v1.20.3", "v1.0.1-alpha", "1.0.2-alpha+1.0", "v1.1.0-rc.1.1", "18446744073709551615.0.0"},
			[]string{"", "hi", "1", "1.0", "v", "v1", "v1.0", "1.20", "vv1.1.0", "1.0.3-beta.1.01", "Latest", "V1.0.0", "01.0.0", "1.0.0-", "18446744073709551616.0.0", "latest\n"}},
		{"NVIDIA GPU model", ruleNvidiaGPUModel,
			// Rust's \d takes any Unicode decimal digit.
			[]string{"a100.40gb", "h100.80gb", "h200.141gb", "a\u0661\u0660\u0660.40gb"},
			[]string{"A100.40GB", "a100.40", "invalid", "1000"}},
		{"MIG profile", ruleMIGProfile,
			[]string{"1", "2", "3", "4", "7", "1g.5gb", "7g.141gb", "3g.71gb", "1g.\u0665gb"},
			[]string{"5", "1000", "invalid", "10g.100GB", "1g.10GB", "1g10gb", "g.10gb", "1g.gb"}},
		{"byte size", ruleByteSize,
			[]string{"1024", "8mb", "3mib", "2gb", "32MB", "1kb", ".5gb", "1.5gb", " 64mb ", "8M", "7eib"},
			[]string{"", "lots", "8 zb", "-1", "8 mb", "9zb", "8eib"}},
		{"DNS domain", ruleDNSDomain,
			// DNSDomain: Host::parse of the url crate (WHATWG host parsing).
			[]string{"cluster.local", "dev.eks", "stage.eks", "Cluster.Local", "a_b.local", "a..b", "xn--bcher-kva.example", "bücher.example"},
			[]string{"", ".a", "foo/com", "123.123.123.123", "[2001:db8::ff00:42:8329]", "0x7f.1", "a b", "a%2Fb", "cluster.local:53",
				"a\u2028b", "xn--a.com", "1.2.3.256"}},
		// KernelCpuSetValue's pattern (shared.rs tests), which takes
		// descending ranges; the kubelet's parse does not.
		{"cpuset", ruleCPUSet,
			[]string{"0", "1", "0-3", "0-1,4", "0,2,4-7", "1-3,6-9,10-15", "100,101", "3-1", "1-23-4"},
			[]string{"", "a", "ten", "100.0", "0...4", "1..5", "0-", "1-", "-3", "9,-10", ",", "0,,1", "-1", "1,2,", " 1"}},
		{"kubelet cpuset", ruleKubeletCPUSet,
			[]string{"0", "0-3", "0-1,4", "1-3,6-9,10-15"},
			[]string{"3-1", "1-23-4", "1-2-3"}},
		{"hostname", ruleHostname,
			[]string{"ip-10-0-0-1.ec2.internal", "a", "node-1", "a-", "hello1234567890", repeat("a", 63),
				repeat("a", 63) + "." + repeat("a", 63) + "." + repeat("a", 63) + "." + repeat("a", 61)},
			[]string{"", " ", "-a", ".a", "a.", "a..b", "a.a.-a.a1234", "@a", "a_b", "Node-1", repeat("a", 64), repeat("a.", 127) + "a"}},
		{"IP", ruleIP,
			[]string{"10.0.0.1", "fd00::a", "::1"},
			[]string{"", "10.0.0.256", "010.0.0.1", "fe80::1%eth0", "10.0.0.0/8", "host"}},
		// SingleLineString: reject_control_chars, then the line terminators.
		{"single line", ruleSingleLine,
			[]string{"", "hi", repeat(" ", 9999), "unicode 日本語", "tab-free"},
			[]string{"Hello\nWorld", "\n", "\r", "\r\n", "\v", "\f", "\u0085", "\u2028", "\u2029", "a\x00b", "a\x1bb", "a\x7fb", "a\tb"}},
		{"no control", ruleNoControl,
			[]string{"", "hello-world", "path with spaces", "unicode 日本語"},
			[]string{"prefix\x00suffix", "prefix\x1fsuffix", "prefix\x7fsuffix", "prefix\u0085suffix", "prefix\u2028suffix", "prefix\u2029suffix"}},
		// ValidBase64Json (shared.rs tests).
		{"base64 JSON", ruleBase64JSON,
			[]string{"eyJ0ZXN0IjoidmFsdWUifQ==", "e30=", "MQ==", b64(repeat("[", 127) + repeat("]", 127)), b64(`["[[[[\\",` + repeat("[", 126) + repeat("]", 126) + "]")},
			[]string{"", "not base64!", "bm90IGpzb24=", "e30", "e30=\n", b64(repeat("[", 128) + repeat("]", 128))}},
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

// Near misses of the modeled types get a "Did you mean" the rule accepts.
func TestRuleSuggestions(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule stringRule
		in   string
		want string // the suggestion, or "" for none
	}{
		{"hostname case", ruleHostname, "My-Node", "my-node"},
		{"hostname underscore", ruleHostname, "my_node.local", "my-node.local"},
		{"identifier underscore", ruleIdentifier, "my_admin", "my-admin"},
		{"kernel module dot", ruleKmodKey, "nf.conntrack", "nf_conntrack"},
		{"boot config key space", ruleBootConfigKey, "systemd.log level", "systemd.log_level"},
		{"sysctl key space", ruleSysctlKey, " vm.swappiness", "vm.swappiness"},
		{"duration bare number", ruleDuration, "30", "30s"},
		{"duration upper case", ruleDuration, "1H30M", "1h30m"},
		{"duration wrong order", ruleDuration, "1m2h", ""},
		{"quantity lower unit", ruleQuantity, "512mi", "512Mi"},
		{"quantity byte suffix", ruleQuantity, "1GiB", "1Gi"},
		{"quantity SI byte", ruleQuantity, "1GB", "1G"},
		{"quantity space", ruleQuantity, "1 Gi", "1Gi"},
		{"quantity nonsense", ruleQuantity, "lots", ""},
		{"cluster name dot", ruleClusterName, "my.cluster", "my-cluster"},
		{"IP brackets", ruleIP, "[fd00::a]", "fd00::a"},
		{"IP space", ruleIP, " 10.0.0.1", "10.0.0.1"},
		{"URL space in host", ruleURL, "proxy .example.com", "proxy.example.com"},
		{"version two parts", ruleFriendlyVersion, "v1.2", "v1.2.0"},
		{"version case", ruleFriendlyVersion, "Latest", "latest"},
		{"GPU model case", ruleNvidiaGPUModel, "A100.40GB", "a100.40gb"},
		{"MIG profile case", ruleMIGProfile, "1g.5GB", "1g.5gb"},
		{"label key prefix case", kubeletLabelKeyProblem, "Example.COM/team", "example.com/team"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.rule(tc.in)
			if msg == "" {
				t.Fatalf("%q accepted", tc.in)
			}
			_, suggestion, found := strings.Cut(msg, "Did you mean ")
			switch {
			case tc.want == "" && found:
				t.Errorf("unexpected suggestion: %s", msg)
			case tc.want != "" && !strings.HasPrefix(suggestion, strconv.Quote(tc.want)+"?"):
				t.Errorf("got %q, want the suggestion %q", msg, tc.want)
			}
		})
	}
	// The bootstrap token is secret: the hint must not repeat it.
	if msg := ruleBootstrapToken("ABCDEF.0123456789ABCDEF"); !strings.Contains(msg, "lowercase") || strings.Contains(msg, "abcdef") {
		t.Errorf("bootstrap token hint = %q", msg)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
