package bottlerocket

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validator walks the merged tree against the model, attributing each
// finding to the input the offending value came from.
type validator struct {
	variant variantInfo
	// release is the Bottlerocket release of the AMI, zero when unknown.
	release  Release
	strict   bool
	origins  map[string]source
	problems []Problem
}

// origin finds the source of path, or of its nearest ancestor.
func (v *validator) origin(path []string) source {
	for n := len(path); n >= 0; n-- {
		if src, ok := v.origins[pathKey(path[:n])]; ok {
			return src
		}
	}
	return source{index: -1}
}

// report records a finding. elem is the array element concerned, or -1; for
// list-typed attributes (cluster_dns_ip) it becomes the Problem's Index.
func (v *validator) report(sev Severity, path []string, elem int, summary, detail string) {
	src := v.origin(path)
	if elem >= 0 && src.field == FieldClusterDNSIP {
		src.index = elem
	}
	p := errorProblem(src, path, summary, detail)
	p.Severity = sev
	v.problems = append(v.problems, p)
}

// invalid reports a value Bottlerocket's own model refuses: the node fails
// to boot, so it is an error whatever strict says.
func (v *validator) invalid(path []string, elem int, detail string) {
	v.report(SeverityError, path, elem, "Invalid value for "+settingPath(path), detail+v.where(path))
}

// doubtful reports what this provider's model doubts but Bottlerocket
// might accept (a provider or kubelet rule, a documented range the model
// cannot confirm): an error when strict, a warning otherwise.
func (v *validator) doubtful(path []string, elem int, detail string) {
	v.doubt(path, elem, "Doubtful value for "+settingPath(path), detail)
}

func (v *validator) doubt(path []string, elem int, summary, detail string) {
	sev := SeverityError
	if v.strict {
		detail += " (strict = false turns this into a warning.)"
	} else {
		sev = SeverityWarning
		detail += " It is kept because strict is false."
	}
	v.report(sev, path, elem, summary, detail+v.where(path))
}

// where tells the user which input to fix; typed attributes are obvious
// from the diagnostic's attribute path, fragments are not.
func (v *validator) where(path []string) string {
	src := v.origin(path)
	if src.field == FieldCustomUserData {
		return fmt.Sprintf(" (set in %s)", src)
	}
	return ""
}

func (v *validator) check(s *schema, val any, path []string, elem int) {
	switch s.kind {
	case kindTable:
		m, ok := val.(map[string]any)
		if !ok {
			v.wrongType(s, val, path, elem)
			return
		}
		for _, k := range sortedKeys(m) {
			if name, ok := s.aliases[k]; ok {
				if _, both := m[name]; both {
					v.invalid(childPath(path, k), -1, fmt.Sprintf("%s and its alias %s are both set; Bottlerocket refuses a duplicate field. Keep %s.", settingPath(childPath(path, name)), k, name))
					continue
				}
			}
			v.checkField(s, k, m[k], childPath(path, k))
		}
		for _, name := range s.required {
			if _, ok := m[name]; ok {
				continue
			}
			if alias := aliasOf(s, name); alias != "" && m[alias] != nil {
				continue
			}
			v.invalid(childPath(path, name), -1, fmt.Sprintf("%s is required: Bottlerocket does not accept %s without it.", settingPath(childPath(path, name)), settingPath(path)))
		}
	case kindMap:
		m, ok := val.(map[string]any)
		if !ok {
			v.wrongType(s, val, path, elem)
			return
		}
		for _, k := range sortedKeys(m) {
			kp := childPath(path, k)
			if s.keyEnum != nil && !contains(s.keyEnum, k) {
				msg := fmt.Sprintf("%q is not allowed in %s; the only keys are %s.", k, settingPath(path), strings.Join(s.keyEnum, ", "))
				if g := suggest(k, s.keyEnum); g != "" {
					msg += fmt.Sprintf(" Did you mean %q?", g)
				}
				if v.beyondModel() {
					v.unknown(kp, m[k], msg)
				} else {
					v.report(SeverityError, kp, -1, "Unknown key in "+settingPath(path), msg+v.where(kp))
				}
				continue
			}
			if since := s.keySince[k]; v.release.lacks(since) {
				v.tooNew(kp, since)
				continue
			}
			if s.keyRule != nil {
				if msg := s.keyRule(k); msg != "" {
					v.report(SeverityError, kp, -1, "Invalid key in "+settingPath(path), msg+v.where(kp))
					continue
				}
			}
			if s.keyDoubt != nil {
				if msg := s.keyDoubt(k); msg != "" {
					v.doubt(kp, -1, "Doubtful key in "+settingPath(path), msg)
				}
			}
			v.check(s.elem, m[k], kp, -1)
		}
	case kindList:
		l, ok := val.([]any)
		if !ok {
			v.wrongType(s, val, path, elem)
			return
		}
		for i, e := range l {
			v.check(s.elem, e, path, i)
		}
	case kindString:
		x, ok := val.(string)
		if !ok {
			v.wrongType(s, val, path, elem)
			return
		}
		if !utf8.ValidString(x) {
			v.invalid(path, elem, "the value is not valid UTF-8.")
			return
		}
		if s.rule != nil {
			if msg := s.rule(x); msg != "" {
				if s.policy {
					v.doubtful(path, elem, msg)
				} else {
					v.invalid(path, elem, msg)
				}
				return
			}
		}
		if s.values != nil && !contains(s.values, x) {
			if v.beyondModel() {
				v.unknownValue(path, elem, enumRule(s.values...)(x))
			} else {
				v.invalid(path, elem, enumRule(s.values...)(x))
			}
			return
		}
		if s.doubt != nil {
			if msg := s.doubt(x); msg != "" {
				v.doubtful(path, elem, msg)
			}
		}
		if since := s.valueSince[x]; v.release.lacks(since) {
			v.tooNew(path, since)
		}
	case kindInt:
		x, ok := val.(int64)
		if !ok {
			v.wrongType(s, val, path, elem)
			return
		}
		if x < s.min || x > s.max {
			msg := fmt.Sprintf("%d is out of range for %s: it must be from %d to %d.", x, withArticle(s.what), s.min, s.max)
			if s.policy {
				v.doubtful(path, elem, msg)
			} else {
				v.invalid(path, elem, msg)
			}
		}
	case kindBool:
		if _, ok := val.(bool); !ok {
			v.wrongType(s, val, path, elem)
		}
	case kindAny:
		v.checkPlain(val, path, elem)
	case kindCustom:
		s.check(v, val, path)
		return
	}
	if s.check != nil {
		s.check(v, val, path)
	}
}

func (v *validator) checkField(s *schema, k string, val any, path []string) {
	f := s.fields[k]
	if name, ok := s.aliases[k]; ok && f == nil {
		f = s.fields[name]
	}
	switch {
	case f == nil && s.ignoresUnknown:
		msg := fmt.Sprintf("%s is not a key Bottlerocket knows here; Bottlerocket drops it without a word, so it has no effect.", settingPath(path))
		if g := suggest(k, sortedKeys(s.fields)); g != "" {
			msg += fmt.Sprintf(" Did you mean %q?", g)
		}
		v.report(SeverityWarning, path, -1, "Ignored key "+settingPath(path), msg+v.where(path))
		v.checkPlain(val, path, -1)
	case f == nil:
		known := make([]string, 0, len(s.fields))
		for name, fs := range s.fields {
			if v.variant.has(fs) {
				known = append(known, name)
			}
		}
		msg := fmt.Sprintf("%s is not a setting Bottlerocket knows%s; Bottlerocket refuses the whole user data when a key is unknown.", settingPath(path), v.variant.suffix())
		if g := suggest(k, known); g != "" {
			msg = fmt.Sprintf("%s Did you mean %q?", msg, g)
		}
		v.unknown(path, val, msg)
	case !v.variant.has(f):
		v.notOnVariant(path, f)
	case v.release.lacks(f.since):
		v.tooNew(path, f.since)
	default:
		if v.variant.ignores(f) {
			v.ignoredOnVariant(path, f)
		}
		if v.variant.mayLack(f) {
			v.onlyOnSomeVariants(path, f)
		}
		v.check(f.schema, val, path, -1)
	}
}

// notOnVariant reports a family the named variant's settings plugin does not
// have (bottlerocket sources/settings-plugins/aws-k8s has no NVIDIA
// families; aws-k8s-nvidia adds them): Bottlerocket refuses the whole user
// data as an unknown key, so it is an error whatever strict says.
func (v *validator) notOnVariant(path []string, f *fieldSchema) {
	v.report(SeverityError, path, -1, "Setting of another variant: "+settingPath(path),
		fmt.Sprintf("%s exists only on %s variants, not on %s, whose settings model refuses the whole user data as an unknown setting. Use an nvidia variant (and AMI), or remove the setting.",
			settingPath(path), f.availability(), v.variant.name)+v.where(path))
}

// onlyOnSomeVariants warns of a family that exists only on some variants
// when the variant is not given: it is checked against its schema and
// kept, since the AMI may well be an nvidia one, but a non-nvidia node
// would refuse the user data. A warning whatever strict says.
func (v *validator) onlyOnSomeVariants(path []string, f *fieldSchema) {
	v.report(SeverityWarning, path, -1, "Setting only of some variants: "+settingPath(path),
		fmt.Sprintf("%s applies only on %s variants; any other variant refuses the whole user data. Set variant to have it checked against the node's variant.",
			settingPath(path), f.availability())+v.where(path))
}

// ignoredOnVariant warns of a setting the variant's settings model accepts
// but its kubelet does not use (see variantInfo.ignores): the node boots,
// the setting has no effect. A warning whatever strict says, since
// Bottlerocket accepts the document.
func (v *validator) ignoredOnVariant(path []string, f *fieldSchema) {
	v.report(SeverityWarning, path, -1, "Setting without effect on "+v.variant.name,
		fmt.Sprintf("%s is used only by the kubelet of %s variants; %s accepts it but ignores it. Remove it, or use a variant of Kubernetes 1.%d or newer.",
			settingPath(path), f.availability(), v.variant.name, f.minMinor)+v.where(path))
}

// unknown reports a key outside the model: an error when strict, otherwise
// a warning so settings newer than the model can be used; the value is
// still kept in the document and still checked for types TOML-to-JSON
// cannot carry.
func (v *validator) unknown(path []string, val any, msg string) {
	sev, msg := v.newerReleaseDoubt(msg, "has it")
	v.report(sev, path, -1, "Unknown setting "+settingPath(path), msg+v.where(path))
	v.checkPlain(val, path, -1)
}

// beyondModel reports an AMI whose Bottlerocket release may be newer than
// the model: the members of Bottlerocket's enums the model lists are
// complete up to ModelRelease (each later member records its release), so
// outside them a key or value is certain to fail on a release the model
// covers, but a newer release may have added it (as 1.49 added
// kube-reserved pid). Without a known release (the user-data data source,
// a custom AMI name) the AMI may be newer, so the miss is a doubt: an error
// with strict = true, a warning with strict = false.
func (v *validator) beyondModel() bool {
	return v.release.IsZero() || mustRelease(ModelRelease).Before(v.release)
}

// unknownValue reports a value outside one of Bottlerocket's enums as the
// model has it, on a release newer than the model: like an unknown key, it
// is an error when strict and otherwise a warning, the value kept.
func (v *validator) unknownValue(path []string, elem int, msg string) {
	sev, msg := v.newerReleaseDoubt(msg, "accepts it")
	v.report(sev, path, elem, "Unknown value for "+settingPath(path), msg+v.where(path))
}

// newerReleaseDoubt is the severity and advice for what only a Bottlerocket
// release newer than the model may have: an error when strict, otherwise a
// warning with the value kept.
func (v *validator) newerReleaseDoubt(msg, has string) (Severity, string) {
	if !v.strict {
		return SeverityWarning, msg + " It is kept because strict is false; make sure your Bottlerocket release " + has + "."
	}
	return SeverityError, msg + " If your Bottlerocket release is newer than this provider's model, set strict = false."
}

// table is a value that must be a TOML table, reported on path otherwise.
func (v *validator) table(val any, path []string) (map[string]any, bool) {
	m, ok := val.(map[string]any)
	if !ok {
		v.invalid(path, -1, fmt.Sprintf("%s must be a table, not %s.", settingPath(path), withArticle(typeName(val))))
	}
	return m, ok
}

// tooNew reports a setting the node's Bottlerocket release does not have
// yet: it refuses the whole user data as an unknown field, so this is an
// error whatever strict says.
func (v *validator) tooNew(path []string, since string) {
	v.report(SeverityError, path, -1, "Setting newer than the AMI: "+settingPath(path),
		fmt.Sprintf("%s was added in Bottlerocket %s, but the AMI runs Bottlerocket %s; that release refuses the whole user data as an unknown setting. Use an AMI of %s or newer, or remove the setting.",
			settingPath(path), since, v.release, since)+v.where(path))
}

func aliasOf(s *schema, name string) string {
	for alias, n := range s.aliases {
		if n == name {
			return alias
		}
	}
	return ""
}

// checkPlain refuses what has no JSON form in Bottlerocket's API: TOML
// datetimes, and strings that are not UTF-8.
func (v *validator) checkPlain(val any, path []string, elem int) {
	switch x := val.(type) {
	case string:
		if !utf8.ValidString(x) {
			v.invalid(path, elem, "the value is not valid UTF-8.")
		}
	case int64, float64, bool:
	case []any:
		for i, e := range x {
			v.checkPlain(e, path, i)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			v.checkPlain(x[k], childPath(path, k), -1)
		}
	default:
		v.invalid(path, elem, fmt.Sprintf("%s cannot be used: Bottlerocket settings have no date or time values; quote it as a string if the setting takes one.", withArticle(typeName(val))))
	}
}

func (v *validator) wrongType(s *schema, val any, path []string, elem int) {
	detail := fmt.Sprintf("%s must be %s, not %s.", settingPath(path), withArticle(s.what), withArticle(typeName(val)))
	if x, ok := val.(string); ok {
		switch s.kind {
		case kindInt:
			if _, err := strconv.ParseInt(x, 10, 64); err == nil {
				detail += fmt.Sprintf(" Write %s without quotes: Bottlerocket does not convert strings to numbers.", x)
			}
		case kindBool:
			if x == "true" || x == "false" {
				detail += fmt.Sprintf(" Write %s without quotes.", x)
			}
		}
	}
	if _, ok := val.(float64); ok && s.kind == kindInt {
		detail += " Write it without a decimal point."
	}
	if _, ok := val.(map[string]any); ok && s.kind != kindTable && s.kind != kindMap {
		detail += " A dotted key or [table] header made it a table."
	}
	v.invalid(path, elem, detail)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
