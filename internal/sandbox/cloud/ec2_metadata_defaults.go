package cloud

import (
	"fmt"
	"regexp"
	"strconv"
)

// Account-level instance metadata defaults, as EC2 keeps them per account
// and region (EC2 User Guide, "Configure instance metadata options for new
// instances", order of precedence): for each option, a value given at
// launch (RunInstances or the launch template) wins, then the account
// default, then the AMI's (Bottlerocket declares IMDSv2: tokens required,
// hop limit 2), then EC2's own. An account that enables instance metadata
// tags by default therefore enables them for every launch that does not
// disable them explicitly, and then EC2 refuses tag keys that IMDS cannot
// serve, such as every key with a "/".

func init() {
	ec2Actions["ModifyInstanceMetadataDefaults"] = modifyInstanceMetadataDefaults
	ec2Actions["GetInstanceMetadataDefaults"] = getInstanceMetadataDefaults
}

// InstanceMetadataDefaults are the account-level defaults; an empty value
// (hop limit 0) means "no preference".
type InstanceMetadataDefaults struct {
	HTTPTokens              string `json:"http_tokens,omitempty"`                 // optional | required
	HTTPPutResponseHopLimit int    `json:"http_put_response_hop_limit,omitempty"` // 1–64
	HTTPEndpoint            string `json:"http_endpoint,omitempty"`               // enabled | disabled
	InstanceMetadataTags    string `json:"instance_metadata_tags,omitempty"`      // enabled | disabled
}

func (d InstanceMetadataDefaults) validate() error {
	check := func(name, v string, allowed ...string) error {
		if v == "" {
			return nil
		}
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%s must be one of %v or empty, got %q", name, allowed, v)
	}
	if err := check("http_tokens", d.HTTPTokens, "optional", "required"); err != nil {
		return err
	}
	if err := check("http_endpoint", d.HTTPEndpoint, "enabled", "disabled"); err != nil {
		return err
	}
	if err := check("instance_metadata_tags", d.InstanceMetadataTags, "enabled", "disabled"); err != nil {
		return err
	}
	if d.HTTPPutResponseHopLimit < 0 || d.HTTPPutResponseHopLimit > 64 {
		return fmt.Errorf("http_put_response_hop_limit must be within 1–64 (0: no preference), got %d", d.HTTPPutResponseHopLimit)
	}
	return nil
}

// effectiveMetadata resolves a launch's metadata options in EC2's order of
// precedence: launch, account default, AMI default.
func effectiveMetadata(launch *metadataSpec, account *InstanceMetadataDefaults) metadataSpec {
	// Bottlerocket AMIs declare ImdsSupport v2.0, so EC2 defaults them to
	// required tokens and a hop limit of 2.
	m := metadataSpec{HTTPTokens: "required", HTTPEndpoint: "enabled", InstanceMetadataTags: "disabled", HTTPPutHopLimit: ptr(2)}
	overlayMetadata := func(o metadataSpec) {
		if o.HTTPTokens != "" {
			m.HTTPTokens = o.HTTPTokens
		}
		if o.HTTPEndpoint != "" {
			m.HTTPEndpoint = o.HTTPEndpoint
		}
		if o.InstanceMetadataTags != "" {
			m.InstanceMetadataTags = o.InstanceMetadataTags
		}
		if o.HTTPPutHopLimit != nil {
			m.HTTPPutHopLimit = o.HTTPPutHopLimit
		}
	}
	if a := account; a != nil {
		o := metadataSpec{HTTPTokens: a.HTTPTokens, HTTPEndpoint: a.HTTPEndpoint, InstanceMetadataTags: a.InstanceMetadataTags}
		if a.HTTPPutResponseHopLimit > 0 {
			o.HTTPPutHopLimit = ptr(a.HTTPPutResponseHopLimit)
		}
		overlayMetadata(o)
	}
	if launch != nil {
		overlayMetadata(*launch)
	}
	return m
}

// imdsTagKey is the pattern EC2 enforces on tag keys of instances whose
// tags are in instance metadata (the keys become IMDS path segments): EC2
// User Guide, "View tags for your EC2 instances using instance metadata"
// — letters, digits and + - = . , _ : @ only, no spaces or "/", not ".",
// ".." or "_index". The error text is EC2's, verbatim as reported in
// aws/karpenter-provider-aws issue #1527 (InvalidParameterValue:
// "'karpenter.sh/provisioner-name' is not a valid tag key. …").
var imdsTagKey = regexp.MustCompile(`^[0-9a-zA-Z\-_+=,.@:]{1,255}$`)

func validateIMDSTagKeys(tags map[string]string) error {
	for k := range tags {
		if !imdsTagKey.MatchString(k) || k == "." || k == ".." || k == "_index" {
			return clientError("InvalidParameterValue", "'%s' is not a valid tag key. Tag keys must match pattern ([0-9a-zA-Z\\\\-_+=,.@:]{1,255}), and must not be a reserved name ('.', '..', '_index')", k)
		}
	}
	return nil
}

// updateConfig applies change to a copy of the current config and stores
// it; concurrent updates retry, so none is lost.
func (w *World) updateConfig(change func(*Config)) {
	for {
		cur := w.cfg.Load()
		next := *cur
		next.AccountRules = cur.AccountRules.clone()
		change(&next)
		if w.cfg.CompareAndSwap(cur, &next) {
			return
		}
	}
}

func modifyInstanceMetadataDefaults(w *World, q query) (any, error) {
	var d InstanceMetadataDefaults
	if cur := w.cfg.Load().InstanceMetadataDefaults; cur != nil {
		d = *cur
	}
	set := func(dst *string, param string, allowed ...string) error {
		if !q.has(param) {
			return nil
		}
		v := q.str(param)
		if v == "no-preference" {
			*dst = ""
			return nil
		}
		for _, a := range allowed {
			if v == a {
				*dst = v
				return nil
			}
		}
		return clientError("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", v, param)
	}
	if err := set(&d.HTTPTokens, "HttpTokens", "optional", "required"); err != nil {
		return nil, err
	}
	if err := set(&d.HTTPEndpoint, "HttpEndpoint", "enabled", "disabled"); err != nil {
		return nil, err
	}
	if err := set(&d.InstanceMetadataTags, "InstanceMetadataTags", "enabled", "disabled"); err != nil {
		return nil, err
	}
	if q.has("HttpPutResponseHopLimit") {
		n, err := strconv.Atoi(q.str("HttpPutResponseHopLimit"))
		if err != nil || n == 0 || n < -1 || n > 64 {
			return nil, clientError("InvalidParameterValue", "Value (%s) for parameter HttpPutResponseHopLimit is invalid. Specify -1 (no preference) or a value from 1 to 64.", q.str("HttpPutResponseHopLimit"))
		}
		d.HTTPPutResponseHopLimit = max(n, 0)
	}
	w.updateConfig(func(c *Config) {
		if d == (InstanceMetadataDefaults{}) {
			c.InstanceMetadataDefaults = nil
			return
		}
		c.InstanceMetadataDefaults = &d
	})
	return &returnResponse{Return: true}, nil
}

type getInstanceMetadataDefaultsResponse struct {
	ec2Meta
	AccountLevel struct {
		HTTPTokens              string `xml:"httpTokens,omitempty"`
		HTTPPutResponseHopLimit int    `xml:"httpPutResponseHopLimit,omitempty"`
		HTTPEndpoint            string `xml:"httpEndpoint,omitempty"`
		InstanceMetadataTags    string `xml:"instanceMetadataTags,omitempty"`
	} `xml:"accountLevel"`
}

func getInstanceMetadataDefaults(w *World, _ query) (any, error) {
	out := &getInstanceMetadataDefaultsResponse{}
	if d := w.cfg.Load().InstanceMetadataDefaults; d != nil {
		out.AccountLevel.HTTPTokens = d.HTTPTokens
		out.AccountLevel.HTTPPutResponseHopLimit = d.HTTPPutResponseHopLimit
		out.AccountLevel.HTTPEndpoint = d.HTTPEndpoint
		out.AccountLevel.InstanceMetadataTags = d.InstanceMetadataTags
	}
	return out, nil
}
