package provider

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// mapPrivate is private state held in a map, as the framework holds it.
type mapPrivate map[string][]byte

func (p mapPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return p[key], nil
}

func (p mapPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	p[key] = value
	return nil
}

// What a refresh or apply records is what the next plan reads: every live
// instance, by id, with every field; gone instances are left out.
func TestInstanceRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	launched := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	instances := []warmpool.Instance{
		{ID: "i-0b", State: warmpool.StateRunning, EC2State: "running", AvailabilityZone: "us-east-1b", InstanceType: "m6i.large",
			NodeName: "ip-10-0-1-2.ec2.internal", ConfigHash: "h1", ClassVersion: 4, LaunchedAt: launched},
		{ID: "i-0a", State: warmpool.StateStandby, EC2State: "stopped", AvailabilityZone: "us-east-1a", InstanceType: "m5.large",
			ConfigHash: "h1", ClassVersion: 12345678901, LaunchedAt: launched.Add(time.Minute)},
		{ID: "i-0c", State: warmpool.StateStandby, EC2State: "terminated", ConfigHash: "h1", ClassVersion: 4},
	}
	private := mapPrivate{}
	if _, recorded, _ := recordedInstances(ctx, private); recorded {
		t.Fatal("an empty private state reads as recorded")
	}
	if d := recordInstances(ctx, private, instances); d.HasError() {
		t.Fatal(d)
	}
	got, recorded, d := recordedInstances(ctx, private)
	if d.HasError() || !recorded {
		t.Fatalf("recorded %v, %v", recorded, d)
	}
	want := []warmpool.Instance{instances[1], instances[0]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("instances read back:\n got %+v\nwant %+v", got, want)
	}
	// An empty pool is recorded too: an empty list, not "no record".
	if d := recordInstances(ctx, private, nil); d.HasError() {
		t.Fatal(d)
	}
	if got, recorded, _ := recordedInstances(ctx, private); !recorded || len(got) != 0 {
		t.Errorf("empty pool read back as %v (recorded %v)", got, recorded)
	}
}

func TestSetObserved(t *testing.T) {
	instances := []warmpool.Instance{
		{ID: "i-1", State: warmpool.StateStandby, EC2State: "stopped", ConfigHash: "h1"},
		{ID: "i-2", State: warmpool.StateStandby, EC2State: "stopped", ConfigHash: "h0"},
		{ID: "i-3", State: warmpool.StateRunning, EC2State: "running", ConfigHash: "h1"},
		{ID: "i-4", State: warmpool.StateFailed, EC2State: "stopped", ConfigHash: "h1"},
		{ID: "i-5", State: warmpool.StateFailed, EC2State: "terminated", ConfigHash: "h1"},
		{ID: "i-6", State: warmpool.StateStandby, EC2State: "terminated", ConfigHash: "h1"},
	}
	for name, tc := range map[string]struct {
		running, maxSize          types.Int64
		size, wantRunning, failed int64
	}{
		"running unmanaged": {types.Int64Null(), types.Int64Null(), 1, -1, 1},
		"running managed":   {types.Int64Value(0), types.Int64Null(), 1, 1, 1},
		// max_size 2 with running 1 holds standby at 1, below size 5: not drift.
		"capped by max_size": {types.Int64Value(1), types.Int64Value(2), 5, 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			m := warmPoolModel{Size: types.Int64Value(5), Running: tc.running, MaxSize: tc.maxSize}
			m.setObserved(&warmpool.Observation{Instances: instances}, "h1")
			if got := m.Size.ValueInt64(); got != tc.size {
				t.Errorf("size = %d, want %d", got, tc.size)
			}
			if tc.wantRunning < 0 && !m.Running.IsNull() {
				t.Errorf("running = %v, want null (unmanaged)", m.Running)
			}
			if tc.wantRunning >= 0 && m.Running.ValueInt64() != tc.wantRunning {
				t.Errorf("running = %v, want %d", m.Running, tc.wantRunning)
			}
			if got := m.FailedWarmups.ValueInt64(); got != tc.failed {
				t.Errorf("failed_warmups = %d, want %d", got, tc.failed)
			}
		})
	}
}
