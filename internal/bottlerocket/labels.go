package bottlerocket

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// The kubelet refuses to start when --node-labels holds a key in the
// kubernetes.io or k8s.io namespaces that a kubelet may not set on its own
// Node (cmd/kubelet/app/options ValidateKubeletFlags with
// pkg/kubelet/apis IsKubeletLabel). Bottlerocket passes node-labels to that
// flag, so such a label keeps the node from ever joining (bottlerocket
// #2435). The allow-list below is the kubelet's, kept in our own code so the
// package does not depend on the kubelet.
var kubeletAllowedLabels = map[string]bool{
	"kubernetes.io/hostname":                   true,
	"topology.kubernetes.io/zone":              true,
	"topology.kubernetes.io/region":            true,
	"failure-domain.beta.kubernetes.io/zone":   true,
	"failure-domain.beta.kubernetes.io/region": true,
	"beta.kubernetes.io/instance-type":         true,
	"node.kubernetes.io/instance-type":         true,
	"kubernetes.io/os":                         true,
	"kubernetes.io/arch":                       true,
	"beta.kubernetes.io/os":                    true,
	"beta.kubernetes.io/arch":                  true,
}

// kubeletAllowedLabelNamespaces may be used with any name, including their
// sub-domains ([*.]node.kubernetes.io/*).
var kubeletAllowedLabelNamespaces = []string{"kubelet.kubernetes.io", "node.kubernetes.io"}

func labelNamespace(key string) string {
	if ns, _, ok := strings.Cut(key, "/"); ok {
		return ns
	}
	return ""
}

func inNamespace(ns, domain string) bool {
	return ns == domain || strings.HasSuffix(ns, "."+domain)
}

// isKubernetesLabel reports whether the key is in a namespace the kubelet
// reserves.
func isKubernetesLabel(key string) bool {
	ns := labelNamespace(key)
	return inNamespace(ns, "kubernetes.io") || inNamespace(ns, "k8s.io")
}

// isKubeletLabel reports whether a kubelet may set the key on its own Node.
func isKubeletLabel(key string) bool {
	if kubeletAllowedLabels[key] {
		return true
	}
	ns := labelNamespace(key)
	for _, allowed := range kubeletAllowedLabelNamespaces {
		if inNamespace(ns, allowed) {
			return true
		}
	}
	return false
}

// labelKeyProblems returns why key cannot be a node label, or nil.
func labelKeyProblems(key string) []string {
	if msg := labelKeySyntaxProblem(key); msg != "" {
		return []string{msg}
	}
	if msg := kubeletLabelKeyProblem(key); msg != "" {
		return []string{msg}
	}
	return nil
}

// kubernetesLabelKeyRE is Bottlerocket's KubernetesLabelKey (modeled-types
// kubernetes.rs): an optional prefix of 1-253 ASCII letters, digits, '.'
// and '-' with a '/', then a name of 1-63 characters that starts and ends
// with a letter or digit. The prefix is looser than the kubelet's DNS
// subdomain ("Example.COM/team" and "-a/b" pass).
var kubernetesLabelKeyRE = regexp.MustCompile(`^([[:alnum:].-]{1,253}/)?[[:alnum:]](([[:alnum:]._-]{0,61})?[[:alnum:]])?$`)

// labelKeySyntaxProblem is Bottlerocket's KubernetesLabelKey: a key it
// refuses fails the whole user data.
func labelKeySyntaxProblem(key string) string {
	if kubernetesLabelKeyRE.MatchString(key) {
		return ""
	}
	msg := fmt.Sprintf("label key %q is invalid", key)
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		msg += ": " + strings.Join(errs, "; ")
	}
	msg += "."
	if fixed := strings.ReplaceAll(key, " ", "-"); fixed != key && kubernetesLabelKeyRE.MatchString(fixed) {
		msg += fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return msg
}

// kubeletLabelKeyProblem is what the kubelet refuses in --node-labels
// beyond Bottlerocket's own type (cmd/kubelet/app/options
// ValidateKubeletFlags): a prefix that is not a lowercase DNS subdomain,
// and the kubernetes.io/k8s.io namespace rule.
func kubeletLabelKeyProblem(key string) string {
	if labelKeySyntaxProblem(key) != "" {
		return ""
	}
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		msg := fmt.Sprintf("label key %q passes Bottlerocket's pattern, but the kubelet refuses it in --node-labels (the node would never join): %s.", key, strings.Join(errs, "; "))
		if prefix, name, ok := strings.Cut(key, "/"); ok && len(validation.IsQualifiedName(strings.ToLower(prefix)+"/"+name)) == 0 {
			msg += fmt.Sprintf(" Did you mean %q?", strings.ToLower(prefix)+"/"+name)
		}
		return msg
	}
	if isKubernetesLabel(key) && !isKubeletLabel(key) {
		return fmt.Sprintf("label key %q is in the kubernetes.io/k8s.io namespace, which the kubelet refuses in --node-labels (the node would never join). "+
			"Use a key under node.kubernetes.io/ or kubelet.kubernetes.io/, or your own domain; the only other allowed keys are kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch, "+
			"topology.kubernetes.io/region, topology.kubernetes.io/zone, node.kubernetes.io/instance-type and their older forms beta.kubernetes.io/os, beta.kubernetes.io/arch, "+
			"beta.kubernetes.io/instance-type, failure-domain.beta.kubernetes.io/region and failure-domain.beta.kubernetes.io/zone.", key)
	}
	return ""
}

func labelValueProblems(key, value string) []string {
	if errs := validation.IsValidLabelValue(value); len(errs) > 0 {
		return []string{fmt.Sprintf("value %q of label %q is invalid: %s.", value, key, strings.Join(errs, "; "))}
	}
	return nil
}

// ValidateNodeLabels checks node labels as the kubelet's --node-labels flag
// does: label syntax from k8s.io/apimachinery plus the kubelet's namespace
// rule. Problems carry Field=FieldNodeLabels and Key=the label key.
func ValidateNodeLabels(labels map[string]string) []Problem {
	var out []Problem
	for _, k := range sortedKeys(labels) {
		path := childPath(nodeLabelsPath, k)
		src := keySource(FieldNodeLabels, k)
		for _, msg := range labelKeyProblems(k) {
			out = append(out, errorProblem(src, path, "Invalid node label key", msg))
		}
		for _, msg := range labelValueProblems(k, labels[k]) {
			out = append(out, errorProblem(src, path, "Invalid node label value", msg))
		}
	}
	return out
}
