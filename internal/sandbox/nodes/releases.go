package nodes

import (
	"strconv"
	"strings"
)

// settingReleases are settings the sandbox's Bottlerocket nodes know only
// from a release on: an older release's model denies them as unknown
// fields, so early-boot-config fails as it does for any unknown key. The
// releases come from the settings documentation of
// bottlerocket-os/bottlerocket-project-website (data/settings/<version>/*.toml:
// container-runtime-plugins 1.44.x, image-verifier-plugins and the image GC
// ages 1.51.x, the kubelet log workers 1.39.x, topology-manager-policy-options
// 1.60.x) and Bottlerocket's release notes and settings-sdk changelog
// (kube-reserved/system-reserved pid in 1.49.0, host and bootstrap container
// command in 1.47.0, kubernetes container-runtime-endpoint in 1.64.0, the
// memory reservation settings in 1.65.0). This table is the sandbox's own,
// kept apart from the provider's model on purpose; "*" stands for an entry's
// name.
var settingReleases = map[string]string{
	"settings.host-containers.*.command":                         "1.47.0",
	"settings.bootstrap-containers.*.command":                    "1.47.0",
	"settings.kubernetes.topology-manager-policy-options":        "1.60.0",
	"settings.kubernetes.container-runtime-endpoint":             "1.64.0",
	"settings.kubernetes.memory-reservation-policy":              "1.65.0",
	"settings.kubernetes.memory-throttling-factor":               "1.65.0",
	"settings.container-runtime-plugins":                         "1.44.0",
	"settings.image-verifier-plugins":                            "1.51.0",
	"settings.kubernetes.container-log-max-workers":              "1.39.0",
	"settings.kubernetes.container-log-monitor-interval":         "1.39.0",
	"settings.kubernetes.single-process-oom-kill":                "1.39.0",
	"settings.kubernetes.ids-per-pod":                            "1.51.0",
	"settings.kubernetes.image-maximum-gc-age":                   "1.51.0",
	"settings.kubernetes.image-minimum-gc-age":                   "1.51.0",
	"settings.kubernetes.max-parallel-image-pulls":               "1.51.0",
	"settings.kubernetes.device-ownership-from-security-context": "1.30.0",
	"settings.kubernetes.kube-reserved.pid":                      "1.49.0",
	"settings.kubernetes.system-reserved.pid":                    "1.49.0",
}

// lacks reports whether the node's release predates the setting at path.
func (v osVariant) lacks(path string) bool {
	since, ok := settingReleases[path]
	return ok && releaseBefore(v.version, since)
}

// releaseBefore compares two "major.minor.patch" releases.
func releaseBefore(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3 && i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}
