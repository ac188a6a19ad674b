package bottlerocket

import (
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
)

// kernel.hugepages follows bottlerocket-settings-sdk
// bottlerocket-settings-models/modeled-types/src/hugepages.rs. Its structs
// are plain serde structs without deny_unknown_fields, so Bottlerocket
// drops unknown keys inside them: a warning (the setting is lost), never
// an error.
func hugepagesSchema() *schema {
	return plainStructTable(map[string]*fieldSchema{
		"static": field(custom("table of essential and <size> = { count }", checkStaticHugepages)),
		"transparent": field(plainStructTable(map[string]*fieldSchema{
			"enabled": field(enum("never", "madvise", "always")),
			"defrag":  field(enum("never", "madvise", "defer", "defer+madvise", "always")),
		})),
	})
}

// hugepagePool is HugepageConfig: count is required (not an Option).
func hugepagePool() *schema {
	return withRequired(plainStructTable(map[string]*fieldSchema{
		"count": field(strNamed("huge page count string", ruleHugepageAllocation)),
	}), "count")
}

// checkStaticHugepages checks HugepagesStatic: "essential" is a boolean and
// every other key is a HugepageSize naming a pool (serde flatten).
func checkStaticHugepages(v *validator, val any, path []string) {
	m, ok := v.table(val, path)
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		kp := childPath(path, k)
		if k == "essential" {
			v.check(boolean(), m[k], kp, -1)
			continue
		}
		if msg := ruleHugepageSize(k); msg != "" {
			v.report(SeverityError, kp, -1, "Invalid key in "+settingPath(path), msg+v.where(kp))
			continue
		}
		v.check(hugepagePool(), m[k], kp, -1)
	}
}

var (
	hugepageSizeRE       = regexp.MustCompile(`^([1-9][0-9]*)(Ki|Mi|Gi|Ti)$`)
	hugepageAllocationRE = regexp.MustCompile(`^(?:[0-9]+|[0-9]+:[0-9]+(?:,[0-9]+:[0-9]+)*)$`)
	hugepageUnitShift    = map[string]uint{"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40}
	hugepageSlipRE       = regexp.MustCompile(`(?i)^([1-9][0-9]*)\s*([kmgt])i?b?$`)
)

// ruleHugepageSize is HugepageSize: a positive integer and an IEC unit
// (Ki, Mi, Gi, Ti) whose byte value fits a u64 and is a power of two.
func ruleHugepageSize(s string) string {
	m := hugepageSizeRE.FindStringSubmatch(s)
	if m == nil {
		msg := fmt.Sprintf("%q is not a huge page size: use a positive integer and Ki, Mi, Gi or Ti, such as \"2Mi\" or \"1Gi\" (or the key essential).", s)
		if g := suggestHugepageSize(s); g != "" {
			msg += fmt.Sprintf(" Did you mean %q?", g)
		}
		return msg
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	shift := hugepageUnitShift[m[2]]
	if err != nil || bits.Len64(n)+int(shift) > 64 {
		return fmt.Sprintf("%q is not a huge page size: it does not fit in 64 bits.", s)
	}
	if bits.OnesCount64(n) != 1 {
		return fmt.Sprintf("%q is not a huge page size: the size must be a power of two.", s)
	}
	return ""
}

// suggestHugepageSize fixes the usual slips: "2M", "2mi", "2MB".
func suggestHugepageSize(s string) string {
	m := hugepageSlipRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	fixed := m[1] + map[string]string{"k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti"}[string(m[2][0]|0x20)]
	if ruleHugepageSize(fixed) != "" {
		return ""
	}
	return fixed
}

// ruleHugepageAllocation is HugepageAllocation: a page count, or
// comma-separated <node>:<pages> pairs.
func ruleHugepageAllocation(s string) string {
	if hugepageAllocationRE.MatchString(s) {
		return ""
	}
	return fmt.Sprintf("%q is not a huge page count: use a number of pages such as \"512\", or <node>:<pages> pairs such as \"0:2,1:2\".", s)
}
