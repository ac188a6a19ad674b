package cloud_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func nodeClassTemplateData(e *env, t *testing.T) *ec2types.RequestLaunchTemplateData {
	return &ec2types.RequestLaunchTemplateData{
		ImageId:          aws.String(e.image(t, "aws-k8s-1.32", "x86_64")),
		InstanceType:     ec2types.InstanceTypeM5Large,
		UserData:         aws.String(base64.StdEncoding.EncodeToString([]byte("v1"))),
		SecurityGroupIds: e.world.SecurityGroupIDs(),
		BlockDeviceMappings: []ec2types.LaunchTemplateBlockDeviceMappingRequest{
			{DeviceName: aws.String("/dev/xvda"), Ebs: &ec2types.LaunchTemplateEbsBlockDeviceRequest{VolumeSize: aws.Int32(4), VolumeType: ec2types.VolumeTypeGp3, Encrypted: aws.Bool(true)}},
			{DeviceName: aws.String("/dev/xvdb"), Ebs: &ec2types.LaunchTemplateEbsBlockDeviceRequest{
				VolumeSize: aws.Int32(50), VolumeType: ec2types.VolumeTypeGp3, Iops: aws.Int32(3000), Throughput: aws.Int32(125),
				Encrypted: aws.Bool(true), KmsKeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/abc"),
				SnapshotId: aws.String("snap-0123456789abcdef0"), DeleteOnTermination: aws.Bool(false)}},
		},
		MetadataOptions:    &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{HttpTokens: ec2types.LaunchTemplateHttpTokensStateRequired, HttpPutResponseHopLimit: aws.Int32(2)},
		IamInstanceProfile: &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: aws.String("sandbox-node")},
		TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/node-class"), Value: aws.String("general")}}},
		},
	}
}

func TestLaunchTemplateLifecycle(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	data := nodeClassTemplateData(e, t)
	created, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String("stratos-general"), LaunchTemplateData: data, ClientToken: aws.String("create-general"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/managed-by"), Value: aws.String("terraform")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	lt := created.LaunchTemplate
	if aws.ToInt64(lt.DefaultVersionNumber) != 1 || aws.ToInt64(lt.LatestVersionNumber) != 1 || len(lt.Tags) != 1 {
		t.Fatalf("created %+v", lt)
	}
	// Replaying the create with its client token returns the same template.
	replay, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String("stratos-general"), LaunchTemplateData: data, ClientToken: aws.String("create-general"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/managed-by"), Value: aws.String("terraform")}}}},
	})
	if err != nil || aws.ToString(replay.LaunchTemplate.LaunchTemplateId) != aws.ToString(lt.LaunchTemplateId) {
		t.Fatalf("replay: %v %+v", err, replay)
	}
	_, err = e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("stratos-general"), LaunchTemplateData: data})
	expectCode(t, err, "InvalidLaunchTemplateName.AlreadyExistsException")

	v2data := &ec2types.RequestLaunchTemplateData{InstanceType: ec2types.InstanceTypeM6iLarge, UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("v2")))}
	v2, err := e.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: lt.LaunchTemplateId, SourceVersion: aws.String("1"), LaunchTemplateData: v2data, VersionDescription: aws.String("second"),
	})
	if err != nil {
		t.Fatal(err)
	}
	v := v2.LaunchTemplateVersion
	if aws.ToInt64(v.VersionNumber) != 2 || aws.ToBool(v.DefaultVersion) || v.LaunchTemplateData.InstanceType != ec2types.InstanceTypeM6iLarge ||
		aws.ToString(v.LaunchTemplateData.ImageId) != aws.ToString(data.ImageId) || len(v.LaunchTemplateData.BlockDeviceMappings) != 2 {
		t.Fatalf("version 2 did not inherit from its source: %+v", v)
	}

	versions, err := e.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String("stratos-general")})
	if err != nil || len(versions.LaunchTemplateVersions) != 2 {
		t.Fatalf("describe versions: %v %+v", err, versions)
	}
	v1 := versions.LaunchTemplateVersions[0].LaunchTemplateData
	ebs := v1.BlockDeviceMappings[1].Ebs
	if aws.ToInt32(ebs.VolumeSize) != 50 || ebs.VolumeType != ec2types.VolumeTypeGp3 || aws.ToInt32(ebs.Iops) != 3000 || aws.ToInt32(ebs.Throughput) != 125 ||
		!aws.ToBool(ebs.Encrypted) || aws.ToString(ebs.KmsKeyId) == "" || aws.ToString(ebs.SnapshotId) != "snap-0123456789abcdef0" || aws.ToBool(ebs.DeleteOnTermination) {
		t.Errorf("ebs round trip %+v", ebs)
	}
	if v1.MetadataOptions.HttpTokens != ec2types.LaunchTemplateHttpTokensStateRequired || aws.ToInt32(v1.MetadataOptions.HttpPutResponseHopLimit) != 2 ||
		aws.ToString(v1.IamInstanceProfile.Name) != "sandbox-node" || len(v1.SecurityGroupIds) != 1 || len(v1.TagSpecifications) != 1 {
		t.Errorf("launch template data round trip %+v", v1)
	}
	latest, err := e.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: lt.LaunchTemplateId, Versions: []string{"$Latest", "$Default"}})
	if err != nil || len(latest.LaunchTemplateVersions) != 2 || aws.ToInt64(latest.LaunchTemplateVersions[0].VersionNumber) != 2 {
		t.Fatalf("$Latest/$Default: %v %+v", err, latest)
	}
	_, err = e.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: lt.LaunchTemplateId, Versions: []string{"7"}})
	expectCode(t, err, "InvalidLaunchTemplateId.VersionNotFound")

	mod, err := e.ec2.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: lt.LaunchTemplateId, DefaultVersion: aws.String("2")})
	if err != nil || aws.ToInt64(mod.LaunchTemplate.DefaultVersionNumber) != 2 {
		t.Fatalf("modify: %v %+v", err, mod)
	}
	list, err := e.ec2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:stratos.sh/managed-by"), Values: []string{"terraform"}}}})
	if err != nil || len(list.LaunchTemplates) != 1 || aws.ToInt64(list.LaunchTemplates[0].LatestVersionNumber) != 2 {
		t.Fatalf("describe templates: %v %+v", err, list)
	}
	_, err = e.ec2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{"nope"}})
	expectCode(t, err, "InvalidLaunchTemplateName.NotFoundException")

	if _, err := e.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String("stratos-general")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.ec2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: lt.LaunchTemplateId})
	expectCode(t, err, "InvalidLaunchTemplateId.NotFound")
	_, err = e.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateName: aws.String("stratos-general"), LaunchTemplateData: v2data})
	expectCode(t, err, "InvalidLaunchTemplateName.NotFoundException")
}

func TestRunInstancesFromLaunchTemplate(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	_, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("nc"), LaunchTemplateData: nodeClassTemplateData(e, t)})
	expectCode(t, err, "InvalidLaunchTemplateName.MalformedException")
	created, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("node-class"), LaunchTemplateData: nodeClassTemplateData(e, t)})
	if err != nil {
		t.Fatal(err)
	}
	ltID := aws.ToString(created.LaunchTemplate.LaunchTemplateId)
	if _, err := e.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId: aws.String(ltID), SourceVersion: aws.String("$Latest"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{InstanceType: ec2types.InstanceTypeC6iXlarge},
	}); err != nil {
		t.Fatal(err)
	}
	launch := func(spec *ec2types.LaunchTemplateSpecification, mutate ...func(*ec2.RunInstancesInput)) ec2types.Instance {
		t.Helper()
		in := &ec2.RunInstancesInput{LaunchTemplate: spec, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[2])}
		for _, m := range mutate {
			m(in)
		}
		out, err := e.ec2.RunInstances(ctx, in)
		if err != nil {
			t.Fatalf("RunInstances: %v", err)
		}
		return out.Instances[0]
	}
	def := launch(&ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ltID)})
	if def.InstanceType != ec2types.InstanceTypeM5Large {
		t.Errorf("default version launched %s, want m5.large", def.InstanceType)
	}
	if v, _ := tagValue(def.Tags, "aws:ec2launchtemplate:version"); v != "1" {
		t.Errorf("launch template version tag %q", v)
	}
	if v, _ := tagValue(def.Tags, "stratos.sh/node-class"); v != "general" {
		t.Errorf("template tag specification not applied: %+v", def.Tags)
	}
	if len(def.BlockDeviceMappings) != 2 || aws.ToBool(def.BlockDeviceMappings[1].Ebs.DeleteOnTermination) {
		t.Errorf("block devices %+v", def.BlockDeviceMappings)
	}
	latest := launch(&ec2types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("node-class"), Version: aws.String("$Latest")})
	if latest.InstanceType != ec2types.InstanceTypeC6iXlarge {
		t.Errorf("$Latest launched %s, want c6i.xlarge", latest.InstanceType)
	}
	override := launch(&ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ltID), Version: aws.String("2")}, func(in *ec2.RunInstancesInput) {
		in.InstanceType = ec2types.InstanceTypeR6iLarge
		in.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte("override")))
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/pool"), Value: aws.String("p")}}}}
		in.MetadataOptions = &ec2types.InstanceMetadataOptionsRequest{HttpPutResponseHopLimit: aws.Int32(3)}
	})
	info, _, _ := e.world.Instance(aws.ToString(override.InstanceId))
	if override.InstanceType != ec2types.InstanceTypeR6iLarge || info.UserData != base64.StdEncoding.EncodeToString([]byte("override")) ||
		aws.ToString(override.Placement.AvailabilityZone) != "us-east-1c" || aws.ToInt32(override.MetadataOptions.HttpPutResponseHopLimit) != 3 {
		t.Errorf("overrides not applied: %s %q %s %+v", override.InstanceType, info.UserData, aws.ToString(override.Placement.AvailabilityZone), override.MetadataOptions)
	}
	_, hasClass := tagValue(override.Tags, "stratos.sh/node-class")
	_, hasPool := tagValue(override.Tags, "stratos.sh/pool")
	if !hasClass || !hasPool {
		t.Errorf("request tags must merge with template tags: %+v", override.Tags)
	}
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("missing")}, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	expectCode(t, err, "InvalidLaunchTemplateName.NotFoundException")
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: aws.String(ltID), Version: aws.String("9")}, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	expectCode(t, err, "InvalidLaunchTemplateId.VersionNotFound")
}

func TestDescribeLaunchTemplatesPages(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		if _, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
			LaunchTemplateName: aws.String(fmt.Sprintf("class-%d", i)), LaunchTemplateData: nodeClassTemplateData(e, t),
		}); err != nil {
			t.Fatal(err)
		}
	}
	p := ec2.NewDescribeLaunchTemplatesPaginator(e.ec2, &ec2.DescribeLaunchTemplatesInput{MaxResults: aws.Int32(3)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, lt := range out.LaunchTemplates {
			names = append(names, aws.ToString(lt.LaunchTemplateName))
		}
	}
	if pages != 3 || strings.Join(names, ",") != "class-0,class-1,class-2,class-3,class-4,class-5,class-6" {
		t.Fatalf("%d pages: %v", pages, names)
	}
	byName, err := e.ec2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{Filters: []ec2types.Filter{{Name: aws.String("launch-template-name"), Values: []string{"class-[0-9]", "class-?"}}}})
	if err != nil || len(byName.LaunchTemplates) != 7 {
		t.Fatalf("wildcard name filter: %v %d", err, len(byName.LaunchTemplates))
	}
}

// Unset lists come back nil, as from EC2, so callers that map them to
// Terraform values see null rather than an empty list.
func TestUnsetListsAreOmitted(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	inst := e.run(t, 1)[0]
	if inst.Tags != nil {
		t.Errorf("untagged instance has tags %#v", inst.Tags)
	}
	created, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("bare"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64"))}})
	if err != nil {
		t.Fatal(err)
	}
	if created.LaunchTemplate.Tags != nil {
		t.Errorf("template tags %#v", created.LaunchTemplate.Tags)
	}
	v, err := e.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateName: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	d := v.LaunchTemplateVersions[0].LaunchTemplateData
	if d.TagSpecifications != nil || d.BlockDeviceMappings != nil || d.SecurityGroupIds != nil || d.MetadataOptions != nil || d.IamInstanceProfile != nil {
		t.Errorf("unset launch template data came back set: %+v", d)
	}
}
