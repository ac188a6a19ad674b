package warmpool

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// NotFoundError says a node class (its launch template) or one of its
// versions does not exist.
type NotFoundError struct {
	NodeClass string
	// Version is the missing version; 0 when the whole node class is missing.
	Version int64
	Err     error
}

func (e *NotFoundError) Error() string {
	if e.Version > 0 {
		return fmt.Sprintf("node class %s has no version %d (launch template %s)", e.NodeClass, e.Version, LaunchTemplateName(e.NodeClass))
	}
	return fmt.Sprintf("node class %s not found: no launch template %s", e.NodeClass, LaunchTemplateName(e.NodeClass))
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err says a node class or version does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// apiErrorCode is the EC2 error code in err, or "".
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

var (
	templateNotFoundCodes = map[string]bool{
		"InvalidLaunchTemplateName.NotFoundException": true,
		"InvalidLaunchTemplateId.NotFound":            true,
	}
	versionNotFoundCode = "InvalidLaunchTemplateId.VersionNotFound"
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

// FindNodeClass describes a node class's latest version.
func FindNodeClass(ctx context.Context, api LaunchTemplateAPI, name string) (*NodeClassInfo, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return describeNodeClassVersion(ctx, api, name, lt, aws.ToInt64(lt.LatestVersionNumber))
}

// FindNodeClassVersion describes one version of a node class: its decoded
// user data and its subnets with their availability zones.
func FindNodeClassVersion(ctx context.Context, api LaunchTemplateAPI, name string, version int64) (*NodeClassInfo, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return describeNodeClassVersion(ctx, api, name, lt, version)
}

func describeNodeClassVersion(ctx context.Context, api LaunchTemplateAPI, name string, lt ec2types.LaunchTemplate, version int64) (*NodeClassInfo, error) {
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
	return &NodeClassInfo{
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
		Tags:             userTags(tagMap(lt.Tags)),
	}, nil
}

// NodeClassHead is what a plan needs of a node class, from one call: its
// latest version and its cluster.
type NodeClassHead struct {
	LatestVersion int64
	ClusterName   string
}

// FindNodeClassHead reads a node class's latest version and cluster with a
// single DescribeLaunchTemplates call, to keep plans cheap.
func FindNodeClassHead(ctx context.Context, api LaunchTemplateAPI, name string) (*NodeClassHead, error) {
	lt, err := findLaunchTemplate(ctx, api, name)
	if err != nil {
		return nil, err
	}
	return &NodeClassHead{LatestVersion: aws.ToInt64(lt.LatestVersionNumber), ClusterName: tagMap(lt.Tags)[KeyCluster]}, nil
}
