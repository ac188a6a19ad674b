package cloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/stratos-sh/terraform-provider-stratos/internal/sandbox/cloud"
)

func instanceTagSpec(tags map[string]string) []ec2types.TagSpecification {
	spec := ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance}
	for k, v := range tags {
		spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return []ec2types.TagSpecification{spec}
}

func TestAccountMetadataDefaultsEnableTagsAndRefuseSlashKeys(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	slashTag := func(in *ec2.RunInstancesInput) {
		in.TagSpecifications = instanceTagSpec(map[string]string{"stratos.sh/pool": "a"})
	}
	// Without account defaults, metadata tags are off and any key works.
	e.run(t, 1, slashTag)

	if _, err := e.ec2.ModifyInstanceMetadataDefaults(ctx, &ec2.ModifyInstanceMetadataDefaultsInput{
		InstanceMetadataTags: ec2types.DefaultInstanceMetadataTagsStateEnabled,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := e.ec2.GetInstanceMetadataDefaults(ctx, &ec2.GetInstanceMetadataDefaultsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got.AccountLevel == nil || got.AccountLevel.InstanceMetadataTags != ec2types.InstanceMetadataTagsStateEnabled {
		t.Fatalf("account defaults = %+v, want instance metadata tags enabled", got.AccountLevel)
	}
	if d := e.world.Config().InstanceMetadataDefaults; d == nil || d.InstanceMetadataTags != "enabled" {
		t.Fatalf("config instance_metadata_defaults = %+v, want the EC2 call's setting", d)
	}

	in := &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
	}
	slashTag(in)
	_, err = e.ec2.RunInstances(ctx, in)
	expectCode(t, err, "InvalidParameterValue")
	if !strings.Contains(err.Error(), "'stratos.sh/pool' is not a valid tag key") {
		t.Fatalf("error %v does not name the key", err)
	}

	// An explicit "disabled" at launch wins over the account default.
	insts := e.run(t, 1, slashTag, func(in *ec2.RunInstancesInput) {
		in.MetadataOptions = &ec2types.InstanceMetadataOptionsRequest{InstanceMetadataTags: ec2types.InstanceMetadataTagsStateDisabled}
	})
	// An instance with metadata tags on refuses such keys in CreateTags too.
	plain := e.run(t, 1)
	_, err = e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(plain), Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/failed"), Value: aws.String("x")}}})
	expectCode(t, err, "InvalidParameterValue")
	if _, err := e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids(insts), Tags: []ec2types.Tag{{Key: aws.String("stratos.sh/failed"), Value: aws.String("x")}}}); err != nil {
		t.Fatalf("CreateTags on an instance with metadata tags disabled: %v", err)
	}

	if _, err := e.ec2.ModifyInstanceMetadataDefaults(ctx, &ec2.ModifyInstanceMetadataDefaultsInput{
		InstanceMetadataTags: ec2types.DefaultInstanceMetadataTagsStateNoPreference,
	}); err != nil {
		t.Fatal(err)
	}
	if d := e.world.Config().InstanceMetadataDefaults; d != nil {
		t.Fatalf("no-preference left defaults %+v", d)
	}
	e.run(t, 1, slashTag)
}

func TestTagLimitAppliesToTheMergedSet(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	tags := func(prefix string, n int) []ec2types.Tag {
		var out []ec2types.Tag
		for i := range n {
			out = append(out, ec2types.Tag{Key: aws.String(fmt.Sprintf("%s%02d", prefix, i)), Value: aws.String("v")})
		}
		return out
	}
	data := nodeClassTemplateData(e, t)
	data.TagSpecifications = []ec2types.LaunchTemplateTagSpecificationRequest{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags("template-", 30)}}
	lt, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("tags"), LaunchTemplateData: data})
	if err != nil {
		t.Fatal(err)
	}
	launch := func(n int) error {
		_, err := e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
			LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId},
			MinCount:       aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags("request-", n)}},
		})
		return err
	}
	// 30 + 21 = 51: each part is under 50, the merged set is not.
	expectCode(t, launch(21), "TagLimitExceeded")
	if err := launch(20); err != nil {
		t.Fatalf("30 + 20 tags (and the aws: launch template tags, which do not count): %v", err)
	}
	insts, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{"request-00"}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(insts.Reservations[0].Instances[0].InstanceId)
	_, err = e.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: tags("later-", 1)})
	expectCode(t, err, "TagLimitExceeded")
}

func TestInstanceProfilePropagation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg := fastConfig()
	cfg.InstanceProfilePropagation = cloud.Duration(8 * time.Second)
	e := newEnv(t, cfg, withClock(clock))
	if err := e.world.CreateInstanceProfile("fresh-node", "fresh-node-role"); err != nil {
		t.Fatal(err)
	}
	withProfile := func(p *ec2types.IamInstanceProfileSpecification) func(*ec2.RunInstancesInput) {
		return func(in *ec2.RunInstancesInput) { in.IamInstanceProfile = p }
	}
	in := &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
	}
	for _, p := range []*ec2types.IamInstanceProfileSpecification{
		{Name: aws.String("fresh-node")},
		{Arn: aws.String("arn:aws:iam::123456789012:instance-profile/fresh-node")},
	} {
		withProfile(p)(in)
		_, err := e.ec2.RunInstances(context.Background(), in)
		expectCode(t, err, "InvalidParameterValue")
		if !strings.Contains(err.Error(), "Invalid IAM Instance Profile") {
			t.Fatalf("error %v is not EC2's propagation error", err)
		}
	}
	// A profile the sandbox was never told about has long existed.
	e.run(t, 1, withProfile(&ec2types.IamInstanceProfileSpecification{Name: aws.String("old-node")}))
	clock.Advance(8 * time.Second)
	e.run(t, 1, withProfile(&ec2types.IamInstanceProfileSpecification{Name: aws.String("fresh-node")}))
}

func TestUnofferedInstanceTypeIsUnsupported(t *testing.T) {
	cfg := fastConfig()
	zones := cloud.NewWorld(cloud.Options{}).AvailabilityZones()
	cfg.UnofferedInstanceTypes = []cloud.ZoneInstanceType{{Zone: zones[0], InstanceType: "m5.large"}}
	e := newEnv(t, cfg)
	in := &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
	}
	_, err := e.ec2.RunInstances(context.Background(), in)
	expectCode(t, err, "Unsupported")
	if !strings.Contains(err.Error(), zones[1]) {
		t.Fatalf("error %v does not name the zones offering the type", err)
	}
	e.run(t, 1, func(in *ec2.RunInstancesInput) { in.SubnetId = aws.String(e.world.SubnetIDs()[1]) })
	e.run(t, 1, func(in *ec2.RunInstancesInput) { in.InstanceType = ec2types.InstanceTypeM5Xlarge })
	if err := e.world.SetConfig(func() cloud.Config {
		c := cfg
		c.UnofferedInstanceTypes = []cloud.ZoneInstanceType{{Zone: "mars-1a", InstanceType: "m5.large"}}
		return c
	}()); err == nil {
		t.Fatal("an unknown zone was accepted")
	}
}

func TestEBSVolumeRulesAtRunInstancesNotAtCreateLaunchTemplate(t *testing.T) {
	e := newEnv(t, fastConfig())
	ctx := context.Background()
	vol := func(vt ec2types.VolumeType, size, iops, throughput int32) *ec2types.LaunchTemplateEbsBlockDeviceRequest {
		r := &ec2types.LaunchTemplateEbsBlockDeviceRequest{VolumeType: vt, Encrypted: aws.Bool(true)}
		if size > 0 {
			r.VolumeSize = aws.Int32(size)
		}
		if iops > 0 {
			r.Iops = aws.Int32(iops)
		}
		if throughput > 0 {
			r.Throughput = aws.Int32(throughput)
		}
		return r
	}
	for i, tc := range []struct {
		name string
		ebs  *ec2types.LaunchTemplateEbsBlockDeviceRequest
		code string
	}{
		{"gp3 defaults", vol("gp3", 20, 0, 0), ""},
		{"gp3 most", vol("gp3", 160, 80000, 2000), ""},
		{"gp3 iops below 3000", vol("gp3", 20, 2000, 0), "InvalidParameterValue"},
		{"gp3 iops above 80000", vol("gp3", 1000, 90000, 0), "InvalidParameterValue"},
		{"gp3 iops over 500 per GiB", vol("gp3", 10, 6000, 0), "InvalidParameterValue"},
		{"gp3 throughput below 125", vol("gp3", 20, 0, 100), "InvalidParameterValue"},
		{"gp3 throughput over 0.25 per iops", vol("gp3", 20, 3000, 1000), "InvalidParameterValue"},
		{"gp3 throughput at 0.25 per iops", vol("gp3", 20, 4000, 1000), ""},
		{"gp3 size above 64 TiB", vol("gp3", 65537, 0, 0), "InvalidParameterValue"},
		{"gp2 iops", vol("gp2", 20, 3000, 0), "InvalidParameterCombination"},
		{"st1 throughput", vol("st1", 500, 0, 250), "InvalidParameterCombination"},
		{"st1 too small", vol("st1", 100, 0, 0), "InvalidParameterValue"},
		{"standard too large", vol("standard", 2000, 0, 0), "InvalidParameterValue"},
		{"io1 without iops", vol("io1", 100, 0, 0), "InvalidParameterCombination"},
		{"io1 over 50 per GiB", vol("io1", 100, 6000, 0), "InvalidParameterValue"},
		{"io1 within", vol("io1", 100, 5000, 0), ""},
		{"io2 over 1000 per GiB", vol("io2", 10, 20000, 0), "InvalidParameterValue"},
		{"io2 too small", vol("io2", 2, 100, 0), "InvalidParameterValue"},
		{"no type means gp2", vol("", 20, 3000, 0), "InvalidParameterCombination"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := nodeClassTemplateData(e, t)
			data.IamInstanceProfile = nil
			data.BlockDeviceMappings = []ec2types.LaunchTemplateBlockDeviceMappingRequest{{DeviceName: aws.String("/dev/xvdb"), Ebs: tc.ebs}}
			lt, err := e.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(fmt.Sprintf("ebs-%d", i)), LaunchTemplateData: data})
			if err != nil {
				t.Fatalf("CreateLaunchTemplate validated the volume: %v", err)
			}
			_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
				LaunchTemplate: &ec2types.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId},
				MinCount:       aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
			})
			if tc.code == "" {
				if err != nil {
					t.Fatalf("RunInstances: %v", err)
				}
				return
			}
			expectCode(t, err, tc.code)
		})
	}
}

func mustPolicy(t *testing.T, doc string) *cloud.IAMPolicy {
	t.Helper()
	var p cloud.IAMPolicy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("policy: %v", err)
	}
	return &p
}

func TestIAMPolicyEnforcement(t *testing.T) {
	cfg := fastConfig()
	cfg.IAMPolicy = mustPolicy(t, `{
		"Version": "2012-10-17",
		"Statement": [
			{"Effect": "Allow", "Action": ["ec2:Describe*", "ec2:RunInstances", "sts:DecodeAuthorizationMessage"], "Resource": "*"},
			{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:*::parameter/aws/service/bottlerocket/*"},
			{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/node-*"},
			{"Effect": "Deny", "Action": "ec2:DescribeImages", "Resource": "*"}
		]}`)
	e := newEnv(t, cfg)
	ctx := context.Background()
	if _, err := e.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatalf("allowed by ec2:Describe*: %v", err)
	}
	_, err := e.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	expectCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(err.Error(), "explicit deny") {
		t.Fatalf("explicit deny not reported: %v", err)
	}
	_, err = e.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}, DryRun: aws.Bool(true)})
	expectCode(t, err, "UnauthorizedOperation")
	_, encoded, ok := strings.Cut(err.Error(), "Encoded authorization failure message: ")
	if !ok {
		t.Fatalf("no encoded message in %v", err)
	}
	dec, err := e.sts.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(strings.TrimSpace(encoded))})
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Allowed bool `json:"allowed"`
		Context struct {
			Action string `json:"action"`
		} `json:"context"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(dec.DecodedMessage)), &msg); err != nil || msg.Allowed || msg.Context.Action != "ec2:StopInstances" {
		t.Fatalf("decoded message %s (%v)", aws.ToString(dec.DecodedMessage), err)
	}

	// iam:PassRole is checked against the role of the instance profile.
	e.run(t, 1, func(in *ec2.RunInstancesInput) {
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String("node-general")}
	})
	_, err = e.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(e.image(t, "aws-k8s-1.32", "x86_64")), InstanceType: ec2types.InstanceTypeM5Large,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(e.world.SubnetIDs()[0]),
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("admin")},
	})
	expectCode(t, err, "UnauthorizedOperation")
	if !strings.Contains(err.Error(), "iam:PassRole on resource: arn:aws:iam::123456789012:role/admin") {
		t.Fatalf("PassRole denial does not name the role: %v", err)
	}

	if _, err := e.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest/image_id")}); err != nil {
		t.Fatalf("allowed parameter: %v", err)
	}
	_, err = e.ssm.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/aws/service/bottlerocket/aws-k8s-1.32/x86_64/latest")})
	expectCode(t, err, "AccessDeniedException")
	if _, err := e.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity needs no permission: %v", err)
	}
}

func TestIAMPolicyRefusesWhatItCannotEvaluate(t *testing.T) {
	for _, doc := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}`,
		`{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "ec2:*", "Resource": "*"}]}`,
	} {
		var p cloud.IAMPolicy
		if err := json.Unmarshal([]byte(doc), &p); err == nil {
			t.Errorf("accepted %s", doc)
		}
	}
	// A single statement object is a valid document, as in IAM.
	mustPolicy(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}`)
}
