package bottlerocket

import (
	"fmt"
)

// settingsSchema models the settings root of the aws-k8s variants; the
// nvidia-only tables are marked and checked against the variant.
func settingsSchema() *schema {
	base64 := strNamed("base64 string", ruleBase64)
	mode := enum("always", "once", "off")
	image := str(ruleNonEmpty, ruleSingleLine)
	nameRule := allRules(ruleNonEmpty, ruleSingleLine)
	return table(map[string]*fieldSchema{
		"autoscaling": field(table(map[string]*fieldSchema{
			"should-wait": field(boolean()),
		})),
		"aws": field(table(map[string]*fieldSchema{
			"config":      field(base64),
			"credentials": field(base64),
			"profile":     field(str(ruleNonEmpty, ruleSingleLine)),
			"region":      field(str(ruleNonEmpty, ruleSingleLine)),
		})),
		"boot": field(table(map[string]*fieldSchema{
			"reboot-to-reconcile": field(boolean()),
			"kernel-parameters":   field(mapOf(nameRule, listOf(str(ruleSingleLine)))),
			"init-parameters":     field(mapOf(nameRule, listOf(str(ruleSingleLine)))),
		})),
		"bootstrap-commands": field(mapOf(nameRule, table(map[string]*fieldSchema{
			"commands":  field(listOf(listOf(str()))),
			"mode":      field(mode),
			"essential": field(boolean()),
		}))),
		"bootstrap-containers": field(mapOf(nameRule, table(map[string]*fieldSchema{
			"source":    field(image),
			"mode":      field(mode),
			"essential": field(boolean()),
			"user-data": field(base64),
		}))),
		"cloudformation": field(table(map[string]*fieldSchema{
			"logical-resource-id": field(str(ruleNonEmpty, ruleSingleLine)),
			"should-signal":       field(boolean()),
			"stack-name":          field(str(ruleNonEmpty, ruleSingleLine)),
		})),
		"container-registry": field(table(map[string]*fieldSchema{
			// Both the list form ([[mirrors]] registry/endpoint) and the
			// older map form (registry = [endpoints]) are accepted.
			"mirrors": field(custom("array of mirror tables, or table of registry = [endpoints]", checkMirrors)),
			"credentials": field(listOf(openTable(map[string]*fieldSchema{
				"registry":      field(str(ruleNonEmpty)),
				"username":      field(str()),
				"password":      field(str()),
				"auth":          field(str()),
				"identitytoken": field(str()),
			}))),
		})),
		"container-runtime": field(openTable(map[string]*fieldSchema{
			"enable-unprivileged-icmp":    field(boolean()),
			"enable-unprivileged-ports":   field(boolean()),
			"max-concurrent-downloads":    field(i32()),
			"max-container-log-line-size": field(i32()),
		})),
		"dns": field(table(map[string]*fieldSchema{
			"name-servers": field(listOf(strNamed("IP address string", ruleIP))),
			"search-list":  field(listOf(str(ruleDNSDomain))),
		})),
		"host-containers": field(mapOf(nameRule, table(map[string]*fieldSchema{
			"enabled":      field(boolean()),
			"source":       field(image),
			"superpowered": field(boolean()),
			"user-data":    field(base64),
		}))),
		"kernel": field(table(map[string]*fieldSchema{
			"lockdown": field(enum("none", "integrity", "confidentiality")),
			"sysctl":   field(mapOf(nameRule, str(ruleSingleLine))),
			"modules": field(mapOf(nameRule, table(map[string]*fieldSchema{
				"allowed":  field(boolean()),
				"autoload": field(boolean()),
			}))),
		})),
		"kubelet-device-plugins": {nvidiaOnly: true, schema: table(map[string]*fieldSchema{
			"nvidia": field(openTable(map[string]*fieldSchema{
				"pass-device-specs":       field(boolean()),
				"device-id-strategy":      field(enum("index", "uuid")),
				"device-list-strategy":    field(anyValue()),
				"device-sharing-strategy": field(enum("none", "time-slicing", "mps")),
				"time-slicing": field(openTable(map[string]*fieldSchema{
					"replicas":                       field(i32()),
					"rename-by-default":              field(boolean()),
					"fail-requests-greater-than-one": field(boolean()),
				})),
			})),
		})},
		"kubernetes": field(kubernetesSchema()),
		"metrics": field(table(map[string]*fieldSchema{
			"metrics-url":    field(strNamed("URL string", ruleURL)),
			"send-metrics":   field(boolean()),
			"service-checks": field(listOf(str(ruleNonEmpty))),
		})),
		"motd": field(str()),
		"network": field(table(map[string]*fieldSchema{
			"hostname":    field(str(ruleHostname)),
			"hosts":       field(custom("array of [IP, [hostnames]]", checkHosts)),
			"https-proxy": field(str(ruleNonEmpty, ruleSingleLine)),
			"no-proxy":    field(listOf(str(ruleNonEmpty, ruleSingleLine))),
		})),
		"ntp": field(table(map[string]*fieldSchema{
			"time-servers": field(listOf(str(ruleNonEmpty, ruleSingleLine))),
			"options":      field(listOf(str(ruleNonEmpty, ruleSingleLine))),
		})),
		"nvidia-container-runtime": {nvidiaOnly: true, schema: openTable(map[string]*fieldSchema{
			"visible-devices-as-volume-mounts":         field(boolean()),
			"visible-devices-envvar-when-unprivileged": field(boolean()),
		})},
		"oci-defaults": field(table(map[string]*fieldSchema{
			"capabilities": field(mapOf(nameRule, boolean())),
			"resource-limits": field(mapOf(nameRule, table(map[string]*fieldSchema{
				"hard-limit": field(anyValue()),
				"soft-limit": field(anyValue()),
			}))),
		})),
		"oci-hooks": field(openTable(map[string]*fieldSchema{
			"log4j-hotpatch-enabled": field(boolean()),
		})),
		"pki": field(mapOf(nameRule, table(map[string]*fieldSchema{
			"data":    field(base64),
			"trusted": field(boolean()),
		}))),
		"updates": field(table(map[string]*fieldSchema{
			"ignore-waves":      field(boolean()),
			"metadata-base-url": field(strNamed("URL string", ruleURL)),
			"seed":              field(intRange("u32 integer from 0 to 2047", 0, 2047)),
			"targets-base-url":  field(strNamed("URL string", ruleURL)),
			"version-lock":      field(str(ruleNonEmpty, ruleSingleLine)),
		})),
	})
}

func checkMirrors(v *validator, val any, path []string) {
	switch x := val.(type) {
	case []any:
		entry := table(map[string]*fieldSchema{
			"registry": field(str(ruleNonEmpty)),
			"endpoint": field(listOf(strNamed("URL string", ruleURL))),
		})
		for i, e := range x {
			v.check(entry, e, path, i)
		}
	case map[string]any:
		v.check(mapOf(ruleNonEmpty, listOf(strNamed("URL string", ruleURL))), x, path, -1)
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
		v.check(listOf(str(ruleHostname)), pair[1], path, i)
	}
}
