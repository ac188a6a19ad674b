package bottlerocket

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// String rules for Bottlerocket's modeled types
// (bottlerocket-settings-sdk bottlerocket-settings-models/modeled-types/src/shared.rs
// and kubernetes.rs). Each returns why Bottlerocket refuses the value, or "".

// containerdIDLength bounds an Identifier (shared.rs CONTAINERD_ID_LENGTH).
const containerdIDLength = 76

// ruleIdentifier is Bottlerocket's Identifier, the key type of every map of
// named entries (host-containers, bootstrap-containers, bootstrap-commands,
// pki, static-pods, credential-providers, memory-manager-reserved-memory):
// ASCII letters, digits and '-', at most 76 characters. The name becomes a
// file or containerd ID, hence the narrow set.
func ruleIdentifier(s string) string {
	if len(s) > containerdIDLength {
		return fmt.Sprintf("%q is not a Bottlerocket identifier: it has %d characters, at most %d are allowed.", s, len(s), containerdIDLength)
	}
	for _, c := range s {
		if !(c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') || c == '-') {
			msg := fmt.Sprintf("%q is not a Bottlerocket identifier: only ASCII letters, digits and '-' are allowed.", s)
			if fixed := strings.NewReplacer("_", "-", ".", "-", " ", "-").Replace(s); fixed != s && ruleIdentifier(fixed) == "" {
				msg += fmt.Sprintf(" Did you mean %q?", fixed)
			}
			return msg
		}
	}
	return ""
}

var sysctlKeyRE = regexp.MustCompile(`^[a-zA-Z0-9./_-]{1,128}$`)

// ruleSysctlKey is Bottlerocket's SysctlKey: a path-like key of at most 128
// characters of [a-zA-Z0-9./_-], without "..", not starting with '.' or '/'.
func ruleSysctlKey(s string) string {
	switch {
	case strings.Contains(s, ".."):
		return fmt.Sprintf("%q is not a sysctl key: it must not contain \"..\".", s)
	case strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/"):
		return fmt.Sprintf("%q is not a sysctl key: it must not start with '.' or '/'.", s)
	case !sysctlKeyRE.MatchString(s):
		msg := fmt.Sprintf("%q is not a sysctl key: use 1-128 letters, digits, '.', '/', '_' or '-', such as \"net.core.somaxconn\".", s)
		if t := strings.TrimSpace(s); t != s && ruleSysctlKey(t) == "" {
			msg += fmt.Sprintf(" Did you mean %q?", t)
		}
		return msg
	}
	return ""
}

// kmodKeyLength is the kernel's MODULE_NAME_LEN on 64-bit hosts.
const kmodKeyLength = 56

// ruleKmodKey is Bottlerocket's KmodKey: a kernel module name of ASCII
// letters, digits, '-' and '_', at most 56 characters.
func ruleKmodKey(s string) string {
	if len(s) > kmodKeyLength {
		return fmt.Sprintf("%q is not a kernel module name: at most %d characters are allowed.", s, kmodKeyLength)
	}
	for _, c := range s {
		if !(c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') || c == '-' || c == '_') {
			return fmt.Sprintf("%q is not a kernel module name: only ASCII letters, digits, '-' and '_' are allowed.", s) +
				didYouMean(s, ruleKmodKey, strings.NewReplacer(".", "_", " ", "_").Replace(strings.TrimSpace(s)))
		}
	}
	return ""
}

// ruleBootConfigKey is Bottlerocket's BootConfigKey: dot-separated words,
// each non-empty, of ASCII letters, digits, '-' and '_'.
func ruleBootConfigKey(s string) string {
	for _, word := range strings.Split(s, ".") {
		if word == "" {
			return fmt.Sprintf("%q is not a boot config key: it has an empty dot-separated word.", s)
		}
		for _, c := range word {
			if !(c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') || c == '-' || c == '_') {
				return fmt.Sprintf("%q is not a boot config key: each dot-separated word takes only ASCII letters, digits, '-' and '_'.", s) +
					didYouMean(s, ruleBootConfigKey, strings.TrimSpace(s), strings.ReplaceAll(strings.TrimSpace(s), " ", "_"))
			}
		}
	}
	return ""
}

// ruleBootConfigValue is Bottlerocket's BootConfigValue: printable ASCII,
// and not both kinds of quote (they cannot be escaped).
func ruleBootConfigValue(s string) string {
	for _, c := range s {
		if c >= 0x7f || c < 0x20 {
			return fmt.Sprintf("%q is not a boot config value: only printable ASCII is allowed.", s)
		}
	}
	if strings.Contains(s, `"`) && strings.Contains(s, "'") {
		return fmt.Sprintf("%q is not a boot config value: it cannot hold both ' and \" (quotes cannot be escaped).", s)
	}
	return ""
}

// rulePEMBundle is Bottlerocket's PemCertificateString (pki.*.data,
// modeled-types shared.rs): blank (to delete a bundle), or base64 of PEM
// text whose blocks all hold an X.509 certificate, at least one. Like
// x509-parser's Pem reader it skips text between blocks and does not look
// at the block label ("CERTIFICATE", "X509 CERTIFICATE" …), and like
// parse_x509 it ignores bytes after the certificate's DER.
func rulePEMBundle(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if msg := ruleBase64(s); msg != "" {
		return msg
	}
	data, _ := decodeBase64(s)
	found := 0
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		found++
		if err := parseCertificateDER(block.Bytes); err != nil {
			if !strings.Contains(block.Type, "CERTIFICATE") {
				return fmt.Sprintf("PEM block %d of the bundle is a %s, not an X.509 certificate; pki data takes certificates only.", found, block.Type)
			}
			return fmt.Sprintf("PEM block %d of the bundle is not a valid X.509 certificate (%v).", found, err)
		}
	}
	if found == 0 {
		return "the value decodes to no PEM certificate: pki data is base64 of a PEM bundle (base64encode(file(\"ca.pem\")))."
	}
	if strings.Contains(string(data), "-----BEGIN") {
		return "the bundle has a PEM block that does not parse (a missing -----END line?)."
	}
	return ""
}

// parseCertificateDER parses the certificate at the start of der, ignoring
// what follows it as x509-parser does.
func parseCertificateDER(der []byte) error {
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(der, &first); err != nil {
		return err
	}
	_, err := x509.ParseCertificate(first.FullBytes)
	if err != nil && strings.Contains(err.Error(), "negative serial number") {
		// Go refuses negative serial numbers (GODEBUG x509negativeserial);
		// x509-parser reads them, so Bottlerocket takes such a certificate.
		return nil
	}
	return err
}

// ruleBase64JSON is Bottlerocket's ValidBase64Json (modeled-types
// shared.rs): base64 of a JSON value serde_json reads.
func ruleBase64JSON(s string) string {
	if msg := ruleBase64(s); msg != "" {
		return msg
	}
	data, _ := decodeBase64(s)
	if !json.Valid(data) {
		return "the value is valid base64, but what it decodes to is not JSON."
	}
	if d := jsonDepth(data); d > serdeJSONMaxDepth {
		return fmt.Sprintf("the JSON nests arrays and objects %d deep; Bottlerocket's parser (serde_json) stops at %d.", d, serdeJSONMaxDepth)
	}
	return ""
}

// serdeJSONMaxDepth is the deepest nesting serde_json reads by default: its
// recursion limit of 128 is spent on entering each array or object and
// fails when it reaches 0.
const serdeJSONMaxDepth = 127

// jsonDepth is the deepest nesting of arrays and objects in valid JSON.
func jsonDepth(data []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// ruleFriendlyVersion is Bottlerocket's FriendlyVersion (updates.version-lock,
// modeled-types shared.rs): "latest", or, after one optional leading "v",
// a version the semver crate parses: three numeric parts without leading
// zeros, each fitting a u64, then an optional pre-release and build.
func ruleFriendlyVersion(s string) string {
	if msg := ruleNoControl(s); msg != "" {
		return msg
	}
	if s == "latest" {
		return ""
	}
	v := strings.TrimPrefix(s, "v")
	core := strings.SplitN(strings.SplitN(v, "-", 2)[0], "+", 2)[0]
	parts := strings.Split(core, ".")
	fits := len(parts) == 3
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 64); err != nil {
			fits = false
		}
	}
	if fits && semver.IsValid("v"+v) {
		return ""
	}
	msg := fmt.Sprintf("%q is not a version: use \"latest\" or a three-part version such as \"v1.20.3\".", s)
	switch {
	case strings.EqualFold(s, "latest"):
		msg += ` Did you mean "latest"?`
	case len(parts) == 2 && semver.IsValid("v"+core):
		msg += fmt.Sprintf(" Did you mean %q?", strings.Replace(s, core, core+".0", 1))
	}
	return msg
}

// The NvidiaGpuModel and MigProfile patterns of modeled-types
// kubernetes.rs. Rust's \d is Unicode-aware (any decimal digit), Go's is
// ASCII only, hence \p{Nd}.
var (
	nvidiaGPUModelRE = regexp.MustCompile(`^([a-z])(\p{Nd}+)\.(\p{Nd}+)gb$`)
	migProfileRE     = regexp.MustCompile(`^[0-9]g\.\p{Nd}+gb$`)
)

// ruleNvidiaGPUModel is Bottlerocket's NvidiaGpuModel, the key of
// kubelet-device-plugins.nvidia.mig.profile: such as "a100.40gb".
func ruleNvidiaGPUModel(s string) string {
	if nvidiaGPUModelRE.MatchString(s) {
		return ""
	}
	msg := fmt.Sprintf("%q is not an NVIDIA GPU model key such as \"a100.40gb\" or \"h100.80gb\".", s)
	if l := strings.ToLower(s); l != s && nvidiaGPUModelRE.MatchString(l) {
		msg += fmt.Sprintf(" Did you mean %q?", l)
	}
	return msg
}

// ruleMIGProfile is Bottlerocket's MigProfile: a slice count (1, 2, 3, 4
// or 7) or a profile such as "1g.5gb".
func ruleMIGProfile(s string) string {
	switch s {
	case "1", "2", "3", "4", "7":
		return ""
	}
	if migProfileRE.MatchString(s) {
		return ""
	}
	msg := fmt.Sprintf("%q is not a MIG profile: use 1, 2, 3, 4 or 7 slices, or a profile such as \"1g.5gb\".", s)
	if l := strings.ToLower(s); l != s && migProfileRE.MatchString(l) {
		msg += fmt.Sprintf(" Did you mean %q?", l)
	}
	return msg
}

// byteSizeRE is a byte size as Bottlerocket's deserialize_chunk_size
// (modeled-types shared.rs) reads it after trimming: a number (".5" is
// read as "0.5") and an optional unit as the byte-unit crate parses it,
// any case. Whitespace inside ("8 mb") is refused.
var byteSizeRE = regexp.MustCompile(`(?i)^([0-9]*\.?[0-9]+)([kmgtpe]i?b?|b)?$`)

func ruleByteSize(s string) string {
	t := strings.TrimSpace(s)
	m := byteSizeRE.FindStringSubmatch(t)
	if m == nil {
		msg := fmt.Sprintf("%q is not a byte size such as \"1024\", \"8mb\" or \"3mib\".", s)
		if fixed := strings.Join(strings.Fields(t), ""); fixed != t && byteSizeRE.MatchString(fixed) {
			msg += fmt.Sprintf(" Did you mean %q?", fixed)
		}
		return msg
	}
	// The size becomes an i64 number of bytes.
	n, _ := strconv.ParseFloat(m[1], 64)
	if unit := strings.ToLower(m[2]); unit != "" && unit != "b" {
		base := 1000.0
		if strings.Contains(unit, "i") {
			base = 1024
		}
		n *= math.Pow(base, float64(strings.IndexByte("kmgtpe", unit[0])+1))
	}
	// float64(math.MaxInt64) is 2^63, the first size that does not fit.
	if n >= math.MaxInt64 {
		return fmt.Sprintf("%q is more bytes than a 64-bit size holds.", s)
	}
	return ""
}

// cpuSetString is Bottlerocket's KernelCpuSetValue (kubernetes.reserved-cpus),
// with the kubelet's stricter parse as a doubt.
func cpuSetString() *schema {
	s := strNamed("CPU list string", ruleCPUSet)
	s.doubt = ruleKubeletCPUSet
	return s
}

// apiclientCommandCheck is Bottlerocket's ApiclientCommand: each command of
// a bootstrap-commands entry is a list of strings whose first is apiclient.
func apiclientCommandCheck(v *validator, val any, path []string) {
	list, ok := val.([]any)
	if !ok {
		return
	}
	for i, c := range list {
		argv, ok := c.([]any)
		if !ok {
			continue
		}
		first, _ := stringAt(argv, 0)
		if first != "apiclient" {
			msg := fmt.Sprintf("command %d of %s must start with \"apiclient\" (Bottlerocket runs only apiclient in bootstrap commands), not %s.", i+1, settingPath(path), strconv.Quote(first))
			if len(argv) == 0 {
				msg = fmt.Sprintf("command %d of %s is empty; it must start with \"apiclient\".", i+1, settingPath(path))
			} else if suggest(first, []string{"apiclient"}) != "" {
				msg += ` Did you mean "apiclient"?`
			}
			v.invalid(path, -1, msg)
		}
	}
}

func stringAt(list []any, i int) (string, bool) {
	if i >= len(list) {
		return "", false
	}
	s, ok := list[i].(string)
	return s, ok
}
