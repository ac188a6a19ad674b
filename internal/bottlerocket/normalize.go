package bottlerocket

// normalize rewrites the forms Bottlerocket accepts in more than one shape
// into the one we emit, so that equal settings compare equal when merged
// and render the same bytes:
//   - cluster-dns-ip "10.100.0.10" becomes ["10.100.0.10"];
//   - a legacy node-taints string "value:Effect" becomes a one-element list;
//   - taint effects in the EKS API form (NO_SCHEDULE) become NoSchedule;
//   - each taint key's entries are sorted and de-duplicated (a set).
//
// Anything of an unexpected shape is left alone for validation to report.
func normalize(tree map[string]any) {
	k8s, ok := lookupTable(tree, kubernetesPath)
	if !ok {
		return
	}
	if s, ok := k8s["cluster-dns-ip"].(string); ok {
		k8s["cluster-dns-ip"] = []any{s}
	}
	taints, ok := k8s["node-taints"].(map[string]any)
	if !ok {
		return
	}
	for key, v := range taints {
		var raw []any
		switch x := v.(type) {
		case string:
			raw = []any{x}
		case []any:
			raw = x
		default:
			continue
		}
		entries := make([]string, 0, len(raw))
		for _, e := range raw {
			s, ok := e.(string)
			if !ok {
				entries = nil
				break
			}
			if value, effect, ok := splitTaintEntry(s); ok {
				if norm, ok := NormalizeTaintEffect(effect); ok {
					s = taintEntry(value, norm)
				}
			}
			entries = append(entries, s)
		}
		if entries == nil {
			taints[key] = raw
			continue
		}
		taints[key] = canonicalTaintList(entries)
	}
}

func lookupTable(tree map[string]any, path []string) (map[string]any, bool) {
	t := tree
	for _, p := range path {
		next, ok := t[p].(map[string]any)
		if !ok {
			return nil, false
		}
		t = next
	}
	return t, true
}

func lookup(tree map[string]any, path []string) (any, bool) {
	parent, ok := lookupTable(tree, path[:len(path)-1])
	if !ok {
		return nil, false
	}
	v, ok := parent[path[len(path)-1]]
	return v, ok
}
