package provider

import (
	"context"
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
