package nodeclass_test

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket"
	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

func TestNodeClass_createFindUpdateDelete(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "general")

	ref, err := nodeclass.Create(ctx, c.api, nc)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if ref.Version != 1 || !strings.HasPrefix(ref.ID, "lt-") {
		t.Fatalf("create returned %+v, want version 1 of an lt- id", ref)
	}

	info, err := nodeclass.Find(ctx, c.api, "general")
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	if info.LaunchTemplateID != ref.ID || info.Version != 1 || info.LatestVersion != 1 {
		t.Errorf("find: id %s version %d latest %d, want %s 1 1", info.LaunchTemplateID, info.Version, info.LatestVersion, ref.ID)
	}
	if info.ConfigHash != nc.ConfigHash() {
		t.Errorf("hash read back %s, want the created node class's %s", info.ConfigHash, nc.ConfigHash())
	}
	if info.TOML != nc.TOML {
		t.Errorf("TOML read back:\n%s\nwant:\n%s", info.TOML, nc.TOML)
	}
	if info.ClusterName != "sandbox" || !slices.Equal(info.InstanceTypes, nc.InstanceTypes) || info.Compression != "auto" {
		t.Errorf("contract read back: cluster %q types %v compression %q", info.ClusterName, info.InstanceTypes, info.Compression)
	}
	zones := c.world.AvailabilityZones()
	wantSubnets := []nodeclass.Subnet{{ID: nc.SubnetIDs[0], AvailabilityZone: zones[0]}, {ID: nc.SubnetIDs[1], AvailabilityZone: zones[1]}}
	if !slices.Equal(info.Subnets, wantSubnets) {
		t.Errorf("subnets %v, want %v", info.Subnets, wantSubnets)
	}
	if !maps.Equal(info.Tags, map[string]string{"team": "platform"}) {
		t.Errorf("tags %v, want only the user's", info.Tags)
	}

	changed := nc
	changed.AMIID = c.image(t, "aws-k8s-1.33", "x86_64")
	ref2, err := nodeclass.Update(ctx, c.api, changed)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if ref2.ID != ref.ID || ref2.Version != 2 {
		t.Fatalf("update returned %+v, want version 2 of %s (the template is never replaced)", ref2, ref.ID)
	}
	latest, err := nodeclass.Find(ctx, c.api, "general")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Version != 2 || latest.ConfigHash != changed.ConfigHash() || latest.Spec.AMIID != changed.AMIID {
		t.Errorf("latest: version %d hash %s ami %s", latest.Version, latest.ConfigHash, latest.Spec.AMIID)
	}
	old, err := nodeclass.FindVersion(ctx, c.api, "general", 1)
	if err != nil {
		t.Fatal(err)
	}
	if old.Version != 1 || old.LatestVersion != 2 || old.ConfigHash != nc.ConfigHash() {
		t.Errorf("version 1 after update: version %d latest %d hash %s, want 1 2 %s", old.Version, old.LatestVersion, old.ConfigHash, nc.ConfigHash())
	}
	lt := describeTemplate(t, c, "general")
	if aws.ToInt64(lt.DefaultVersionNumber) != 2 {
		t.Errorf("default version %d, want 2: RunInstances without a version must get the new config", aws.ToInt64(lt.DefaultVersionNumber))
	}
	if got := tagValue(lt.Tags, keys.NodeClassHash); got != changed.ConfigHash() {
		t.Errorf("template hash tag %q, want the latest version's %s", got, changed.ConfigHash())
	}

	if _, err := nodeclass.FindVersion(ctx, c.api, "general", 3); !nodeclass.IsNotFound(err) {
		t.Errorf("version 3: got %v, want a NotFoundError", err)
	}

	if err := nodeclass.Delete(ctx, c.api, "general"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := nodeclass.Find(ctx, c.api, "general"); !nodeclass.IsNotFound(err) {
		t.Errorf("find after delete: got %v, want a NotFoundError", err)
	}
	if err := nodeclass.Delete(ctx, c.api, "general"); err != nil {
		t.Errorf("delete of a deleted node class: %v, want success", err)
	}
}

func TestNodeClass_createTwiceNamesImport(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "dup")
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	_, err := nodeclass.Create(ctx, c.api, nc)
	if err == nil || !strings.Contains(err.Error(), "import") {
		t.Fatalf("second create: %v, want an error that suggests import", err)
	}
}

func TestNodeClass_launchTemplateData(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "defaults")
	nc.BlockDeviceMappings[1].SnapshotID = "snap-0123456789abcdef0"
	nc.BlockDeviceMappings[1].KMSKeyID = "alias/nodes"
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	out, err := c.ec2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateName: aws.String(nodeclass.LaunchTemplateName("defaults")),
		Versions:           []string{"$Latest"},
	})
	if err != nil || len(out.LaunchTemplateVersions) != 1 {
		t.Fatalf("describe versions: %v", err)
	}
	d := out.LaunchTemplateVersions[0].LaunchTemplateData
	if m := d.MetadataOptions; m == nil || m.HttpTokens != "required" || aws.ToInt32(m.HttpPutResponseHopLimit) != 2 || m.HttpEndpoint != "enabled" {
		t.Errorf("metadata options %+v, want IMDSv2 required, hop limit 2, endpoint enabled", m)
	}
	if len(d.BlockDeviceMappings) != 2 {
		t.Fatalf("%d block devices, want 2", len(d.BlockDeviceMappings))
	}
	for i, want := range []struct {
		device string
		size   int32
	}{{"/dev/xvda", 4}, {"/dev/xvdb", 20}} {
		b := d.BlockDeviceMappings[i]
		if aws.ToString(b.DeviceName) != want.device || b.Ebs == nil || aws.ToInt32(b.Ebs.VolumeSize) != want.size ||
			b.Ebs.VolumeType != "gp3" || !aws.ToBool(b.Ebs.Encrypted) || !aws.ToBool(b.Ebs.DeleteOnTermination) {
			t.Errorf("block device %d: %+v %+v, want %s %d GiB gp3 encrypted deleted on termination", i, b, b.Ebs, want.device, want.size)
		}
	}
	if e := d.BlockDeviceMappings[1].Ebs; aws.ToString(e.SnapshotId) != "snap-0123456789abcdef0" || aws.ToString(e.KmsKeyId) != "alias/nodes" {
		t.Errorf("data volume snapshot %q kms %q", aws.ToString(e.SnapshotId), aws.ToString(e.KmsKeyId))
	}
	if p := d.IamInstanceProfile; p == nil || aws.ToString(p.Name) != "stratos-nodes" || p.Arn != nil {
		t.Errorf("instance profile %+v, want the name stratos-nodes", p)
	}
	if d.InstanceType != "m5.large" || aws.ToString(d.ImageId) != nc.AMIID || !slices.Equal(d.SecurityGroupIds, nc.SecurityGroupIDs) {
		t.Errorf("type %s ami %s groups %v", d.InstanceType, aws.ToString(d.ImageId), d.SecurityGroupIds)
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.UserData))
	if err != nil || string(raw) != nc.TOML {
		t.Errorf("user data %q (%v), want the TOML as given", raw, err)
	}
	byType := map[ec2types.ResourceType][]ec2types.Tag{}
	for _, ts := range d.TagSpecifications {
		byType[ts.ResourceType] = ts.Tags
	}
	for _, rt := range []ec2types.ResourceType{ec2types.ResourceTypeInstance, ec2types.ResourceTypeVolume} {
		if tagValue(byType[rt], "team") != "platform" || tagValue(byType[rt], keys.NodeClass) != "defaults" {
			t.Errorf("%s tags %v, want the node class's tags and name", rt, byType[rt])
		}
	}
	if got := tagValue(byType[ec2types.ResourceTypeInstance], keys.SubnetIDs); got != strings.Join(nc.SubnetIDs, ",") {
		t.Errorf("instance tag %s = %q", keys.SubnetIDs, got)
	}
}

func TestNodeClass_instanceProfileARN(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "arn")
	nc.IAMInstanceProfile = "arn:aws:iam::123456789012:instance-profile/nodes"
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	info, err := nodeclass.Find(ctx, c.api, "arn")
	if err != nil {
		t.Fatal(err)
	}
	if info.Spec.IAMInstanceProfile != nc.IAMInstanceProfile || info.ConfigHash != nc.ConfigHash() {
		t.Errorf("profile read back %q, hash equal %v", info.Spec.IAMInstanceProfile, info.ConfigHash == nc.ConfigHash())
	}
}

func TestNodeClass_compressedUserDataDecodes(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "gzip")
	doc := renderUserData(t, bottlerocket.Input{
		ClusterName: "sandbox", APIServer: "https://sandbox.example.com", ClusterCertificate: "Y2VydA==",
		Strict: true, Compression: bottlerocket.CompressionAlways,
	})
	if !doc.Compressed {
		t.Fatal("compression always gave plain user data")
	}
	nc.UserData, nc.TOML, nc.Compression = doc.Bytes, doc.TOML, "always"
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	info, err := nodeclass.Find(ctx, c.api, "gzip")
	if err != nil {
		t.Fatal(err)
	}
	if info.TOML != doc.TOML || info.Compression != "always" || info.ConfigHash != nc.ConfigHash() {
		t.Errorf("gzip user data read back as %q (compression %q)", info.TOML, info.Compression)
	}
}

func TestNodeClass_tagsOnlyUpdateMakesNoVersion(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "tags")
	nc.Tags = map[string]string{"team": "platform", "cost-center": "42"}
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	retagged := nc
	retagged.Tags = map[string]string{"team": "data", "env": "prod"}
	if retagged.ConfigHash() != nc.ConfigHash() {
		t.Fatal("tags changed the config hash")
	}
	c.calls.reset()
	if err := nodeclass.UpdateTags(ctx, c.api, retagged); err != nil {
		t.Fatal(err)
	}
	if n := c.calls.get("CreateLaunchTemplateVersion"); n != 0 {
		t.Errorf("%d versions created for a tags-only change, want 0", n)
	}
	if c.calls.get("CreateTags") != 1 || c.calls.get("DeleteTags") != 1 {
		t.Errorf("CreateTags %d DeleteTags %d, want one of each", c.calls.get("CreateTags"), c.calls.get("DeleteTags"))
	}
	info, err := nodeclass.Find(ctx, c.api, "tags")
	if err != nil {
		t.Fatal(err)
	}
	if info.LatestVersion != 1 || !maps.Equal(info.Tags, retagged.Tags) {
		t.Errorf("after retag: latest version %d tags %v, want 1 and %v", info.LatestVersion, info.Tags, retagged.Tags)
	}
	lt := describeTemplate(t, c, "tags")
	if tagValue(lt.Tags, keys.NodeClass) != "tags" || tagValue(lt.Tags, keys.NodeClassHash) != nc.ConfigHash() {
		t.Errorf("contract tags lost: %v", lt.Tags)
	}
}

func TestNodeClass_driftOutsideTerraformChangesHash(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "drift")
	ref, err := nodeclass.Create(ctx, c.api, nc)
	if err != nil {
		t.Fatal(err)
	}
	// Someone makes version 2 in the console from version 1 with another AMI.
	if _, err := c.ec2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId:   aws.String(ref.ID),
		SourceVersion:      aws.String("1"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(c.image(t, "aws-k8s-1.31", "x86_64"))},
	}); err != nil {
		t.Fatal(err)
	}
	info, err := nodeclass.Find(ctx, c.api, "drift")
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != 2 || info.ConfigHash == nc.ConfigHash() {
		t.Errorf("version %d hash unchanged %v: a version changed outside Terraform must read as a different config", info.Version, info.ConfigHash == nc.ConfigHash())
	}
}

func TestFindNodeClassVersion_oneSubnetLookup(t *testing.T) {
	ctx := context.Background()
	c := newNCCloud(t)
	nc := c.nodeClass(t, "zones")
	nc.SubnetIDs = c.world.SubnetIDs()
	if _, err := nodeclass.Create(ctx, c.api, nc); err != nil {
		t.Fatal(err)
	}
	c.calls.reset()
	info, err := nodeclass.FindVersion(ctx, c.api, "zones", 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := c.calls.get("DescribeSubnets"); n != 1 {
		t.Errorf("%d DescribeSubnets calls for %d subnets, want 1", n, len(nc.SubnetIDs))
	}
	if len(info.Subnets) != 3 {
		t.Fatalf("subnets %v", info.Subnets)
	}
	for i, s := range info.Subnets {
		if s.ID != nc.SubnetIDs[i] || s.AvailabilityZone != c.world.AvailabilityZones()[i] {
			t.Errorf("subnet %d: %+v", i, s)
		}
	}
}

func TestFindNodeClass_notFound(t *testing.T) {
	c := newNCCloud(t)
	_, err := nodeclass.Find(context.Background(), c.api, "missing")
	if !nodeclass.IsNotFound(err) {
		t.Fatalf("got %v, want a NotFoundError", err)
	}
	if !strings.Contains(err.Error(), "stratos-missing") {
		t.Errorf("error %q does not name the launch template", err)
	}
}

func describeTemplate(t *testing.T, c *ncCloud, name string) ec2types.LaunchTemplate {
	t.Helper()
	out, err := c.ec2.DescribeLaunchTemplates(context.Background(), &ec2.DescribeLaunchTemplatesInput{
		LaunchTemplateNames: []string{nodeclass.LaunchTemplateName(name)},
	})
	if err != nil || len(out.LaunchTemplates) != 1 {
		t.Fatalf("describe launch template %s: %v", name, err)
	}
	return out.LaunchTemplates[0]
}

func tagValue(tags []ec2types.Tag, key string) string {
	for _, tag := range tags {
		if aws.ToString(tag.Key) == key {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}
