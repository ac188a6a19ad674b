package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// The provider's share of `terraform plan` for a large pool with nothing to
// change: what the framework does with the state (upgrade, plan) grows with
// the pool's instances, while the EC2 and Kubernetes reads do not. `make
// bench` measures the whole plan with real Terraform; this isolates the
// provider's CPU so that a change to the state's shape can be compared.

var benchConfigHash = warmpool.PoolConfigHash("bench", 3, map[string]string{}, nil)

func benchInstances(n int) []warmpool.Instance {
	zones := []string{"us-west-2a", "us-west-2b", "us-west-2c"}
	out := make([]warmpool.Instance, n)
	for i := range out {
		out[i] = warmpool.Instance{
			ID: fmt.Sprintf("i-%017x", i+1), State: warmpool.StateStandby, EC2State: "stopped",
			AvailabilityZone: zones[i%3], InstanceType: "m6i.large",
			NodeName:   fmt.Sprintf("ip-10-0-%d-%d.us-west-2.compute.internal", i/250, i%250),
			ConfigHash: benchConfigHash, ClassVersion: 3, LaunchedAt: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		}
	}
	return out
}

// poolStateV0 is the state schema version 0 wrote for a pool of these
// instances (its instances in attributes), as terraform.tfstate stores it.
func poolStateV0(instances []warmpool.Instance) map[string]any {
	ids := []string{}
	var list []map[string]any
	for _, i := range instances {
		if i.State == warmpool.StateStandby && i.EC2State == "stopped" {
			ids = append(ids, i.ID)
		}
		list = append(list, map[string]any{
			"id": i.ID, "state": string(i.State), "ec2_state": string(i.EC2State), "availability_zone": i.AvailabilityZone,
			"instance_type": i.InstanceType, "node_name": i.NodeName, "config_hash": i.ConfigHash,
			"node_class_version": i.ClassVersion, "launched_at": i.LaunchedAt.Format(time.RFC3339),
		})
	}
	return map[string]any{
		"id": "bench", "name": "bench", "node_class": "bench", "node_class_version": 3, "size": len(ids),
		"running": nil, "max_size": nil, "drain_timeout": defaultDrainTimeout, "drain_timeout_action": "fail",
		"labels": nil, "taints": nil,
		"warmup":  map[string]any{"timeout": defaultWarmupTimeout, "timeout_action": "terminate", "network": "auto", "wait_for_daemonsets": true, "images": nil},
		"pool_id": warmpool.PoolID("bench", "bench"), "cluster_name": "bench", "config_hash": benchConfigHash,
		"standby_instance_ids": ids, "running_instance_ids": []string{}, "instances": list, "timeouts": nil,
	}
}

// poolState is the state the current schema writes for a pool of these
// instances: its attributes and its private record, as terraform.tfstate
// stores them.
func poolState(instances []warmpool.Instance) (attributes map[string]any, private []byte) {
	attributes = poolStateV0(instances)
	for _, name := range removedInV1 {
		delete(attributes, name)
	}
	failed := 0
	for _, i := range instances {
		if i.State == warmpool.StateFailed && !i.Gone() {
			failed++
		}
	}
	attributes["failed_warmups"] = failed
	records, err := json.Marshal(liveRecords(instances))
	if err != nil {
		panic(err)
	}
	private, err = json.Marshal(map[string][]byte{instancesKey: records})
	if err != nil {
		panic(err)
	}
	return attributes, private
}

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

// configFromState is the configuration that state came from: only the
// arguments a user writes are set.
func configFromState(state tftypes.Value) (tftypes.Value, error) {
	written := map[string]bool{"name": true, "node_class": true, "node_class_version": true, "size": true}
	return tftypes.Transform(state, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if len(p.Steps()) != 1 {
			return v, nil
		}
		if name, ok := p.Steps()[0].(tftypes.AttributeName); ok && !written[string(name)] {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
}

// nullAttributes is an object of type t whose attributes are all null, as
// Terraform sends a configuration that sets nothing.
func nullAttributes(t tftypes.Type) tftypes.Value {
	obj := t.(tftypes.Object)
	attrs := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(t, attrs)
}

func nullConfig(t tftypes.Type) *tfprotov6.DynamicValue {
	v, err := tfprotov6.NewDynamicValue(t, nullAttributes(t))
	if err != nil {
		panic(err)
	}
	return &v
}

// planServer is the provider's protocol server, configured, with the
// warm pool's type.
type planServer struct {
	tfprotov6.ProviderServer
	poolType tftypes.Type
}

func newPlanServer(tb testing.TB) planServer {
	tb.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	if resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: nullConfig(schemas.Provider.ValueType())}); err != nil || hasErrors(resp.Diagnostics) {
		tb.Fatal(err, resp.Diagnostics)
	}
	return planServer{ProviderServer: server, poolType: schemas.ResourceSchemas["stratos_warm_pool"].ValueType()}
}

// planUnchangedConfig runs what `terraform plan -refresh=false` asks of the
// provider for a pool whose configuration did not change since raw state
// (of schema version) and private were written: state upgrade, config
// validation, plan. It returns the prior state and the plan.
func (s planServer) planUnchangedConfig(tb testing.TB, raw []byte, version int64, private []byte) (tftypes.Value, *tfprotov6.PlanResourceChangeResponse) {
	ctx := context.Background()
	up, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "stratos_warm_pool", Version: version, RawState: &tfprotov6.RawState{JSON: raw},
	})
	if err != nil || hasErrors(up.Diagnostics) {
		tb.Fatal(err, up.Diagnostics)
	}
	prior, err := up.UpgradedState.Unmarshal(s.poolType)
	if err != nil {
		tb.Fatal(err)
	}
	configValue, err := configFromState(prior)
	if err != nil {
		tb.Fatal(err)
	}
	config, err := tfprotov6.NewDynamicValue(s.poolType, configValue)
	if err != nil {
		tb.Fatal(err)
	}
	if resp, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "stratos_warm_pool", Config: &config}); err != nil || hasErrors(resp.Diagnostics) {
		tb.Fatal(err, resp.Diagnostics)
	}
	plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "stratos_warm_pool", PriorState: up.UpgradedState, ProposedNewState: up.UpgradedState, Config: &config,
		PriorPrivate: private,
	})
	if err != nil || hasErrors(plan.Diagnostics) {
		tb.Fatal(err, plan.Diagnostics)
	}
	return prior, plan
}

func (s planServer) planned(tb testing.TB, plan *tfprotov6.PlanResourceChangeResponse) tftypes.Value {
	tb.Helper()
	v, err := plan.PlannedState.Unmarshal(s.poolType)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// BenchmarkWarmPoolPlanNoChanges runs the provider RPCs of a plan that
// changes nothing (state upgrade, config validation, plan) for a pool of
// 1,000 instances; the refresh's EC2 and Kubernetes reads are left out.
func BenchmarkWarmPoolPlanNoChanges(b *testing.B) {
	s := newPlanServer(b)
	attributes, private := poolState(benchInstances(1000))
	raw := mustJSON(attributes)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		prior, plan := s.planUnchangedConfig(b, raw, 1, private)
		if planned := s.planned(b, plan); !planned.Equal(prior) {
			diffs, _ := prior.Diff(planned)
			var paths []string
			for _, d := range diffs[:min(5, len(diffs))] {
				paths = append(paths, d.Path.String())
			}
			b.Fatalf("a plan with nothing to change changed the pool at %v", paths)
		}
	}
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
