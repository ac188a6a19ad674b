package bottlerocket

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

var taintEffects = map[string]string{
	"NoSchedule":         "NoSchedule",
	"PreferNoSchedule":   "PreferNoSchedule",
	"NoExecute":          "NoExecute",
	"NO_SCHEDULE":        "NoSchedule",
	"PREFER_NO_SCHEDULE": "PreferNoSchedule",
	"NO_EXECUTE":         "NoExecute",
}

// NormalizeTaintEffect maps the Kubernetes form (NoSchedule) and the EKS API
// form (NO_SCHEDULE) of a taint effect to the Kubernetes form the kubelet
// accepts. Bottlerocket does not check effects itself, and the kubelet does
// not start with one it does not know.
func NormalizeTaintEffect(effect string) (string, bool) {
	e, ok := taintEffects[effect]
	return e, ok
}

// taintProblems checks one taint's parts and returns the normalized effect.
func taintProblems(key, value, effect string) (string, []string) {
	var out []string
	if msg := taintKeySyntaxProblem(key); msg != "" {
		out = append(out, msg)
	}
	if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
		out = append(out, fmt.Sprintf("value %q of taint %q is invalid: %s.", value, key, strings.Join(errs, "; ")))
	}
	norm, ok := NormalizeTaintEffect(effect)
	if !ok {
		msg := fmt.Sprintf("effect %q of taint %q is not one of NoSchedule, PreferNoSchedule, NoExecute (or NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE).", effect, key)
		if g := suggestTaintEffect(effect); g != "" {
			msg += fmt.Sprintf(" Did you mean %q?", g)
		}
		out = append(out, msg)
	}
	return norm, out
}

// taintKeySyntaxProblem is Bottlerocket's KubernetesLabelKey, the key type
// of node-taints (modeled-types kubernetes.rs).
func taintKeySyntaxProblem(key string) string {
	if kubernetesLabelKeyRE.MatchString(key) {
		return ""
	}
	return fmt.Sprintf("taint key %q is invalid: %s.", key, strings.Join(validation.IsQualifiedName(key), "; "))
}

// kubeletTaintKeyProblem is what the kubelet's --register-with-taints
// parse refuses beyond Bottlerocket's type (a qualified name: the prefix a
// lowercase DNS subdomain); the kubelet then does not start.
func kubeletTaintKeyProblem(key string) string {
	if taintKeySyntaxProblem(key) != "" {
		return ""
	}
	errs := validation.IsQualifiedName(key)
	if len(errs) == 0 {
		return ""
	}
	msg := fmt.Sprintf("taint key %q passes Bottlerocket's pattern, but the kubelet refuses it in --register-with-taints (the node would never join): %s.", key, strings.Join(errs, "; "))
	if prefix, name, ok := strings.Cut(key, "/"); ok && len(validation.IsQualifiedName(strings.ToLower(prefix)+"/"+name)) == 0 {
		msg += fmt.Sprintf(" Did you mean %q?", strings.ToLower(prefix)+"/"+name)
	}
	return msg
}

// taintEntry renders one taint value as Bottlerocket stores it.
func taintEntry(value, effect string) string { return value + ":" + effect }

// splitTaintEntry splits "value:Effect"; the value may be empty.
func splitTaintEntry(s string) (value, effect string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// canonicalTaintList sorts and de-duplicates one key's entries: a node's
// taints are a set, so their order must not change the document.
func canonicalTaintList(entries []string) []any {
	sort.Strings(entries)
	out := make([]any, 0, len(entries))
	for i, e := range entries {
		if i > 0 && entries[i-1] == e {
			continue
		}
		out = append(out, e)
	}
	return out
}

// duplicateEffect finds two different values for the same effect under one
// key: the API server refuses a Node whose taints are not unique by key and
// effect, so the node would never register.
func duplicateEffect(key string, entries []string) string {
	seen := map[string]string{}
	for _, e := range entries {
		v, eff, ok := splitTaintEntry(e)
		if !ok {
			continue
		}
		if prev, dup := seen[eff]; dup && prev != v {
			return fmt.Sprintf("taint %q has two values for effect %s (%q and %q); Kubernetes requires taints to be unique by key and effect.", key, eff, prev, v)
		}
		seen[eff] = v
	}
	return ""
}

// typedTaintProblems checks a typed taint with Bottlerocket's rules and the
// kubelet's key rule: node_taints is this provider's own attribute, so a
// key the kubelet refuses is an error there.
func typedTaintProblems(t Taint) (string, []string) {
	norm, msgs := taintProblems(t.Key, t.Value, t.Effect)
	if msg := kubeletTaintKeyProblem(t.Key); msg != "" {
		msgs = append(msgs, msg)
	}
	return norm, msgs
}

// ValidateTaints checks typed taints: key and value follow label syntax, the
// effect is a known one in either form, and taints are unique by key and
// effect. Problems carry Field=FieldNodeTaints and Index=the taint.
func ValidateTaints(taints []Taint) []Problem {
	var out []Problem
	type keyEffect struct{ key, effect string }
	seen := map[keyEffect]Taint{}
	for i, t := range taints {
		src := source{field: FieldNodeTaints, index: i}
		path := childPath(nodeTaintsPath, t.Key)
		norm, msgs := typedTaintProblems(t)
		for _, msg := range msgs {
			out = append(out, errorProblem(src, path, "Invalid node taint", msg))
		}
		if len(msgs) > 0 {
			continue
		}
		ke := keyEffect{t.Key, norm}
		if prev, dup := seen[ke]; dup && prev.Value != t.Value {
			out = append(out, errorProblem(src, path, "Conflicting node taints",
				fmt.Sprintf("taint %q has two values for effect %s (%q and %q); Kubernetes requires taints to be unique by key and effect.", t.Key, norm, prev.Value, t.Value)))
			continue
		}
		seen[ke] = t
	}
	return out
}

// typedTaints groups valid taints by key into Bottlerocket's form and
// remembers the first taint of each key for error attribution.
func typedTaints(taints []Taint) (map[string][]any, map[string]int) {
	entries := map[string][]string{}
	first := map[string]int{}
	for i, t := range taints {
		norm, msgs := typedTaintProblems(t)
		if len(msgs) > 0 {
			continue
		}
		if _, ok := first[t.Key]; !ok {
			first[t.Key] = i
		}
		entries[t.Key] = append(entries[t.Key], taintEntry(t.Value, norm))
	}
	out := map[string][]any{}
	for k, e := range entries {
		out[k] = canonicalTaintList(e)
	}
	return out, first
}
