package nodeclass

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// LaunchTemplateRef names one launch template version.
type LaunchTemplateRef struct {
	ID      string
	Version int64
}

// versionDescription names the config a version was made from, for people
// reading the launch template in the console.
func (n Spec) versionDescription() string {
	return "stratos node class " + n.Name + ", config " + n.ConfigHash()[:16]
}

// Create creates the node class's launch template (version 1).
func Create(ctx context.Context, api LaunchTemplateAPI, n Spec) (LaunchTemplateRef, error) {
	if err := n.Validate(); err != nil {
		return LaunchTemplateRef{}, err
	}
	name := LaunchTemplateName(n.Name)
	out, err := api.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(name),
		VersionDescription: aws.String(n.versionDescription()),
		LaunchTemplateData: n.launchTemplateData(),
		TagSpecifications: []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeLaunchTemplate, Tags: ec2Tags(n.templateTags())},
		},
	})
	if code := apiErrorCode(err); code == alreadyExistsCode {
		return LaunchTemplateRef{}, fmt.Errorf("create launch template %s: it already exists; import the node class (terraform import ... %s) or choose another name: %w", name, n.Name, err)
	}
	if err != nil {
		return LaunchTemplateRef{}, fmt.Errorf("create launch template %s: %w", name, err)
	}
	lt := out.LaunchTemplate
	return LaunchTemplateRef{ID: aws.ToString(lt.LaunchTemplateId), Version: aws.ToInt64(lt.LatestVersionNumber)}, nil
}

// Update makes a new launch template version from n, makes it the
// default, and brings the template's tags up to date. The template is never
// replaced, so instances launched from earlier versions keep their link.
func Update(ctx context.Context, api LaunchTemplateAPI, n Spec) (LaunchTemplateRef, error) {
	if err := n.Validate(); err != nil {
		return LaunchTemplateRef{}, err
	}
	lt, err := findLaunchTemplate(ctx, api, n.Name)
	if err != nil {
		return LaunchTemplateRef{}, err
	}
	id := aws.ToString(lt.LaunchTemplateId)
	// The SDK fills ClientToken once per call, so its retries cannot make
	// two versions.
	out, err := api.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
		LaunchTemplateId:   aws.String(id),
		VersionDescription: aws.String(n.versionDescription()),
		LaunchTemplateData: n.launchTemplateData(),
	})
	if err != nil {
		return LaunchTemplateRef{}, fmt.Errorf("create a version of launch template %s: %w", id, err)
	}
	version := aws.ToInt64(out.LaunchTemplateVersion.VersionNumber)
	if _, err := api.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{
		LaunchTemplateId: aws.String(id),
		DefaultVersion:   aws.String(strconv.FormatInt(version, 10)),
	}); err != nil {
		return LaunchTemplateRef{}, fmt.Errorf("make version %d the default of launch template %s: %w", version, id, err)
	}
	if err := syncTemplateTags(ctx, api, id, TagMap(lt.Tags), n.templateTags()); err != nil {
		return LaunchTemplateRef{}, err
	}
	return LaunchTemplateRef{ID: id, Version: version}, nil
}

// UpdateTags brings the launch template's tags up to date without a
// new version: tags do not shape an instance, and a new version would make
// a warm pool replace its standby instances.
func UpdateTags(ctx context.Context, api LaunchTemplateAPI, n Spec) error {
	if err := n.Validate(); err != nil {
		return err
	}
	lt, err := findLaunchTemplate(ctx, api, n.Name)
	if err != nil {
		return err
	}
	return syncTemplateTags(ctx, api, aws.ToString(lt.LaunchTemplateId), TagMap(lt.Tags), n.templateTags())
}

// syncTemplateTags makes the template carry exactly want (tags are
// authoritative, as in the AWS provider), leaving AWS's own aws: tags.
func syncTemplateTags(ctx context.Context, api LaunchTemplateAPI, id string, have, want map[string]string) error {
	changed := map[string]string{}
	for k, v := range want {
		if cur, ok := have[k]; !ok || cur != v {
			changed[k] = v
		}
	}
	var stale []ec2types.Tag
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, keep := want[k]; !keep && !isAWSTag(k) {
			stale = append(stale, ec2types.Tag{Key: aws.String(k)})
		}
	}
	if len(stale) > 0 {
		if _, err := api.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: stale}); err != nil {
			return fmt.Errorf("remove %d tags from launch template %s: %w", len(stale), id, err)
		}
	}
	if len(changed) > 0 {
		if _, err := api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(changed)}); err != nil {
			return fmt.Errorf("tag launch template %s with %d tags: %w", id, len(changed), err)
		}
	}
	return nil
}

func isAWSTag(key string) bool { return strings.HasPrefix(key, "aws:") }

// Delete deletes the node class's launch template with all its
// versions. A template already gone is not an error.
func Delete(ctx context.Context, api LaunchTemplateAPI, name string) error {
	_, err := api.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateName: aws.String(LaunchTemplateName(name))})
	if err != nil && !templateNotFoundCodes[apiErrorCode(err)] {
		return fmt.Errorf("delete launch template %s: %w", LaunchTemplateName(name), err)
	}
	return nil
}
