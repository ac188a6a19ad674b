package provider

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

func warmPoolSchemaForTest(t *testing.T) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewWarmPoolResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	return tfsdk.State{Schema: resp.Schema, Raw: nullAttributes(resp.Schema.Type().TerraformType(ctx))}
}

// The observed lists bypass the framework's model conversion; what goes in
// must come back out, through the framework's own state type.
func TestObservedListsRoundTrip(t *testing.T) {
	ctx := context.Background()
	launched := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	instances := []warmpool.Instance{
		{ID: "i-0b", State: warmpool.StateRunning, EC2State: "running", AvailabilityZone: "us-east-1b", InstanceType: "m6i.large",
			NodeName: "ip-10-0-1-2.ec2.internal", ConfigHash: "h1", ClassVersion: 4, LaunchedAt: launched},
		{ID: "i-0a", State: warmpool.StateStandby, EC2State: "stopped", AvailabilityZone: "us-east-1a", InstanceType: "m5.large",
			ConfigHash: "h1", ClassVersion: 12345678901, LaunchedAt: launched.Add(time.Minute)},
		{ID: "i-0c", State: warmpool.StateStandby, EC2State: "terminated", ConfigHash: "h1", ClassVersion: 4},
	}
	state := warmPoolSchemaForTest(t)
	var m warmPoolModel
	if d := state.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	m.ID, m.Name, m.NodeClass = types.StringValue("p"), types.StringValue("p"), types.StringValue("nc")
	m.NodeClassVersion, m.Size, m.Running = types.Int64Value(4), types.Int64Value(5), types.Int64Value(0)
	m.PoolID, m.ClusterName, m.ConfigHash = types.StringValue("pid"), types.StringValue("c"), types.StringValue("h1")
	m.Warmup = defaultWarmup()
	lists := m.setObserved(&warmpool.Observation{Instances: instances}, "h1")
	if got := m.Size.ValueInt64(); got != 1 {
		t.Errorf("size = %d, want 1 (one stopped standby instance of the current configuration)", got)
	}
	if got := m.Running.ValueInt64(); got != 1 {
		t.Errorf("running = %d, want 1", got)
	}

	if d := writePoolState(ctx, &state, &m, lists); d.HasError() {
		t.Fatal(d)
	}
	// The framework reads the lists written raw like any other attribute.
	var ids []string
	if d := state.GetAttribute(ctx, path.Root("standby_instance_ids"), &ids); d.HasError() || !reflect.DeepEqual(ids, []string{"i-0a"}) {
		t.Errorf("standby_instance_ids = %v (%v), want [i-0a]", ids, d)
	}
	var full warmPoolModel
	if d := state.Get(ctx, &full); d.HasError() {
		t.Fatal(d)
	}
	if n := len(full.Instances.Elements()); n != 2 {
		t.Errorf("instances has %d elements, want the 2 live ones", n)
	}

	var back warmPoolModel
	gotLists, d := readPoolState(ctx, state, &back)
	if d.HasError() {
		t.Fatal(d)
	}
	if !back.Instances.IsNull() || !back.StandbyInstanceIDs.IsNull() {
		t.Error("the model read beside the lists should leave them null")
	}
	if back.Name.ValueString() != "p" || back.Size.ValueInt64() != 1 {
		t.Errorf("settings did not survive: name %q size %d", back.Name.ValueString(), back.Size.ValueInt64())
	}
	if !gotLists.Equal(lists) {
		t.Error("observed lists changed on the way through state")
	}
	got, err := gotLists.stateInstances()
	if err != nil {
		t.Fatal(err)
	}
	want := []warmpool.Instance{instances[1], instances[0]}
	want[0].LaunchedAt, want[1].LaunchedAt = launched.Add(time.Minute), launched
	if !reflect.DeepEqual(got, want) {
		t.Errorf("instances read back:\n got %+v\nwant %+v", got, want)
	}
}

func TestUnknownObservedListsPlan(t *testing.T) {
	ctx := context.Background()
	state := warmPoolSchemaForTest(t)
	plan := tfsdk.Plan{Schema: state.Schema, Raw: state.Raw}
	m := warmPoolModel{}
	if d := plan.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	if d := writePoolPlan(ctx, &plan, &m, unknownObservedLists()); d.HasError() {
		t.Fatal(d)
	}
	var instances types.List
	if d := plan.GetAttribute(ctx, path.Root("instances"), &instances); d.HasError() || !instances.IsUnknown() {
		t.Errorf("instances = %v (%v), want unknown", instances, d)
	}
}
