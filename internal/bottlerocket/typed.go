package bottlerocket

// addTyped merges the typed attributes into the tree, each leaf tagged with
// its attribute (and map key) so findings land on the right attribute.
// Empty strings and nil or empty collections mean "not set", as an unset
// optional Terraform attribute does.
func addTyped(m *merger, in Input) []Problem {
	k := func(name string) []string { return childPath(kubernetesPath, name) }
	for _, s := range []struct {
		name  string
		value string
		field Field
	}{
		{"cluster-name", in.ClusterName, FieldClusterName},
		{"api-server", in.APIServer, FieldAPIServer},
		{"cluster-certificate", in.ClusterCertificate, FieldClusterCertificate},
	} {
		if s.value != "" {
			m.set(k(s.name), s.value, fieldSource(s.field))
		}
	}
	if len(in.ClusterDNSIP) > 0 {
		ips := make([]any, len(in.ClusterDNSIP))
		for i, ip := range in.ClusterDNSIP {
			ips[i] = ip
		}
		m.set(k("cluster-dns-ip"), ips, fieldSource(FieldClusterDNSIP))
	}
	if in.MaxPods != nil {
		m.set(k("max-pods"), *in.MaxPods, fieldSource(FieldMaxPods))
	}
	for _, mp := range []struct {
		name   string
		values map[string]string
		field  Field
	}{
		{"node-labels", in.NodeLabels, FieldNodeLabels},
		{"kube-reserved", in.KubeReserved, FieldKubeReserved},
		{"system-reserved", in.SystemReserved, FieldSystemReserved},
		{"eviction-hard", in.EvictionHard, FieldEvictionHard},
	} {
		for _, key := range sortedKeys(mp.values) {
			m.set(childPath(k(mp.name), key), mp.values[key], keySource(mp.field, key))
		}
	}
	// Taints are checked here, per list element, because grouping them by
	// key for Bottlerocket's form loses which element was wrong.
	problems := ValidateTaints(in.NodeTaints)
	if len(problems) == 0 {
		byKey, first := typedTaints(in.NodeTaints)
		for _, key := range sortedKeys(byKey) {
			m.set(childPath(k("node-taints"), key), byKey[key], source{field: FieldNodeTaints, index: first[key]})
		}
	}
	return problems
}
