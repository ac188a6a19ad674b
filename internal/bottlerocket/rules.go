package bottlerocket

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	whatwgurl "github.com/nlnwa/whatwg-url/url"
	"k8s.io/apimachinery/pkg/api/resource"
)

// A stringRule checks one string setting the way Bottlerocket's modeled
// types do and returns why the value is refused, or "".
type stringRule func(string) string

var clusterNameRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)

func ruleClusterName(s string) string {
	if !clusterNameRE.MatchString(s) {
		return fmt.Sprintf("%q is not an EKS cluster name: it must match ^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$ (1-100 letters, digits, '-' or '_', starting with a letter or digit).", s) +
			didYouMean(s, matches(clusterNameRE), strings.TrimSpace(s), strings.NewReplacer(".", "-", " ", "-").Replace(strings.TrimSpace(s)))
	}
	return ""
}

// ruleBase64 accepts standard, padded base64 only, as Bottlerocket's
// ValidBase64 does; PEM text pasted where base64 is expected is the usual
// mistake.
func ruleBase64(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN") {
		return "the value is not valid standard base64. It looks like PEM text: pass base64encode(pem), or the EKS certificate_authority data as is."
	}
	// Go's decoder skips line breaks; Bottlerocket's (Rust base64) does not.
	if strings.ContainsAny(s, "\r\n") {
		return "the value is not valid standard base64: it contains a line break (use base64encode, which does not wrap lines)."
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
		return fmt.Sprintf("the value is not valid standard base64 (%v).", err)
	}
	return ""
}

func decodeBase64(s string) ([]byte, bool) {
	if ruleBase64(s) != "" {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// ruleURL is Bottlerocket's Url (modeled-types shared.rs): no control
// character (reject_control_chars), then a URL as the url crate parses it,
// or, failing that, the same text with "http://" in front, since
// scheme-less values such as "example.com" or "10.0.0.1:3128" are common.
// The url crate implements the WHATWG URL Standard, and so does
// github.com/nlnwa/whatwg-url: any scheme, spaces around the URL and in
// its path are accepted (the crate trims and percent-encodes them), while
// a host with a space, an IPv4 part above 255, a port above 65535 or an
// IPv6 zone is refused.
func ruleURL(s string) string {
	if msg := ruleNoControl(s); msg != "" {
		return msg
	}
	if _, err := whatwgurl.Parse(s); err == nil {
		return ""
	}
	if _, err := whatwgurl.Parse("http://" + s); err == nil {
		return ""
	}
	msg := fmt.Sprintf("%q is not a URL (such as https://example.com/path, or example.com).", s)
	if fixed := strings.ReplaceAll(s, " ", ""); fixed != s && fixed != "" && ruleURL(fixed) == "" {
		msg += fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return msg
}

// parseIP accepts what Rust's IpAddr accepts: no zones, no leading zeros.
func parseIP(s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Sprintf("%q is not an IPv4 or IPv6 address.", s) + didYouMean(s, func(x string) string {
			if _, err := netip.ParseAddr(x); err != nil || strings.Contains(x, "%") {
				return "bad"
			}
			return ""
		}, strings.TrimSpace(s), strings.Trim(strings.TrimSpace(s), "[]"))
	}
	return a, ""
}

func ruleIP(s string) string {
	_, msg := parseIP(s)
	return msg
}

// Bottlerocket's duration: h, m, s, ms in that order, each at most once,
// decimals allowed, at least one unit.
var durationRE = regexp.MustCompile(`^(?:[0-9]+(?:\.[0-9]+)?h)?(?:[0-9]+(?:\.[0-9]+)?m)?(?:[0-9]+(?:\.[0-9]+)?s)?(?:[0-9]+(?:\.[0-9]+)?ms)?$`)

func ruleDuration(s string) string {
	if s == "" || !durationRE.MatchString(s) {
		return fmt.Sprintf("%q is not a Bottlerocket duration: use h, m, s and ms units in that order, such as \"30s\", \"1h30m\" or \"1.5m\"; a bare number is not accepted.", s) +
			didYouMean(s, matches(durationRE), strings.ToLower(strings.ReplaceAll(s, " ", "")), strings.TrimSpace(s)+"s")
	}
	return ""
}

// quantityRE is Bottlerocket's KUBERNETES_QUANTITY (modeled-types
// kubernetes.rs): looser than the kubelet's parse (it takes "1.2.3" and
// negative values), so the kubelet's rule is checked as a doubt.
var quantityRE = regexp.MustCompile(`^([+-]?[0-9.]+)((e)?[0-9]*)$|^([+-]?[0-9.]+)((E|P|T|G|M|K)i?)?$|^([+-]?[0-9.]+)(n|u|m|k)?$`)

func ruleQuantity(s string) string {
	if !quantityRE.MatchString(s) {
		return fmt.Sprintf("%q is not a Kubernetes quantity (such as \"100m\", \"512Mi\" or \"1Gi\").", s) + didYouMean(s, matches(quantityRE), quantityRewrites(s)...)
	}
	return ""
}

// quantityRewrites are the usual slips in a quantity: spaces, a lowercase
// binary unit ("512mi"), a byte suffix ("1GB", "1GiB").
func quantityRewrites(s string) []string {
	t := strings.ReplaceAll(s, " ", "")
	out := []string{t}
	for _, unit := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"} {
		for _, slip := range []string{strings.ToLower(unit), strings.ToUpper(unit), unit + "B", strings.ToLower(unit) + "b", unit + "b"} {
			if n, ok := strings.CutSuffix(t, slip); ok {
				out = append(out, n+unit)
			}
		}
		if n, ok := strings.CutSuffix(t, unit[:1]+"B"); ok {
			out = append(out, n+unit[:1])
		}
	}
	return out
}

// ruleKubeletQuantity is the kubelet's parse of a quantity it reserves or
// evicts at: a valid, non-negative resource.Quantity.
func ruleKubeletQuantity(s string) string {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return fmt.Sprintf("%q passes Bottlerocket's quantity pattern, but the kubelet cannot parse it.", s)
	}
	if q.Sign() < 0 {
		return fmt.Sprintf("%q is negative; the kubelet refuses a negative quantity.", s)
	}
	return ""
}

// ruleEvictionThreshold is Bottlerocket's KubernetesThresholdValue: a
// percentage 0 <= x < 100 (parsed as a float), or a quantity.
func ruleEvictionThreshold(s string) string {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 32)
		if err != nil || strings.ContainsAny(p, "xX_") {
			return fmt.Sprintf("%q is not a percentage such as \"10%%\".", s)
		}
		if !(f >= 0 && f < 100) {
			return fmt.Sprintf("%q must be below 100%% and not negative: the kubelet would evict every pod.", s)
		}
		return ""
	}
	return ruleQuantity(s)
}

var bootstrapTokenRE = regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`)

func ruleBootstrapToken(s string) string {
	if !bootstrapTokenRE.MatchString(s) {
		msg := "the value is not a bootstrap token of the form [a-z0-9]{6}.[a-z0-9]{16}."
		if bootstrapTokenRE.MatchString(strings.ToLower(strings.TrimSpace(s))) {
			msg += " Use lowercase letters (the token is secret, so it is not repeated here)."
		}
		return msg
	}
	return ""
}

// ruleDNSDomain is Bottlerocket's DNSDomain (modeled-types shared.rs): no
// control character, not starting with '.', and a domain as the url
// crate's Host::parse reads it (WHATWG host parsing: percent-decoding, IDNA
// with case folded, no forbidden code point), not an IP address.
func ruleDNSDomain(s string) string {
	if msg := ruleNoControl(s); msg != "" {
		return msg
	}
	switch {
	case strings.HasPrefix(s, "."):
		return fmt.Sprintf("%q is not a DNS domain: it must not start with '.'.", s)
	case s == "":
		return "a DNS domain must not be empty."
	case strings.ContainsAny(s, "/?#\\:@[]"):
		// Delimiters of a URL are forbidden host code points as well; they
		// must not let the URL parser below read a shorter host.
		return fmt.Sprintf("%q is not a DNS domain: it holds a character a host name cannot have.", s)
	}
	u, err := whatwgurl.Parse("http://" + s + "/")
	if err != nil {
		return fmt.Sprintf("%q is not a DNS domain: it holds a character a host name cannot have, or an invalid IP address.", s)
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return fmt.Sprintf("%q is an IP address, not a DNS domain.", s)
	}
	return ""
}

// ruleHostname is Bottlerocket's ValidLinuxHostname (hostname(7)): 1-253
// characters of [0-9a-z.-] (lowercase only), not starting with '-' or '.',
// each dot-separated part 1-63 characters not starting with '-'.
func ruleHostname(s string) string {
	if s == "" || len(s) > 253 {
		return fmt.Sprintf("%q is not a Linux hostname: it must have 1-253 characters.", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			msg := fmt.Sprintf("%q is not a Linux hostname: only lowercase letters, digits, '-' and '.' are allowed.", s)
			lower := strings.ToLower(strings.TrimSpace(s))
			return msg + didYouMean(s, ruleHostname, lower, strings.NewReplacer("_", "-", " ", "-").Replace(lower))
		}
	}
	if s[0] == '-' || s[0] == '.' {
		return fmt.Sprintf("%q is not a Linux hostname: it must not start with '-' or '.'.", s)
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' {
			return fmt.Sprintf("%q is not a Linux hostname: each dot-separated part must have 1-63 characters and not start with '-'.", s)
		}
	}
	return ""
}

// cpuSetRE is Bottlerocket's KernelCpuSetValue pattern (modeled-types
// shared.rs): digits, ranges and commas, looser than the kubelet (it takes
// "3-1", and "1-23-4" as "1-2" then "3-4").
var cpuSetRE = regexp.MustCompile(`^([0-9]+(-[0-9]+)?,?)*([0-9]+(-[0-9]+)?)+$`)

func ruleCPUSet(s string) string {
	if !cpuSetRE.MatchString(s) {
		return fmt.Sprintf("%q is not a CPU list such as \"0-1,4\".", s)
	}
	return ""
}

// ruleKubeletCPUSet is the kubelet's parse of --reserved-cpus
// (k8s.io/utils/cpuset Parse): comma-separated CPUs or ascending ranges.
func ruleKubeletCPUSet(s string) string {
	bad := fmt.Sprintf("%q passes Bottlerocket's CPU list pattern, but the kubelet cannot parse it: use CPUs and ascending ranges separated by commas, such as \"0-1,4\".", s)
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil {
			return bad
		}
		if isRange {
			b, err := strconv.ParseUint(hi, 10, 32)
			if err != nil || b < a {
				return bad
			}
		}
	}
	return ""
}

// ruleSingleLine is Bottlerocket's SingleLineString: no line terminator,
// Unicode ones included, and no control character.
func ruleSingleLine(s string) string {
	if strings.ContainsAny(s, "\n\r\v\f\u0085\u2028\u2029") {
		return "the value must be a single line."
	}
	return ruleNoControl(s)
}

// ruleNoControl: Bottlerocket's modeled string types reject control
// characters (reject_control_chars in modeled-types lib.rs: Rust's
// char::is_control, the Unicode Cc category as unicode.IsControl, plus the
// line and paragraph separators U+2028 and U+2029).
func ruleNoControl(s string) string {
	for _, c := range s {
		if unicode.IsControl(c) || c == '\u2028' || c == '\u2029' {
			return fmt.Sprintf("the value must not contain the control character %q.", c)
		}
	}
	return ""
}

func ruleNonEmpty(s string) string {
	if s == "" {
		return "the value must not be empty."
	}
	return ""
}

// didYouMean offers the first rewrite of s that rule accepts, as
// " Did you mean …?", or "". The rule must not itself suggest rewrites
// that grow (use matches), or the suggestions never end.
func didYouMean(s string, rule stringRule, rewrites ...string) string {
	for _, r := range rewrites {
		if r != s && r != "" && rule(r) == "" {
			return fmt.Sprintf(" Did you mean %q?", r)
		}
	}
	return ""
}

// matches is a rule that only checks a pattern, for didYouMean: a rule
// that suggests must not be asked about its own rewrites.
func matches(re *regexp.Regexp) stringRule {
	return func(x string) string {
		if re.MatchString(x) {
			return ""
		}
		return "no match"
	}
}

// enumRule accepts exactly the given strings.
func enumRule(values ...string) stringRule {
	return func(s string) string {
		for _, v := range values {
			if s == v {
				return ""
			}
		}
		quoted := make([]string, len(values))
		for i, v := range values {
			quoted[i] = strconv.Quote(v)
		}
		msg := fmt.Sprintf("%q is not one of %s.", s, strings.Join(quoted, ", "))
		if g := suggestValue(s, values); g != "" {
			msg += fmt.Sprintf(" Did you mean %q?", g)
		}
		return msg
	}
}

// suggestValue is suggest for enum values, keeping the user's style where
// an enum has both (KubernetesMemorySwapBehavior's LimitedSwap and its
// alias limited-swap): "LimitedSwp" gets "LimitedSwap".
func suggestValue(s string, values []string) string {
	g := suggest(s, values)
	if g == "" || strings.ToLower(s) == s {
		return g
	}
	for _, v := range values {
		if v != g && strings.ToLower(v) != v && kebab(v) == kebab(g) {
			return v
		}
	}
	return g
}

func allRules(rules ...stringRule) stringRule {
	return func(s string) string {
		for _, r := range rules {
			if msg := r(s); msg != "" {
				return msg
			}
		}
		return ""
	}
}
