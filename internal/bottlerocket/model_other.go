package bottlerocket

import (
	"fmt"
	"math"
)

// settingsSchema models the settings root of the aws-k8s variants, family
// by family as bottlerocket-settings-sdk's settings-extensions and
// bottlerocket-core-kit define them; the nvidia-only tables are marked and
// checked against the variant. Each field records the release that added
// it ("" = as old as the settings documentation, 1.15 or older).
func settingsSchema() *schema {
	base64 := strNamed("base64 string", ruleBase64)
	mode := enum("always", "once", "off") // BootstrapMode
	url := strNamed("URL string", ruleURL)
	line := strNamed("single-line string", ruleSingleLine)
	identifier := allRules(ruleIdentifier, ruleNoControl)
	bootParams := mapOf(ruleBootConfigKey, listOf(strNamed("boot config value", ruleBootConfigValue)))
	return table(map[string]*fieldSchema{
		"autoscaling": field(table(map[string]*fieldSchema{
			"should-wait": field(boolean()),
		})),
		"aws": field(table(map[string]*fieldSchema{
			"config":      field(base64),
			"credentials": field(base64),
			"profile":     field(line),
			"region":      field(line),
		})),
		// core-kit BootSettings: the API serializes the parameter maps as
		// "kernel" and "init", and accepts those names back (serde alias).
		"boot": field(withAliases(table(map[string]*fieldSchema{
			"reboot-to-reconcile": field(boolean()),
			"kernel-parameters":   field(bootParams),
			"init-parameters":     field(bootParams),
		}), map[string]string{"kernel": "kernel-parameters", "init": "init-parameters"})),
		"bootstrap-commands": added("1.22.0", mapOf(identifier, table(map[string]*fieldSchema{
			"commands":  field(&schema{kind: kindList, what: "array of apiclient commands", elem: listOf(str()), check: apiclientCommandCheck}),
			"mode":      field(mode),
			"essential": field(boolean()),
		}))),
		"bootstrap-containers": field(mapOf(identifier, table(map[string]*fieldSchema{
			"source":    field(url),
			"mode":      field(mode),
			"essential": field(boolean()),
			"user-data": field(base64),
			"command":   added("1.47.0", listOf(str())),
		}))),
		// Bottlerocket's own defaults for both names are empty strings.
		"cloudformation": field(table(map[string]*fieldSchema{
			"logical-resource-id": field(line),
			"should-signal":       field(boolean()),
			"stack-name":          field(line),
		})),
		"container-registry": field(withAliases(table(map[string]*fieldSchema{
			// Both the list form ([[mirrors]] registry/endpoint) and the
			// older map form (registry = [endpoints]) are accepted
			// (container-registry de.rs).
			"mirrors": field(custom("array of mirror tables, or table of registry = [endpoints]", checkMirrors)),
			"credentials": field(listOf(table(map[string]*fieldSchema{
				"registry":      field(line),
				"username":      field(line),
				"password":      field(line),
				"auth":          field(base64),
				"identitytoken": field(line),
			}))),
		}), map[string]string{"creds": "credentials"})),
		"container-runtime": field(withAliases(table(map[string]*fieldSchema{
			"enable-unprivileged-icmp":       field(boolean()),
			"enable-unprivileged-ports":      field(boolean()),
			"max-concurrent-downloads":       field(i32()),
			"max-container-log-line-size":    field(i32()),
			"snapshotter":                    added("1.44.0", enum("overlayfs", "soci")),
			"concurrent-download-chunk-size": added("1.47.0", chunkSizeSchema(false)),
			// settings-sdk container-runtime lib.rs: an i32 (CHANGELOG
			// 0.22.0, shipped in core-kit v14.2.0 of 2026-04-24). No
			// release note names the Bottlerocket release; the website was
			// updated for 1.57.0 on 2026-04-06 without it, so 1.58.0 is the
			// earliest release that can have it.
			"max-concurrent-unpacks": added("1.58.0", i32()),
		}), map[string]string{"concurrent-layer-fetch-buffer": "concurrent-download-chunk-size"})),
		"container-runtime-plugins": added("1.44.0", table(map[string]*fieldSchema{
			"soci-snapshotter": field(table(map[string]*fieldSchema{
				"pull-mode": field(enum("parallel-pull-unpack")),
				"parallel-pull-unpack": field(table(map[string]*fieldSchema{
					"max-concurrent-downloads":           field(unboundedOrPositive()),
					"max-concurrent-downloads-per-image": field(positive()),
					"concurrent-download-chunk-size":     field(chunkSizeSchema(true)),
					"max-concurrent-unpacks":             field(unboundedOrPositive()),
					"max-concurrent-unpacks-per-image":   field(positive()),
					"discard-unpacked-layers":            field(boolean()),
				})),
			})),
		})),
		"dns": field(table(map[string]*fieldSchema{
			"name-servers": field(listOf(strNamed("IP address string", ruleIP))),
			"search-list":  field(listOf(strNamed("hostname", ruleHostname))),
		})),
		// The aws-k8s settings plugins (bottlerocket sources/settings-plugins/
		// aws-k8s*/src/lib.rs) have no ecs family: it is certain to fail.
		"ecs": field(custom("aws-ecs settings", refuseECS)),
		"host-containers": field(mapOf(identifier, table(map[string]*fieldSchema{
			"enabled":      field(boolean()),
			"source":       field(url),
			"superpowered": field(boolean()),
			"user-data":    field(base64),
			"command":      added("1.47.0", listOf(str())),
		}))),
		"image-verifier-plugins": added("1.51.0", imageVerifierPluginsSchema()),
		"kernel": field(table(map[string]*fieldSchema{
			"lockdown": field(enum("none", "integrity", "confidentiality")),
			// Values are free-form strings in Bottlerocket's model.
			"sysctl": field(mapOf(ruleSysctlKey, str())),
			"modules": field(mapOf(ruleKmodKey, table(map[string]*fieldSchema{
				"allowed":  field(boolean()),
				"autoload": added("1.16.0", boolean()),
			}))),
			// bottlerocket-project-website data/settings/1.64.x/kernel.toml:
			// introduced in 1.64.0 (core-kit v14.9.0, settings-models 0.25.0).
			"hugepages": added("1.64.0", hugepagesSchema()),
		})),
		// kubelet-dra-drivers is not modeled: settings-sdk has a
		// settings-extensions/kubelet-dra-drivers crate (nvidia.enabled),
		// but no settings-models release note, no aws-k8s settings plugin
		// and no settings documentation names it, so no released variant
		// is known to accept it; it stays an unknown setting (a warning
		// with strict = false).
		"kubelet-device-plugins": {nvidiaOnly: true, since: "1.23.0", schema: table(map[string]*fieldSchema{
			"nvidia": field(nvidiaDevicePluginSchema()),
		})},
		"kubernetes": field(kubernetesSchema()),
		"metrics": field(table(map[string]*fieldSchema{
			"metrics-url":    field(url),
			"send-metrics":   field(boolean()),
			"service-checks": field(listOf(str())),
		})),
		"motd": field(str()),
		"network": field(table(map[string]*fieldSchema{
			"hostname":    field(strNamed("hostname", ruleHostname)),
			"hosts":       field(custom("array of [IP, [hostnames]]", checkHosts)),
			"https-proxy": field(url),
			"no-proxy":    field(listOf(line)),
		})),
		"ntp": field(table(map[string]*fieldSchema{
			"time-servers": field(listOf(url)),
			"options":      field(listOf(line)),
		})),
		"nvidia-container-runtime": {nvidiaOnly: true, since: "1.23.0", schema: table(map[string]*fieldSchema{
			"visible-devices-as-volume-mounts":         field(boolean()),
			"visible-devices-envvar-when-unprivileged": field(boolean()),
		})},
		"oci-defaults": field(table(map[string]*fieldSchema{
			"capabilities": field(enumMapOf(ociCapabilities, boolean())),
			"resource-limits": field(enumMapOf(ociResourceLimits, withRequired(table(map[string]*fieldSchema{
				"hard-limit": field(rlimitSchema()),
				"soft-limit": field(rlimitSchema()),
			}), "hard-limit", "soft-limit"))),
		})),
		"oci-hooks": field(table(map[string]*fieldSchema{
			"log4j-hotpatch-enabled": field(boolean()),
		})),
		"pki": field(mapOf(identifier, table(map[string]*fieldSchema{
			"data":    field(strNamed("base64 PEM certificate bundle", rulePEMBundle)),
			"trusted": field(boolean()),
		}))),
		"updates": field(table(map[string]*fieldSchema{
			"ignore-waves":      field(boolean()),
			"metadata-base-url": field(url),
			"seed":              field(u32()),
			"targets-base-url":  field(url),
			"version-lock":      field(strNamed("version string", ruleFriendlyVersion)),
		})),
	})
}

// Capability names of oci-defaults.capabilities (core-kit oci-defaults
// model: Linux capabilities without CAP_, kebab-case).
var ociCapabilities = []string{
	"audit-control", "audit-read", "audit-write", "block-suspend", "bpf", "checkpoint-restore",
	"chown", "dac-override", "dac-read-search", "fowner", "fsetid", "ipc-lock", "ipc-owner",
	"kill", "lease", "linux-immutable", "mac-admin", "mac-override", "mknod", "net-admin",
	"net-bind-service", "net-broadcast", "net-raw", "perfmon", "setfcap", "setgid", "setpcap",
	"setuid", "sys-admin", "sys-boot", "sys-chroot", "sys-module", "sys-nice", "sys-pacct",
	"sys-ptrace", "sys-rawio", "sys-resource", "sys-time", "sys-tty-config", "syslog", "wake-alarm",
}

// Resource limit names of oci-defaults.resource-limits (rlimit types).
var ociResourceLimits = []string{
	"max-address-space", "max-core-file-size", "max-cpu-time", "max-data-size", "max-file-locks",
	"max-file-size", "max-locked-memory", "max-msgqueue-size", "max-nice-priority", "max-open-files",
	"max-pending-signals", "max-processes", "max-realtime-priority", "max-realtime-timeout",
	"max-resident-set", "max-stack-size",
}

// rlimitSchema: 0 to i64 max, or -1 / "unlimited" to remove the limit.
func rlimitSchema() *schema {
	return custom("integer from -1 to 9223372036854775807, or \"unlimited\"", func(v *validator, val any, path []string) {
		switch x := val.(type) {
		case int64:
			if x < -1 {
				v.invalid(path, -1, fmt.Sprintf("%d is not a resource limit: use 0 or more, or -1 or \"unlimited\" for no limit.", x))
			}
		case string:
			if x != "unlimited" {
				msg := fmt.Sprintf("%q is not a resource limit: the only string accepted is \"unlimited\".", x)
				if suggest(x, []string{"unlimited"}) != "" {
					msg += ` Did you mean "unlimited"?`
				}
				v.invalid(path, -1, msg)
			}
		default:
			v.invalid(path, -1, fmt.Sprintf("%s must be an integer or \"unlimited\", not %s.", settingPath(path), withArticle(typeName(val))))
		}
	})
}

// chunkSizeSchema: an integer number of bytes or a byte size string
// ("8mb"); the SOCI setting also takes "unlimited".
func chunkSizeSchema(unlimited bool) *schema {
	return custom("byte size", func(v *validator, val any, path []string) {
		switch x := val.(type) {
		case int64:
			if x < 0 {
				v.invalid(path, -1, fmt.Sprintf("%d is not a byte size.", x))
			}
		case string:
			if unlimited && x == "unlimited" {
				return
			}
			if msg := ruleByteSize(x); msg != "" {
				v.invalid(path, -1, msg)
			}
		default:
			v.invalid(path, -1, fmt.Sprintf("%s must be a number of bytes or a byte size string such as \"8mb\", not %s.", settingPath(path), withArticle(typeName(val))))
		}
	})
}

// The SOCI parallel-pull-unpack limits are documented as "-1 for unbounded,
// or a positive integer"; the model has not confirmed the bounds in
// Bottlerocket's source, so they are a doubt, not an error.
func unboundedOrPositive() *schema {
	s := intRange("integer (-1 for unbounded, or positive)", -1, math.MaxInt64)
	s.policy = true
	s.check = func(v *validator, val any, path []string) {
		if x, ok := val.(int64); ok && x == 0 {
			v.doubtful(path, -1, "0 is documented as neither unbounded (-1) nor a positive limit.")
		}
	}
	return s
}

func positive() *schema {
	s := intRange("positive integer", 1, math.MaxInt64)
	s.policy = true
	return s
}

// nvidiaDevicePluginSchema models kubelet-device-plugins.nvidia
// (modeled-types kubernetes.rs NvidiaDevicePluginSettings).
func nvidiaDevicePluginSchema() *schema {
	strategies := []string{"envvar", "volume-mounts", "cdi-cri"}
	listStrategySince := map[string]string{"cdi-cri": "1.40.0"}
	s := table(map[string]*fieldSchema{
		// settings-sdk CHANGELOG 0.24.0 (core-kit v14.6.0, 2026-06-19):
		// turns the device plugin off. As for container-runtime
		// max-concurrent-unpacks, 1.58.0 is the earliest release that can
		// have it.
		"enabled":            added("1.58.0", boolean()),
		"pass-device-specs":  field(boolean()),
		"device-id-strategy": field(enum("index", "uuid")),
		// One strategy, or a list of them.
		"device-list-strategy": field(custom("strategy or array of strategies", func(v *validator, val any, path []string) {
			one := enumSince(strategies, listStrategySince)
			warnCDIOnOldKubernetes(v, val, path)
			switch x := val.(type) {
			case string:
				v.check(one, x, path, -1)
			case []any:
				// The list form came with settings-models 0.10.0, documented
				// from 1.40.x ("a single strategy or a list of strategies").
				if v.release.lacks(listStrategySince["cdi-cri"]) {
					v.report(SeverityError, path, -1, "Setting newer than the AMI: "+settingPath(path),
						fmt.Sprintf("an array of strategies for %s needs Bottlerocket %s, but the AMI runs Bottlerocket %s, which takes a single strategy. Use one string.", settingPath(path), listStrategySince["cdi-cri"], v.release)+v.where(path))
					return
				}
				v.check(listOf(one), x, path, -1)
			default:
				v.invalid(path, -1, fmt.Sprintf("%s must be a strategy (\"envvar\", \"volume-mounts\", \"cdi-cri\") or an array of them, not %s.", settingPath(path), withArticle(typeName(val))))
			}
		})),
		"device-sharing-strategy": added("1.25.0", enumSince([]string{"none", "time-slicing", "mps"}, map[string]string{"mps": "1.54.0"})),
		"time-slicing": added("1.25.0", table(map[string]*fieldSchema{
			// BoundedI32<2, i32::MAX>
			"replicas":                       field(intRange("number of replicas", 2, math.MaxInt32)),
			"rename-by-default":              field(boolean()),
			"fail-requests-greater-than-one": field(boolean()),
		})),
		"device-partitioning-strategy": added("1.34.0", enum("none", "mig")),
		"mig": added("1.34.0", table(map[string]*fieldSchema{
			"profile": field(mapOf(ruleNvidiaGPUModel, strNamed("MIG profile", ruleMIGProfile))),
		})),
		"mps": added("1.54.0", table(map[string]*fieldSchema{
			"replicas":          field(intRange("number of replicas", 2, 48)),
			"rename-by-default": field(boolean()),
		})),
	})
	s.check = checkMPSWithMIG
	return s
}

// checkMPSWithMIG: the kubelet-device-plugins settings extension's validate
// (settings-sdk settings-extensions/kubelet-device-plugins/src/lib.rs,
// MpsMigConflict) refuses MPS sharing together with MIG partitioning.
// Whether every release runs that validation when user data is applied is
// not shown by the sources, so it is a doubt: an error with strict = true.
func checkMPSWithMIG(v *validator, val any, path []string) {
	m, ok := val.(map[string]any)
	if !ok || m["device-sharing-strategy"] != "mps" || m["device-partitioning-strategy"] != "mig" {
		return
	}
	v.doubtful(childPath(path, "device-sharing-strategy"), -1,
		"\"mps\" sharing cannot be combined with device-partitioning-strategy = \"mig\": Bottlerocket's device-plugin settings refuse both at once.")
}

func checkMirrors(v *validator, val any, path []string) {
	switch x := val.(type) {
	case []any:
		entry := table(map[string]*fieldSchema{
			"registry": field(strNamed("single-line string", ruleSingleLine)),
			"endpoint": field(listOf(strNamed("URL string", ruleURL))),
		})
		for i, e := range x {
			v.check(entry, e, path, i)
		}
	case map[string]any:
		v.check(mapOf(ruleSingleLine, listOf(strNamed("URL string", ruleURL))), x, path, -1)
	default:
		v.invalid(path, -1, fmt.Sprintf("%s must be an array of {registry, endpoint} tables, not %s.", settingPath(path), withArticle(typeName(val))))
	}
}

// checkHosts validates network.hosts: [["10.0.0.1", ["name", …]], …].
func checkHosts(v *validator, val any, path []string) {
	list, ok := val.([]any)
	if !ok {
		v.invalid(path, -1, fmt.Sprintf("%s must be an array of [IP, [hostnames]] pairs, not %s.", settingPath(path), withArticle(typeName(val))))
		return
	}
	for i, e := range list {
		pair, ok := e.([]any)
		if !ok || len(pair) != 2 {
			v.invalid(path, i, fmt.Sprintf("entry %d of %s must be a pair [IP, [hostnames]].", i, settingPath(path)))
			continue
		}
		v.check(strNamed("IP address string", ruleIP), pair[0], path, i)
		v.check(listOf(strNamed("hostname", ruleHostname)), pair[1], path, i)
	}
}

// refuseECS: every variant this provider renders is an aws-k8s variant,
// whose settings model has no ecs family, so the whole user data would be
// refused whatever strict says.
func refuseECS(v *validator, _ any, path []string) {
	v.invalid(path, -1, fmt.Sprintf("%s exists only on aws-ecs variants; the aws-k8s variants this provider renders have no ecs settings and refuse the whole user data. Remove it.", settingPath(path)))
}

// customVerifiersSince is the release whose image-verifier-plugins takes
// any plugin name (bottlerocket-project-website data/settings/1.63.x/
// image-verifier-plugins.toml: digestion and <custom-verifier>).
const customVerifiersSince = "1.63.0"

// imageVerifierPluginsSchema follows the settings-sdk image-verifier-plugins
// extension as of 1.63: enabled, and a flattened map of Identifier plugin
// names (notation, digestion, custom verifiers) to { trustpolicy } (alias
// trust-policy), a base64 JSON document. Before 1.63 only notation exists.
func imageVerifierPluginsSchema() *schema {
	plugin := withAliases(table(map[string]*fieldSchema{
		"trustpolicy": field(strNamed("base64 JSON string", ruleBase64JSON)),
	}), map[string]string{"trust-policy": "trustpolicy"})
	known := []string{"enabled", "notation", "digestion"}
	return custom("table of enabled and <plugin> = { trustpolicy }", func(v *validator, val any, path []string) {
		m, ok := v.table(val, path)
		if !ok {
			return
		}
		for _, k := range sortedKeys(m) {
			kp := childPath(path, k)
			switch {
			case k == "enabled":
				v.check(boolean(), m[k], kp, -1)
			case k == "notation":
				v.check(plugin, m[k], kp, -1)
			case v.release.lacks(customVerifiersSince):
				v.tooNew(kp, customVerifiersSince)
			default:
				if msg := ruleIdentifier(k); msg != "" {
					v.report(SeverityError, kp, -1, "Invalid key in "+settingPath(path), msg+v.where(kp))
					continue
				}
				// Bottlerocket takes any other name as a custom verifier;
				// a near miss of a known name is more likely a typo.
				if g := suggest(k, known); g != "" && g != k {
					v.doubtful(kp, -1, fmt.Sprintf("%s is taken as a custom verifier plugin named %q. Did you mean %q?", settingPath(kp), k, g))
				}
				v.check(plugin, m[k], kp, -1)
			}
		}
	})
}

// warnCDIOnOldKubernetes: the settings documentation of device-list-strategy
// (data/settings/1.40.x/kubelet-device-plugins.toml) says cdi-cri needs
// Kubernetes 1.31, is beta in 1.29 and 1.30 and unsupported below.
// Bottlerocket accepts the value and the node boots, so it is a warning
// whatever strict says.
func warnCDIOnOldKubernetes(v *validator, val any, path []string) {
	minor := v.variant.minor
	if minor == 0 || minor >= 31 {
		return
	}
	uses := val == "cdi-cri"
	if list, ok := val.([]any); ok {
		for _, e := range list {
			uses = uses || e == "cdi-cri"
		}
	}
	if !uses {
		return
	}
	support := "beta in Kubernetes 1.29 and 1.30"
	if minor < 29 {
		support = "not supported before Kubernetes 1.29"
	}
	v.report(SeverityWarning, path, -1, "CDI device list on "+v.variant.name,
		fmt.Sprintf("%s uses \"cdi-cri\", which Bottlerocket documents for Kubernetes 1.31 and newer (%s); GPU pods on %s may not get their devices.", settingPath(path), support, v.variant.name)+v.where(path))
}
