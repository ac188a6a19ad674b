package cloud

import (
	"fmt"
	"slices"
)

// AccountRules are the account-level settings and eventual-consistency
// behaviours of real AWS that the sandbox enforces on request: each one is a
// rule that a launch working in one account may break in another. They are
// part of Config (GET/PUT /config), so tests switch them per case; the zero
// value is an account with none of them.
type AccountRules struct {
	// InstanceMetadataDefaults are the account-level instance metadata
	// defaults (ModifyInstanceMetadataDefaults), applied to launches that
	// leave an option unset. nil means none have been set.
	InstanceMetadataDefaults *InstanceMetadataDefaults `json:"instance_metadata_defaults"`
	// InstanceProfilePropagation is how long after its registration
	// (World.CreateInstanceProfile, POST /iam/instance-profiles) an instance
	// profile stays unknown to RunInstances.
	InstanceProfilePropagation Duration `json:"instance_profile_propagation"`
	// UnofferedInstanceTypes lists instance types not offered in a zone:
	// RunInstances there fails with Unsupported.
	UnofferedInstanceTypes []ZoneInstanceType `json:"unoffered_instance_types"`
	// IAMPolicy, when set, is the identity policy every request is
	// authorized against; nil allows everything.
	IAMPolicy *IAMPolicy `json:"iam_policy"`
}

// ZoneInstanceType names an instance type in an availability zone.
type ZoneInstanceType struct {
	Zone         string `json:"zone"`
	InstanceType string `json:"instance_type"`
}

func (r AccountRules) clone() AccountRules {
	r.UnofferedInstanceTypes = slices.Clone(r.UnofferedInstanceTypes)
	if r.InstanceMetadataDefaults != nil {
		d := *r.InstanceMetadataDefaults
		r.InstanceMetadataDefaults = &d
	}
	return r
}

func (w *World) validateAccountRules(r AccountRules) error {
	if r.InstanceProfilePropagation < 0 {
		return fmt.Errorf("instance_profile_propagation must not be negative, got %s", r.InstanceProfilePropagation.D())
	}
	for _, u := range r.UnofferedInstanceTypes {
		if _, ok := w.catalog.subnetByAZ[u.Zone]; !ok {
			return fmt.Errorf("unoffered_instance_types: %q is not an availability zone of %s (%v)", u.Zone, w.region, w.catalog.azs())
		}
		if _, ok := instanceTypes[u.InstanceType]; !ok {
			return fmt.Errorf("unoffered_instance_types: %q is not a known instance type", u.InstanceType)
		}
	}
	if d := r.InstanceMetadataDefaults; d != nil {
		if err := d.validate(); err != nil {
			return fmt.Errorf("instance_metadata_defaults: %w", err)
		}
	}
	return nil
}
