package bottlerocket

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// A stringRule checks one string setting the way Bottlerocket's modeled
// types do and returns why the value is refused, or "".
type stringRule func(string) string

var clusterNameRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)

func ruleClusterName(s string) string {
	if !clusterNameRE.MatchString(s) {
		return fmt.Sprintf("%q is not an EKS cluster name: it must match ^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$ (1-100 letters, digits, '-' or '_', starting with a letter or digit).", s)
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

func ruleHTTPSURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Sprintf("%q is not a URL: %v.", s, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Sprintf("%q must be an https:// URL with a host, such as the EKS cluster endpoint https://ABCD.gr7.us-east-1.eks.amazonaws.com.", s)
	}
	return ""
}

func ruleURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Sprintf("%q is not a URL: %v.", s, err)
	}
	if u.Scheme == "" {
		return fmt.Sprintf("%q is not an absolute URL (it has no scheme).", s)
	}
	return ""
}

// parseIP accepts what Rust's IpAddr accepts: no zones, no leading zeros.
func parseIP(s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, fmt.Sprintf("%q is not an IPv4 or IPv6 address.", s)
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
		return fmt.Sprintf("%q is not a Bottlerocket duration: use h, m, s and ms units in that order, such as \"30s\", \"1h30m\" or \"1.5m\"; a bare number is not accepted.", s)
	}
	return ""
}

func ruleQuantity(s string) string {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return fmt.Sprintf("%q is not a Kubernetes quantity (such as \"100m\", \"512Mi\" or \"1Gi\").", s)
	}
	if q.Sign() < 0 {
		return fmt.Sprintf("%q must not be negative.", s)
	}
	return ""
}

// ruleEvictionThreshold accepts a quantity or a percentage 0 <= x < 100, the
// kubelet's two forms of a hard or soft eviction threshold.
func ruleEvictionThreshold(s string) string {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || p == "" || strings.ContainsAny(p, "+-eEinfINFxX_") {
			return fmt.Sprintf("%q is not a percentage such as \"10%%\".", s)
		}
		if f >= 100 {
			return fmt.Sprintf("%q must be below 100%%: the kubelet would evict every pod.", s)
		}
		return ""
	}
	return ruleQuantity(s)
}

var bootstrapTokenRE = regexp.MustCompile(`^[a-z0-9]{6}\.[a-z0-9]{16}$`)

func ruleBootstrapToken(s string) string {
	if !bootstrapTokenRE.MatchString(s) {
		return "the value is not a bootstrap token of the form [a-z0-9]{6}.[a-z0-9]{16}."
	}
	return ""
}

func ruleDNSDomain(s string) string {
	if errs := validation.IsDNS1123Subdomain(s); len(errs) > 0 {
		return fmt.Sprintf("%q is not a DNS domain: %s.", s, strings.Join(errs, "; "))
	}
	return ""
}

// ruleHostname follows Linux hostname rules: at most 253 characters, dot
// separated labels of letters, digits and hyphens.
func ruleHostname(s string) string {
	if s == "" || len(s) > 253 {
		return fmt.Sprintf("%q is not a hostname: it must have 1-253 characters.", s)
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("%q is not a hostname: each dot-separated part must have 1-63 characters and not start or end with '-'.", s)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Sprintf("%q is not a hostname: only letters, digits, '-' and '.' are allowed.", s)
			}
		}
	}
	return ""
}

// ruleCPUSet accepts the Linux cpuset list form the kubelet parses:
// "0-3,7,9-10".
func ruleCPUSet(s string) string {
	bad := fmt.Sprintf("%q is not a CPU list such as \"0-1,4\".", s)
	if s == "" {
		return bad
	}
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

func ruleSingleLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return "the value must be a single line."
	}
	return ""
}

func ruleNonEmpty(s string) string {
	if s == "" {
		return "the value must not be empty."
	}
	return ""
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
		if g := suggest(s, values); g != "" {
			msg += fmt.Sprintf(" Did you mean %q?", g)
		}
		return msg
	}
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
