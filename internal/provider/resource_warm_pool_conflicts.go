package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
	"github.com/stratos-sh/terraform-provider-stratos/internal/warmpool"
)

// planConflicts checks, at plan time, the pool's labels and taints against
// the user data of the node class version it plans to use. A version this
// apply creates (the node class changes in the same plan) does not exist
// yet; the apply checks it before launching anything (desiredPool).
func (r *warmPoolResource) planConflicts(ctx context.Context, plan warmPoolModel, labels map[string]string, taints []bottlerocket.Taint, diags *diag.Diagnostics) {
	if len(labels) == 0 && len(taints) == 0 {
		return // nothing of the pool's own to conflict, and no EC2 call
	}
	if plan.NodeClass.IsUnknown() || plan.NodeClassVersion.IsUnknown() || plan.NodeClassVersion.IsNull() {
		return
	}
	api, err := r.data.EC2(ctx)
	if err != nil {
		diags.AddError("AWS client", err.Error())
		return
	}
	info, err := nodeclass.FindVersion(ctx, api, plan.NodeClass.ValueString(), plan.NodeClassVersion.ValueInt64())
	switch {
	case nodeclass.IsNotFound(err):
		return
	case err != nil:
		addNodeClassError(diags, plan.NodeClass.ValueString(), err)
		return
	}
	addConflicts(diags, warmpool.Pool{Labels: labels, Taints: taints}, *info)
}

// addConflicts reports every conflict between the pool's labels and taints
// and the node class's user data on the pool attribute concerned, naming
// both values and where each comes from.
func addConflicts(diags *diag.Diagnostics, pool warmpool.Pool, info nodeclass.Info) {
	conflicts, err := warmpool.NodeClassConflicts(pool, info)
	if err != nil {
		diags.AddAttributeError(path.Root("node_class"), "Cannot read node class "+info.Name, err.Error())
		return
	}
	for _, c := range conflicts {
		nodeClass := fmt.Sprintf("node class %q (version %d)", info.Name, info.Version)
		if c.Taint {
			diags.AddAttributeError(path.Root("taints").AtListIndex(c.Index), "Taint conflicts with the node class",
				fmt.Sprintf("This pool's taints give key %q the values %s, but %s already sets taint %q to %s in its user data "+
					"(its node_taints or custom_user_data). Bottlerocket holds one list per taint key and neither takes precedence: "+
					"remove the taint from the pool or from the node class, or give both the same values.",
					c.Key, c.Pool, nodeClass, c.Key, c.NodeClass))
			continue
		}
		diags.AddAttributeError(path.Root("labels").AtMapKey(c.Key), "Label conflicts with the node class",
			fmt.Sprintf("This pool's labels[%q] is %q, but %s already sets node label %q to %q in its user data "+
				"(its node_labels or custom_user_data). A node has one value per label and neither takes precedence: "+
				"remove the label from the pool or from the node class, or give both the same value.",
				c.Key, c.Pool, nodeClass, c.Key, c.NodeClass))
	}
}
