package nodeclass

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
)

// findLaunchTemplate reads the node class's launch template.
func findLaunchTemplate(ctx context.Context, api LaunchTemplateAPI, name string) (ec2types.LaunchTemplate, error) {
	out, err := api.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{
		LaunchTemplateNames: []string{LaunchTemplateName(name)},
	})
	switch {
	case templateNotFoundCodes[apiErrorCode(err)]:
		return ec2types.LaunchTemplate{}, &NotFoundError{NodeClass: name, Err: err}
	case err != nil:
		return ec2types.LaunchTemplate{}, fmt.Errorf("describe launch template %s: %w", LaunchTemplateName(name), err)
	case len(out.LaunchTemplates) == 0:
		return ec2types.LaunchTemplate{}, &NotFoundError{NodeClass: name}
	}
	return out.LaunchTemplates[0], nil
}

// Find describes a node class's latest version.
func Find(ctx context.Context, api LaunchTemplateAPI, name string) (*Info, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return describeNodeClassVersion(ctx, api, name, lt, aws.ToInt64(lt.LatestVersionNumber))
}

// FindVersion describes one version of a node class: its decoded
// user data and its subnets with their availability zones.
func FindVersion(ctx context.Context, api LaunchTemplateAPI, name string, version int64) (*Info, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return describeNodeClassVersion(ctx, api, name, lt, version)
}

func describeNodeClassVersion(ctx context.Context, api LaunchTemplateAPI, name string, lt ec2types.LaunchTemplate, version int64) (*Info, error) {
	id := aws.ToString(lt.LaunchTemplateId)
	out, err := api.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: aws.String(id),
		Versions:         []string{strconv.FormatInt(version, 10)},
	})
	switch code := apiErrorCode(err); {
	case code == versionNotFoundCode:
		return nil, &NotFoundError{NodeClass: name, Version: version, Err: err}
	case templateNotFoundCodes[code]:
		return nil, &NotFoundError{NodeClass: name, Err: err}
	case err != nil:
		return nil, fmt.Errorf("describe version %d of launch template %s: %w", version, id, err)
	case len(out.LaunchTemplateVersions) == 0:
		return nil, &NotFoundError{NodeClass: name, Version: version}
	}
	spec, err := nodeClassFromVersion(out.LaunchTemplateVersions[0])
	if err != nil {
		return nil, fmt.Errorf("node class %s: %w", name, err)
	}
	if spec.Name == "" {
		// A version made outside the provider carries no contract tags.
		spec.Name = name
	}
	// A filter rather than SubnetIds: a subnet deleted since is left out
	// (the pool launches into the others) instead of failing every read.
	var subnets []Subnet
	if len(spec.SubnetIDs) > 0 {
		found, err := describeSubnets(ctx, api, &ec2.DescribeSubnetsInput{
			Filters: []ec2types.Filter{{Name: aws.String("subnet-id"), Values: spec.SubnetIDs}},
		})
		if err != nil {
			return nil, fmt.Errorf("node class %s version %d: %w", name, version, err)
		}
		subnets = inOrder(found, spec.SubnetIDs)
	}
	return &Info{
		Name:             name,
		LaunchTemplateID: id,
		Version:          version,
		LatestVersion:    aws.ToInt64(lt.LatestVersionNumber),
		ClusterName:      spec.ClusterName,
		InstanceTypes:    spec.InstanceTypes,
		Subnets:          subnets,
		TOML:             spec.TOML,
		Variant:          spec.Variant,
		Compression:      spec.Compression,
		ConfigHash:       spec.ConfigHash(),
		Spec:             spec,
		Tags:             userTags(TagMap(lt.Tags)),
	}, nil
}

// Head is what a plan needs of a node class, from one call: its
// latest version and its cluster.
type Head struct {
	LatestVersion int64
	ClusterName   string
}

// FindHead reads a node class's latest version and cluster with a
// single DescribeLaunchTemplates call, to keep plans cheap.
func FindHead(ctx context.Context, api LaunchTemplateAPI, name string) (*Head, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return &Head{LatestVersion: aws.ToInt64(lt.LatestVersionNumber), ClusterName: TagMap(lt.Tags)[keys.Cluster]}, nil
}
