package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// applied records in m what an apply produced.
func (m *nodeClassModel) applied(p nodeClassPrepared, ref nodeclass.LaunchTemplateRef) {
	m.ID = m.Name
	m.LaunchTemplateID = types.StringValue(ref.ID)
	m.Version = types.Int64Value(ref.Version)
	m.UserData = types.StringValue(p.spec.TOML)
	m.ConfigHash = types.StringValue(p.spec.ConfigHash())
	m.ResolvedSubnetIDs = ncStringList(p.spec.SubnetIDs)
	m.ResolvedSecurityGroupIDs = ncStringList(p.spec.SecurityGroupIDs)
	m.TagsAll = ncStringMap(p.tags)
}

// prepareApply is prepare for Create and Update, where every value is known.
func (r *nodeClassResource) prepareApply(ctx context.Context, plan nodeClassModel, diags *diag.Diagnostics) (nodeClassPrepared, nodeclass.LaunchTemplateAPI, bool) {
	p := r.prepare(ctx, plan, true, diags)
	if diags.HasError() {
		return p, nil, false
	}
	if !p.specKnown || !p.tagsKnown {
		diags.AddError("Node class not fully known at apply",
			"Some node class values are still unknown during apply; this is a bug in the provider.")
		return p, nil, false
	}
	if err := p.spec.Validate(); err != nil {
		diags.AddError("Invalid node class", err.Error())
		return p, nil, false
	}
	api, err := r.ec2API(ctx)
	if err != nil {
		diags.AddError("Cannot reach EC2", err.Error())
		return p, nil, false
	}
	return p, api, true
}

// nodeClassVisibleTimeout bounds the wait for EC2's eventual consistency
// after a launch template or version is made, so that a warm pool in the
// same apply can read it.
const nodeClassVisibleTimeout = 2 * time.Minute

func (r *nodeClassResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan nodeClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, api, ok := r.prepareApply(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	ref, err := nodeclass.Create(ctx, api, p.spec)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot create node class %s", p.spec.Name), err.Error())
		return
	}
	// Record the template before waiting, so a timeout leaves it in state.
	plan.applied(p, ref)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if _, err := nodeclass.WaitVersion(ctx, api, p.spec.Name, ref.Version, nodeclass.VersionWait(nodeClassVisibleTimeout)); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Node class %s created but not readable", p.spec.Name), err.Error())
		return
	}
}

func (r *nodeClassResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state nodeClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	if name == "" {
		name = state.ID.ValueString()
	}
	api, err := r.ec2API(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot reach EC2", err.Error())
		return
	}
	info, err := nodeclass.Find(ctx, api, name)
	if nodeclass.IsNotFound(err) {
		// Deleted outside Terraform: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot read node class %s", name), err.Error())
		return
	}
	// Only an import leaves the config hash unset: everything else comes
	// from a create.
	importing := state.ConfigHash.IsNull()
	state.setFromInfo(ctx, info, r.defaultTags(), importing)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update adds a launch template version when the config hash changed; a
// change of tags alone only retags the template, so warm pools keep their
// standby instances.
func (r *nodeClassResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p, api, ok := r.prepareApply(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	planned := plan.Version
	ref := nodeclass.LaunchTemplateRef{ID: state.LaunchTemplateID.ValueString(), Version: state.Version.ValueInt64()}
	switch {
	case p.spec.ConfigHash() != state.ConfigHash.ValueString():
		var err error
		ref, err = nodeclass.Update(ctx, api, p.spec)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Cannot update node class %s", p.spec.Name), err.Error())
			return
		}
		plan.applied(p, ref)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		if _, err := nodeclass.WaitVersion(ctx, api, p.spec.Name, ref.Version, nodeclass.VersionWait(nodeClassVisibleTimeout)); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Node class %s version %d not readable", p.spec.Name, ref.Version), err.Error())
			return
		}
		if !planned.IsUnknown() && planned.ValueInt64() != ref.Version {
			resp.Diagnostics.AddWarning("Launch template version differs from the plan",
				fmt.Sprintf("The plan expected version %d, EC2 made version %d: another version was created outside Terraform "+
					"between plan and apply. Run terraform apply again so warm pools converge to version %d.", planned.ValueInt64(), ref.Version, ref.Version))
		}
	case !ncStringMap(p.tags).Equal(state.TagsAll):
		if err := nodeclass.UpdateTags(ctx, api, p.spec); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("Cannot update the tags of node class %s", p.spec.Name), err.Error())
			return
		}
	}
	plan.applied(p, ref)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *nodeClassResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	api, err := r.ec2API(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot reach EC2", err.Error())
		return
	}
	if err := nodeclass.Delete(ctx, api, state.Name.ValueString()); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Cannot delete node class %s", state.Name.ValueString()), err.Error())
	}
}

// ImportState takes the node class's name. The launch template gives back
// everything but the user-data inputs (see the resource documentation).
func (r *nodeClassResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if err := nodeclass.ValidateName(req.ID); err != nil {
		resp.Diagnostics.AddError("Invalid import id", "Import a node class by its name: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
}
