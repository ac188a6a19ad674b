package kube

import (
	"strings"
	"testing"
)

func TestParseZoneMetrics(t *testing.T) {
	// As kube-controller-manager exposes them: zone keys are
	// region + ":\x00:" + zone, the NUL byte unescaped.
	text := "# HELP node_collector_zone_size [ALPHA] Gauge measuring number of registered Nodes per zones.\n" +
		"# TYPE node_collector_zone_size gauge\n" +
		"node_collector_zone_size{zone=\"us-east-1:\x00:us-east-1a\"} 5\n" +
		"node_collector_zone_size{zone=\"us-east-1:\x00:us-east-1b\"} 3\n" +
		"node_collector_zone_size{zone=\"us-east-1:\x00:us-east-1c\"} 1\n" +
		"node_collector_zone_size{zone=\"\"} 0\n" +
		"node_collector_zone_health{zone=\"us-east-1:\x00:us-east-1a\"} 40\n" +
		"node_collector_unhealthy_nodes_in_zone{zone=\"us-east-1:\x00:us-east-1a\"} 3\n" +
		"node_collector_unhealthy_nodes_in_zone{zone=\"us-east-1:\x00:us-east-1b\"} 2\n" +
		"node_collector_unhealthy_nodes_in_zone{zone=\"us-east-1:\x00:us-east-1c\"} 1\n" +
		"node_collector_evictions_total{zone=\"us-east-1:\x00:us-east-1a\"} 0\n"
	zones, err := parseZoneMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Zone{
		{Region: "us-east-1", Name: "us-east-1a", Size: 5, Unhealthy: 3, State: ZonePartialDisruption},
		{Region: "us-east-1", Name: "us-east-1b", Size: 3, Unhealthy: 2, State: ZoneNormal},
		{Region: "us-east-1", Name: "us-east-1c", Size: 1, Unhealthy: 1, State: ZoneFullDisruption},
	}
	if len(zones) != len(want) {
		t.Fatalf("zones = %+v", zones)
	}
	for i := range want {
		if zones[i] != want[i] {
			t.Errorf("zone %d = %+v, want %+v", i, zones[i], want[i])
		}
	}
}

func TestZoneState(t *testing.T) {
	for _, tc := range []struct {
		ready, notReady int
		want            ZoneState
	}{
		{0, 0, ZoneNormal},
		{10, 0, ZoneNormal},
		{0, 1, ZoneFullDisruption},
		{1, 2, ZoneNormal},              // 67 % but only 2 NotReady
		{2, 3, ZonePartialDisruption},   // 60 %
		{3, 3, ZoneNormal},              // 50 % < 55 %
		{45, 55, ZonePartialDisruption}, // exactly 55 %
	} {
		if got := zoneState(tc.ready, tc.notReady); got != tc.want {
			t.Errorf("zoneState(%d ready, %d not) = %s, want %s", tc.ready, tc.notReady, got, tc.want)
		}
	}
}
