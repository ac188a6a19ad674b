package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// importID runs a resource's ImportState on id against an empty state and
// returns the name it recorded, or ok=false when it refused the id.
func importID(t *testing.T, r resource.Resource, id string) (name types.String, cluster types.String, ok bool) {
	t.Helper()
	ctx := context.Background()
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)
	resp := resource.ImportStateResponse{State: tfsdk.State{
		Schema: schemaResp.Schema,
		Raw:    tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil),
	}}
	r.(resource.ResourceWithImportState).ImportState(ctx, resource.ImportStateRequest{ID: id}, &resp)
	if resp.Diagnostics.HasError() {
		return name, cluster, false
	}
	resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("name"), &name)...)
	if _, isPool := r.(*warmPoolResource); isPool {
		resp.Diagnostics.Append(resp.State.GetAttribute(ctx, path.Root("cluster_name"), &cluster)...)
	}
	if resp.Diagnostics.HasError() {
		t.Fatalf("import %q: state not readable: %v", id, resp.Diagnostics)
	}
	return name, cluster, true
}

// Import ids are typed by people: whatever they type is either refused with
// a diagnostic or recorded as a valid name (and, for pools, cluster).
func FuzzImportIDs(f *testing.F) {
	for _, s := range []string{"web", "sandbox/web", "a/b/c", "", "/", "web/", "/web", "Web", "-web", "web-1", strings.Repeat("a", 64), "prod cluster/web", "ü/web"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if name, _, ok := importID(t, NewNodeClassResource(), id); ok {
			if name.ValueString() != id || nodeclass.ValidateName(id) != nil {
				t.Fatalf("node class import %q recorded name %q", id, name.ValueString())
			}
		}
		name, cluster, ok := importID(t, NewWarmPoolResource(), id)
		if !ok {
			return
		}
		wantCluster, wantName, hasCluster := strings.Cut(id, "/")
		if !hasCluster {
			wantCluster, wantName = "", id
		}
		if name.ValueString() != wantName || nodeclass.ValidateName(wantName) != nil {
			t.Fatalf("pool import %q recorded name %q", id, name.ValueString())
		}
		if hasCluster && cluster.ValueString() != wantCluster {
			t.Fatalf("pool import %q recorded cluster %q, want %q", id, cluster.ValueString(), wantCluster)
		}
		if !hasCluster && !cluster.IsNull() {
			t.Fatalf("pool import %q recorded cluster %q, want none", id, cluster.ValueString())
		}
	})
}
