package bottlerocket

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Resource keys Bottlerocket accepts in kube-reserved and system-reserved
// (KubernetesReservedResourceKey); pid came in 1.49.0.
var reservedResources = []string{"cpu", "ephemeral-storage", "memory", "pid"}

var reservedResourceSince = map[string]string{"pid": "1.49.0"}

func reservedSchema() *schema {
	s := enumMapOf(reservedResources, quantityString())
	s.keySince = reservedResourceSince
	return s
}

// Eviction signals Bottlerocket's modeled type accepts; it is narrower than
// the kubelet's own list, and Bottlerocket is the one that reads the TOML.
var evictionSignals = []string{
	"imagefs.available", "imagefs.inodesFree", "memory.available",
	"nodefs.available", "nodefs.inodesFree", "pid.available",
}

// kubernetesSchema models settings.kubernetes (settings-sdk
// settings-extensions/kubernetes). A kubelet-extra-config setting exists in
// a settings-sdk branch but in no released settings model (settings-sdk
// CHANGELOG up to 0.27.0), so Bottlerocket refuses it as unknown.
func kubernetesSchema() *schema {
	duration := strNamed("duration string", ruleDuration)
	base64 := strNamed("base64 string", ruleBase64)
	quantity := quantityString()
	line := strNamed("single-line string", ruleSingleLine)
	identifier := allRules(ruleIdentifier, ruleNoControl)
	fields := map[string]*fieldSchema{
		"allowed-unsafe-sysctls": field(listOf(line)),
		"api-server":             field(strNamed("URL string", ruleURL)),
		"authentication-mode":    field(enum("aws", "tls")),
		"bootstrap-token":        field(str(ruleBootstrapToken)),
		// KubernetesCloudProvider also takes the two characters "" (what
		// it stores for an empty value).
		"cloud-provider":                 field(enum("aws", "external", "", `""`)),
		"cluster-certificate":            field(base64),
		"cluster-dns-ip":                 field(clusterDNSIPSchema()),
		"cluster-domain":                 field(str(ruleDNSDomain)),
		"cluster-name":                   field(str(ruleClusterName)),
		"container-log-max-files":        field(i32()),
		"container-log-max-size":         field(quantity),
		"container-log-max-workers":      {schema: i32(), minMinor: 30, since: "1.39.0"},
		"container-log-monitor-interval": {schema: duration, minMinor: 30, since: "1.39.0"},
		"cpu-cfs-quota-enforced":         field(boolean()),
		"cpu-manager-policy":             field(enum("none", "static", "None", "Static")),
		"cpu-manager-policy-options":     field(listOf(cpuManagerPolicyOptionSchema())),
		"cpu-manager-reconcile-period":   field(duration),
		// settings-sdk CHANGELOG 0.25.0, with kernel.hugepages, which the
		// 1.64.x documentation introduces.
		"container-runtime-endpoint":             added("1.64.0", strNamed("URL string", ruleURL)),
		"credential-providers":                   field(mapOf(identifier, credentialProviderSchema())),
		"device-ownership-from-security-context": added("1.30.0", boolean()),
		"event-burst":                            field(i32()),
		"event-qps":                              field(i32()),
		"eviction-hard":                          field(enumMapOf(evictionSignals, thresholdString())),
		"eviction-max-pod-grace-period":          field(nonNegI32()),
		"eviction-soft":                          field(enumMapOf(evictionSignals, thresholdString())),
		"eviction-soft-grace-period":             field(enumMapOf(evictionSignals, duration)),
		"hostname-override":                      field(strNamed("hostname", ruleHostname)),
		"hostname-override-source":               added("1.21.0", enum("private-dns-name", "instance-id")),
		"ids-per-pod":                            {schema: idsPerPodSchema(), minMinor: 33, since: "1.51.0"},
		"image-gc-high-threshold-percent":        field(imageGCPercentSchema()),
		"image-gc-low-threshold-percent":         field(imageGCPercentSchema()),
		"image-maximum-gc-age":                   added("1.51.0", duration),
		"image-minimum-gc-age":                   added("1.51.0", duration),
		"kube-api-burst":                         field(i32()),
		"kube-api-qps":                           field(i32()),
		"kube-reserved":                          field(reservedSchema()),
		"log-level":                              field(u8()),
		"max-parallel-image-pulls":               added("1.51.0", i32()),
		"max-pods":                               field(u32()),
		"memory-manager-policy":                  field(enum("None", "Static", "none", "static")),
		"memory-manager-reserved-memory":         field(mapOf(identifier, reservedMemorySchema())),
		// settings-sdk CHANGELOG 0.27.0 (KubernetesMemoryReservationPolicy,
		// KubernetesMemoryThrottlingFactor), after 0.25.0 of 1.64.0: no
		// document names the release, 1.65.0 is the earliest possible.
		"memory-reservation-policy": added("1.65.0", enum("None", "TieredReservation", "none", "tiered-reservation")),
		"memory-throttling-factor":  added("1.65.0", throttlingFactorSchema()),
		// KubernetesMemorySwapBehavior: the kubelet's names and their
		// kebab-case aliases. core-kit renders it from
		// packages/kubernetes-1.30/kubelet-config on (the 1.29 template has
		// no memorySwap). settings-sdk CHANGELOG 0.11.0 (2025-06-13) added
		// it; no document names the release, so it records none.
		"memory-swap-behavior":      {schema: enum("NoSwap", "LimitedSwap", "no-swap", "limited-swap"), minMinor: 30},
		"node-ip":                   field(nodeIPSchema()),
		"node-labels":               field(nodeLabelsSchema()),
		"node-taints":               field(custom("table of taints", checkNodeTaints)),
		"pod-infra-container-image": field(line),
		"pod-pids-limit":            field(i64()),
		"provider-id":               field(strNamed("URL string", ruleURL)),
		"registry-burst":            field(i32()),
		"registry-qps":              field(i32()),
		"reserved-cpus":             added("1.21.0", cpuSetString()),
		"seccomp-default":           field(boolean()),
		"server-certificate":        field(base64),
		"server-key":                field(base64),
		"server-tls-bootstrap":      field(boolean()),
		"shutdown-grace-period":     field(duration),
		"shutdown-grace-period-for-critical-pods": field(duration),
		"single-process-oom-kill":                 {schema: boolean(), minMinor: 32, since: "1.39.0"},
		"standalone-mode":                         field(boolean()),
		"static-pods":                             field(mapOf(identifier, staticPodSchema())),
		// settings-sdk CHANGELOG 0.13.0 (2025-08-25), between the releases
		// of container-runtime-plugins (1.44) and host-containers command
		// (1.47); no document names the release, so it records none.
		"static-pods-enabled":     field(boolean()),
		"system-reserved":         field(reservedSchema()),
		"topology-manager-policy": field(enum("none", "restricted", "best-effort", "single-numa-node")),
		// settings-sdk CHANGELOG 0.22.0; bottlerocket-project-website
		// data/settings/1.60.x/kubernetes.toml documents it.
		"topology-manager-policy-options": added("1.60.0", topologyManagerPolicyOptionsSchema()),
		"topology-manager-scope":          field(enum("container", "pod")),
	}
	s := table(fields)
	s.check = checkImageGCOrder
	return s
}

// credentialProviderSchema is CredentialProvider: enabled and
// image-patterns are not optional in Bottlerocket's struct. The struct is
// plain serde without deny_unknown_fields, so Bottlerocket drops a key it
// does not know instead of refusing the document.
func credentialProviderSchema() *schema {
	line := strNamed("single-line string", ruleSingleLine)
	return withRequired(plainStructTable(map[string]*fieldSchema{
		"enabled":        field(boolean()),
		"image-patterns": field(listOf(line)),
		"cache-duration": field(strNamed("duration string", ruleDuration)),
		"environment":    field(mapOf(ruleSingleLine, line)),
	}), "enabled", "image-patterns")
}

// cpuManagerPolicyOptionSchema is KubernetesCPUManagerPolicyOption. The
// documentation lists only full-pcpus-only; the newer settings-sdk model
// adds three kubelet options, which core-kit's kubelet-config templates
// render (packages/kubernetes-1.33: full-pcpus-only, strict-cpu-reservation,
// distribute-cpus-across-numa; 1.34 and later: every option). Older
// variants' templates skip an option they do not know.
//
// The three came with ids-per-pod in the same change (settings-sdk
// CHANGELOG 0.17.0, #104), which the documentation places in 1.51.
func cpuManagerPolicyOptionSchema() *schema {
	newer := map[string]string{"distribute-cpus-across-numa": "1.51.0", "prefer-align-cpus-by-uncorecache": "1.51.0", "strict-cpu-reservation": "1.51.0"}
	return enumSince([]string{"full-pcpus-only", "distribute-cpus-across-numa", "prefer-align-cpus-by-uncorecache", "strict-cpu-reservation"}, newer)
}

// idsPerPodSchema is KubernetesIdsPerPodValue (modeled-types
// kubernetes.rs): an integer that is a multiple of 65536 and below 2^32.
// Bottlerocket lets 0 and negative multiples through; the kubelet's
// validation wants a positive one, so those are doubts.
func idsPerPodSchema() *schema {
	const step, limit = 65536, 1 << 32
	return custom("multiple of 65536", func(v *validator, val any, path []string) {
		n, ok := val.(int64)
		if !ok {
			v.invalid(path, -1, fmt.Sprintf("%s must be an integer, not %s.", settingPath(path), withArticle(typeName(val))))
			return
		}
		switch {
		case n%step != 0 || n >= limit:
			msg := fmt.Sprintf("%d is not a number of IDs Bottlerocket accepts: it must be a multiple of 65536 below 4294967296.", n)
			if near := (n + step/2) / step * step; near > 0 && near < limit {
				msg += fmt.Sprintf(" Did you mean %d?", near)
			}
			v.invalid(path, -1, msg)
		case n <= 0:
			v.doubtful(path, -1, fmt.Sprintf("%d IDs per pod: the kubelet wants a positive multiple of 65536, such as 65536.", n))
		}
	})
}

// topologyManagerPolicyOptionsSchema is KubernetesTopologyManagerPolicyOptions
// (settings-sdk settings-extensions/kubernetes, a #[model] struct, so
// unknown keys are refused). The kubelet of Kubernetes 1.32 and 1.35
// respectively is the first to take each option (the 1.60.x settings
// documentation).
func topologyManagerPolicyOptionsSchema() *schema {
	return table(map[string]*fieldSchema{
		"prefer-closest-numa-nodes": {schema: boolean(), minMinor: 32},
		"max-allowable-numa-nodes":  {schema: maxAllowableNUMANodesSchema(), minMinor: 35},
	})
}

// maxAllowableNUMANodesSchema takes the number of NUMA nodes as an integer
// or as a string of digits, at least 8 (the kubelet's own default). The
// settings documentation (1.60.x kubernetes.toml, "uint >= 8") writes its
// example quoted, max-allowable-numa-nodes = "8", and the kubelet reads
// the option from a map of strings; we could not read the modeled type's
// deserializer, so neither form is refused: refusing the documented form
// would block user data Bottlerocket's own documentation gives.
func maxAllowableNUMANodesSchema() *schema {
	const least = 8
	return custom("number of NUMA nodes", func(v *validator, val any, path []string) {
		var n int64
		switch x := val.(type) {
		case int64:
			n = x
		case string:
			parsed, err := strconv.ParseUint(x, 10, 32)
			if err != nil {
				v.invalid(path, -1, fmt.Sprintf("%s must be a number of NUMA nodes of at least %d, such as 8, not %s.", settingPath(path), least, withArticle(typeName(val))))
				return
			}
			n = int64(parsed)
		default:
			v.invalid(path, -1, fmt.Sprintf("%s must be a number of NUMA nodes of at least %d, such as 8, not %s.", settingPath(path), least, withArticle(typeName(val))))
			return
		}
		if n < least || n > math.MaxUint32 {
			v.invalid(path, -1, fmt.Sprintf("%d is out of range for a number of NUMA nodes: it must be from %d to %d.", n, least, uint64(math.MaxUint32)))
		}
	})
}

func staticPodSchema() *schema {
	return table(map[string]*fieldSchema{
		"enabled":  field(boolean()),
		"manifest": field(strNamed("base64 string", ruleBase64)),
	})
}

// reservedMemorySchema is KubernetesMemoryReservation: a required enabled
// flag and limits keyed by KubernetesMemoryReservationKey only.
func reservedMemorySchema() *schema {
	quantity := quantityString()
	return withRequired(table(map[string]*fieldSchema{
		"enabled":       field(boolean()),
		"memory":        field(quantity),
		"hugepages-2Mi": field(quantity),
		"hugepages-1Gi": field(quantity),
	}), "enabled")
}

func nodeLabelsSchema() *schema {
	s := mapOf(labelKeySyntaxProblem, str())
	s.keyDoubt = kubeletLabelKeyProblem
	s.check = func(v *validator, val any, path []string) {
		m := val.(map[string]any)
		for _, k := range sortedKeys(m) {
			value, ok := m[k].(string)
			if !ok || labelKeySyntaxProblem(k) != "" {
				continue
			}
			kp := childPath(path, k)
			for _, msg := range labelValueProblems(k, value) {
				v.invalid(kp, -1, msg)
			}
		}
	}
	return s
}

// nodeIPSchema is KubernetesNodeIp, the kubelet's --node-ip: the settings
// model types it like KubernetesClusterDnsIp (settings-sdk
// settings-extensions/kubernetes lib.rs names a modeled type, not IpAddr,
// since dual-stack nodes came), so one IP address or an array of them. We
// could not read the type's deserializer; refusing the array form would
// block a dual-stack node, so both forms are accepted and kept as written.
// The kubelet takes at most one address of each family.
func nodeIPSchema() *schema {
	ip := strNamed("IP address string", ruleIP)
	return custom("IP address or array of IP addresses", func(v *validator, val any, path []string) {
		switch x := val.(type) {
		case string:
			v.check(ip, x, path, -1)
		case []any:
			if len(x) == 0 {
				v.invalid(path, -1, fmt.Sprintf("%s is an empty array; give the node's IP address, or leave the setting out.", settingPath(path)))
				return
			}
			for i, e := range x {
				v.check(ip, e, path, i)
			}
			if len(x) > 2 {
				v.doubtful(path, -1, fmt.Sprintf("%s has %d addresses; the kubelet takes one, or one IPv4 and one IPv6 address on a dual-stack node.", settingPath(path), len(x)))
			}
		default:
			v.invalid(path, -1, fmt.Sprintf("%s must be an IP address string or an array of them, not %s.", settingPath(path), withArticle(typeName(val))))
		}
	})
}

// clusterDNSIPSchema: Bottlerocket accepts one IP or a list; normalize has
// already turned a single string into a one-element list.
//
// KubernetesClusterDnsIp deserializes an empty list too; the kubelet then
// has no cluster DNS and pods resolve nothing in the cluster, so it is a
// warning whatever strict says (Bottlerocket accepts it).
func clusterDNSIPSchema() *schema {
	s := listOf(strNamed("IP address string", ruleIP))
	s.what = "IP address or array of IP addresses"
	s.check = func(v *validator, val any, path []string) {
		if l, _ := val.([]any); len(l) == 0 {
			v.report(SeverityWarning, path, -1, "Empty "+settingPath(path),
				fmt.Sprintf("%s is an empty array: the kubelet gets no cluster DNS address, so pods cannot resolve cluster names. Remove it to have Bottlerocket derive the address.", settingPath(path))+v.where(path))
		}
	}
	return s
}

// imageGCPercentSchema: Bottlerocket takes an integer or a numeric string,
// 0-100, and writes it back in the form it was given; we keep the form.
func imageGCPercentSchema() *schema {
	return custom("integer or numeric string from 0 to 100", func(v *validator, val any, path []string) {
		n, ok := imageGCPercent(val)
		if !ok {
			v.invalid(path, -1, fmt.Sprintf("%s must be an integer or a numeric string from 0 to 100, not %s.", settingPath(path), withArticle(typeName(val))))
			return
		}
		if n < 0 || n > 100 {
			v.invalid(path, -1, fmt.Sprintf("%d is not a percentage from 0 to 100.", n))
		}
	})
}

func imageGCPercent(val any) (int64, bool) {
	switch x := val.(type) {
	case int64:
		return x, true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// checkImageGCOrder applies the kubelet's rule that the low threshold is
// below the high one; otherwise the kubelet does not start.
func checkImageGCOrder(v *validator, val any, path []string) {
	m := val.(map[string]any)
	hi, okHi := imageGCPercent(m["image-gc-high-threshold-percent"])
	lo, okLo := imageGCPercent(m["image-gc-low-threshold-percent"])
	if okHi && okLo && lo >= hi && hi >= 0 && hi <= 100 && lo >= 0 && lo <= 100 {
		p := childPath(path, "image-gc-low-threshold-percent")
		v.doubtful(p, -1, fmt.Sprintf("image-gc-low-threshold-percent (%d) must be below image-gc-high-threshold-percent (%d), or the kubelet does not start; Bottlerocket itself does not check it.", lo, hi))
	}
}

// taintEffectRE is the effect part of Bottlerocket's KubernetesTaintValue.
var taintEffectRE = regexp.MustCompile(`^[[:alnum:]]{1,253}$`)

// suggestTaintEffect compares kebab-cased forms, so "NoScheduel" finds
// "NoSchedule".
func suggestTaintEffect(effect string) string {
	forms := map[string]string{"no-schedule": "NoSchedule", "prefer-no-schedule": "PreferNoSchedule", "no-execute": "NoExecute"}
	return forms[suggest(effect, []string{"no-schedule", "prefer-no-schedule", "no-execute"})]
}

// checkNodeTaints validates node-taints after normalize turned legacy single
// strings into lists and effects into the Kubernetes form.
func checkNodeTaints(v *validator, val any, path []string) {
	m, ok := val.(map[string]any)
	if !ok {
		v.invalid(path, -1, fmt.Sprintf("%s must be a table of taint key = [\"value:Effect\", …], not %s.", settingPath(path), withArticle(typeName(val))))
		return
	}
	for _, k := range sortedKeys(m) {
		kp := childPath(path, k)
		list, ok := m[k].([]any)
		if !ok {
			v.invalid(kp, -1, fmt.Sprintf("taint %q must be an array of \"value:Effect\" strings, not %s.", k, withArticle(typeName(m[k]))))
			continue
		}
		if len(list) == 0 {
			v.invalid(kp, -1, fmt.Sprintf("taint %q has an empty array; Bottlerocket refuses it (\"empty taint value\"). Remove the key or add \"value:Effect\".", k))
			continue
		}
		entries := make([]string, 0, len(list))
		bad := false
		reported := map[string]bool{}
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				v.invalid(kp, -1, fmt.Sprintf("taint %q must hold \"value:Effect\" strings, not %s.", k, withArticle(typeName(e))))
				bad = true
				continue
			}
			value, effect, ok := splitTaintEntry(s)
			if !ok {
				v.invalid(kp, -1, fmt.Sprintf("taint %q entry %q is not of the form \"value:Effect\" (the value may be empty: \":NoSchedule\").", k, s))
				bad = true
				continue
			}
			// Key and value: Bottlerocket's KubernetesLabelKey and
			// KubernetesTaintValue refuse them.
			_, msgs := taintProblems(k, value, "NoSchedule")
			for _, msg := range msgs {
				if !reported[msg] {
					v.invalid(kp, -1, msg)
				}
				reported[msg] = true
			}
			bad = bad || len(msgs) > 0
			if msg := kubeletTaintKeyProblem(k); msg != "" && !reported[msg] {
				reported[msg] = true
				v.doubtful(kp, -1, msg)
			}
			// Effect: Bottlerocket accepts any 1-253 alphanumerics; the
			// kubelet refuses an effect it does not know, which is a doubt
			// of this model, not a Bottlerocket rule.
			if !taintEffectRE.MatchString(effect) {
				v.invalid(kp, -1, fmt.Sprintf("effect %q of taint %q must be 1-253 letters or digits.", effect, k))
				bad = true
			} else if _, effectMsgs := taintProblems(k, value, effect); len(effectMsgs) > len(msgs) && !reported[effectMsgs[len(effectMsgs)-1]] {
				msg := effectMsgs[len(effectMsgs)-1]
				reported[msg] = true
				if g := suggestTaintEffect(effect); g != "" && !strings.Contains(msg, "Did you mean") {
					msg += fmt.Sprintf(" Did you mean %q?", g)
				}
				v.doubtful(kp, -1, msg+" The kubelet does not start with an effect it does not know.")
				bad = bad || v.strict
			}
			entries = append(entries, s)
		}
		if !bad {
			if msg := duplicateEffect(k, entries); msg != "" {
				v.invalid(kp, -1, msg)
			}
		}
	}
}

// throttlingFactorSchema is KubernetesMemoryThrottlingFactor: a finite
// number above 0 and at most 1 (an integer deserializes as a float too, a
// string does not).
func throttlingFactorSchema() *schema {
	return custom("number above 0 and at most 1", func(v *validator, val any, path []string) {
		var f float64
		switch x := val.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			msg := fmt.Sprintf("%s must be a number above 0 and at most 1, such as 0.8, not %s.", settingPath(path), withArticle(typeName(val)))
			if x, ok := val.(string); ok {
				if _, err := strconv.ParseFloat(x, 64); err == nil {
					msg += fmt.Sprintf(" Write %s without quotes.", x)
				}
			}
			v.invalid(path, -1, msg)
			return
		}
		if !(f > 0 && f <= 1) {
			v.invalid(path, -1, fmt.Sprintf("%s is not a memory throttling factor: it must be above 0 and at most 1.", encodeFloat(f)))
		}
	})
}
