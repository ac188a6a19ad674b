package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
)

func TestAddProblems_pathsAndSeverity(t *testing.T) {
	problems := []bottlerocket.Problem{
		{Field: bottlerocket.FieldNodeLabels, Index: -1, Key: "kubernetes.io/role", Summary: "label"},
		{Field: bottlerocket.FieldNodeTaints, Index: 2, Key: "ignored", Summary: "taint"},
		{Field: bottlerocket.FieldClusterDNSIP, Index: 1, Summary: "dns"},
		{Field: bottlerocket.FieldAPIServer, Index: -1, Summary: "api"},
		{Field: bottlerocket.FieldCustomUserData, Index: 0, Summary: "toml"},
		{Field: bottlerocket.FieldEvictionHard, Index: -1, Key: "memory.available", Summary: "eviction"},
		{Field: bottlerocket.FieldMaxPods, Index: -1, Summary: "max"},
		{Field: bottlerocket.FieldNone, Index: -1, Summary: "whole document"},
		{Severity: bottlerocket.SeverityWarning, Field: bottlerocket.FieldCustomUserData, Index: 0, Summary: "unknown key", Setting: "settings.x"},
	}
	wantPaths := []path.Path{
		path.Root("node_labels").AtMapKey("kubernetes.io/role"),
		path.Root("node_taints").AtListIndex(2),
		path.Root("cluster_dns_ip").AtListIndex(1),
		path.Root("cluster_endpoint"),
		path.Root("custom_user_data"),
		path.Root("eviction_hard").AtMapKey("memory.available"),
		path.Root("max_pods"),
		path.Empty(),
		path.Root("custom_user_data"),
	}
	var diags diag.Diagnostics
	addProblems(&diags, problems, userDataFieldPath("cluster_endpoint"))
	if len(diags) != len(wantPaths) {
		t.Fatalf("got %d diagnostics, want %d: %v", len(diags), len(wantPaths), diags)
	}
	for i, d := range diags {
		got := path.Empty()
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			got = withPath.Path()
		}
		if !got.Equal(wantPaths[i]) {
			t.Errorf("diagnostic %d (%s): path %s, want %s", i, d.Summary(), got, wantPaths[i])
		}
	}
	if diags.ErrorsCount() != 8 || diags.WarningsCount() != 1 {
		t.Errorf("errors %d warnings %d, want 8 and 1", diags.ErrorsCount(), diags.WarningsCount())
	}
	if w := diags.Warnings()[0]; w.Detail() != "unknown key\n\nBottlerocket setting: settings.x" {
		t.Errorf("warning detail %q", w.Detail())
	}
}

func TestUserDataModelToInput(t *testing.T) {
	ctx := context.Background()
	taintType := types.ObjectType{AttrTypes: taintAttrTypes}
	taint := func(key, value, effect attr.Value) attr.Value {
		return types.ObjectValueMust(taintAttrTypes, map[string]attr.Value{"key": key, "value": value, "effect": effect})
	}
	known := userDataModel{
		ClusterName:  types.StringValue("demo"),
		ClusterDNSIP: types.ListValueMust(types.StringType, []attr.Value{types.StringValue("10.0.0.10")}),
		NodeLabels: types.MapValueMust(types.StringType, map[string]attr.Value{
			"a": types.StringValue("1"), "b": types.StringUnknown(),
		}),
		NodeTaints: types.ListValueMust(taintType, []attr.Value{
			taint(types.StringValue("k"), types.StringNull(), types.StringValue("NoSchedule")),
		}),
		MaxPods:        types.Int64Value(110),
		CustomUserData: types.StringValue("[settings]\n"),
		Strict:         types.BoolValue(false),
	}
	in, complete, diags := known.toInput(ctx, types.StringValue("https://api"))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if complete {
		t.Error("complete with an unknown label value")
	}
	if in.ClusterName != "demo" || in.APIServer != "https://api" || *in.MaxPods != 110 || in.Strict ||
		in.Compression != bottlerocket.CompressionAuto || len(in.CustomUserData) != 1 ||
		len(in.NodeLabels) != 1 || in.NodeLabels["a"] != "1" ||
		len(in.NodeTaints) != 1 || in.NodeTaints[0] != (bottlerocket.Taint{Key: "k", Effect: "NoSchedule"}) ||
		len(in.ClusterDNSIP) != 1 {
		t.Errorf("input: %+v", in)
	}

	// A list with an unknown element is left out whole, so indexes in
	// problems stay those of the configuration.
	partial := userDataModel{NodeTaints: types.ListValueMust(taintType, []attr.Value{
		taint(types.StringValue("ok"), types.StringNull(), types.StringValue("NoSchedule")),
		taint(types.StringValue("k"), types.StringUnknown(), types.StringValue("NoSchedule")),
	})}
	in, complete, _ = partial.toInput(ctx, types.StringNull())
	if complete || in.NodeTaints != nil || !in.Strict {
		t.Errorf("partial: complete %v, input %+v", complete, in)
	}
}

// TestRenderProblems_onTheAttribute: what the renderer finds in each
// user-data attribute is reported on that attribute, its list element or
// its map key, as stratos_node_class names them (cluster_endpoint), from
// real inputs rather than hand-made Problems.
func TestRenderProblems_onTheAttribute(t *testing.T) {
	maxPods := int64(-1)
	cases := []struct {
		name   string
		in     bottlerocket.Input
		at     path.Path
		detail string
	}{
		{"node label key", bottlerocket.Input{NodeLabels: map[string]string{"ok": "x", "bad key!": "x"}},
			path.Root("node_labels").AtMapKey("bad key!"), `label key "bad key!" is invalid`},
		{"node label value", bottlerocket.Input{NodeLabels: map[string]string{"team": "not a value!"}},
			path.Root("node_labels").AtMapKey("team"), `value "not a value!" of label "team" is invalid`},
		{"node taint effect", bottlerocket.Input{NodeTaints: []bottlerocket.Taint{{Key: "a", Effect: "NoSchedule"}, {Key: "b", Effect: "NoScheduel"}}},
			path.Root("node_taints").AtListIndex(1), `Did you mean "NoSchedule"?`},
		{"cluster DNS address", bottlerocket.Input{ClusterDNSIP: []string{"10.100.0.10", "10.100.0.300"}},
			path.Root("cluster_dns_ip").AtListIndex(1), "10.100.0.300"},
		{"kube_reserved key", bottlerocket.Input{KubeReserved: map[string]string{"cpu": "100m", "pids": "100"}},
			path.Root("kube_reserved").AtMapKey("pids"), `Did you mean "pid"?`},
		{"kube_reserved key newer than the AMI", bottlerocket.Input{BottlerocketRelease: "1.30.0", KubeReserved: map[string]string{"pid": "100"}},
			path.Root("kube_reserved").AtMapKey("pid"), "was added in Bottlerocket 1.49.0, but the AMI runs Bottlerocket 1.30.0"},
		{"system_reserved value", bottlerocket.Input{SystemReserved: map[string]string{"memory": "lots"}},
			path.Root("system_reserved").AtMapKey("memory"), "lots"},
		{"eviction_hard threshold", bottlerocket.Input{EvictionHard: map[string]string{"memory.available": "120%"}},
			path.Root("eviction_hard").AtMapKey("memory.available"), "must be below 100%"},
		{"max_pods", bottlerocket.Input{MaxPods: &maxPods},
			path.Root("max_pods"), "-1 is out of range"},
		{"cluster endpoint", bottlerocket.Input{ClusterName: "demo", APIServer: "not a url", ClusterCertificate: "Zm9v"},
			path.Root("cluster_endpoint"), "settings.kubernetes.api-server"},
		{"cluster certificate", bottlerocket.Input{ClusterCertificate: "%%%"},
			path.Root("cluster_certificate"), "settings.kubernetes.cluster-certificate"},
		{"service_cidr", bottlerocket.Input{ServiceCIDR: "10.0.0.0/8"},
			path.Root("service_cidr"), "between /12 and /24"},
		{"custom_user_data", bottlerocket.Input{CustomUserData: []string{"settings.kubernetes.labels.a = \"b\"\n"}},
			path.Root("custom_user_data"), `Did you mean "node-labels"?`},
		{"variant", bottlerocket.Input{Variant: "aws-ecs-2"},
			path.Root("variant"), "is not an aws-k8s variant"},
		{"compression", bottlerocket.Input{Compression: "zstd"},
			path.Root("compression"), `"zstd" is not one of`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Strict = true
			_, problems := bottlerocket.Render(tc.in)
			var diags diag.Diagnostics
			addProblems(&diags, problems, userDataFieldPath(nodeClassAPIServerAttribute))
			found := false
			for _, d := range diags.Errors() {
				withPath, ok := d.(diag.DiagnosticWithPath)
				if ok && withPath.Path().Equal(tc.at) && strings.Contains(d.Summary()+" "+d.Detail(), tc.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error at %s containing %q; got %v", tc.at, tc.detail, diags)
			}
		})
	}
}
