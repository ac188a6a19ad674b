package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
)

// The user-data attributes are shared by name and rules between the
// stratos_bottlerocket_userdata data source and the stratos_node_class
// resource. Only the API server attribute is named differently
// (api_server / cluster_endpoint), so it is not part of userDataModel and
// its name is a parameter wherever it matters.

// userDataModel holds the shared user-data attributes. Embed it by value in
// a data source or resource model next to the API server attribute.
type userDataModel struct {
	ClusterName        types.String `tfsdk:"cluster_name"`
	ClusterCertificate types.String `tfsdk:"cluster_certificate"`
	ServiceCIDR        types.String `tfsdk:"service_cidr"`
	ClusterDNSIP       types.List   `tfsdk:"cluster_dns_ip"`
	NodeLabels         types.Map    `tfsdk:"node_labels"`
	NodeTaints         types.List   `tfsdk:"node_taints"`
	MaxPods            types.Int64  `tfsdk:"max_pods"`
	KubeReserved       types.Map    `tfsdk:"kube_reserved"`
	SystemReserved     types.Map    `tfsdk:"system_reserved"`
	EvictionHard       types.Map    `tfsdk:"eviction_hard"`
	CustomUserData     types.String `tfsdk:"custom_user_data"`
	Variant            types.String `tfsdk:"variant"`
	Strict             types.Bool   `tfsdk:"strict"`
	Compression        types.String `tfsdk:"compression"`
}

// taintModel is one element of node_taints.
type taintModel struct {
	Key    types.String `tfsdk:"key"`
	Value  types.String `tfsdk:"value"`
	Effect types.String `tfsdk:"effect"`
}

var taintAttrTypes = map[string]attr.Type{
	"key":    types.StringType,
	"value":  types.StringType,
	"effect": types.StringType,
}

const (
	defaultStrict      = true
	defaultCompression = bottlerocket.CompressionAuto
)

// userDataDescriptions documents each shared attribute once for both schemas.
// variantDescription and variantUnknownRules describe the variant
// attribute; the node class adds how it reads the variant from its AMI.
const (
	variantDescription = "Bottlerocket variant, e.g. `aws-k8s-1.32` or `aws-k8s-1.32-nvidia`. Settings that exist only on some " +
		"variants (such as `kubelet-device-plugins` on nvidia variants) are checked against it: on a non-nvidia variant they are an error; " +
		"a setting the variant's Kubernetes version does not use (such as `ids-per-pod` before 1.33) is accepted with a warning, " +
		"as Bottlerocket accepts and ignores it. "
	variantUnknownRules = "NVIDIA-only settings (`kubelet-device-plugins`, `nvidia-container-runtime`) are checked against their " +
		"schema and accepted with a warning that only `aws-k8s-*-nvidia` variants have them, and the newest Kubernetes version's rules apply."
)

func userDataDescriptions(apiServerAttribute string) map[string]string {
	return map[string]string{
		"cluster_name":        "EKS cluster name (`settings.kubernetes.cluster-name`).",
		apiServerAttribute:    "URL of the cluster's API server (`settings.kubernetes.api-server`).",
		"cluster_certificate": "Base64-encoded CA certificate of the cluster, as EKS returns it (`settings.kubernetes.cluster-certificate`).",
		"service_cidr": "The cluster's service CIDR. When `cluster_dns_ip` is not set, the DNS address is derived from it " +
			"(IPv4: network + 10; IPv6: network + `::a`). IPv4 CIDRs must be /12 to /24.",
		"cluster_dns_ip": "Cluster DNS addresses (`settings.kubernetes.cluster-dns-ip`), kept in order. " +
			"In an IPv6 cluster the first must be IPv6.",
		"node_labels": "Node labels (`settings.kubernetes.node-labels`). Keys and values follow Kubernetes' label rules, and " +
			"the kubelet's: keys in the `kubernetes.io` and `k8s.io` namespaces are refused except `node.kubernetes.io/*`, " +
			"`kubelet.kubernetes.io/*`, topology and the well-known os/arch/instance-type labels.",
		"node_taints": "Node taints (`settings.kubernetes.node-taints`). Several effects of one key are combined.",
		"max_pods":    "Maximum pods on the node (`settings.kubernetes.max-pods`).",
		"kube_reserved": "Resources reserved for Kubernetes daemons (`settings.kubernetes.kube-reserved`): keys `cpu`, `memory`, " +
			"`ephemeral-storage` and `pid` (Bottlerocket 1.49.0 and newer); values are Kubernetes quantities.",
		"system_reserved": "Resources reserved for the OS (`settings.kubernetes.system-reserved`): keys `cpu`, `memory`, " +
			"`ephemeral-storage` and `pid` (Bottlerocket 1.49.0 and newer); values are Kubernetes quantities.",
		"eviction_hard": "Hard eviction thresholds (`settings.kubernetes.eviction-hard`) by kubelet signal, e.g. " +
			"`memory.available = \"100Mi\"` or `nodefs.available = \"10%\"`.",
		"custom_user_data": "Bottlerocket TOML merged with everything above, e.g. `[settings.kernel]` or " +
			"`[settings.bootstrap-containers.*]`. It may repeat a value an attribute sets, but not contradict it: " +
			"different values for one setting are an error naming both.",
		"variant": variantDescription + "Unset, the variant is unknown: " + variantUnknownRules,
		"strict": "When true (the default), every doubt of the provider's model of Bottlerocket is an error: unknown settings, " +
			"top-level keys other than `settings`, rules of the kubelet or of this provider beyond Bottlerocket's own model, and, " +
			"unless the AMI runs a release the model covers, keys and values outside Bottlerocket's enums as the model has them. " +
			"Set false to use settings newer than the model (Bottlerocket " + bottlerocket.ModelRelease + "): those doubts become warnings. " +
			"What is certain to fail at boot stays an error either way: invalid TOML, a value of the wrong type, a value Bottlerocket's " +
			"modeled types refuse, and a setting newer than the node class AMI's Bottlerocket release.",
		"compression": "`auto` (default) gzips the document when it is larger than EC2's 16,384-byte user-data limit; " +
			"`always` and `never` force it. Bottlerocket detects gzip by its magic bytes.",
	}
}

// userDataDataSourceAttributes are the shared attributes as data source
// inputs (all optional).
func userDataDataSourceAttributes(apiServerAttribute string) map[string]dsschema.Attribute {
	d := userDataDescriptions(apiServerAttribute)
	str := func(name string) dsschema.Attribute {
		return dsschema.StringAttribute{Optional: true, MarkdownDescription: d[name]}
	}
	strMap := func(name string) dsschema.Attribute {
		return dsschema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d[name]}
	}
	return map[string]dsschema.Attribute{
		"cluster_name":        str("cluster_name"),
		apiServerAttribute:    str(apiServerAttribute),
		"cluster_certificate": str("cluster_certificate"),
		"service_cidr":        str("service_cidr"),
		"cluster_dns_ip": dsschema.ListAttribute{
			Optional: true, ElementType: types.StringType, MarkdownDescription: d["cluster_dns_ip"],
		},
		"node_labels": strMap("node_labels"),
		"node_taints": dsschema.ListNestedAttribute{
			Optional:            true,
			MarkdownDescription: d["node_taints"],
			NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
				"key":    dsschema.StringAttribute{Required: true, MarkdownDescription: taintDescriptions["key"]},
				"value":  dsschema.StringAttribute{Optional: true, MarkdownDescription: taintDescriptions["value"]},
				"effect": dsschema.StringAttribute{Required: true, MarkdownDescription: taintDescriptions["effect"]},
			}},
		},
		"max_pods":         dsschema.Int64Attribute{Optional: true, MarkdownDescription: d["max_pods"]},
		"kube_reserved":    strMap("kube_reserved"),
		"system_reserved":  strMap("system_reserved"),
		"eviction_hard":    strMap("eviction_hard"),
		"custom_user_data": str("custom_user_data"),
		"variant":          str("variant"),
		"strict":           dsschema.BoolAttribute{Optional: true, MarkdownDescription: d["strict"]},
		"compression":      str("compression"),
	}
}

// userDataResourceAttributes are the shared attributes for a resource.
// strict and compression carry their defaults in the plan. Callers may
// replace entries, e.g. to make the cluster identity required.
func userDataResourceAttributes(apiServerAttribute string) map[string]rschema.Attribute {
	d := userDataDescriptions(apiServerAttribute)
	str := func(name string) rschema.Attribute {
		return rschema.StringAttribute{Optional: true, MarkdownDescription: d[name]}
	}
	strMap := func(name string) rschema.Attribute {
		return rschema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: d[name]}
	}
	return map[string]rschema.Attribute{
		"cluster_name":        str("cluster_name"),
		apiServerAttribute:    str(apiServerAttribute),
		"cluster_certificate": str("cluster_certificate"),
		"service_cidr":        str("service_cidr"),
		"cluster_dns_ip": rschema.ListAttribute{
			Optional: true, ElementType: types.StringType, MarkdownDescription: d["cluster_dns_ip"],
		},
		"node_labels": strMap("node_labels"),
		"node_taints": rschema.ListNestedAttribute{
			Optional:            true,
			MarkdownDescription: d["node_taints"],
			NestedObject: rschema.NestedAttributeObject{Attributes: map[string]rschema.Attribute{
				"key":    rschema.StringAttribute{Required: true, MarkdownDescription: taintDescriptions["key"]},
				"value":  rschema.StringAttribute{Optional: true, MarkdownDescription: taintDescriptions["value"]},
				"effect": rschema.StringAttribute{Required: true, MarkdownDescription: taintDescriptions["effect"]},
			}},
		},
		"max_pods":         rschema.Int64Attribute{Optional: true, MarkdownDescription: d["max_pods"]},
		"kube_reserved":    strMap("kube_reserved"),
		"system_reserved":  strMap("system_reserved"),
		"eviction_hard":    strMap("eviction_hard"),
		"custom_user_data": str("custom_user_data"),
		"variant":          str("variant"),
		"strict": rschema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(defaultStrict), MarkdownDescription: d["strict"],
		},
		"compression": rschema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(string(defaultCompression)), MarkdownDescription: d["compression"],
		},
	}
}

var taintDescriptions = map[string]string{
	"key":    "Taint key.",
	"value":  "Taint value; may be empty.",
	"effect": "`NoSchedule`, `PreferNoSchedule` or `NoExecute`; the EKS API form (`NO_SCHEDULE`, …) is accepted too.",
}

// toInput maps the attributes onto the renderer's Input. apiServer is the
// value of the API server attribute (api_server or cluster_endpoint).
//
// Values Terraform does not know yet (at validate or plan time) are left
// out, and complete is false. What is known can still be validated, but a
// value left out may look missing to the renderer (cluster_name without
// api_server): validateUserDataConfig drops problems on unknownFields. A
// list with an unknown element is left out whole, so list indexes in
// Problems stay those of the configuration.
func (m userDataModel) toInput(ctx context.Context, apiServer types.String) (in bottlerocket.Input, complete bool, diags diag.Diagnostics) {
	complete = true
	str := func(v types.String) string {
		if v.IsUnknown() {
			complete = false
		}
		return v.ValueString()
	}
	strMap := func(v types.Map) map[string]string {
		if v.IsNull() {
			return nil
		}
		if v.IsUnknown() {
			complete = false
			return nil
		}
		out := make(map[string]string, len(v.Elements()))
		for k, e := range v.Elements() {
			s, ok := e.(types.String)
			if !ok || s.IsUnknown() {
				complete = false
				continue
			}
			out[k] = s.ValueString()
		}
		return out
	}

	in = bottlerocket.Input{
		ClusterName:        str(m.ClusterName),
		APIServer:          str(apiServer),
		ClusterCertificate: str(m.ClusterCertificate),
		ServiceCIDR:        str(m.ServiceCIDR),
		NodeLabels:         strMap(m.NodeLabels),
		KubeReserved:       strMap(m.KubeReserved),
		SystemReserved:     strMap(m.SystemReserved),
		EvictionHard:       strMap(m.EvictionHard),
		Variant:            str(m.Variant),
		Strict:             defaultStrict,
		Compression:        defaultCompression,
	}
	if custom := str(m.CustomUserData); custom != "" {
		in.CustomUserData = []string{custom}
	}
	if m.Strict.IsUnknown() {
		complete = false
	} else if !m.Strict.IsNull() {
		in.Strict = m.Strict.ValueBool()
	}
	if m.Compression.IsUnknown() {
		complete = false
	} else if !m.Compression.IsNull() {
		in.Compression = bottlerocket.Compression(m.Compression.ValueString())
	}
	if m.MaxPods.IsUnknown() {
		complete = false
	} else if !m.MaxPods.IsNull() {
		n := m.MaxPods.ValueInt64()
		in.MaxPods = &n
	}

	if ips, known := knownList[types.String](ctx, m.ClusterDNSIP, &diags); known {
		for _, ip := range ips {
			in.ClusterDNSIP = append(in.ClusterDNSIP, ip.ValueString())
		}
	} else {
		complete = false
	}
	if taints, known := knownList[taintModel](ctx, m.NodeTaints, &diags); known {
		for _, t := range taints {
			if t.Key.IsUnknown() || t.Value.IsUnknown() || t.Effect.IsUnknown() {
				in.NodeTaints, complete = nil, false
				break
			}
			in.NodeTaints = append(in.NodeTaints, bottlerocket.Taint{Key: t.Key.ValueString(), Value: t.Value.ValueString(), Effect: t.Effect.ValueString()})
		}
	} else {
		complete = false
	}
	return in, complete, diags
}

// unknownFields names the attributes toInput left out, whole or in part,
// because they are not known yet: unknown values, and lists with an unknown
// element. A map with some unknown values is not among them: its known
// entries are validated, and problems name their key.
func (m userDataModel) unknownFields(ctx context.Context, apiServer types.String) map[bottlerocket.Field]bool {
	unknown := map[bottlerocket.Field]bool{}
	for field, v := range map[bottlerocket.Field]attr.Value{
		bottlerocket.FieldClusterName:        m.ClusterName,
		bottlerocket.FieldAPIServer:          apiServer,
		bottlerocket.FieldClusterCertificate: m.ClusterCertificate,
		bottlerocket.FieldServiceCIDR:        m.ServiceCIDR,
		bottlerocket.FieldNodeLabels:         m.NodeLabels,
		bottlerocket.FieldMaxPods:            m.MaxPods,
		bottlerocket.FieldKubeReserved:       m.KubeReserved,
		bottlerocket.FieldSystemReserved:     m.SystemReserved,
		bottlerocket.FieldEvictionHard:       m.EvictionHard,
		bottlerocket.FieldCustomUserData:     m.CustomUserData,
		bottlerocket.FieldVariant:            m.Variant,
		bottlerocket.FieldCompression:        m.Compression,
	} {
		if v.IsUnknown() {
			unknown[field] = true
		}
	}
	for field, v := range map[bottlerocket.Field]types.List{
		bottlerocket.FieldClusterDNSIP: m.ClusterDNSIP,
		bottlerocket.FieldNodeTaints:   m.NodeTaints,
	} {
		if tv, err := v.ToTerraformValue(ctx); err != nil || !tv.IsFullyKnown() {
			unknown[field] = true
		}
	}
	return unknown
}

// validateUserDataConfig is the plan-time check of the user-data attributes
// shared by the data source and stratos_node_class (ValidateConfig). It
// renders what is known and reports its errors, except those on attributes
// that are not known yet: "cluster_name is set but api_server is not" is no
// error when api_server comes from a cluster created in the same apply.
// Warnings are left to the read or plan that follows, so they show once.
func validateUserDataConfig(ctx context.Context, m userDataModel, apiServer types.String, apiServerAttribute string, diags *diag.Diagnostics) {
	in, _, d := m.toInput(ctx, apiServer)
	diags.Append(d...)
	if d.HasError() {
		return
	}
	if m.Strict.IsUnknown() {
		// Unknown settings may yet be allowed: report them as the
		// warnings they would at least be, i.e. not here.
		in.Strict = false
	}
	unknown := m.unknownFields(ctx, apiServer)
	_, problems := bottlerocket.Render(in)
	var known []bottlerocket.Problem
	for _, p := range onlyErrors(problems) {
		if !unknown[p.Field] {
			known = append(known, p)
		}
	}
	addProblems(diags, known, userDataFieldPath(apiServerAttribute))
}

// knownList decodes a list whose elements are all known; known is false
// when the list or any element is unknown. A null list is known and empty.
func knownList[T any](ctx context.Context, l types.List, diags *diag.Diagnostics) (out []T, known bool) {
	if l.IsNull() {
		return nil, true
	}
	if l.IsUnknown() {
		return nil, false
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out, true
}

// userDataFieldPath maps renderer fields onto attribute paths; only the API
// server attribute's name differs between schemas.
func userDataFieldPath(apiServerAttribute string) func(bottlerocket.Field) path.Path {
	return func(f bottlerocket.Field) path.Path {
		switch f {
		case bottlerocket.FieldNone:
			return path.Empty()
		case bottlerocket.FieldAPIServer:
			return path.Root(apiServerAttribute)
		default:
			return path.Root(string(f))
		}
	}
}

// listFields and mapFields say which problems point into an element.
var (
	listFields = map[bottlerocket.Field]bool{
		bottlerocket.FieldNodeTaints:   true,
		bottlerocket.FieldClusterDNSIP: true,
	}
	mapFields = map[bottlerocket.Field]bool{
		bottlerocket.FieldNodeLabels:     true,
		bottlerocket.FieldKubeReserved:   true,
		bottlerocket.FieldSystemReserved: true,
		bottlerocket.FieldEvictionHard:   true,
	}
)

// addProblems reports renderer problems as diagnostics on the attribute,
// list element or map key they concern; warnings stay warnings.
func addProblems(diags *diag.Diagnostics, problems []bottlerocket.Problem, fieldPath func(bottlerocket.Field) path.Path) {
	for _, p := range problems {
		at := fieldPath(p.Field)
		switch {
		case listFields[p.Field] && p.Index >= 0:
			at = at.AtListIndex(p.Index)
		case mapFields[p.Field] && p.Key != "":
			at = at.AtMapKey(p.Key)
		}
		summary, detail := problemText(p)
		switch {
		case at.Equal(path.Empty()) && p.Severity == bottlerocket.SeverityWarning:
			diags.AddWarning(summary, detail)
		case at.Equal(path.Empty()):
			diags.AddError(summary, detail)
		case p.Severity == bottlerocket.SeverityWarning:
			diags.AddAttributeWarning(at, summary, detail)
		default:
			diags.AddAttributeError(at, summary, detail)
		}
	}
}

// onlyErrors drops warnings: validation reports errors early, and the
// read that follows reports warnings once.
func onlyErrors(problems []bottlerocket.Problem) []bottlerocket.Problem {
	var out []bottlerocket.Problem
	for _, p := range problems {
		if p.Severity == bottlerocket.SeverityError {
			out = append(out, p)
		}
	}
	return out
}

func problemText(p bottlerocket.Problem) (summary, detail string) {
	summary = p.Summary
	detail = p.Detail
	if detail == "" {
		detail = summary
	}
	if p.Setting != "" && !strings.Contains(summary+detail, p.Setting) {
		detail += "\n\nBottlerocket setting: " + p.Setting
	}
	return summary, detail
}
