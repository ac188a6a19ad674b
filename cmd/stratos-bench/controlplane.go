package main

import (
	"fmt"
	"strings"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/kube"
)

// reportControlPlane logs what the sandbox's control-plane processes cost
// while one size was measured: CPU used since before, memory now and at
// peak. kube-controller-manager and kube-scheduler are the real ones, so
// this is what running them costs at N nodes on this machine.
func (b *bench) reportControlPlane(n int, before []kube.ProcessStat) {
	cpuBefore := map[string]kube.ProcessStat{}
	for _, st := range before {
		cpuBefore[st.Name] = st
	}
	var parts []string
	for _, st := range b.sb.Cluster().ProcessStats() {
		parts = append(parts, fmt.Sprintf("%s CPU %s, RSS %s (peak %s)",
			st.Name, seconds(st.CPU-cpuBefore[st.Name].CPU), megabytes(st.RSS), megabytes(st.PeakRSS)))
	}
	progress(b.log, "N=%d: control plane during this size: %s", n, strings.Join(parts, "; "))
}
