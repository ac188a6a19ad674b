package nodes

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	corev1 "k8s.io/api/core/v1"
)

// bootSettings is the part of a node's Bottlerocket settings the simulated
// kubelet acts on. This reader is deliberately independent of the provider's
// own renderer: the sandbox judges its output the way Bottlerocket would.
type bootSettings struct {
	ClusterName        string
	APIServer          string
	ClusterCertificate string // base64 of the PEM, as in user data
	NodeLabels         map[string]string
	NodeTaints         []corev1.Taint
	MaxPods            int64 // 0: unset
	KubeReserved       map[string]string
	SystemReserved     map[string]string
	EvictionHard       map[string]string
}

// bootError is a failure of early-boot-config: the unit fails and nothing
// after it (kubelet included) starts.
type bootError struct{ reason string }

func (e *bootError) Error() string { return e.reason }

func bootFailed(format string, args ...any) error {
	return &bootError{reason: fmt.Sprintf(format, args...)}
}

// awsK8sSettings are the top-level settings of the aws-k8s variants (the
// -nvidia ones add nvidiaSettings); anything else fails deserialisation as
// Bottlerocket's models deny unknown fields.
var awsK8sSettings = []string{
	"motd", "kubernetes", "updates", "host-containers", "bootstrap-commands", "bootstrap-containers",
	"ntp", "network", "kernel", "boot", "aws", "metrics", "pki", "container-registry", "oci-defaults",
	"oci-hooks", "cloudformation", "dns", "container-runtime", "autoscaling",
	"container-runtime-plugins", "image-verifier-plugins",
}

var nvidiaSettings = []string{"nvidia-container-runtime", "kubelet-device-plugins"}

var kubernetesSettings = strings.Fields(`allowed-unsafe-sysctls api-server authentication-mode bootstrap-token
cloud-provider cluster-certificate cluster-dns-ip cluster-domain cluster-name container-log-max-files
container-log-max-size container-log-max-workers container-log-monitor-interval cpu-cfs-quota-enforced
container-runtime-endpoint cpu-manager-policy cpu-manager-policy-options cpu-manager-reconcile-period credential-providers
device-ownership-from-security-context event-burst event-qps eviction-hard eviction-max-pod-grace-period
eviction-soft eviction-soft-grace-period hostname-override hostname-override-source ids-per-pod
image-gc-high-threshold-percent image-gc-low-threshold-percent image-maximum-gc-age image-minimum-gc-age
kube-api-burst kube-api-qps kube-reserved kubelet-extra-config log-level max-parallel-image-pulls max-pods
memory-manager-policy memory-manager-reserved-memory memory-reservation-policy memory-swap-behavior
memory-throttling-factor node-ip node-labels node-taints
pod-infra-container-image pod-pids-limit provider-id registry-burst registry-qps reserved-cpus
seccomp-default server-certificate server-key server-tls-bootstrap shutdown-grace-period
shutdown-grace-period-for-critical-pods single-process-oom-kill standalone-mode static-pods
static-pods-enabled system-reserved topology-manager-policy topology-manager-policy-options
topology-manager-scope`)

// containerSettings are the fields of a host or bootstrap container entry
// (the settings documentation, data/settings/1.14.x/host-containers.toml and
// bootstrap-containers.toml; command from 1.47.0, see settingReleases).
var containerSettings = map[string][]string{
	"host-containers":      {"source", "enabled", "superpowered", "user-data", "command"},
	"bootstrap-containers": {"source", "mode", "user-data", "essential", "command"},
}

var clusterNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)

// readUserData reads EC2 user data (the base64 text RunInstances received)
// as Bottlerocket's early-boot-config does on the given variant. A
// *bootError explains a failure in the words the console would show.
func readUserData(encoded string, variant osVariant) (*bootSettings, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil {
		return nil, bootFailed("Unable to read user data from IMDS: user data is not valid base64: %v", err)
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, bootFailed("Failed to decompress user data: %v", err)
		}
		raw, err = io.ReadAll(zr)
		if err != nil {
			return nil, bootFailed("Failed to decompress user data: %v", err)
		}
	}
	if !utf8.Valid(raw) {
		return nil, bootFailed("Data is not valid UTF-8")
	}
	if strings.TrimSpace(string(raw)) == "" {
		// Bottlerocket treats empty user data as none; the node then has no
		// cluster to join.
		return nil, bootFailed("No user data found; settings.kubernetes.cluster-name, api-server and cluster-certificate are required to join a cluster")
	}
	var doc map[string]any
	if err := toml.Unmarshal(raw, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, bootFailed("Error deserializing TOML user data: TOML parse error at line %d, column %d: %s", row, col, de.Error())
		}
		return nil, bootFailed("Error deserializing TOML user data: %v", err)
	}
	settingsValue, ok := doc["settings"]
	if !ok {
		return nil, bootFailed("TOML data did not contain 'settings' section")
	}
	settings, ok := settingsValue.(map[string]any)
	if !ok {
		return nil, bootFailed("Error PATCHing settings: invalid type: %s, expected struct Settings", tomlType(settingsValue))
	}
	if err := denyUnknown(settings, variant.settings(), "settings", "settings", variant); err != nil {
		return nil, err
	}
	if err := denyUnknownContainerFields(settings, variant); err != nil {
		return nil, err
	}
	k8sValue, ok := settings["kubernetes"]
	if !ok {
		return nil, bootFailed("Settings generator failed: settings.kubernetes is required to join an EKS cluster (cluster-name, api-server, cluster-certificate)")
	}
	k8s, ok := k8sValue.(map[string]any)
	if !ok {
		return nil, bootFailed("Error PATCHing settings: settings.kubernetes: invalid type: %s, expected struct KubernetesSettings", tomlType(k8sValue))
	}
	if err := denyUnknown(k8s, kubernetesSettings, "settings.kubernetes", "settings.kubernetes", variant); err != nil {
		return nil, err
	}
	for _, reserved := range []string{"kube-reserved", "system-reserved"} {
		if table, ok := k8s[reserved].(map[string]any); ok {
			path := "settings.kubernetes." + reserved
			if err := denyUnknown(table, []string{"cpu", "memory", "ephemeral-storage", "pid"}, path, path, variant); err != nil {
				return nil, err
			}
		}
	}
	return kubernetesFromTOML(k8s)
}

func kubernetesFromTOML(k8s map[string]any) (*bootSettings, error) {
	s := &bootSettings{}
	var err error
	if s.ClusterName, err = stringSetting(k8s, "cluster-name"); err != nil {
		return nil, err
	}
	if s.ClusterName != "" && !clusterNamePattern.MatchString(s.ClusterName) {
		return nil, bootFailed("Error PATCHing settings: settings.kubernetes.cluster-name: Invalid cluster name '%s'", s.ClusterName)
	}
	if s.APIServer, err = stringSetting(k8s, "api-server"); err != nil {
		return nil, err
	}
	if s.APIServer != "" {
		if u, perr := url.Parse(s.APIServer); perr != nil || u.Scheme == "" || u.Host == "" {
			return nil, bootFailed("Error PATCHing settings: settings.kubernetes.api-server: Invalid URL '%s'", s.APIServer)
		}
	}
	if s.ClusterCertificate, err = stringSetting(k8s, "cluster-certificate"); err != nil {
		return nil, err
	}
	if s.ClusterCertificate != "" {
		if _, derr := base64.StdEncoding.DecodeString(s.ClusterCertificate); derr != nil {
			return nil, bootFailed("Error PATCHing settings: settings.kubernetes.cluster-certificate: Invalid base64 input: %v", derr)
		}
	}
	for _, missing := range []struct{ name, value string }{
		{"cluster-name", s.ClusterName}, {"api-server", s.APIServer}, {"cluster-certificate", s.ClusterCertificate},
	} {
		if missing.value == "" {
			return nil, bootFailed("Settings generator failed: settings.kubernetes.%s is not set; it is required for aws-k8s variants", missing.name)
		}
	}
	if v, ok := k8s["max-pods"]; ok {
		n, isInt := v.(int64)
		if !isInt || n < 0 || n > 1<<32-1 {
			return nil, bootFailed("Error PATCHing settings: settings.kubernetes.max-pods: invalid type: %s, expected u32", tomlType(v))
		}
		s.MaxPods = n
	}
	if s.NodeLabels, err = stringMapSetting(k8s, "node-labels"); err != nil {
		return nil, err
	}
	if s.KubeReserved, err = stringMapSetting(k8s, "kube-reserved"); err != nil {
		return nil, err
	}
	if s.SystemReserved, err = stringMapSetting(k8s, "system-reserved"); err != nil {
		return nil, err
	}
	if s.EvictionHard, err = stringMapSetting(k8s, "eviction-hard"); err != nil {
		return nil, err
	}
	if s.NodeTaints, err = taintSetting(k8s); err != nil {
		return nil, err
	}
	return s, nil
}

// denyUnknownContainerFields refuses an unknown field of a host or
// bootstrap container entry; entries that are not tables are left to the
// parts of Bottlerocket this reader does not simulate.
func denyUnknownContainerFields(settings map[string]any, variant osVariant) error {
	for _, family := range slices.Sorted(maps.Keys(containerSettings)) {
		entries, _ := settings[family].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(entries)) {
			entry, ok := entries[name].(map[string]any)
			if !ok {
				continue
			}
			path := "settings." + family + "." + name
			if err := denyUnknown(entry, containerSettings[family], path, "settings."+family+".*", variant); err != nil {
				return err
			}
		}
	}
	return nil
}

// denyUnknown refuses a key of table outside known, or one the node's
// release predates; releasePath is path as settingReleases names it ("*"
// for an entry's name).
func denyUnknown(table map[string]any, known []string, path, releasePath string, variant osVariant) error {
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) || variant.lacks(releasePath+"."+k) {
			return bootFailed("Error PATCHing settings: %s: unknown field `%s`", path, k)
		}
	}
	return nil
}

func stringSetting(table map[string]any, key string) (string, error) {
	v, ok := table[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", bootFailed("Error PATCHing settings: settings.kubernetes.%s: invalid type: %s, expected a string", key, tomlType(v))
	}
	return s, nil
}

func stringMapSetting(table map[string]any, key string) (map[string]string, error) {
	v, ok := table[key]
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, bootFailed("Error PATCHing settings: settings.kubernetes.%s: invalid type: %s, expected a map", key, tomlType(v))
	}
	out := make(map[string]string, len(m))
	for k, item := range m {
		s, ok := item.(string)
		if !ok {
			return nil, bootFailed("Error PATCHing settings: settings.kubernetes.%s.%s: invalid type: %s, expected a string", key, k, tomlType(item))
		}
		out[k] = s
	}
	return out, nil
}

// taintSetting reads node-taints: key → list of "value:Effect", or the
// legacy single string. Bottlerocket rejects an empty list; it passes the
// effect through and the kubelet refuses unknown ones (checked at kubelet start).
func taintSetting(k8s map[string]any) ([]corev1.Taint, error) {
	v, ok := k8s["node-taints"]
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, bootFailed("Error PATCHing settings: settings.kubernetes.node-taints: invalid type: %s, expected a map", tomlType(v))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var taints []corev1.Taint
	for _, key := range keys {
		var values []string
		switch item := m[key].(type) {
		case string:
			values = []string{item}
		case []any:
			if len(item) == 0 {
				return nil, bootFailed("Error PATCHing settings: settings.kubernetes.node-taints.%s: empty taint value", key)
			}
			for _, e := range item {
				s, ok := e.(string)
				if !ok {
					return nil, bootFailed("Error PATCHing settings: settings.kubernetes.node-taints.%s: invalid type: %s, expected a string", key, tomlType(e))
				}
				values = append(values, s)
			}
		default:
			return nil, bootFailed("Error PATCHing settings: settings.kubernetes.node-taints.%s: invalid type: %s, expected a string or a list of strings", key, tomlType(item))
		}
		for _, spec := range values {
			value, effect, ok := strings.Cut(spec, ":")
			if !ok || effect == "" {
				return nil, bootFailed("Error PATCHing settings: settings.kubernetes.node-taints.%s: Invalid taint value '%s': expected 'value:Effect'", key, spec)
			}
			taints = append(taints, corev1.Taint{Key: key, Value: value, Effect: corev1.TaintEffect(effect)})
		}
	}
	return taints, nil
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "floating point"
	case bool:
		return "boolean"
	case []any:
		return "sequence"
	case map[string]any:
		return "map"
	default:
		return fmt.Sprintf("%T", v)
	}
}
