package provider

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// The three observed lists of a pool (instances, standby_instance_ids,
// running_instance_ids) hold eleven values per instance, 11,000 for a pool
// of 1,000. The framework turns every value it is asked for into an
// attr.Value, and a refresh or plan that read and wrote the whole pool model
// spent most of its time doing that (make bench). So the pool's settings go
// through the framework's model conversion with these lists left null, and
// the lists themselves are read and written as raw Terraform values:
// splitObserved on the way in, joinObserved on the way out.

const (
	attrInstances          = "instances"
	attrStandbyInstanceIDs = "standby_instance_ids"
	attrRunningInstanceIDs = "running_instance_ids"
)

var (
	instanceObjectType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "state": tftypes.String, "ec2_state": tftypes.String,
		"availability_zone": tftypes.String, "instance_type": tftypes.String, "node_name": tftypes.String,
		"config_hash": tftypes.String, "node_class_version": tftypes.Number, "launched_at": tftypes.String,
	}}
	instanceListType = tftypes.List{ElementType: instanceObjectType}
	idListType       = tftypes.List{ElementType: tftypes.String}
)

// observedLists are a pool's observed lists as raw Terraform values.
type observedLists struct {
	Instances, StandbyIDs, RunningIDs tftypes.Value
}

// unknownObservedLists is what a plan that changes the pool shows: the
// apply decides which instances exist.
func unknownObservedLists() observedLists {
	return observedLists{
		Instances:  tftypes.NewValue(instanceListType, tftypes.UnknownValue),
		StandbyIDs: tftypes.NewValue(idListType, tftypes.UnknownValue),
		RunningIDs: tftypes.NewValue(idListType, tftypes.UnknownValue),
	}
}

// splitObserved returns the pool object with its observed lists set to
// null, and the lists.
func splitObserved(raw tftypes.Value) (tftypes.Value, observedLists, error) {
	if raw.IsNull() || !raw.IsKnown() {
		return raw, observedLists{}, nil
	}
	attrs := map[string]tftypes.Value{}
	if err := raw.As(&attrs); err != nil {
		return raw, observedLists{}, err
	}
	lists := observedLists{Instances: attrs[attrInstances], StandbyIDs: attrs[attrStandbyInstanceIDs], RunningIDs: attrs[attrRunningInstanceIDs]}
	attrs[attrInstances] = tftypes.NewValue(instanceListType, nil)
	attrs[attrStandbyInstanceIDs] = tftypes.NewValue(idListType, nil)
	attrs[attrRunningInstanceIDs] = tftypes.NewValue(idListType, nil)
	return tftypes.NewValue(raw.Type(), attrs), lists, nil
}

// joinObserved puts the lists into a pool object written with them null.
func joinObserved(raw tftypes.Value, lists observedLists) (tftypes.Value, error) {
	attrs := map[string]tftypes.Value{}
	if err := raw.As(&attrs); err != nil {
		return raw, err
	}
	attrs[attrInstances] = lists.Instances
	attrs[attrStandbyInstanceIDs] = lists.StandbyIDs
	attrs[attrRunningInstanceIDs] = lists.RunningIDs
	return tftypes.NewValue(raw.Type(), attrs), nil
}

// Equal reports whether two sets of lists hold the same values.
func (l observedLists) Equal(o observedLists) bool {
	return l.Instances.Equal(o.Instances) && l.StandbyIDs.Equal(o.StandbyIDs) && l.RunningIDs.Equal(o.RunningIDs)
}

// instanceRow is one element of the instances list.
type instanceRow struct {
	ID, State, EC2State, AvailabilityZone, InstanceType, NodeName, ConfigHash, LaunchedAt string
	NodeClassVersion                                                                      int64
}

func rowOf(i warmpool.Instance) instanceRow {
	launched := ""
	if !i.LaunchedAt.IsZero() {
		launched = i.LaunchedAt.UTC().Format(time.RFC3339)
	}
	return instanceRow{
		ID: i.ID, State: string(i.State), EC2State: string(i.EC2State), AvailabilityZone: i.AvailabilityZone,
		InstanceType: i.InstanceType, NodeName: i.NodeName, ConfigHash: i.ConfigHash, LaunchedAt: launched,
		NodeClassVersion: i.ClassVersion,
	}
}

func (r instanceRow) instance() warmpool.Instance {
	launched, _ := time.Parse(time.RFC3339, r.LaunchedAt)
	return warmpool.Instance{
		ID: r.ID, State: warmpool.State(r.State), EC2State: ec2State(r.EC2State), AvailabilityZone: r.AvailabilityZone,
		InstanceType: r.InstanceType, NodeName: r.NodeName, ConfigHash: r.ConfigHash, ClassVersion: r.NodeClassVersion,
		LaunchedAt: launched,
	}
}

func (r instanceRow) value() tftypes.Value {
	return tftypes.NewValue(instanceObjectType, map[string]tftypes.Value{
		"id": tftypes.NewValue(tftypes.String, r.ID), "state": tftypes.NewValue(tftypes.String, r.State),
		"ec2_state": tftypes.NewValue(tftypes.String, r.EC2State), "availability_zone": tftypes.NewValue(tftypes.String, r.AvailabilityZone),
		"instance_type": tftypes.NewValue(tftypes.String, r.InstanceType), "node_name": tftypes.NewValue(tftypes.String, r.NodeName),
		"config_hash": tftypes.NewValue(tftypes.String, r.ConfigHash), "launched_at": tftypes.NewValue(tftypes.String, r.LaunchedAt),
		"node_class_version": tftypes.NewValue(tftypes.Number, r.NodeClassVersion),
	})
}

// instanceListValue is the instances list of the live instances, by id.
func instanceListValue(all []warmpool.Instance) tftypes.Value {
	list := append([]warmpool.Instance{}, all...)
	sort.Slice(list, func(a, b int) bool { return list[a].ID < list[b].ID })
	values := make([]tftypes.Value, 0, len(list))
	for _, i := range list {
		if !i.Gone() {
			values = append(values, rowOf(i).value())
		}
	}
	return tftypes.NewValue(instanceListType, values)
}

func idListValue(ids []string) tftypes.Value {
	values := make([]tftypes.Value, 0, len(ids))
	for _, id := range ids {
		values = append(values, tftypes.NewValue(tftypes.String, id))
	}
	return tftypes.NewValue(idListType, values)
}

// stateInstances reads the instances list back into engine instances, so a
// plan is explained and a refresh's drift described without an EC2 call.
func (l observedLists) stateInstances() ([]warmpool.Instance, error) {
	v := l.Instances
	if v.Type() == nil || v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		return nil, err
	}
	out := make([]warmpool.Instance, 0, len(elems))
	for _, e := range elems {
		if e.IsNull() || !e.IsKnown() {
			continue
		}
		row, err := rowFromValue(e)
		if err != nil {
			return nil, err
		}
		out = append(out, row.instance())
	}
	return out, nil
}

func rowFromValue(v tftypes.Value) (instanceRow, error) {
	attrs := map[string]tftypes.Value{}
	if err := v.As(&attrs); err != nil {
		return instanceRow{}, err
	}
	var r instanceRow
	for name, dst := range map[string]*string{
		"id": &r.ID, "state": &r.State, "ec2_state": &r.EC2State, "availability_zone": &r.AvailabilityZone,
		"instance_type": &r.InstanceType, "node_name": &r.NodeName, "config_hash": &r.ConfigHash, "launched_at": &r.LaunchedAt,
	} {
		if a, ok := attrs[name]; ok && a.IsKnown() && !a.IsNull() {
			if err := a.As(dst); err != nil {
				return r, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if a, ok := attrs["node_class_version"]; ok && a.IsKnown() && !a.IsNull() {
		n := new(big.Float)
		if err := a.As(&n); err != nil {
			return r, fmt.Errorf("node_class_version: %w", err)
		}
		r.NodeClassVersion, _ = n.Int64()
	}
	return r, nil
}

func addRawError(diags *diag.Diagnostics, what string, err error) {
	if err != nil {
		diags.AddError("Cannot "+what+" the warm pool's instances", "This is a bug in the provider: "+err.Error())
	}
}
