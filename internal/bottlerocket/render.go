package bottlerocket

import (
	"fmt"
	"net/netip"
)

// model is built once; it is read-only after that.
var model = settingsSchema()

// Render merges the typed inputs and the custom_user_data fragments,
// validates the result against Bottlerocket's settings model for the
// variant, and renders the canonical document and the bytes EC2 receives.
// Problems may hold warnings alongside a Document; the Document is nil when
// any Problem is an error.
func Render(in Input) (*Document, []Problem) {
	tree, problems := build(in, "custom_user_data")
	if hasError(problems) {
		return nil, problems
	}
	doc, p := pack(emit(tree), in.Compression)
	if p != nil {
		return nil, append(problems, *p)
	}
	return doc, problems
}

// build is Render without the packing: it returns the pruned, validated
// tree, or problems. fragmentName names custom_user_data in messages.
func build(in Input, fragmentName string) (map[string]any, []Problem) {
	var problems []Problem
	add := func(p *Problem) {
		if p != nil {
			problems = append(problems, *p)
		}
	}
	variant, vp := parseVariant(in.Variant)
	add(vp)
	if vp == nil {
		var conflict *Problem
		variant, conflict = variant.against(in.ImageVariant)
		add(conflict)
	}
	var release Release
	if in.BottlerocketRelease != "" {
		r, err := ParseRelease(in.BottlerocketRelease)
		if err != nil {
			add(&Problem{Severity: SeverityError, Field: FieldBottlerocketRelease, Index: -1, Summary: "Invalid Bottlerocket release", Detail: err.Error() + "."})
		}
		release = r
	}

	var prefix netip.Prefix
	if in.ServiceCIDR != "" {
		var p *Problem
		prefix, p = parseServiceCIDR(in.ServiceCIDR)
		add(p)
	}

	m := newMerger()
	problems = append(problems, addTyped(m, in)...)

	for i, text := range in.CustomUserData {
		src := fragmentSource(i, fragmentName)
		frag, p := parseFragment(text, src)
		if p != nil {
			add(p)
			continue
		}
		problems = append(problems, checkRoot(frag, src, in.Strict)...)
		settings, ok := frag["settings"].(map[string]any)
		if !ok {
			continue
		}
		// Only the settings table is merged; other roots were reported.
		frag = map[string]any{"settings": settings}
		normalize(frag)
		m.merge(m.tree, nil, frag, src)
	}
	problems = append(problems, m.problems...)
	if vp != nil {
		// Which keys exist depends on the variant; without one, checking
		// keys would only add noise to the variant error.
		return nil, problems
	}
	// Earlier errors (a fragment that does not parse, a conflict) leave part
	// of the input out of the tree; the model checks still hold for the
	// rest, so they run, but the cross-key rules below do not.
	incomplete := hasError(problems)

	if prefix.IsValid() && !m.has(clusterDNSIPPath) {
		m.set(clusterDNSIPPath, []any{clusterDNSFromCIDR(prefix).String()}, fieldSource(FieldServiceCIDR))
	}

	v := &validator{variant: variant, release: release, strict: in.Strict, origins: m.origins}
	if settings, ok := m.tree["settings"]; ok {
		v.check(model, settings, []string{"settings"}, -1)
	}
	if prefix.IsValid() {
		checkDNSFamily(v, m.tree, prefix)
	}
	if !incomplete {
		checkClusterIdentity(v, m.tree)
	}
	problems = append(problems, v.problems...)
	if hasError(problems) {
		return nil, problems
	}
	prune(m.tree)
	if len(m.tree) == 0 {
		problems = append(problems, Problem{Severity: SeverityWarning, Index: -1, Summary: "Empty user data",
			Detail: "No settings were given, so the user data is empty; Bottlerocket then boots with its defaults and the node joins no cluster."})
	}
	return m.tree, problems
}

// checkRoot enforces that a fragment holds only the settings table:
// Bottlerocket silently discards every other top-level key, so a typo such
// as [kubernetes] or [kubelet-device-plugin.nvidia] would be lost.
//
// The node still boots, so with strict = false this is a warning.
func checkRoot(frag map[string]any, src source, strict bool) []Problem {
	var out []Problem
	for _, k := range sortedKeys(frag) {
		if k == "settings" {
			if _, ok := frag[k].(map[string]any); !ok {
				out = append(out, errorProblem(src, []string{k}, "Invalid settings",
					fmt.Sprintf("settings must be a table ([settings.…] headers or settings.key = value), not %s, in %s.", withArticle(typeName(frag[k])), src)))
			}
			continue
		}
		detail := fmt.Sprintf("%s has a top-level key %s; Bottlerocket reads only the settings table and silently ignores everything else.", src, encodeKey(k))
		if g := suggest(k, sortedKeys(model.fields)); g != "" {
			detail += fmt.Sprintf(" Did you mean settings.%s?", g)
		} else {
			detail += " Put it under settings, e.g. [settings." + encodeKey(k) + "]."
		}
		p := errorProblem(src, []string{k}, "Unknown top-level key "+encodeKey(k), detail)
		if !strict {
			p.Severity = SeverityWarning
			p.Detail += " It is dropped from the document because strict is false."
		}
		out = append(out, p)
	}
	return out
}

// Cluster identity: cluster-name, api-server and cluster-certificate are
// each optional in Bottlerocket's model (settings-sdk
// settings-extensions/kubernetes: every field of KubernetesSettingsV1 is an
// Option, and no rule ties the three together), so a partial identity is
// never an error. A custom_user_data fragment that sets only some is the
// normal form for Karpenter's EC2NodeClass or a managed node group's launch
// template, whose launcher merges the rest in: no finding at all. Only
// when the typed attributes carry part of the identity, which says the user
// renders the whole identity here, a missing key is a warning: that node
// would boot without joining its cluster.
var clusterIdentity = []struct {
	key   string
	field Field
}{
	{"api-server", FieldAPIServer},
	{"cluster-certificate", FieldClusterCertificate},
	{"cluster-name", FieldClusterName},
}

func checkClusterIdentity(v *validator, tree map[string]any) {
	k8s, ok := lookupTable(tree, kubernetesPath)
	if !ok {
		return
	}
	if standalone, _ := k8s["standalone-mode"].(bool); standalone {
		return
	}
	var present, missing []string
	typed := false
	for _, c := range clusterIdentity {
		if _, ok := k8s[c.key]; !ok {
			missing = append(missing, c.key)
			continue
		}
		present = append(present, c.key)
		typed = typed || v.origin(childPath(kubernetesPath, c.key)).field != FieldCustomUserData
	}
	if !typed || len(missing) == 0 {
		return
	}
	for _, c := range clusterIdentity {
		if _, ok := k8s[c.key]; ok {
			continue
		}
		p := childPath(kubernetesPath, c.key)
		w := errorProblem(fieldSource(c.field), p, "Missing "+settingPath(p),
			fmt.Sprintf("%s is set but %s is not: an aws-k8s node needs cluster_name, api_server and cluster_certificate together to join its cluster. "+
				"Set %s unless whatever launches the node (Karpenter, a managed node group) adds it.", joinList(present), settingPath(p), c.field))
		w.Severity = SeverityWarning
		v.problems = append(v.problems, w)
	}
}

func joinList(keys []string) string {
	out := ""
	for i, k := range keys {
		switch {
		case i == 0:
		case i == len(keys)-1:
			out += " and "
		default:
			out += ", "
		}
		out += k
	}
	return out
}

func hasError(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}
