package nodeclass_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// An account whose instance metadata defaults enable tags in IMDS refuses
// tag keys with "/" at launch unless the launch disables them: instances
// of a node class launch there all the same.
func TestLaunchTemplateDisablesInstanceMetadataTags(t *testing.T) {
	c := newNCCloud(t)
	ctx := context.Background()
	if _, err := c.ec2.ModifyInstanceMetadataDefaults(ctx, &ec2.ModifyInstanceMetadataDefaultsInput{
		InstanceMetadataTags: ec2types.DefaultInstanceMetadataTagsStateEnabled,
	}); err != nil {
		t.Fatal(err)
	}
	spec := c.nodeClass(t, "imds-tags")
	ref, err := nodeclass.Create(ctx, c.api, spec)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ref.ID)},
		MinCount:       aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(spec.SubnetIDs[0]),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/pool"), Value: aws.String("p")}}}},
	})
	if err != nil {
		t.Fatalf("launch from the node class's template in an account with IMDS tags on by default: %v", err)
	}
	if got := out.Instances[0].MetadataOptions.InstanceMetadataTags; got != ec2types.InstanceMetadataTagsStateDisabled {
		t.Fatalf("instance metadata tags %q, want disabled", got)
	}
	info, err := nodeclass.Find(ctx, c.api, spec.Name)
	if err != nil {
		t.Fatal(err)
	}
	if info.ConfigHash != spec.ConfigHash() {
		t.Fatalf("read back, the version hashes %s, the spec %s", info.ConfigHash, spec.ConfigHash())
	}
}

// A version that leaves the option to the account default (made by an
// older provider, or outside Terraform) reads back as a different config,
// so the next apply replaces it with one that disables it.
func TestVersionWithoutInstanceMetadataTagsReadsAsChanged(t *testing.T) {
	c := newNCCloud(t)
	ctx := context.Background()
	spec := c.nodeClass(t, "imds-unset")
	ref, err := nodeclass.Create(ctx, c.api, spec)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: aws.String(ref.ID), Versions: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	m := v.LaunchTemplateVersions[0].LaunchTemplateData.MetadataOptions
	if _, err := c.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(ref.ID), SourceVersion: aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
			HttpTokens: ec2types.LaunchTemplateHttpTokensState(m.HttpTokens), HttpPutResponseHopLimit: m.HttpPutResponseHopLimit,
			HttpEndpoint: ec2types.LaunchTemplateInstanceMetadataEndpointState(m.HttpEndpoint),
		}},
	}); err != nil {
		t.Fatal(err)
	}
	unset, err := nodeclass.FindVersion(ctx, c.api, spec.Name, 2)
	if err != nil {
		t.Fatal(err)
	}
	if unset.ConfigHash == spec.ConfigHash() {
		t.Fatal("a version without InstanceMetadataTags hashes like the node class that disables them")
	}
}
