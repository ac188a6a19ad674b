package warmpool

import (
	"reflect"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

func TestNodeClassConflicts(t *testing.T) {
	const userData = `[settings.kubernetes]
cluster-name = "c"

[settings.kubernetes.node-labels]
"example.com/role" = "db"
team = "ci"

[settings.kubernetes.node-taints]
dedicated = ["gpu:NoSchedule"]
spot = "true:PreferNoSchedule"
`
	info := nodeclass.Info{Name: "nc", Version: 3, TOML: userData}
	for name, tc := range map[string]struct {
		labels map[string]string
		taints []bottlerocket.Taint
		want   []Conflict
	}{
		"nothing in common": {labels: map[string]string{"other": "x"}, taints: []bottlerocket.Taint{{Key: "k", Value: "v", Effect: "NoSchedule"}}},
		"same label value":  {labels: map[string]string{"team": "ci"}},
		"label differs": {
			labels: map[string]string{"example.com/role": "web", "team": "ci"},
			want:   []Conflict{{Key: "example.com/role", Pool: "web", NodeClass: "db"}},
		},
		"same taint, EKS effect form": {taints: []bottlerocket.Taint{{Key: "dedicated", Value: "gpu", Effect: "NO_SCHEDULE"}}},
		"taint differs": {
			taints: []bottlerocket.Taint{{Key: "x", Effect: "NoSchedule"}, {Key: "dedicated", Value: "cpu", Effect: "NoSchedule"}},
			want:   []Conflict{{Taint: true, Key: "dedicated", Index: 1, Pool: "[cpu:NoSchedule]", NodeClass: "[gpu:NoSchedule]"}},
		},
		"taint as one string": {
			taints: []bottlerocket.Taint{{Key: "spot", Value: "true", Effect: "NoSchedule"}},
			want:   []Conflict{{Taint: true, Key: "spot", Pool: "[true:NoSchedule]", NodeClass: "[true:PreferNoSchedule]"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := NodeClassConflicts(Pool{Labels: tc.labels, Taints: tc.taints}, info)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("conflicts = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := NodeClassConflicts(Pool{}, nodeclass.Info{TOML: "not toml ="}); err == nil {
		t.Error("unreadable user data gave no error")
	}
}
