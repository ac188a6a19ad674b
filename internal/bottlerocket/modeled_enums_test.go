package bottlerocket

import (
	"strings"
	"testing"
)

// Every string enum and enumerated key of Bottlerocket's modeled types
// takes exactly its members (modeled-types kubernetes.rs, shared.rs,
// hugepages.rs, and the nvidia device plugin settings), and a near miss
// (wrong case, '_' for '-', a typo) is refused with "Did you mean".
func TestModeledEnums(t *testing.T) {
	const nv = "aws-k8s-1.33-nvidia"
	const k = "settings.kubernetes."
	const n = "settings.kubelet-device-plugins.nvidia."
	cases := []struct {
		setting, variant string
		valid            []string
		nearMiss, want   string
	}{
		{k + "authentication-mode", "", []string{"aws", "tls"}, "AWS", "aws"},
		// KubernetesCloudProvider: "" is stored as the two characters "".
		{k + "cloud-provider", "", []string{"aws", "external", "", `""`}, "externel", "external"},
		// CpuManagerPolicy: lowercase names with the capitalised aliases.
		{k + "cpu-manager-policy", "", []string{"none", "static", "None", "Static"}, "statik", "static"},
		// KubernetesMemoryManagerPolicy: the variant names with lowercase aliases.
		{k + "memory-manager-policy", "", []string{"Static", "None", "static", "none"}, "Nonne", "None"},
		{k + "topology-manager-policy", "", []string{"none", "restricted", "best-effort", "single-numa-node"}, "best_effort", "best-effort"},
		{k + "topology-manager-scope", "", []string{"container", "pod"}, "containr", "container"},
		{k + "hostname-override-source", "", []string{"private-dns-name", "instance-id"}, "instance_id", "instance-id"},
		{"settings.kernel.lockdown", "", []string{"none", "integrity", "confidentiality"}, "Integrity", "integrity"},
		{"settings.bootstrap-containers.setup.mode", "", []string{"off", "once", "always"}, "Once", "once"},
		{n + "device-id-strategy", nv, []string{"uuid", "index"}, "UUID", "uuid"},
		{n + "device-list-strategy", nv, []string{"envvar", "volume-mounts", "cdi-cri"}, "volume_mounts", "volume-mounts"},
		{n + "device-sharing-strategy", nv, []string{"none", "time-slicing", "mps"}, "time_slicing", "time-slicing"},
		{n + "device-partitioning-strategy", nv, []string{"none", "mig"}, "MIG", "mig"},
		{"settings.kernel.hugepages.transparent.enabled", "", []string{"never", "madvise", "always"}, "madvice", "madvise"},
		{"settings.kernel.hugepages.transparent.defrag", "", []string{"never", "madvise", "defer", "defer+madvise", "always"}, "defer-madvise", "defer+madvise"},
	}
	var model []modelCase
	for _, tc := range cases {
		for _, v := range tc.valid {
			model = append(model, modelCase{tc.setting + "=" + v, tc.setting + " = " + encodeString(v) + "\n", tc.variant, "", ""})
		}
		model = append(model, modelCase{tc.setting + "=" + tc.nearMiss, tc.setting + " = " + encodeString(tc.nearMiss) + "\n", tc.variant, tc.setting, `Did you mean "` + tc.want + `"?`})
	}
	runModelCases(t, model)
}

// Enumerated keys: eviction signals (KubernetesEvictionKey), reserved
// resources (KubernetesReservedResourceKey, pid from 1.49), memory
// reservations (KubernetesMemoryReservationKey).
func TestModeledEnumKeys(t *testing.T) {
	const k = "settings.kubernetes."
	cases := []struct {
		table    string
		valid    []string
		value    string
		nearMiss string
		want     string
	}{
		{k + "eviction-hard", []string{"memory.available", "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "pid.available"}, `"10%"`, "nodefs.inodesfree", "nodefs.inodesFree"},
		{k + "kube-reserved", []string{"cpu", "memory", "ephemeral-storage", "pid"}, `"100m"`, "ephemeral_storage", "ephemeral-storage"},
		{k + "system-reserved", []string{"cpu", "memory", "ephemeral-storage", "pid"}, `"100m"`, "CPU", "cpu"},
	}
	var model []modelCase
	for _, tc := range cases {
		for _, key := range tc.valid {
			model = append(model, modelCase{tc.table + "." + key, "[" + tc.table + "]\n" + encodeKey(key) + " = " + tc.value + "\n", "", "", ""})
		}
		setting := settingPath(childPath(strings.Split(tc.table, "."), tc.nearMiss))
		model = append(model, modelCase{tc.table + "." + tc.nearMiss, "[" + tc.table + "]\n" + encodeKey(tc.nearMiss) + " = " + tc.value + "\n", "", setting, `Did you mean "` + tc.want + `"?`})
	}
	runModelCases(t, model)
}
