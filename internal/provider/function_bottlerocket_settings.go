package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
)

var _ function.Function = (*bottlerocketSettingsFunction)(nil)

// NewBottlerocketSettingsFunction is provider::stratos::bottlerocket_settings.
func NewBottlerocketSettingsFunction() function.Function {
	return &bottlerocketSettingsFunction{}
}

type bottlerocketSettingsFunction struct{}

func (f *bottlerocketSettingsFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "bottlerocket_settings"
}

func (f *bottlerocketSettingsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Merge Bottlerocket TOML fragments into one validated document",
		MarkdownDescription: "Deep-merges Bottlerocket TOML fragments, in order, under the same rules as " +
			"`stratos_bottlerocket_userdata` and returns the canonical document: one `settings` root, sorted keys, " +
			"exact types. Invalid TOML, a second `[settings.kubernetes]` header, different values for one setting, " +
			"unknown settings (with `strict`) and invalid values fail the plan with an error naming the fragment. " +
			"For user data that is handed on elsewhere: Karpenter `EC2NodeClass.spec.userData`, EKS managed node group " +
			"`bootstrap_extra_args`, or a launch template. With `strict = false` the model's doubts (unknown settings, " +
			"kubelet rules) are accepted silently (functions cannot warn); use the " +
			"data source to see them.",
		Parameters: []function.Parameter{
			function.ListParameter{
				Name:                "fragments",
				ElementType:         types.StringType,
				MarkdownDescription: "TOML fragments, merged in order. Each must have the `settings` root.",
			},
			function.BoolParameter{
				Name:                "strict",
				MarkdownDescription: "Whether the doubts of the provider's Bottlerocket model (unknown settings, kubelet rules) are errors (true) or accepted (false).",
			},
		},
		VariadicParameter: function.StringParameter{
			Name: "variant",
			MarkdownDescription: "Optional Bottlerocket variant the settings are checked against, e.g. `aws-k8s-1.32-nvidia`, " +
				"so that variant-only settings such as `kubelet-device-plugins` are checked against it. At most one; " +
				"without it the variant is unknown: " + variantUnknownRules,
		},
		Return: function.StringReturn{},
	}
}

func (f *bottlerocketSettingsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var fragments []types.String
	var strict bool
	var variants []string
	resp.Error = req.Arguments.Get(ctx, &fragments, &strict, &variants)
	if resp.Error != nil {
		return
	}
	variant := ""
	switch len(variants) {
	case 0:
	case 1:
		variant = variants[0]
	default:
		resp.Error = function.NewArgumentFuncError(2, fmt.Sprintf("at most one variant, got %d", len(variants)))
		return
	}
	texts := make([]string, len(fragments))
	for i, fragment := range fragments {
		if fragment.IsNull() {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("fragments[%d] is null; pass a TOML string (\"\" for nothing)", i))
			return
		}
		texts[i] = fragment.ValueString()
	}
	document, problems := bottlerocket.MergeFragments(texts, variant, strict)
	if err := fragmentErrors(problems); err != nil {
		resp.Error = err
		return
	}
	resp.Error = resp.Result.Set(ctx, document)
}

// fragmentErrors turns the renderer's errors into one function error that
// names each fragment concerned; warnings have nowhere to go.
func fragmentErrors(problems []bottlerocket.Problem) *function.FuncError {
	var lines []string
	argument := false
	for _, p := range onlyErrors(problems) {
		text := p.Summary
		if p.Detail != "" && p.Detail != p.Summary {
			text += ": " + p.Detail
		}
		if p.Field == bottlerocket.FieldCustomUserData && p.Index >= 0 {
			argument = true
			if name := fmt.Sprintf("fragments[%d]", p.Index); !strings.Contains(text, name) {
				text = name + ": " + text
			}
		}
		if p.Setting != "" && !strings.Contains(text, p.Setting) {
			text += " (" + p.Setting + ")"
		}
		lines = append(lines, text)
	}
	if len(lines) == 0 {
		return nil
	}
	text := strings.Join(lines, "\n")
	if argument {
		return function.NewArgumentFuncError(0, text)
	}
	return function.NewFuncError(text)
}
